//! The backtest: top-N portfolios from a model's scores, traded under the A-share rules
//! with the paper's costs, and their performance against the CSI 300.
//!
//! - [`predictions`]: the predictions table onto the panel's axes ([`day_loop::Signals`]);
//! - [`costs`]: commission and stamp tax with minimums and a dated stamp-tax schedule;
//! - [`rules`]: price limits, suspensions and membership per stock-day ([`rules::Market`]);
//! - [`book`]: cash, shares and the two orders (sell all, buy whole lots);
//! - [`day_loop`]: the day loop (signal at `t`'s close, trade at `t + 1`'s close);
//! - [`metrics`], [`summary`]: empyrical-style statistics and the summary rows;
//! - [`signal`]: the scores' IC against the raw return they trade on (qlib's IC);
//! - [`output`]: the CSV/JSON tables and PNG plots `alphasweep backtest` writes.
//!
//! docs/BACKTEST.md states the rules, the costs, the timing and every formula.

pub mod book;
pub mod config;
pub mod costs;
pub mod day_loop;
pub mod metrics;
pub mod output;
pub mod predictions;
pub mod rules;
pub mod signal;
pub mod summary;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_property;

pub use config::{BacktestConfig, DateRange, Rebalance};
pub use costs::CostModel;
pub use day_loop::{BacktestRun, Signals, backtest_all};
pub use rules::Market;
pub use summary::{Summary, summarize, summarize_benchmark};
