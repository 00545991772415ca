//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

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

/// The text of `path`, gunzipped when it is gzip (every member of a multi-member file).
pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
    } else {
        text = String::from_utf8(bytes).unwrap();
    }
    text
}

/// `(date, code) -> score` of a predictions file (`.csv` or `.csv.gz`), by its header.
pub fn scores(path: &Path) -> BTreeMap<(String, String), f64> {
    column(path, "score").into_iter().map(|(k, v)| (k, v.parse().unwrap())).collect()
}

/// `(date, code) -> ` the text of column `name` in a predictions file, by its header.
pub fn column(path: &Path, name: &str) -> BTreeMap<(String, String), String> {
    let text = read_text(path);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap_or_else(|| panic!("{}: no `{n}` column", path.display()));
    let (d, c, v) = (col("date"), col("code"), col(name));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            ((f[d].to_string(), f[c].to_string()), f[v].to_string())
        })
        .collect()
}

#[allow(unused_imports)]
pub use alphasweep::stats::{pearson, spearman};

/// Trials in a sweep folder's ledger (its rows; 0 before the file exists).
pub fn ledger_rows(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("ledger.csv")).map(|s| s.lines().skip(1).count()).unwrap_or(0)
}

/// Polls `dir`'s ledger every 10 ms until it holds more than `rows` trials; false if `child`
/// (the sweep writing it) exits first or `limit` passes.
pub fn wait_for_rows(child: &mut Child, dir: &Path, rows: usize, limit: Duration) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if ledger_rows(dir) > rows {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return ledger_rows(dir) > rows;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}
