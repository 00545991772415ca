//! `alphasweep predict`: score every universe member on every date with a checkpoint, or
//! with the mean of the best K of one or more sweeps, into `predictions.csv.gz` for
//! `backtest`; or, with `--walk-forward`, retrain a checkpoint's configuration fold by fold.

use std::path::PathBuf;

use clap::Args;

use alphasweep::data::Date;
use alphasweep::engine::DeviceKind;
use alphasweep::study::predict::{Models, PredictOptions, PredictOutcome, run_predict};
use alphasweep::study::walk_forward::{WalkForwardOptions, run_walk_forward};

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// One checkpoint folder (from `train`, or a sweep's checkpoints/<id>).
    #[arg(long, conflicts_with = "sweep")]
    pub model: Option<PathBuf>,
    /// A sweep folder: the mean of its best --top-k checkpoints (per-date z-scores). Give it
    /// more than once to pool sweeps (say an LSTM and a GRU sweep of one config) into one
    /// ranking by their ledgers' scores; they must share the selection rule and the
    /// validation and test periods.
    #[arg(long, num_args = 1)]
    pub sweep: Vec<PathBuf>,
    #[arg(long, default_value_t = 5, value_parser = super::count)]
    pub top_k: usize,
    /// With --sweep: average only the best k <= --top-k, k chosen on the validation period
    /// (the highest mean validation IC of the means of the best 1, 2, …; ties: fewer). The
    /// table is written to <out>.ensemble.csv. The test period plays no part.
    #[arg(long, requires = "sweep")]
    pub choose_k: bool,
    /// Market data to predict on instead of the checkpoint's own (a folder or archive in
    /// any supported format); the factors and cleaning stay the checkpoint's.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output file (`.csv.gz` or `.csv`): date, code, score, model, in_sample.
    #[arg(long, default_value = "predictions.csv.gz")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
    /// Windows per inference batch.
    #[arg(long, default_value_t = alphasweep::study::predict::DEFAULT_BATCH, value_parser = super::count)]
    pub batch: usize,
    /// Walk-forward: retrain --model's configuration on each fold's past and predict the
    /// fold, so every predicted date is out-of-sample (folds listed in <out>.folds.csv).
    #[arg(long, requires = "model")]
    pub walk_forward: bool,
    /// Walk-forward: the first predicted date (default: the checkpoint's first test date).
    #[arg(long)]
    pub from: Option<Date>,
    /// Walk-forward: months per fold.
    #[arg(long, default_value_t = 12)]
    pub step_months: u32,
    /// Walk-forward: train on the last N years only (default: all history, expanding).
    #[arg(long)]
    pub rolling_years: Option<u32>,
    /// Walk-forward: share of each fold's history (its latest dates) used to pick the epoch.
    #[arg(long, default_value_t = 0.2)]
    pub valid_share: f64,
}

pub fn run(a: PredictArgs) -> anyhow::Result<()> {
    let models = match (a.model, a.sweep.is_empty()) {
        (Some(dir), true) => Models::Checkpoint(dir),
        (None, false) => Models::Sweep { dirs: a.sweep, top_k: a.top_k },
        _ => anyhow::bail!("name exactly one of --model DIR or --sweep DIR"),
    };
    if a.walk_forward {
        let Models::Checkpoint(model) = models else {
            anyhow::bail!("--walk-forward needs --model DIR (the configuration to retrain)")
        };
        let o = run_walk_forward(&WalkForwardOptions {
            model,
            from: a.from,
            step_months: a.step_months,
            rolling_years: a.rolling_years,
            valid_share: a.valid_share,
            out: a.out.clone(),
            device: a.device,
        })?;
        print!("{}", o.folds_table);
        println!("{} walk-forward predictions in {} folds; {} on in-sample dates", o.rows, o.folds, o.in_sample);
        eprintln!("written to {} and {}", a.out.display(), o.folds_file.display());
        return Ok(());
    }
    let o = run_predict(&PredictOptions {
        models,
        data: a.data,
        out: a.out.clone(),
        device: a.device,
        batch: a.batch,
        choose_k: a.choose_k,
    })?;
    print_outcome(&o);
    eprintln!("written to {}", a.out.display());
    Ok(())
}

/// One line: how many rows, which dates and models, and which of them are in-sample.
pub fn print_outcome(o: &PredictOutcome) {
    let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    println!(
        "{} predictions ({} .. {}) from {} ({}); {} of them on in-sample dates{}",
        o.rows,
        date(o.first),
        date(o.last),
        o.name,
        o.model_names.join(", "),
        o.in_sample,
        match o.fitted_until {
            Some(d) => format!(" (fitted and selected up to {d}; later dates are out-of-sample)"),
            None => " (LOOK-AHEAD split: every date is in-sample)".into(),
        }
    );
    if let Some((ics, path)) = &o.by_size {
        println!(
            "ensemble size chosen on the validation period: {} of {} (validation IC by size in {})",
            o.model_names.len(),
            ics.len(),
            path.display()
        );
    }
}
