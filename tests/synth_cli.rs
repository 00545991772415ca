//! `alphasweep synth` and `demo` end to end: same seed, same bytes; the output loads back as
//! the standard format with every field and file the loaders know.

mod common;

use common::{alphasweep, stderr, stdout};

fn synth(dir: &std::path::Path, extra: &[&str]) {
    let mut args =
        vec!["synth", "--out", dir.to_str().unwrap(), "--stocks", "40", "--start", "2019-01-01", "--end", "2020-06-30"];
    args.extend_from_slice(extra);
    let out = alphasweep(&args);
    assert!(out.status.success(), "{}", stderr(&out));
}

const FILES: [&str; 6] =
    ["daily.csv.gz", "index.csv.gz", "universe.csv.gz", "industry.csv.gz", "financials.csv.gz", "synth_truth.csv.gz"];

#[test]
fn same_seed_same_bytes_other_seed_differs() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    synth(a.path(), &["--seed", "7"]);
    synth(b.path(), &["--seed", "7"]);
    synth(c.path(), &["--seed", "8"]);
    for f in FILES {
        let (x, y) = (std::fs::read(a.path().join(f)).unwrap(), std::fs::read(b.path().join(f)).unwrap());
        assert!(x == y, "{f} differs between two runs with the same seed");
    }
    assert_ne!(std::fs::read(a.path().join("daily.csv.gz")).unwrap(), std::fs::read(c.path().join("daily.csv.gz")).unwrap());
}

#[test]
fn synthetic_market_loads_back_with_everything() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), &[]);
    let out = alphasweep(&["data", "--data", dir.path().to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["stocks"], 40);
    assert!(v["has_membership"].as_bool().unwrap());
    assert_eq!(v["indices"][0], "SH000300");
    assert!(v["financial_reports"].as_u64().unwrap() > 40 * 5);
    assert!(v["suspended_stock_days"].as_u64().unwrap() > 0);
    // Every paper factor is computable from the synthetic market.
    for cat in v["factor_support"].as_array().unwrap() {
        assert!(cat["unavailable"].as_array().unwrap().is_empty(), "{cat}");
        assert!(cat["derived"].as_array().unwrap().is_empty(), "{cat}");
    }
}

/// `--null` keeps the market and removes the signal: the truth file's alpha columns are all 0.
#[test]
fn null_market_has_zero_alpha() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), &["--null"]);
    let gz = std::fs::read(dir.path().join("synth_truth.csv.gz")).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(&gz[..]), &mut text).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert!(header.contains(&"alpha"), "{header:?}");
    let mut rows = 0;
    for l in lines {
        for v in l.split(',').skip(2) {
            assert!(v.is_empty() || v.parse::<f64>().unwrap() == 0.0, "non-zero alpha in null market: {l}");
        }
        rows += 1;
    }
    assert!(rows > 1000);
}

#[test]
fn demo_runs_and_writes_the_market() {
    let dir = tempfile::tempdir().unwrap();
    let out = alphasweep(&["demo", "--out", dir.path().to_str().unwrap(), "--stocks", "30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("paper factors this data supports"));
    assert!(dir.path().join("market/daily.csv.gz").is_file());
}

#[test]
fn bad_synth_configs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = alphasweep(&["synth", "--out", dir.path().to_str().unwrap(), "--stocks", "0"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
    let out = alphasweep(&["synth", "--out", dir.path().to_str().unwrap(), "--start", "2020-01-01", "--end", "2019-01-01"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
