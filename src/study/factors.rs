//! The factors stage: load the market, compute the chosen paper factors, clean them per
//! date, and write the long table `date, code, <factors…>` for universe members with a
//! `<out>.meta.json` of the settings and coverage.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::data::Matrix;
use crate::data::load::{LoadOptions, load_panel};
use crate::data::standard::write::{Precision, write_long};
use crate::error::{Error, Result, ResultExt};
use crate::factors::{FactorConfig, FactorTable, build_clean_factors, build_factors};

/// Which values to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Values {
    /// Cleaned values under the factor's code.
    Clean,
    /// Raw values (in the factor's unit) under the factor's code.
    Raw,
    /// Cleaned under the code, raw under `<code>_raw`.
    Both,
}

/// What the factors stage needs.
#[derive(Clone, Debug)]
pub struct FactorsOptions {
    /// The market data; its `start`/`end` bound the written rows (the data is loaded whole,
    /// so rolling windows and point-in-time accounts have their history) unless `factors`
    /// names its own range.
    pub load: LoadOptions,
    pub factors: FactorConfig,
    pub values: Values,
    /// The table (`.csv.gz`); `<out>.meta.json` goes beside it.
    pub out: PathBuf,
}

/// What it made.
pub struct FactorsOutcome {
    pub table: FactorTable,
    /// The table written.
    pub out: PathBuf,
    pub seconds: f64,
}

/// Runs the stage.
pub fn run(o: &FactorsOptions) -> Result<FactorsOutcome> {
    let mut fcfg = o.factors.clone();
    let mut opts = o.load.clone();
    fcfg.start = fcfg.start.or(opts.start);
    fcfg.end = fcfg.end.or(opts.end);
    (opts.start, opts.end) = (None, None);
    let t = Instant::now();
    let mut panel = load_panel(&opts).context("loading market data")?;
    // Rows after `end` are not written, and no factor reads a later day.
    if let Some(end) = fcfg.end {
        panel.truncate_after(end, 0);
    }
    let table = if o.values == Values::Clean { build_clean_factors(&panel, &fcfg)? } else { build_factors(&panel, &fcfg)? };
    if table.names.is_empty() {
        return Err(Error::Invalid(format!(
            "none of the requested factors can be computed from this data:\n{}",
            unavailable_lines(&table)
        )));
    }
    write_table(&panel, &table, o.values, &o.out).with_context(|| format!("writing {}", o.out.display()))?;
    let meta = serde_json::json!({
        "alphasweep": env!("CARGO_PKG_VERSION"),
        "look_ahead": table.look_ahead,
        "config": fcfg,
        "neutralized_on": table.neutralized_on,
        "coverage": table.coverage,
        "unavailable": table.unavailable,
        "dates": [panel.dates.get(table.range.0).map(|d| d.to_string()), panel.dates.get(table.range.1.max(1) - 1).map(|d| d.to_string())],
    });
    crate::artifacts::write_json(&PathBuf::from(format!("{}.meta.json", o.out.display())), &meta)?;
    Ok(FactorsOutcome { table, out: o.out.clone(), seconds: t.elapsed().as_secs_f64() })
}

/// Writes member rows of the reported range.
fn write_table(panel: &crate::data::Panel, t: &FactorTable, values: Values, out: &Path) -> Result<()> {
    let mut names: Vec<String> = Vec::new();
    let mut mats: Vec<&Matrix> = Vec::new();
    for (i, n) in t.names.iter().enumerate() {
        if values != Values::Raw {
            names.push(n.clone());
            mats.push(&t.clean[i]);
        }
        if values != Values::Clean {
            names.push(if values == Values::Both { format!("{n}_raw") } else { n.clone() });
            mats.push(&t.raw[i]);
        }
    }
    let flag = t.look_ahead.then(|| Matrix {
        n_dates: panel.n_dates(),
        n_stocks: panel.n_stocks(),
        data: vec![1.0; panel.n_dates() * panel.n_stocks()],
    });
    if let Some(f) = &flag {
        names.push("LOOK_AHEAD".into());
        mats.push(f);
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (a, b, ns) = (t.range.0, t.range.1, panel.n_stocks());
    write_long(panel, out, &refs, &mats, Precision::F32, &|d, s| d >= a && d < b && t.mask[d * ns + s])
}

/// One line per factor that cannot be computed: its code and the inputs it lacks.
pub fn unavailable_lines(t: &FactorTable) -> String {
    t.unavailable.iter().map(|u| format!("  {:<28} needs {}", u.code, u.missing.join(", "))).collect::<Vec<_>>().join("\n")
}
