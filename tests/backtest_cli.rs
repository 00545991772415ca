//! `alphasweep backtest` end to end on the synthetic market: scores built from the planted
//! signal beat the index before costs; on the `--null` market neither random nor
//! reversal scores earn a positive excess return after costs; outputs, in-sample warnings
//! and bad rows.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use alphasweep::data::load::{Format, LoadOptions, load, spec};
use alphasweep::rng::Rng;
use common::{alphasweep, read_text, stderr, stdout};

fn synth(dir: &Path, null: bool) {
    let d = dir.to_str().unwrap();
    let mut args = vec!["synth", "--out", d, "--stocks", "80", "--start", "2019-01-01", "--end", "2020-12-31", "--seed", "5"];
    if null {
        args.push("--null");
    }
    let out = alphasweep(&args);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Predictions dated `t` with score `alpha[t + 1]`: the planted drift from close t + 1 to
/// t + 2, which the generator computes from data visible at t's close (docs/SYNTH.md), so a
/// trade at t + 1's close can earn it without look-ahead.
fn planted_predictions(dir: &Path) -> String {
    let text = read_text(&dir.join("synth_truth.csv.gz"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "alpha").unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut dates: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    dates.dedup();
    let mut out = String::from("date,code,score,model\n");
    for r in &rows {
        let i = dates.binary_search(&r[0]).unwrap();
        if i > 0 && !r[col].is_empty() {
            let _ = writeln!(out, "{},{},{},truth", dates[i - 1], r[1], r[col]);
        }
    }
    out
}

/// Random scores, and minus the 5-day return (a reversal), for every stock-day of the panel.
fn null_predictions(dir: &Path) -> (String, String) {
    let opts = LoadOptions { sources: vec![spec(dir, Format::Auto, None)], ..LoadOptions::default() };
    let p = load(&opts).unwrap().panel;
    let close = p.adjusted("close").unwrap();
    let mut rng = Rng::new(99);
    let (mut random, mut reversal) = (String::from("date,code,score,model\n"), String::from("date,code,score,model\n"));
    for d in 0..p.n_dates() {
        for (s, code) in p.stocks.iter().enumerate() {
            if !close.get(d, s).is_finite() {
                continue;
            }
            let _ = writeln!(random, "{},{code},{},random", p.dates[d], rng.normal());
            if d >= 5 && close.get(d - 5, s).is_finite() {
                let _ = writeln!(reversal, "{},{code},{},reversal", p.dates[d], 1.0 - close.get(d, s) / close.get(d - 5, s));
            }
        }
    }
    (random, reversal)
}

/// summary.csv as (portfolio, column → value).
fn summary(out: &Path) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), header.iter().cloned().zip(f.iter().map(|x| x.to_string())).collect())
        })
        .collect()
}

fn backtest(market: &Path, preds: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["backtest", "--data", market.to_str().unwrap(), "--predictions", preds.to_str().unwrap()];
    args.extend_from_slice(&["--out", out.to_str().unwrap(), "--top", "5,10,20"]);
    args.extend_from_slice(extra);
    let o = alphasweep(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

#[test]
fn planted_signal_beats_the_index_before_costs() {
    let dir = tempfile::tempdir().unwrap();
    let market = dir.path().join("market");
    synth(&market, false);
    let preds = dir.path().join("pred.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, planted_predictions(&market).as_bytes()).unwrap();
    std::fs::write(&preds, gz.finish().unwrap()).unwrap();
    let out = dir.path().join("out");
    let o = backtest(&market, &preds, &out, &["--no-costs"]);
    assert!(stdout(&o).contains("SH000300"), "{}", stdout(&o));
    let rows = summary(&out);
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["top_5", "top_10", "top_20", "SH000300"]);
    for (name, r) in &rows[..3] {
        let excess: f64 = r["excess_ann_return"].parse().unwrap();
        eprintln!("planted {name}: excess {excess}");
        assert!(excess > 0.05, "{name}: excess return before costs {excess}");
        assert_eq!(r["total_costs"], "0");
    }
    for f in ["summary.json", "equity.csv", "blocked.csv", "equity.png", "drawdown.png", "yearly_returns.png"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let eq = std::fs::read_to_string(out.join("equity.csv")).unwrap();
    assert!(eq.starts_with("date,top_5,top_10,top_20,SH000300\n"));
    let trades = read_text(&out.join("trades_10.csv.gz"));
    assert!(trades.starts_with("date,code,side,shares,price,value,commission,stamp_tax\n") && trades.lines().count() > 100);
    let pos = read_text(&out.join("positions_5.csv.gz"));
    assert!(pos.lines().skip(1).all(|l| l.split(',').count() == 6));
}

#[test]
fn null_market_earns_nothing_after_costs() {
    let dir = tempfile::tempdir().unwrap();
    let market = dir.path().join("market");
    synth(&market, true);
    let (random, reversal) = null_predictions(&market);
    for (name, text) in [("random", random), ("reversal", reversal)] {
        let preds = dir.path().join(format!("{name}.csv"));
        std::fs::write(&preds, text).unwrap();
        let out = dir.path().join(name);
        backtest(&market, &preds, &out, &["--rebalance", "weekly"]);
        for (p, r) in summary(&out).iter().take(3) {
            let excess: f64 = r["excess_ann_return"].parse().unwrap();
            let costs: f64 = r["total_costs"].parse().unwrap();
            eprintln!("null {name} {p}: excess {excess}");
            assert!(excess <= 0.01, "{name} {p}: excess return after costs {excess} in a null market");
            assert!(costs > 0.0);
        }
    }
}

#[test]
fn in_sample_is_flagged_and_bad_rows_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let market = dir.path().join("market");
    synth(&market, true);
    let (random, _) = null_predictions(&market);
    let preds = dir.path().join("p.csv");
    std::fs::write(&preds, &random).unwrap();
    let out = dir.path().join("out");
    let o = backtest(
        &market,
        &preds,
        &out,
        &["--in-sample", "2019-03-01..2019-03-31", "--start", "2019-02-01", "--end", "2019-06-28"],
    );
    assert!(stdout(&o).contains("WARNING: IN-SAMPLE"), "{}", stdout(&o));
    let rows = summary(&out);
    assert_eq!(rows[0].1["start"], "2019-02-01");
    assert_eq!(rows[0].1["end"], "2019-06-28");
    let n: usize = rows[0].1["in_sample_days"].parse().unwrap();
    assert!((20..=24).contains(&n), "{n} in-sample days for March 2019");
    let o = backtest(&market, &preds, &dir.path().join("out2"), &["--start", "2019-07-01"]);
    assert!(!stdout(&o).contains("IN-SAMPLE"));

    let mut bad: Vec<&str> = random.lines().take(5).collect();
    bad.push("2019-01-09,SH600001,oops,random");
    std::fs::write(&preds, bad.join("\n")).unwrap();
    let o = alphasweep(&[
        "backtest",
        "--data",
        market.to_str().unwrap(),
        "--predictions",
        preds.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("p.csv:6: column `score`: `oops` is not a number"), "{}", stderr(&o));
}
