//! Bad input gives a clear error naming the file, line and column, a non-zero exit, and
//! never a panic. Each case writes a small standard-format (or qlib) folder and runs the
//! real binary on it.

mod common;

use std::io::Write;
use std::path::Path;

use common::{alphasweep, stderr};

const HEADER: &str = "date,code,open,high,low,close,volume";
const GOOD: &str = "2020-01-02,SH600000,10,10.5,9.8,10.2,1000\n2020-01-03,SH600000,10.2,10.4,10.0,10.1,1200\n";

/// Runs `alphasweep data` on a folder with `daily.csv` = `body` and returns stderr,
/// asserting a failing exit and no panic.
fn fails_with(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.csv"), body).unwrap();
    run_fails(dir.path())
}

fn run_fails(dir: &Path) -> String {
    let out = alphasweep(&["data", "--data", dir.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(!out.status.success(), "expected failure, got success; stderr: {err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    err
}

#[test]
fn short_row_names_its_line() {
    let e = fails_with(&format!("{HEADER}\n{GOOD}2020-01-06,SH600000,10,10.5,9.8\n"));
    assert!(e.contains("daily.csv:4: has 5 fields, the header has 7"), "{e}");
}

#[test]
fn non_numeric_value_names_line_and_column() {
    let e = fails_with(&format!("{HEADER}\n{GOOD}2020-01-06,SH600000,10,abc,9.8,10,100\n"));
    assert!(e.contains("daily.csv:4: column `high`: `abc` is not a number"), "{e}");
}

#[test]
fn duplicate_rows_are_rejected() {
    let e = fails_with(&format!("{HEADER}\n{GOOD}2020-01-03,SH600000,10.2,10.4,10.0,10.1,1200\n"));
    assert!(e.contains("daily.csv:4: duplicate row for (2020-01-03, SH600000), first at line 3"), "{e}");
}

#[test]
fn unsorted_dates_are_rejected() {
    let e =
        fails_with(&format!("{HEADER}\n2020-01-03,SH600000,10,10.5,9.8,10.2,1000\n2020-01-02,SH600000,10,10.5,9.8,10.2,1000\n"));
    assert!(e.contains("daily.csv:3: dates out of order for SH600000: 2020-01-02 after 2020-01-03"), "{e}");
}

#[test]
fn missing_required_column_is_named() {
    let e = fails_with("date,code,open,high,low,close\n2020-01-02,SH600000,10,10.5,9.8,10.2\n");
    assert!(e.contains("daily.csv: missing required column `volume`"), "{e}");
}

#[test]
fn empty_and_header_only_files_are_errors() {
    let e = fails_with("");
    assert!(e.contains("daily.csv: file is empty"), "{e}");
    let e = fails_with(&format!("{HEADER}\n"));
    assert!(e.contains("daily.csv: file is empty"), "{e}");
}

#[test]
fn a_utf8_bom_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.csv"), format!("\u{feff}{HEADER}\n{GOOD}")).unwrap();
    let out = alphasweep(&["data", "--data", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(common::stdout(&out).contains("2020-01-02 .. 2020-01-03  (2 trading days)"));
}

#[test]
fn negative_prices_are_rejected() {
    let e = fails_with(&format!("{HEADER}\n2020-01-02,SH600000,10,10.5,9.8,-10.2,1000\n"));
    assert!(e.contains("daily.csv:2: column `close`: negative price -10.2"), "{e}");
}

#[test]
fn high_below_low_is_rejected() {
    let e = fails_with(&format!("{HEADER}\n2020-01-02,SH600000,10,9.0,9.8,9.5,1000\n"));
    assert!(e.contains("daily.csv:2: column `high`: high 9 is below low 9.8"), "{e}");
}

#[test]
fn bad_dates_and_codes_are_named() {
    let e = fails_with(&format!("{HEADER}\n2020-02-30,SH600000,10,10.5,9.8,10.2,1000\n"));
    assert!(e.contains("daily.csv:2: column `date`: `2020-02-30` is not a date"), "{e}");
    let e = fails_with(&format!("{HEADER}\n2020-01-02,XYZ,10,10.5,9.8,10.2,1000\n"));
    assert!(e.contains("daily.csv:2: column `code`: `XYZ` is not a stock code"), "{e}");
}

#[test]
fn truncated_gzip_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut body = format!("{HEADER}\n");
    for i in 0..5000 {
        body.push_str(&format!("2020-01-02,SZ{:06},10,10.5,9.8,10.2,{i}\n", i + 1));
    }
    gz.write_all(body.as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    std::fs::write(dir.path().join("daily.csv.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let e = run_fails(dir.path());
    assert!(e.contains("daily.csv.gz: read failed after line"), "{e}");
    assert!(e.contains("truncated or corrupt"), "{e}");
}

/// A qlib folder whose close.day.bin lost two bytes: 4 + 3*4 - 2 = 14 bytes.
#[test]
fn truncated_qlib_bin_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("calendars")).unwrap();
    std::fs::create_dir_all(p.join("features/SH600000")).unwrap();
    std::fs::write(p.join("calendars/day.txt"), "2020-01-02\n2020-01-03\n2020-01-06\n").unwrap();
    let mut bin: Vec<u8> = Vec::new();
    for v in [0f32, 10.0, 10.5, 10.2] {
        bin.extend(v.to_le_bytes());
    }
    std::fs::write(p.join("features/SH600000/close.day.bin"), &bin[..14]).unwrap();
    let e = run_fails(p);
    assert!(e.contains("SH600000/close.day.bin: 14 bytes is not a whole number of float32 values: truncated file"), "{e}");
    // And one that runs past the calendar: start index 2 with 3 values on a 3-day calendar.
    let mut bin: Vec<u8> = Vec::new();
    for v in [2f32, 1.0, 2.0, 3.0] {
        bin.extend(v.to_le_bytes());
    }
    std::fs::write(p.join("features/SH600000/close.day.bin"), &bin).unwrap();
    let e = run_fails(p);
    assert!(e.contains("past the calendar's 3 days"), "{e}");
}

#[test]
fn unknown_folders_and_missing_paths_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let e = run_fails(dir.path());
    assert!(e.contains("unrecognised data folder"), "{e}");
    let out = alphasweep(&["data", "--data", "/no/such/folder"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/no/such/folder: No such file or directory"), "{}", stderr(&out));
}

#[test]
fn bad_optional_files_are_named_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("daily.csv"), format!("{HEADER}\n{GOOD}")).unwrap();
    std::fs::write(dir.path().join("universe.csv"), "code,start_date,end_date\nSH600000,2020-01-05,2020-01-01\n").unwrap();
    let e = run_fails(dir.path());
    assert!(e.contains("universe.csv:2: column `end_date`: end 2020-01-01 is before start 2020-01-05"), "{e}");
    std::fs::remove_file(dir.path().join("universe.csv")).unwrap();
    std::fs::write(
        dir.path().join("financials.csv"),
        "code,period_end,announce_date,revenue\nSH600000,2020-03-31,2020-03-01,5\n",
    )
    .unwrap();
    let e = run_fails(dir.path());
    assert!(e.contains("financials.csv:2: column `announce_date`: announced 2020-03-01, before the period ends"), "{e}");
}
