//! The `alphasweep` command line: one file per subcommand.

mod backtest;
mod bench;
mod bench_gpu;
mod data;
mod demo;
mod eval;
mod factors;
mod merge;
mod predict;
mod run;
mod screen;
pub(crate) mod source;
mod status;
mod sweep;
mod synth;
mod train;
mod walk_forward;

use clap::{Parser, Subcommand};

/// Multi-factor stock selection on China A-shares: factors, screening, LSTM sweeps, backtests.
///
/// Start with `alphasweep demo`: it builds the synthetic market and runs the pipeline on it.
/// Every stage reads and writes plain files (CSV, JSON, PNG), so each can be rerun alone.
#[derive(Debug, Parser)]
#[command(name = "alphasweep", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole study on the built-in synthetic market (configs/demo.toml), minutes on a laptop.
    Demo(demo::DemoArgs),
    /// The whole study from one config: data, factors, screen, sweep, predict, backtest, report.html.
    Run(run::RunArgs),
    /// Generate the synthetic market and write it in the standard format.
    Synth(synth::SynthArgs),
    /// Load market data (standard, qlib, baostock or several merged) and print a summary.
    Data(data::DataArgs),
    /// Compute the paper's 41 factors, clean them per date, and write a long table.
    Factors(factors::FactorsArgs),
    /// Screen every factor of a factor table (alphalens-style) and select the model's inputs.
    Screen(screen::ScreenArgs),
    /// Train one LSTM from a config and keep the best epoch's checkpoint.
    Train(train::TrainArgs),
    /// Hyperparameter sweep over the config's [sweep] grid: parallel trials, ledger, best-K
    /// checkpoints, --resume, --shard I/N.
    Sweep(sweep::SweepArgs),
    /// Where a sweep (or its shards on many machines) stands: trials by outcome, best so far,
    /// throughput, ETA; --watch redraws, --json for scripts.
    Status(status::StatusArgs),
    /// Join the folders of a sharded sweep into one ledger and one best-K set.
    Merge(merge::MergeArgs),
    /// Score every universe member on every date with a checkpoint or a sweep's best K.
    Predict(predict::PredictArgs),
    /// Reload a checkpoint: test metrics and a predicted-versus-actual plot.
    Eval(eval::EvalArgs),
    /// Backtest top-N portfolios from a predictions file under the A-share rules and costs.
    Backtest(backtest::BacktestArgs),
    /// Benchmarks that print figures for docs/PERFORMANCE.md.
    Bench(bench::BenchArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Run(a) => run::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Data(a) => data::run(a),
        Command::Factors(a) => factors::run(a),
        Command::Screen(a) => screen::run(a),
        Command::Train(a) => train::run(a),
        Command::Sweep(a) => sweep::run_cli(a),
        Command::Status(a) => status::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Backtest(a) => backtest::run(a),
        Command::Bench(a) => bench::run(a),
    }
}
