//! `alphasweep factors`: compute the paper's factors, clean them per date, write the long
//! table `date, code, <factors…>` for universe members, and print a coverage table.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::source::SourceArgs;
use crate::data::Matrix;
use crate::data::load::load;
use crate::data::standard::write::{Precision, write_long};
use crate::factors::pit::Upsample;
use crate::factors::{FactorTable, build_factors};

/// Which values to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Values {
    /// Cleaned values under the factor's code.
    Clean,
    /// Raw values (in the factor's unit) under the factor's code.
    Raw,
    /// Cleaned under the code, raw under `<code>_raw`.
    Both,
}

#[derive(Debug, Args)]
pub struct FactorsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output table (.csv.gz); a `<out>.meta.json` with the settings and coverage goes beside it.
    #[arg(long)]
    pub out: PathBuf,
    /// Values are written with float32 precision (about 7 significant digits).
    #[arg(long, value_enum, default_value = "clean")]
    pub values: Values,
    /// Comma-separated paper codes (default: the config's [factors] list, else all 41).
    #[arg(long, value_delimiter = ',')]
    pub list: Vec<String>,
    /// Quarterly → daily: point-in-time (default) or the paper's back-fill (look-ahead).
    #[arg(long, value_enum)]
    pub upsample: Option<Upsample>,
}

pub fn run(a: FactorsArgs) -> anyhow::Result<()> {
    let cfg = a.source.config()?;
    let mut fcfg = cfg.factors.clone();
    if !a.list.is_empty() {
        fcfg.list = a.list.clone();
    }
    if let Some(u) = a.upsample {
        fcfg.upsample = u;
    }
    // The date range bounds the output; the data is loaded whole so that rolling windows
    // and point-in-time accounts have their history.
    let mut opts = a.source.load_options(&cfg)?;
    fcfg.start = fcfg.start.or(opts.start);
    fcfg.end = fcfg.end.or(opts.end);
    opts.start = None;
    opts.end = None;
    let t = Instant::now();
    let panel = load(&opts).context("loading market data")?.panel;
    let table = build_factors(&panel, &fcfg)?;
    if table.names.is_empty() {
        anyhow::bail!("none of the requested factors can be computed from this data:\n{}", unavailable_lines(&table));
    }
    write_table(&panel, &table, a.values, &a.out)?;
    let meta = serde_json::json!({
        "alphasweep": env!("CARGO_PKG_VERSION"),
        "look_ahead": table.look_ahead,
        "config": fcfg,
        "neutralized_on": table.neutralized_on,
        "coverage": table.coverage,
        "unavailable": table.unavailable,
        "dates": [panel.dates.get(table.range.0).map(|d| d.to_string()), panel.dates.get(table.range.1.max(1) - 1).map(|d| d.to_string())],
    });
    let meta_path = PathBuf::from(format!("{}.meta.json", a.out.display()));
    std::fs::write(&meta_path, serde_json::to_string_pretty(&meta)?)
        .with_context(|| format!("writing {}", meta_path.display()))?;
    print_coverage(&table);
    eprintln!(
        "factors: {} computed, {} unavailable, written to {} in {:.2} s",
        table.names.len(),
        table.unavailable.len(),
        a.out.display(),
        t.elapsed().as_secs_f64()
    );
    if table.look_ahead {
        eprintln!(
            "WARNING: upsample = paper_backfill: quarterly values were filled back over their own quarter, before they were published. These factors contain LOOK-AHEAD; the table has a LOOK_AHEAD column."
        );
    }
    Ok(())
}

/// Writes member rows of the reported range.
fn write_table(panel: &crate::data::Panel, t: &FactorTable, values: Values, out: &Path) -> anyhow::Result<()> {
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
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

fn unavailable_lines(t: &FactorTable) -> String {
    t.unavailable.iter().map(|u| format!("  {:<28} needs {}", u.code, u.missing.join(", "))).collect::<Vec<_>>().join("\n")
}

fn print_coverage(t: &FactorTable) {
    println!("{:<28} {:<13} {:>9} {:>8} {:>8}  note", "factor", "category", "available", "filled", "clipped");
    for c in &t.coverage {
        println!(
            "{:<28} {:<13} {:>8.1}% {:>7.1}% {:>7.1}%  {}",
            c.code,
            c.category,
            100.0 * c.available,
            100.0 * c.filled,
            100.0 * c.clipped,
            c.derived.as_deref().map(|d| format!("derived: {d}")).unwrap_or_default()
        );
    }
    if !t.unavailable.is_empty() {
        println!("\nunavailable ({}):\n{}", t.unavailable.len(), unavailable_lines(t));
    }
    println!("\nneutralized on: {}", t.neutralized_on);
}
