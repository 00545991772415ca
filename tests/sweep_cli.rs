//! `alphasweep sweep` and `merge` end to end on a small synthetic market: the paper's
//! 54-trial grid completes with 54 ledger rows and K checkpoints; a sweep killed with
//! SIGKILL and resumed ends with the same rows and metrics as an uninterrupted one; shards
//! merged equal the unsharded sweep; a diverging trial is recorded and the sweep finishes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{alphasweep, scores, stderr, stdout, wait_for_rows};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

/// A small market: 50 stocks over 2.5 years.
const SMALL: [&str; 4] = ["--set", "synth.stocks=50", "--set", "synth.end=2018-06-30"];

fn sweep(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sweep", "--config", QUICK, "--out", out.to_str().unwrap(), "--device", "cpu"];
    args.extend(SMALL);
    args.extend(extra);
    alphasweep(&args)
}

/// Ledger rows by trial id: (status, best epoch, valid IC, test IC) as text (exact match).
fn ledger(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(dir.join("ledger.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let picks = [col("status"), col("best_epoch"), col("valid_ic"), col("test_ic"), col("epochs_run")];
    let mut out = BTreeMap::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let prev = out.insert(f[0].to_string(), picks.iter().map(|&i| f[i].to_string()).collect());
        assert!(prev.is_none(), "trial {} appears twice in {}", f[0], dir.display());
    }
    out
}

/// The validation IC a trial's ledger row recorded.
fn rows_ic(dir: &Path, trial: &str) -> f64 {
    ledger(dir)[trial][2].parse().unwrap()
}

fn checkpoints(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir.join("checkpoints")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    v.sort();
    v
}

#[test]
fn paper_grid_completes_with_54_rows_and_k_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(
        &out,
        &[
            "--set",
            "sweep.mem_days=[5,10,15]",
            "--set",
            "sweep.lstm_layers=[1,2,3]",
            "--set",
            "sweep.dense_layers=[1,2,3]",
            "--set",
            "sweep.units=[16,32]",
            "--set",
            "sweep.epochs=1",
            "--set",
            "sweep.keep=4",
            "--set",
            "train.batch_size=1024",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = ledger(&out);
    assert_eq!(rows.len(), 54);
    assert!(rows.values().all(|r| r[0] == "done"), "{rows:?}");
    assert_eq!(checkpoints(&out).len(), 4);
    for f in ["summary.json", "sweep.json", "curves.csv", "score_by_param.png", "curves_top.png"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // The table's first row is a kept checkpoint, and it reloads for `eval`.
    let best = stdout(&o).lines().nth(1).unwrap().split_whitespace().nth(1).unwrap().to_string();
    assert!(checkpoints(&out).contains(&best), "{best} not kept");
    let e = alphasweep(&["eval", "--model", out.join("checkpoints").join(&best).to_str().unwrap()]);
    assert!(e.status.success(), "{}", stderr(&e));
    // Each checkpoint records where the split fell (split.json's dates), for `predict --data`.
    let json = |p: &Path| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let split = json(&out.join("split.json"));
    for c in checkpoints(&out) {
        let s = &json(&out.join("checkpoints").join(&c).join("config.json"))["split"];
        assert_eq!(s["train"], serde_json::json!([split["train"]["first"], split["train"]["last"]]), "{c}");
        assert_eq!(s["valid"], serde_json::json!([split["valid"]["first"], split["valid"]["last"]]), "{c}");
        assert_eq!(s["test_from"], split["test"]["first"], "{c}");
    }
    // `predict --choose-k`: the ensemble size with the best validation IC; the best model
    // alone scores the validation IC its ledger row recorded.
    let preds = dir.path().join("p.csv");
    let p = alphasweep(&[
        "predict",
        "--sweep",
        out.to_str().unwrap(),
        "--top-k",
        "4",
        "--choose-k",
        "--out",
        preds.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    assert!(p.status.success(), "{}", stderr(&p));
    let table = std::fs::read_to_string(dir.path().join("p.csv.ensemble.csv")).unwrap();
    let rows: Vec<Vec<&str>> = table.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4, "{table}");
    let ics: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    let chosen: Vec<usize> = rows.iter().enumerate().filter(|(_, r)| r[4] == "true").map(|(i, _)| i).collect();
    assert_eq!(chosen.len(), 1, "{table}");
    assert!(ics.iter().all(|ic| *ic <= ics[chosen[0]]) && ics[..chosen[0]].iter().all(|ic| *ic < ics[chosen[0]]), "{table}");
    let best_ic: f64 = rows_ic(&out, &best);
    assert!((ics[0] - best_ic).abs() < 1e-4, "best model alone: {} vs ledger {best_ic}", ics[0]);
    let model = if chosen[0] == 0 { best.clone() } else { format!("mean_of_{}", chosen[0] + 1) };
    assert!(std::fs::read_to_string(&preds).unwrap().lines().nth(1).unwrap().contains(&format!(",{model},")), "{model}");
    // Rerunning into the same folder without --resume is refused.
    let again = sweep(&out, &["--set", "sweep.epochs=1"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));
}

/// The reference sweep (8 trials, 2 epochs) against a killed-and-resumed one and against
/// two shards merged: the same trials with the same metrics.
#[test]
fn killed_and_resumed_and_sharded_sweeps_equal_the_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    // Wide layers and small batches make trials take 0.3–5 s, so the kill lands mid-sweep.
    let epochs = ["--set", "sweep.epochs=2", "--set", "train.batch_size=32", "--set", "sweep.units=[64,128]"];
    let full = dir.path().join("full");
    let o = sweep(&full, &epochs);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = ledger(&full);
    assert_eq!(reference.len(), 8);

    // SIGKILL once at least 3 trials are in the ledger, then resume.
    let killed = dir.path().join("killed");
    let mut args: Vec<&str> = vec!["sweep", "--config", QUICK, "--out", killed.to_str().unwrap(), "--device", "cpu"];
    args.extend(SMALL);
    args.extend(epochs);
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_alphasweep")).args(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait_for_rows(&mut child, &killed, 2, Duration::from_secs(300));
    // While it runs, a second sweep on the same folder is refused (the folder is locked).
    let second = alphasweep(&[&args[..], &["--resume"]].concat());
    assert!(!second.status.success() && stderr(&second).contains("in use by another running sweep"), "{}", stderr(&second));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = ledger(&killed).len();
    assert!((3..8).contains(&partial), "killed after {partial} trials");
    args.push("--resume");
    let o = alphasweep(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("{partial} finished already")), "{}", stderr(&o));
    assert_eq!(ledger(&killed), reference, "resumed sweep differs from the uninterrupted one");
    assert_eq!(checkpoints(&killed), checkpoints(&full));

    // Shards 0/2 and 1/2, merged.
    let (s0, s1, merged) = (dir.path().join("s0"), dir.path().join("s1"), dir.path().join("merged"));
    for (s, shard) in [(&s0, "0/2"), (&s1, "1/2")] {
        let o = sweep(s, &[&epochs[..], &["--shard", shard]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(ledger(s).len(), 4);
    }
    let o = alphasweep(&["merge", "--out", merged.to_str().unwrap(), s0.to_str().unwrap(), s1.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(ledger(&merged), reference, "merged shards differ from the unsharded sweep");
    assert_eq!(checkpoints(&merged), checkpoints(&full));
}

#[test]
fn a_diverging_trial_is_recorded_and_the_sweep_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    // An absurd learning rate blows the weights up to infinity within a few steps.
    let o = sweep(
        &out,
        &[
            "--set",
            "sweep.lr=[0.002, 1e30]",
            "--set",
            "sweep.units=[8]",
            "--set",
            "sweep.lstm_layers=[1]",
            "--set",
            "sweep.epochs=1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = ledger(&out);
    assert_eq!(rows.len(), 4);
    let diverged: Vec<&String> = rows.iter().filter(|(_, r)| r[0] == "diverged").map(|(k, _)| k).collect();
    assert_eq!(diverged.len(), 2, "{rows:?}");
    assert!(diverged.iter().all(|k| k.contains("-lr1e30-")), "{diverged:?}");
    assert!(checkpoints(&out).iter().all(|c| !c.contains("lr1e30")));
}

/// `seeds` trains one configuration from several starts: one row and checkpoint per seed,
/// each checkpoint training with its own seed, and a trial's result depends on its seed
/// alone (the same seed in a sweep of one seed gives the same row).
#[test]
fn seeds_train_one_configuration_from_several_starts() {
    let dir = tempfile::tempdir().unwrap();
    let one = ["--set", "sweep.mem_days=[5]", "--set", "sweep.units=[8]", "--set", "sweep.lstm_layers=[1]"];
    let three = dir.path().join("three");
    let o = sweep(&three, &[&one[..], &["--set", "sweep.seeds=[1, 2, 3]", "--set", "sweep.epochs=2"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("sweep: 3 configurations (1 network x 3 seeds)"), "{}", stderr(&o));
    let rows = ledger(&three);
    let ids: Vec<&String> = rows.keys().collect();
    assert_eq!(ids, ["m5-l1-d1-u8-lr2e-3-b256-p0.1-s1", "m5-l1-d1-u8-lr2e-3-b256-p0.1-s2", "m5-l1-d1-u8-lr2e-3-b256-p0.1-s3"]);
    let ics: std::collections::BTreeSet<&String> = rows.values().map(|r| &r[2]).collect();
    assert_eq!(ics.len(), 3, "three starts, three validation ICs: {rows:?}");
    assert_eq!(checkpoints(&three).len(), 3);
    for (k, id) in ids.iter().enumerate() {
        let text = std::fs::read_to_string(three.join("checkpoints").join(id).join("config.json")).unwrap();
        let cfg: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(cfg["train"]["seed"], k as u64 + 1, "{id}: {}", cfg["train"]);
    }
    let alone = dir.path().join("alone");
    let o = sweep(&alone, &[&one[..], &["--set", "sweep.seeds=[2]", "--set", "sweep.epochs=2"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(ledger(&alone)["m5-l1-d1-u8-lr2e-3-b256-p0.1-s2"], rows["m5-l1-d1-u8-lr2e-3-b256-p0.1-s2"]);
}

/// `[model] attention = true` (qlib's ALSTM pooling) trains on the CPU engine, names its
/// trials `-att`, records the switch in the checkpoint, which `predict` reloads with its
/// attention weights (finite scores, not those of the plain network of the same seed).
/// (The GPU engine's attention kernels: `tests/sweep_gpu.rs`.)
#[test]
fn attention_trains_records_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let one =
        ["--set", "sweep.mem_days=[5]", "--set", "sweep.units=[8]", "--set", "sweep.lstm_layers=[1]", "--set", "sweep.epochs=2"];
    let (att, plain) = (dir.path().join("att"), dir.path().join("plain"));
    let o = sweep(&att, &[&one[..], &["--set", "model.attention=true"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let id = "m5-l1-d1-u8-lr2e-3-b256-p0.1-att";
    assert_eq!(ledger(&att).keys().collect::<Vec<_>>(), [id]);
    let ck = att.join("checkpoints").join(id);
    let cfg: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(ck.join("config.json")).unwrap()).unwrap();
    assert_eq!(cfg["network"]["attention"], true, "{}", cfg["network"]);
    let o = sweep(&plain, &one);
    assert!(o.status.success(), "{}", stderr(&o));
    let plain_id = "m5-l1-d1-u8-lr2e-3-b256-p0.1";
    let plain_cfg = std::fs::read_to_string(plain.join("checkpoints").join(plain_id).join("config.json")).unwrap();
    assert!(!plain_cfg.contains("attention"), "a plain network's files are those of before: {plain_cfg}");
    let (a, p) = (
        predicted(&ck, &dir.path().join("att.csv")),
        predicted(&plain.join("checkpoints").join(plain_id), &dir.path().join("plain.csv")),
    );
    assert!(!a.is_empty() && a.values().all(|v| v.is_finite()), "{} attention scores", a.len());
    assert_eq!(a.len(), p.len());
    assert!(a.iter().zip(&p).any(|(x, y)| x.1 != y.1), "attention changed no score");
}

/// `alphasweep predict` of checkpoint `ck` on the CPU engine into `out`: its scores.
fn predicted(ck: &Path, out: &Path) -> BTreeMap<(String, String), f64> {
    let o = alphasweep(&["predict", "--model", ck.to_str().unwrap(), "--out", out.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    scores(out)
}

/// `[sweep] cell = ["lstm", "gru"]` trains each configuration with both cells on the CPU
/// engine (ids `-gru` for GRU layers); the GRU checkpoint records its cell (an LSTM's files
/// carry no `cell` key, as before) and `predict` reloads it (finite scores, not the LSTM's).
/// (The GPU engine's GRU kernels: `tests/sweep_gpu.rs`.)
#[test]
fn gru_trains_records_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cells");
    let o = sweep(
        &out,
        &[
            "--set",
            "sweep.mem_days=[5]",
            "--set",
            "sweep.units=[8]",
            "--set",
            "sweep.lstm_layers=[2]",
            "--set",
            "sweep.epochs=2",
            "--set",
            r#"sweep.cell=["lstm","gru"]"#,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (lstm_id, gru_id) = ("m5-l2-d1-u8-lr2e-3-b256-p0.1", "m5-l2-d1-u8-lr2e-3-b256-p0.1-gru");
    assert_eq!(ledger(&out).keys().collect::<Vec<_>>(), [lstm_id, gru_id]);
    let (lstm_ck, gru_ck) = (out.join("checkpoints").join(lstm_id), out.join("checkpoints").join(gru_id));
    let cfg: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(gru_ck.join("config.json")).unwrap()).unwrap();
    assert_eq!(cfg["network"]["cell"], "gru", "{}", cfg["network"]);
    let lstm_cfg = std::fs::read_to_string(lstm_ck.join("config.json")).unwrap();
    assert!(!lstm_cfg.contains("\"cell\""), "an LSTM's files are those of before: {lstm_cfg}");
    let (g, l) = (predicted(&gru_ck, &dir.path().join("gru.csv")), predicted(&lstm_ck, &dir.path().join("lstm.csv")));
    assert!(!g.is_empty() && g.values().all(|v| v.is_finite()), "{} GRU scores", g.len());
    assert_eq!(g.len(), l.len());
    assert!(g.iter().zip(&l).any(|(x, y)| x.1 != y.1), "the GRU scored as the LSTM");
}

/// Ctrl-C (SIGINT) stops starting trials, lets those in flight finish into the ledger, exits
/// 130, and `--resume` completes the sweep.
#[test]
fn ctrl_c_stops_cleanly_and_resume_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let mut args: Vec<&str> = vec!["sweep", "--config", QUICK, "--out", out.to_str().unwrap(), "--device", "cpu"];
    args.extend(SMALL);
    args.extend(["--set", "sweep.epochs=2", "--set", "train.batch_size=32", "--set", "sweep.units=[64,128]"]);
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_alphasweep")).args(&args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    assert!(wait_for_rows(&mut child, &out, 0, Duration::from_secs(300)), "no trial finished");
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let partial = ledger(&out).len();
    assert!((1..8).contains(&partial), "{partial} trials before the stop");
    args.push("--resume");
    let o = alphasweep(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(ledger(&out).len(), 8);
}

/// `predict --sweep` over four kept checkpoints (mem_day 5 and 10 x 8 and 16 units: pairs
/// that build the same data set, which predict builds once, and pairs that do not) equals the
/// mean over models of each checkpoint's own predictions z-scored per date.
#[test]
fn sweep_predictions_are_the_mean_of_each_checkpoints_z_scores() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = sweep(&out, &["--set", "sweep.lstm_layers=[1]", "--set", "sweep.epochs=1", "--set", "sweep.keep=4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = dir.path().join("all.csv");
    let (s, a) = (out.to_str().unwrap(), all.to_str().unwrap());
    let o_all = alphasweep(&["predict", "--sweep", s, "--top-k", "4", "--out", a, "--device", "cpu"]);
    assert!(o_all.status.success(), "{}", stderr(&o_all));
    let mut sum: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    let mut mem_days = std::collections::BTreeSet::new();
    for ck in std::fs::read_dir(out.join("checkpoints")).unwrap().map(|e| e.unwrap().path()) {
        mem_days.insert(ck.file_name().unwrap().to_string_lossy().split('-').next().unwrap().to_string());
        let one = dir.path().join("one.csv");
        let o = alphasweep(&["predict", "--model", ck.to_str().unwrap(), "--out", one.to_str().unwrap(), "--device", "cpu"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut by_date: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
        for ((d, c), v) in scores(&one) {
            by_date.entry(d).or_default().push((c, v));
        }
        for (d, rows) in by_date {
            let n = rows.len() as f64;
            let mean = rows.iter().map(|r| r.1).sum::<f64>() / n;
            let sd = (rows.iter().map(|r| (r.1 - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            for (c, v) in rows {
                let e = sum.entry((d.clone(), c)).or_default();
                e.0 += if sd > 0.0 { (v - mean) / sd } else { 0.0 };
                e.1 += 1.0;
            }
        }
    }
    assert_eq!(mem_days.len(), 2, "the four checkpoints should have two mem_days: {mem_days:?}");
    // One data set built per mem_day, whatever the order of the ranking.
    assert_eq!(stderr(&o_all).matches("building the data set of").count(), 2, "{}", stderr(&o_all));
    let combined = scores(&all);
    assert_eq!(combined.len(), sum.len());
    // Scores are written with 6 decimals: the z-scores rebuilt from them differ by ~1e-4 at most.
    let worst = combined.iter().map(|(k, v)| (v - sum[k].0 / sum[k].1).abs()).fold(0.0, f64::max);
    assert!(worst < 2e-3, "mean_of_4 differs from the mean of the models' z-scores by {worst}");
}

/// `predict --sweep A --sweep B` ranks both ledgers as one: with `--top-k 1` it scores with
/// the checkpoint whose validation score is the best of either sweep (its own predictions,
/// its name prefixed by its sweep), and sweeps validated on other periods are refused.
#[test]
fn pooled_sweeps_rank_their_checkpoints_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    let one = ["--set", "sweep.lstm_layers=[1]", "--set", "sweep.mem_days=[5]", "--set", "sweep.epochs=1"];
    for (out, units) in [(&a, "sweep.units=[8]"), (&b, "sweep.units=[16]")] {
        let o = sweep(out, &[&one[..], &["--set", units]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (ia, ib) = (checkpoints(&a).remove(0), checkpoints(&b).remove(0));
    let (best_dir, best) = if rows_ic(&a, &ia) >= rows_ic(&b, &ib) { (&a, ia) } else { (&b, ib) };
    let (pooled, alone) = (dir.path().join("pooled.csv"), dir.path().join("alone.csv"));
    let (sa, sb, p) = (a.to_str().unwrap(), b.to_str().unwrap(), pooled.to_str().unwrap());
    let ck = best_dir.join("checkpoints").join(&best);
    let o = alphasweep(&["predict", "--model", ck.to_str().unwrap(), "--out", alone.to_str().unwrap(), "--device", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Either order of the sweeps picks the same checkpoint.
    for (first, second) in [(sa, sb), (sb, sa)] {
        let o = alphasweep(&["predict", "--sweep", first, "--sweep", second, "--top-k", "1", "--out", p, "--device", "cpu"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let named = format!("{}:{best}", best_dir.display());
        assert!(stdout(&o).contains(&named), "{} names not {named}", stdout(&o));
        assert_eq!(scores(&pooled), scores(&alone));
    }
    // Another validation period (a longer training share) does not pool.
    let o = sweep(&c, &[&one[..], &["--set", "sweep.units=[8]", "--set", "dataset.train=0.7"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = alphasweep(&["predict", "--sweep", sa, "--sweep", c.to_str().unwrap(), "--out", p, "--device", "cpu"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cannot be pooled"), "{}", stderr(&o));
}
