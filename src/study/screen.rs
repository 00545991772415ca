//! The screen stage: single-factor analysis of every factor in a factor table (alphalens'
//! statistics), the correlation matrices, the selection of factors for the model, and the
//! plots; written to an output folder (`screen.csv`, `selection.csv`, `selected.txt`,
//! `correlation_*.csv/png`, plots, `screen.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::data::load::{LoadOptions, load_panel};
use crate::data::{Matrix, field};
use crate::error::{Error, Result, ResultExt};
use crate::factors::registry;
use crate::screen::input::read_factor_table_until;
use crate::screen::output::{screen_table, write_correlation, write_plots, write_selection};
use crate::screen::select::{Candidate, Criterion, Decision, select};
use crate::screen::{FactorScreen, ScreenConfig, correlation, coverage, screen_all};

/// What the screen stage needs.
#[derive(Clone, Debug)]
pub struct ScreenOptions {
    /// The market data (loaded from its first day; kept to the table's last day plus what
    /// the forward returns read after it).
    pub load: LoadOptions,
    /// The factor table written by the factors stage.
    pub factors: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Screen the raw values (`<code>_raw` columns) instead of the cleaned ones.
    pub raw: bool,
    pub config: ScreenConfig,
}

/// What it found.
pub struct ScreenOutcome {
    /// One per factor of the table, in its column order.
    pub results: Vec<FactorScreen>,
    /// The selection's verdict on each factor, same order.
    pub decisions: Vec<Decision>,
    /// Codes of the selected factors (also in `selected.txt`).
    pub selected: Vec<String>,
    /// The table was made with back-filled accounts (look-ahead).
    pub look_ahead: bool,
    /// Rows of the table whose date or code the market data lacks (skipped).
    pub skipped_rows: usize,
    /// Where the forward returns started.
    pub entry: crate::screen::Entry,
    /// The factor table screened and the output folder.
    pub factors: PathBuf,
    pub out: PathBuf,
}

/// Runs the stage.
pub fn run(o: &ScreenOptions) -> Result<ScreenOutcome> {
    let scfg = &o.config;
    scfg.validate()?;
    let mut opts = o.load.clone();
    (opts.start, opts.end) = (None, None);
    let mut panel = load_panel(&opts).context("loading market data")?;
    // A forward return reads `delay + period` days past its date: later days are dropped.
    let reach = scfg.entry.delay() + scfg.periods.iter().max().copied().unwrap_or(0);
    let cols = read_factor_table_until(&o.factors, &mut panel, o.raw, reach)
        .with_context(|| format!("reading {}", o.factors.display()))?;
    let Some(prices) = panel.adjusted(field::CLOSE) else {
        return Err(Error::Invalid("the market data has no close prices".into()));
    };
    std::fs::create_dir_all(&o.out).map_err(|e| Error::io(&o.out, e))?;

    let bar = ProgressBar::new(cols.names.len() as u64)
        .with_style(ProgressStyle::with_template("screening {bar:30} {pos}/{len} factors {elapsed}").expect("valid template"));
    let results = screen_all(&cols.names, &cols.values, &prices, scfg, &|| bar.inc(1))?;
    bar.finish_and_clear();

    let recorded = recorded_categories(&o.factors);
    let categories: BTreeMap<String, String> = cols
        .names
        .iter()
        .map(|n| {
            let cat = match registry::find(n) {
                Some(spec) => spec.category.paper_name(),
                None => recorded.get(n).map_or("other", String::as_str),
            };
            (n.clone(), cat.to_string())
        })
        .collect();
    let refs: Vec<&Matrix> = cols.values.iter().collect();
    let members = coverage(&refs);
    let corr = correlation::mean_spearman(&refs, Some(&members));
    let candidates: Vec<Candidate> = results
        .iter()
        .map(|r| Candidate {
            code: r.code.clone(),
            category: categories[&r.code].clone(),
            score: score(r, scfg.select.criterion),
            p_value: r.ic_summary[0].p_value_nw,
            rank_ic: r.ic_summary[0].mean,
        })
        .collect();
    let decisions = select(&candidates, &corr, &scfg.select);

    let write = |name: &str, text: String| {
        let path = o.out.join(name);
        crate::atomic::write(&path, text.as_bytes())
    };
    write("screen.csv", screen_table(&results, &categories, scfg.quantiles))?;
    write_selection(&o.out, &decisions)?;
    write_correlation(&o.out, "correlation_all", "Mean daily Spearman correlation, all factors", &cols.names, &corr)?;
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
        write_correlation(&o.out, &format!("correlation_{cat}"), &format!("{cat}: mean daily Spearman correlation"), &l, &m)?;
    }
    let selected: Vec<usize> = (0..decisions.len()).filter(|&i| decisions[i].selected).collect();
    if !selected.is_empty() {
        let (l, m) = sub(&selected);
        write_correlation(&o.out, "correlation_selected", "Selected factors: mean daily Spearman correlation", &l, &m)?;
    }
    // Plots for the selected factors, or the six strongest when none passes.
    let mut shown: Vec<usize> = selected.clone();
    if shown.is_empty() {
        shown = (0..results.len()).collect();
        shown.sort_by(|&x, &y| candidates[y].score.abs().total_cmp(&candidates[x].score.abs()));
        shown.truncate(6);
    }
    let shown_refs: Vec<&FactorScreen> = shown.iter().map(|&i| &results[i]).collect();
    write_plots(&o.out, &panel.dates, &shown_refs, &format!("{}-day", scfg.periods[0]))?;
    let meta = serde_json::json!({
        "alphasweep": env!("CARGO_PKG_VERSION"),
        "factors": o.factors.display().to_string(),
        "look_ahead": cols.look_ahead,
        "config": scfg,
        "returns": scfg.entry.describe(),
        "decided_by": scfg.select.criterion.name(),
        "in_sample": "screening uses forward returns over the whole table's period: it is in-sample by construction",
    });
    crate::artifacts::write_json(&o.out.join("screen.json"), &meta)?;
    let selected = selected.iter().map(|&i| results[i].code.clone()).collect();
    Ok(ScreenOutcome {
        results,
        decisions,
        selected,
        look_ahead: cols.look_ahead,
        skipped_rows: cols.skipped_rows,
        entry: scfg.entry,
        factors: o.factors.clone(),
        out: o.out.clone(),
    })
}

/// The statistic `c` ranks factors by (first period).
fn score(r: &FactorScreen, c: Criterion) -> f64 {
    match c {
        Criterion::InformationRatio => r.long_short[0].information_ratio,
        Criterion::Ic => r.ic_summary[0].mean,
        Criterion::Icir => r.ic_summary[0].risk_adjusted,
        Criterion::Alpha => r.long_short[0].ann_alpha,
        Criterion::AnnReturn => r.long_short[0].ann_return,
    }
}

/// The categories the factors stage recorded beside its table (`<table>.meta.json`): the
/// feature set (`alpha158`, `expr`, …) of each formulaic feature. Empty when there is none.
fn recorded_categories(table: &Path) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(format!("{}.meta.json", table.display())) else { return BTreeMap::new() };
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(&text) else { return BTreeMap::new() };
    let Some(rows) = meta["coverage"].as_array() else { return BTreeMap::new() };
    rows.iter().filter_map(|c| Some((c["code"].as_str()?.to_string(), c["category"].as_str()?.to_string()))).collect()
}
