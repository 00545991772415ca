//! `alphasweep factors` end to end on a small synthetic market.

mod common;

use common::{alphasweep, read_text, stderr, stdout};

const CONFIG: &str = r#"
[[data.sources]]
format = "synth"

[synth]
stocks = 40
start = "2019-01-01"
end = "2019-12-31"

[factors]
list = ["S_VAL_PS", "WVAD", "S_FA_ROE"]
start = "2019-03-01"
"#;

#[test]
fn writes_members_from_start_with_meta_and_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let out = dir.path().join("f.csv.gz");
    let o = alphasweep(&["factors", "--config", cfg.to_str().unwrap(), "--out", out.to_str().unwrap(), "--values", "both"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("S_FA_ROE"), "{}", stdout(&o));
    assert!(stdout(&o).contains("neutralized on: log total market cap"));
    let text = read_text(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "date,code,S_VAL_PS,S_VAL_PS_raw,WVAD,WVAD_raw,S_FA_ROE,S_FA_ROE_raw");
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 30 * 150, "{} rows", rows.len());
    assert!(rows.iter().all(|r| r[..10] >= *"2019-03-01"), "rows before [factors] start");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{}.meta.json", out.display())).unwrap()).unwrap();
    assert_eq!(meta["look_ahead"], false);
    assert_eq!(meta["coverage"].as_array().unwrap().len(), 3);
}

/// The paper's back-fill is allowed but says so: a LOOK_AHEAD column, the meta flag and a warning.
#[test]
fn paper_backfill_is_marked_as_look_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let out = dir.path().join("f.csv.gz");
    let o = alphasweep(&[
        "factors",
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--upsample",
        "paper-backfill",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("LOOK-AHEAD"), "{}", stderr(&o));
    assert!(read_text(&out).lines().next().unwrap().ends_with(",LOOK_AHEAD"));
    let meta = std::fs::read_to_string(format!("{}.meta.json", out.display())).unwrap();
    assert!(meta.contains("\"look_ahead\": true"));
}

#[test]
fn unknown_factors_and_unsupported_data_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let out = dir.path().join("f.csv.gz");
    let o = alphasweep(&["factors", "--config", cfg.to_str().unwrap(), "--out", out.to_str().unwrap(), "--list", "S_FA_ROEE"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown factor `S_FA_ROEE`"), "{}", stderr(&o));
    // Price-only data cannot give an accounting factor: a clear error listing what is missing.
    let daily = dir.path().join("d");
    std::fs::create_dir(&daily).unwrap();
    std::fs::write(daily.join("daily.csv"), "date,code,open,high,low,close,volume\n2020-01-02,SH600000,1,1,1,1,1\n").unwrap();
    let o = alphasweep(&["factors", "--data", daily.to_str().unwrap(), "--out", out.to_str().unwrap(), "--list", "S_FA_ROE"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("S_FA_ROE") && stderr(&o).contains("financials.net_profit"), "{}", stderr(&o));
}
