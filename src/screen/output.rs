//! Writing the screen's results: the factor × period table, the selection with reasons, the
//! correlation matrices (CSV), and the plots.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::data::Date;
use crate::error::Result;
use crate::plot::charts;
use crate::screen::FactorScreen;
use crate::screen::select::Decision;

fn write(path: &Path, text: &str) -> Result<()> {
    crate::atomic::write(path, text.as_bytes())
}

fn num(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { String::new() }
}

/// The table columns, one row per factor and period. Names follow alphalens where it has one.
pub fn screen_table(results: &[FactorScreen], categories: &BTreeMap<String, String>, quantiles: usize) -> String {
    let mut out = String::from(
        "factor,category,period,ann_alpha,beta,ann_return,max_drawdown,information_ratio,ann_vol,\
         ic_mean,ic_std,icir,ic_t,ic_p,ic_t_nw,ic_p_nw,ic_skew,ic_kurtosis,pearson_ic_mean,top_minus_bottom",
    );
    for q in 1..=quantiles {
        let _ = write!(out, ",mean_return_q{q}");
    }
    out.push_str(",turnover_top,turnover_bottom,rank_autocorrelation,ic_dates,rows,lost_forward,lost_binning,failed_dates\n");
    for r in results {
        for (k, p) in r.periods.iter().enumerate() {
            let (ic, ls, qr) = (&r.ic_summary[k], &r.long_short[k], &r.quantile_returns.mean[k]);
            let cat = categories.get(&r.code).map(String::as_str).unwrap_or("other");
            let cells = [
                ls.ann_alpha,
                ls.beta,
                ls.ann_return,
                ls.max_drawdown,
                ls.information_ratio,
                ls.ann_vol,
                ic.mean,
                ic.std,
                ic.risk_adjusted,
                ic.t_stat,
                ic.p_value,
                ic.t_stat_nw,
                ic.p_value_nw,
                ic.skew,
                ic.kurtosis,
                r.pearson_ic_summary[k].mean,
                qr[quantiles - 1] - qr[0],
            ];
            let _ = write!(out, "{},{cat},{p}", r.code);
            for c in cells.iter().chain(qr.iter()) {
                let _ = write!(out, ",{}", num(*c));
            }
            let t = &r.turnover[k];
            let _ = writeln!(
                out,
                ",{},{},{},{},{},{},{},{}",
                num(FactorScreen::mean_of(&t[quantiles - 1])),
                num(FactorScreen::mean_of(&t[0])),
                num(FactorScreen::mean_of(&r.rank_autocorrelation[k])),
                ic.n,
                r.rows.0,
                r.rows.1,
                r.rows.2,
                r.failed_dates
            );
        }
    }
    out
}

/// A square matrix as CSV with a header row and column.
pub fn matrix_csv(labels: &[String], m: &[Vec<f64>]) -> String {
    let mut out = format!("factor,{}\n", labels.join(","));
    for (l, row) in labels.iter().zip(m) {
        let _ = writeln!(out, "{l},{}", row.iter().map(|v| num(*v)).collect::<Vec<_>>().join(","));
    }
    out
}

/// Writes the selection files: `selection.csv` (every factor, kept or why not) and
/// `selected.txt` (one code per line).
pub fn write_selection(dir: &Path, decisions: &[Decision]) -> Result<()> {
    let mut csv = String::from("factor,category,score,decided_by,selected,reason\n");
    let mut txt = String::new();
    for d in decisions {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},\"{}\"",
            d.code,
            d.category,
            num(d.score),
            d.decided_by,
            d.selected,
            d.reason.replace('"', "'")
        );
        if d.selected {
            let _ = writeln!(txt, "{}", d.code);
        }
    }
    write(&dir.join("selection.csv"), &csv)?;
    write(&dir.join("selected.txt"), &txt)
}

/// Writes a correlation matrix as CSV and PNG heatmap under `stem`.
pub fn write_correlation(dir: &Path, stem: &str, title: &str, labels: &[String], m: &[Vec<f64>]) -> Result<()> {
    write(&dir.join(format!("{stem}.csv")), &matrix_csv(labels, m))?;
    charts::heatmap(&dir.join(format!("{stem}.png")), title, labels, m)
}

/// IC (60-day rolling mean), cumulative long-short returns and mean returns by quantile for
/// the given factors, first period.
pub fn write_plots(dir: &Path, dates: &[Date], shown: &[&FactorScreen], period_label: &str) -> Result<()> {
    let rolling = |x: &[f64]| -> Vec<f64> {
        (0..x.len())
            .map(|t| {
                let w: Vec<f64> = x[t.saturating_sub(59)..=t].iter().copied().filter(|v| v.is_finite()).collect();
                if w.len() >= 20 { w.iter().sum::<f64>() / w.len() as f64 } else { f64::NAN }
            })
            .collect()
    };
    let ic: Vec<(String, Vec<f64>)> = shown.iter().map(|r| (r.code.clone(), rolling(&r.ic[0]))).collect();
    charts::lines(
        &dir.join("ic.png"),
        &format!("Rank IC, {period_label} forward return (60-day rolling mean)"),
        "rank IC",
        dates,
        &ic,
    )?;
    let cum: Vec<(String, Vec<f64>)> = shown
        .iter()
        .map(|r| {
            let mut v = 1.0;
            (
                r.code.clone(),
                r.long_short_returns[0]
                    .iter()
                    .map(|x| {
                        if x.is_finite() {
                            v *= 1.0 + x;
                        }
                        v
                    })
                    .collect(),
            )
        })
        .collect();
    charts::lines(
        &dir.join("long_short.png"),
        &format!("Factor-weighted long-short portfolio, {period_label} returns, compounded"),
        "growth of 1",
        dates,
        &cum,
    )?;
    let bars: Vec<(String, Vec<f64>)> =
        shown.iter().map(|r| (r.code.clone(), r.quantile_returns.mean[0].iter().map(|v| v * 1e4).collect())).collect();
    charts::bar_grid(
        &dir.join("quantile_returns.png"),
        &format!("Mean {period_label} return by factor quantile, demeaned (bp)"),
        &bars,
        "bp",
    )
}
