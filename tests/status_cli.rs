//! `alphasweep status` and `merge`'s refusal of incomplete shards, end to end on a small
//! synthetic market: a finished sweep, shards (one missing), `--json` fields, a damaged and a
//! half-written ledger line, a trial in flight, and a merge that names the missing trials.

mod common;

use std::io::Write;
use std::path::Path;

use common::{alphasweep, stderr, stdout};
use serde_json::Value;

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

/// 8 trials of 1 epoch on 50 stocks over 2.5 years: seconds.
fn sweep(out: &Path, shard: Option<&str>) {
    let mut args = vec!["sweep", "--config", QUICK, "--out", out.to_str().unwrap(), "--device", "cpu"];
    args.extend(["--set", "synth.stocks=50", "--set", "synth.end=2018-06-30", "--set", "sweep.epochs=1"]);
    if let Some(s) = shard {
        args.extend(["--shard", s]);
    }
    let o = alphasweep(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn status_json(dirs: &[&Path], extra: &[&str]) -> Value {
    let mut args = vec!["status", "--json"];
    args.extend(extra);
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let o = alphasweep(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// Copies a sweep folder's files (not its checkpoints).
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["sweep.json", "ledger.csv", "curves.csv"] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
}

#[test]
fn status_of_a_finished_sweep_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    sweep(&out, None);
    let o = alphasweep(&["status", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("8 of 8 trials finished"), "{text}");
    assert!(text.contains("finished") && text.contains("best so far: m"), "{text}");
    let s = status_json(&[&out], &[]);
    assert_eq!(s["grid_trials"], 8);
    assert_eq!(s["selection"], "valid_ic");
    assert_eq!(s["total"]["finished"], 8);
    assert_eq!(s["total"]["done"], 8);
    assert_eq!(s["total"]["running"], 0);
    assert_eq!(s["total"]["pending"], 0);
    assert_eq!(s["epochs_run"], 8);
    assert_eq!(s["epochs_saved"], 0);
    assert!(s["eta_seconds"].is_null() && s["trials_per_hour"].is_null(), "{s}");
    let shard = &s["shards"][0];
    assert_eq!(shard["state"], "finished");
    assert!(shard["shard"].is_null());
    assert!(shard["trial_seconds"].as_f64().unwrap() > 0.0);
    // The best is the summary's best.
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["best"]["trial"], summary["best"]["trial"]);
    assert!(s["problems"].as_array().unwrap().is_empty(), "{s}");
    // --watch on a finished sweep draws once and ends.
    let o = alphasweep(&["status", "--watch=1", out.to_str().unwrap()]);
    assert!(o.status.success() && stdout(&o).contains("8 of 8 trials finished"), "{}", stderr(&o));
    // Not a sweep folder: a clear error.
    let o = alphasweep(&["status", dir.path().join("nothing").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no such folder"), "{}", stderr(&o));
}

#[test]
fn status_of_shards_and_merge_refuses_an_incomplete_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("out");
    let (s0, s1) = (root.join("shard-0"), root.join("shard-1"));
    sweep(&s0, Some("0/2"));
    sweep(&s1, Some("1/2"));
    // The parent folder stands for its shard folders.
    let s = status_json(&[&root], &[]);
    assert_eq!(s["shards"].as_array().unwrap().len(), 2);
    assert_eq!(s["shards"][1]["shard"], "1/2");
    assert_eq!(s["total"]["finished"], 8);
    // Only shard 0 named: shard 1/2 is listed as missing with its 4 trials pending.
    let s = status_json(&[&s0], &[]);
    assert_eq!(s["shards"][1]["state"], "missing");
    assert_eq!(s["total"]["pending"], 4);

    // Shard 1 loses its last ledger row: merge refuses and names the trial.
    let cut = dir.path().join("cut-1");
    copy(&s1, &cut);
    let ledger = std::fs::read_to_string(cut.join("ledger.csv")).unwrap();
    let lines: Vec<&str> = ledger.lines().collect();
    let lost = lines.last().unwrap().split(',').next().unwrap().to_string();
    std::fs::write(cut.join("ledger.csv"), lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let merged = dir.path().join("merged");
    let o = alphasweep(&["merge", "--out", merged.to_str().unwrap(), s0.to_str().unwrap(), cut.to_str().unwrap()]);
    assert!(!o.status.success(), "merge accepted an incomplete shard");
    assert!(stderr(&o).contains(&lost) && stderr(&o).contains("1 of 4 trials missing"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-incomplete"), "{}", stderr(&o));
    assert!(!merged.join("ledger.csv").exists());
    // A shard not given at all is named too.
    let o = alphasweep(&["merge", "--out", merged.to_str().unwrap(), s0.to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("no shard folder given holds 4 trials"), "{}", stderr(&o));
    // --allow-incomplete merges what is there, with a warning naming the trial.
    let o = alphasweep(&[
        "merge",
        "--allow-incomplete",
        "--out",
        merged.to_str().unwrap(),
        s0.to_str().unwrap(),
        cut.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning") && stderr(&o).contains(&lost), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(merged.join("ledger.csv")).unwrap().lines().count(), 1 + 7);

    // Status of the cut shard: the lost trial has curve rows and no ledger row: in flight
    // (its files were just written), or stopped once they are older than --stale.
    let s = status_json(&[&cut], &[]);
    assert_eq!(s["shards"][0]["state"], "running");
    assert_eq!(s["shards"][0]["counts"]["running"], 1);
    assert_eq!(s["shards"][0]["running"][0][0], lost.as_str());
    assert!(s["shards"][0]["trials_per_hour"].as_f64().unwrap() > 0.0 && s["eta_seconds"].as_f64().is_some(), "{s}");
    let s = status_json(&[&cut], &["--stale", "0"]);
    assert_eq!(s["shards"][0]["state"], "stopped");
    assert!(s["eta_seconds"].is_null());
}

#[test]
fn damaged_and_half_written_ledger_lines_are_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    sweep(&out, None);
    let path = out.join("ledger.csv");
    // A row being written: no newline yet. It is skipped silently.
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"m99-l1-d1-u8-lr2e-3-b256-p0.1,99,1,1,8,0.002,256,0.1,do").unwrap();
    drop(f);
    let s = status_json(&[&out], &[]);
    assert_eq!(s["total"]["finished"], 8);
    assert!(s["shards"][0]["problems"].as_array().unwrap().is_empty(), "{s}");
    // A damaged row in the middle (line 3): reported with the file and line, the rest read.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines[2] = "garbage,not,a,row\n";
    std::fs::write(&path, lines.concat()).unwrap();
    let s = status_json(&[&out], &[]);
    assert_eq!(s["total"]["finished"], 7);
    let problems = s["shards"][0]["problems"].to_string();
    assert!(problems.contains("ledger.csv:3: damaged row skipped"), "{problems}");
    // The table shows it too, and a file of junk is no panic.
    std::fs::write(out.join("curves.csv"), [0xff_u8, 0xfe, b'\n', b'x', b'\n']).unwrap();
    let o = alphasweep(&["status", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("problems:") && stdout(&o).contains("ledger.csv:3"), "{}", stdout(&o));
}
