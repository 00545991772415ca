//! Bad company accounts, membership histories and adjusted-only bars through the binary:
//! an error naming file, line and column with a non-zero exit, or a warning that says what
//! the data means; never a silent wrong value or a panic.

mod common;

use common::{alphasweep, stderr, stdout};

/// `alphasweep data --data <file or folder> --format <format>`: (success, stdout, stderr).
fn data(path: &std::path::Path, format: &str) -> (bool, String, String) {
    let out = alphasweep(&["data", "--data", path.to_str().unwrap(), "--format", format]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "panic: {err}");
    (out.status.success(), stdout(&out), err)
}

#[test]
fn an_announcement_before_its_period_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("profit_data.csv");
    std::fs::write(&f, "code,pubDate,statDate,netProfit\nsh.600519,2020-04-22,2019-12-31,1\nsh.600519,2020-03-01,2020-03-31,1\n")
        .unwrap();
    let (ok, _, err) = data(&f, "baostock_accounts");
    assert!(!ok);
    assert!(
        err.contains("profit_data.csv:3: column `pubDate`: announced 2020-03-01, before its period ends (2020-03-31)"),
        "{err}"
    );
}

#[test]
fn two_different_reports_for_one_period_name_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let body = "code,pubDate,statDate,netProfit\nsh.600519,2020-04-22,2019-12-31,1\nsh.600519,2020-04-22,2019-12-31,2\n";
    std::fs::write(dir.path().join("profit_data.csv"), body).unwrap();
    let (ok, _, err) = data(dir.path(), "baostock_accounts");
    assert!(!ok);
    assert!(err.contains("profit_data.csv:3: column `netProfit`: SH600519 2019-12-31 already has 1 (line 2)"), "{err}");
}

#[test]
fn a_fifth_quarter_and_unknown_fields_in_the_pit_layout() {
    let dir = tempfile::tempdir().unwrap();
    let head = "date,period,value,field,symbol\n";
    std::fs::write(dir.path().join("sh600519.csv"), format!("{head}2020-04-22,201905,0.2,liabilityToAsset,sh600519\n")).unwrap();
    let (ok, _, err) = data(dir.path(), "qlib_pit");
    assert!(!ok);
    assert!(err.contains("sh600519.csv:2: column `period`: `201905` is not a quarter"), "{err}");
    std::fs::write(dir.path().join("sh600519.csv"), format!("{head}2020-04-22,201904,0.2,madeUpRatio,sh600519\n")).unwrap();
    let (ok, out, _) = data(dir.path(), "qlib_pit");
    assert!(ok);
    assert!(out.contains("not baostock quarterly fields, kept under their own names: madeUpRatio"), "{out}");
}

#[test]
fn adjusted_bars_alone_say_what_they_mean() {
    let dir = tempfile::tempdir().unwrap();
    let body = "date,code,open,high,low,close,volume,adjustflag\n\
                2020-01-02,sh.600519,8000,8100,7900,8050,1000,1\n2020-01-03,sh.600519,8050,8200,8000,8150,1200,1\n";
    std::fs::write(dir.path().join("stock_data_sh.600519.csv"), body).unwrap();
    let (ok, out, _) = data(dir.path(), "baostock");
    assert!(ok);
    assert!(out.contains("1 of 1 stocks have only adjusted bars, used as their prices (adj_factor 1)"), "{out}");
    assert!(out.contains("back-adjusted (adjustflag 1)"), "{out}");
}

#[test]
fn a_change_history_with_a_bad_direction_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("changes.csv");
    std::fs::write(&f, "announce_date,change_date,code,name,change\n2005-04-05,2005-04-08,600256,a,sideways\n").unwrap();
    let (ok, _, err) = data(&f, "index_changes");
    assert!(!ok);
    assert!(err.contains("changes.csv:2: column `change`: `sideways` is not `in` or `out`"), "{err}");
}
