//! `ledger.csv`: one row per finished trial, appended with a single `write` on a file opened
//! for appending, so the file can be read while the sweep runs. A process killed mid-write
//! can at worst leave a last line without its newline; reading drops it and `repair` cuts
//! it off, so the ledger always resumes cleanly. `curves.csv` holds every epoch of every
//! trial the same way.
//!
//! Reading never turns a damaged file into an empty one: a line that cannot be read (not
//! UTF-8, wrong field count, a bad value) is skipped and reported with its line number, the
//! rest kept ([`read_rows_checked`]); a trial with two rows counts once ([`dedupe`]). Every
//! rewrite keeps the previous file as `<name>.bak`, and the end-of-sweep rewrite of the
//! ledger is not done at all while it has unreadable lines.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
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

    /// Appends rows in one `write` call and flushes them to the disk (`fsync`: a finished
    /// trial survives a power cut too).
    pub fn append<T: Serialize>(&mut self, rows: &[T]) -> Result<()> {
        let text = to_csv(rows, false)?;
        self.file.write_all(text.as_bytes()).and_then(|()| self.file.sync_data()).map_err(|e| Error::io(&self.path, e))
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

/// Damaged lines reported one by one before the rest are only counted.
const MAX_REPORTED: usize = 20;

/// The rows a lenient read kept, and what it skipped.
pub struct ReadRows<T> {
    pub rows: Vec<T>,
    /// Lines skipped because they could not be read (bad UTF-8, wrong field count, a value
    /// of the wrong type).
    pub skipped: usize,
    /// `file:line: why` for the first skipped lines, then a count.
    pub problems: Vec<String>,
}

/// Reads the complete rows of a CSV written by [`AppendCsv`], which may be being appended
/// to: a missing file is empty; a last line without its newline (a write cut short) is
/// left out; a line that cannot be read is skipped and reported with its line number, and
/// the rest are kept. A damaged line never turns the file into an empty one.
pub fn read_rows_checked<T: DeserializeOwned>(path: &Path) -> Result<ReadRows<T>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ReadRows { rows: vec![], skipped: 0, problems: vec![] }),
        Err(e) => return Err(Error::io(path, e)),
    };
    let complete = &bytes[..bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)];
    let mut r = csv::ReaderBuilder::new().from_reader(complete);
    let headers = r
        .byte_headers()
        .map_err(|e| Error::BadRow { file: path.display().to_string(), line: 1, reason: format!("unreadable header: {e}") })?
        .clone();
    let mut out = ReadRows { rows: vec![], skipped: 0, problems: vec![] };
    for rec in r.byte_records() {
        let (line, res) = match rec {
            Ok(rec) => (rec.position().map_or(0, |p| p.line()), rec.deserialize::<T>(Some(&headers))),
            Err(e) => (e.position().map_or(0, |p| p.line()), Err(e)),
        };
        match res {
            Ok(row) => out.rows.push(row),
            Err(e) => {
                out.skipped += 1;
                if out.skipped <= MAX_REPORTED {
                    out.problems.push(format!("{}:{line}: damaged row skipped ({})", path.display(), why(&e)));
                }
            }
        }
    }
    if out.skipped > MAX_REPORTED {
        out.problems.push(format!("{}: {} more damaged rows skipped", path.display(), out.skipped - MAX_REPORTED));
    }
    Ok(out)
}

/// [`read_rows_checked`], with each skipped line reported as a warning on stderr.
pub fn read_rows<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let r = read_rows_checked(path)?;
    for p in &r.problems {
        eprintln!("warning: {p}");
    }
    Ok(r.rows)
}

/// A CSV error without the crate's position prefix (the caller names file and line).
fn why(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!("{len} fields, expected {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8: {err}"),
        _ => e.to_string(),
    }
}

/// Ledger rows with each trial once (its first row kept, as written first), and the ids
/// that appeared more than once.
pub fn dedupe(rows: Vec<LedgerRow>) -> (Vec<LedgerRow>, Vec<String>) {
    let mut seen = HashSet::new();
    let (mut out, mut repeated) = (Vec::with_capacity(rows.len()), vec![]);
    for r in rows {
        if seen.insert(r.trial.clone()) {
            out.push(r);
        } else {
            repeated.push(r.trial);
        }
    }
    (out, repeated)
}

/// Rewrites a CSV atomically (temporary file, then rename), keeping the previous file as
/// `<name>.bak` so that no rewrite can lose what was there.
pub fn rewrite<T: Serialize>(path: &Path, rows: &[T], header: &str) -> Result<()> {
    let body = to_csv(rows, false)?;
    if path.is_file() {
        let bak = backup_path(path);
        std::fs::copy(path, &bak).map_err(|e| Error::io(&bak, e))?;
    }
    crate::atomic::write(path, format!("{header}\n{body}").as_bytes())
}

/// Where [`rewrite`] keeps the previous file: `ledger.csv` → `ledger.csv.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
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
