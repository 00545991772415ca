//! Twenty SIGKILLs during a sweep whose trials last about a second or more, each followed by
//! `--resume`, end with the same ledger (every column but the wall-clock `seconds`), the same
//! kept checkpoints and the same training curves as the sweep run once without a kill.
//!
//! The kill moments are timed against this machine's own sweep, so a faster or slower runner
//! still kills mid-sweep: every other kill lands at a random moment of start-up (loading, data
//! set, first trial), the rest at a random moment of the trial after the one that has just
//! finished. The random fractions come from a fixed seed.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alphasweep::rng::Rng;
use common::{alphasweep, ledger_rows, stderr, wait_for_rows};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

/// 30 trials of wide layers on small batches, two at a time (as on a 2-core runner, whatever
/// the machine's cores): about a second each here.
const ARGS: [&str; 18] = [
    "--jobs",
    "2",
    "--set",
    "synth.stocks=50",
    "--set",
    "synth.end=2018-06-30",
    "--set",
    "sweep.epochs=3",
    "--set",
    "train.batch_size=64",
    "--set",
    "sweep.units=[48,64,80,96,112]",
    "--set",
    "sweep.mem_days=[5,10,15]",
    "--set",
    "sweep.lstm_layers=[1,2]",
    "--set",
    "sweep.keep=3",
];

fn args(out: &Path) -> Vec<String> {
    let mut a: Vec<String> =
        ["sweep", "--config", QUICK, "--out", out.to_str().unwrap(), "--device", "cpu"].map(String::from).into();
    a.extend(ARGS.map(String::from));
    a
}

/// Rows of a CSV by their first `key_cols` columns, without the `seconds` column.
fn rows(path: &Path, key_cols: usize) -> BTreeMap<Vec<String>, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let seconds = header.iter().position(|h| *h == "seconds");
    let mut out = BTreeMap::new();
    for l in lines {
        let f: Vec<String> = l.split(',').map(String::from).collect();
        let kept: Vec<String> = f.iter().enumerate().filter(|(i, _)| Some(*i) != seconds).map(|(_, v)| v.clone()).collect();
        assert!(out.insert(f[..key_cols].to_vec(), kept).is_none(), "{}: a repeated row {l}", path.display());
    }
    out
}

fn checkpoints(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir.join("checkpoints")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    v.sort();
    v
}

/// Starts a sweep; its stderr goes to `log` when given.
fn spawn(a: &[String], log: Option<&Path>) -> Child {
    let err = log.map_or_else(Stdio::null, |p| std::fs::File::create(p).unwrap().into());
    Command::new(env!("CARGO_BIN_EXE_alphasweep")).args(a).stdout(Stdio::null()).stderr(err).spawn().unwrap()
}

#[test]
fn twenty_kills_lose_nothing_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    // The sweep run once: its start-up (to the first finished trial) and its time per trial.
    let t = Instant::now();
    let log = dir.path().join("full.log");
    let mut child = spawn(&args(&full), Some(&log));
    let grew = wait_for_rows(&mut child, &full, 0, Duration::from_secs(600));
    let first = t.elapsed().as_secs_f64();
    let ok = child.wait().unwrap().success();
    assert!(grew && ok, "the uninterrupted sweep failed: {}", std::fs::read_to_string(&log).unwrap_or_default());
    let whole = t.elapsed().as_secs_f64();
    let trial = (whole - first) / 29.0;
    let reference = rows(&full.join("ledger.csv"), 1);
    assert_eq!(reference.len(), 30);

    let killed = dir.path().join("killed");
    let mut rng = Rng::new(2026);
    let mut moments = vec![];
    for kill in 0..20 {
        let mut a = args(&killed);
        if kill > 0 {
            a.push("--resume".into());
        }
        let before = ledger_rows(&killed);
        let mut child = spawn(&a, None);
        let moment = if kill % 2 == 0 {
            let wait = rng.range(0.1, 1.0) * first;
            std::thread::sleep(Duration::from_secs_f64(wait));
            format!("{wait:.2}s")
        } else {
            let grew = wait_for_rows(&mut child, &killed, before, Duration::from_secs_f64(10.0 * first + 10.0 * trial));
            let wait = rng.range(0.0, 1.0) * trial;
            std::thread::sleep(Duration::from_secs_f64(wait));
            if grew { format!("a trial + {wait:.2}s") } else { "no trial finished".into() }
        };
        let done = ledger_rows(&killed);
        let _ = child.kill(); // SIGKILL; the sweep may have finished already
        child.wait().unwrap();
        moments.push(format!("{moment} ({done} done)"));
    }
    eprintln!("uninterrupted sweep {whole:.1}s, first trial at {first:.1}s; kills at {}", moments.join(", "));
    let mid_sweep = moments.iter().filter(|m| !m.contains("(0 done)") && !m.contains("(30 done)")).count();
    assert!(mid_sweep >= 10, "too few kills landed mid-sweep: {moments:?}");

    let mut a = args(&killed);
    a.push("--resume".into());
    let o = alphasweep(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rows(&killed.join("ledger.csv"), 1), reference, "the killed sweep's ledger differs");
    assert_eq!(checkpoints(&killed), checkpoints(&full));
    assert_eq!(rows(&killed.join("curves.csv"), 2), rows(&full.join("curves.csv"), 2), "the curves differ");
}
