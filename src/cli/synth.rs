//! `alphasweep synth`: write the synthetic market in the standard format.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use crate::data::Date;
use crate::data::standard::write::write_matrices;
use crate::data::standard::write_standard;
use crate::data::synth::{SynthConfig, generate};

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Folder to write daily/index/universe/industry/financials .csv.gz into.
    #[arg(long)]
    pub out: PathBuf,
    /// Number of stocks.
    #[arg(long, default_value_t = 300)]
    pub stocks: usize,
    #[arg(long, default_value = "2015-01-01")]
    pub start: Date,
    #[arg(long, default_value = "2022-07-01")]
    pub end: Date,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Remove every planted signal (downstream stages must then find nothing).
    #[arg(long)]
    pub null: bool,
}

pub fn run(a: SynthArgs) -> anyhow::Result<()> {
    let cfg = SynthConfig { stocks: a.stocks, start: a.start, end: a.end, seed: a.seed, null: a.null };
    write_synth(&cfg, &a.out)?;
    Ok(())
}

/// Generates the market and writes it, plus `synth_truth.csv.gz` (the planted signal; the
/// loaders ignore it). Prints one line of what it wrote.
pub fn write_synth(cfg: &SynthConfig, out: &Path) -> anyhow::Result<()> {
    let t = Instant::now();
    let market = generate(cfg).context("generating the synthetic market")?;
    write_standard(&market.panel, out).with_context(|| format!("writing the synthetic market to {}", out.display()))?;
    if !market.truth.is_empty() {
        write_matrices(&market.panel, &out.join("synth_truth.csv.gz"), &market.truth)?;
    }
    eprintln!(
        "synth: {} stocks x {} trading days{} written to {} in {:.2} s",
        market.panel.n_stocks(),
        market.panel.n_dates(),
        if cfg.null { " (null: no planted signal)" } else { "" },
        out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
