//! A sweep's numbers do not depend on how its trials were scheduled, and `--resume` refuses a
//! folder swept on other inputs. Each test failed before its fix: the same sweep with
//! `--jobs 1` and the default gave different scores for every trial, and `--resume` accepted
//! another data set or another grid of the same size.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{alphasweep, stderr};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

/// 40 stocks over 2.5 years, 1 epoch, a 4-trial grid.
const SMALL: [&str; 10] = [
    "--set",
    "synth.stocks=40",
    "--set",
    "synth.end=2018-06-30",
    "--set",
    "sweep.epochs=1",
    "--set",
    "sweep.lstm_layers=[1]",
    "--set",
    "sweep.keep=2",
];

fn sweep(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sweep", "--config", QUICK, "--out", out.to_str().unwrap(), "--device", "cpu"];
    args.extend(SMALL);
    args.extend(extra);
    alphasweep(&args)
}

/// Ledger rows by trial id, every column but the wall-clock `seconds`, as written.
pub fn ledger_without_time(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(dir.join("ledger.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let seconds = header.iter().position(|h| *h == "seconds").unwrap();
    lines
        .map(|l| {
            let f: Vec<String> = l.split(',').map(String::from).collect();
            let kept = f.iter().enumerate().filter(|(i, _)| *i != seconds).map(|(_, v)| v.clone()).collect();
            (f[0].clone(), kept)
        })
        .collect()
}

#[test]
fn one_job_or_many_gives_the_same_ledger() {
    let dir = tempfile::tempdir().unwrap();
    // Batches of 64 (two parts each) and of 100 (four uneven parts).
    for batch in ["train.batch_size=64", "train.batch_size=100"] {
        let (a, b) = (dir.path().join(format!("{batch}-default")), dir.path().join(format!("{batch}-one")));
        let o = sweep(&a, &["--set", batch]);
        assert!(o.status.success(), "{}", stderr(&o));
        // One job: that trial gets every core's thread.
        let o = sweep(&b, &["--set", batch, "--jobs", "1"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let (la, lb) = (ledger_without_time(&a), ledger_without_time(&b));
        assert_eq!(la.len(), 4);
        assert_eq!(la, lb, "{batch}: the ledger depends on --jobs");
    }
}

#[test]
fn resume_refuses_other_inputs_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Another synthetic market: the data set's content differs.
    let o = sweep(&out, &["--resume", "--set", "synth.seed=43"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("was swept on other inputs"), "{e}");
    assert!(e.contains("the data set's content:"), "{e}");
    assert!(!e.contains("the config:") || e.contains("synth"), "{e}");

    // Another learning rate: the config line is named.
    let o = sweep(&out, &["--resume", "--set", "train.lr=0.003"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("- [train] lr = 0.002, + [train] lr = 0.003"), "{e}");

    // Another grid of the same size.
    let o = sweep(&out, &["--resume", "--set", "sweep.units=[8,32]"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("the grid: 4 trials, crc32"), "{e}");

    // What cannot change a result is accepted: the number of checkpoints kept.
    let o = sweep(&out, &["--resume", "--set", "sweep.keep=1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("4 finished already"), "{}", stderr(&o));
}
