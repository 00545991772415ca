//! From a config to a training data set: load the market, compute and clean the dataset's
//! factors, build the windows. `train`, the sweep, and (from a checkpoint's stored config)
//! `eval`, `predict` and walk-forward all build their data here.

use std::path::Path;

use crate::artifacts::CheckpointMeta;
use crate::config::Config;
use crate::data::Panel;
use crate::data::load::load_panel;
use crate::error::{Error, Result, ResultExt};
use crate::factors::build_clean_factors;
use crate::model::dataset::{Segment, SplitKind, WindowData};

/// The loaded market and the model's data set.
pub struct Prepared {
    pub panel: Panel,
    pub data: WindowData,
    /// The factors the data set reads, in order: `[dataset] factors`, or every computed one
    /// for `["*"]`.
    pub factors: Vec<String>,
}

/// Loads the data of `cfg` (relative paths against `base`), computes the factors named in
/// `dataset.factors` (all history, reported over `[factors]`/`[data]` start..end) and builds
/// the windows.
pub fn prepare(cfg: &Config, base: &Path) -> Result<Prepared> {
    let mut opts = cfg.load_options(base)?;
    opts.start = None;
    opts.end = None;
    let mut panel = load_panel(&opts).context("loading market data")?;
    let mut fcfg = cfg.factors.clone();
    let every = cfg.dataset.every_factor();
    // The paper's factors among those named (the rest are `[factors.expr]`, set or table
    // features); none named: the paper's set is not computed at all. `["*"]`: every factor
    // of `[factors]`, as `alphasweep run` feeds them.
    if !every {
        fcfg.list = cfg.dataset.factors.iter().filter(|c| crate::factors::registry::find(c).is_some()).cloned().collect();
        if fcfg.list.is_empty() && !cfg.dataset.factors.is_empty() {
            fcfg.set.retain(|s| !s.eq_ignore_ascii_case(crate::factors::formulaic::PAPER));
        }
    }
    fcfg.start = fcfg.start.or(cfg.data.start);
    fcfg.end = fcfg.end.or(cfg.data.end);
    // Factors are cleaned up to `end` only (members after it are NaN), and a label reads
    // `horizon + 1` days ahead: later days hold nothing the data set reads (on qlib's bins,
    // which run years past the protocol's end, a third of every feature matrix).
    if let Some(end) = fcfg.end {
        panel.truncate_after(end, cfg.dataset.horizon + 1);
    }
    let table = build_clean_factors(&panel, &fcfg)?;
    let mut dataset = cfg.dataset.clone();
    if every {
        dataset.factors = table.names.clone();
    }
    let mut data = WindowData::build(&panel, &table.names, &table.clean, &dataset)?;
    data.look_ahead |= table.look_ahead;
    drop(table);
    crate::memory::return_freed_memory();
    Ok(Prepared { panel, data, factors: dataset.factors })
}

/// `cfg` naming the factors its data set read: `[dataset] factors = ["*"]` replaced by the
/// list (so a checkpoint records what its network reads); otherwise `cfg` as it is.
pub fn with_resolved_factors(cfg: &Config, factors: Vec<String>) -> Config {
    if cfg.dataset.every_factor() { cfg.with_factors(factors) } else { cfg.clone() }
}

/// A checkpoint's config and its data set rebuilt from it (on `data` instead of the
/// config's own sources when given: the factors and cleaning stay the checkpoint's), checked
/// against the network's input width. `dir` names the checkpoint in errors.
pub fn checkpoint_data(dir: &Path, meta: &CheckpointMeta, data: Option<&Path>) -> Result<(Config, WindowData)> {
    let cfg = checkpoint_config(dir, meta, data)?;
    let built = rebuild(&cfg, meta)?;
    check_inputs(dir, &built, meta)?;
    Ok((cfg, built))
}

/// A checkpoint's data set from its (resolved) config and folder.
fn rebuild(cfg: &Config, meta: &CheckpointMeta) -> Result<WindowData> {
    Ok(prepare(cfg, Path::new(&meta.config_dir)).context("rebuilding the data set")?.data)
}

/// The last data set [`DataCache::checkpoint_data`] built, kept for the next checkpoint
/// whose config builds the same one: a sweep's best K usually differ only in their
/// networks, and on Alpha360 each rebuild is the load, 300 features and their cleaning.
#[derive(Default)]
pub struct DataCache {
    last: Option<(DataKey, WindowData)>,
}

/// What [`prepare`] reads of a config, and the folder its relative paths start from: equal
/// keys build equal data sets.
#[derive(PartialEq)]
struct DataKey {
    data: crate::config::DataConfig,
    synth: crate::data::synth::SynthConfig,
    factors: crate::factors::FactorConfig,
    dataset: crate::model::dataset::DatasetConfig,
    base: String,
}

impl DataCache {
    /// [`checkpoint_data`], reusing the data set of the previous call when the checkpoint's
    /// config builds the same one (holding one data set at a time).
    pub fn checkpoint_data(&mut self, dir: &Path, meta: &CheckpointMeta, data: Option<&Path>) -> Result<&WindowData> {
        let cfg = checkpoint_config(dir, meta, data)?;
        let key = DataKey::of(&cfg, meta);
        if self.last.as_ref().is_none_or(|(k, _)| *k != key) {
            self.last = None;
            eprintln!("building the data set of {} (mem_day {})", dir.display(), cfg.dataset.mem_day);
            self.last = Some((key, rebuild(&cfg, meta)?));
        }
        let (_, built) = self.last.as_ref().expect("built above");
        check_inputs(dir, built, meta)?;
        Ok(built)
    }
}

/// An order of the checkpoints `dirs` (on `data` when given) in which those that build the
/// same data set come one after another, each group where its first member was: scored in
/// it, [`DataCache`] builds every data set once (a sweep's best K alternate between their
/// `mem_day`s, which build different ones).
pub fn data_set_order(dirs: &[std::path::PathBuf], data: Option<&Path>) -> Result<Vec<usize>> {
    let mut groups: Vec<(DataKey, Vec<usize>)> = vec![];
    for (i, dir) in dirs.iter().enumerate() {
        let meta = CheckpointMeta::read(dir)?;
        let key = DataKey::of(&checkpoint_config(dir, &meta, data)?, &meta);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    Ok(groups.into_iter().flat_map(|(_, members)| members).collect())
}

impl DataKey {
    fn of(cfg: &Config, meta: &CheckpointMeta) -> DataKey {
        DataKey {
            data: cfg.data.clone(),
            synth: cfg.synth.clone(),
            factors: cfg.factors.clone(),
            dataset: cfg.dataset.clone(),
            base: meta.config_dir.clone(),
        }
    }
}

/// A checkpoint's config (on `data` when given), checked against its network.
fn checkpoint_config(dir: &Path, meta: &CheckpointMeta, data: Option<&Path>) -> Result<Config> {
    let name = format!("{}/config.json", dir.display());
    let mut cfg = Config::from_str(&meta.config_toml, &name)?;
    let net = &meta.network;
    // Inputs per step: the factors, or their fields when a day holds `feature_steps` steps.
    let steps = cfg.dataset.feature_steps.max(1);
    if cfg.model.network(net.n_features)? != *net
        || (!cfg.dataset.factors.is_empty() && cfg.dataset.factors.len() != net.n_features * steps)
    {
        return Err(Error::Invalid(format!(
            "{name}: the network ({} LSTM x {} units, {} dense, dropout {}, {} inputs) is not the one its config gives ([model] {:?}, {} factors / {steps} steps a day): the checkpoint was edited or mixed up",
            net.lstm_layers,
            net.units,
            net.dense_layers,
            net.dropout,
            net.n_features,
            cfg.model,
            cfg.dataset.factors.len()
        )));
    }
    if let Some(path) = data {
        let abs = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        cfg = cfg.with_data_path(&abs);
        // The checkpoint's `end` bounded the data it was trained on; on another market every
        // day is scored (features are cleaned only up to an `end`). A split by dates stays
        // where it was by itself; a split by shares is held at the sample dates the
        // checkpoint recorded (shares of a longer calendar would move the training period,
        // and with it a feature normalization fitted there and the dates marked in-sample).
        // Checkpoints from before that record keep their `end`.
        let d = &mut cfg.dataset;
        let open_end = match (d.split, d.train, d.valid) {
            (SplitKind::Time, Segment::Dates(_), Segment::Dates(_)) => true,
            (SplitKind::Time, Segment::Share(_), Segment::Share(_)) if meta.split.is_some() => {
                d.fitted = meta.split;
                true
            }
            _ => false,
        };
        if open_end {
            cfg.data.end = None;
            cfg.factors.end = None;
        } else if cfg.data.end.is_some() || cfg.factors.end.is_some() {
            eprintln!(
                "note: {name}: its split is by shares and the checkpoint does not record where it fell (or it is look-ahead): scoring stops at its config's end"
            );
        }
    }
    Ok(cfg)
}

/// The data set's input width is the network's.
fn check_inputs(dir: &Path, data: &WindowData, meta: &CheckpointMeta) -> Result<()> {
    if data.n_features != meta.network.n_features {
        return Err(Error::Invalid(format!(
            "{}: the data gives {} features but the model expects {}",
            dir.display(),
            data.n_features,
            meta.network.n_features
        )));
    }
    Ok(())
}
