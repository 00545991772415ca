//! One rulebook for every loader (src/data/bar_rules.rs and the folder rules beside it):
//! each case below exited 0 with wrong data, or panicked, before the rules existed. Each
//! writes a small folder and runs `alphasweep data` on it.

mod common;

use std::path::Path;

use common::{alphasweep, stderr};

const HEADER: &str = "date,code,open,high,low,close,volume";

/// Runs `alphasweep data` on `dir` and returns stderr, asserting exit 1 and no panic.
fn data_fails(dir: &Path) -> String {
    let out = alphasweep(&["data", "--data", dir.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "expected exit 1; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    err
}

fn daily_fails(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.csv"), format!("{HEADER}\n{body}")).unwrap();
    data_fails(dir.path())
}

#[test]
fn zero_prices_and_closes_outside_the_range_are_errors() {
    // Before: a zero close loaded as a price (a 0.09 volatility became 12.4).
    let e = daily_fails("2020-01-02,SH600000,10,10.5,9.8,0,1000\n");
    assert!(e.contains("daily.csv:2: column `close`: price 0: leave a missing price empty"), "{e}");
    let e = daily_fails("2020-01-02,SH600000,10,10.5,9.8,10.7,1000\n");
    assert!(e.contains("daily.csv:2: column `close`: close 10.7 is above high 10.5"), "{e}");
    let e = daily_fails("2020-01-02,SH600000,9.7,10.5,9.8,10,1000\n");
    assert!(e.contains("daily.csv:2: column `open`: open 9.7 is below low 9.8"), "{e}");
    let e = daily_fails("2020-01-02,SH600000,10,10.5,9.8,10,-5\n");
    assert!(e.contains("daily.csv:2: column `volume`: negative volume -5"), "{e}");
}

#[test]
fn a_baostock_export_follows_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    let body = "date,code,open,high,low,close,volume,adjustflag\n2020-01-02,sh.600000,10,10.5,9.8,10.7,1000,3\n";
    std::fs::write(dir.path().join("sh.600000.csv"), body).unwrap();
    let e = data_fails(dir.path());
    assert!(e.contains("sh.600000.csv:2: column `close`: close 10.7 is above high 10.5"), "{e}");
}

#[test]
fn an_index_file_follows_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.csv"), format!("{HEADER}\n2020-01-02,SH600000,10,10.5,9.8,10,1000\n")).unwrap();
    std::fs::write(dir.path().join("index.csv"), "date,close\n2020-01-02,0\n").unwrap();
    let e = data_fails(dir.path());
    assert!(e.contains("index.csv:2: column `close`: price 0"), "{e}");
}

#[test]
fn daily_csv_and_its_gz_twin_are_refused() {
    // Before: daily.csv silently won over daily.csv.gz.
    let dir = tempfile::tempdir().unwrap();
    let body = format!("{HEADER}\n2020-01-02,SH600000,10,10.5,9.8,10,1000\n");
    std::fs::write(dir.path().join("daily.csv"), &body).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, body.as_bytes()).unwrap();
    std::fs::write(dir.path().join("daily.csv.gz"), gz.finish().unwrap()).unwrap();
    let e = data_fails(dir.path());
    assert!(e.contains("daily.csv.gz: both daily.csv and daily.csv.gz exist: keep one"), "{e}");
}

#[test]
fn a_stray_weekend_row_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = format!("{HEADER}\n");
    for code in ["SH600000", "SH600004"] {
        for day in ["2020-01-02", "2020-01-03", "2020-01-06"] {
            body.push_str(&format!("{day},{code},10,10.5,9.8,10,1000\n"));
        }
    }
    body.push_str("2020-01-04,SH600009,10,10.5,9.8,10,1000\n");
    std::fs::write(dir.path().join("daily.csv"), body).unwrap();
    let out = alphasweep(&["data", "--data", dir.path().to_str().unwrap()]);
    let all = format!("{}{}", common::stdout(&out), stderr(&out));
    assert!(all.contains("2020-01-04 (a weekend): 1 row(s), e.g. SH600009 in"), "{all}");
}

#[test]
fn a_universe_with_no_priced_member_is_an_error() {
    // Before: a header-only factor table reported as 100% available.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.csv"), format!("{HEADER}\n2020-01-02,SH600000,10,10.5,9.8,10,1000\n")).unwrap();
    std::fs::write(dir.path().join("universe.csv"), "code,start_date,end_date\nSH600004,2020-01-01,2020-12-31\n").unwrap();
    let e = data_fails(dir.path());
    assert!(e.contains("the universe is empty over 2020-01-02..2020-01-02"), "{e}");
    assert!(e.contains("no member of the membership list has a price on these days"), "{e}");
}

/// One `.day.bin`: field name, start index, values.
type Bin<'a> = (&'a str, f32, &'a [f32]);

/// A qlib folder: a 3-day calendar and, per folder, its `.day.bin` files.
fn qlib_folder(dir: &Path, stocks: &[(&str, &[Bin])]) {
    std::fs::create_dir_all(dir.join("calendars")).unwrap();
    std::fs::write(dir.join("calendars/day.txt"), "2020-01-02\n2020-01-03\n2020-01-06\n").unwrap();
    for (folder, fields) in stocks {
        std::fs::create_dir_all(dir.join("features").join(folder)).unwrap();
        for (field, start, values) in *fields {
            let mut bin: Vec<u8> = start.to_le_bytes().to_vec();
            for v in *values {
                bin.extend(v.to_le_bytes());
            }
            std::fs::write(dir.join(format!("features/{folder}/{field}.day.bin")), bin).unwrap();
        }
    }
}

const BARS: [Bin; 6] = [
    ("open", 0.0, &[10.0, 10.0, 10.0]),
    ("high", 0.0, &[11.0, 11.0, 11.0]),
    ("low", 0.0, &[9.0, 9.0, 9.0]),
    ("close", 0.0, &[10.0, 10.5, 10.2]),
    ("volume", 0.0, &[100.0, 100.0, 100.0]),
    ("factor", 0.0, &[1.0, 1.0, 1.0]),
];

#[test]
fn a_qlib_bin_with_a_huge_start_index_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    qlib_folder(dir.path(), &[("sh600000", &[("close", 3.0e9, &[10.0])])]);
    let e = data_fails(dir.path());
    assert!(e.contains("close.day.bin: record 0 (start index) is 3000000000, past the calendar's 3 days"), "{e}");
}

#[test]
fn qlib_bars_follow_the_same_rules() {
    // Before: the qlib reader accepted negative prices and high < low.
    let dir = tempfile::tempdir().unwrap();
    let mut bars = BARS;
    bars[3] = ("close", 0.0, &[10.0, 11.5, 10.2]);
    qlib_folder(dir.path(), &[("sh600000", &bars)]);
    let e = data_fails(dir.path());
    assert!(e.contains("sh600000/close.day.bin: 2020-01-03 (calendar day 1): close 11.5 is above high 11"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    bars[3] = ("close", 0.0, &[10.0, 10.5, 10.2]);
    bars[2] = ("low", 0.0, &[9.0, 9.0, -9.0]);
    qlib_folder(dir.path(), &[("sh600000", &bars)]);
    let e = data_fails(dir.path());
    assert!(e.contains("sh600000/low.day.bin: 2020-01-06 (calendar day 2): negative price -9"), "{e}");
}

#[test]
fn a_qlib_stock_without_factor_among_stocks_with_one_is_refused() {
    // Before: its prices stayed adjusted while the others' became raw.
    let dir = tempfile::tempdir().unwrap();
    qlib_folder(dir.path(), &[("sh600000", &BARS), ("sh600004", &BARS[..5])]);
    let e = data_fails(dir.path());
    assert!(e.contains("1 of 2 stock folders have no factor.day.bin (sh600004)"), "{e}");
}

#[test]
fn qlib_folders_differing_in_case_are_refused() {
    // Before: one overwrote the other.
    let dir = tempfile::tempdir().unwrap();
    qlib_folder(dir.path(), &[("SH600000", &BARS), ("sh600000", &BARS)]);
    let e = data_fails(dir.path());
    assert!(e.contains("folders `SH600000` and `sh600000` are both SH600000"), "{e}");
}
