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
use crate::model::network::NetworkConfig;
use crate::model::train::TrainConfig;
use crate::screen::ScreenConfig;
use crate::sweep::SweepConfig;

/// The whole config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub data: DataConfig,
    #[serde(default)]
    pub synth: SynthSettings,
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
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig { lstm_layers: 1, dense_layers: 1, units: 32, dropout: 0.1 }
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
        })
    }
}

/// `[data]`: where the market data comes from.
#[derive(Debug, Default, Deserialize)]
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
#[derive(Debug, Deserialize)]
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

/// `[synth]`: the built-in synthetic market (defaults: 300 stocks, 2015-01-01..2022-07-01, seed 42).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynthSettings {
    #[serde(default = "default_stocks")]
    pub stocks: usize,
    #[serde(default = "default_start")]
    pub start: Date,
    #[serde(default = "default_end")]
    pub end: Date,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Remove every planted signal.
    #[serde(default)]
    pub null: bool,
}

fn default_stocks() -> usize {
    300
}
fn default_start() -> Date {
    Date::from_ymd(2015, 1, 1).expect("valid date")
}
fn default_end() -> Date {
    Date::from_ymd(2022, 7, 1).expect("valid date")
}
fn default_seed() -> u64 {
    42
}

impl Default for SynthSettings {
    fn default() -> Self {
        SynthSettings { stocks: default_stocks(), start: default_start(), end: default_end(), seed: default_seed(), null: false }
    }
}

impl SynthSettings {
    pub fn to_config(&self) -> SynthConfig {
        SynthConfig { stocks: self.stocks, start: self.start, end: self.end, seed: self.seed, null: self.null }
    }
}

impl Config {
    /// Reads and parses a config file; errors name the file and the TOML location.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Config::from_str(&text, &path.display().to_string())
    }

    /// Reads a config file and applies `--set key=value` overrides; returns the config and
    /// the resolved TOML text (what checkpoints record).
    pub fn from_file_with(path: &Path, sets: &[String]) -> Result<(Config, String)> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let name = path.display().to_string();
        let text = set::apply(&text, &name, sets)?;
        Ok((Config::from_str(&text, &name)?, text))
    }

    /// Parses config text; `name` labels errors.
    pub fn from_str(text: &str, name: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::Config(format!("{name}: {e}")))
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
            synth: self.synth.to_config(),
        })
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
}
