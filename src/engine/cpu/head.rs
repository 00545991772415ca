//! The dense head: dropout on its input (the last hidden state, or with attention the last
//! and the pooled one), `dense_layers` × (linear, ReLU, dropout), the 1-unit output layer,
//! and the MSE loss, forward and backward.

use super::arena::HeadBufs;
use super::gemm::{View, product};
use super::kernels::{bias_relu_mask, colsum, fill_mask, mul, mul_assign};
use crate::engine::precision::Precision;
use crate::engine::weights::Layout;
use crate::rng::Rng;

/// Forward from the head's input `input [batch, d₀]` (the last hidden state, `d₀ = units`,
/// or with attention `[h_last, context]`, `d₀ = 2·units`) to `bufs.pred [batch]`;
/// `dropout`: the generator and rate when training with dropout (the buffers then have
/// masks); products at precision `p`.
pub fn forward(
    layout: &Layout,
    params: &[f32],
    input: &[f32],
    bufs: &mut HeadBufs,
    batch: usize,
    dropout: Option<(&mut Rng, f64)>,
    p: Precision,
) {
    let n0 = batch * layout.head_input();
    let mut dropout = dropout;
    let on = dropout.is_some();
    // Draws the first `n` entries of `mask` when training with dropout (else it is empty).
    let mut draw = |mask: &mut [f32], n: usize| -> bool {
        if let Some((rng, p)) = dropout.as_mut() {
            fill_mask(&mut mask[..n], *p, rng);
        }
        on
    };
    if draw(&mut bufs.mask[0], n0) {
        mul(&mut bufs.z[0][..n0], input, &bufs.mask[0]);
    } else {
        bufs.z[0][..n0].copy_from_slice(&input[..n0]);
    }
    for (k, at) in layout.dense.iter().enumerate() {
        let (w, b) = at.split(params);
        let (done, rest) = bufs.z.split_at_mut(k + 1);
        let n = batch * at.d_out;
        product(p, &mut rest[0], View::new(&done[k], batch, at.d_in), View::new(w, at.d_in, at.d_out), false);
        let mask = if draw(&mut bufs.mask[k + 1], n) { &bufs.mask[k + 1][..n] } else { &[][..] };
        bias_relu_mask(&mut rest[0][..n], b, mask, at.d_out);
    }
    let (w, b) = layout.output.split(params);
    let top = &bufs.z[layout.dense.len()];
    for (p, row) in bufs.pred[..batch].iter_mut().zip(top.chunks_exact(layout.output.d_in)) {
        *p = row.iter().zip(w).map(|(a, b)| a * b).sum::<f32>() + b[0];
    }
}

/// Backward of the MSE over a batch of `n_total` samples (of which this call holds `batch`,
/// labels `y`): writes the head's gradients into `grads` (overwriting) and the gradient with
/// respect to its input into `dz[0][..batch·d₀]`. Returns the sum of squared
/// errors of these `batch` samples. `masked`: the forward pass used dropout; products at
/// precision `p`.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    layout: &Layout,
    params: &[f32],
    grads: &mut [f32],
    bufs: &HeadBufs,
    y: &[f32],
    batch: usize,
    n_total: usize,
    dz: &mut [Vec<f32>; 2],
    masked: bool,
    p: Precision,
) -> f64 {
    let u = layout.output.d_in;
    let d = layout.dense.len();
    let (w_out, _) = layout.output.split(params);
    let (dw_out, db_out) = layout.output.split_mut(grads);
    let scale = 2.0 / n_total as f32;
    let (mut loss, mut dbias) = (0.0f64, 0.0f32);
    dw_out.fill(0.0);
    let top = &bufs.z[d];
    let [cur, next] = dz;
    for b in 0..batch {
        let err = bufs.pred[b] - y[b];
        loss += (err * err) as f64;
        let dy = scale * err;
        dbias += dy;
        let row = &top[b * u..(b + 1) * u];
        for (g, z) in dw_out.iter_mut().zip(row) {
            *g += z * dy;
        }
        for (o, w) in cur[b * u..(b + 1) * u].iter_mut().zip(w_out) {
            *o = dy * w;
        }
    }
    db_out[0] = dbias;
    for k in (0..d).rev() {
        let at = &layout.dense[k];
        let (n_in, n_out) = (batch * at.d_in, batch * at.d_out);
        // Through dropout and ReLU: z = relu(a)·m, so dz/da = m where z > 0, else 0 (where
        // the mask is 0, z is 0 too).
        let z = &bufs.z[k + 1][..n_out];
        if masked {
            let mask = &bufs.mask[k + 1][..n_out];
            for (j, g) in cur[..n_out].iter_mut().enumerate() {
                *g = if z[j] > 0.0 { *g * mask[j] } else { 0.0 };
            }
        } else {
            for (j, g) in cur[..n_out].iter_mut().enumerate() {
                *g = if z[j] > 0.0 { *g } else { 0.0 };
            }
        }
        let (w, _) = at.split(params);
        let (dw, db) = at.split_mut(grads);
        product(p, dw, View::new(&bufs.z[k], batch, at.d_in).t(), View::new(cur, batch, at.d_out), false);
        colsum(db, &cur[..n_out], at.d_out);
        product(p, &mut next[..n_in], View::new(cur, batch, at.d_out), View::new(w, at.d_in, at.d_out).t(), false);
        // The newest gradient goes back to the first buffer.
        std::mem::swap(cur, next);
    }
    if masked {
        let n0 = batch * layout.head_input();
        mul_assign(&mut cur[..n0], &bufs.mask[0]);
    }
    loss
}
