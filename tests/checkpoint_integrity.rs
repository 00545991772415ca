//! A checkpoint is checked when loaded (issue 18): flipped bytes in `model.mpk` are an
//! error naming the file (before, they loaded and changed every score), and a network in
//! `config.json` that its own config does not give is refused (before, it was used).

mod common;

use common::{alphasweep, stderr};

const QUICK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/configs/sweep-quick.toml");

#[test]
fn damaged_weights_and_mixed_up_shapes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("s");
    let o =
        alphasweep(&["sweep", "--config", QUICK, "--set", "sweep.epochs=1", "--device", "cpu", "--out", sweep.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ckpt = std::fs::read_dir(sweep.join("checkpoints")).unwrap().flatten().next().unwrap().path();
    let model = ckpt.to_str().unwrap();
    let o = alphasweep(&["eval", "--model", model]);
    assert!(o.status.success(), "{}", stderr(&o));

    let weights = ckpt.join("model.mpk");
    let good = std::fs::read(&weights).unwrap();
    let mut bad = good.clone();
    // A byte in the middle of the weights: the old loader read it without a word.
    let i = bad.len() / 2;
    bad[i] ^= 0x40;
    std::fs::write(&weights, &bad).unwrap();
    let o = alphasweep(&["eval", "--model", model]);
    assert!(!o.status.success(), "eval accepted flipped weights");
    assert!(stderr(&o).contains("model.mpk") && stderr(&o).contains("damaged or was replaced"), "{}", stderr(&o));
    std::fs::write(&weights, &good).unwrap();

    let meta_path = ckpt.join("config.json");
    let text = std::fs::read_to_string(&meta_path).unwrap();
    let mut meta: serde_json::Value = serde_json::from_str(&text).unwrap();
    meta["network"]["dropout"] = serde_json::json!(0.3);
    std::fs::write(&meta_path, serde_json::to_string_pretty(&meta).unwrap()).unwrap();
    let o = alphasweep(&["predict", "--model", model, "--out", dir.path().join("p.csv").to_str().unwrap(), "--device", "cpu"]);
    assert!(!o.status.success(), "predict accepted a network its config does not give");
    assert!(stderr(&o).contains("is not the one its config gives"), "{}", stderr(&o));
}
