//! `alphasweep demo`: the pipeline on the built-in synthetic market. For now it generates the
//! market, writes it in the standard format, loads it back and prints the data summary;
//! later stages (factors, screening, sweep, backtest) join as they are built.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::data::load::{Format, LoadOptions, load, spec};
use crate::data::summary::DataSummary;
use crate::data::synth::SynthConfig;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder; the synthetic market is written to OUT/market.
    #[arg(long, default_value = "out/demo")]
    pub out: PathBuf,
    /// Number of synthetic stocks.
    #[arg(long, default_value_t = 300)]
    pub stocks: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

pub fn run(a: DemoArgs) -> anyhow::Result<()> {
    let cfg = SynthConfig { stocks: a.stocks, seed: a.seed, ..SynthConfig::default() };
    let market_dir = a.out.join("market");
    super::synth::write_synth(&cfg, &market_dir)?;
    let opts = LoadOptions { sources: vec![spec(&market_dir, Format::Standard, None)], ..LoadOptions::default() };
    let loaded = load(&opts).with_context(|| format!("reading back {}", market_dir.display()))?;
    print!("{}", DataSummary::new(&loaded.panel, loaded.disagreements));
    println!("\nnext: the factor, screening, sweep and backtest stages are not built yet; see the README's status.");
    Ok(())
}
