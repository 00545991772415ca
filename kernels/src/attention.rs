//! Attention pooling over the top recurrent layer's steps (qlib's ALSTM head,
//! `model::attention` in alphasweep), forward and backward, for a pack of trials. The GEMMs
//! (`A = H·W₁`, `W₁`'s and `w₂`'s gradients, `dZ·W₁ᵀ`) run on [`crate::matmul`]; these are
//! the steps between them.
//!
//! Shapes (f32): `h [T, S, B, H]` the top layer's hidden states (time-major), `act [T, S, B,
//! A]` the scoring activations, `scores`, `alpha`, `ds [T, S, B]`, `pooled [T, B, 2H]` the
//! head's input `[h_last, Σ_t α_t h_t]`. Steps before a trial's `start` (a shorter window in
//! a padded pack) take no part in the softmax: their weight is 0.

use cubecl::prelude::*;

/// `act = tanh(act + b₁)` in place and `scores[row] = act[row]·w₂`; one unit per row of
/// `rows` (`S·B`) per trial; `b₁`, `w₂` at `bias_at`, `score_at` in each trial's parameters.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn attention_scores(
    act: &mut Array<f32>,
    params: &Array<f32>,
    scores: &mut Array<f32>,
    p_len: u32,
    bias_at: u32,
    score_at: u32,
    width: u32,
    rows: u32,
) {
    let pos = ABSOLUTE_POS;
    if pos < scores.len() {
        let a_len = width as usize;
        let base = (pos / rows as usize) * p_len as usize;
        let mut s = 0.0;
        for j in 0..a_len {
            let v = (act[pos * a_len + j] + params[base + bias_at as usize + j]).tanh();
            act[pos * a_len + j] = v;
            s += v * params[base + score_at as usize + j];
        }
        scores[pos] = s;
    }
}

/// `alpha = softmax_t(scores)` over each sample's steps from its trial's `start` (0 before);
/// one unit per (trial, row).
#[cube(launch)]
pub fn attention_softmax(scores: &Array<f32>, alpha: &mut Array<f32>, start: &Array<u32>, steps: u32, batch: u32) {
    let pos = ABSOLUTE_POS;
    let b_len = batch as usize;
    let s_len = steps as usize;
    if pos < alpha.len() / s_len {
        let trial = pos / b_len;
        let row = pos % b_len;
        let first = start[trial] as usize;
        let base = trial * s_len * b_len + row;
        let mut top = scores[base + first * b_len];
        for t in first + 1..s_len {
            let v = scores[base + t * b_len];
            if v > top {
                top = v;
            }
        }
        let mut sum = 0.0;
        for t in first..s_len {
            sum += (scores[base + t * b_len] - top).exp();
        }
        for t in 0..s_len {
            let mut v = 0.0;
            if t >= first {
                v = (scores[base + t * b_len] - top).exp() / sum;
            }
            alpha[base + t * b_len] = v;
        }
    }
}

/// `pooled = [h_last, Σ_t α_t h_t] · mask`; one unit per entry of `pooled [T, B, 2H]`.
#[cube(launch)]
pub fn attention_pool(
    h: &Array<f32>,
    alpha: &Array<f32>,
    mask: &Array<f32>,
    pooled: &mut Array<f32>,
    steps: u32,
    batch: u32,
    units: u32,
) {
    let pos = ABSOLUTE_POS;
    if pos < pooled.len() {
        let h_len = units as usize;
        let b_len = batch as usize;
        let s_len = steps as usize;
        let j = pos % (2 * h_len);
        let row = (pos / (2 * h_len)) % b_len;
        let trial = pos / (2 * h_len * b_len);
        let mut v = 0.0;
        if j < h_len {
            v = h[((trial * s_len + s_len - 1) * b_len + row) * h_len + j];
        } else {
            for t in 0..s_len {
                let r = (trial * s_len + t) * b_len + row;
                v += alpha[r] * h[r * h_len + j - h_len];
            }
        }
        pooled[pos] = v * mask[pos];
    }
}

/// Backward to the scores: `ds_t = α_t (dα_t − Σ_τ α_τ dα_τ)` with `dα_t = dctx·h_t`
/// (`dpooled [T, B, 2H]`, its second half `dctx`); one unit per (trial, row).
#[cube(launch)]
pub fn attention_back_scores(
    h: &Array<f32>,
    alpha: &Array<f32>,
    dpooled: &Array<f32>,
    ds: &mut Array<f32>,
    steps: u32,
    batch: u32,
    units: u32,
) {
    let pos = ABSOLUTE_POS;
    let b_len = batch as usize;
    let s_len = steps as usize;
    let h_len = units as usize;
    if pos < ds.len() / s_len {
        let trial = pos / b_len;
        let row = pos % b_len;
        let dctx = pos * 2 * h_len + h_len;
        let mut mean = 0.0;
        for t in 0..s_len {
            let r = (trial * s_len + t) * b_len + row;
            let mut d = 0.0;
            for j in 0..h_len {
                d += dpooled[dctx + j] * h[r * h_len + j];
            }
            ds[r] = d;
            mean += alpha[r] * d;
        }
        for t in 0..s_len {
            let r = (trial * s_len + t) * b_len + row;
            ds[r] = alpha[r] * (ds[r] - mean);
        }
    }
}

/// The hidden states' gradient through the pooling's sum and the last step:
/// `dh_t = α_t·dctx (+ dh_last at the last step)`; one unit per entry of `dh [T, S, B, H]`
/// (overwritten; the scoring network's part is added after, by a GEMM).
#[cube(launch)]
pub fn attention_back_h(alpha: &Array<f32>, dpooled: &Array<f32>, dh: &mut Array<f32>, steps: u32, batch: u32, units: u32) {
    let pos = ABSOLUTE_POS;
    let h_len = units as usize;
    let b_len = batch as usize;
    let s_len = steps as usize;
    if pos < dh.len() {
        let j = pos % h_len;
        let row = (pos / h_len) % b_len;
        let t = (pos / (h_len * b_len)) % s_len;
        let trial = pos / (h_len * b_len * s_len);
        let p = (trial * b_len + row) * 2 * h_len;
        let mut v = alpha[pos / h_len] * dpooled[p + h_len + j];
        if t == s_len - 1 {
            v += dpooled[p + j];
        }
        dh[pos] = v;
    }
}

/// `act ← ds · w₂ ⊙ (1 − act²)` in place (the scoring pre-activations' gradient `dZ`); one
/// unit per entry of `act [T, rows, A]`.
#[cube(launch)]
pub fn attention_back_act(
    act: &mut Array<f32>,
    ds: &Array<f32>,
    params: &Array<f32>,
    p_len: u32,
    score_at: u32,
    width: u32,
    rows: u32,
) {
    let pos = ABSOLUTE_POS;
    if pos < act.len() {
        let a_len = width as usize;
        let j = pos % a_len;
        let row = pos / a_len;
        let trial = row / rows as usize;
        let v = act[pos];
        act[pos] = ds[row] * params[trial * p_len as usize + score_at as usize + j] * (1.0 - v * v);
    }
}
