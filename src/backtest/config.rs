//! The backtest's settings (a `[backtest]` TOML table or command-line flags), validated
//! once before any run.

use serde::{Deserialize, Serialize};

use crate::backtest::costs::CostModel;
use crate::data::Date;
use crate::error::{Error, Result};

/// How often the target portfolio is recomputed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Rebalance {
    /// Every trading day (the paper).
    Daily,
    /// On the signal of each week's last trading day.
    Weekly,
    /// On the signal of each month's last trading day.
    Monthly,
}

/// An inclusive range of dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    pub start: Date,
    pub end: Date,
}

impl DateRange {
    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

/// Backtest settings. Every field has a default (the paper's strategy).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BacktestConfig {
    /// Portfolio sizes, one backtest each (default 20, 30, 50, 100: the paper's section 4.2).
    pub top: Vec<usize>,
    /// Default daily (the paper).
    pub rebalance: Rebalance,
    /// qlib's top-k-with-dropout: replace at most this many holdings per rebalance
    /// (default: no limit, i.e. hold exactly the top N).
    pub dropout_n: Option<usize>,
    /// Starting capital, CNY (default 10,000,000).
    pub capital: f64,
    /// Shares per board lot (default 100).
    pub lot: f64,
    pub costs: CostModel,
    /// Price-limit tolerance, CNY (default 0.005, half a tick; see `rules`).
    pub limit_tolerance: f64,
    /// Annual risk-free rate for the Sharpe ratio (default 0); per day it is rate / 252.
    pub risk_free: f64,
    /// First and last signal date to use (default: the predictions' own range).
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// Date ranges whose predictions are in-sample (fitted on): trading on them is flagged.
    pub in_sample: Vec<DateRange>,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            top: vec![20, 30, 50, 100],
            rebalance: Rebalance::Daily,
            dropout_n: None,
            capital: 10_000_000.0,
            lot: 100.0,
            costs: CostModel::default(),
            limit_tolerance: 0.005,
            risk_free: 0.0,
            start: None,
            end: None,
            in_sample: Vec::new(),
        }
    }
}

impl BacktestConfig {
    /// Checks every field; errors name the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(format!("backtest: {m}")));
        if self.top.is_empty() || self.top.contains(&0) {
            return bad("top: give one or more portfolio sizes >= 1");
        }
        if self.dropout_n == Some(0) {
            return bad("dropout_n must be >= 1 (leave it out for no limit)");
        }
        if !(self.capital.is_finite() && self.capital > 0.0) {
            return bad("capital must be a positive number of CNY");
        }
        if !(self.lot.is_finite() && self.lot >= 1.0 && self.lot.fract() == 0.0) {
            return bad("lot must be a whole number of shares >= 1");
        }
        if !(self.limit_tolerance.is_finite() && (0.0..0.05).contains(&self.limit_tolerance)) {
            return bad("limit_tolerance must be in [0, 0.05) CNY");
        }
        if !self.risk_free.is_finite() {
            return bad("risk_free must be a number");
        }
        if let (Some(a), Some(b)) = (self.start, self.end)
            && a > b
        {
            return bad("start is after end");
        }
        if self.in_sample.iter().any(|r| r.start > r.end) {
            return bad("in_sample: a range starts after it ends");
        }
        self.costs.validate()
    }
}
