//! `ledger.csv`: one row per finished trial, appended with a single `write` on a file opened
//! for appending, so the file can be read while the sweep runs. A process killed mid-write
//! can at worst leave a last line without its newline; reading drops it and `repair` cuts
//! it off, so the ledger always resumes cleanly. `curves.csv` holds every epoch of every
//! trial the same way.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::metrics::EvalMetrics;
use crate::model::train::EpochRow;
use crate::sweep::grid::TrialParams;

/// One finished trial.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub trial: String,
    pub mem_day: usize,
    pub lstm_layers: usize,
    pub dense_layers: usize,
    pub units: usize,
    pub lr: f64,
    pub batch_size: usize,
    pub dropout: f64,
    /// done | stopped_early | pruned | diverged | failed
    pub status: String,
    pub reason: String,
    pub epochs_run: usize,
    pub best_epoch: usize,
    /// The selection score at the best epoch (higher is better).
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub score: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub valid_loss: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub valid_mape: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub valid_ic: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub valid_rank_ic: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub valid_direction: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub test_loss: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub test_mape: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub test_ic: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub test_rank_ic: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub test_direction: f64,
    pub params: usize,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub seconds: f64,
    pub device: String,
    /// The checkpoint folder, relative to the sweep folder, while it is among the best K.
    pub checkpoint: String,
}

impl LedgerRow {
    /// A row for `p` with no metrics yet (NaN) and the given status.
    pub fn new(p: &TrialParams, status: &str, reason: &str) -> LedgerRow {
        let nan = f64::NAN;
        LedgerRow {
            trial: p.id(),
            mem_day: p.mem_day,
            lstm_layers: p.lstm_layers,
            dense_layers: p.dense_layers,
            units: p.units,
            lr: p.lr,
            batch_size: p.batch_size,
            dropout: p.dropout,
            status: status.into(),
            reason: reason.into(),
            epochs_run: 0,
            best_epoch: 0,
            score: nan,
            valid_loss: nan,
            valid_mape: nan,
            valid_ic: nan,
            valid_rank_ic: nan,
            valid_direction: nan,
            test_loss: nan,
            test_mape: nan,
            test_ic: nan,
            test_rank_ic: nan,
            test_direction: nan,
            params: 0,
            seconds: 0.0,
            device: String::new(),
            checkpoint: String::new(),
        }
    }

    pub fn set_valid(&mut self, m: &EvalMetrics) {
        (self.valid_loss, self.valid_mape, self.valid_ic, self.valid_rank_ic, self.valid_direction) =
            (m.loss, m.mape, m.ic, m.rank_ic, m.direction);
    }

    pub fn set_test(&mut self, m: &EvalMetrics) {
        (self.test_loss, self.test_mape, self.test_ic, self.test_rank_ic, self.test_direction) =
            (m.loss, m.mape, m.ic, m.rank_ic, m.direction);
    }

    /// Whether the trial produced a model (its score can rank it).
    pub fn has_model(&self) -> bool {
        matches!(self.status.as_str(), "done" | "stopped_early" | "pruned") && self.score.is_finite()
    }
}

/// One epoch of one trial in `curves.csv`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CurveRow {
    pub trial: String,
    pub epoch: usize,
    pub train_loss: f64,
    pub valid_loss: f64,
    pub valid_mape: f64,
    pub valid_ic: f64,
    pub valid_rank_ic: f64,
    pub seconds: f64,
}

impl CurveRow {
    pub fn new(trial: &str, r: &EpochRow) -> CurveRow {
        let v = &r.valid;
        CurveRow {
            trial: trial.into(),
            epoch: r.epoch,
            train_loss: r.train_loss,
            valid_loss: v.loss,
            valid_mape: v.mape,
            valid_ic: v.ic,
            valid_rank_ic: v.rank_ic,
            seconds: r.seconds,
        }
    }
}

/// An append-only CSV of `T` rows with a header.
pub struct AppendCsv {
    path: PathBuf,
    file: File,
}

impl AppendCsv {
    /// Opens (creating with `header` if new or empty) after cutting off a partial last line.
    pub fn open(path: &Path, header: &str) -> Result<AppendCsv> {
        repair(path)?;
        let mut file = OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
        if file.metadata().map_err(|e| Error::io(path, e))?.len() == 0 {
            file.write_all(format!("{header}\n").as_bytes()).map_err(|e| Error::io(path, e))?;
        }
        Ok(AppendCsv { path: path.to_path_buf(), file })
    }

    /// Appends rows in one `write` call and flushes it to the OS.
    pub fn append<T: Serialize>(&mut self, rows: &[T]) -> Result<()> {
        let text = to_csv(rows, false)?;
        self.file.write_all(text.as_bytes()).map_err(|e| Error::io(&self.path, e))
    }
}

/// `rows` as CSV text (with the header line if `header`).
pub fn to_csv<T: Serialize>(rows: &[T], header: bool) -> Result<String> {
    let mut w = csv::WriterBuilder::new().has_headers(header).from_writer(vec![]);
    for r in rows {
        w.serialize(r).map_err(|e| Error::Invalid(format!("writing a CSV row: {e}")))?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Invalid(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid(e.to_string()))
}

/// The CSV header of `T` (serialized field names).
pub fn header_of<T: Serialize + Default>() -> Result<String> {
    Ok(to_csv(&[T::default()], true)?.lines().next().unwrap_or_default().to_string())
}

/// Cuts a last line that lacks its newline (a write cut short by a kill).
pub fn repair(path: &Path) -> Result<()> {
    let Ok(bytes) = std::fs::read(path) else { return Ok(()) };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let f = OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, e))?;
    f.set_len(keep as u64).map_err(|e| Error::io(path, e))
}

/// Reads complete rows of a CSV written by [`AppendCsv`]; a missing file is empty. Errors
/// name the file and line.
pub fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(vec![]) };
    let complete = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    let mut r = csv::ReaderBuilder::new().from_reader(complete.as_bytes());
    let mut out = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        out.push(row.map_err(|e| Error::BadRow {
            file: path.display().to_string(),
            line: i as u64 + 2,
            reason: e.to_string(),
        })?);
    }
    Ok(out)
}

/// Rewrites a CSV atomically (temporary file, then rename).
pub fn rewrite<T: Serialize>(path: &Path, rows: &[T], header: &str) -> Result<()> {
    let body = to_csv(rows, false)?;
    let tmp = path.with_extension("csv.tmp");
    std::fs::write(&tmp, format!("{header}\n{body}")).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Keeps only the curve rows of trials in `done` (drops epochs of trials that were in flight
/// when a previous run stopped; they rerun).
pub fn prune_curves(path: &Path, done: &HashSet<String>, header: &str) -> Result<()> {
    let rows: Vec<CurveRow> = read_rows(path)?;
    if rows.iter().all(|r| done.contains(&r.trial)) {
        return Ok(());
    }
    let keep: Vec<CurveRow> = rows.into_iter().filter(|r| done.contains(&r.trial)).collect();
    rewrite(path, &keep, header)
}
