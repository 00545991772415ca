//! Stage-level resume for `alphasweep run`: `stages.json` in the run folder records, per
//! finished stage, a stamp of everything the stage read (the options that bear on it, the
//! stamps of the stages before it, the data sources' file sizes and modification times, the
//! checkpoints it used). `run --resume` skips a stage whose stamp is unchanged and whose
//! outputs are all there, and reruns it (and, through the stamps, every stage after it)
//! otherwise. A run without `--resume` starts the record afresh.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One finished stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    pub stamp: String,
    /// What the stage decided that later stages need when it is skipped (the screen's
    /// factor list).
    #[serde(default)]
    pub factors: Vec<String>,
    /// Wall seconds the stage took when it last ran (a skipped stage keeps its old time).
    #[serde(default)]
    pub seconds: f64,
}

/// The run folder's stage record.
pub struct Stages {
    path: PathBuf,
    resume: bool,
    done: BTreeMap<String, StageRecord>,
    /// A stage of this run has rerun: every later one reruns too.
    rerun: bool,
}

impl Stages {
    /// Reads `out/stages.json` when resuming (a missing or unreadable one: nothing is
    /// skipped); starts empty otherwise.
    pub fn open(out: &Path, resume: bool) -> Stages {
        let path = out.join("stages.json");
        let done = if resume { crate::artifacts::read_json(&path).unwrap_or_default() } else { BTreeMap::new() };
        Stages { path, resume, done, rerun: false }
    }

    /// Runs one stage, or skips it. When [`Stages::unchanged`] holds, says so on stderr and
    /// returns the recorded factor list. Otherwise forgets the old record, runs `work`, and
    /// records its result under `stamp`; `work` returns `None` when the stage stopped early
    /// (an interrupted sweep), which is not recorded. Stages are run in their order.
    pub fn run(
        &mut self,
        stage: &str,
        stamp: &str,
        outputs: &[PathBuf],
        work: impl FnOnce() -> Result<Option<Vec<String>>>,
    ) -> Result<Option<Vec<String>>> {
        if let Some(rec) = self.unchanged(stage, stamp, outputs) {
            eprintln!("unchanged since the last run (inputs, options and outputs as recorded in stages.json): skipped");
            return Ok(Some(rec.factors.clone()));
        }
        self.start(stage)?;
        let began = std::time::Instant::now();
        let done = work()?;
        if let Some(factors) = &done {
            let seconds = began.elapsed().as_secs_f64();
            self.finish(stage, StageRecord { stamp: stamp.to_string(), factors: factors.clone(), seconds })?;
        }
        Ok(done)
    }

    /// Records the time of work that is redone on every run and never skipped (loading the
    /// data): a record with an empty stamp (a stage's stamp never is one).
    pub fn record_time(&mut self, stage: &str, seconds: f64) -> Result<()> {
        self.finish(stage, StageRecord { seconds, ..StageRecord::default() })
    }

    /// One line: each recorded stage's seconds, in `order`, and their sum.
    pub fn times(&self, order: &[&str]) -> String {
        let parts: Vec<String> =
            order.iter().filter_map(|s| self.done.get(*s).map(|r| format!("{s} {:.1}", r.seconds))).collect();
        let total: f64 = order.iter().filter_map(|s| self.done.get(*s)).map(|r| r.seconds).sum();
        format!("stage seconds (stages.json; a skipped stage shows its last run): {}; total {total:.1}", parts.join(", "))
    }

    /// The stage's record when it can be skipped: resuming, no earlier stage rerun, the same
    /// stamp, every output present. Stages are asked in their order.
    pub fn unchanged(&self, stage: &str, stamp: &str, outputs: &[PathBuf]) -> Option<&StageRecord> {
        let rec = self.done.get(stage)?;
        (self.resume && !self.rerun && rec.stamp == stamp && outputs.iter().all(|p| p.exists())).then_some(rec)
    }

    /// Records a finished stage (written at once: a later crash keeps it).
    fn finish(&mut self, stage: &str, record: StageRecord) -> Result<()> {
        self.done.insert(stage.to_string(), record);
        crate::artifacts::write_json(&self.path, &self.done)
    }

    /// Forgets a stage (about to rerun), so a crash mid-stage cannot leave a stale record.
    fn start(&mut self, stage: &str) -> Result<()> {
        self.rerun = true;
        if self.done.remove(stage).is_some() {
            crate::artifacts::write_json(&self.path, &self.done)?;
        }
        Ok(())
    }
}

/// CRC-32 of the parts, in order (each ended by a NUL), as hex.
pub fn stamp<S: AsRef<str>>(parts: &[S]) -> String {
    let mut h = crc32fast::Hasher::new();
    for p in parts {
        h.update(p.as_ref().as_bytes());
        h.update(&[0]);
    }
    format!("{:08x}", h.finalize())
}

/// A stamp of files as found on disk: every file under each path (a folder is walked),
/// with its size and modification time. A changed, added or removed file changes it.
pub fn files_stamp(paths: &[PathBuf]) -> Result<String> {
    let mut lines = Vec::new();
    let mut todo: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = todo.pop() {
        let meta = std::fs::metadata(&p).map_err(|e| Error::io(&p, e))?;
        if meta.is_dir() {
            for e in std::fs::read_dir(&p).map_err(|e| Error::io(&p, e))? {
                todo.push(e.map_err(|e| Error::io(&p, e))?.path());
            }
        } else {
            let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            lines.push(format!("{}\t{}\t{}", p.display(), meta.len(), modified.map_or(0, |d| d.as_nanos())));
        }
    }
    lines.sort();
    Ok(stamp(&lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_is_skipped_only_when_resuming_unchanged_with_its_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("factors.csv.gz");
        std::fs::write(&out, "x").unwrap();
        let mut s = Stages::open(dir.path(), false);
        s.finish("factors", StageRecord { stamp: "a".into(), ..StageRecord::default() }).unwrap();
        let s = Stages::open(dir.path(), true);
        assert!(s.unchanged("factors", "a", std::slice::from_ref(&out)).is_some());
        assert!(s.unchanged("factors", "b", std::slice::from_ref(&out)).is_none());
        assert!(s.unchanged("screen", "a", &[]).is_none());
        let mut after = Stages::open(dir.path(), true);
        after.start("data").unwrap();
        assert!(after.unchanged("factors", "a", std::slice::from_ref(&out)).is_none(), "a stage after a rerun one reruns");
        std::fs::remove_file(&out).unwrap();
        assert!(s.unchanged("factors", "a", &[out]).is_none());
        assert!(Stages::open(dir.path(), false).unchanged("factors", "a", &[]).is_none());
    }

    #[test]
    fn run_skips_or_runs_and_records() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Stages::open(dir.path(), false);
        let chosen = s.run("screen", "a", &[], || Ok(Some(vec!["F1".into()]))).unwrap();
        assert_eq!(chosen, Some(vec!["F1".to_string()]));
        assert_eq!(s.run("sweep", "b", &[], || Ok(None)).unwrap(), None, "an interrupted stage");
        let mut again = Stages::open(dir.path(), true);
        let skipped = again.run("screen", "a", &[], || panic!("an unchanged stage does not run")).unwrap();
        assert_eq!(skipped, Some(vec!["F1".to_string()]));
        assert_eq!(again.run("sweep", "b", &[], || Ok(Some(vec![]))).unwrap(), Some(vec![]), "not recorded: it reruns");
        again.record_time("data", 2.5).unwrap();
        let line = Stages::open(dir.path(), true).times(&["data", "screen", "sweep"]);
        assert!(line.contains("data 2.5") && line.contains("screen ") && line.contains("sweep "), "{line}");
    }

    #[test]
    fn files_stamp_moves_with_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "1").unwrap();
        let one = files_stamp(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(one, files_stamp(&[dir.path().to_path_buf()]).unwrap());
        std::fs::write(dir.path().join("a.csv"), "12").unwrap();
        assert_ne!(one, files_stamp(&[dir.path().to_path_buf()]).unwrap());
    }
}
