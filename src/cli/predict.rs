//! `alphasweep predict`: score every universe member on every date with a checkpoint, or
//! with the mean of a sweep's best K, into `predictions.csv.gz` for `backtest`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::model::device::{DeviceKind, OnBackend, run_on};
use crate::predict::{self, ModelScores};

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// One checkpoint folder (from `train`, or a sweep's checkpoints/<id>).
    #[arg(long, conflicts_with = "sweep")]
    pub model: Option<PathBuf>,
    /// A sweep folder: the mean of its best --top-k checkpoints (per-date z-scores).
    #[arg(long)]
    pub sweep: Option<PathBuf>,
    #[arg(long, default_value_t = 5)]
    pub top_k: usize,
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
    #[arg(long, default_value_t = 8192)]
    pub batch: usize,
    /// Walk-forward: retrain --model's configuration on each fold's past and predict the
    /// fold, so every predicted date is out-of-sample (folds listed in <out>.folds.csv).
    #[arg(long, requires = "model")]
    pub walk_forward: bool,
    /// Walk-forward: the first predicted date (default: the checkpoint's first test date).
    #[arg(long)]
    pub from: Option<crate::data::Date>,
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
    if a.walk_forward {
        return super::walk_forward::run(&a);
    }
    let dirs = predict::checkpoint_dirs(a.model.as_deref(), a.sweep.as_deref(), a.top_k)?;
    let data_override = match &a.data {
        Some(p) => {
            let abs = std::fs::canonicalize(p).with_context(|| format!("--data {}", p.display()))?;
            Some(vec![format!("data.sources=[{{path = {:?}}}]", abs.display().to_string())])
        }
        None => None,
    };
    let models = run_on(a.device, PredictTask { dirs: &dirs, data: data_override.as_deref(), batch: a.batch })??;
    let name = if models.len() == 1 { models[0].name.clone() } else { format!("mean_of_{}", models.len()) };
    let rows = predict::combine(&models);
    predict::write(&a.out, &rows, &name)?;
    let in_sample = rows.iter().filter(|r| r.in_sample).count();
    let (first, last) = (rows.first().map(|r| r.date.to_string()), rows.last().map(|r| r.date.to_string()));
    println!(
        "{} predictions ({} .. {}) from {} ({}); {} of them on in-sample dates{}",
        rows.len(),
        first.unwrap_or_default(),
        last.unwrap_or_default(),
        name,
        models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", "),
        in_sample,
        match models.iter().filter_map(|m| m.fitted_until).max() {
            Some(d) => format!(" (fitted and selected up to {d}; later dates are out-of-sample)"),
            None => " (LOOK-AHEAD split: every date is in-sample)".into(),
        }
    );
    eprintln!("written to {}", a.out.display());
    Ok(())
}

struct PredictTask<'a> {
    dirs: &'a [PathBuf],
    data: Option<&'a [String]>,
    batch: usize,
}

impl OnBackend for PredictTask<'_> {
    type Output = crate::error::Result<Vec<ModelScores>>;

    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device, name: &str) -> Self::Output {
        eprintln!("device: {name}");
        let bar = ProgressBar::new(0)
            .with_style(ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} windows {elapsed}").expect("valid template"));
        let mut out = vec![];
        for (i, dir) in self.dirs.iter().enumerate() {
            bar.set_prefix(format!("model {}/{}", i + 1, self.dirs.len()));
            let m = predict::score_checkpoint::<B::InnerBackend>(dir, self.data, &device, self.batch, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })?;
            out.push(m);
        }
        bar.finish_and_clear();
        Ok(out)
    }
}
