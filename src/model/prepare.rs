//! From a config to a training data set: load the market, compute and clean the dataset's
//! factors, build the windows. Used by `train` and by `eval` (which rebuilds the same data
//! from the checkpoint's stored config).

use std::path::Path;

use crate::config::Config;
use crate::data::Panel;
use crate::data::load::load;
use crate::error::Result;
use crate::factors::build_factors;
use crate::model::dataset::WindowData;

/// The loaded market and the model's data set.
pub struct Prepared {
    pub panel: Panel,
    pub data: WindowData,
}

/// Loads the data of `cfg` (relative paths against `base`), computes the factors named in
/// `dataset.factors` (all history, reported over `[factors]`/`[data]` start..end) and builds
/// the windows.
pub fn prepare(cfg: &Config, base: &Path) -> Result<Prepared> {
    let mut opts = cfg.load_options(base)?;
    opts.start = None;
    opts.end = None;
    let panel = load(&opts)?.panel;
    let mut fcfg = cfg.factors.clone();
    fcfg.list = cfg.dataset.factors.clone();
    fcfg.start = fcfg.start.or(cfg.data.start);
    fcfg.end = fcfg.end.or(cfg.data.end);
    let table = build_factors(&panel, &fcfg)?;
    let mut data = WindowData::build(&panel, &table.names, &table.clean, &cfg.dataset)?;
    data.look_ahead |= table.look_ahead;
    Ok(Prepared { panel, data })
}
