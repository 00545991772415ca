//! The `alphasweep` command line (part of the binary, not the library): one file per
//! subcommand (`bench` has two: `bench.rs`, `bench_gpu.rs`), plus `source.rs`, the data-source
//! flags several commands share. Each file parses its flags into the library's typed
//! options, calls `alphasweep::study`, and prints the outcome; `run` prints each stage's
//! outcome with the same functions the stage's own command uses.

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
mod source;
mod status;
mod sweep;
mod synth;
mod train;

use std::process::ExitCode;

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

/// Runs a parsed command line; the exit status (130 for an interrupted sweep or run).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ok = |r: anyhow::Result<()>| r.map(|()| ExitCode::SUCCESS);
    match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Run(a) => run::run(a),
        Command::Synth(a) => ok(synth::run(a)),
        Command::Data(a) => ok(data::run(a)),
        Command::Factors(a) => ok(factors::run(a)),
        Command::Screen(a) => ok(screen::run(a)),
        Command::Train(a) => ok(train::run(a)),
        Command::Sweep(a) => sweep::run(a),
        Command::Status(a) => ok(status::run(a)),
        Command::Merge(a) => ok(merge::run(a)),
        Command::Predict(a) => ok(predict::run(a)),
        Command::Eval(a) => ok(eval::run(a)),
        Command::Backtest(a) => ok(backtest::run(a)),
        Command::Bench(a) => ok(bench::run(a)),
    }
}

/// Parses a count flag that must be at least 1 (`--jobs 0` is an error, not a silent 1).
fn count(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err("must be at least 1".into()),
        Err(e) => Err(e.to_string()),
    }
}
