//! Training a pack: every trial's epoch in lockstep on one device, each trial with its own
//! shuffle, learning rate, dropout masks, selection, patience and pruning. Host work per
//! epoch: one order upload, loss reads every [`PROGRESS_EVERY`] batches, the validation
//! predictions, and the parameters when some trial improved. A trial that stops (patience,
//! pruning, a non-finite loss) gets learning rate 0 and rides along until the pack ends.

use std::time::Instant;

use alphasweep_kernels::cubecl::Runtime;
use alphasweep_kernels::{Buf, Gpu};

use super::buffers::{Activations, DeviceData, TrialBufs};
use super::pack::{PackShape, PackTrial, pad, unpad};
use super::pass::{BatchAt, backward, forward};
use crate::engine::EngineTrained;
use crate::engine::weights::Weights;
use crate::model::dataset::{Sample, WindowData};
use crate::model::metrics::evaluate;
use crate::model::train::{BestEpoch, EpochRow, Flow, OnBatch, Status, eval_batch};
use crate::rng::Rng;

/// Batches between loss reads (each read waits for the device).
pub const PROGRESS_EVERY: usize = 64;

/// One trial of a pack with its data view (its own `mem_day`; every view of a pack shares
/// the same samples) and its callbacks.
pub struct PackJob<'a> {
    pub trial: PackTrial,
    pub data: &'a WindowData,
    pub on_batch: &'a mut OnBatch<'a>,
    pub on_epoch: &'a mut (dyn FnMut(&EpochRow) -> Flow + 'a),
}

/// Tensor bounds `[n_seg + 1]` and each parameter's tensor `[P]` of the padded layout (the
/// clipping segments of the Adam kernel).
fn clip_segments(shape: &PackShape) -> (Vec<u32>, Vec<u32>) {
    let tensors = shape.tensors();
    let mut bounds: Vec<u32> = tensors.iter().map(|r| r.start as u32).collect();
    bounds.push(shape.p_len() as u32);
    let mut segment = vec![0u32; shape.p_len()];
    for (s, r) in tensors.iter().enumerate() {
        segment[r.clone()].fill(s as u32);
    }
    (bounds, segment)
}

/// Adam step number `time` (from 1) over the pack's parameters, with burn's bias correction.
fn adam_step<R: Runtime>(gpu: &Gpu<R>, shape: &PackShape, tb: &TrialBufs, clip: Option<f32>, time: i32) {
    let bc2 = (1.0 - 0.999f32.powi(time)).sqrt();
    let combined = bc2 / (1.0 - 0.9f32.powi(time));
    let state = [&tb.params, &tb.grads, &tb.m, &tb.v];
    gpu.adam(state, &tb.lr, &tb.bounds, &tb.segment, &tb.coefs, shape.p_len(), shape.trials, clip, combined, 1e-5 * bc2);
}

/// One training step (number `step`, from 0) of every trial on the batch `at`: forward with
/// dropout, backward, Adam.
#[allow(clippy::too_many_arguments)]
fn train_step<R: Runtime>(
    gpu: &Gpu<R>,
    shape: &PackShape,
    tb: &TrialBufs,
    dd: &DeviceData,
    acts: &Activations,
    at: &BatchAt,
    step: u64,
    clip: Option<f32>,
) {
    forward(gpu, shape, tb, dd, acts, at, Some(step));
    backward(gpu, shape, tb, acts, at.rows);
    adam_step(gpu, shape, tb, clip, step as i32 + 1);
}

/// The device state of a pack's trials, from their starting weights.
fn trial_bufs<R: Runtime>(gpu: &Gpu<R>, shape: &PackShape, trials: &[PackTrial], start: &[Weights]) -> TrialBufs {
    let (t, p) = (shape.trials, shape.p_len());
    let mut params = vec![0.0f32; t * p];
    for (w, block) in start.iter().zip(params.chunks_exact_mut(p)) {
        pad(w, shape, block);
    }
    let (bounds, segment) = clip_segments(shape);
    let per = |f: &dyn Fn(&PackTrial) -> u32| gpu.upload_u32(&trials.iter().map(f).collect::<Vec<_>>());
    let dropout = |tr: &PackTrial| tr.net.dropout.clamp(0.0, 0.999_999);
    TrialBufs {
        params: gpu.upload_f32(&params),
        grads: gpu.zeros(t * p),
        m: gpu.zeros(t * p),
        v: gpu.zeros(t * p),
        lr: gpu.upload_f32(&trials.iter().map(|tr| tr.cfg.lr as f32).collect::<Vec<_>>()),
        start: per(&|tr| (shape.steps - tr.seq) as u32),
        units: per(&|tr| tr.net.units as u32),
        seed: per(&|tr| ((tr.cfg.seed ^ crate::rng::salt::DROPOUT) as u32) ^ ((tr.cfg.seed >> 32) as u32)),
        threshold: per(&|tr| (dropout(tr) * (1u32 << 24) as f64).round() as u32),
        keep: gpu.upload_f32(&trials.iter().map(|tr| (1.0 / (1.0 - dropout(tr))) as f32).collect::<Vec<_>>()),
        zero_start: gpu.upload_u32(&vec![0; t]),
        coefs: gpu.zeros(t * (bounds.len() - 1)),
        bounds: gpu.upload_u32(&bounds),
        segment: gpu.upload_u32(&segment),
        sse: gpu.zeros(t),
    }
}

/// Trains a pack (see [`PackShape`] for what its trials must share) from each trial's
/// `Weights::init(net, seed)`. Returns each trial's outcome, in order.
pub fn train_pack<R: Runtime>(gpu: &Gpu<R>, jobs: &mut [PackJob]) -> Vec<EngineTrained> {
    let trials: Vec<PackTrial> = jobs.iter().map(|j| j.trial.clone()).collect();
    let start: Vec<Weights> = trials.iter().map(|t| Weights::init(&t.net, t.cfg.seed)).collect();
    train_pack_from(gpu, jobs, &trials, &start)
}

/// [`train_pack`] from given starting weights (one per trial).
pub fn train_pack_from<R: Runtime>(
    gpu: &Gpu<R>,
    jobs: &mut [PackJob],
    trials: &[PackTrial],
    start: &[Weights],
) -> Vec<EngineTrained> {
    let shape = PackShape::of(trials);
    let data = jobs[0].data;
    let (t, p, b) = (shape.trials, shape.p_len(), shape.batch);
    let dd = DeviceData::upload(gpu, data, &data.train, &data.valid);
    let mut tb = trial_bufs(gpu, &shape, trials, start);
    let dropout = trials.iter().any(|tr| tr.net.dropout > 0.0);
    let acts = Activations::new(gpu, &shape, b, true, dropout);
    let e_cap = eval_batch(b).min(dd.n_valid.max(1));
    let eval = Activations::new(gpu, &shape, e_cap, false, false);
    let valid_order = gpu.upload_u32(&(0..t).flat_map(|_| (0..dd.n_valid).map(|i| (dd.n_train + i) as u32)).collect::<Vec<_>>());
    let mut orders: Vec<Vec<u32>> = (0..t).map(|_| (0..dd.n_train as u32).collect()).collect();
    let mut rngs: Vec<Rng> = trials.iter().map(|tr| Rng::new(tr.cfg.seed ^ crate::rng::salt::SHUFFLE)).collect();
    let mut out: Vec<EngineTrained> =
        (0..t).map(|_| EngineTrained { best: None, best_epoch: 0, rows: vec![], status: Status::Done }).collect();
    let mut best: Vec<BestEpoch> = (0..t).map(|_| BestEpoch::default()).collect();
    let mut active = vec![true; t];
    let epochs = trials.iter().map(|tr| tr.cfg.epochs).max().unwrap_or(0);
    let n_batches = dd.n_train.div_ceil(b);
    let mut step = 0u64;
    for epoch in 1..=epochs {
        let clock = Instant::now();
        for (k, tr) in trials.iter().enumerate() {
            if epoch > tr.cfg.epochs {
                active[k] = false;
            }
            if active[k] {
                rngs[k].shuffle(&mut orders[k]);
            }
        }
        let order = gpu.upload_u32(&orders.concat());
        tb.lr = gpu.upload_f32(&(0..t).map(|k| if active[k] { trials[k].cfg.lr as f32 } else { 0.0 }).collect::<Vec<_>>());
        tb.sse = gpu.zeros(t);
        for batch in 0..n_batches {
            let offset = batch * b;
            let rows = b.min(dd.n_train - offset);
            let at = BatchAt { order: &order, n_order: dd.n_train, offset, rows };
            train_step(gpu, &shape, &tb, &dd, &acts, &at, step, trials[0].cfg.grad_clip);
            step += 1;
            if (batch + 1) % PROGRESS_EVERY == 0 || batch + 1 == n_batches {
                let sse = gpu.read_f32(&tb.sse);
                let seen = (offset + rows) as f64;
                for (k, job) in jobs.iter_mut().enumerate() {
                    if active[k] {
                        (job.on_batch)(epoch, batch + 1, n_batches, sse[k] as f64 / seen);
                    }
                }
            }
        }
        let sse = gpu.read_f32(&tb.sse);
        let preds = predict_rows(gpu, &shape, &tb, &dd, &eval, &valid_order, dd.n_valid);
        let mut improved = vec![];
        for (k, job) in jobs.iter_mut().enumerate() {
            if !active[k] {
                continue;
            }
            let train_loss = sse[k] as f64 / dd.n_train.max(1) as f64;
            if !train_loss.is_finite() {
                out[k].status = Status::Diverged { epoch };
                active[k] = false;
                continue;
            }
            let valid = evaluate(&preds[k], &job.data.valid, job.data);
            let row = EpochRow { epoch, train_loss, valid, seconds: clock.elapsed().as_secs_f64() };
            let (better, stop) = best[k].end_epoch(&trials[k].cfg, row, &mut out[k].rows, &mut *job.on_epoch);
            if better {
                out[k].best_epoch = epoch;
                improved.push(k);
            }
            if let Some(status) = stop {
                out[k].status = status;
                active[k] = false;
            }
        }
        if !improved.is_empty() {
            let params = gpu.read_f32(&tb.params);
            for k in improved {
                out[k].best = Some(unpad(&params[k * p..(k + 1) * p], &trials[k].net, &shape));
            }
        }
        if !active.iter().any(|a| *a) {
            break;
        }
    }
    out
}

/// Every trial's predictions for rows `0..n` of `order` (`[T, n]` device sample indices),
/// `eval.cap` rows at a time: `[T][n]`.
fn predict_rows<R: Runtime>(
    gpu: &Gpu<R>,
    shape: &PackShape,
    tb: &TrialBufs,
    dd: &DeviceData,
    eval: &Activations,
    order: &Buf,
    n: usize,
) -> Vec<Vec<f32>> {
    let (t, e) = (shape.trials, eval.cap);
    let mut preds: Vec<Vec<f32>> = (0..t).map(|_| Vec::with_capacity(n)).collect();
    let mut offset = 0;
    while offset < n {
        let rows = e.min(n - offset);
        forward(gpu, shape, tb, dd, eval, &BatchAt { order, n_order: n, offset, rows }, None);
        let chunk = gpu.read_f32(&eval.pred);
        for (k, pk) in preds.iter_mut().enumerate() {
            pk.extend_from_slice(&chunk[k * e..k * e + rows]);
        }
        offset += rows;
    }
    preds
}

/// Predictions of one network (`w`, reading windows of `mem_day` days of `data`) for
/// `samples`, `batch` at a time, on the device.
pub fn predict<R: Runtime>(gpu: &Gpu<R>, w: &Weights, data: &WindowData, samples: &[Sample], batch: usize) -> Vec<f32> {
    let trial = PackTrial {
        net: w.net.clone(),
        seq: data.seq(),
        cfg: crate::model::train::TrainConfig { batch_size: batch.max(1), ..Default::default() },
    };
    let shape = PackShape::of(std::slice::from_ref(&trial));
    let dd = DeviceData::upload(gpu, data, &[], samples);
    let tb = trial_bufs(gpu, &shape, std::slice::from_ref(&trial), std::slice::from_ref(w));
    let acts = Activations::new(gpu, &shape, batch.max(1).min(samples.len().max(1)), false, false);
    let order = gpu.upload_u32(&(0..samples.len() as u32).collect::<Vec<_>>());
    predict_rows(gpu, &shape, &tb, &dd, &acts, &order, samples.len()).remove(0)
}

/// One forward and backward pass of a pack over its first `rows` training samples, in order,
/// without dropout: each trial's predictions and gradient of the batch's MSE (in the trial's
/// own layout). For the tests against burn and between packings.
pub fn batch_gradients<R: Runtime>(
    gpu: &Gpu<R>,
    trials: &[PackTrial],
    start: &[Weights],
    data: &WindowData,
    rows: usize,
) -> Vec<(Vec<f32>, Vec<f32>)> {
    let shape = PackShape::of(trials);
    let dd = DeviceData::upload(gpu, data, &data.train, &data.valid);
    let tb = trial_bufs(gpu, &shape, trials, start);
    let acts = Activations::new(gpu, &shape, shape.batch, true, false);
    let order = gpu.upload_u32(&(0..shape.trials).flat_map(|_| 0..dd.n_train as u32).collect::<Vec<_>>());
    forward(gpu, &shape, &tb, &dd, &acts, &BatchAt { order: &order, n_order: dd.n_train, offset: 0, rows }, None);
    backward(gpu, &shape, &tb, &acts, rows);
    let (pred, grads) = (gpu.read_f32(&acts.pred), gpu.read_f32(&tb.grads));
    let (b, p) = (shape.batch, shape.p_len());
    (0..shape.trials)
        .map(|k| (pred[k * b..k * b + rows].to_vec(), unpad(&grads[k * p..(k + 1) * p], &trials[k].net, &shape).params))
        .collect()
}

/// The Adam kernel alone: `steps` updates of a pack's flat parameters `[T, P]` with fixed
/// gradients `[T, P]`, learning rates per trial and optional clipping; returns the parameters.
#[doc(hidden)]
pub fn adam_steps<R: Runtime>(
    gpu: &Gpu<R>,
    trials: &[PackTrial],
    params: &[f32],
    grads: &[f32],
    lr: &[f32],
    clip: Option<f32>,
    steps: i32,
) -> Vec<f32> {
    let shape = PackShape::of(trials);
    let tb = TrialBufs {
        params: gpu.upload_f32(params),
        grads: gpu.upload_f32(grads),
        lr: gpu.upload_f32(lr),
        ..trial_bufs(gpu, &shape, trials, &[])
    };
    for time in 1..=steps {
        adam_step(gpu, &shape, &tb, clip, time);
    }
    gpu.read_f32(&tb.params)
}

/// Throughput probe: `warmup` steps, then training steps of full batches (each trial's
/// training windows in a fixed shuffled order, cycling) until `seconds` have passed (at least
/// `min_steps`), waiting for the device at the end. Returns (steps timed, seconds).
pub fn time_steps<R: Runtime>(
    gpu: &Gpu<R>,
    trials: &[PackTrial],
    data: &WindowData,
    warmup: usize,
    min_steps: usize,
    seconds: f64,
) -> (usize, f64) {
    let shape = PackShape::of(trials);
    let (t, b) = (shape.trials, shape.batch);
    let start: Vec<Weights> = trials.iter().map(|tr| Weights::init(&tr.net, 1)).collect();
    let dd = DeviceData::upload(gpu, data, &data.train, &data.valid);
    let tb = trial_bufs(gpu, &shape, trials, &start);
    let acts = Activations::new(gpu, &shape, b, true, trials.iter().any(|tr| tr.net.dropout > 0.0));
    let mut idx: Vec<u32> = (0..dd.n_train as u32).collect();
    Rng::new(7).shuffle(&mut idx);
    let order = gpu.upload_u32(&(0..t).flat_map(|_| idx.iter().copied()).collect::<Vec<_>>());
    let n_batches = (dd.n_train / b).max(1);
    assert!(dd.n_train >= b, "fewer training windows than one batch");
    let clip = trials[0].cfg.grad_clip;
    let mut clock = Instant::now();
    let (mut timed, mut i) = (0usize, 0usize);
    loop {
        if i == warmup {
            gpu.read_f32(&tb.sse);
            clock = Instant::now();
        }
        let at = BatchAt { order: &order, n_order: dd.n_train, offset: (i % n_batches) * b, rows: b };
        train_step(gpu, &shape, &tb, &dd, &acts, &at, i as u64, clip);
        i += 1;
        if i > warmup {
            timed += 1;
            if timed >= min_steps && timed % 8 == 0 {
                gpu.read_f32(&tb.sse);
                if clock.elapsed().as_secs_f64() >= seconds {
                    break;
                }
            }
        }
    }
    gpu.read_f32(&tb.sse);
    (timed, clock.elapsed().as_secs_f64())
}
