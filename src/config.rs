//! The TOML configuration. Every section is a plain serde struct with
//! `deny_unknown_fields`, so a typo is an error rather than a silent default.
//!
//! ```toml
//! [data]
//! start = "2017-01-01"          # optional date range
//! end = "2022-07-01"
//! [[data.sources]]
//! path = "${ALPHASWEEP_SHARED_DATA}/qlib_csi300/qlib_csi300_subset_bins.tar.gz"
//! format = "qlib"               # auto | standard | qlib | baostock | synth
//! market = "csi300"             # qlib: instruments/<market>.txt gives membership
//! [data.prefer]                 # where sources overlap, whose field wins
//! close = "qlib"
//!
//! [synth]                       # the built-in market (format = "synth")
//! stocks = 300
//!
//! [factors]                     # which factors and how to clean them
//! list = []                     # paper codes; empty = all 41
//! upsample = "point_in_time"    # or "paper_backfill" (look-ahead!)
//! risk_free = 0.04
//! [factors.clean]
//! fill = "mean"                 # mean | median | industry_mean | none
//! mad_n = 5.0
//! mad_scale = "normal"          # normal (x1.4826) | raw
//! neutralize = "market_cap"     # none | market_cap | market_cap_industry
//! standardize = true
//! ```
//! Relative paths are relative to the config file's folder; `${VAR}` expands an
//! environment variable.

pub mod set;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::backtest::BacktestConfig;
use crate::data::Date;
use crate::data::load::{Format, LoadOptions, SourceSpec};
use crate::data::synth::SynthConfig;
use crate::error::{Error, Result};
use crate::factors::FactorConfig;
use crate::model::dataset::DatasetConfig;
use crate::model::network::Cell;
use crate::model::network::NetworkConfig;
use crate::model::train::TrainConfig;
use crate::screen::ScreenConfig;
use crate::sweep::SweepConfig;
use crate::sweep::TrialParams;
use crate::sweep::run::TrialConfig;

/// The whole config file, typed. Stages get their sections from it; `--set` overrides are
/// applied to the text once, when a file is read ([`Config::from_file_with`]); everything
/// after that changes the typed value ([`Config::for_trial`], [`Config::with_window`], …)
/// and writes it back with [`Config::to_toml`] where a file records it (checkpoints, sweeps,
/// run folders).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub data: DataConfig,
    #[serde(default)]
    /// `[synth]`: the built-in synthetic market (defaults: 300 stocks, 2015-01-01..2022-07-01, seed 42).
    pub synth: SynthConfig,
    #[serde(default)]
    pub factors: FactorConfig,
    #[serde(default)]
    pub screen: ScreenConfig,
    #[serde(default)]
    pub dataset: DatasetConfig,
    #[serde(default)]
    pub model: ModelConfig,
    #[serde(default)]
    pub train: TrainConfig,
    #[serde(default)]
    pub sweep: SweepConfig,
    #[serde(default)]
    pub backtest: BacktestConfig,
}

/// `[model]`: the network (its input width comes from `dataset.factors`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    pub lstm_layers: usize,
    pub dense_layers: usize,
    pub units: usize,
    pub dropout: f64,
    /// Attention pooling over the window's steps before the dense head (qlib's ALSTM): the
    /// head reads the last hidden state and the attention-weighted sum of all of them.
    /// Every engine runs it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub attention: bool,
    /// The recurrent cell of the `lstm_layers` layers: `"lstm"` (the paper's, default) or
    /// `"gru"` (qlib's GRU model). Every engine runs both.
    #[serde(skip_serializing_if = "Cell::is_lstm")]
    pub cell: Cell,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig { lstm_layers: 1, dense_layers: 1, units: 32, dropout: 0.1, attention: false, cell: Cell::Lstm }
    }
}

impl ModelConfig {
    /// The network for `n_features` inputs; layer counts and sizes must be positive.
    pub fn network(&self, n_features: usize) -> Result<NetworkConfig> {
        if self.lstm_layers == 0 || self.units == 0 || !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::Config(format!(
                "model: lstm_layers and units must be at least 1 and dropout in [0, 1), got {self:?}"
            )));
        }
        Ok(NetworkConfig {
            n_features,
            lstm_layers: self.lstm_layers,
            dense_layers: self.dense_layers,
            units: self.units,
            dropout: self.dropout,
            attention: self.attention,
            cell: self.cell,
        })
    }
}

/// `[data]`: where the market data comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// Field → source name (its format: `qlib`, `baostock`, `standard`, or `qlib#2` for a second one).
    #[serde(default)]
    pub prefer: BTreeMap<String, String>,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// An industry CSV (`code, industry`), e.g. the shared ZXF snapshot.
    pub industry: Option<String>,
}

/// One `[[data.sources]]` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// A folder or `.tar.gz` archive. Not needed for `format = "synth"`.
    pub path: Option<String>,
    #[serde(default = "auto")]
    pub format: Format,
    pub market: Option<String>,
}

fn auto() -> Format {
    Format::Auto
}

impl Config {
    /// Reads and parses a config file; errors name the file and the TOML location.
    pub fn from_file(path: &Path) -> Result<Config> {
        Config::from_file_with(path, &[])
    }

    /// Reads a config file and applies the user's `--set key=value` overrides (the one place
    /// where config text is patched; errors name the key or the file).
    pub fn from_file_with(path: &Path, sets: &[String]) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let name = path.display().to_string();
        let all = Config::from_str(&set::apply(&text, &name, sets)?, &name).and_then(|mut c| {
            // A feature table is relative to the config file, for every command.
            if let Some(t) = &c.factors.table {
                let base = path.parent().unwrap_or(Path::new("."));
                c.factors.table = Some(resolve(base, t)?.display().to_string());
            }
            Ok(c)
        });
        if all.is_err() && !sets.is_empty() && Config::from_str(&text, &name).is_ok() {
            // The file is fine alone: name the override that breaks it, not a line of the
            // rewritten text.
            let mut applied = vec![];
            for s in sets {
                applied.push(s.clone());
                if let Err(e) = Config::from_str(&set::apply(&text, &name, &applied)?, &name) {
                    let why = e.to_string();
                    let why = why.trim_start_matches("config: ").trim_start_matches(&format!("{name}: "));
                    return Err(Error::Config(format!("--set {s}: {}", why.lines().last().unwrap_or(why).trim())));
                }
            }
        }
        all
    }

    /// Parses config text; `name` labels errors.
    /// Parses config text and checks every value (`Config::validate`); `name` labels errors.
    pub fn from_str(text: &str, name: &str) -> Result<Config> {
        let c: Config = toml::from_str(text).map_err(|e| Error::Config(format!("{name}: {e}")))?;
        c.validate(name)?;
        Ok(c)
    }

    /// The config as TOML text (what checkpoints, sweep and run folders record); it parses
    /// back to an equal config.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Config(format!("writing the config as TOML: {e}")))
    }

    /// The config with windows of `mem_day` days.
    pub fn with_window(&self, mem_day: usize) -> Config {
        let mut c = self.clone();
        c.dataset.mem_day = mem_day;
        c
    }

    /// The config of one sweep trial: its window, network and training values, with the
    /// sweep's sample set (`sample_window`: windows full at the grid's longest `mem_day`).
    pub fn for_trial(&self, p: &TrialParams, sample_window: usize) -> Config {
        let mut c = self.with_window(p.mem_day);
        c.dataset.sample_window = Some(sample_window);
        c.model = ModelConfig {
            lstm_layers: p.lstm_layers,
            dense_layers: p.dense_layers,
            units: p.units,
            dropout: p.dropout,
            attention: p.attention,
            cell: p.cell,
        };
        c.train.lr = p.lr;
        c.train.batch_size = p.batch_size;
        if let Some(seed) = p.seed {
            c.train.seed = seed;
        }
        c
    }

    /// The config with `dataset.factors` set to `factors` (e.g. the screen's selection).
    pub fn with_factors(&self, factors: Vec<String>) -> Config {
        let mut c = self.clone();
        c.dataset.factors = factors;
        c
    }

    /// The config reading one other data source (`path`, format detected) instead of its own.
    pub fn with_data_path(&self, path: &Path) -> Config {
        let mut c = self.clone();
        c.data.sources = vec![SourceConfig { path: Some(path.display().to_string()), format: Format::Auto, market: None }];
        c
    }

    /// The config with `[[data.sources]] path` and `[data] industry` made absolute (against
    /// `base`), so a copy written elsewhere reads the same data.
    pub fn with_absolute_paths(&self, base: &Path) -> Result<Config> {
        let mut c = self.clone();
        if let Some(p) = &c.data.industry {
            c.data.industry = Some(resolve(base, p)?.display().to_string());
        }
        for s in &mut c.data.sources {
            if let Some(p) = &s.path {
                s.path = Some(resolve(base, p)?.display().to_string());
            }
        }
        Ok(c)
    }

    /// The trial the sweep's lists default to: `[dataset] mem_day`, `[model]`, `[train]`.
    pub fn base_trial(&self) -> TrialParams {
        TrialParams {
            mem_day: self.dataset.mem_day,
            lstm_layers: self.model.lstm_layers,
            dense_layers: self.model.dense_layers,
            units: self.model.units,
            lr: self.train.lr,
            batch_size: self.train.batch_size,
            dropout: self.model.dropout,
            attention: self.model.attention,
            cell: self.model.cell,
            seed: None,
        }
    }

    /// The sweep's grid (see `sweep::grid::expand`).
    pub fn grid(&self) -> Result<Vec<TrialParams>> {
        crate::sweep::grid::expand(&self.sweep, &self.base_trial())
    }

    /// The data sources with paths resolved against `base` (the config file's folder).
    pub fn load_options(&self, base: &Path) -> Result<LoadOptions> {
        let sources = self
            .data
            .sources
            .iter()
            .map(|s| {
                let path = match &s.path {
                    Some(p) => Some(resolve(base, p)?),
                    None if s.format == Format::Synth => None,
                    None => {
                        return Err(Error::Config(format!(
                            "a [[data.sources]] entry of format {} needs `path`",
                            s.format.name()
                        )));
                    }
                };
                Ok(SourceSpec { path, format: s.format, market: s.market.clone() })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LoadOptions {
            sources,
            prefer: self.data.prefer.clone(),
            start: self.data.start,
            end: self.data.end,
            industry: self.data.industry.as_deref().map(|p| resolve(base, p)).transpose()?,
            synth: self.synth.clone(),
        })
    }
}

impl TrialConfig for Config {
    fn for_trial(&self, p: &TrialParams, sample_window: usize) -> Result<(String, DatasetConfig)> {
        let c = Config::for_trial(self, p, sample_window);
        Ok((c.to_toml()?, c.dataset))
    }
}

/// Expands `${VAR}` and makes a relative path relative to `base`.
pub fn resolve(base: &Path, raw: &str) -> Result<PathBuf> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}').ok_or_else(|| Error::Config(format!("unclosed `${{` in path `{raw}`")))?;
        let var = &rest[i + 2..i + j];
        let val = std::env::var(var).map_err(|_| Error::Config(format!("path `{raw}` uses ${{{var}}}, which is not set")))?;
        out.push_str(&val);
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    let p = PathBuf::from(out);
    Ok(if p.is_relative() { base.join(p) } else { p })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_errors() {
        let e = toml::from_str::<Config>("[data]\nstrat = \"2017-01-01\"\n").unwrap_err().to_string();
        assert!(e.contains("unknown field `strat`"), "{e}");
        let e = toml::from_str::<Config>("[data]\n[[data.sources]]\nformat = \"qlibb\"\n").unwrap_err().to_string();
        assert!(e.contains("qlibb"), "{e}");
    }

    #[test]
    fn paths_resolve_against_the_config_folder() {
        let c: Config = toml::from_str("[[data.sources]]\npath = \"d\"\n[[data.sources]]\nformat = \"synth\"\n").unwrap();
        let o = c.load_options(Path::new("/cfg")).unwrap();
        assert_eq!(o.sources[0].path.as_deref(), Some(Path::new("/cfg/d")));
        assert_eq!(o.sources[1].format, Format::Synth);
        assert!(resolve(Path::new("/"), "${ALPHASWEEP_SURELY_UNSET_VAR}/x").is_err());
    }

    /// Every shipped config (and the embedded demo) written with `to_toml` parses back to
    /// an equal config: what checkpoints and run folders record is the config they ran.
    #[test]
    fn shipped_configs_round_trip_through_to_toml() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let c = Config::from_file(&path).unwrap();
            let text = c.to_toml().unwrap();
            assert_eq!(Config::from_str(&text, "round trip").unwrap(), c, "{}:\n{text}", path.display());
            n += 1;
        }
        assert!(n >= 6, "only {n} configs found in {}", dir.display());
    }

    /// A trial's config has exactly the trial's values and the sweep's sample set, and
    /// nothing else changes (what `--set dataset.mem_day=…` etc. used to do as text).
    #[test]
    fn for_trial_sets_the_trials_values_and_nothing_else() {
        let c = Config::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/paper.toml")).unwrap();
        let p = TrialParams {
            mem_day: 15,
            lstm_layers: 3,
            dense_layers: 2,
            units: 32,
            lr: 5e-4,
            batch_size: 64,
            dropout: 0.2,
            attention: false,
            cell: Default::default(),
            seed: None,
        };
        let t = c.for_trial(&p, 15);
        assert_eq!(t.base_trial(), p);
        assert_eq!(t.dataset.sample_window, Some(15));
        let mut back = t.clone();
        back.dataset.mem_day = c.dataset.mem_day;
        back.dataset.sample_window = c.dataset.sample_window;
        back.model = c.model.clone();
        (back.train.lr, back.train.batch_size) = (c.train.lr, c.train.batch_size);
        assert_eq!(back, c);
        let (text, dataset) = TrialConfig::for_trial(&c, &p, 15).unwrap();
        assert_eq!(Config::from_str(&text, "trial").unwrap(), t);
        assert_eq!(dataset, t.dataset);
        assert_eq!(c.with_window(7).dataset.mem_day, 7);
        // A trial of a `seeds` list trains with its own seed; nothing else differs.
        let seeded = c.for_trial(&TrialParams { seed: Some(7), ..p }, 15);
        assert_eq!((seeded.train.seed, c.train.seed), (7, 42));
        assert_eq!(Config { train: t.train.clone(), ..seeded }, t);
    }

    #[test]
    fn absolute_paths_and_data_override_are_typed() {
        let c: Config =
            toml::from_str("[data]\nindustry = \"ind.csv\"\n[[data.sources]]\npath = \"d\"\nformat = \"qlib\"\n").unwrap();
        let a = c.with_absolute_paths(Path::new("/base")).unwrap();
        assert_eq!(a.data.sources[0].path.as_deref(), Some("/base/d"));
        assert_eq!(a.data.industry.as_deref(), Some("/base/ind.csv"));
        let o = c.with_data_path(Path::new("/other"));
        assert_eq!(o.data.sources.len(), 1);
        assert_eq!((o.data.sources[0].path.as_deref(), o.data.sources[0].format), (Some("/other"), Format::Auto));
    }

    /// A bad `--set` is named by its key and value, not by a line of the rewritten TOML.
    #[test]
    fn a_bad_set_names_the_override() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[train]\nepochs = 5\n").unwrap();
        let e = Config::from_file_with(&path, &["sweep.units=[8]".into(), "train.epochs=\"x\"".into()]).unwrap_err().to_string();
        assert!(e.contains("--set train.epochs=\"x\"") && e.contains("invalid type"), "{e}");
        let e = Config::from_file_with(&path, &["train.lr=-1".into()]).unwrap_err().to_string();
        assert!(e.contains("--set train.lr=-1") && e.contains("must be positive"), "{e}");
        assert_eq!(Config::from_file_with(&path, &["train.epochs=2".into()]).unwrap().train.epochs, 2);
    }
}
