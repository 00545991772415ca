//! The best-K checkpoints: `checkpoints/<trial id>/` for the K trials with the highest
//! selection score so far. A trial that enters the set is saved (to a temporary folder,
//! then renamed) and the trial it pushes out is deleted, so the folder never holds more
//! than K (plus the ones being written).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The kept set, by score (higher is better).
pub struct BestSet {
    dir: PathBuf,
    keep: usize,
    /// (score, trial id), best first.
    kept: Vec<(f64, String)>,
}

/// What admitting a trial decided.
pub struct Admission {
    /// Folder to save the trial's checkpoint into, relative to the sweep folder.
    pub checkpoint: String,
    /// Trial pushed out of the set (its folder is deleted by `commit`).
    pub evicted: Option<String>,
}

impl BestSet {
    /// The set in `sweep_dir/checkpoints`, starting from earlier trials `(score, id)` whose
    /// folders exist; other folders there (crash leftovers, pushed-out trials) are removed.
    pub fn open(sweep_dir: &Path, keep: usize, earlier: &[(f64, String)]) -> Result<BestSet> {
        let dir = sweep_dir.join("checkpoints");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut kept: Vec<(f64, String)> =
            earlier.iter().filter(|(s, id)| s.is_finite() && dir.join(id).join("config.json").is_file()).cloned().collect();
        kept.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        kept.truncate(keep);
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !kept.iter().any(|(_, id)| *id == name) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        Ok(BestSet { dir, keep, kept })
    }

    /// Whether a trial with `score` would enter the set now.
    pub fn qualifies(&self, score: f64) -> bool {
        score.is_finite() && self.keep > 0 && (self.kept.len() < self.keep || self.kept.last().is_some_and(|w| score > w.0))
    }

    /// Saves a qualifying trial with `save(tmp_dir)`, renames it into place and deletes the
    /// trial it pushes out. Returns None when the trial does not qualify.
    pub fn admit(&mut self, id: &str, score: f64, save: impl FnOnce(&Path) -> Result<()>) -> Result<Option<Admission>> {
        if !self.qualifies(score) {
            return Ok(None);
        }
        let tmp = self.dir.join(format!(".tmp-{id}"));
        let _ = std::fs::remove_dir_all(&tmp);
        save(&tmp)?;
        let dest = self.dir.join(id);
        let _ = std::fs::remove_dir_all(&dest);
        std::fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
        self.kept.retain(|(_, k)| k != id);
        self.kept.push((score, id.to_string()));
        self.kept.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let evicted = (self.kept.len() > self.keep).then(|| self.kept.pop().map(|(_, id)| id)).flatten();
        if let Some(e) = &evicted {
            let _ = std::fs::remove_dir_all(self.dir.join(e));
        }
        Ok(Some(Admission { checkpoint: format!("checkpoints/{id}"), evicted }))
    }

    /// Trial ids kept, best first.
    pub fn ids(&self) -> Vec<String> {
        self.kept.iter().map(|(_, id)| id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_k_and_deletes_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let mut best = BestSet::open(tmp.path(), 2, &[]).unwrap();
        let save = |d: &Path| {
            std::fs::create_dir_all(d).and_then(|_| std::fs::write(d.join("config.json"), "{}")).map_err(|e| Error::io(d, e))
        };
        for (id, s) in [("a", 0.1), ("b", 0.3), ("c", 0.2), ("d", 0.05), ("e", f64::NAN)] {
            best.admit(id, s, save).unwrap();
        }
        assert_eq!(best.ids(), vec!["b", "c"]);
        let mut on_disk: Vec<String> = std::fs::read_dir(tmp.path().join("checkpoints"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        on_disk.sort();
        assert_eq!(on_disk, vec!["b", "c"]);
        // Reopening with the ledger's scores keeps them; a stray folder is removed.
        std::fs::create_dir_all(tmp.path().join("checkpoints/.tmp-x")).unwrap();
        let again = BestSet::open(tmp.path(), 2, &[(0.3, "b".into()), (0.2, "c".into()), (0.1, "a".into())]).unwrap();
        assert_eq!(again.ids(), vec!["b", "c"]);
        assert!(!tmp.path().join("checkpoints/.tmp-x").exists());
    }
}
