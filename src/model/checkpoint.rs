//! Checkpoints: one folder holding the weights (burn's recorder, full precision), the
//! resolved configuration as JSON (everything needed to rebuild the data and the network),
//! and the per-epoch metrics as CSV.

use std::fmt::Write as _;
use std::path::Path;

use burn::module::Module;
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder};
use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::dataset::DatasetConfig;
use crate::model::network::{LstmNet, NetworkConfig};
use crate::model::train::{EpochRow, Status, TrainConfig};

/// What `config.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub alphasweep: String,
    pub network: NetworkConfig,
    pub dataset: DatasetConfig,
    pub train: TrainConfig,
    pub best_epoch: usize,
    pub status: serde_json::Value,
    /// The config file the run was made from, as given (data sources, factors, cleaning).
    pub config_toml: String,
    /// The folder the config's relative paths resolve against.
    pub config_dir: String,
    /// The command line that made it.
    pub command: String,
    pub look_ahead: bool,
}

fn recorder() -> NamedMpkFileRecorder<FullPrecisionSettings> {
    NamedMpkFileRecorder::<FullPrecisionSettings>::new()
}

/// Writes `model.mpk`, `config.json` and `metrics.csv` into `dir`.
pub fn save<B: Backend>(dir: &Path, model: &LstmNet<B>, meta: &CheckpointMeta, rows: &[EpochRow]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    model.clone().save_file(dir.join("model"), &recorder()).map_err(|e| Error::format(dir.join("model.mpk").display(), e))?;
    let json = serde_json::to_string_pretty(meta).map_err(|e| Error::Invalid(e.to_string()))?;
    std::fs::write(dir.join("config.json"), json).map_err(|e| Error::io(dir.join("config.json"), e))?;
    std::fs::write(dir.join("metrics.csv"), metrics_csv(rows)).map_err(|e| Error::io(dir.join("metrics.csv"), e))
}

/// Reloads a checkpoint's configuration and weights.
pub fn load<B: Backend>(dir: &Path, device: &B::Device) -> Result<(LstmNet<B>, CheckpointMeta)> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let meta: CheckpointMeta = serde_json::from_str(&text).map_err(|e| Error::format(path.display(), e))?;
    let model = meta
        .network
        .init::<B>(device)
        .load_file(dir.join("model"), &recorder(), device)
        .map_err(|e| Error::format(dir.join("model.mpk").display(), e))?;
    Ok((model, meta))
}

/// The per-epoch metrics as CSV.
pub fn metrics_csv(rows: &[EpochRow]) -> String {
    let mut out = String::from("epoch,train_loss,valid_loss,valid_mape,valid_ic,valid_rank_ic,valid_direction,seconds\n");
    for r in rows {
        let v = &r.valid;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{:.3}",
            r.epoch, r.train_loss, v.loss, v.mape, v.ic, v.rank_ic, v.direction, r.seconds
        );
    }
    out
}

/// The status as JSON for the meta file.
pub fn status_json(s: &Status) -> serde_json::Value {
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}
