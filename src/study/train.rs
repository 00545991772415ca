//! The train stage: one LSTM from a config, on the chosen device, with a progress bar and a
//! line per epoch; the best epoch's checkpoint (`model.mpk`, `config.json`, `metrics.csv`)
//! and its test metrics (`test.json`) in the output folder.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::artifacts::checkpoint::{self, CheckpointMeta};
use crate::artifacts::{SplitRecord, TestRecord, write_json};
use crate::config::Config;
use crate::engine::device::{DeviceKind, OnBackend, default_threads, run_on, uses_cpu_engine};
use crate::error::{Error, Result, ResultExt};
use crate::model::dataset::{Sample, WindowData};
use crate::model::metrics::{EvalMetrics, evaluate};
use crate::model::network::NetworkConfig;
use crate::model::train::{EpochRow, Flow, Status, TrainConfig, Trained, eval_batch, predict, train};

/// What the train stage needs.
pub struct TrainOptions {
    pub config: Config,
    /// The folder the config's relative paths resolve against.
    pub config_dir: PathBuf,
    /// The checkpoint folder.
    pub out: PathBuf,
    pub device: DeviceKind,
    /// Threads of the fused CPU engine (default: the available cores).
    pub threads: Option<usize>,
}

/// How it ended: the status, the best epoch and its test metrics (default when no model).
pub struct TrainOutcome {
    pub status: Status,
    pub best_epoch: usize,
    pub test: EvalMetrics,
    pub look_ahead: bool,
}

/// Runs the stage. A diverged run saves nothing and is an error.
pub fn run_train(o: &TrainOptions) -> Result<TrainOutcome> {
    let config = crate::study::settle_precision(&o.config, o.device)?;
    let cfg = &config;
    let crate::study::prepare::Prepared { data, factors, .. } =
        crate::study::prepare::prepare(cfg, &o.config_dir).context("preparing the data set")?;
    let config = crate::study::prepare::with_resolved_factors(cfg, factors);
    let cfg = &config;
    let net = cfg.model.network(data.n_features)?;
    let span = |s: &[Sample]| match (s.first(), s.last()) {
        (Some(f), Some(l)) => format!("{} samples, {} .. {}", s.len(), data.dates[f.date as usize], data.dates[l.date as usize]),
        _ => "none".into(),
    };
    eprintln!("train: {}\nvalid: {}\ntest:  {}", span(&data.train), span(&data.valid), span(&data.test));
    eprintln!(
        "model: {} LSTM x {} units, {} dense, {} factors x {} steps, {} parameters",
        net.lstm_layers,
        net.units,
        net.dense_layers,
        data.n_features,
        data.seq(),
        net.n_params()
    );
    if data.look_ahead {
        eprintln!(
            "WARNING: this data set contains LOOK-AHEAD (paper_random split or paper_backfill accounts); its test figures are not out-of-sample."
        );
    }
    let meta = CheckpointMeta {
        alphasweep: env!("CARGO_PKG_VERSION").into(),
        network: net.clone(),
        dataset: cfg.dataset.clone(),
        train: cfg.train.clone(),
        best_epoch: 0,
        status: Status::Done,
        config_toml: cfg.to_toml()?,
        config_dir: std::fs::canonicalize(&o.config_dir).unwrap_or_else(|_| o.config_dir.clone()).display().to_string(),
        command: crate::study::command_line(),
        look_ahead: data.look_ahead,
        split: SplitRecord::of(&data).fitted(),
        weights_crc32: None,
        weights_bytes: None,
    };
    let task = TrainTask { data: &data, net: &net, cfg: &cfg.train, out: &o.out, meta };
    let outcome = if uses_cpu_engine(o.device) {
        task.run_engine(o.threads.unwrap_or_else(default_threads).max(1))?
    } else {
        run_on(o.device, task)??
    };
    if let Status::Diverged { epoch } = outcome.status {
        return Err(Error::Invalid(format!("training diverged (loss not finite) in epoch {epoch}; nothing saved")));
    }
    Ok(outcome)
}

/// Training on whichever backend the device choice picks.
struct TrainTask<'a> {
    data: &'a WindowData,
    net: &'a NetworkConfig,
    cfg: &'a TrainConfig,
    out: &'a Path,
    meta: CheckpointMeta,
}

impl OnBackend for TrainTask<'_> {
    type Output = Result<TrainOutcome>;

    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device, name: &str) -> Self::Output {
        eprintln!("device: {name}");
        let bar = progress_bar();
        let trained =
            train::<B>(self.data, self.net, self.cfg, &device, &mut on_batch(&bar, self.cfg.epochs), &mut on_epoch(&bar));
        bar.finish_and_clear();
        let preds =
            trained.model.as_ref().map(|m| predict(m, self.data, &self.data.test, eval_batch(self.cfg.batch_size), &device));
        self.finish(trained, preds)
    }
}

impl TrainTask<'_> {
    /// Training on the fused CPU engine.
    fn run_engine(self, threads: usize) -> Result<TrainOutcome> {
        eprintln!("device: cpu (fused engine, {threads} thread{})", if threads == 1 { "" } else { "s" });
        let bar = progress_bar();
        let t = crate::engine::cpu::train_weights(
            self.data,
            self.net,
            self.cfg,
            threads,
            &mut on_batch(&bar, self.cfg.epochs),
            &mut on_epoch(&bar),
        );
        bar.finish_and_clear();
        let preds =
            t.best.as_ref().map(|w| crate::engine::cpu::predict(w, self.data, &self.data.test, self.cfg.batch_size, threads));
        self.finish(t.into_burn(), preds)
    }

    /// Test metrics of the best model (`preds`: its test-set predictions) and the checkpoint.
    fn finish<B: burn::tensor::backend::Backend>(mut self, trained: Trained<B>, preds: Option<Vec<f32>>) -> Result<TrainOutcome> {
        let look_ahead = self.data.look_ahead;
        let (Some(model), Some(preds)) = (&trained.model, preds) else {
            return Ok(TrainOutcome { status: trained.status, best_epoch: 0, test: EvalMetrics::default(), look_ahead });
        };
        let test = evaluate(&preds, &self.data.test, self.data);
        self.meta.best_epoch = trained.best_epoch;
        self.meta.status = trained.status.clone();
        checkpoint::save(self.out, model, &self.meta, &trained.rows)?;
        write_json(&self.out.join("test.json"), &TestRecord { test, best_epoch: trained.best_epoch, look_ahead })?;
        Ok(TrainOutcome { status: trained.status, best_epoch: trained.best_epoch, test, look_ahead })
    }
}

fn progress_bar() -> ProgressBar {
    ProgressBar::new(0).with_style(
        ProgressStyle::with_template("epoch {prefix} {bar:30} {pos}/{len} batches, loss {msg} {elapsed}")
            .expect("valid template"),
    )
}

fn on_batch(bar: &ProgressBar, epochs: usize) -> impl FnMut(usize, usize, usize, f64) + '_ {
    move |epoch, done, total, loss| {
        bar.set_length(total as u64);
        bar.set_prefix(format!("{epoch}/{epochs}"));
        bar.set_position(done as u64);
        bar.set_message(format!("{loss:.4}"));
    }
}

fn on_epoch(bar: &ProgressBar) -> impl FnMut(&EpochRow) -> Flow + '_ {
    move |row| {
        bar.suspend(|| {
            eprintln!(
                "epoch {:>3}: train loss {:.4} | valid loss {:.4} MAPE {:.3} IC {:.4} rank IC {:.4} direction {:.3} | {:.1} s",
                row.epoch,
                row.train_loss,
                row.valid.loss,
                row.valid.mape,
                row.valid.ic,
                row.valid.rank_ic,
                row.valid.direction,
                row.seconds
            )
        });
        Flow::Continue(())
    }
}
