//! `alphasweep data`: load one or more sources and print a summary.

use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::source::SourceArgs;
use alphasweep::data::load::load;
use alphasweep::data::summary::DataSummary;

#[derive(Debug, Args)]
pub struct DataArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: DataArgs) -> anyhow::Result<()> {
    let cfg = a.source.config()?;
    let opts = a.source.load_options(&cfg)?;
    let t = Instant::now();
    let loaded = load(&opts).context("loading market data")?;
    let secs = t.elapsed().as_secs_f64();
    let support = alphasweep::factors::support_table(&loaded.panel);
    let mut summary = DataSummary::new(&loaded.panel, loaded.disagreements, support);
    summary.membership = loaded.membership;
    summary.feature_support = alphasweep::factors::formulaic::support(&loaded.panel, &cfg.factors)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{summary}");
    }
    eprintln!("loaded {} sources in {secs:.3} s", loaded.names.len());
    Ok(())
}
