//! `alphasweep demo`: `run` on the built-in synthetic market with the embedded
//! configs/demo.toml: market (written in the standard format, so each stage can be rerun
//! alone) → data summary → the 41 factors → screening on the training period → a small
//! sweep → prediction → backtest → report.html.

use std::path::PathBuf;

use clap::Args;

use std::process::ExitCode;

use alphasweep::config::Config;
use alphasweep::engine::DeviceKind;

/// configs/demo.toml, compiled in.
pub const DEMO_TOML: &str = include_str!("../../configs/demo.toml");

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder: market/, factors.csv.gz, screen/, sweep/, predictions.csv.gz,
    /// backtest/, report.html.
    #[arg(long, default_value = "out/demo")]
    pub out: PathBuf,
    /// Number of synthetic stocks.
    #[arg(long, default_value_t = 300)]
    pub stocks: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Epochs per sweep trial.
    #[arg(long, default_value_t = 3)]
    pub epochs: usize,
    /// Override any value of configs/demo.toml, e.g. `--set synth.null=true` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
}

pub fn run(a: DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.epochs >= 1, "--epochs must be at least 1");
    let mut sets =
        vec![format!("synth.stocks={}", a.stocks), format!("synth.seed={}", a.seed), format!("sweep.epochs={}", a.epochs)];
    sets.extend(a.sets);
    let text = alphasweep::config::set::apply(DEMO_TOML, "configs/demo.toml", &sets)?;
    let config = Config::from_str(&text, "configs/demo.toml")?;
    if a.out.join("sweep/ledger.csv").exists() {
        anyhow::bail!("{} holds an earlier demo; remove it or choose another --out", a.out.display());
    }
    let code = super::run::study(config, a.out.clone(), a.out.clone(), a.device, false, None)?;
    if code == ExitCode::SUCCESS {
        eprintln!(
            "\ndemo outputs in {}: report.html, market/, factors.csv.gz, screen/, sweep/, predictions.csv.gz, backtest/",
            a.out.display()
        );
    }
    Ok(code)
}
