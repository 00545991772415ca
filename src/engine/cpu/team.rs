//! Workers: one [`Arena`] and gradient buffer each. A batch is cut into [`parts`] contiguous
//! parts, a number that depends on the batch's length and the layer width, never on the
//! thread count;
//! each part gets its own dropout seed and its own gradient, and the parts' gradients and
//! losses are summed in part order. Workers take the parts in rounds (one part each per
//! round) on a private rayon pool (with one thread there is no pool and nothing runs off the
//! caller's thread). So a run gives the same bits on 1 thread or 8: a sweep's ledger does not
//! depend on `--jobs` or on how many trials share the machine.

use rayon::prelude::*;

use super::arena::Arena;
use super::pass;
use crate::engine::precision::Precision;
use crate::engine::weights::Weights;
use crate::model::dataset::{Sample, WindowData};
use crate::rng::Rng;

/// A batch is cut into parts of at least `max(32, units / 2)` samples (fewer only when the
/// batch is): the recurrent product repacks its weights once per part and step, so wide
/// layers want tall parts…
pub const MIN_PART: usize = 32;
/// …and into at most this many parts (so at most this many threads help one trial).
pub const MAX_PARTS: usize = 8;

/// The fewest samples a part of a network with `units` LSTM units holds.
fn min_part(units: usize) -> usize {
    MIN_PART.max(units / 2)
}

/// How many parts a batch of `len` samples is cut into for a network of `units` units: one
/// per `min_part` started, at least 1, at most [`MAX_PARTS`]. It depends on the batch and
/// the network only, never on the thread count.
pub fn parts(len: usize, units: usize) -> usize {
    len.div_ceil(min_part(units)).clamp(1, MAX_PARTS)
}

/// The most samples one part of a batch of at most `batch` holds.
fn part_capacity(batch: usize, units: usize) -> usize {
    batch.min(min_part(units)).max(batch.div_ceil(MAX_PARTS)).max(1)
}

struct Worker {
    arena: Arena,
    grads: Vec<f32>,
    /// Sum of squared errors of this worker's part.
    loss: f64,
}

/// The workers of one training run.
pub struct Team {
    workers: Vec<Worker>,
    pool: Option<rayon::ThreadPool>,
    /// The summed gradient (batches of more than one part).
    total: Vec<f32>,
}

/// Part `i` of `n` near-equal contiguous parts of `s`.
fn part<T>(s: &[T], i: usize, n: usize) -> &[T] {
    &s[i * s.len() / n..(i + 1) * s.len() / n]
}

impl Team {
    /// Workers for batches of up to `batch` windows of `seq` steps: `threads`, but no more
    /// than a full batch has parts; matrix products at `precision` (`auto` resolved for this
    /// CPU; training and `predict`).
    pub fn new(w: &Weights, seq: usize, batch: usize, threads: usize, precision: Precision) -> Team {
        let units = w.net.units;
        let threads = threads.clamp(1, parts(batch.max(1), units));
        let cap = part_capacity(batch, units);
        let workers = (0..threads)
            .map(|_| {
                let mut arena = Arena::new(&w.net, seq, cap, true);
                arena.precision = precision.resolve();
                Worker { arena, grads: vec![0.0; w.layout.len], loss: 0.0 }
            })
            .collect();
        let pool = (threads > 1).then(|| rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool"));
        Team { workers, pool, total: vec![0.0; if parts(batch.max(1), units) > 1 { w.layout.len } else { 0 }] }
    }

    /// Runs `f(part, worker)` for parts `first..first + k` (`k` at most the worker count),
    /// one worker each, in parallel.
    fn round(&mut self, first: usize, k: usize, f: impl Fn(usize, &mut Worker) + Sync) {
        match &self.pool {
            None => f(first, &mut self.workers[0]),
            Some(pool) => pool.install(|| self.workers[..k].par_iter_mut().enumerate().for_each(|(i, wk)| f(first + i, wk))),
        }
    }

    /// Forward and backward of `samples` (one batch) with one dropout seed per part taken
    /// from `rng`; returns the batch's sum of squared errors and its mean-loss gradient.
    pub fn step(&mut self, w: &Weights, data: &WindowData, samples: &[Sample], rng: &mut Rng) -> (f64, &mut [f32]) {
        let n = parts(samples.len(), w.net.units);
        let seeds: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
        let threads = self.workers.len();
        let mut loss = 0.0;
        self.total.fill(0.0);
        for first in (0..n).step_by(threads) {
            let k = threads.min(n - first);
            self.round(first, k, |p, wk| {
                let mine = part(samples, p, n);
                wk.arena.load(data, mine);
                let mut drop = Rng::new(seeds[p]);
                pass::forward(w, &mut wk.arena, mine.len(), Some(&mut drop));
                wk.loss = pass::backward(w, &mut wk.arena, mine.len(), samples.len(), &mut wk.grads);
            });
            for wk in &self.workers[..k] {
                loss += wk.loss;
                if n > 1 {
                    self.total.iter_mut().zip(&wk.grads).for_each(|(t, g)| *t += g);
                }
            }
        }
        if n == 1 {
            return (loss, &mut self.workers[0].grads);
        }
        (loss, &mut self.total)
    }

    /// Predictions for `samples` in batches of `batch` (at most the team's batch size), without
    /// dropout, each batch cut into [`parts`] as in training.
    pub fn predict(&mut self, w: &Weights, data: &WindowData, samples: &[Sample], batch: usize) -> Vec<f32> {
        let threads = self.workers.len();
        let mut out = vec![0.0f32; samples.len()];
        for (chunk, dst) in samples.chunks(batch.max(1)).zip(out.chunks_mut(batch.max(1))) {
            let n = parts(chunk.len(), w.net.units);
            for first in (0..n).step_by(threads) {
                let k = threads.min(n - first);
                self.round(first, k, |p, wk| {
                    let mine = part(chunk, p, n);
                    wk.arena.load(data, mine);
                    pass::forward(w, &mut wk.arena, mine.len(), None);
                });
                for (i, wk) in self.workers[..k].iter().enumerate() {
                    let p = first + i;
                    let lo = p * chunk.len() / n;
                    let mine = part(chunk, p, n).len();
                    dst[lo..lo + mine].copy_from_slice(&wk.arena.head.pred[..mine]);
                }
            }
        }
        out
    }
}

/// Predictions of `w` for `samples`, in batches of `batch`, on up to `threads` threads, each
/// with an inference arena (no backward buffers). Threads take whole batches, so every
/// prediction is the same whatever the thread count.
pub fn predict(w: &Weights, data: &WindowData, samples: &[Sample], batch: usize, threads: usize) -> Vec<f32> {
    let batch = batch.max(1);
    let threads = threads.clamp(1, samples.len().div_ceil(batch).max(1));
    if threads == 1 {
        return predict_on_one(w, data, samples, batch);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out = vec![0.0f32; samples.len()];
    let done: Vec<Vec<(usize, Vec<f32>)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = vec![];
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(chunk) = samples.chunks(batch).nth(i) else { break };
                        mine.push((i, predict_on_one(w, data, chunk, batch)));
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().map(|h| h.join().expect("a prediction thread panicked")).collect()
    });
    for (i, p) in done.into_iter().flatten() {
        out[i * batch..i * batch + p.len()].copy_from_slice(&p);
    }
    out
}

/// [`predict`] on the calling thread.
fn predict_on_one(w: &Weights, data: &WindowData, samples: &[Sample], batch: usize) -> Vec<f32> {
    let mut arena = Arena::new(&w.net, data.seq(), batch.min(samples.len().max(1)), false);
    let mut out = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(batch) {
        arena.load(data, chunk);
        pass::forward(w, &mut arena, chunk.len(), None);
        out.extend_from_slice(&arena.head.pred[..chunk.len()]);
    }
    out
}
