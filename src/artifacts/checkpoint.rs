//! Checkpoints: one folder holding the weights (`model.mpk`, burn's recorder, full
//! precision), the resolved configuration as JSON (`config.json`: everything needed to
//! rebuild the data and the network) and the per-epoch metrics (`metrics.csv`). `train` and
//! the sweep write them through [`save`]; `eval`, `predict` and walk-forward read them
//! through [`load`] or [`CheckpointMeta::read`].

use std::fmt::Write as _;
use std::path::Path;

use burn::module::Module;
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder};
use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::dataset::{DatasetConfig, FittedSplit};
use crate::model::network::{LstmNet, NetworkConfig};
use crate::model::train::{EpochRow, Status, TrainConfig};

/// What `config.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub alphasweep: String,
    pub network: NetworkConfig,
    pub dataset: DatasetConfig,
    pub train: TrainConfig,
    pub best_epoch: usize,
    /// How the training run ended (`"done"`, `{"stopped_early": {"epoch": 9}}`, …).
    #[serde(deserialize_with = "status_or_name")]
    pub status: Status,
    /// The config file the run was made from, as given (data sources, factors, cleaning).
    pub config_toml: String,
    /// The folder the config's relative paths resolve against.
    pub config_dir: String,
    /// The command line that made it.
    pub command: String,
    pub look_ahead: bool,
    /// Where the time split fell (None for a look-ahead split, and in checkpoints written
    /// before it was recorded): `predict --data` keeps a split by shares there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<FittedSplit>,
    /// CRC-32 and size in bytes of `model.mpk` as written; checked on load (None in
    /// checkpoints written before the check existed).
    #[serde(default)]
    pub weights_crc32: Option<u32>,
    #[serde(default)]
    pub weights_bytes: Option<u64>,
}

fn recorder() -> NamedMpkFileRecorder<FullPrecisionSettings> {
    NamedMpkFileRecorder::<FullPrecisionSettings>::new()
}

/// Writes `model.mpk`, `config.json` (with the weights' checksum) and `metrics.csv` into `dir`.
pub fn save<B: Backend>(dir: &Path, model: &LstmNet<B>, meta: &CheckpointMeta, rows: &[EpochRow]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    model.clone().save_file(dir.join("model"), &recorder()).map_err(|e| Error::format(dir.join("model.mpk").display(), e))?;
    let (crc, bytes) = weights_checksum(dir)?;
    let meta = CheckpointMeta { weights_crc32: Some(crc), weights_bytes: Some(bytes), ..meta.clone() };
    crate::artifacts::write_json(&dir.join("config.json"), &meta)?;
    crate::atomic::write(&dir.join("metrics.csv"), metrics_csv(rows).as_bytes())
}

/// CRC-32 and size of `dir/model.mpk`.
fn weights_checksum(dir: &Path) -> Result<(u32, u64)> {
    let path = dir.join("model.mpk");
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    Ok((crc32fast::hash(&bytes), bytes.len() as u64))
}

/// Reloads a checkpoint's configuration and weights. Weights whose checksum or size differ
/// from the recorded ones (damaged or replaced) are an error. (`study::prepare::checkpoint_data`
/// checks the network against the config it is run under.)
pub fn load<B: Backend>(dir: &Path, device: &B::Device) -> Result<(LstmNet<B>, CheckpointMeta)> {
    let meta = CheckpointMeta::read(dir)?;
    if let (Some(crc), Some(size)) = (meta.weights_crc32, meta.weights_bytes) {
        let (got, bytes) = weights_checksum(dir)?;
        if (got, bytes) != (crc, size) {
            return Err(Error::format(
                dir.join("model.mpk").display(),
                format!(
                    "the weights do not match the checkpoint's record (CRC-32 {got:08x} over {bytes} bytes, recorded {crc:08x} over {size} bytes): the file is damaged or was replaced"
                ),
            ));
        }
    }
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

impl CheckpointMeta {
    /// Reads `dir/config.json` alone (no weights).
    pub fn read(dir: &Path) -> Result<CheckpointMeta> {
        crate::artifacts::read_json(&dir.join("config.json"))
    }
}

/// A status as the typed enum writes it, or as a bare name (`"stopped_early"`, which sweeps
/// before 0.1 wrote; the epoch is then unknown and read as 0).
fn status_or_name<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Status, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Typed(Status),
        Name(String),
    }
    match Either::deserialize(d)? {
        Either::Typed(s) => Ok(s),
        Either::Name(n) => match n.as_str() {
            "done" => Ok(Status::Done),
            "stopped_early" => Ok(Status::StoppedEarly { epoch: 0 }),
            "pruned" => Ok(Status::Pruned { epoch: 0 }),
            "diverged" => Ok(Status::Diverged { epoch: 0 }),
            other => Err(serde::de::Error::custom(format!("unknown status `{other}`"))),
        },
    }
}
