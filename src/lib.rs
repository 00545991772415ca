//! alphasweep: multi-factor stock selection on China A-shares (CSI 300).
//!
//! Pipeline: data → factors → clean → screen → dataset → sweep → predict → backtest → report.
//! Every stage is a library module; [`study`] runs each one with typed options and chains
//! them (`alphasweep run`). The `alphasweep` binary is a thin command line over [`study`]:
//! it parses, calls, prints. docs/ARCHITECTURE.md draws the floors and what may import what.

pub mod artifacts;
pub mod atomic;
pub mod backtest;
pub mod clean;
pub mod config;
pub mod data;
pub mod engine;
pub mod error;
pub mod expr;
pub mod factors;
pub mod json;
pub mod memory;
pub mod model;
pub mod plot;
pub mod predict;
pub mod report;
pub mod rng;
pub mod screen;
pub mod stats;
pub mod study;
pub mod sweep;

pub use error::{Error, Result};
