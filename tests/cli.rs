//! The binary's commands end to end: exit codes, `--json`, configs, merging from the CLI.

mod common;

use common::{alphasweep, stderr, stdout};

const DAILY: &str = "date,code,open,high,low,close,volume,turnover\n\
2020-01-02,SH600000,10,10.5,9.8,10.2,1000,0.5\n\
2020-01-03,SH600000,10.2,10.4,10.0,10.1,0,\n\
2020-01-02,SZ000001,5,5.5,4.8,5.2,300,1.5\n";

fn folder(daily: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.csv"), daily).unwrap();
    dir
}

/// 3 stock-days, one suspended (volume 0); turnover missing on 1 of 3 → 33.33%.
#[test]
fn data_json_reports_counts() {
    let dir = folder(DAILY);
    let out = alphasweep(&["data", "--data", dir.path().to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["trading_days"], 2);
    assert_eq!(v["stocks"], 2);
    assert_eq!(v["suspended_stock_days"], 1);
    let turnover = v["fields"].as_array().unwrap().iter().find(|f| f["field"] == "turnover").unwrap();
    assert!((turnover["missing_share"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    // Without membership, members per day = stocks with a price: 2 on day 1, 1 on day 2.
    assert_eq!(v["members_per_day"]["min"], 1);
    assert_eq!(v["members_per_day"]["max"], 2);
}

/// Two standard folders merged: `b` wins `close` by preference and the disagreement is reported.
#[test]
fn merging_from_the_command_line() {
    let a = folder(DAILY);
    let b = folder("date,code,open,high,low,close,volume\n2020-01-02,SH600000,10,10.5,9.8,10.3,1000\n");
    let out = alphasweep(&[
        "data",
        "--data",
        a.path().to_str().unwrap(),
        "--data",
        b.path().to_str().unwrap(),
        "--prefer",
        "close=standard#2",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let close = v["disagreements"].as_array().unwrap().iter().find(|d| d["field"] == "close").unwrap();
    assert_eq!(close["winner"], "standard#2");
    assert_eq!(close["overlap"], 1);
    let bad = alphasweep(&["data", "--data", a.path().to_str().unwrap(), "--prefer", "close=qlib"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("prefer.close = \"qlib\": no source named `qlib`"), "{}", stderr(&bad));
}

#[test]
fn config_typos_and_bad_dates_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[data]\nstrat = \"2020-01-01\"\n").unwrap();
    let out = alphasweep(&["data", "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown field `strat`"), "{}", stderr(&out));
    let d = folder(DAILY);
    let out = alphasweep(&["data", "--data", d.path().to_str().unwrap(), "--start", "2021-01-01"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no trading days in the range 2021-01-01..end (data covers 2020-01-02..2020-01-03)"),
        "{}",
        stderr(&out)
    );
    let out = alphasweep(&["data", "--data", d.path().to_str().unwrap(), "--start", "2021-02-30"]);
    assert_eq!(out.status.code(), Some(2), "clap rejects a bad date with a usage error");
}

#[test]
fn no_source_is_explained() {
    let out = alphasweep(&["data"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no data: give --data PATH"), "{}", stderr(&out));
}
