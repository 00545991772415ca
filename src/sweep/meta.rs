//! `sweep.json`: what a sweep folder was made from (config, grid, shard, settings, command,
//! version), written when the sweep starts and checked on `--resume` and `merge`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::train::Selection;
use crate::sweep::fingerprint::Fingerprint;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepMeta {
    pub alphasweep: String,
    /// The resolved config (TOML, after `--set`).
    pub config_toml: String,
    pub config_dir: String,
    pub command: String,
    /// Trials in the whole grid (after `sample`), and in this shard.
    pub grid_trials: usize,
    /// Ids of the whole grid's trials, in grid order (shard `I/N` runs those at positions
    /// `i % N == I`): `merge` and `status` know which trials a shard owes without the
    /// config. Empty in folders written before it was recorded.
    #[serde(default)]
    pub grid_ids: Vec<String>,
    pub shard: Option<String>,
    pub shard_trials: usize,
    pub epochs: usize,
    pub selection: Selection,
    pub keep: usize,
    pub device: String,
    /// What the trials' results depend on, compared on `--resume` and by `merge`; absent in
    /// folders written before it was recorded (those are resumed unchecked, with a warning).
    #[serde(default)]
    pub fingerprint: Option<Fingerprint>,
}

impl SweepMeta {
    /// The ids of the trials this folder's shard runs (the whole grid when unsharded), or
    /// None when the folder predates `grid_ids` or its shard does not parse.
    pub fn shard_ids(&self) -> Option<Vec<String>> {
        if self.grid_ids.is_empty() {
            return None;
        }
        let shard = match &self.shard {
            Some(s) => Some(s.parse::<crate::sweep::grid::Shard>().ok()?),
            None => None,
        };
        Some(crate::sweep::grid::shard(self.grid_ids.clone(), shard))
    }

    /// Writes `dir/sweep.json` (whole or not at all).
    pub fn write(&self, dir: &Path) -> Result<()> {
        crate::artifacts::write_json(&dir.join("sweep.json"), self)
    }

    /// The folder's `sweep.json`, or None when there is none.
    pub fn read(dir: &Path) -> Result<Option<SweepMeta>> {
        let path = dir.join("sweep.json");
        let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
        serde_json::from_str(&text).map(Some).map_err(|e| Error::format(path.display(), e))
    }
}
