//! `alphasweep synth`: write the synthetic market in the standard format.

use std::path::PathBuf;

use clap::Args;

use alphasweep::data::Date;
use alphasweep::data::synth::SynthConfig;
use alphasweep::data::synth::write::write_market;

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
    eprintln!("{}", write_market(&cfg, &a.out)?);
    Ok(())
}
