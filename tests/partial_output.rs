//! A write that fails half-way leaves no partial output (issue 18, data loss): the command
//! runs with a file-size limit (`ulimit -f`, SIGXFSZ ignored, so a write past it fails with
//! EFBIG as on a full disk) and must fail without leaving the output file, or a temporary
//! one, behind. Before, `predictions.csv.gz` and factor tables were written in place and a
//! truncated gzip was left.

mod common;

use std::path::Path;
use std::process::Command;

use common::{alphasweep, stderr};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

/// Runs alphasweep with `args` under a file-size limit of `kib` KiB.
fn limited(kib: u32, args: &[&str]) -> std::process::Output {
    let bin = env!("CARGO_BIN_EXE_alphasweep");
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!("trap '' XFSZ; ulimit -f {}; exec '{bin}' {}", kib * 2, quoted.join(" "));
    Command::new("sh").args(["-c", &script]).output().expect("run sh")
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn failed_writes_leave_no_partial_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("s");
    let o =
        alphasweep(&["sweep", "--config", QUICK, "--set", "sweep.epochs=1", "--device", "cpu", "--out", sweep.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let out = dir.path().join("preds");
    std::fs::create_dir_all(&out).unwrap();
    let preds = out.join("p.csv.gz");
    let o = limited(4, &["predict", "--sweep", sweep.to_str().unwrap(), "--out", preds.to_str().unwrap(), "--device", "cpu"]);
    assert!(!o.status.success(), "predict under a 4 KiB file limit succeeded");
    assert!(entries(&out).is_empty(), "left behind: {:?}", entries(&out));
    // The same command without the limit writes the file.
    let o = alphasweep(&["predict", "--sweep", sweep.to_str().unwrap(), "--out", preds.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success() && preds.is_file(), "{}", stderr(&o));

    let fdir = dir.path().join("factors");
    std::fs::create_dir_all(&fdir).unwrap();
    let table = fdir.join("f.csv.gz");
    let o = limited(16, &["factors", "--config", QUICK, "--out", table.to_str().unwrap()]);
    assert!(!o.status.success(), "factors under a 16 KiB file limit succeeded");
    assert!(entries(&fdir).is_empty(), "left behind: {:?}", entries(&fdir));
}
