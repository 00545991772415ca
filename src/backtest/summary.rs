//! The figures of one portfolio (or the benchmark) over a backtest: returns, risk, the
//! comparison with the benchmark, turnover, costs and blocked orders. Column names in
//! summary.csv are the field names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::backtest::book::{Rule, Side};
use crate::backtest::day_loop::BacktestRun;
use crate::backtest::metrics as m;
use crate::backtest::rules::Market;
use crate::data::Date;

/// One row of the summary table. Returns are fractions (0.1 = 10%), money in CNY.
/// (`NaN`s are written to JSON as `null` and read back as `NaN`.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `top_20` … or the benchmark's code.
    pub portfolio: String,
    pub start: Date,
    pub end: Date,
    pub days: usize,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub final_equity: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub total_return: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub ann_return: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub ann_volatility: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub sharpe: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub max_drawdown: f64,
    pub max_drawdown_peak: Date,
    pub max_drawdown_trough: Date,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub calmar: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub excess_ann_return: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub information_ratio: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub tracking_error: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub win_rate: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub mean_turnover: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub total_costs: f64,
    pub trades: usize,
    /// Blocked order attempts by rule name (`limit_up`, `limit_down`, `suspended`, …).
    pub blocked: BTreeMap<String, usize>,
    /// Blocked buys and sells.
    pub blocked_buys: usize,
    pub blocked_sells: usize,
    pub in_sample_days: usize,
    /// Holdings closed at their last price because their data ended.
    #[serde(default)]
    pub data_ended_exits: usize,
}

/// Daily simple returns of an equity (or index) series: one fewer than values; a missing
/// value carries the last one forward (a 0 return).
pub fn returns(values: &[f64]) -> Vec<f64> {
    let mut last = values.first().copied().unwrap_or(f64::NAN);
    let mut out = Vec::with_capacity(values.len().saturating_sub(1));
    for &v in values.iter().skip(1) {
        if v.is_finite() && last.is_finite() && last != 0.0 {
            out.push(v / last - 1.0);
            last = v;
        } else {
            out.push(0.0);
            if v.is_finite() {
                last = v;
            }
        }
    }
    out
}

/// The benchmark's closes on the run's days (`None` without a benchmark).
pub fn benchmark_closes(market: &Market, days: &[usize]) -> Option<Vec<f64>> {
    market.benchmark.as_ref().map(|(_, c)| days.iter().map(|&d| c[d]).collect())
}

/// Figures of a return series `r` (dated by `days[1..]`) against `b`.
fn figures(name: String, market: &Market, days: &[usize], equity_end: f64, r: &[f64], b: Option<&[f64]>, rf: f64) -> Summary {
    let (dd, peak, trough) = m::max_drawdown(r);
    let vs = |f: fn(&[f64], &[f64]) -> f64| b.map_or(f64::NAN, |b| f(r, b));
    Summary {
        portfolio: name,
        start: market.dates[days[0]],
        end: market.dates[*days.last().expect("a window has days")],
        days: r.len(),
        final_equity: equity_end,
        total_return: m::total_return(r),
        ann_return: m::annual_return(r),
        ann_volatility: m::annual_volatility(r),
        sharpe: m::sharpe_ratio(r, rf / m::YEAR),
        max_drawdown: dd,
        max_drawdown_peak: market.dates[days[peak]],
        max_drawdown_trough: market.dates[days[trough]],
        calmar: m::calmar_ratio(r),
        excess_ann_return: vs(m::excess_annual_return),
        information_ratio: vs(m::information_ratio),
        tracking_error: vs(m::tracking_error),
        win_rate: vs(m::win_rate),
        mean_turnover: f64::NAN,
        total_costs: f64::NAN,
        trades: 0,
        blocked: BTreeMap::new(),
        blocked_buys: 0,
        blocked_sells: 0,
        in_sample_days: 0,
        data_ended_exits: 0,
    }
}

/// The summary of one run; `rf` is the annual risk-free rate.
pub fn summarize(run: &BacktestRun, market: &Market, rf: f64) -> Summary {
    let r = returns(&run.equity);
    let b = benchmark_closes(market, &run.days).map(|c| returns(&c));
    let end = *run.equity.last().expect("a run has days");
    let mut s = figures(format!("top_{}", run.top), market, &run.days, end, &r, b.as_deref(), rf);
    s.mean_turnover = run.turnover[1..].iter().sum::<f64>() / (run.turnover.len() - 1).max(1) as f64;
    s.total_costs = run.costs.iter().sum();
    s.trades = run.trades.len();
    for rule in Rule::ALL {
        s.blocked.insert(rule.name().to_string(), run.blocked.iter().filter(|x| x.rule == rule).count());
    }
    s.blocked_buys = run.blocked.iter().filter(|x| x.side == Side::Buy).count();
    s.blocked_sells = run.blocked.len() - s.blocked_buys;
    s.in_sample_days = run.in_sample_days;
    s.data_ended_exits = run.data_ended_exits;
    s
}

/// The benchmark's own row (buy and hold, no costs), on the days of `days`.
pub fn summarize_benchmark(market: &Market, days: &[usize], capital: f64, rf: f64) -> Option<Summary> {
    let (name, _) = market.benchmark.as_ref()?;
    let c = benchmark_closes(market, days)?;
    let r = returns(&c);
    let end = capital * (1.0 + m::total_return(&r));
    let mut s = figures(name.clone(), market, days, end, &r, Some(&r), rf);
    (s.mean_turnover, s.total_costs) = (0.0, 0.0);
    (s.excess_ann_return, s.win_rate) = (0.0, 0.0);
    Some(s)
}
