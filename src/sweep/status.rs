//! `alphasweep status`: where a sweep stands, read from its folders alone (`sweep.json`,
//! `ledger.csv`, `curves.csv`), safely while sweeps are writing them: a half-written last
//! line is skipped, and a damaged line or file is reported in `problems`, never a panic.
//! A trial with curve rows but no ledger row is running (or was, if its shard stopped).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::sweep::ledger::{self, CurveRow, LedgerRow};
use crate::sweep::meta::SweepMeta;
use crate::sweep::summary::ranked;

/// Trials by outcome. `finished` = ledger rows; `running` = curve rows but no ledger row.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub expected: usize,
    pub finished: usize,
    /// Trained all epochs.
    pub done: usize,
    /// Stopped by patience or pruned by ASHA (they still have a model).
    pub stopped_early: usize,
    pub diverged: usize,
    pub failed: usize,
    pub running: usize,
    /// Not started (or started, still in its first epoch).
    pub pending: usize,
}

/// The best trial so far (highest selection score).
#[derive(Clone, Debug, Serialize)]
pub struct BestTrial {
    pub trial: String,
    pub dir: String,
    pub score: f64,
    pub best_epoch: usize,
    pub valid_ic: f64,
    pub test_ic: f64,
}

/// One sweep or shard folder.
#[derive(Clone, Debug, Serialize)]
pub struct ShardStatus {
    pub dir: String,
    /// `I/N`, or None for an unsharded sweep.
    pub shard: Option<String>,
    /// finished | running | stopped (incomplete, no write for `stale` seconds) | missing
    pub state: String,
    pub counts: Counts,
    /// Trials with curve rows and no ledger row, with the epochs recorded so far.
    pub running: Vec<(String, usize)>,
    /// Epochs per trial (the sweep's setting).
    pub epochs: usize,
    /// Epochs trained by the finished trials, and epochs early stopping / ASHA saved them.
    pub epochs_run: usize,
    pub epochs_saved: usize,
    /// Mean wall time of a finished trial (s; on the GPU engine a pack's wall time).
    pub trial_seconds: Option<f64>,
    /// Estimated trials per hour now: trials in flight / mean trial time (running shards).
    pub trials_per_hour: Option<f64>,
    /// Seconds to finish this shard at that rate.
    pub eta_seconds: Option<f64>,
    /// Seconds since the folder's files were last written.
    pub idle_seconds: Option<f64>,
    pub best: Option<BestTrial>,
    pub problems: Vec<String>,
}

/// Several folders of one sweep (or one folder), added up.
#[derive(Clone, Debug, Serialize)]
pub struct SweepStatus {
    /// Trials in the whole grid, from `sweep.json`.
    pub grid_trials: usize,
    pub selection: String,
    pub shards: Vec<ShardStatus>,
    pub total: Counts,
    pub epochs_run: usize,
    pub epochs_saved: usize,
    pub trials_per_hour: Option<f64>,
    pub eta_seconds: Option<f64>,
    pub best: Option<BestTrial>,
    /// Problems not tied to one folder (a folder that is not a sweep, mixed sweeps).
    pub problems: Vec<String>,
}

/// Reads `dirs`: each a sweep or shard folder, or a folder holding shard folders (such as
/// the OUT of `scripts/slurm-sweep.sh`). A shard is running if a file was written within
/// `stale`. Fails only when no folder is a sweep folder.
pub fn read(dirs: &[PathBuf], stale: Duration) -> Result<SweepStatus> {
    let mut problems = vec![];
    let mut found: Vec<(PathBuf, SweepMeta)> = vec![];
    let mut seen = HashSet::new();
    for d in dirs {
        let list = folders(d, &mut problems);
        if list.is_empty() && d.is_dir() {
            problems.push(format!("{}: not a sweep folder and holds none (no readable sweep.json)", d.display()));
        }
        // A folder named twice (`OUT` and `OUT/shard-0`) counts once.
        found.extend(list.into_iter().filter(|(p, _)| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))));
    }
    let Some(first) = found.first().map(|f| f.1.clone()) else {
        return Err(Error::Invalid(format!("status: no sweep folder found: {}", problems.join("; "))));
    };
    let mut shards = vec![];
    for (dir, meta) in &found {
        if meta.grid_trials != first.grid_trials || meta.epochs != first.epochs {
            problems.push(format!(
                "{}: from a different sweep (grid {}, epochs {}) than {}",
                dir.display(),
                meta.grid_trials,
                meta.epochs,
                found[0].0.display()
            ));
        }
        shards.push(read_shard(dir, meta, stale));
    }
    shards.extend(missing_shards(&found, first.grid_trials, first.epochs));
    let mut total = Counts::default();
    for s in &shards {
        add(&mut total, &s.counts);
    }
    let unfinished = total.expected.saturating_sub(total.finished);
    let rate: f64 = shards.iter().filter_map(|s| s.trials_per_hour).sum();
    let best = shards.iter().filter_map(|s| s.best.clone()).max_by(|a, b| a.score.total_cmp(&b.score));
    Ok(SweepStatus {
        grid_trials: first.grid_trials,
        selection: serde_json::to_value(first.selection).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
        epochs_run: shards.iter().map(|s| s.epochs_run).sum(),
        epochs_saved: shards.iter().map(|s| s.epochs_saved).sum(),
        trials_per_hour: (rate > 0.0).then_some(rate),
        eta_seconds: (rate > 0.0).then(|| unfinished as f64 / rate * 3600.0),
        total,
        best,
        shards,
        problems,
    })
}

/// Trials per hour actually finished between two readings `seconds` apart (for `--watch`).
pub fn measured_rate(before: &SweepStatus, now: &SweepStatus, seconds: f64) -> Option<f64> {
    (seconds > 0.0).then(|| now.total.finished.saturating_sub(before.total.finished) as f64 / seconds * 3600.0)
}

/// The sweep folders of `d`: itself if it has `sweep.json`, else its subfolders that have
/// one (only the sharded ones if there are any, so `OUT/merged` is not counted twice). An
/// unreadable `sweep.json` (damaged, or being rewritten this instant) goes to `problems`.
fn folders(d: &Path, problems: &mut Vec<String>) -> Vec<(PathBuf, SweepMeta)> {
    let mut meta = |dir: &Path| {
        SweepMeta::read(dir).unwrap_or_else(|e| {
            problems.push(e.to_string());
            None
        })
    };
    if let Some(m) = meta(d) {
        return vec![(d.to_path_buf(), m)];
    }
    let entries = match std::fs::read_dir(d) {
        Ok(it) => it,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.push(format!("{}: no such folder", d.display()));
            return vec![];
        }
        Err(e) => {
            problems.push(format!("{}: {e}", d.display()));
            return vec![];
        }
    };
    let mut subs: Vec<(PathBuf, SweepMeta)> =
        entries.flatten().filter(|e| e.path().is_dir()).filter_map(|e| Some((e.path(), meta(&e.path())?))).collect();
    if subs.iter().any(|s| s.1.shard.is_some()) {
        subs.retain(|s| s.1.shard.is_some());
    }
    subs.sort_by_key(|(p, m)| (shard_index(m).unwrap_or(usize::MAX), p.clone()));
    subs
}

fn shard_index(m: &SweepMeta) -> Option<usize> {
    m.shard.as_deref().and_then(|s| s.parse::<crate::sweep::Shard>().ok()).map(|s| s.index)
}

/// Placeholders for shards `I/N` that none of the folders is (not started, or not named).
fn missing_shards(found: &[(PathBuf, SweepMeta)], grid: usize, epochs: usize) -> Vec<ShardStatus> {
    let parsed: Vec<crate::sweep::Shard> = found.iter().filter_map(|f| f.1.shard.as_deref()?.parse().ok()).collect();
    let Some(n) = parsed.first().map(|s| s.count) else { return vec![] };
    let seen: HashSet<usize> = parsed.iter().filter(|s| s.count == n).map(|s| s.index).collect();
    (0..n)
        .filter(|i| !seen.contains(i))
        .map(|i| {
            let expected = (grid + n - 1 - i) / n;
            ShardStatus {
                dir: String::new(),
                shard: Some(format!("{i}/{n}")),
                state: "missing".into(),
                counts: Counts { expected, pending: expected, ..Counts::default() },
                running: vec![],
                epochs,
                epochs_run: 0,
                epochs_saved: 0,
                trial_seconds: None,
                trials_per_hour: None,
                eta_seconds: None,
                idle_seconds: None,
                best: None,
                problems: vec![format!("shard {i}/{n}: no folder (not started yet, or not named)")],
            }
        })
        .collect()
}

fn read_shard(dir: &Path, meta: &SweepMeta, stale: Duration) -> ShardStatus {
    let mut problems = vec![];
    let rows: Vec<LedgerRow> = read_lenient(&dir.join("ledger.csv"), &mut problems);
    let curves: Vec<CurveRow> = read_lenient(&dir.join("curves.csv"), &mut problems);
    let mut seen = HashSet::new();
    let mut c = Counts { expected: meta.shard_trials, ..Counts::default() };
    for r in &rows {
        if !seen.insert(r.trial.as_str()) {
            problems.push(format!("{}: trial {} appears twice", dir.join("ledger.csv").display(), r.trial));
            continue;
        }
        c.finished += 1;
        match r.status.as_str() {
            "done" => c.done += 1,
            "stopped_early" | "pruned" => c.stopped_early += 1,
            "diverged" => c.diverged += 1,
            _ => c.failed += 1,
        }
    }
    let mut running: BTreeMap<String, usize> = BTreeMap::new();
    for r in curves.iter().filter(|r| !seen.contains(r.trial.as_str())) {
        let e = running.entry(r.trial.clone()).or_default();
        *e = (*e).max(r.epoch);
    }
    c.running = running.len();
    c.pending = c.expected.saturating_sub(c.finished + c.running);
    let idle = ["ledger.csv", "curves.csv", "sweep.json"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).and_then(|m| m.modified()).ok())
        .max()
        .map(|t| SystemTime::now().duration_since(t).unwrap_or_default().as_secs_f64());
    let state = if c.finished >= c.expected {
        "finished"
    } else if idle.is_some_and(|s| s <= stale.as_secs_f64()) {
        "running"
    } else {
        "stopped"
    };
    let timed: Vec<f64> = rows.iter().map(|r| r.seconds).filter(|s| s.is_finite() && *s > 0.0).collect();
    let trial_seconds = (!timed.is_empty()).then(|| timed.iter().sum::<f64>() / timed.len() as f64);
    let rate = match (state, trial_seconds) {
        ("running", Some(s)) => Some(c.running.max(1) as f64 * 3600.0 / s),
        _ => None,
    };
    let epochs_run: usize = rows.iter().map(|r| r.epochs_run).sum();
    let best = ranked(&rows).first().filter(|r| r.has_model()).map(|r| BestTrial {
        trial: r.trial.clone(),
        dir: dir.display().to_string(),
        score: r.score,
        best_epoch: r.best_epoch,
        valid_ic: r.valid_ic,
        test_ic: r.test_ic,
    });
    ShardStatus {
        dir: dir.display().to_string(),
        shard: meta.shard.clone(),
        state: state.into(),
        eta_seconds: rate.map(|r| c.expected.saturating_sub(c.finished) as f64 / r * 3600.0),
        counts: c,
        running: running.into_iter().collect(),
        epochs: meta.epochs,
        epochs_run,
        epochs_saved: (seen.len() * meta.epochs).saturating_sub(epochs_run),
        trial_seconds,
        trials_per_hour: rate,
        idle_seconds: idle,
        best,
        problems,
    }
}

fn add(t: &mut Counts, c: &Counts) {
    t.expected += c.expected;
    t.finished += c.finished;
    t.done += c.done;
    t.stopped_early += c.stopped_early;
    t.diverged += c.diverged;
    t.failed += c.failed;
    t.running += c.running;
    t.pending += c.pending;
}

/// The complete rows of a CSV that may be being appended to (`ledger::read_rows_checked`):
/// what it skips, or a file it cannot read, goes to `problems` as `file:line: why`.
pub fn read_lenient<T: DeserializeOwned>(path: &Path, problems: &mut Vec<String>) -> Vec<T> {
    match ledger::read_rows_checked(path) {
        Ok(r) => {
            problems.extend(r.problems);
            r.rows
        }
        Err(e) => {
            problems.push(e.to_string());
            vec![]
        }
    }
}
