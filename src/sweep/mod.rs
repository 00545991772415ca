//! The hyperparameter sweep: the grid of `[sweep]` (optionally sampled and sharded), trials
//! run in parallel on a shared data set, early stopping and ASHA, an append-only ledger that
//! survives kills, the best-K checkpoints, `merge` for shards, and the summary (table and
//! plots). docs/SWEEP.md describes the folder it writes.

pub mod asha;
pub mod best;
pub mod config;
pub mod fingerprint;
pub mod folder;
pub mod grid;
pub mod ledger;
pub mod merge;
pub mod meta;
pub mod progress;
pub mod run;
pub mod status;
pub mod summary;

pub use config::{AshaConfig, Scheduler, SweepConfig};
pub use grid::{Shard, TrialParams};
