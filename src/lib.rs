//! alphasweep: multi-factor stock selection on China A-shares (CSI 300).
//!
//! Pipeline: data → factors → clean → screen → dataset → sweep → predict → backtest → report.
//! This crate holds every stage as a library module; the `alphasweep` binary is a thin CLI
//! over them (see `cli`).

pub mod backtest;
pub mod clean;
pub mod cli;
pub mod config;
pub mod data;
pub mod engine;
pub mod error;
pub mod factors;
pub mod model;
pub mod predict;
pub mod report;
pub mod rng;
pub mod screen;
pub mod stats;
pub mod sweep;

pub use error::{Error, Result};
