//! `alphasweep train` and `eval` end to end on the synthetic market: a planted signal is
//! learned (positive test IC), the null market gives none, the same seed gives the same
//! numbers, a checkpoint reloads to the same test metrics, and divergence is reported.

mod common;

use std::path::Path;

use common::{alphasweep, stderr, stdout};

fn config(dir: &Path, null: bool, extra_train: &str, stocks: usize, end: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/configs/train-quick.toml")).unwrap();
    let text = text
        .replace("stocks = 120", &format!("stocks = {stocks}"))
        .replace("end = \"2019-12-31\"", &format!("end = \"{end}\"\nnull = {null}"))
        .replace("[train]\n", &format!("[train]\n{extra_train}\n"))
        .replace("epochs = 5\n", if extra_train.contains("epochs") { "" } else { "epochs = 5\n" });
    let path = dir.join("c.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Test IC from `test.json`.
fn test_ic(out: &Path) -> (f64, f64) {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("test.json")).unwrap()).unwrap();
    (v["test"]["ic"].as_f64().unwrap(), v["test"]["rank_ic"].as_f64().unwrap())
}

fn train(cfg: &Path, out: &Path) -> std::process::Output {
    train_on(cfg, out, "cpu")
}

fn train_on(cfg: &Path, out: &Path, device: &str) -> std::process::Output {
    alphasweep(&["train", "--config", cfg.to_str().unwrap(), "--out", out.to_str().unwrap(), "--device", device])
}

/// The planted market's test IC is clearly positive; the null market's is within noise.
/// With ~15,000 test samples over ~185 dates and a per-date IC spread of about 0.1, the
/// mean IC's standard error is about 0.007: planted must exceed 0.015, null stay within
/// ±0.025 (3.5 standard errors).
#[test]
fn learns_the_planted_signal_and_nothing_from_the_null_market() {
    for null in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(dir.path(), null, "epochs = 3", 120, "2019-12-31");
        let out = dir.path().join("model");
        let o = train(&cfg, &out);
        assert!(o.status.success(), "{}", stderr(&o));
        let (ic, rank_ic) = test_ic(&out);
        eprintln!("null = {null}: test IC {ic:.4}, rank IC {rank_ic:.4}");
        if null {
            assert!(ic.abs() < 0.025 && rank_ic.abs() < 0.025, "null market: IC {ic}, rank IC {rank_ic}");
        } else {
            assert!(ic > 0.015 && rank_ic > 0.015, "planted market: IC {ic}, rank IC {rank_ic}");
        }
    }
}

/// The fused CPU engine (`--device cpu`) and burn's flex backend (`--device flex`) train the
/// same network to comparable test ICs on the planted market (their initial weights and
/// dropout masks come from different generators, so the numbers differ): both above 0.01.
#[test]
fn engine_and_burn_learn_alike() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "epochs = 3", 120, "2019-12-31");
    let mut ics = vec![];
    for device in ["cpu", "flex"] {
        let out = dir.path().join(device);
        let o = train_on(&cfg, &out, device);
        assert!(o.status.success(), "{}", stderr(&o));
        let (ic, rank_ic) = test_ic(&out);
        eprintln!("{device}: test IC {ic:.4}, rank IC {rank_ic:.4}");
        ics.push((device, ic, rank_ic));
    }
    for (device, ic, rank_ic) in ics {
        assert!(ic > 0.01 && rank_ic > 0.01, "{device}: IC {ic}, rank IC {rank_ic}");
    }
}

/// Same seed, same numbers (every metric of every epoch, and the test metrics); the
/// checkpoint reloads to the same test metrics.
#[test]
fn deterministic_and_reloadable() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "epochs = 1", 50, "2018-06-30");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = train(&cfg, out);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let strip = |p: &Path| {
        std::fs::read_to_string(p.join("metrics.csv"))
            .unwrap()
            .lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b), "metrics differ between two runs with the same seed");
    assert_eq!(std::fs::read_to_string(a.join("test.json")).unwrap(), std::fs::read_to_string(b.join("test.json")).unwrap());
    let o = alphasweep(&["eval", "--model", a.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (ic, _) = test_ic(&a);
    assert!(stdout(&o).contains(&format!("IC {ic:.4}")), "eval: {} vs test.json IC {ic:.4}", stdout(&o));
    assert!(std::fs::read_dir(&a).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with("pred_vs_actual_")));
}

/// An absurd learning rate without clipping makes the loss blow up: the run stops with a
/// clear error (exit 1), no panic, nothing saved.
#[test]
fn divergence_is_reported_not_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "epochs = 2", 40, "2018-06-30");
    let text = std::fs::read_to_string(&cfg).unwrap().replace("lr = 0.002", "lr = 1e30").replace("grad_clip = 1.0\n", "");
    std::fs::write(&cfg, text).unwrap();
    let out = dir.path().join("m");
    let o = train(&cfg, &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("training diverged"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    assert!(!out.join("model.mpk").exists());
}

#[test]
fn bad_model_configs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "epochs = 1", 40, "2018-06-30");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replace("units = 16", "units = 0")).unwrap();
    let o = train(&cfg, &dir.path().join("m"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("c.toml: [model] units = 0: must be at least 1"), "{}", stderr(&o));
    std::fs::write(&cfg, text.replace("\"VOL20\"]", "\"NOPE\"]")).unwrap();
    let o = train(&cfg, &dir.path().join("m"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown factor `NOPE`"), "{}", stderr(&o));
}

/// qlib's Alpha360 layout on a small scale (`feature_steps = 3`: 2 fields × 3 lags in one
/// day's factors): trains, reloads in `eval` to the same test IC, and a list in the wrong
/// order is refused naming the factor.
#[test]
fn steps_held_in_one_day_train_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "epochs = 2", 60, "2018-12-31");
    let exprs = "[factors.expr]\nC2 = \"Ref($close, 2)/$close\"\nC1 = \"Ref($close, 1)/$close\"\nC0 = \"$close/$close\"\n\
                 V2 = \"Ref($volume, 2)/($volume+1)\"\nV1 = \"Ref($volume, 1)/($volume+1)\"\nV0 = \"$volume/($volume+1)\"\n\n[dataset]\n";
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("[dataset]\n", exprs)
        .replace("mem_day = 10", "mem_day = 1\nfeature_steps = 3");
    let set = |list: &str| {
        let t = text.replace(r#"factors = ["S_VAL_PS", "S_FA_ROE", "Skewness20", "WVAD", "S_DQ_TURN", "VOL20"]"#, list);
        std::fs::write(&cfg, t).unwrap();
    };
    set(r#"factors = ["C2", "C1", "C0", "V2", "V1", "V0"]"#);
    let out = dir.path().join("model");
    let o = train(&cfg, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 factors x 3 steps"), "{}", stderr(&o));
    let (ic, _) = test_ic(&out);
    let o = alphasweep(&["eval", "--model", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("IC {ic:.4}")), "eval: {} vs test.json IC {ic:.4}", stdout(&o));
    set(r#"factors = ["C0", "C1", "C2", "V2", "V1", "V0"]"#);
    let o = train(&cfg, &dir.path().join("bad"));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("factor 1 is `C0`"), "{}", stderr(&o));
}

/// `--precision bf16` trains on the CPU engine, says how it runs, and is recorded in the
/// checkpoint's config (fp32 is not written, so older checkpoints read the same); `auto` is
/// recorded as what it became on this CPU; burn's backends have f32 products only and
/// refuse bf16.
#[test]
fn precision_is_recorded_and_refused_where_not_built() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "epochs = 1", 40, "2018-06-30");
    let args = |out: &str, device: &str, p: &str| {
        let out = dir.path().join(out);
        alphasweep(&[
            "train",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--device",
            device,
            "--precision",
            p,
        ])
    };
    let recorded = |out: &str| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(out).join("config.json")).unwrap()).unwrap();
        v["train"]["precision"].as_str().map(str::to_string)
    };
    let o = args("bf16", "cpu", "bf16");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("precision: bf16"), "{}", stderr(&o));
    assert_eq!(recorded("bf16").as_deref(), Some("bf16"));
    let o = args("fp32", "cpu", "fp32");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(recorded("fp32"), None);
    let o = args("auto", "cpu", "auto");
    assert!(o.status.success(), "{}", stderr(&o));
    let native = alphasweep::engine::precision::native_bf16();
    assert_eq!(recorded("auto").as_deref(), native.then_some("bf16"), "auto records what ran");
    let o = args("flex", "flex", "bf16");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("fused CPU engine only") && stderr(&o).contains("--device flex"), "{}", stderr(&o));
}

/// `[dataset] factors = ["*"]` (every computed factor, as qlib's protocol configs feed
/// Alpha158/Alpha360) works in `train` alone, not only in `run`: the checkpoint names the
/// factors it read, so `eval` rebuilds the same data set.
#[test]
fn every_factor_star_trains_and_the_checkpoint_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), false, "epochs = 1", 60, "2018-12-31");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "[factors]\nstart = \"2016-03-01\"\n",
        "[factors]\nstart = \"2016-03-01\"\nset = []\n\n[factors.expr]\nMA5 = \"Mean($close, 5) / $close\"\nSTD10 = \"Std($close, 10) / $close\"\n",
    );
    let text = text.replace(
        "factors = [\"S_VAL_PS\", \"S_FA_ROE\", \"Skewness20\", \"WVAD\", \"S_DQ_TURN\", \"VOL20\"]",
        "factors = [\"*\"]",
    );
    assert!(text.contains("factors = [\"*\"]") && text.contains("MA5 ="), "{text}");
    std::fs::write(&cfg, text).unwrap();
    let out = dir.path().join("model");
    let o = train(&cfg, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(meta["dataset"]["factors"], serde_json::json!(["MA5", "STD10"]), "{meta}");
    let o = alphasweep(&["eval", "--model", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}
