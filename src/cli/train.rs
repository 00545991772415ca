//! `alphasweep train`: train one LSTM from a config, keep the best epoch's checkpoint, and
//! report its test-set metrics.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::engine;
use crate::model::checkpoint::{self, CheckpointMeta};
use crate::model::dataset::WindowData;
use crate::model::device::{DeviceKind, OnBackend, default_threads, run_on, uses_cpu_engine};
use crate::model::metrics::{EvalMetrics, evaluate};
use crate::model::network::NetworkConfig;
use crate::model::prepare::prepare;
use crate::model::train::{EpochRow, Status, TrainConfig, Trained, predict, train};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The run's TOML config: [data], [factors], [dataset] (factors, mem_day, label,
    /// split), [model] and [train] (see configs/train-quick.toml).
    #[arg(long)]
    pub config: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceKind,
    /// Checkpoint folder (weights, config.json, metrics.csv, test.json).
    #[arg(long)]
    pub out: PathBuf,
    /// Override [train] epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Threads of the CPU engine (`--device cpu`): each batch is split across them
    /// (default: the available cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run(a: TrainArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.config).with_context(|| format!("reading {}", a.config.display()))?;
    let cfg = Config::from_str(&text, &a.config.display().to_string())?;
    let base = a.config.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut tcfg = cfg.train.clone();
    if let Some(e) = a.epochs {
        tcfg.epochs = e;
    }
    let prepared = prepare(&cfg, &base).context("preparing the data set")?;
    let data = prepared.data;
    let net = cfg.model.network(data.n_features)?;
    let span = |s: &[crate::model::dataset::Sample]| match (s.first(), s.last()) {
        (Some(f), Some(l)) => format!("{} samples, {} .. {}", s.len(), data.dates[f.date as usize], data.dates[l.date as usize]),
        _ => "none".into(),
    };
    eprintln!("train: {}\nvalid: {}\ntest:  {}", span(&data.train), span(&data.valid), span(&data.test));
    eprintln!(
        "model: {} LSTM x {} units, {} dense, {} factors x {} days, {} parameters",
        net.lstm_layers,
        net.units,
        net.dense_layers,
        data.n_features,
        data.mem_day,
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
        train: tcfg.clone(),
        best_epoch: 0,
        status: serde_json::Value::Null,
        config_toml: text,
        config_dir: std::fs::canonicalize(&base).unwrap_or(base).display().to_string(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        look_ahead: data.look_ahead,
    };
    let task = TrainTask { data: &data, net: &net, cfg: &tcfg, out: &a.out, meta };
    let outcome = if uses_cpu_engine(a.device) {
        task.run_engine(a.threads.unwrap_or_else(default_threads).max(1))?
    } else {
        run_on(a.device, task)??
    };
    match outcome.0 {
        Status::Diverged { epoch } => anyhow::bail!("training diverged (loss not finite) in epoch {epoch}; nothing saved"),
        s => {
            let t = outcome.1;
            println!(
                "best epoch {} ({s:?}); test{}: loss {:.4}  MAPE {:.3}  IC {:.4}  rank IC {:.4}  direction {:.3}",
                outcome.2,
                if data.look_ahead { " (LOOK-AHEAD)" } else { "" },
                t.loss,
                t.mape,
                t.ic,
                t.rank_ic,
                t.direction
            );
            eprintln!("checkpoint written to {}", a.out.display());
            Ok(())
        }
    }
}

/// Training on whichever backend the device choice picks.
struct TrainTask<'a> {
    data: &'a WindowData,
    net: &'a NetworkConfig,
    cfg: &'a TrainConfig,
    out: &'a Path,
    meta: CheckpointMeta,
}

type Outcome = anyhow::Result<(Status, EvalMetrics, usize)>;

impl OnBackend for TrainTask<'_> {
    type Output = Outcome;

    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device, name: &str) -> Self::Output {
        eprintln!("device: {name}");
        let bar = progress_bar();
        let trained =
            train::<B>(self.data, self.net, self.cfg, &device, &mut on_batch(&bar, self.cfg.epochs), &mut on_epoch(&bar));
        bar.finish_and_clear();
        let preds = trained
            .model
            .as_ref()
            .map(|m| predict(m, self.data, &self.data.test, crate::model::train::eval_batch(self.cfg.batch_size), &device));
        self.finish(trained, preds)
    }
}

impl TrainTask<'_> {
    /// Training on the fused CPU engine.
    fn run_engine(self, threads: usize) -> Outcome {
        eprintln!("device: cpu (fused engine, {threads} thread{})", if threads == 1 { "" } else { "s" });
        let bar = progress_bar();
        let t = engine::cpu::train_weights(
            self.data,
            self.net,
            self.cfg,
            threads,
            &mut on_batch(&bar, self.cfg.epochs),
            &mut on_epoch(&bar),
        );
        bar.finish_and_clear();
        let preds = t.best.as_ref().map(|w| engine::cpu::predict(w, self.data, &self.data.test, self.cfg.batch_size));
        let model = t.best.map(|w| w.to_burn::<burn::backend::Flex>(&Default::default()));
        self.finish(Trained { model, best_epoch: t.best_epoch, rows: t.rows, status: t.status }, preds)
    }

    /// Test metrics of the best model (`preds`: its test-set predictions) and the checkpoint.
    fn finish<B: burn::tensor::backend::Backend>(mut self, trained: Trained<B>, preds: Option<Vec<f32>>) -> Outcome {
        let (Some(model), Some(preds)) = (&trained.model, preds) else { return Ok((trained.status, EvalMetrics::default(), 0)) };
        let test = evaluate(&preds, &self.data.test, self.data);
        self.meta.best_epoch = trained.best_epoch;
        self.meta.status = checkpoint::status_json(&trained.status);
        checkpoint::save(self.out, model, &self.meta, &trained.rows)?;
        let test_json = serde_json::json!({ "test": test, "best_epoch": trained.best_epoch, "look_ahead": self.data.look_ahead });
        std::fs::write(self.out.join("test.json"), serde_json::to_string_pretty(&test_json)?)?;
        Ok((trained.status, test, trained.best_epoch))
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

fn on_epoch(bar: &ProgressBar) -> impl FnMut(&EpochRow) -> crate::model::train::Flow + '_ {
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
        crate::model::train::Flow::Continue(())
    }
}
