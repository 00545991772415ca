//! The factor stage end to end: compute the chosen factors (raw), clean them per date over
//! the universe, and report coverage. Factors are computed over the whole history (rolling
//! windows need the days before `start`); `start`/`end` only bound what is reported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clean::{CleanConfig, CleanReport, CrossSections, Neutralize, clean_factor};
use crate::data::{Date, Matrix, Panel};
use crate::error::Result;
use crate::factors::compute::{FactorValues, Unavailable, compute_with};
use crate::factors::formulaic;
use crate::factors::inputs::Inputs;
use crate::factors::pit::Upsample;
use crate::factors::registry;

/// `[factors]`: which factors, how quarterly data becomes daily, the reporting range, and
/// `[factors.clean]` (the paper's choices by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorConfig {
    /// Paper codes; empty = all 41.
    #[serde(default)]
    pub list: Vec<String>,
    /// Feature sets: `paper` (the 41, or `list`), `alpha158`, `alpha360`; one or a list.
    #[serde(default = "formulaic::default_sets", deserialize_with = "formulaic::one_or_many")]
    pub set: Vec<String>,
    /// Features in qlib's expression language, `NAME = "Mean($close, 5)/$close"`.
    #[serde(default)]
    pub expr: BTreeMap<String, String>,
    /// A table of your own features (`date, code, <columns…>`, .csv or .csv.gz; relative to
    /// the config file), cleaned and screened like the rest.
    pub table: Option<String>,
    #[serde(default)]
    pub upsample: Upsample,
    /// Annual risk-free rate for SharpeRatio20.
    #[serde(default = "default_risk_free")]
    pub risk_free: f64,
    pub start: Option<Date>,
    pub end: Option<Date>,
    #[serde(default)]
    pub clean: CleanConfig,
}

fn default_risk_free() -> f64 {
    0.04
}

impl Default for FactorConfig {
    fn default() -> Self {
        FactorConfig {
            list: vec![],
            set: formulaic::default_sets(),
            expr: BTreeMap::new(),
            table: None,
            upsample: Upsample::default(),
            risk_free: default_risk_free(),
            start: None,
            end: None,
            clean: CleanConfig::default(),
        }
    }
}

impl FactorConfig {
    /// Whether the paper's factors are among the sets.
    pub fn includes_paper(&self) -> bool {
        self.set.iter().any(|s| s.eq_ignore_ascii_case(formulaic::PAPER))
    }
}

/// One factor's line in the coverage table.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub code: String,
    pub category: String,
    /// How it was derived, when not from its definition.
    pub derived: Option<String>,
    /// Shares of member stock-days in the reported range.
    pub available: f64,
    pub filled: f64,
    pub clipped: f64,
    pub clean: CleanReport,
}

/// Raw and cleaned factor values on the panel's axes.
pub struct FactorTable {
    pub names: Vec<String>,
    /// `[date, stock]` per name (empty from [`build_clean_factors`]).
    pub raw: Vec<Matrix>,
    pub clean: Vec<Matrix>,
    /// `[date, stock]` membership.
    pub mask: Vec<bool>,
    /// First and one-past-last date index of the reported range.
    pub range: (usize, usize),
    pub coverage: Vec<Coverage>,
    pub unavailable: Vec<Unavailable>,
    /// The paper's back-filled quarterly data was used: the values contain look-ahead.
    pub look_ahead: bool,
    /// What neutralization regressed on, or why it was skipped.
    pub neutralized_on: String,
}

/// Computes, cleans and summarizes the factors of `cfg` on `panel`.
pub fn build_factors(panel: &Panel, cfg: &FactorConfig) -> Result<FactorTable> {
    build(panel, cfg, true)
}

/// [`build_factors`] without the raw values (`raw` is empty): each factor's raw matrix is
/// freed once it is cleaned, so the table never holds both the raw and the cleaned values
/// of every factor at once.
pub fn build_clean_factors(panel: &Panel, cfg: &FactorConfig) -> Result<FactorTable> {
    build(panel, cfg, false)
}

fn build(panel: &Panel, cfg: &FactorConfig, keep_raw: bool) -> Result<FactorTable> {
    // One set of inputs (the point-in-time index of the accounts) for the factors and the
    // market cap.
    let inputs = Inputs::new(panel, cfg.upsample, cfg.risk_free);
    let mut values = if cfg.includes_paper() { compute_with(&inputs, &cfg.list, cfg.upsample)? } else { FactorValues::empty() };
    let origins = formulaic::append(panel, cfg, &mut values)?;
    let mask = panel.universe_mask();
    let (a, b) = crate::data::date::range_positions(&panel.dates, cfg.start, cfg.end);
    let ns = panel.n_stocks();
    // Clean only the reported range: outside it, members are masked out.
    let mut range_mask = mask.clone();
    range_mask[..a * ns].fill(false);
    range_mask[b * ns..].fill(false);

    let cap = match cfg.clean.neutralize {
        Neutralize::None => None,
        _ => inputs.market_cap(),
    };
    let neutralized_on = match (cfg.clean.neutralize, &cap) {
        (Neutralize::None, _) => "off".to_string(),
        (_, None) => "SKIPPED: the data has no market cap (needs close with total_shares, float_shares, or turnover)".to_string(),
        (Neutralize::MarketCap, Some((_, what))) => format!("log {what}"),
        (Neutralize::MarketCapIndustry, Some((_, what))) => format!("log {what} + industry dummies"),
    };
    let log_cap = cap.map(|(m, _)| m.map(|v| if v > 0.0 { v.ln() } else { f64::NAN }));
    let industry = industry_ids(panel);
    let cs = CrossSections { mask: &range_mask, log_cap: log_cap.as_ref(), industry: &industry };

    let mut table = FactorTable {
        names: vec![],
        raw: vec![],
        clean: vec![],
        mask,
        range: (a, b),
        coverage: vec![],
        unavailable: values.unavailable,
        look_ahead: values.look_ahead,
        neutralized_on,
    };
    for ((name, raw), derived) in values.names.into_iter().zip(values.values).zip(values.derived) {
        let (clean, rep) = clean_factor(&raw, &cs, &cfg.clean);
        let cells = rep.cells.max(1) as f64;
        let category = match registry::find(&name) {
            Some(spec) => spec.category.paper_name().to_string(),
            None => origins.iter().find(|(n, _)| *n == name).map_or("?".into(), |(_, o)| o.clone()),
        };
        table.coverage.push(Coverage {
            code: name.clone(),
            category,
            derived: derived.map(String::from),
            available: 1.0 - rep.missing as f64 / cells,
            filled: rep.filled as f64 / cells,
            clipped: rep.clipped as f64 / cells,
            clean: rep,
        });
        table.names.push(name);
        if keep_raw {
            table.raw.push(raw);
        }
        table.clean.push(clean);
    }
    Ok(table)
}

/// Dense industry ids per stock; stocks without a label share the last id.
pub fn industry_ids(panel: &Panel) -> Vec<u32> {
    let labels: BTreeMap<&String, u32> = {
        let mut set: Vec<&String> = panel.industry.values().collect();
        set.sort();
        set.dedup();
        set.into_iter().enumerate().map(|(i, l)| (l, i as u32)).collect()
    };
    let unknown = labels.len() as u32;
    panel.stocks.iter().map(|s| panel.industry.get(s).map_or(unknown, |l| labels[l])).collect()
}
