//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The real data folder (`../shared/data`). `ALPHASWEEP_SHARED_DATA` names it; when that is
/// set and the folder is missing, the test fails. When unset, `<repo>/../shared/data` is used
/// if it exists, else `None` (the caller skips, saying so).
pub fn shared_data() -> Option<PathBuf> {
    match std::env::var_os("ALPHASWEEP_SHARED_DATA") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(p.join("README.md").is_file(), "ALPHASWEEP_SHARED_DATA={} has no README.md: real data missing", p.display());
            Some(p)
        }
        None => {
            let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
            if p.join("README.md").is_file() {
                Some(p)
            } else {
                eprintln!("SKIPPED: real data not found (set ALPHASWEEP_SHARED_DATA)");
                None
            }
        }
    }
}

/// Runs the `alphasweep` binary with `args`.
pub fn alphasweep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alphasweep")).args(args).output().expect("run alphasweep")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[allow(unused_imports)]
pub use alphasweep::stats::{pearson, spearman};
