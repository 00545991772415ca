//! `alphasweep sweep --device wgpu` end to end on the GPU engine (in CI over Mesa's lavapipe):
//! trials of mixed `units` and `mem_day`, LSTM and GRU, with and without attention pooling,
//! trained in packs give the same ledger (status, best epoch, valid and test IC within fp32
//! noise) as the same trials trained one by one (`--pack 1`); the checkpoints (all kept)
//! reload in `eval` and `predict`. Built only with `--features wgpu`.
#![cfg(feature = "wgpu")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{alphasweep, scores, stderr};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

fn sweep(out: &Path, pack: &str) {
    let o = alphasweep(&[
        "sweep",
        "--config",
        QUICK,
        "--out",
        out.to_str().unwrap(),
        "--device",
        "wgpu",
        "--pack",
        pack,
        "--jobs",
        "1",
        "--set",
        "synth.stocks=30",
        "--set",
        "synth.end=2017-12-31",
        "--set",
        "sweep.mem_days=[3,5]",
        "--set",
        "sweep.lstm_layers=[2]",
        "--set",
        "sweep.units=[4,8]",
        "--set",
        "sweep.epochs=2",
        "--set",
        r#"sweep.cell=["lstm","gru"]"#,
        "--set",
        "sweep.attention=[false,true]",
        "--set",
        "sweep.keep=16",
    ]);
    assert!(o.status.success(), "sweep --pack {pack} failed: {}", stderr(&o));
}

/// Ledger rows by trial: (status, best_epoch, device) and (valid_ic, test_ic).
fn ledger(dir: &Path) -> BTreeMap<String, (Vec<String>, [f64; 2])> {
    let text = std::fs::read_to_string(dir.join("ledger.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let num = |c: &str| f[col(c)].parse::<f64>().unwrap();
            let text = [col("status"), col("best_epoch"), col("device")].map(|i| f[i].to_string()).to_vec();
            (f[0].to_string(), (text, [num("valid_ic"), num("test_ic")]))
        })
        .collect()
}

/// `alphasweep predict` of checkpoint `ck` on `device` into `out`: its scores.
fn predicted(ck: &Path, out: &Path, device: &str) -> BTreeMap<(String, String), f64> {
    let o = alphasweep(&["predict", "--model", ck.to_str().unwrap(), "--out", out.to_str().unwrap(), "--device", device]);
    assert!(o.status.success(), "predict --device {device}: {}", stderr(&o));
    scores(out)
}

#[test]
fn a_packed_gpu_sweep_equals_the_same_trials_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let (packed, alone) = (dir.path().join("packed"), dir.path().join("alone"));
    sweep(&packed, "4");
    sweep(&alone, "1");
    let (a, b) = (ledger(&packed), ledger(&alone));
    assert_eq!(a.len(), 16, "sixteen trials");
    assert_eq!(a.keys().filter(|id| id.contains("-gru")).count(), 8, "eight GRU trials");
    assert_eq!(a.keys().filter(|id| id.ends_with("-att")).count(), 8, "eight with attention");
    for (id, (text, ics)) in &a {
        let (text_b, ics_b) = &b[id];
        assert_eq!(text, text_b, "{id}: status, best epoch, device");
        assert_eq!(text[0], "done");
        assert_eq!(text[2], "wgpu (alphasweep kernels)");
        for (x, y) in ics.iter().zip(ics_b) {
            assert!((x - y).abs() < 1e-4, "{id}: IC {x} packed vs {y} alone");
        }
    }
    let best = std::fs::read_dir(packed.join("checkpoints")).unwrap().next().unwrap().unwrap().path();
    let o = alphasweep(&["eval", "--model", best.to_str().unwrap()]);
    assert!(o.status.success(), "eval of a GPU-trained checkpoint failed: {}", stderr(&o));
    // GPU-trained GRU and GRU + attention checkpoints predict on the GPU engine what the CPU
    // engine predicts from them.
    for suffix in ["-gru", "-gru-att"] {
        let ck = std::fs::read_dir(packed.join("checkpoints"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("a {suffix} checkpoint kept"));
        let g = predicted(&ck, &dir.path().join(format!("g{suffix}.csv")), "wgpu");
        let c = predicted(&ck, &dir.path().join(format!("c{suffix}.csv")), "cpu");
        assert!(!g.is_empty() && g.keys().eq(c.keys()), "the same (date, code) rows");
        for ((at, x), y) in g.iter().zip(c.values()) {
            assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "{suffix} {at:?}: {x} on wgpu vs {y} on cpu");
        }
    }
}
