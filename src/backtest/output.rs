//! What `alphasweep backtest` writes: summary.csv / summary.json (one row per portfolio
//! plus the benchmark), equity.csv (daily equity, CNY), positions_N.csv.gz and
//! trades_N.csv.gz per portfolio, blocked.csv (every blocked order attempt), and the plots
//! equity.png, drawdown.png and yearly_returns.png.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use serde::{Deserialize, Serialize};

use crate::backtest::BacktestConfig;
use crate::backtest::day_loop::BacktestRun;
use crate::backtest::metrics::yearly_returns;
use crate::backtest::rules::Market;
use crate::backtest::signal::SignalQuality;
use crate::backtest::summary::{Summary, benchmark_closes, returns};
use crate::error::{Error, Result};
use crate::plot::charts;

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, bytes)
}

fn write_gz(path: &Path, text: &str) -> Result<()> {
    let mut gz = GzEncoder::new(Vec::with_capacity(text.len() / 4), Compression::fast());
    gz.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))?;
    write(path, &gz.finish().map_err(|e| Error::io(path, e))?)
}

fn num(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { String::new() }
}

/// summary.csv: one row per portfolio, then the benchmark; blocked counts as
/// `blocked_<rule>` columns.
pub fn summary_csv(rows: &[Summary]) -> String {
    let rules: Vec<String> = rows.first().map(|r| r.blocked.keys().cloned().collect()).unwrap_or_default();
    let mut out = String::from(
        "portfolio,start,end,days,final_equity,total_return,ann_return,ann_volatility,sharpe,max_drawdown,\
         max_drawdown_peak,max_drawdown_trough,calmar,excess_ann_return,information_ratio,tracking_error,win_rate,\
         mean_turnover,total_costs,trades,blocked_buys,blocked_sells",
    );
    for r in &rules {
        let _ = write!(out, ",blocked_{r}");
    }
    out.push_str(",in_sample_days\n");
    for s in rows {
        let _ = write!(out, "{},{},{},{}", s.portfolio, s.start, s.end, s.days);
        for v in [s.final_equity, s.total_return, s.ann_return, s.ann_volatility, s.sharpe, s.max_drawdown] {
            let _ = write!(out, ",{}", num(v));
        }
        let _ = write!(out, ",{},{}", s.max_drawdown_peak, s.max_drawdown_trough);
        for v in
            [s.calmar, s.excess_ann_return, s.information_ratio, s.tracking_error, s.win_rate, s.mean_turnover, s.total_costs]
        {
            let _ = write!(out, ",{}", num(v));
        }
        let _ = write!(out, ",{},{},{}", s.trades, s.blocked_buys, s.blocked_sells);
        for r in &rules {
            let _ = write!(out, ",{}", s.blocked.get(r).copied().unwrap_or(0));
        }
        let _ = writeln!(out, ",{}", s.in_sample_days);
    }
    out
}

/// What a backtest was run on and how (`summary.json`'s `meta`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestMeta {
    pub alphasweep: String,
    /// The predictions file.
    pub predictions: String,
    /// The `model` values found in it.
    pub models: Vec<String>,
    pub prediction_rows: usize,
    /// Rows whose date or code the market data lacks.
    pub skipped_rows: usize,
    /// The market data's sources.
    pub market: Vec<String>,
    /// The benchmark index's code, if the data has one.
    pub benchmark: Option<String>,
    pub config: BacktestConfig,
    /// Traded days whose predictions are in-sample, most over the portfolios.
    pub in_sample_days: usize,
    /// What that means, in words (a WARNING when any day is in-sample).
    pub in_sample: String,
    pub timing: String,
}

/// `summary.json`: the settings and one row per portfolio plus the benchmark (the report
/// reads it back through this struct).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestRecord {
    pub meta: BacktestMeta,
    pub portfolios: Vec<Summary>,
    /// The scores' IC against the raw return they trade on (absent in older files).
    #[serde(default)]
    pub signal: Option<SignalQuality>,
}

/// Writes every table and plot into `dir` (which must exist); `meta` goes into summary.json.
pub fn write_all(dir: &Path, m: &Market, runs: &[BacktestRun], rows: &[Summary], record: BacktestRecord) -> Result<()> {
    write(&dir.join("summary.csv"), summary_csv(rows).as_bytes())?;
    crate::artifacts::write_json(&dir.join("summary.json"), &record)?;
    let days = &runs[0].days;
    let bench = benchmark_closes(m, days);
    let capital = runs[0].equity[0];
    let bench_equity: Option<Vec<f64>> = bench.as_ref().map(|c| {
        let r = returns(c);
        let mut v = vec![capital];
        for x in r {
            v.push(v.last().unwrap() * (1.0 + x));
        }
        v
    });
    let mut eq = String::from("date");
    for r in runs {
        let _ = write!(eq, ",top_{}", r.top);
    }
    if let Some((name, _)) = &m.benchmark {
        let _ = write!(eq, ",{name}");
    }
    eq.push('\n');
    for (i, &d) in days.iter().enumerate() {
        let _ = write!(eq, "{}", m.dates[d]);
        for r in runs {
            let _ = write!(eq, ",{}", num(r.equity[i]));
        }
        if let Some(b) = &bench_equity {
            let _ = write!(eq, ",{}", num(b[i]));
        }
        eq.push('\n');
    }
    write(&dir.join("equity.csv"), eq.as_bytes())?;
    let mut blocked = String::from("portfolio,date,code,side,rule\n");
    for r in runs {
        write_run(dir, m, r)?;
        for b in &r.blocked {
            let _ =
                writeln!(blocked, "top_{},{},{},{},{}", r.top, m.dates[b.day], m.stocks[b.stock], b.side.name(), b.rule.name());
        }
    }
    write(&dir.join("blocked.csv"), blocked.as_bytes())?;
    write_plots(dir, m, runs, bench_equity.as_deref())
}

/// positions_N.csv.gz and trades_N.csv.gz of one run.
fn write_run(dir: &Path, m: &Market, r: &BacktestRun) -> Result<()> {
    let first = r.days[0];
    let mut pos = String::from("date,code,shares,price,value,weight\n");
    for p in &r.positions {
        let value = p.shares * p.price;
        let eq = r.equity[p.day - first];
        let _ = writeln!(pos, "{},{},{},{},{},{}", m.dates[p.day], m.stocks[p.stock], p.shares, p.price, value, value / eq);
    }
    write_gz(&dir.join(format!("positions_{}.csv.gz", r.top)), &pos)?;
    let mut tr = String::from("date,code,side,shares,price,value,commission,stamp_tax\n");
    for t in &r.trades {
        let _ = writeln!(
            tr,
            "{},{},{},{},{},{},{},{}",
            m.dates[t.day],
            m.stocks[t.stock],
            t.side.name(),
            t.shares,
            t.price,
            t.value(),
            t.cost.commission,
            t.cost.stamp_tax
        );
    }
    write_gz(&dir.join(format!("trades_{}.csv.gz", r.top)), &tr)
}

fn drawdowns(v: &[f64]) -> Vec<f64> {
    let mut peak = f64::NEG_INFINITY;
    v.iter()
        .map(|&x| {
            peak = peak.max(x);
            x / peak - 1.0
        })
        .collect()
}

fn write_plots(dir: &Path, m: &Market, runs: &[BacktestRun], bench: Option<&[f64]>) -> Result<()> {
    let days = &runs[0].days;
    let dates: Vec<_> = days.iter().map(|&d| m.dates[d]).collect();
    let capital = runs[0].equity[0];
    let mut series: Vec<(String, Vec<f64>)> =
        runs.iter().map(|r| (format!("top {}", r.top), r.equity.iter().map(|v| v / capital).collect())).collect();
    if let (Some(b), Some((name, _))) = (bench, &m.benchmark) {
        series.push((format!("{name} (benchmark)"), b.iter().map(|v| v / capital).collect()));
    }
    let span = format!("{} .. {}", dates[0], dates[dates.len() - 1]);
    charts::lines(&dir.join("equity.png"), &format!("Equity after costs, {span}"), "equity / capital", &dates, &series)?;
    let dd: Vec<(String, Vec<f64>)> = series.iter().map(|(n, v)| (n.clone(), drawdowns(v))).collect();
    charts::lines(&dir.join("drawdown.png"), &format!("Drawdown, {span}"), "drawdown", &dates, &dd)?;
    let years: Vec<i32> = dates[1..].iter().map(|d| d.year()).collect();
    let per_year = |v: &[f64]| yearly_returns(&years, &returns(v));
    let labels: Vec<i32> = per_year(&series[0].1).iter().map(|x| x.0).collect();
    let panels: Vec<(String, Vec<f64>)> =
        series.iter().map(|(n, v)| (n.clone(), per_year(v).iter().map(|x| 100.0 * x.1).collect())).collect();
    let label = |i: usize| labels.get(i).map(|y| y.to_string()).unwrap_or_default();
    charts::bar_grid_labeled(&dir.join("yearly_returns.png"), "Return per calendar year (%)", &panels, "%", &label)
}
