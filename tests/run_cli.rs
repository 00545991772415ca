//! `alphasweep demo` (= `run` on the embedded demo config) end to end on a small synthetic
//! market: every stage's files are written, the report has every section, predictions mark
//! in-sample dates exactly up to the end of the validation period, and the backtest runs on
//! the out-of-sample period only.

mod common;

use std::io::Read;

use common::{alphasweep, stderr, stdout};

#[test]
fn demo_runs_every_stage_and_labels_in_sample_dates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = alphasweep(&[
        "demo",
        "--out",
        out.to_str().unwrap(),
        "--stocks",
        "60",
        "--epochs",
        "1",
        "--set",
        "synth.end=2019-06-30",
        "--device",
        "cpu",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "run.json",
        "config.toml",
        "data_summary.txt",
        "market/daily.csv.gz",
        "factors.csv.gz",
        "screen/selected.txt",
        "screen/factors_train.csv.gz",
        "sweep/ledger.csv",
        "sweep/split.json",
        "predictions.csv.gz",
        "backtest/summary.csv",
        "backtest/equity.png",
        "report.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for s in ["1. Data", "2. Factor screening", "3. Sweep", "4. Best model", "5. Backtest", "out-of-sample"] {
        assert!(html.contains(s), "report lacks {s}");
    }
    assert!(!html.contains("No backtest"), "backtest missing from the report");

    // in_sample is true exactly up to the last validation date.
    let split: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("sweep/split.json")).unwrap()).unwrap();
    let valid_end = split["valid"]["last"].as_str().unwrap().to_string();
    let test_start = split["test"]["first"].as_str().unwrap().to_string();
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(out.join("predictions.csv.gz")).unwrap()).read_to_string(&mut text).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "date,code,score,model,in_sample");
    let (mut n_in, mut n_out) = (0, 0);
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert!(f[2].parse::<f64>().unwrap().is_finite(), "{l}");
        let expect = f[0] <= valid_end.as_str();
        assert_eq!(f[4] == "true", expect, "{l} (valid ends {valid_end})");
        if expect { n_in += 1 } else { n_out += 1 }
    }
    assert!(n_in > 0 && n_out > 0, "{n_in} in-sample, {n_out} out-of-sample rows");

    // The backtest starts at the first test date, so no traded day is in-sample.
    let bt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("backtest/summary.json")).unwrap()).unwrap();
    assert_eq!(bt["meta"]["in_sample_days"].as_u64(), Some(0), "{}", bt["meta"]);
    assert!(stdout(&o).contains("SH000300"), "no benchmark row:\n{}", stdout(&o));
    assert!(bt["portfolios"][0]["start"].as_str().unwrap() >= test_start.as_str());

    // `run --resume` with `[sweep] choose_k` on the finished run: the sweep is kept, predict
    // and the backtest run again with the ensemble's size chosen on the validation period.
    // The run's config as written before any choice (each resume rewrites config.toml).
    let config = out.join("config-without-choice.toml");
    std::fs::copy(out.join("config.toml"), &config).unwrap();
    let resume = |extra: &[&str]| {
        let mut a = vec!["run", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap(), "--resume"];
        a.extend(extra);
        a.extend(["--device", "cpu"]);
        let o = alphasweep(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    let again = resume(&["--set", "sweep.choose_k=true"]);
    assert!(stdout(&again).contains("ensemble size chosen on the validation period"), "{}", stdout(&again));
    let table = std::fs::read_to_string(out.join("predictions.csv.gz.ensemble.csv")).unwrap();
    assert_eq!(table.lines().filter(|l| l.ends_with(",true")).count(), 1, "{table}");
    // The flag `--choose-k` on the config without the key is the same choice: nothing reruns.
    let flag = stderr(&resume(&["--choose-k"]));
    let predict = &flag[flag.find("6/7 predict").unwrap()..flag.find("7/7").unwrap()];
    assert!(predict.contains("skipped"), "{flag}");

    // Walk-forward: every fold trains only on dates before the ones it predicts (less the
    // label gap), and no prediction is in-sample.
    let best = std::fs::read_dir(out.join("sweep/checkpoints")).unwrap().next().unwrap().unwrap().path();
    let wf = dir.path().join("wf.csv.gz");
    let o = alphasweep(&[
        "predict",
        "--walk-forward",
        "--model",
        best.to_str().unwrap(),
        "--from",
        "2018-01-01",
        "--out",
        wf.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("; 0 on in-sample dates"), "{}", stdout(&o));
    let folds = std::fs::read_to_string(dir.path().join("wf.csv.folds.csv")).unwrap();
    let rows: Vec<Vec<String>> = folds.lines().skip(1).map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.len(), 2, "{folds}");
    for r in &rows {
        assert!(r[2] < r[3], "fold trains up to {} but predicts from {}", r[2], r[3]);
    }

    // A second demo into the same folder is refused.
    let again = alphasweep(&["demo", "--out", out.to_str().unwrap(), "--stocks", "60", "--epochs", "1"]);
    assert!(!again.status.success());
}

/// Ctrl-C before the sweep's trials (here: once `run`'s data stage has printed its summary)
/// ends it at once with status 130: the factor, screen and sweep stages never start
/// (before, the first signal only set the sweep's stop flag and every stage before it ran
/// to the end), and `--resume` finishes the run.
#[test]
fn ctrl_c_before_the_sweep_stops_at_once_and_resume_finishes() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/demo.toml");
    let (o, sets) = (out.to_str().unwrap(), ["synth.stocks=60", "synth.end=2019-06-30", "sweep.epochs=1"]);
    let mut args = vec!["run", "--config", config, "--out", o, "--device", "cpu"];
    args.extend(sets.iter().flat_map(|s| ["--set", s]));
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_alphasweep")).args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The reader lives until the end: a closed pipe would make the run's next print fail.
    let (mut reader, mut first) = (std::io::BufReader::new(child.stdout.take().unwrap()), String::new());
    reader.read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "the data stage printed nothing");
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    drop(reader);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted") && err.contains("--resume"), "{err}");
    assert!(out.join("data_summary.txt").is_file());
    assert!(!out.join("screen/selected.txt").exists(), "the screen stage ran after Ctrl-C");
    assert!(!out.join("sweep/ledger.csv").exists(), "the sweep stage started after Ctrl-C");

    args.push("--resume");
    let o = alphasweep(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("report.html").is_file());
}
