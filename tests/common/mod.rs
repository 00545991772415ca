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

/// Spearman rank correlation of paired finite values (average ranks for ties).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    fn ranks(x: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        let mut r = vec![0.0; x.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
                j += 1;
            }
            for k in i..=j {
                r[idx[k]] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    }
    pearson(&ranks(a), &ranks(b))
}

/// Pearson correlation.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}
