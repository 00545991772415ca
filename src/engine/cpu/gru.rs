//! One GRU layer over a whole batch of sequences, forward and backward through time (the
//! equations of `model::gru`; gates `[r, z, n]`).
//!
//! Forward: one GEMM projects every step's input to the three gates (`[seq·batch, d_in] ×
//! [d_in, 3h]`); each step computes the recurrent GEMM (`[batch, h] × [h, 3h]`) apart, as
//! the reset gate scales its candidate block, then runs the fused gate math
//! ([`row_forward`]). Backward walks the steps in reverse: the fused gate derivatives
//! ([`row_backward`]) give the input-side and recurrent-side gate gradients (they differ in
//! the candidate block by the factor `r`), then one GEMM carries the recurrent one back to
//! `h_{t−1}`. The weight gradients are one GEMM each over all steps at once.

use super::arena::LayerBufs;
use super::gemm::{View, product, transpose};
use super::kernels::colsum;
use super::lstm::{Upstream, input_side};
use super::simd::{sigmoid, simd_fn, tanh};
use crate::engine::precision::Precision;
use crate::engine::weights::GruAt;

/// Forward over `input [seq·batch, d_in]` (time-major), products at precision `p`. `train`
/// keeps every step's `hn = h_{t−1} W_hn + b_hn` for backward.
#[allow(clippy::too_many_arguments)]
pub fn forward(
    at: &GruAt,
    params: &[f32],
    input: &[f32],
    seq: usize,
    batch: usize,
    bufs: &mut LayerBufs,
    zeros: &[f32],
    train: bool,
    p: Precision,
) {
    let (wi, wh, bias, bias_hn) = at.split(params);
    let (h, g) = (at.h, 3 * at.h);
    let (bh, bg) = (batch * h, batch * g);
    product(p, &mut bufs.gates, View::new(input, seq * batch, at.d_in), View::new(wi, at.d_in, g), false);
    for t in 0..seq {
        let gates = &mut bufs.gates[t * bg..(t + 1) * bg];
        let (done, rest) = bufs.h.split_at_mut(t * bh);
        let h_prev = if t == 0 { &zeros[..bh] } else { &done[(t - 1) * bh..] };
        let gh = &mut bufs.gh[..bg];
        if t == 0 {
            gh.fill(0.0);
        } else {
            product(p, gh, View::new(h_prev, batch, h), View::new(wh, h, g), false);
        }
        let hn = &mut bufs.hn[if train { t * bh } else { 0 }..][..bh];
        for b in 0..batch {
            let (r, rg) = (b * h..(b + 1) * h, b * g..(b + 1) * g);
            let (gr, rest_g) = gates[rg.clone()].split_at_mut(h);
            let (gz, gn) = rest_g.split_at_mut(h);
            row_forward(gr, gz, gn, &gh[rg], bias, bias_hn, &h_prev[r.clone()], &mut hn[r.clone()], &mut rest[r]);
        }
    }
}

simd_fn! {
    /// One row of a step: `gr, gz, gn` (`h` each) hold the input projections without bias and
    /// get the activations `r, z, n`; `gh [3h]` the recurrent product; `hn` gets `gh_n + b_hn`;
    /// `hh` the new hidden state `(1 − z) ⊙ n + z ⊙ h_prev`.
    fn row_forward(gr: &mut [f32], gz: &mut [f32], gn: &mut [f32], gh: &[f32], bias: &[f32], bias_hn: &[f32], hp: &[f32], hn: &mut [f32], hh: &mut [f32]) {
        let h = gr.len();
        let (gz, gn, hp, hn, hh, bias_hn) = (&mut gz[..h], &mut gn[..h], &hp[..h], &mut hn[..h], &mut hh[..h], &bias_hn[..h]);
        let (hr, hz, hc) = (&gh[..h], &gh[h..2 * h], &gh[2 * h..3 * h]);
        let (br, bz, bn) = (&bias[..h], &bias[h..2 * h], &bias[2 * h..3 * h]);
        for j in 0..h {
            let r = sigmoid::<FMA>(gr[j] + br[j] + hr[j]);
            let z = sigmoid::<FMA>(gz[j] + bz[j] + hz[j]);
            let m = hc[j] + bias_hn[j];
            let n = tanh::<FMA>(gn[j] + bn[j] + r * m);
            gr[j] = r;
            gz[j] = z;
            gn[j] = n;
            hn[j] = m;
            hh[j] = n + z * (hp[j] - n);
        }
    }
}

simd_fn! {
    /// One row of a step backward: `gr, gz, gn` hold `r, z, n` and get the input-side gate
    /// gradients; `dr, dz, dn` (the row of `dgh`) get the recurrent-side ones; `dh` holds
    /// the recurrent hidden-state gradient from step t+1 and gets the direct part of
    /// `h_{t−1}`'s (`dh ⊙ z`; the caller adds `dgh · W_hᵀ`).
    fn row_backward(gr: &mut [f32], gz: &mut [f32], gn: &mut [f32], dr: &mut [f32], dz: &mut [f32], dn: &mut [f32], hn: &[f32], hp: &[f32], ext: &[f32], dh: &mut [f32]) {
        let h = gr.len();
        let (gz, gn, dr, dz, dn, hn, hp, ext, dh) =
            (&mut gz[..h], &mut gn[..h], &mut dr[..h], &mut dz[..h], &mut dn[..h], &hn[..h], &hp[..h], &ext[..h], &mut dh[..h]);
        for j in 0..h {
            let (r, z, n) = (gr[j], gz[j], gn[j]);
            let d = ext[j] + dh[j];
            let da_n = d * (1.0 - z) * (1.0 - n * n);
            let da_r = da_n * hn[j] * r * (1.0 - r);
            let da_z = d * (hp[j] - n) * z * (1.0 - z);
            gr[j] = da_r;
            gz[j] = da_z;
            gn[j] = da_n;
            dr[j] = da_r;
            dz[j] = da_z;
            dn[j] = da_n * r;
            dh[j] = d * z;
        }
    }
}

/// Working space of [`backward`].
pub struct BackScratch<'a> {
    /// `[batch, h]`: the recurrent hidden-state gradient.
    pub dh: &'a mut [f32],
    /// `[seq, batch, 3h]`: the recurrent-side gate gradients of every step.
    pub dgh: &'a mut [f32],
    /// `[3h, max(h, d_in)]` for a transposed weight matrix.
    pub wt: &'a mut [f32],
    /// `[batch, h]` zeros.
    pub zeros: &'a [f32],
}

/// Backward through time after [`forward`] with `train`. Writes the layer's gradients into
/// its part of `grads` (overwriting) and, when `want_dx`, the gradient with respect to
/// `input` into `dseq [seq·batch, d_in]` (which held the upstream gradient when `up` is
/// `Seq`).
#[allow(clippy::too_many_arguments)]
pub fn backward(
    at: &GruAt,
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
    let (wi, wh, _, _) = at.split(params);
    let (dwi, dwh, db, db_hn) = at.split_mut(grads);
    let (h, g, d_in) = (at.h, 3 * at.h, at.d_in);
    let (bh, bg) = (batch * h, batch * g);
    transpose(s.wt, wh, h, g);
    s.dh[..bh].fill(0.0);
    for t in (0..seq).rev() {
        let ext = up.at(t, seq, bh, s.zeros, dseq);
        let h_prev = if t == 0 { &s.zeros[..bh] } else { &bufs.h[(t - 1) * bh..t * bh] };
        let gates = &mut bufs.gates[t * bg..(t + 1) * bg];
        let dgh = &mut s.dgh[t * bg..(t + 1) * bg];
        let hn = &bufs.hn[t * bh..(t + 1) * bh];
        for b in 0..batch {
            let (r, rg) = (b * h..(b + 1) * h, b * g..(b + 1) * g);
            let (gr, rest) = gates[rg.clone()].split_at_mut(h);
            let (gz, gn) = rest.split_at_mut(h);
            let (dr, rest) = dgh[rg].split_at_mut(h);
            let (dz, dn) = rest.split_at_mut(h);
            row_backward(gr, gz, gn, dr, dz, dn, &hn[r.clone()], &h_prev[r.clone()], &ext[r.clone()], &mut s.dh[r]);
        }
        if t > 0 {
            product(p, &mut s.dh[..bh], View::new(dgh, batch, g), View::new(s.wt, g, h), true);
        }
    }
    let (dgates, dgh) = (&bufs.gates[..seq * bg], &s.dgh[..seq * bg]);
    // dW_hidden = Σ_{t≥1} h_{t−1}ᵀ · dgh_t (h_{−1} = 0); b_hn's gradient sums dgh_n over every step.
    product(p, dwh, View::new(&bufs.h, (seq - 1) * batch, h).t(), View::new(&dgh[bg..], (seq - 1) * batch, g), false);
    colsum(db, dgh, g);
    db_hn.copy_from_slice(&db[2 * h..]);
    input_side(p, (dwi, db), wi, input, dgates, (seq * batch, d_in, g), s.wt, dseq, want_dx);
}
