//! The training loop on the fused engine, with `model::train::train`'s semantics: the
//! same seeded shuffle per epoch, Adam on MSE with burn's per-tensor gradient clipping,
//! validation with `evaluate` after each epoch, selection, patience, `Diverged` on a
//! non-finite loss, and the best epoch's weights handed back as a burn model.

use std::time::Instant;

use burn::backend::Flex;

use super::adam::Adam;
use super::team::Team;
use crate::engine::EngineTrained;
use crate::engine::precision::Precision;
use crate::engine::weights::Weights;
use crate::model::dataset::{Sample, WindowData};
use crate::model::metrics::evaluate;
use crate::model::network::NetworkConfig;
use crate::model::train::{BestEpoch, EpochRow, Flow, OnBatch, Status, TrainConfig, Trained};
use crate::rng::Rng;

/// Trains `net` on `data.train`, validating on `data.valid` after each epoch; `threads`
/// workers split each batch (1: everything on the calling thread). Weights are initialized
/// from `cfg.seed` (see [`Weights::init`]); batches come in the order of
/// `Rng::new(cfg.seed ^ crate::rng::salt::SHUFFLE)`, as in `model::train::train`.
pub fn train(
    data: &WindowData,
    net: &NetworkConfig,
    cfg: &TrainConfig,
    threads: usize,
    on_batch: &mut OnBatch,
    on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
) -> Trained<Flex> {
    train_weights(data, net, cfg, threads, on_batch, on_epoch).into_burn()
}

/// [`train`], keeping the best weights in the engine's layout.
pub fn train_weights(
    data: &WindowData,
    net: &NetworkConfig,
    cfg: &TrainConfig,
    threads: usize,
    on_batch: &mut OnBatch,
    on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
) -> EngineTrained {
    train_from(Weights::init(net, cfg.seed), data, cfg, threads, on_batch, on_epoch)
}

/// [`train_weights`] from given starting weights (e.g. `Weights::from_burn` of a burn-initialized
/// or loaded model, to fine-tune it or to compare the two trainers from the same start).
pub fn train_from(
    start: Weights,
    data: &WindowData,
    cfg: &TrainConfig,
    threads: usize,
    on_batch: &mut OnBatch,
    on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
) -> EngineTrained {
    let batch = cfg.batch_size.max(1);
    let mut w = start;
    let mut adam = Adam::new(&w.layout, cfg.grad_clip);
    let mut team = Team::new(&w, data.seq(), batch, threads, cfg.precision);
    let mut rng = Rng::new(cfg.seed ^ crate::rng::salt::SHUFFLE);
    let mut dropout_rng = Rng::new(cfg.seed ^ crate::rng::salt::DROPOUT);
    let mut order: Vec<Sample> = data.train.to_vec();
    let n_batches = order.len().div_ceil(batch);
    let mut out = EngineTrained { best: None, best_epoch: 0, rows: vec![], status: Status::Done };
    let mut best = BestEpoch::default();
    for epoch in 1..=cfg.epochs {
        let t = Instant::now();
        rng.shuffle(&mut order);
        let (mut sum, mut count) = (0.0, 0usize);
        for (b, chunk) in order.chunks(batch).enumerate() {
            let (sse, grads) = team.step(&w, data, chunk, &mut dropout_rng);
            let value = sse / chunk.len() as f64;
            if !value.is_finite() {
                out.status = Status::Diverged { epoch };
                return out;
            }
            sum += sse;
            count += chunk.len();
            adam.step(&mut w.params, grads, cfg.lr);
            on_batch(epoch, b + 1, n_batches, sum / count as f64);
        }
        let preds = team.predict(&w, data, &data.valid, batch);
        let valid = evaluate(&preds, &data.valid, data);
        let row = EpochRow { epoch, train_loss: sum / count.max(1) as f64, valid, seconds: t.elapsed().as_secs_f64() };
        let (improved, stop) = best.end_epoch(cfg, row, &mut out.rows, on_epoch);
        if improved {
            out.best_epoch = epoch;
            out.best = Some(w.clone());
        }
        if let Some(status) = stop {
            out.status = status;
            break;
        }
    }
    out
}

/// Throughput probe mirroring `model::train::time_steps`: `warmup` then `n_batches` training
/// steps of exactly `batch` samples (the training set in `Rng::new(7)`'s order, cycling),
/// weights from seed 1, Adam without clipping, products at `precision`; returns (samples
/// trained, seconds) of the timed part.
pub fn time_steps(
    data: &WindowData,
    net: &NetworkConfig,
    batch: usize,
    warmup: usize,
    n_batches: usize,
    threads: usize,
    precision: Precision,
) -> (usize, f64) {
    let mut w = Weights::init(net, 1);
    let mut adam = Adam::new(&w.layout, None);
    let mut team = Team::new(&w, data.seq(), batch, threads, precision);
    let mut order = data.train.to_vec();
    Rng::new(7).shuffle(&mut order);
    let batches: Vec<&[Sample]> = order.chunks(batch.max(1)).filter(|c| c.len() == batch).collect();
    assert!(!batches.is_empty(), "fewer training windows than one batch");
    let mut rng = Rng::new(3);
    let mut t = Instant::now();
    let mut samples = 0;
    for i in 0..warmup + n_batches {
        if i == warmup {
            t = Instant::now();
        }
        let chunk = batches[i % batches.len()];
        let (_, grads) = team.step(&w, data, chunk, &mut rng);
        adam.step(&mut w.params, grads, 1e-3);
        if i >= warmup {
            samples += chunk.len();
        }
    }
    (samples, t.elapsed().as_secs_f64())
}
