//! Bad config values and count flags are errors that name the key (issue 18, config values):
//! each of these used to run (a negative learning rate trained to a loss of 1e8 and wrote a
//! checkpoint; `epochs = 0` claimed a checkpoint it never wrote; `--jobs 0` became 1).

mod common;

use common::{alphasweep, stderr};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");
const TRAIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/train-quick.toml");

#[test]
fn bad_values_fail_before_any_work_and_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let out = out.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["sweep", "--config", QUICK, "--out", out, "--set", "train.lr=-0.001"],
            "--set train.lr=-0.001: [train] lr = -0.001: must be positive",
        ),
        (vec!["sweep", "--config", QUICK, "--out", out, "--set", "sweep.epochs=0"], "sweep.epochs"),
        (vec!["sweep", "--config", QUICK, "--out", out, "--set", "train.grad_clip=-1.0"], "[train] grad_clip = -1"),
        (vec!["sweep", "--config", QUICK, "--out", out, "--jobs", "0"], "--jobs"),
        (
            vec![
                "sweep",
                "--config",
                QUICK,
                "--out",
                out,
                "--set",
                "data.start=\"2020-01-01\"",
                "--set",
                "data.end=\"2019-01-01\"",
            ],
            "is after end",
        ),
        (vec!["train", "--config", TRAIN, "--out", out, "--epochs", "0"], "--epochs"),
        (vec!["predict", "--sweep", out, "--top-k", "0"], "--top-k"),
    ] {
        let o = alphasweep(&args);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(!std::path::Path::new(out).join("ledger.csv").exists(), "{args:?} started a sweep");
    }
}
