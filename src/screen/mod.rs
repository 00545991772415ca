//! Single-factor screening, alphalens-grade (section 3.1.3 of the paper): for each factor
//! and forward period, rank ICs, mean returns by quantile, the factor-weighted long-short
//! portfolio (alpha, beta, annualized return, drawdown, information ratio), quantile
//! turnover and rank autocorrelation; then the correlation matrix and the selection.
//! Conventions follow alphalens-reloaded 0.5 (see tests/golden/alphalens/README.md).

pub mod clean_data;
pub mod correlation;
pub mod ic;
pub mod input;
pub mod output;
pub mod portfolio;
pub mod quantile_returns;
pub mod select;
pub mod turnover;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Matrix;
use crate::error::{Error, Result};
use clean_data::{CleanFactor, clean_factor};
use ic::IcSummary;
use portfolio::LongShort;
use quantile_returns::QuantileReturns;
pub use select::{Criterion, SelectConfig};

/// `[screen]`: forward periods (trading days), quantiles, and the selection rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScreenConfig {
    pub periods: Vec<usize>,
    pub quantiles: usize,
    /// When the forward returns start (default: the next close, what the strategy trades).
    pub entry: Entry,
    pub select: SelectConfig,
}

/// Where the screen's forward returns start, relative to the factor's date t.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// close(t+1) → close(t+1+p): the return a position taken on the signal trades, as the
    /// model's label and the backtest (trades at the next close) have it.
    #[default]
    NextClose,
    /// close(t) → close(t+p): alphalens' convention, which the strategy cannot trade.
    SignalClose,
}

impl Entry {
    /// Days between the factor's date and the entry.
    pub fn delay(self) -> usize {
        match self {
            Entry::NextClose => 1,
            Entry::SignalClose => 0,
        }
    }

    /// How outputs label the returns.
    pub fn describe(self) -> &'static str {
        match self {
            Entry::NextClose => "forward returns from the next close, close(t+1) -> close(t+1+p): what the strategy trades",
            Entry::SignalClose => {
                "forward returns from the signal's close, close(t) -> close(t+p): alphalens' convention, not tradable"
            }
        }
    }
}

impl Default for ScreenConfig {
    fn default() -> Self {
        ScreenConfig { periods: vec![1, 5, 10], quantiles: 5, entry: Entry::default(), select: SelectConfig::default() }
    }
}

impl ScreenConfig {
    pub fn validate(&self) -> Result<()> {
        if self.periods.is_empty() || self.periods.contains(&0) {
            return Err(Error::Config(format!("screen.periods must be positive trading-day counts, got {:?}", self.periods)));
        }
        if !(2..=20).contains(&self.quantiles) {
            return Err(Error::Config(format!("screen.quantiles must be 2..=20, got {}", self.quantiles)));
        }
        if !(self.select.corr_threshold > 0.0 && self.select.corr_threshold <= 1.0) {
            return Err(Error::Config(format!(
                "screen.select.corr_threshold must be in (0, 1], got {}",
                self.select.corr_threshold
            )));
        }
        Ok(())
    }
}

/// Everything the screen measured for one factor. Per-period vectors follow `periods`;
/// per-date vectors follow the calendar.
pub struct FactorScreen {
    pub code: String,
    pub periods: Vec<usize>,
    pub ic: Vec<Vec<f64>>,
    pub ic_summary: Vec<IcSummary>,
    pub pearson_ic_summary: Vec<IcSummary>,
    pub quantile_returns: QuantileReturns,
    pub long_short_returns: Vec<Vec<f64>>,
    pub universe_returns: Vec<Vec<f64>>,
    pub long_short: Vec<LongShort>,
    /// `turnover[period][quantile][date]`.
    pub turnover: Vec<Vec<Vec<f64>>>,
    pub rank_autocorrelation: Vec<Vec<f64>>,
    /// Rows: with a factor, lost to missing forward returns, lost in binning; dates that
    /// could not be binned (empty or constant cross-sections).
    pub rows: (usize, usize, usize),
    pub failed_dates: usize,
}

impl FactorScreen {
    /// Mean of a per-date series over dates where it is finite.
    pub fn mean_of(series: &[f64]) -> f64 {
        let x: Vec<f64> = series.iter().copied().filter(|v| v.is_finite()).collect();
        if x.is_empty() { f64::NAN } else { crate::stats::mean(&x) }
    }
}

/// Screens one factor (`[date, stock]`) against the forward returns of `fwd` (one matrix
/// per period, from [`clean_data::forward_returns`]).
pub fn screen_factor(
    code: &str,
    factor: &Matrix,
    fwd: &[Matrix],
    cfg: &ScreenConfig,
    cache: Option<&ic::FwdRankCache>,
) -> FactorScreen {
    let cf: CleanFactor = clean_factor(factor, fwd, &cfg.periods, cfg.quantiles);
    let ic = ic::ic_by_date(&cf, true, cache);
    let pearson = ic::ic_by_date(&cf, false, None);
    let (ls, uni) = portfolio::factor_and_universe_returns(&cf);
    FactorScreen {
        code: code.to_string(),
        periods: cfg.periods.clone(),
        ic_summary: ic.iter().zip(&cfg.periods).map(|(s, &p)| ic::summarize(s, p)).collect(),
        pearson_ic_summary: pearson.iter().zip(&cfg.periods).map(|(s, &p)| ic::summarize(s, p)).collect(),
        ic,
        quantile_returns: quantile_returns::mean_return_by_quantile(&cf),
        long_short: cfg.periods.iter().enumerate().map(|(k, &p)| portfolio::long_short(&ls[k], &uni[k], p)).collect(),
        long_short_returns: ls,
        universe_returns: uni,
        turnover: cfg.periods.iter().map(|&p| turnover::quantile_turnover(&cf, p)).collect(),
        rank_autocorrelation: cfg.periods.iter().map(|&p| turnover::rank_autocorrelation(&cf, p)).collect(),
        rows: (cf.initial, cf.lost_forward, cf.lost_binning),
        failed_dates: cf.failed_dates.len(),
    }
}

/// Stock-days (`[date, stock]`, row-major) where any of `factors` has a value: the universe
/// members of a factor table, which holds members only.
pub fn coverage(factors: &[&Matrix]) -> Vec<bool> {
    let n = factors.first().map_or(0, |m| m.data.len());
    (0..n).map(|i| factors.iter().any(|m| m.data[i].is_finite())).collect()
}

/// Screens many factors in parallel; `done` is called after each factor (progress).
pub fn screen_all(
    names: &[String],
    factors: &[Matrix],
    prices: &Matrix,
    cfg: &ScreenConfig,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<FactorScreen>> {
    cfg.validate()?;
    let fwd = clean_data::forward_returns_after(prices, &cfg.periods, cfg.entry.delay());
    // Forward-return ranks over the stock-days any factor covers, shared by all factors.
    let ns = prices.n_stocks;
    let covered = coverage(&factors.iter().collect::<Vec<_>>());
    let cache = ic::fwd_rank_cache(&fwd, &|t, s| covered[t * ns + s]);
    Ok(names
        .par_iter()
        .zip(factors.par_iter())
        .map(|(n, f)| {
            let r = screen_factor(n, f, &fwd, cfg, Some(&cache));
            done();
            r
        })
        .collect())
}
