//! `alphasweep merge`: joins shard folders (from `sweep --shard I/N`) into one: the union of
//! their ledgers and curves, the best K checkpoints over all shards copied over, and the
//! summary and plots as if one process had run the grid.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::sweep::ledger::{self, CurveRow, LedgerRow, header_of};
use crate::sweep::meta::SweepMeta;
use crate::sweep::summary::ranked;

/// What a merge found.
pub struct Merged {
    pub meta: SweepMeta,
    pub trials: usize,
    /// Trial ids found in more than one shard (the first shard's row is kept).
    pub duplicates: Vec<String>,
    pub kept: Vec<String>,
}

/// Merges `shards` into `out` (created; it must not hold a ledger already).
pub fn merge(out: &Path, shards: &[PathBuf]) -> Result<Merged> {
    if shards.is_empty() {
        return Err(Error::Invalid("merge: name at least one shard folder".into()));
    }
    if out.join("ledger.csv").exists() {
        return Err(Error::Invalid(format!("merge: {} already has a ledger.csv; choose an empty --out", out.display())));
    }
    let mut meta: Option<SweepMeta> = None;
    let (mut rows, mut curves, mut seen, mut duplicates) = (vec![], vec![], HashSet::new(), vec![]);
    let mut origin: Vec<(String, PathBuf)> = vec![];
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
        meta.get_or_insert(m);
        let shard_rows: Vec<LedgerRow> = ledger::read_rows(&dir.join("ledger.csv"))?;
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
    let mut meta = meta.expect("at least one shard");
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
    Ok(Merged { meta, trials: rows.len(), duplicates, kept })
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
