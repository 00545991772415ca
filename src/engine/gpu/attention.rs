//! Attention pooling over the top recurrent layer's steps on the GPU engine (qlib's ALSTM
//! head; `model::attention` is the reference, `engine::cpu::attention` the CPU engine's).
//! With `H [T, S·B, H]` the top layer's hidden states and `A` the padded scoring width:
//!
//! - forward: `act = tanh(H·W₁ + b₁)` (one GEMM, then [`Gpu::attention_scores`]), `s =
//!   act·w₂`, `α = softmax_t(s)` over each trial's own steps, and the head's input
//!   `[h_last, Σ_t α_t h_t]` after its dropout mask;
//! - backward: from the head input's gradient `[dh_last, dctx]`: `ds_t = α_t (dctx·h_t − Σ_τ
//!   α_τ dctx·h_τ)`, `dZ = ds·w₂ ⊙ (1 − act²)`, the weights' gradients `w₂: actᵀ·ds`, `W₁:
//!   Hᵀ·dZ`, `b₁: Σ dZ`, and every step's hidden-state gradient `α_t·dctx + dZ_t·W₁ᵀ` (plus
//!   `dh_last` at the last step) into `dseq`, the top layer's upstream gradient.

use alphasweep_kernels::cubecl::Runtime;
use alphasweep_kernels::{Buf, Gpu, MatView};

use super::buffers::{AttentionBufs, BackBufs, TrialBufs};
use super::pack::PackShape;

/// Forward over a batch of `b` rows: `pooled [T, B, 2H]` from the top layer's `h`, times `mask`.
#[allow(clippy::too_many_arguments)]
pub fn forward<R: Runtime>(
    gpu: &Gpu<R>,
    shape: &PackShape,
    tb: &TrialBufs,
    ab: &AttentionBufs,
    h: &Buf,
    mask: &Buf,
    pooled: &Buf,
    b: usize,
) {
    let at = shape.layout.attention.expect("an attention layout");
    let (t, s, u, p, a) = (shape.trials, shape.steps, shape.units, shape.p_len(), at.a);
    let rows = s * b;
    gpu.matmul(
        MatView::rows(h, 0, rows * u, u),
        MatView::rows(&tb.params, at.hidden, p, a),
        MatView::rows(&ab.act, 0, rows * a, a),
        rows,
        a,
        u,
        t,
        false,
    );
    gpu.attention_scores(&ab.act, &tb.params, &ab.scores, p, [at.bias, at.score], a, rows);
    gpu.attention_softmax(&ab.scores, &ab.alpha, &tb.start, s, b);
    gpu.attention_pool(h, &ab.alpha, mask, pooled, s, b, u);
}

/// Backward after [`forward`] of the same batch, from `bb.dhead` (the head input's gradient,
/// after its mask): the pooling's weight gradients into `tb.grads` and every step's
/// hidden-state gradient into `bb.dseq` (overwritten).
pub fn backward<R: Runtime>(
    gpu: &Gpu<R>,
    shape: &PackShape,
    tb: &TrialBufs,
    ab: &AttentionBufs,
    bb: &BackBufs,
    h: &Buf,
    b: usize,
) {
    let at = shape.layout.attention.expect("an attention layout");
    let ds = bb.ds.as_ref().expect("attention's backward buffers");
    let (t, s, u, p, a) = (shape.trials, shape.steps, shape.units, shape.p_len(), at.a);
    let (rows, grads) = (s * b, &tb.grads);
    gpu.attention_back_scores(h, &ab.alpha, &bb.dhead, ds, s, b, u);
    gpu.attention_back_h(&ab.alpha, &bb.dhead, &bb.dseq, s, b, u);
    // dw₂ = actᵀ·ds, before act becomes dZ.
    gpu.matmul(
        MatView::rows(&ab.act, 0, rows * a, a).t(),
        MatView::rows(ds, 0, rows, 1),
        MatView::rows(grads, at.score, p, 1),
        a,
        1,
        rows,
        t,
        false,
    );
    gpu.attention_back_act(&ab.act, ds, &tb.params, p, at.score, a, rows);
    gpu.matmul(
        MatView::rows(h, 0, rows * u, u).t(),
        MatView::rows(&ab.act, 0, rows * a, a),
        MatView::rows(grads, at.hidden, p, a),
        u,
        a,
        rows,
        t,
        false,
    );
    gpu.colsum(&ab.act, grads, rows * a, rows, a, p, at.bias, t);
    gpu.matmul(
        MatView::rows(&ab.act, 0, rows * a, a),
        MatView::rows(&tb.params, at.hidden, p, a).t(),
        MatView::rows(&bb.dseq, 0, rows * u, u),
        rows,
        u,
        a,
        t,
        true,
    );
}
