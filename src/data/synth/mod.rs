//! The built-in synthetic market: a deterministic, seeded CSI 300-like panel with a
//! planted, documented signal (docs/SYNTH.md says exactly what is planted).
//!
//! [`generate`] builds, in order: the trading calendar ([`calendar`]), the stocks
//! ([`stocks`]), the common factors ([`market`]), the day loop ([`sim`]: returns, bars,
//! corporate actions, reports and the planted drift from [`signal`]), the index
//! membership ([`universe`]) and the benchmark ([`index`]). The same config always gives
//! bit-identical output.

use std::collections::BTreeMap;

use crate::data::{Date, Financials, Matrix, Panel, field};
use crate::{Error, Result};

pub mod accounts;
pub mod bar;
pub mod calendar;
pub mod index;
pub mod market;
pub use crate::rng;
pub mod signal;
pub mod sim;
pub mod stocks;
pub mod universe;
pub mod write;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_accounts;
#[cfg(test)]
mod tests_signal;

/// The fewest trading days a market may have (the signal needs ~20 days of history).
pub const MIN_TRADING_DAYS: usize = 60;
/// The most stocks (each code block holds at most 999 codes).
pub const MAX_STOCKS: usize = 2000;
/// The most `[date, stock]` cells, which bounds memory (about 150 bytes a cell).
pub const MAX_CELLS: usize = 10_000_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SynthConfig {
    /// Number of stocks (1..=2000), listed at the start or listing later.
    pub stocks: usize,
    /// First and last calendar day; the calendar holds the trading days in between.
    pub start: Date,
    pub end: Date,
    /// Random seed: the same config gives the same bytes.
    pub seed: u64,
    /// Remove every planted signal (all alpha components exactly 0).
    pub null: bool,
}

impl Default for SynthConfig {
    /// 300 stocks, 2015-01-01 .. 2022-07-01, seed 42, with signal.
    fn default() -> Self {
        SynthConfig {
            stocks: 300,
            start: Date::from_ymd(2015, 1, 1).expect("valid default start"),
            end: Date::from_ymd(2022, 7, 1).expect("valid default end"),
            seed: 42,
            null: false,
        }
    }
}

/// A generated market and its planted signal.
#[derive(Clone, Debug)]
pub struct SynthMarket {
    pub panel: Panel,
    /// `alpha` and each component by name (`alpha_value`, …), `[date, stock]` like the
    /// panel's fields: row `t` is the drift (fraction of price) the generator added to the
    /// return from close `t` to close `t + 1`; `NaN` where the stock is not listed on `t`.
    pub truth: BTreeMap<String, Matrix>,
}

/// Generates the market for `cfg`; `Error::Invalid` for a config it cannot honour.
pub fn generate(cfg: &SynthConfig) -> Result<SynthMarket> {
    validate(cfg)?;
    let dates = calendar::trading_days(cfg.start, cfg.end);
    if dates.len() < MIN_TRADING_DAYS {
        return Err(Error::Invalid(format!(
            "synth: {}..{} has {} trading days; at least {MIN_TRADING_DAYS} are needed",
            cfg.start,
            cfg.end,
            dates.len()
        )));
    }
    if dates.len() * cfg.stocks > MAX_CELLS {
        return Err(Error::Invalid(format!(
            "synth: {} stocks x {} trading days is more than {MAX_CELLS} stock-days; use fewer stocks or a shorter range",
            cfg.stocks,
            dates.len()
        )));
    }
    let mut stocks = stocks::draw(cfg.seed, cfg.stocks, &dates)?;
    let factors = market::draw(cfg.seed, dates.len());
    let sim = sim::run(cfg.seed, cfg.null, cfg.end, &dates, &mut stocks, &factors);
    let f = |name: &str| sim.fields.get(name).expect("the loop writes every daily field");
    let (mask, spells) = universe::build(&dates, &stocks, f(field::CLOSE), f(field::FLOAT_SHARES), f(field::IS_ST));
    let constituents = index::Constituents {
        open: f(field::OPEN),
        high: f(field::HIGH),
        low: f(field::LOW),
        close: f(field::CLOSE),
        volume: f(field::VOLUME),
        adj_factor: f(field::ADJ_FACTOR),
        float_shares: f(field::FLOAT_SHARES),
    };
    let benchmark = index::build(&constituents, &mask);

    let mut reports = sim.reports;
    reports.sort_by(|a, b| (&a.code, a.period_end).cmp(&(&b.code, b.period_end)));
    let panel = Panel {
        dates,
        stocks: stocks.iter().map(|s| s.code.clone()).collect(),
        fields: sim.fields,
        universe: Some(spells),
        indices: BTreeMap::from([("SH000300".to_string(), benchmark)]),
        financials: Some(Financials {
            fields: accounts::FIELDS.iter().map(|s| s.to_string()).collect(),
            reports,
            ..Financials::default()
        }),
        industry: stocks.iter().map(|s| (s.code.clone(), stocks::INDUSTRIES[s.industry].0.to_string())).collect(),
        provenance: vec![provenance(cfg)],
        ..Panel::default()
    };
    Ok(SynthMarket { panel, truth: sim.truth })
}

/// `synth: seed 42, 300 stocks, 2015-01-01..2022-07-01` (`, null` appended when null).
pub fn provenance(cfg: &SynthConfig) -> String {
    format!("synth: seed {}, {} stocks, {}..{}{}", cfg.seed, cfg.stocks, cfg.start, cfg.end, if cfg.null { ", null" } else { "" })
}

fn validate(cfg: &SynthConfig) -> Result<()> {
    let bad = |m: String| Err(Error::Invalid(format!("synth: {m}")));
    if cfg.stocks == 0 {
        return bad("stocks must be at least 1".into());
    }
    if cfg.stocks > MAX_STOCKS {
        return bad(format!("at most {MAX_STOCKS} stocks (got {})", cfg.stocks));
    }
    if cfg.end <= cfg.start {
        return bad(format!("end {} must be after start {}", cfg.end, cfg.start));
    }
    if cfg.start.year() < 1991 || cfg.end.year() > 2100 {
        return bad(format!("dates must lie in 1991..2100 (got {}..{})", cfg.start, cfg.end));
    }
    Ok(())
}
