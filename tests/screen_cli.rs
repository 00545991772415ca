//! `alphasweep screen` end to end: factors from a small synthetic market, then the screen's
//! files: table, selection with reasons, correlation matrices and PNG plots.

mod common;

use common::{alphasweep, stderr, stdout};

const CONFIG: &str = r#"
[[data.sources]]
format = "synth"

[synth]
stocks = 60
start = "2018-01-01"
end = "2019-12-31"

[factors]
start = "2018-03-01"

[screen]
periods = [1, 5]
"#;

#[test]
fn screen_writes_tables_selection_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let table = dir.path().join("f.csv.gz");
    let o = alphasweep(&["factors", "--config", cfg.to_str().unwrap(), "--out", table.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("screen");
    let o = alphasweep(&[
        "screen",
        "--config",
        cfg.to_str().unwrap(),
        "--factors",
        table.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Skewness20"));
    let screen = std::fs::read_to_string(out.join("screen.csv")).unwrap();
    assert_eq!(screen.lines().count(), 1 + 41 * 2, "one row per factor and period");
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .starts_with("factor,category,period,ann_alpha,beta,ann_return,max_drawdown,information_ratio")
    );
    let selection = std::fs::read_to_string(out.join("selection.csv")).unwrap();
    assert_eq!(selection.lines().count(), 42);
    let selected = std::fs::read_to_string(out.join("selected.txt")).unwrap();
    for code in selected.lines() {
        assert!(selection.contains(&format!("{code},")) && selection.contains("selected"), "{code}");
    }
    for f in ["correlation_all", "correlation_value_factor", "correlation_risk_factor", "ic", "long_short", "quantile_returns"] {
        let png = std::fs::read(out.join(format!("{f}.png"))).unwrap_or_else(|e| panic!("{f}.png: {e}"));
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{f}.png is not a PNG");
    }
    let meta = std::fs::read_to_string(out.join("screen.json")).unwrap();
    assert!(meta.contains("\"look_ahead\": false"));
}

#[test]
fn bad_screen_settings_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, CONFIG.replace("periods = [1, 5]", "periods = [0]")).unwrap();
    let o = alphasweep(&[
        "screen",
        "--config",
        cfg.to_str().unwrap(),
        "--factors",
        "x.csv.gz",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("screen.periods must be positive"), "{}", stderr(&o));
    std::fs::write(&cfg, CONFIG).unwrap();
    let o = alphasweep(&[
        "screen",
        "--config",
        cfg.to_str().unwrap(),
        "--factors",
        "/no/such.csv.gz",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such.csv.gz"), "{}", stderr(&o));
}
