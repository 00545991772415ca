//! `alphasweep screen`: single-factor analysis of every factor in a factor table, the
//! correlation matrices, and the selection of factors for the model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::source::SourceArgs;
use crate::data::field;
use crate::data::load::load;
use crate::factors::registry;
use crate::screen::input::read_factor_table;
use crate::screen::output::{screen_table, write_correlation, write_plots, write_selection};
use crate::screen::select::{Candidate, Criterion, select};
use crate::screen::{FactorScreen, correlation, coverage, screen_all};

#[derive(Debug, Args)]
pub struct ScreenArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The factor table written by `alphasweep factors`.
    #[arg(long)]
    pub factors: PathBuf,
    /// Output folder (tables, selection, correlation matrices, plots).
    #[arg(long)]
    pub out: PathBuf,
    /// Screen the raw values (`<code>_raw` columns) instead of the cleaned ones.
    #[arg(long)]
    pub raw: bool,
    /// Forward periods in trading days (default from [screen], else 1,5,10).
    #[arg(long, value_delimiter = ',')]
    pub periods: Vec<usize>,
    /// Selection criterion (default information-ratio).
    #[arg(long, value_enum)]
    pub criterion: Option<Criterion>,
}

pub fn run(a: ScreenArgs) -> anyhow::Result<()> {
    let cfg = a.source.config()?;
    let mut scfg = cfg.screen.clone();
    if !a.periods.is_empty() {
        scfg.periods = a.periods.clone();
    }
    if let Some(c) = a.criterion {
        scfg.select.criterion = c;
    }
    scfg.validate()?;
    let mut opts = a.source.load_options(&cfg)?;
    opts.start = None;
    opts.end = None;
    let panel = load(&opts).context("loading market data")?.panel;
    let cols = read_factor_table(&a.factors, &panel, a.raw).with_context(|| format!("reading {}", a.factors.display()))?;
    if cols.skipped_rows > 0 {
        eprintln!(
            "note: {} rows of {} have a date or code the market data lacks; skipped",
            cols.skipped_rows,
            a.factors.display()
        );
    }
    let Some(prices) = panel.adjusted(field::CLOSE) else { bail!("the market data has no close prices") };
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;

    let bar = ProgressBar::new(cols.names.len() as u64)
        .with_style(ProgressStyle::with_template("screening {bar:30} {pos}/{len} factors {elapsed}").expect("valid template"));
    let results = screen_all(&cols.names, &cols.values, &prices, &scfg, &|| bar.inc(1))?;
    bar.finish_and_clear();

    let categories: BTreeMap<String, String> = cols
        .names
        .iter()
        .map(|n| (n.clone(), registry::find(n).map_or("other", |s| s.category.paper_name()).to_string()))
        .collect();
    let refs: Vec<&crate::data::Matrix> = cols.values.iter().collect();
    let members = coverage(&refs);
    let corr = correlation::mean_spearman(&refs, Some(&members));
    let candidates: Vec<Candidate> = results
        .iter()
        .map(|r| Candidate {
            code: r.code.clone(),
            category: categories[&r.code].clone(),
            score: score(r, scfg.select.criterion),
            p_value: r.ic_summary[0].p_value_nw,
        })
        .collect();
    let decisions = select(&candidates, &corr, &scfg.select);

    std::fs::write(a.out.join("screen.csv"), screen_table(&results, &categories, scfg.quantiles))?;
    write_selection(&a.out, &decisions)?;
    write_correlation(&a.out, "correlation_all", "Mean daily Spearman correlation, all factors", &cols.names, &corr)?;
    let sub = |idx: &[usize]| -> (Vec<String>, Vec<Vec<f64>>) {
        (
            idx.iter().map(|&i| cols.names[i].clone()).collect(),
            idx.iter().map(|&i| idx.iter().map(|&j| corr[i][j]).collect()).collect(),
        )
    };
    let mut cats: Vec<&String> = categories.values().collect();
    cats.sort();
    cats.dedup();
    for cat in cats {
        let idx: Vec<usize> = (0..cols.names.len()).filter(|&i| &categories[&cols.names[i]] == cat).collect();
        let (l, m) = sub(&idx);
        write_correlation(&a.out, &format!("correlation_{cat}"), &format!("{cat}: mean daily Spearman correlation"), &l, &m)?;
    }
    let selected: Vec<usize> = (0..decisions.len()).filter(|&i| decisions[i].selected).collect();
    let (l, m) = sub(&selected);
    if !selected.is_empty() {
        write_correlation(&a.out, "correlation_selected", "Selected factors: mean daily Spearman correlation", &l, &m)?;
    }
    // Plots for the selected factors, or the six strongest when none passes.
    let mut shown: Vec<usize> = selected.clone();
    if shown.is_empty() {
        shown = (0..results.len()).collect();
        shown.sort_by(|&x, &y| candidates[y].score.abs().total_cmp(&candidates[x].score.abs()));
        shown.truncate(6);
    }
    let shown_refs: Vec<&FactorScreen> = shown.iter().map(|&i| &results[i]).collect();
    write_plots(&a.out, &panel.dates, &shown_refs, &format!("{}-day", scfg.periods[0]))?;
    let meta = serde_json::json!({
        "alphasweep": env!("CARGO_PKG_VERSION"),
        "factors": a.factors.display().to_string(),
        "look_ahead": cols.look_ahead,
        "config": scfg,
        "in_sample": "screening uses forward returns over the whole table's period: it is in-sample by construction",
    });
    std::fs::write(a.out.join("screen.json"), serde_json::to_string_pretty(&meta)?)?;

    print_summary(&results, &decisions);
    if cols.look_ahead {
        eprintln!(
            "WARNING: the factor table was made with paper_backfill accounts: LOOK-AHEAD; these figures overstate what was knowable."
        );
    }
    eprintln!("screen: {} factors, {} selected; written to {}", results.len(), selected.len(), a.out.display());
    Ok(())
}

fn score(r: &FactorScreen, c: Criterion) -> f64 {
    match c {
        Criterion::InformationRatio => r.long_short[0].information_ratio,
        Criterion::Ic => r.ic_summary[0].mean,
        Criterion::Icir => r.ic_summary[0].risk_adjusted,
        Criterion::Alpha => r.long_short[0].ann_alpha,
        Criterion::AnnReturn => r.long_short[0].ann_return,
    }
}

fn print_summary(results: &[FactorScreen], decisions: &[crate::screen::select::Decision]) {
    let p = results.first().map_or(1, |r| r.periods[0]);
    println!(
        "{:<28} {:<13} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8}  decision ({p}-day period)",
        "factor", "category", "IC", "ICIR", "IR", "ann.ret", "max.dd", "alpha"
    );
    for (r, d) in results.iter().zip(decisions) {
        let (ic, ls) = (&r.ic_summary[0], &r.long_short[0]);
        println!(
            "{:<28} {:<13} {:>8.4} {:>7.3} {:>8.3} {:>7.2}% {:>7.2}% {:>7.2}%  {}",
            r.code,
            d.category,
            ic.mean,
            ic.risk_adjusted,
            ls.information_ratio,
            100.0 * ls.ann_return,
            100.0 * ls.max_drawdown,
            100.0 * ls.ann_alpha,
            d.reason
        );
    }
}
