//! `alphasweep screen`: single-factor analysis of every factor in a factor table, the
//! correlation matrices, and the selection of factors for the model.

use std::path::PathBuf;

use clap::Args;

use super::source::SourceArgs;
use alphasweep::screen::select::Criterion;
use alphasweep::study::screen::{ScreenOptions, ScreenOutcome, run as run_screen};

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
    let mut config = cfg.screen.clone();
    if !a.periods.is_empty() {
        config.periods = a.periods.clone();
    }
    if let Some(c) = a.criterion {
        config.select.criterion = c;
    }
    let load = a.source.load_options(&cfg)?;
    print_outcome(&run_screen(&ScreenOptions { load, factors: a.factors, out: a.out, raw: a.raw, config })?);
    Ok(())
}

/// The table of every factor with its decision (stdout), then notes and the count (stderr).
pub fn print_outcome(o: &ScreenOutcome) {
    if o.skipped_rows > 0 {
        eprintln!("note: {} rows of {} have a date or code the market data lacks; skipped", o.skipped_rows, o.factors.display());
    }
    let p = o.results.first().map_or(1, |r| r.periods[0]);
    println!(
        "{:<28} {:<13} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8}  decision ({p}-day period)",
        "factor", "category", "IC", "ICIR", "IR", "ann.ret", "max.dd", "alpha"
    );
    for (r, d) in o.results.iter().zip(&o.decisions) {
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
    if o.look_ahead {
        eprintln!(
            "WARNING: the factor table was made with paper_backfill accounts: LOOK-AHEAD; these figures overstate what was knowable."
        );
    }
    eprintln!("screen: {} factors, {} selected; written to {}", o.results.len(), o.selected.len(), o.out.display());
    eprintln!("screen: {}", o.entry.describe());
}
