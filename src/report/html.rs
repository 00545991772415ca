//! `report.html`: the run folder's story, stage by stage, from the files the stages wrote:
//! data summary, screening table and heatmaps, selected factors, sweep results and plots,
//! the best model's predicted-versus-actual plot, and the backtest comparison and curves.
//! Plots are linked beside the report (relative paths); every period is labeled and
//! in-sample figures are marked.

use std::fmt::Write as _;
use std::path::Path;

use crate::artifacts::{EvalRecord, RunRecord, Span, SplitRecord, read_json};
use crate::backtest::output::BacktestRecord;
use crate::error::Result;
use crate::sweep::summary::SweepSummary;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// A CSV file as an HTML table (first `max_rows` rows; numbers shortened to 4 decimals).
fn csv_table(path: &Path, max_rows: usize, columns: Option<&[&str]>) -> String {
    let Ok(mut r) = csv::Reader::from_path(path) else {
        return format!("<p class=missing>{} not found</p>", esc(&path.display().to_string()));
    };
    let Ok(header) = r.headers().cloned() else { return String::new() };
    let pick: Vec<usize> = match columns {
        Some(cols) => cols.iter().filter_map(|c| header.iter().position(|h| h == *c)).collect(),
        None => (0..header.len()).collect(),
    };
    let mut out = String::from("<table><tr>");
    for &i in &pick {
        let _ = write!(out, "<th>{}</th>", esc(&header[i]));
    }
    out.push_str("</tr>\n");
    for rec in r.records().flatten().take(max_rows) {
        out.push_str("<tr>");
        for &i in &pick {
            let v = rec.get(i).unwrap_or("");
            let shown = match v.parse::<f64>() {
                Ok(x) if v.contains('.') && x.is_finite() => format!("{x:.4}"),
                _ => v.to_string(),
            };
            let _ = write!(out, "<td>{}</td>", esc(&shown));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

fn img(out: &Path, rel: &str, caption: &str) -> String {
    if out.join(rel).is_file() {
        format!("<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n", esc(rel), esc(caption), esc(caption))
    } else {
        String::new()
    }
}

/// A record the stages wrote, read through the struct that wrote it; None (and a note in
/// the report) when it is missing or does not parse.
fn record<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    read_json(path).ok()
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;font-size:13px;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}\
th{background:#f0f0f0}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:12px}\
img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}.warn{background:#fff0f0;border-left:4px solid #c00;padding:.5em}\
.note{background:#f0f6ff;border-left:4px solid #36c;padding:.5em}";

/// Writes `out/report.html` for the run folder `out`; `best` is the best checkpoint folder.
pub fn write_report(out: &Path, best: &Path) -> Result<()> {
    let mut h = format!(
        "<!doctype html><html><head><meta charset=utf-8><title>alphasweep report</title><style>{STYLE}</style></head><body>\n"
    );
    let run: Option<RunRecord> = record(&out.join("run.json"));
    let split: Option<SplitRecord> = record(&out.join("sweep/split.json"));
    let look_ahead = split.as_ref().is_some_and(|s| s.look_ahead);
    let _ = writeln!(
        h,
        "<h1>alphasweep report</h1><p>alphasweep {} &middot; command: <code>{}</code> &middot; resolved config: <a href=config.toml>config.toml</a></p>",
        esc(run.as_ref().map_or("?", |r| r.alphasweep.as_str())),
        esc(run.as_ref().map_or("?", |r| r.command.as_str()))
    );
    let span = |k: Option<&Span>| match k {
        Some(s) => format!("{} .. {} ({} samples)", s.first, s.last, s.samples),
        None => "? .. ? (0 samples)".to_string(),
    };
    let _ = writeln!(
        h,
        "<div class={}><b>Periods.</b> Model training: {}; validation (model selection): {}; test (out-of-sample): {}. {}</div>",
        if look_ahead { "warn" } else { "note" },
        span(split.as_ref().and_then(|s| s.train.as_ref())),
        span(split.as_ref().and_then(|s| s.valid.as_ref())),
        span(split.as_ref().and_then(|s| s.test.as_ref())),
        if look_ahead {
            "<b>LOOK-AHEAD:</b> this run uses the paper's random split (or back-filled accounts): no figure below is out-of-sample."
        } else {
            "Splits are in time order with gaps; only the test period and later are out-of-sample."
        }
    );

    h.push_str("<h2>1. Data</h2>\n");
    let _ = writeln!(h, "<pre>{}</pre>", esc(&read(&out.join("data_summary.txt")).unwrap_or_default()));

    h.push_str("<h2>2. Factor screening</h2>\n<p class=note>Screened on the training period only (factors_train.csv.gz), so the choice of factors does not see the validation or test periods.</p>\n");
    h.push_str(&csv_table(&out.join("screen/selection.csv"), 60, None));
    for (f, c) in [
        ("screen/correlation_selected.png", "Selected factors: mean daily Spearman correlation"),
        ("screen/correlation_all.png", "All factors: mean daily Spearman correlation"),
        ("screen/ic.png", "Rank IC of the shown factors (training period)"),
        ("screen/quantile_returns.png", "Mean return by factor quantile (training period)"),
        ("screen/long_short.png", "Factor-weighted long-short portfolios (training period)"),
    ] {
        h.push_str(&img(out, f, c));
    }

    h.push_str("<h2>3. Sweep</h2>\n");
    let summary: Option<SweepSummary> = record(&out.join("sweep/summary.json"));
    let _ = writeln!(
        h,
        "<p>{} trials; {} epochs run of {} for the full grid; selection by {} on the validation period; test metrics shown for information only.</p>",
        summary.as_ref().map_or(0, |s| s.trials),
        summary.as_ref().map_or(0, |s| s.epochs_run),
        summary.as_ref().map_or(0, |s| s.epochs_full),
        esc(&summary
            .as_ref()
            .and_then(|s| serde_json::to_value(s.selection).ok())
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_else(|| "?".into()))
    );
    h.push_str(&csv_table(
        &out.join("sweep/ledger.csv"),
        25,
        Some(&[
            "trial",
            "status",
            "best_epoch",
            "score",
            "valid_ic",
            "valid_rank_ic",
            "test_ic",
            "test_rank_ic",
            "seconds",
            "checkpoint",
        ]),
    ));
    h.push_str(&img(out, "sweep/score_by_param.png", "Selection score by hyperparameter"));
    h.push_str(&img(out, "sweep/curves_top.png", "Valid IC by epoch, top trials"));

    h.push_str("<h2>4. Best model</h2>\n");
    let rel_best = best.strip_prefix(out).unwrap_or(best).display().to_string();
    let eval: Option<EvalRecord> = record(&best.join("eval.json"));
    let m = |f: fn(&EvalRecord) -> f64| eval.as_ref().map_or(f64::NAN, f);
    let _ = writeln!(
        h,
        "<p><code>{}</code>: test{} IC {:.4}, rank IC {:.4}, direction {:.3}.</p>",
        esc(&rel_best),
        if look_ahead { " (LOOK-AHEAD)" } else { " (out-of-sample)" },
        m(|e| e.test.ic),
        m(|e| e.test.rank_ic),
        m(|e| e.test.direction)
    );
    if let Ok(entries) = std::fs::read_dir(best) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("pred_vs_actual") && name.ends_with(".png") {
                h.push_str(&img(out, &format!("{rel_best}/{name}"), "Predicted vs actual label, one stock, test period"));
            }
        }
    }

    h.push_str("<h2>5. Backtest</h2>\n");
    let bt: Option<BacktestRecord> = record(&out.join("backtest/summary.json"));
    if bt.is_none() && !out.join("backtest/summary.csv").is_file() {
        h.push_str("<p class=missing>No backtest in this run folder.</p>\n");
    } else {
        if let Some(meta) = bt.as_ref().map(|b| &b.meta) {
            let class = if meta.in_sample_days > 0 { "warn" } else { "note" };
            let _ = writeln!(h, "<p class={class}>{}</p>", esc(&meta.in_sample));
        }
        h.push_str("<p>Signal at the close of t, trade at the close of t+1; costs: commission and stamp tax as configured (see backtest/summary.json).</p>\n");
        h.push_str(&csv_table(&out.join("backtest/summary.csv"), 20, None));
        for (f, c) in [
            ("backtest/equity.png", "Equity curves against the CSI 300 benchmark"),
            ("backtest/drawdown.png", "Drawdowns"),
            ("backtest/yearly_returns.png", "Return per calendar year"),
        ] {
            h.push_str(&img(out, f, c));
        }
    }
    h.push_str("</body></html>\n");
    let path = out.join("report.html");
    crate::atomic::write(&path, h.as_bytes())
}
