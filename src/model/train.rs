//! The training loop: Adam on MSE, mini-batches in a seeded order, gradient clipping, per-
//! epoch validation, early stopping, and the best epoch's weights kept. A loss that turns
//! NaN or infinite stops the run with status `diverged`.

use std::ops::ControlFlow;
use std::time::Instant;

use burn::grad_clipping::GradientClippingConfig;
use burn::module::AutodiffModule;
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::model::dataset::{Sample, WindowData};
use crate::model::metrics::{EvalMetrics, evaluate};
use crate::model::network::{LstmNet, NetworkConfig};
use crate::model::precision::Precision;
use crate::rng::Rng;

/// Which validation metric picks the best epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Highest mean valid IC (default).
    #[default]
    ValidIc,
    ValidLoss,
    /// Lowest valid MAPE (the paper's choice).
    ValidMape,
}

impl Selection {
    /// A score where higher is better.
    pub fn score(self, m: &EvalMetrics) -> f64 {
        match self {
            Selection::ValidIc => m.ic,
            Selection::ValidLoss => -m.loss,
            Selection::ValidMape => -m.mape,
        }
    }
}

/// `[train]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    /// Clip the gradient norm to this (None: no clipping).
    pub grad_clip: Option<f32>,
    pub seed: u64,
    pub selection: Selection,
    /// Stop after this many epochs without a better selection score.
    pub patience: Option<usize>,
    /// The fused CPU engine's matrix products (`fp32`, `bf16`, `auto`); `train` and `sweep`
    /// resolve `auto` for the device and CPU before they record the config, so what is
    /// recorded is what ran. Not written when `fp32` (older configs and sweep fingerprints
    /// stay as they were).
    #[serde(skip_serializing_if = "Precision::is_fp32")]
    pub precision: Precision,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 10,
            batch_size: 256,
            lr: 1e-3,
            grad_clip: Some(1.0),
            seed: 42,
            selection: Selection::ValidIc,
            patience: None,
            precision: Precision::Fp32,
        }
    }
}

/// One epoch's line of `metrics.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct EpochRow {
    pub epoch: usize,
    pub train_loss: f64,
    pub valid: EvalMetrics,
    pub seconds: f64,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    StoppedEarly {
        epoch: usize,
    },
    Diverged {
        epoch: usize,
    },
    /// Stopped by the caller after `epoch` (a sweep's scheduler pruned it).
    Pruned {
        epoch: usize,
    },
}

/// What `on_epoch` tells the loop: go on, or stop here (status `Pruned`).
pub type Flow = ControlFlow<()>;

/// The best-epoch rule both training loops (burn's and the fused CPU engine's) follow: an
/// epoch is kept when its selection score beats every earlier one (the first always is); a
/// run stops after `patience` epochs without one (`StoppedEarly`), or before its last epoch
/// when `on_epoch` said so (`Pruned`).
pub struct BestEpoch {
    score: f64,
    /// The best epoch so far (0: none yet).
    pub epoch: usize,
}

impl Default for BestEpoch {
    fn default() -> Self {
        BestEpoch { score: f64::NEG_INFINITY, epoch: 0 }
    }
}

impl BestEpoch {
    /// Judges `epoch`: (whether it is the new best, the status to stop with if the run ends here).
    pub fn update(&mut self, cfg: &TrainConfig, epoch: usize, valid: &EvalMetrics, flow: Flow) -> (bool, Option<Status>) {
        let score = cfg.selection.score(valid);
        let improved = score > self.score || self.epoch == 0;
        if improved {
            self.score = score.max(self.score);
            self.epoch = epoch;
        } else if cfg.patience.is_some_and(|p| epoch - self.epoch >= p) {
            return (false, Some(Status::StoppedEarly { epoch }));
        }
        (improved, (flow.is_break() && epoch < cfg.epochs).then_some(Status::Pruned { epoch }))
    }

    /// The end of an epoch as every training loop (burn's, the CPU and the GPU engine's) does
    /// it: `on_epoch` sees `row` and may stop the run, `row` joins `rows`, and the epoch is
    /// judged by [`BestEpoch::update`]; returns its verdict.
    pub fn end_epoch(
        &mut self,
        cfg: &TrainConfig,
        row: EpochRow,
        rows: &mut Vec<EpochRow>,
        on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
    ) -> (bool, Option<Status>) {
        let flow = on_epoch(&row);
        let (epoch, valid) = (row.epoch, row.valid);
        rows.push(row);
        self.update(cfg, epoch, &valid, flow)
    }
}

/// Batch size used for validation and prediction: at least 1024 (no gradients, so larger
/// batches only save time).
pub fn eval_batch(batch_size: usize) -> usize {
    batch_size.max(1024)
}

/// The outcome: the best epoch's model (inference backend), its epoch, every epoch's row.
pub struct Trained<B: Backend> {
    pub model: Option<LstmNet<B>>,
    pub best_epoch: usize,
    pub rows: Vec<EpochRow>,
    pub status: Status,
}

/// Progress callbacks: (epoch, batches done, batches total, running loss).
pub type OnBatch<'a> = dyn FnMut(usize, usize, usize, f64) + 'a;

/// Trains a network on `data.train`, validating on `data.valid` after each epoch; `on_epoch`
/// sees each epoch's row and may stop the run. Weights and dropout masks come from
/// `cfg.seed` alone, so a run is reproducible even beside other runs.
pub fn train<B: AutodiffBackend>(
    data: &WindowData,
    net: &NetworkConfig,
    cfg: &TrainConfig,
    device: &B::Device,
    on_batch: &mut OnBatch,
    on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
) -> Trained<B::InnerBackend> {
    let mut model: LstmNet<B> = net.init_seeded(cfg.seed, device);
    let mut optim = AdamConfig::new().with_grad_clipping(cfg.grad_clip.map(GradientClippingConfig::Norm)).init();
    let mut rng = Rng::new(cfg.seed ^ crate::rng::salt::SHUFFLE);
    let mut drop_rng = Rng::new(cfg.seed ^ crate::rng::salt::BURN_DROPOUT);
    let mut order: Vec<Sample> = data.train.to_vec();
    let n_batches = order.len().div_ceil(cfg.batch_size.max(1));
    let mut out = Trained { model: None, best_epoch: 0, rows: vec![], status: Status::Done };
    let mut best = BestEpoch::default();
    for epoch in 1..=cfg.epochs {
        let t = Instant::now();
        rng.shuffle(&mut order);
        let (mut sum, mut count) = (0.0, 0usize);
        for (b, chunk) in order.chunks(cfg.batch_size.max(1)).enumerate() {
            let (x, y) = batch_tensors::<B>(data, chunk, device);
            let pred = model.forward_train(x, &mut drop_rng);
            let loss = (pred - y).powf_scalar(2.0).mean();
            let value: f64 = loss.clone().into_scalar().elem();
            if !value.is_finite() {
                out.status = Status::Diverged { epoch };
                return out;
            }
            sum += value * chunk.len() as f64;
            count += chunk.len();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(cfg.lr, model, grads);
            on_batch(epoch, b + 1, n_batches, sum / count as f64);
        }
        let valid_model = model.valid();
        let preds = predict(&valid_model, data, &data.valid, eval_batch(cfg.batch_size), device);
        let valid = evaluate(&preds, &data.valid, data);
        let row = EpochRow { epoch, train_loss: sum / count.max(1) as f64, valid, seconds: t.elapsed().as_secs_f64() };
        let (improved, stop) = best.end_epoch(cfg, row, &mut out.rows, on_epoch);
        if improved {
            out.best_epoch = epoch;
            out.model = Some(valid_model);
        }
        if let Some(status) = stop {
            out.status = status;
            break;
        }
    }
    out
}

/// Throughput probe: `warmup` then `n_batches` training steps of `batch` samples (in the
/// training set's seeded order, cycling); returns (samples trained, seconds) of the timed part.
pub fn time_steps<B: AutodiffBackend>(
    data: &WindowData,
    net: &NetworkConfig,
    batch: usize,
    warmup: usize,
    n_batches: usize,
    device: &B::Device,
) -> (usize, f64) {
    let mut model: LstmNet<B> = net.init_seeded(1, device);
    let mut optim = AdamConfig::new().init();
    let mut drop_rng = Rng::new(3);
    let mut order = data.train.to_vec();
    Rng::new(7).shuffle(&mut order);
    let batches: Vec<&[Sample]> = order.chunks(batch.max(1)).filter(|c| c.len() == batch).collect();
    let mut t = Instant::now();
    let mut samples = 0;
    for i in 0..warmup + n_batches {
        if i == warmup {
            B::sync(device).ok();
            t = Instant::now();
        }
        let chunk = batches[i % batches.len()];
        let (x, y) = batch_tensors::<B>(data, chunk, device);
        let loss = (model.forward_train(x, &mut drop_rng) - y).powf_scalar(2.0).mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(1e-3, model, grads);
        if i >= warmup {
            samples += chunk.len();
        }
    }
    B::sync(device).ok();
    (samples, t.elapsed().as_secs_f64())
}

fn batch_tensors<B: Backend>(data: &WindowData, samples: &[Sample], device: &B::Device) -> (Tensor<B, 3>, Tensor<B, 1>) {
    let (x, y) = data.batch(samples);
    let n = samples.len();
    let x = Tensor::from_data(TensorData::new(x, [n, data.seq(), data.n_features]), device);
    let y = Tensor::from_data(TensorData::new(y, [n]), device);
    (x, y)
}

/// Predictions for `samples`, in batches, with the model in inference mode.
pub fn predict<B: Backend>(
    model: &LstmNet<B>,
    data: &WindowData,
    samples: &[Sample],
    batch: usize,
    device: &B::Device,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(batch.max(1)) {
        let (x, _) = batch_tensors::<B>(data, chunk, device);
        let p: Vec<f32> = model.forward(x).into_data().to_vec().expect("f32 predictions");
        out.extend(p);
    }
    out
}

use burn::tensor::ElementConversion;
