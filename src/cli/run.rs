//! `alphasweep run`: the whole study from one config (`alphasweep::study::run`), printing each
//! stage's results as its own command does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use alphasweep::backtest::BacktestConfig;
use alphasweep::config::Config;
use alphasweep::data::summary::DataSummary;
use alphasweep::engine::DeviceKind;
use alphasweep::study::backtest::BacktestOutcome;
use alphasweep::study::eval::EvalOutcome;
use alphasweep::study::factors::FactorsOutcome;
use alphasweep::study::predict::PredictOutcome;
use alphasweep::study::run::{RunObserver, RunOptions, run as run_study};
use alphasweep::study::screen::ScreenOutcome;
use alphasweep::study::sweep::SweepOutcome;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The study's TOML config: [data], [factors], [screen], [dataset], [model], [train],
    /// [sweep], [backtest] (see configs/demo.toml, configs/paper.toml).
    #[arg(long)]
    pub config: PathBuf,
    /// Override a config value, e.g. `--set sweep.epochs=2` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// The run folder.
    #[arg(long, default_value = "out/run")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
    /// Continue a run whose sweep was interrupted (finished trials are kept).
    #[arg(long)]
    pub resume: bool,
    /// Sweep trials at once (default: one per core on the CPU; on the GPU engine 2 packs;
    /// with burn's GPU backends 8, 4 or 2 trials by the largest model's size).
    #[arg(long, value_parser = super::count)]
    pub jobs: Option<usize>,
    /// Predict with the best k of the kept checkpoints, k chosen on the validation period
    /// (as `predict --choose-k`): sets the config's `[sweep] choose_k = true`; without either,
    /// the mean of every kept checkpoint.
    #[arg(long)]
    pub choose_k: bool,
}

pub fn run(a: RunArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::from_file_with(&a.config, &a.sets)?;
    config.sweep.choose_k |= a.choose_k;
    let config_dir = a.config.parent().map(Path::to_path_buf).unwrap_or_default();
    study(config, config_dir, a.out, a.device, a.resume, a.jobs)
}

/// Runs the study with the printing observer; exit 130 when its sweep was interrupted.
pub fn study(
    config: Config,
    config_dir: PathBuf,
    out: PathBuf,
    device: DeviceKind,
    resume: bool,
    jobs: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let stop = super::sweep::stop_on_signals()?;
    let o = RunOptions { config, config_dir, out, device, resume, jobs, stop: &stop };
    let outcome = run_study(&o, &mut Printer { sweep_dir: o.out.join("sweep"), backtest_dir: o.out.join("backtest") })?;
    if outcome.interrupted {
        return Ok(super::sweep::interrupted());
    }
    if let Some(r) = outcome.report {
        eprintln!("report: {}", r.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints each stage's outcome as the stage's own command does.
struct Printer {
    sweep_dir: PathBuf,
    backtest_dir: PathBuf,
}

impl RunObserver for Printer {
    fn data(&mut self, summary: &DataSummary) {
        print!("{summary}");
    }
    fn factors(&mut self, o: &FactorsOutcome) {
        super::factors::print_outcome(o);
    }
    fn screen(&mut self, o: &ScreenOutcome) {
        super::screen::print_outcome(o);
    }
    fn sweep(&mut self, o: &SweepOutcome) {
        super::sweep::print_outcome(o, &self.sweep_dir);
    }
    fn eval(&mut self, o: &EvalOutcome) {
        super::eval::print_outcome(o);
    }
    fn predict(&mut self, o: &PredictOutcome) {
        super::predict::print_outcome(o);
    }
    fn backtest(&mut self, o: &BacktestOutcome, config: &BacktestConfig) {
        super::backtest::print_outcome(o, config, &self.backtest_dir);
    }
}
