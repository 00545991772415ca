//! The sweep folder itself: the lock that keeps two processes from writing one ledger, and
//! the checkpoint folders it keeps.

use std::path::Path;

use crate::error::{Error, Result};

/// Holds `.lock` in a sweep (or run) folder for the process's lifetime, so two processes
/// never write the same ledger or run folder (the OS releases it when the process ends, even
/// when killed). `what` names the holder in the refusal (`sweep`, `run`).
pub fn lock(dir: &Path, what: &str) -> Result<std::fs::File> {
    let path = dir.join(".lock");
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| Error::io(&path, e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Invalid(format!(
            "{} is in use by another running {what} (it holds {}); wait for it or choose another --out",
            dir.display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// Ids of the checkpoint folders present in the sweep folder, sorted.
pub fn kept_checkpoints(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir.join("checkpoints"))
        .map(|it| {
            it.flatten()
                .filter(|e| e.path().join("config.json").is_file() && !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}
