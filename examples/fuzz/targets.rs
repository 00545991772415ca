//! The fuzz targets: each feeds one input to a loader or parser the way a user's file
//! reaches it. An `Err` is a handled rejection; only a panic (or a hang) is a finding.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;

use alphasweep::data::source::Source;
use alphasweep::data::table::Table;
use alphasweep::data::{Panel, accounts, baostock, membership, qlib, standard};

use crate::mutate::unbundle;

/// Target names, as `scripts/fuzz.sh` and the corpus folders name them.
pub const NAMES: [&str; 9] =
    ["standard", "qlib", "baostock", "accounts", "qlib_pit", "index_changes", "config", "expr", "ledger"];

/// An in-memory folder from a bundle.
fn folder(input: &[u8], single: &str) -> Source {
    Source::Archive { path: PathBuf::from("fuzz-input"), files: unbundle(input, single) }
}

/// Runs target `name` on `input`: `Ok(outcome)` when the input was read or rejected with an
/// error (the outcome's text classes the behaviour, for the corpus to keep new ones).
pub fn run(name: &str, input: &[u8]) -> String {
    let r: Result<String, String> = match name {
        "standard" => standard::read_standard(&folder(input, "daily.csv")).map(shape).map_err(|e| e.to_string()),
        "qlib" => qlib::read_qlib(&folder(input, "calendars/day.txt"), None, (None, None)).map(shape).map_err(|e| e.to_string()),
        "baostock" => baostock::read_baostock(&folder(input, "sh.600000.csv")).map(shape).map_err(|e| e.to_string()),
        "accounts" => alphasweep::data::assemble::accounts_panel(&folder(input, "profit_data.csv"), None)
            .map(|p| format!("{} reports", p.financials.map_or(0, |f| f.reports.len())))
            .map_err(|e| e.to_string()),
        "qlib_pit" => accounts::qlib_pit::read_pit(&folder(input, "sh600000.csv"))
            .map(|(f, _)| format!("{} reports", f.reports.len()))
            .map_err(|e| e.to_string()),
        "index_changes" => Table::new("changes.csv", Cursor::new(input.to_vec()))
            .and_then(membership::read_changes)
            .map(|h| format!("{} spells", h.spells.len()))
            .map_err(|e| e.to_string()),
        "config" => {
            let text = String::from_utf8_lossy(input);
            alphasweep::config::Config::from_str(&text, "fuzz.toml").map(|_| "config ok".to_string()).map_err(|e| e.to_string())
        }
        "expr" => expression(input),
        "ledger" => ledger(input),
        other => panic!("unknown target {other}"),
    };
    match r {
        Ok(s) => format!("ok: {s}"),
        Err(e) => format!("error: {}", class(&e)),
    }
}

/// Parses each line as a feature and evaluates them on a small market (windows, operators).
fn expression(input: &[u8]) -> Result<String, String> {
    static PANEL: OnceLock<Panel> = OnceLock::new();
    let panel = PANEL.get_or_init(|| {
        let cfg = alphasweep::data::synth::SynthConfig {
            stocks: 4,
            start: "2020-01-01".parse().unwrap(),
            end: "2020-06-30".parse().unwrap(),
            ..Default::default()
        };
        alphasweep::data::synth::generate(&cfg).expect("a small market").panel
    });
    let text = String::from_utf8_lossy(input);
    let mut features = vec![];
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).take(8).enumerate() {
        features.push(alphasweep::expr::feature(&format!("F{i}"), line, false).map_err(|e| e.to_string())?);
    }
    let out = alphasweep::expr::evaluate(panel, &features).map_err(|e| e.to_string())?;
    Ok(format!("{} features", out.values.len()))
}

/// Reads the input as a sweep's `ledger.csv`.
fn ledger(input: &[u8]) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("alphasweep-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("ledger.csv");
    std::fs::write(&path, input).map_err(|e| e.to_string())?;
    alphasweep::sweep::ledger::read_rows_checked::<alphasweep::sweep::ledger::LedgerRow>(&path)
        .map(|r| format!("{} rows, {} skipped", r.rows.len(), r.skipped))
        .map_err(|e| e.to_string())
}

fn shape(p: Panel) -> String {
    format!("{} dates x {} stocks, {} fields", p.dates.len(), p.stocks.len(), p.fields.len())
}

/// The kind of an error: its message with numbers, quoted values and parenthesized lists
/// blanked, cut to 60 characters (file, line and the rule, not the bytes that broke it).
fn class(e: &str) -> String {
    let mut out = String::new();
    let (mut quoted, mut depth) = (false, 0);
    for c in e.chars() {
        match c {
            '`' => quoted = !quoted,
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            _ if quoted || depth > 0 => {}
            '0'..='9' => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            _ => out.push(c),
        }
    }
    out.chars().take(60).collect()
}
