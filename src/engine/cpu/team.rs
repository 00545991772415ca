//! Workers: one [`Arena`] and gradient buffer each. A batch is split into `threads`
//! contiguous parts, one per worker, run in parallel on a private rayon pool (with one
//! thread there is no pool and nothing runs off the caller's thread); the gradients are then
//! summed in worker order, so a run is deterministic for a given thread count.

use rayon::prelude::*;

use super::arena::Arena;
use super::pass;
use crate::engine::weights::Weights;
use crate::model::dataset::{Sample, WindowData};
use crate::rng::Rng;

struct Worker {
    arena: Arena,
    grads: Vec<f32>,
    /// Seed of this batch's dropout masks.
    seed: u64,
    /// Sum of squared errors of this worker's part.
    loss: f64,
}

/// The workers of one training run.
pub struct Team {
    workers: Vec<Worker>,
    pool: Option<rayon::ThreadPool>,
    /// The summed gradient (`threads > 1`).
    total: Vec<f32>,
}

/// Part `i` of `n` near-equal contiguous parts of `s`.
fn part<T>(s: &[T], i: usize, n: usize) -> &[T] {
    &s[i * s.len() / n..(i + 1) * s.len() / n]
}

impl Team {
    /// `threads` workers for batches of up to `batch` windows of `seq` steps.
    pub fn new(w: &Weights, seq: usize, batch: usize, threads: usize) -> Team {
        let threads = threads.max(1);
        let cap = batch.max(1).div_ceil(threads);
        let workers = (0..threads)
            .map(|_| Worker { arena: Arena::new(&w.net, seq, cap, true), grads: vec![0.0; w.layout.len], seed: 0, loss: 0.0 })
            .collect();
        let pool = (threads > 1).then(|| rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool"));
        Team { workers, pool, total: vec![0.0; if threads > 1 { w.layout.len } else { 0 }] }
    }

    fn run(&mut self, f: impl Fn(usize, &mut Worker) + Sync) {
        match &self.pool {
            None => f(0, &mut self.workers[0]),
            Some(pool) => pool.install(|| self.workers.par_iter_mut().enumerate().for_each(|(i, wk)| f(i, wk))),
        }
    }

    /// Forward and backward of `samples` (one batch) with dropout masks drawn from seeds
    /// taken from `rng`; returns the batch's sum of squared errors and its mean-loss
    /// gradient.
    pub fn step(&mut self, w: &Weights, data: &WindowData, samples: &[Sample], rng: &mut Rng) -> (f64, &mut [f32]) {
        let n = self.workers.len();
        for wk in &mut self.workers {
            wk.seed = rng.next_u64();
        }
        self.run(|i, wk| {
            let mine = part(samples, i, n);
            wk.loss = 0.0;
            if mine.is_empty() {
                return;
            }
            wk.arena.load(data, mine);
            let mut drop = Rng::new(wk.seed);
            pass::forward(w, &mut wk.arena, mine.len(), Some(&mut drop));
            wk.loss = pass::backward(w, &mut wk.arena, mine.len(), samples.len(), &mut wk.grads);
        });
        let loss = self.workers.iter().map(|wk| wk.loss).sum();
        if n == 1 {
            return (loss, &mut self.workers[0].grads);
        }
        self.total.fill(0.0);
        for (i, wk) in self.workers.iter().enumerate() {
            if !part(samples, i, n).is_empty() {
                self.total.iter_mut().zip(&wk.grads).for_each(|(t, g)| *t += g);
            }
        }
        (loss, &mut self.total)
    }

    /// Predictions for `samples` in batches of `batch` (at most the team's batch size), without dropout.
    pub fn predict(&mut self, w: &Weights, data: &WindowData, samples: &[Sample], batch: usize) -> Vec<f32> {
        let n = self.workers.len();
        let mut out = vec![0.0f32; samples.len()];
        for (chunk, dst) in samples.chunks(batch.max(1)).zip(out.chunks_mut(batch.max(1))) {
            self.run(|i, wk| {
                let mine = part(chunk, i, n);
                if !mine.is_empty() {
                    wk.arena.load(data, mine);
                    pass::forward(w, &mut wk.arena, mine.len(), None);
                }
            });
            for (i, wk) in self.workers.iter().enumerate() {
                let lo = i * chunk.len() / n;
                let mine = part(chunk, i, n).len();
                dst[lo..lo + mine].copy_from_slice(&wk.arena.head.pred[..mine]);
            }
        }
        out
    }
}

/// Predictions of `w` for `samples`, in batches of `batch`, on the calling thread (an
/// inference arena: no backward buffers).
pub fn predict(w: &Weights, data: &WindowData, samples: &[Sample], batch: usize) -> Vec<f32> {
    let batch = batch.max(1);
    let mut arena = Arena::new(&w.net, data.mem_day, batch.min(samples.len().max(1)), false);
    let mut out = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(batch) {
        arena.load(data, chunk);
        pass::forward(w, &mut arena, chunk.len(), None);
        out.extend_from_slice(&arena.head.pred[..chunk.len()]);
    }
    out
}
