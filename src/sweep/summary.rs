//! The end of a sweep (or a merge): the ledger's checkpoint column brought up to date, the
//! table of the top trials, `summary.json` (counts by status, epochs run against the full
//! grid, the best trial), and plots: the selection score against each hyperparameter and
//! the learning curves of the top trials.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::train::Selection;
use crate::plot::xy::{self, Strip};
use crate::sweep::ledger::{self, CurveRow, LedgerRow, header_of};

/// What `summary.json` holds (the report reads it back through this struct).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    pub trials: usize,
    pub by_status: BTreeMap<String, usize>,
    /// Epochs trained over all trials, against trials × epochs.
    pub epochs_run: usize,
    pub epochs_full: usize,
    pub selection: Selection,
    pub best: Option<LedgerRow>,
    pub kept: Vec<String>,
}

/// Rows ranked by score (best first); trials without a model last.
pub fn ranked(rows: &[LedgerRow]) -> Vec<&LedgerRow> {
    let mut r: Vec<&LedgerRow> = rows.iter().collect();
    r.sort_by(|a, b| rank_order(a, b));
    r
}

/// The order of [`ranked`]: rows with a model first, then by score (higher first), then by
/// trial id.
pub fn rank_order(a: &LedgerRow, b: &LedgerRow) -> std::cmp::Ordering {
    b.has_model().cmp(&a.has_model()).then(b.score.total_cmp(&a.score)).then(a.trial.cmp(&b.trial))
}

/// Brings the ledger's checkpoint column in line with the folders kept, writes
/// `summary.json` and the plots, and returns the summary and the top-`top` table.
pub fn finish(dir: &Path, kept: &[String], epochs: usize, selection: Selection, top: usize) -> Result<(SweepSummary, String)> {
    let path = dir.join("ledger.csv");
    // Damaged lines and repeated trials were reported when the sweep read its ledger (on
    // resume); here they are only left out of the counts.
    let read = ledger::read_rows_checked::<LedgerRow>(&path)?;
    let (mut rows, _) = ledger::dedupe(read.rows);
    for r in &mut rows {
        r.checkpoint = if kept.contains(&r.trial) { format!("checkpoints/{}", r.trial) } else { String::new() };
    }
    // Never write back less than was there: a ledger with lines that could not be read keeps
    // them (and a stale checkpoint column) until someone repairs it.
    if read.skipped == 0 {
        ledger::rewrite(&path, &rows, &header_of::<LedgerRow>()?)?;
    } else {
        eprintln!(
            "warning: {} has {} unreadable lines: left as it is (its checkpoint column may be stale); repair them and run `alphasweep merge` or resume to refresh it",
            path.display(),
            read.skipped
        );
    }
    let mut by_status = BTreeMap::new();
    for r in &rows {
        *by_status.entry(r.status.clone()).or_insert(0) += 1;
    }
    let best = ranked(&rows).first().filter(|r| r.has_model()).map(|r| (*r).clone());
    let summary = SweepSummary {
        trials: rows.len(),
        by_status,
        epochs_run: rows.iter().map(|r| r.epochs_run).sum(),
        epochs_full: rows.len() * epochs,
        selection,
        best,
        kept: kept.to_vec(),
    };
    crate::artifacts::write_json(&dir.join("summary.json"), &summary)?;
    let curves: Vec<CurveRow> = ledger::read_rows(&dir.join("curves.csv"))?;
    plots(dir, &rows, &curves, selection)?;
    Ok((summary, table(&rows, top)))
}

/// The top trials as a text table.
pub fn table(rows: &[LedgerRow], top: usize) -> String {
    let mut out = format!(
        "{:>4}  {:<34} {:<13} {:>5} {:>9} {:>9} {:>9} {:>9} {:>8}  {}\n",
        "rank", "trial", "status", "epoch", "score", "valid_ic", "valid_ric", "test_ic", "seconds", "checkpoint"
    );
    for (i, r) in ranked(rows).iter().take(top).enumerate() {
        let _ = writeln!(
            out,
            "{:>4}  {:<34} {:<13} {:>5} {:>9.4} {:>9.4} {:>9.4} {:>9.4} {:>8.1}  {}",
            i + 1,
            r.trial,
            r.status,
            r.best_epoch,
            r.score,
            r.valid_ic,
            r.valid_rank_ic,
            r.test_ic,
            r.seconds,
            if r.checkpoint.is_empty() { "-" } else { &r.checkpoint }
        );
    }
    out
}

fn plots(dir: &Path, rows: &[LedgerRow], curves: &[CurveRow], selection: Selection) -> Result<()> {
    let scored: Vec<&LedgerRow> = rows.iter().filter(|r| r.score.is_finite()).collect();
    if scored.is_empty() {
        return Ok(());
    }
    type Get = fn(&LedgerRow) -> String;
    let axes: [(&str, Get); 7] = [
        ("mem_day", |r| r.mem_day.to_string()),
        ("lstm_layers", |r| r.lstm_layers.to_string()),
        ("dense_layers", |r| r.dense_layers.to_string()),
        ("units", |r| r.units.to_string()),
        ("lr", |r| format!("{}", r.lr)),
        ("batch_size", |r| r.batch_size.to_string()),
        ("dropout", |r| format!("{}", r.dropout)),
    ];
    let mut panels = vec![];
    for (name, get) in axes {
        let mut cats: Vec<String> = scored.iter().map(|r| get(r)).collect();
        cats.sort_by(|a, b| a.parse::<f64>().unwrap_or(0.0).total_cmp(&b.parse::<f64>().unwrap_or(0.0)));
        cats.dedup();
        if cats.len() < 2 && name != "mem_day" {
            continue;
        }
        let points = scored.iter().map(|r| (cats.iter().position(|c| *c == get(r)).unwrap_or(0), r.score)).collect();
        panels.push(Strip { title: name.into(), categories: cats, points });
    }
    let name = serde_json::to_value(selection).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
    let label = format!("{name} (higher is better)");
    xy::strips(
        &dir.join("score_by_param.png"),
        "Selection score by hyperparameter (dots: trials; bars: means)",
        &panels,
        &label,
    )?;
    let top: Vec<&LedgerRow> = ranked(rows).into_iter().filter(|r| r.has_model()).take(5).collect();
    let series: Vec<(String, Vec<(f64, f64)>)> = top
        .iter()
        .map(|r| {
            let pts = curves.iter().filter(|c| c.trial == r.trial).map(|c| (c.epoch as f64, c.valid_ic)).collect();
            (r.trial.clone(), pts)
        })
        .collect();
    xy::curves(&dir.join("curves_top.png"), "Valid IC by epoch, top trials", "epoch", "valid IC", &series)
}
