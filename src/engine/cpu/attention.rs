//! Attention pooling over the top LSTM layer's steps (qlib's ALSTM, `model::attention`),
//! forward and backward. With `H [seq·batch, h]` the top layer's hidden states
//! (time-major) and `a` the scoring width:
//!
//! - forward: `A = tanh(H·W₁ + b₁)` (one GEMM over every step), `s = A·w₂`, `α = softmax_t(s)`
//!   per sample, and the head's input `[h_last, Σ_t α_t h_t]`;
//! - backward: from the head input's gradient `[dh_last, dctx]`, the gradient of every
//!   step's hidden state, `dH_t = α_t·dctx + dZ_t·W₁ᵀ` (plus `dh_last` at the last step),
//!   where `ds_t = α_t (dctx·h_t − Σ_τ α_τ dctx·h_τ)` and `dZ = ds·w₂ᵀ ⊙ (1 − A²)`; the
//!   weights' gradients are `W₁: Hᵀ·dZ`, `b₁: Σ dZ`, `w₂: Aᵀ·ds`.

use super::gemm::{View, product};
use super::kernels::colsum;
use super::simd::{exp, simd_fn, tanh};
use crate::engine::precision::Precision;
use crate::engine::weights::AttentionAt;

/// The pooling's activations for a batch capacity.
pub struct AttentionBufs {
    /// `[seq, batch, a]`: `tanh(W₁ h_t + b₁)`; backward overwrites it with `dZ`.
    pub act: Vec<f32>,
    /// `[seq, batch]`: the softmax weights `α`.
    pub alpha: Vec<f32>,
    /// `[batch, 2h]`: the head's input `[h_last, context]`.
    pub pooled: Vec<f32>,
}

impl AttentionBufs {
    pub fn new(at: &AttentionAt, seq: usize, cap: usize) -> AttentionBufs {
        AttentionBufs { act: vec![0.0; seq * cap * at.a], alpha: vec![0.0; seq * cap], pooled: vec![0.0; cap * 2 * at.h] }
    }
}

simd_fn! {
    /// `row[j] = tanh(row[j] + bias[j])`, and `out[0] = Σ_j row[j]·score[j]` (the step's score).
    fn activate_and_score(row: &mut [f32], bias: &[f32], score: &[f32], out: &mut [f32]) {
        let a = row.len();
        let (bias, score) = (&bias[..a], &score[..a]);
        let mut s = 0.0;
        for j in 0..a {
            let v = tanh::<FMA>(row[j] + bias[j]);
            row[j] = v;
            s += v * score[j];
        }
        out[0] = s;
    }
}

simd_fn! {
    /// `acc[j] += w · x[j]`.
    fn axpy(acc: &mut [f32], w: &[f32], x: &[f32]) {
        let n = acc.len();
        let (x, w) = (&x[..n], w[0]);
        for j in 0..n {
            acc[j] += w * x[j];
        }
    }
}

simd_fn! {
    /// `out[0] = Σ_j x[j]·y[j]`.
    fn dot(out: &mut [f32], x: &[f32], y: &[f32]) {
        let n = x.len();
        let y = &y[..n];
        let mut s = 0.0;
        for j in 0..n {
            s += x[j] * y[j];
        }
        out[0] = s;
    }
}

simd_fn! {
    /// `dz[j] = g · score[j] · (1 − act[j]²)` (through `s = act·w₂` and the tanh).
    fn score_backward(dz: &mut [f32], g: &[f32], score: &[f32]) {
        let a = dz.len();
        let (score, g) = (&score[..a], g[0]);
        for j in 0..a {
            let v = dz[j];
            dz[j] = g * score[j] * (1.0 - v * v);
        }
    }
}

/// Forward over the top layer's hidden states `hs [seq·batch, h]`; the head's input lands in
/// `bufs.pooled[..batch·2h]`.
pub fn forward(at: &AttentionAt, params: &[f32], hs: &[f32], seq: usize, batch: usize, bufs: &mut AttentionBufs, p: Precision) {
    let (w, bias, score) = at.split(params);
    let (h, a, rows) = (at.h, at.a, seq * batch);
    product(p, &mut bufs.act[..rows * a], View::new(hs, rows, h), View::new(w, h, a), false);
    for (row, s) in bufs.act[..rows * a].chunks_exact_mut(a).zip(bufs.alpha[..rows].chunks_exact_mut(1)) {
        activate_and_score(row, bias, score, s);
    }
    for b in 0..batch {
        let max = (0..seq).map(|t| bufs.alpha[t * batch + b]).fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for t in 0..seq {
            let e = exp::<false>(bufs.alpha[t * batch + b] - max);
            bufs.alpha[t * batch + b] = e;
            sum += e;
        }
        for t in 0..seq {
            bufs.alpha[t * batch + b] /= sum;
        }
        let out = &mut bufs.pooled[b * 2 * h..(b + 1) * 2 * h];
        let (last, context) = out.split_at_mut(h);
        last.copy_from_slice(&hs[((seq - 1) * batch + b) * h..][..h]);
        context.fill(0.0);
        for t in 0..seq {
            axpy(context, &bufs.alpha[t * batch + b..], &hs[(t * batch + b) * h..]);
        }
    }
}

/// Backward after [`forward`] of the same batch: `dpooled [batch, 2h]` is the gradient of
/// the head's input. Writes the pooling's gradients into its part of `grads` (overwriting)
/// and the gradient of every hidden state into `dhs [seq·batch, h]` (overwriting), the
/// upstream gradient of the top LSTM layer. `ds [seq·batch]` is working space.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    at: &AttentionAt,
    params: &[f32],
    grads: &mut [f32],
    hs: &[f32],
    dpooled: &[f32],
    seq: usize,
    batch: usize,
    bufs: &mut AttentionBufs,
    dhs: &mut [f32],
    ds: &mut [f32],
    p: Precision,
) {
    let (w, _, score) = at.split(params);
    let (dw, db, dscore) = at.split_mut(grads);
    let (h, a, rows) = (at.h, at.a, seq * batch);
    for b in 0..batch {
        let (dlast, dctx) = dpooled[b * 2 * h..(b + 1) * 2 * h].split_at(h);
        // dα_t = dctx·h_t, then through the softmax (whose gradients sum to 0 over the
        // steps: the α-weighted mean is taken in f64 so that little is lost to cancellation).
        let mut mean = 0.0f64;
        for t in 0..seq {
            let r = t * batch + b;
            dot(&mut ds[r..r + 1], dctx, &hs[r * h..]);
            mean += bufs.alpha[r] as f64 * ds[r] as f64;
        }
        for t in 0..seq {
            let r = t * batch + b;
            ds[r] = (bufs.alpha[r] as f64 * (ds[r] as f64 - mean)) as f32;
            let dh = &mut dhs[r * h..(r + 1) * h];
            dh.fill(0.0);
            axpy(dh, &bufs.alpha[r..], dctx);
            if t + 1 == seq {
                axpy(dh, &[1.0], dlast);
            }
        }
    }
    // dw₂ = Aᵀ·ds before A is overwritten by dZ.
    dscore.fill(0.0);
    for (row, g) in bufs.act[..rows * a].chunks_exact(a).zip(&ds[..rows]) {
        axpy(dscore, &[*g], row);
    }
    for (row, g) in bufs.act[..rows * a].chunks_exact_mut(a).zip(&ds[..rows]) {
        score_backward(row, &[*g], score);
    }
    let dz = &bufs.act[..rows * a];
    product(p, dw, View::new(hs, rows, h).t(), View::new(dz, rows, a), false);
    colsum(db, dz, a);
    product(p, &mut dhs[..rows * h], View::new(dz, rows, a), View::new(w, h, a).t(), true);
}
