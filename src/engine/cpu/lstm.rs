//! One LSTM layer over a whole batch of sequences, forward and backward through time.
//!
//! Forward: one GEMM projects every step's input to the four gates (`[seq·batch, d_in] ×
//! [d_in, 4h]`); each step adds one recurrent GEMM (`[batch, h] × [h, 4h]`) into that block
//! and then runs the fused gate math ([`cell_forward`]). Backward walks the steps in
//! reverse: the fused gate derivatives ([`cell_backward`]), then one GEMM for the recurrent
//! gradient (`[batch, 4h] × [4h, h]`). The weight gradients are one GEMM each over all steps
//! at once (`hᵀ · dgates`, `xᵀ · dgates`), as is the gradient sent to the layer below.

use super::arena::LayerBufs;
use super::gemm::{View, product, transpose};
use super::kernels::{cell_backward, cell_forward, colsum};
use crate::engine::precision::Precision;
use crate::engine::weights::LstmAt;

/// The gradient arriving from above.
pub enum Upstream<'a> {
    /// With respect to the last hidden state only, `[batch, h]` (the top layer).
    Last(&'a [f32]),
    /// With respect to every hidden state, `[seq, batch, h]`, held in `dseq`.
    Seq,
}

impl Upstream<'_> {
    /// The gradient from above on step `t`'s hidden state (`bh = batch·h` values; `zeros`
    /// where none arrives).
    pub fn at<'b>(&'b self, t: usize, seq: usize, bh: usize, zeros: &'b [f32], dseq: &'b [f32]) -> &'b [f32] {
        match self {
            Upstream::Last(d) if t + 1 == seq => &d[..bh],
            Upstream::Last(_) => &zeros[..bh],
            Upstream::Seq => &dseq[t * bh..(t + 1) * bh],
        }
    }
}

/// The input side of a recurrent layer's backward, after the gate gradients `dgates
/// [seq·batch, g]`: `dW_input = inputᵀ · dgates`, the bias gradient (column sums) and, when
/// `want_dx`, the gradient sent below, `dseq = dgates · W_inputᵀ` (`wt`: room for `[g, d_in]`).
#[allow(clippy::too_many_arguments)]
pub fn input_side(
    p: Precision,
    (dwi, db): (&mut [f32], &mut [f32]),
    wi: &[f32],
    input: &[f32],
    dgates: &[f32],
    (rows, d_in, g): (usize, usize, usize),
    wt: &mut [f32],
    dseq: &mut [f32],
    want_dx: bool,
) {
    product(p, dwi, View::new(input, rows, d_in).t(), View::new(dgates, rows, g), false);
    colsum(db, dgates, g);
    if want_dx {
        transpose(wt, wi, d_in, g);
        product(p, dseq, View::new(dgates, rows, g), View::new(wt, g, d_in), false);
    }
}

/// Forward over `input [seq·batch, d_in]` (time-major), products at precision `p`. `train`
/// keeps every step's cell state and its tanh for backward; otherwise only the last two
/// steps' are kept.
#[allow(clippy::too_many_arguments)]
pub fn forward(
    at: &LstmAt,
    params: &[f32],
    input: &[f32],
    seq: usize,
    batch: usize,
    bufs: &mut LayerBufs,
    zeros: &[f32],
    train: bool,
    p: Precision,
) {
    let (wi, wh, bias) = at.split(params);
    let (h, g) = (at.h, 4 * at.h);
    let (bh, bg) = (batch * h, batch * g);
    product(p, &mut bufs.gates, View::new(input, seq * batch, at.d_in), View::new(wi, at.d_in, g), false);
    let slot = |t: usize| if train { t } else { t % 2 };
    for t in 0..seq {
        let gates = &mut bufs.gates[t * bg..(t + 1) * bg];
        let (done, rest) = bufs.h.split_at_mut(t * bh);
        if t > 0 {
            product(p, gates, View::new(&done[(t - 1) * bh..], batch, h), View::new(wh, h, g), true);
        }
        let (c_prev, c) =
            if t == 0 { (&zeros[..bh], &mut bufs.c[..bh]) } else { prev_and_cur(&mut bufs.c, slot(t - 1), slot(t), bh) };
        let tc = &mut bufs.tc[if train { t * bh } else { 0 }..][..bh];
        cell_forward(gates, bias, c_prev, c, tc, &mut rest[..bh], batch, h);
    }
}

/// `(buf[prev·n..][..n], &mut buf[cur·n..][..n])` for `prev ≠ cur`.
fn prev_and_cur(buf: &mut [f32], prev: usize, cur: usize, n: usize) -> (&[f32], &mut [f32]) {
    if prev < cur {
        let (a, b) = buf.split_at_mut(cur * n);
        (&a[prev * n..prev * n + n], &mut b[..n])
    } else {
        let (a, b) = buf.split_at_mut(prev * n);
        (&b[..n], &mut a[cur * n..cur * n + n])
    }
}

/// Working space of [`backward`].
pub struct BackScratch<'a> {
    /// `[batch, h]` recurrent hidden-state gradient, `[batch, h]` cell-state gradient.
    pub dh: &'a mut [f32],
    pub dc: &'a mut [f32],
    /// `[4h, max(h, d_in)]` for a transposed weight matrix.
    pub wt: &'a mut [f32],
    /// `[batch, h]` zeros.
    pub zeros: &'a [f32],
}

/// Backward through time after [`forward`] with `train`, products at precision `p`. Writes the layer's gradients
/// (`w_input`, `w_hidden`, `bias`) into its part of `grads` (overwriting), and, when
/// `want_dx`, the gradient with respect to `input` into `dseq [seq·batch, d_in]` (which held
/// the upstream gradient when `up` is `Seq`).
#[allow(clippy::too_many_arguments)]
pub fn backward(
    at: &LstmAt,
    params: &[f32],
    grads: &mut [f32],
    input: &[f32],
    seq: usize,
    batch: usize,
    bufs: &mut LayerBufs,
    s: BackScratch,
    up: Upstream,
    dseq: &mut [f32],
    want_dx: bool,
    p: Precision,
) {
    let (wi, wh, _) = at.split(params);
    let (dwi, dwh, db) = at.split_mut(grads);
    let (h, g, d_in) = (at.h, 4 * at.h, at.d_in);
    let (bh, bg) = (batch * h, batch * g);
    // [4h, h]: a contiguous transpose makes the per-step product faster than a strided view.
    transpose(s.wt, wh, h, g);
    s.dc[..bh].fill(0.0);
    for t in (0..seq).rev() {
        let ext = up.at(t, seq, bh, s.zeros, dseq);
        let rec = if t + 1 == seq { &s.zeros[..bh] } else { &s.dh[..bh] };
        let c_prev = if t == 0 { &s.zeros[..bh] } else { &bufs.c[(t - 1) * bh..t * bh] };
        let gates = &mut bufs.gates[t * bg..(t + 1) * bg];
        cell_backward(gates, c_prev, &bufs.tc[t * bh..(t + 1) * bh], ext, rec, &mut s.dc[..bh], batch, h);
        if t > 0 {
            product(p, s.dh, View::new(gates, batch, g), View::new(s.wt, g, h), false);
        }
    }
    let dgates = &bufs.gates[..seq * bg];
    // dW_hidden = Σ_{t≥1} h_{t−1}ᵀ · dgates_t: steps 0..seq−1 of h against steps 1..seq.
    product(p, dwh, View::new(&bufs.h, (seq - 1) * batch, h).t(), View::new(&dgates[bg..], (seq - 1) * batch, g), false);
    input_side(p, (dwi, db), wi, input, dgates, (seq * batch, d_in, g), s.wt, dseq, want_dx);
}
