//! `alphasweep run` locks its folder and resumes stage by stage: a second run on a folder in
//! use is refused, `run --resume` with nothing changed skips every stage after the data, and
//! a changed backtest option reruns the backtest alone. Before, a second `run` rewrote the
//! first one's files, and `run --resume` recomputed data, factors and screen.

mod common;

use std::path::Path;

use common::{alphasweep, stderr};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/demo.toml");
const SKIPPED: &str = "unchanged since the last run";

fn run(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", "--config", DEMO, "--out", out.to_str().unwrap(), "--device", "cpu"];
    args.extend(["--set", "synth.stocks=50", "--set", "synth.end=2019-03-31", "--set", "sweep.epochs=1"]);
    args.extend(extra);
    alphasweep(&args)
}

#[test]
fn run_locks_its_folder_and_resumes_stage_by_stage() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = run(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A folder another process holds is refused.
    let held = std::fs::OpenOptions::new().write(true).open(out.join(".lock")).unwrap();
    held.try_lock().unwrap();
    let o = run(&out, &["--resume"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("is in use by another running run"), "{}", stderr(&o));
    drop(held);

    // Nothing changed: factors, screen, sweep, eval, predict and backtest are skipped.
    let o = run(&out, &["--resume"]);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    assert_eq!(e.matches(SKIPPED).count(), 6, "{e}");

    // A backtest option changed: only the backtest reruns.
    let o = run(&out, &["--resume", "--set", "backtest.top=[10]"]);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    assert_eq!(e.matches(SKIPPED).count(), 5, "{e}");
    let summary = std::fs::read_to_string(out.join("backtest/summary.csv")).unwrap();
    assert!(summary.lines().any(|l| l.starts_with("top_10,")), "{summary}");

    // A deleted output reruns its stage even when the inputs are the same, and every stage
    // after it.
    std::fs::remove_file(out.join("predictions.csv.gz")).unwrap();
    let o = run(&out, &["--resume", "--set", "backtest.top=[10]"]);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    assert_eq!(e.matches(SKIPPED).count(), 4, "{e}");
    assert!(out.join("predictions.csv.gz").is_file());
}
