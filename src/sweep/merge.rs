//! `alphasweep merge`: joins shard folders (from `sweep --shard I/N`) into one: the union of
//! their ledgers and curves, the best K checkpoints over all shards copied over, and the
//! summary and plots as if one process had run the grid. Shards that lack trials (a task
//! still running, preempted, or never started) are refused unless `allow_incomplete`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::sweep::ledger::{self, CurveRow, LedgerRow, header_of};
use crate::sweep::meta::SweepMeta;
use crate::sweep::summary::ranked;

/// Trial ids printed per incomplete shard before the rest are only counted.
const LIST_MISSING: usize = 20;

/// What a merge found.
pub struct Merged {
    pub meta: SweepMeta,
    pub trials: usize,
    /// Trial ids found in more than one shard (the first shard's row is kept).
    pub duplicates: Vec<String>,
    pub kept: Vec<String>,
    /// What was missing when merged with `allow_incomplete` (empty when complete).
    pub gaps: Vec<Gap>,
}

/// Trials of the grid that are in no shard's ledger: those of one shard folder, or those of
/// shards that no folder given holds (`dir` None).
#[derive(Clone, Debug)]
pub struct Gap {
    pub dir: Option<PathBuf>,
    pub shard: Option<String>,
    pub expected: usize,
    pub missing: Vec<String>,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids = self.missing.iter().take(LIST_MISSING).cloned().collect::<Vec<_>>().join(", ");
        let more = self.missing.len().saturating_sub(LIST_MISSING);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        match &self.dir {
            Some(d) => write!(
                f,
                "{} (shard {}): {} of {} trials missing: {ids}{more}",
                d.display(),
                self.shard.as_deref().unwrap_or("-"),
                self.missing.len(),
                self.expected
            ),
            None => write!(f, "no shard folder given holds {} trials of the grid: {ids}{more}", self.missing.len()),
        }
    }
}

/// The trial ids a folder's `sweep.json` says it runs (its shard of the recorded grid).
pub fn expected_trials(dir: &Path, meta: &SweepMeta) -> Result<Vec<String>> {
    meta.shard_ids().ok_or_else(|| {
        Error::format(
            dir.join("sweep.json").display(),
            "it does not list the grid's trials (written by an older alphasweep): merge with --allow-incomplete",
        )
    })
}

/// Merges `shards` into `out` (created; it must not hold a ledger already). Refuses, naming
/// the missing trials, when a shard's ledger lacks trials of its part of the grid or when
/// the folders do not cover the grid, unless `allow_incomplete`.
pub fn merge(out: &Path, shards: &[PathBuf], allow_incomplete: bool) -> Result<Merged> {
    if shards.is_empty() {
        return Err(Error::Invalid("merge: name at least one shard folder".into()));
    }
    if out.join("ledger.csv").exists() {
        return Err(Error::Invalid(format!("merge: {} already has a ledger.csv; choose an empty --out", out.display())));
    }
    let mut meta: Option<SweepMeta> = None;
    let (mut rows, mut curves, mut seen, mut duplicates) = (vec![], vec![], HashSet::new(), vec![]);
    let mut origin: Vec<(String, PathBuf)> = vec![];
    let (mut gaps, mut covered, mut grid_ids) = (vec![], HashSet::new(), vec![]);
    for dir in shards {
        let m = SweepMeta::read(dir)?
            .ok_or_else(|| Error::Invalid(format!("merge: {} has no sweep.json (not a sweep folder)", dir.display())))?;
        if let Some(first) = &meta
            && (first.grid_trials != m.grid_trials || first.epochs != m.epochs || first.selection != m.selection)
        {
            return Err(Error::Invalid(format!(
                "merge: {} comes from a different sweep (grid {}, epochs {}, {:?}) than the first shard (grid {}, epochs {}, {:?})",
                dir.display(),
                m.grid_trials,
                m.epochs,
                m.selection,
                first.grid_trials,
                first.epochs,
                first.selection
            )));
        }
        if let Some(first) = &meta
            && let (Some(a), Some(b)) = (&first.fingerprint, &m.fingerprint)
        {
            // Shards may run on machines with their own builds and paths: only what changes
            // results (config, grid, data) must agree.
            let changes = b.changes_from(a, true);
            if !changes.refused.is_empty() {
                return Err(Error::Invalid(format!(
                    "merge: {} trained on other inputs than the first shard: {}",
                    dir.display(),
                    changes.refused.join("; ")
                )));
            }
        }
        // Folders from before sweep.json listed the grid can only be merged unchecked.
        let known = |r: Result<Vec<String>>| match r {
            Err(_) if allow_incomplete => Ok(vec![]),
            r => r,
        };
        let expected = known(expected_trials(dir, &m))?;
        if meta.is_none() {
            grid_ids = known(expected_trials(dir, &SweepMeta { shard: None, ..m.clone() }))?;
        }
        let shard_rows: Vec<LedgerRow> = ledger::read_rows(&dir.join("ledger.csv"))?;
        let done: HashSet<&str> = shard_rows.iter().map(|r| r.trial.as_str()).collect();
        let missing: Vec<String> = expected.iter().filter(|id| !done.contains(id.as_str())).cloned().collect();
        if !missing.is_empty() {
            gaps.push(Gap { dir: Some(dir.clone()), shard: m.shard.clone(), expected: expected.len(), missing });
        }
        covered.extend(expected);
        meta.get_or_insert(m);
        let shard_curves: Vec<CurveRow> = ledger::read_rows(&dir.join("curves.csv"))?;
        let mut taken = HashSet::new();
        for r in shard_rows {
            if seen.insert(r.trial.clone()) {
                taken.insert(r.trial.clone());
                origin.push((r.trial.clone(), dir.clone()));
                rows.push(r);
            } else {
                duplicates.push(r.trial.clone());
            }
        }
        curves.extend(shard_curves.into_iter().filter(|c| taken.contains(&c.trial)));
    }
    let uncovered: Vec<String> = grid_ids.into_iter().filter(|id| !covered.contains(id)).collect();
    if !uncovered.is_empty() {
        gaps.push(Gap { dir: None, shard: None, expected: uncovered.len(), missing: uncovered });
    }
    if !gaps.is_empty() && !allow_incomplete {
        let lines: Vec<String> = gaps.iter().map(|g| format!("  {g}")).collect();
        return Err(Error::Invalid(format!(
            "merge: the shards are incomplete; finish them (`alphasweep sweep ... --shard I/N --resume` into the same \
             folder), or pass --allow-incomplete to merge what is there:\n{}",
            lines.join("\n")
        )));
    }
    let Some(mut meta) = meta else { return Err(Error::Invalid("merge: name at least one shard folder".into())) };
    std::fs::create_dir_all(out.join("checkpoints")).map_err(|e| Error::io(out, e))?;
    let mut kept = vec![];
    for r in ranked(&rows) {
        if kept.len() >= meta.keep || !r.has_model() {
            break;
        }
        let src = origin.iter().find(|o| o.0 == r.trial).map(|o| o.1.join("checkpoints").join(&r.trial));
        if let Some(src) = src.filter(|s| s.join("config.json").is_file()) {
            copy_dir(&src, &out.join("checkpoints").join(&r.trial))?;
            kept.push(r.trial.clone());
        }
    }
    ledger::rewrite(&out.join("ledger.csv"), &rows, &header_of::<LedgerRow>()?)?;
    ledger::rewrite(&out.join("curves.csv"), &curves, &header_of::<CurveRow>()?)?;
    meta.shard = None;
    meta.shard_trials = rows.len();
    meta.command = std::env::args().collect::<Vec<_>>().join(" ");
    meta.write(out)?;
    Ok(Merged { meta, trials: rows.len(), duplicates, kept, gaps })
}

fn copy_dir(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst).map_err(|e| Error::io(dst, e))?;
    for entry in std::fs::read_dir(src).map_err(|e| Error::io(src, e))?.flatten() {
        let to = dst.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to)?;
        } else {
            std::fs::copy(entry.path(), &to).map_err(|e| Error::io(&to, e))?;
        }
    }
    Ok(())
}
