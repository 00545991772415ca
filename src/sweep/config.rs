//! `[sweep]`: the search space (lists whose product is the grid), how many of it to run,
//! early stopping, the successive-halving scheduler and how many checkpoints to keep.
//!
//! ```toml
//! [sweep]
//! mem_days = [5, 10, 15]       # lists; a missing list takes the single value of
//! lstm_layers = [1, 2, 3]      # [dataset] / [model] / [train]
//! dense_layers = [1, 2, 3]
//! units = [16, 32]
//! lr = [0.001]
//! batch_size = [32]
//! dropout = [0.1]
//! cell = ["lstm", "gru"]       # recurrent cells ([model] cell)
//! attention = [false, true]    # attention pooling off and on ([model] attention)
//! seeds = [1, 2, 3]            # training seeds: each configuration trained once per seed
//!                              # (empty: once, with [train] seed); the best K may then be
//!                              # the same network from several starts, a seed ensemble
//! sample = 0                   # > 0: that many configurations drawn from the grid (seeded)
//! seed = 42
//! epochs = 50                  # overrides [train] epochs
//! patience = 5                 # early stopping per trial (epochs without a better score)
//! keep = 5                     # checkpoints kept: the best K trials
//! choose_k = false             # `run` predicts with the best k of them, k chosen on the
//!                              # validation period (as `run --choose-k`); false: all K
//! scheduler = "asha"           # or "none"
//! [sweep.asha]
//! rungs = [5, 15]              # epochs where a trial must be in the top 1/reduction to go on
//! reduction = 3
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The `[sweep]` section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepConfig {
    pub mem_days: Vec<usize>,
    pub lstm_layers: Vec<usize>,
    pub dense_layers: Vec<usize>,
    pub units: Vec<usize>,
    pub lr: Vec<f64>,
    pub batch_size: Vec<usize>,
    pub dropout: Vec<f64>,
    /// Recurrent cells to train each configuration with (`[model] cell`). Empty: the model's
    /// cell; left out of the written config when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cell: Vec<crate::model::network::Cell>,
    /// Attention pooling off and/or on (`[model] attention`). Empty: the model's setting;
    /// left out of the written config when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attention: Vec<bool>,
    /// Training seeds (`[train] seed` per trial: initial weights, batch order, dropout masks);
    /// each configuration is trained once per seed. Empty: once, with `[train] seed`, and trial
    /// ids without a seed (left out of the written config, so earlier stamps stay as they were).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seeds: Vec<u64>,
    /// Draw this many configurations from the grid (0: run the whole grid).
    pub sample: usize,
    pub seed: u64,
    /// Epochs per trial (default: `[train] epochs`).
    pub epochs: Option<usize>,
    /// Early-stopping patience per trial (default: `[train] patience`).
    pub patience: Option<usize>,
    /// Checkpoints of the best K trials are kept.
    pub keep: usize,
    /// `alphasweep run`'s predict stage means the best k of the kept checkpoints, k chosen on
    /// the validation period (`run --choose-k`); false: every kept checkpoint. Left out of the
    /// written config when false, so configs and stamps from before it stay as they were.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub choose_k: bool,
    pub scheduler: Scheduler,
    pub asha: AshaConfig,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            mem_days: vec![],
            lstm_layers: vec![],
            dense_layers: vec![],
            units: vec![],
            lr: vec![],
            batch_size: vec![],
            dropout: vec![],
            cell: vec![],
            attention: vec![],
            seeds: vec![],
            sample: 0,
            seed: 42,
            epochs: None,
            patience: None,
            keep: 5,
            choose_k: false,
            scheduler: Scheduler::None,
            asha: AshaConfig::default(),
        }
    }
}

/// Which trials go on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheduler {
    /// Every trial runs its epochs (or until early stopping).
    #[default]
    None,
    /// Asynchronous successive halving: at each rung a trial goes on only if its score is in
    /// the top 1/`reduction` of the scores recorded at that rung so far.
    Asha,
}

/// `[sweep.asha]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AshaConfig {
    /// Epochs at which trials are compared (the last epoch is implicit).
    pub rungs: Vec<usize>,
    /// Keep the top 1/reduction at each rung.
    pub reduction: usize,
}

impl Default for AshaConfig {
    fn default() -> Self {
        AshaConfig { rungs: vec![5, 15], reduction: 3 }
    }
}

impl SweepConfig {
    /// Checks values that serde cannot (empty or zero entries, rungs out of order).
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, why: &str| Err(Error::Config(format!("sweep.{what}: {why}")));
        for (name, list) in [
            ("mem_days", &self.mem_days),
            ("lstm_layers", &self.lstm_layers),
            ("units", &self.units),
            ("batch_size", &self.batch_size),
        ] {
            if list.contains(&0) {
                return bad(name, "values must be at least 1");
            }
        }
        if self.lr.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return bad("lr", "values must be positive and finite");
        }
        if self.dropout.iter().any(|v| !(0.0..1.0).contains(v)) {
            return bad("dropout", "values must be in [0, 1)");
        }
        if self.epochs == Some(0) {
            return bad("epochs", "must be at least 1");
        }
        if self.scheduler == Scheduler::Asha {
            if self.asha.reduction < 2 {
                return bad("asha.reduction", "must be at least 2");
            }
            if self.asha.rungs.is_empty() || self.asha.rungs.windows(2).any(|w| w[0] >= w[1]) || self.asha.rungs[0] == 0 {
                return bad("asha.rungs", "must be increasing epochs, at least 1");
            }
        }
        Ok(())
    }
}
