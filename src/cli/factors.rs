//! `alphasweep factors`: compute the paper's factors, clean them per date, write the long
//! table `date, code, <factors…>` for universe members, and print a coverage table.

use std::path::PathBuf;

use clap::Args;

use super::source::SourceArgs;
use alphasweep::factors::pit::Upsample;
use alphasweep::study::factors::{FactorsOptions, FactorsOutcome, Values, run as run_factors, unavailable_lines};

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
    let mut factors = cfg.factors.clone();
    if !a.list.is_empty() {
        factors.list = a.list.clone();
    }
    if let Some(u) = a.upsample {
        factors.upsample = u;
    }
    let load = a.source.load_options(&cfg)?;
    let outcome = run_factors(&FactorsOptions { load, factors, values: a.values, out: a.out.clone() })?;
    print_outcome(&outcome);
    Ok(())
}

/// The coverage table (stdout), then what was written (stderr), and the look-ahead warning.
pub fn print_outcome(o: &FactorsOutcome) {
    let t = &o.table;
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
    eprintln!(
        "factors: {} computed, {} unavailable, written to {} in {:.2} s",
        t.names.len(),
        t.unavailable.len(),
        o.out.display(),
        o.seconds
    );
    if t.look_ahead {
        eprintln!(
            "WARNING: upsample = paper_backfill: quarterly values were filled back over their own quarter, before they were published. These factors contain LOOK-AHEAD; the table has a LOOK_AHEAD column."
        );
    }
}
