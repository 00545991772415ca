//! `alphasweep demo`: the pipeline on the built-in synthetic market, stage by stage, each
//! writing files the next reads: market (standard format) → data summary → the 41 factors →
//! screening and selection → an LSTM on the selected factors. The sweep, prediction and
//! backtest stages join as they are built.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::source::SourceArgs;
use crate::data::Date;
use crate::data::load::{Format, LoadOptions, load, spec};
use crate::data::summary::DataSummary;
use crate::data::synth::SynthConfig;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder: market/, factors.csv.gz, screen/, model/.
    #[arg(long, default_value = "out/demo")]
    pub out: PathBuf,
    /// Number of synthetic stocks.
    #[arg(long, default_value_t = 300)]
    pub stocks: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// LSTM training epochs (0 skips training).
    #[arg(long, default_value_t = 3)]
    pub epochs: usize,
}

fn source(dir: &std::path::Path) -> SourceArgs {
    SourceArgs {
        data: vec![dir.to_path_buf()],
        format: vec![Format::Standard],
        market: None,
        config: None,
        prefer: vec![],
        industry: None,
        start: None,
        end: None,
    }
}

pub fn run(a: DemoArgs) -> anyhow::Result<()> {
    let cfg = SynthConfig { stocks: a.stocks, seed: a.seed, ..SynthConfig::default() };
    let market = a.out.join("market");
    eprintln!("== 1/5 synthetic market");
    super::synth::write_synth(&cfg, &market)?;

    eprintln!("== 2/5 data summary");
    let opts = LoadOptions { sources: vec![spec(&market, Format::Standard, None)], ..LoadOptions::default() };
    let loaded = load(&opts).with_context(|| format!("reading back {}", market.display()))?;
    print!("{}", DataSummary::new(&loaded.panel, loaded.disagreements));
    // Leave the first two months for the 20-day windows and the accounts to fill in.
    let start: Date = loaded.panel.dates.get(40).copied().unwrap_or(cfg.start);

    eprintln!("\n== 3/5 factors (41, point-in-time, cleaned per date)");
    let table = a.out.join("factors.csv.gz");
    let mut src = source(&market);
    src.start = Some(start);
    super::factors::run(super::factors::FactorsArgs {
        source: src,
        out: table.clone(),
        values: super::factors::Values::Clean,
        list: vec![],
        upsample: None,
    })?;

    eprintln!("\n== 4/5 screening and selection");
    let screen = a.out.join("screen");
    super::screen::run(super::screen::ScreenArgs {
        source: source(&market),
        factors: table,
        out: screen.clone(),
        raw: false,
        periods: vec![],
        criterion: None,
    })?;

    if a.epochs == 0 {
        return Ok(());
    }
    eprintln!("\n== 5/5 LSTM on the selected factors");
    let selected: Vec<String> = std::fs::read_to_string(screen.join("selected.txt"))?.lines().map(String::from).collect();
    if selected.is_empty() {
        eprintln!("no factor was selected; skipping the model");
        return Ok(());
    }
    let list = selected.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let config = format!(
        "# Written by `alphasweep demo`: the LSTM on the screen's selected factors.\n\
         [[data.sources]]\npath = \"market\"\nformat = \"standard\"\n\n[factors]\nstart = \"{start}\"\n\n\
         [dataset]\nfactors = [{list}]\nmem_day = 10\nhorizon = 1\n\n[model]\nlstm_layers = 1\ndense_layers = 1\nunits = 16\n\n\
         [train]\nepochs = {}\nbatch_size = 512\nlr = 0.002\n",
        a.epochs
    );
    let config_path = a.out.join("train.toml");
    std::fs::write(&config_path, config)?;
    super::train::run(super::train::TrainArgs {
        config: config_path,
        device: crate::model::device::DeviceKind::Auto,
        out: a.out.join("model"),
        epochs: None,
        threads: None,
    })?;
    eprintln!(
        "\ndemo outputs in {}: market/, factors.csv.gz, screen/ (tables, selection, plots), model/ (checkpoint)",
        a.out.display()
    );
    eprintln!("not built yet: the sweep, batch prediction, the backtest and the HTML report.");
    Ok(())
}
