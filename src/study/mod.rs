//! The study's stages as library calls: each takes typed options and returns a typed
//! outcome, writes the files the next stage reads (see `artifacts`), and shows progress on
//! stderr as it goes (bars, one-line notes); the tables of results are for the caller to
//! print from the outcome. [`run`] chains them from one config, exactly as calling them one
//! after another would.
//!
//! - [`prepare`]: config → market panel → factors → windows (also from a checkpoint);
//! - [`factors`], [`screen`], [`train`], [`sweep`], [`eval`], [`predict`],
//!   [`walk_forward`], [`backtest`]: one stage each;
//! - [`run`]: the whole study into one run folder, with `report.html`.

pub mod backtest;
pub mod eval;
pub mod factors;
pub mod predict;
pub mod prepare;
pub mod run;
pub mod screen;
pub mod stages;
pub mod sweep;
pub mod train;
pub mod walk_forward;

/// The alphasweep version and the command line, as records note them.
pub fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// `config` with its `[train] precision` settled for `device`
/// ([`crate::engine::precision::for_device`]), saying on stderr how it runs when not fp32.
pub(crate) fn settle_precision(
    config: &crate::config::Config,
    device: crate::engine::DeviceKind,
) -> crate::error::Result<crate::config::Config> {
    let mut config = config.clone();
    config.train.precision = crate::engine::precision::for_device(config.train.precision, device)?;
    if config.train.precision != crate::engine::Precision::Fp32 {
        eprintln!("precision: {}", config.train.precision.describe());
    }
    Ok(config)
}
