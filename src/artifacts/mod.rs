//! The files stages hand to one another, as typed records: every writer and every reader of
//! one of these files goes through the same struct, so a renamed field is a compile error
//! rather than a silent `NaN` in a report.
//!
//! - [`checkpoint`]: a checkpoint folder (`model.mpk`, `config.json` = [`CheckpointMeta`],
//!   `metrics.csv`);
//! - [`records`]: `run.json` ([`RunRecord`]), a sweep's `split.json` ([`SplitRecord`]),
//!   `eval.json` ([`EvalRecord`]), `test.json` ([`TestRecord`]).
//!
//! Records of one stage's own folder stay with that stage (`sweep.json` and `summary.json`
//! in `sweep`, the backtest's `summary.json` in `backtest::output`) and are read back through
//! their own structs too. JSON files are written to a temporary name and renamed into
//! place, so a reader never sees half a file.

pub mod checkpoint;
pub mod records;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use checkpoint::CheckpointMeta;
pub use records::{EvalRecord, RunRecord, Span, SplitRecord, TestRecord};

use crate::error::{Error, Result};

/// Writes `value` as pretty JSON to `path` (through a temporary file renamed into place).
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::format(path.display(), e))?;
    crate::atomic::write(path, text.as_bytes())
}

/// Reads a JSON record; errors name the file (and serde's line and column).
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::format(path.display(), e))
}
