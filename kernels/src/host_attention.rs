//! Launches of the attention pooling's kernels ([`crate::attention`]). Shapes as there:
//! `T` trials, `S` steps, `B` rows, `H` units, `A` scoring width, `P` parameters per trial.

use cubecl::prelude::*;

use crate::host::{Buf, ELEMWISE, Gpu, arr, u};

impl<R: Runtime> Gpu<R> {
    /// [`crate::attention::attention_scores`]: `act [T, S·B, A]` → `tanh(act + b₁)` and
    /// `scores [T, S·B]`; `at = [bias, score]` offsets in a trial's parameters.
    #[allow(clippy::too_many_arguments)]
    pub fn attention_scores(
        &self,
        act: &Buf,
        params: &Buf,
        scores: &Buf,
        p_len: usize,
        at: [usize; 2],
        width: usize,
        rows: usize,
    ) {
        crate::attention::attention_scores::launch::<R>(
            &self.client,
            self.elemwise(scores.len),
            ELEMWISE,
            arr(act),
            arr(params),
            arr(scores),
            u(p_len),
            u(at[0]),
            u(at[1]),
            u(width),
            u(rows),
        );
    }

    /// [`crate::attention::attention_softmax`] of `scores [T, S, B]` into `alpha`, from each
    /// trial's `start`.
    pub fn attention_softmax(&self, scores: &Buf, alpha: &Buf, start: &Buf, steps: usize, batch: usize) {
        crate::attention::attention_softmax::launch::<R>(
            &self.client,
            self.elemwise(alpha.len / steps.max(1)),
            ELEMWISE,
            arr(scores),
            arr(alpha),
            arr(start),
            u(steps),
            u(batch),
        );
    }

    /// [`crate::attention::attention_pool`] into `pooled [T, B, 2H]`.
    #[allow(clippy::too_many_arguments)]
    pub fn attention_pool(&self, h: &Buf, alpha: &Buf, mask: &Buf, pooled: &Buf, steps: usize, batch: usize, units: usize) {
        crate::attention::attention_pool::launch::<R>(
            &self.client,
            self.elemwise(pooled.len),
            ELEMWISE,
            arr(h),
            arr(alpha),
            arr(mask),
            arr(pooled),
            u(steps),
            u(batch),
            u(units),
        );
    }

    /// [`crate::attention::attention_back_scores`] into `ds [T, S, B]`.
    #[allow(clippy::too_many_arguments)]
    pub fn attention_back_scores(&self, h: &Buf, alpha: &Buf, dpooled: &Buf, ds: &Buf, steps: usize, batch: usize, units: usize) {
        crate::attention::attention_back_scores::launch::<R>(
            &self.client,
            self.elemwise(ds.len / steps.max(1)),
            ELEMWISE,
            arr(h),
            arr(alpha),
            arr(dpooled),
            arr(ds),
            u(steps),
            u(batch),
            u(units),
        );
    }

    /// [`crate::attention::attention_back_h`] into `dh [T, S, B, H]` (overwritten).
    pub fn attention_back_h(&self, alpha: &Buf, dpooled: &Buf, dh: &Buf, steps: usize, batch: usize, units: usize) {
        crate::attention::attention_back_h::launch::<R>(
            &self.client,
            self.elemwise(dh.len),
            ELEMWISE,
            arr(alpha),
            arr(dpooled),
            arr(dh),
            u(steps),
            u(batch),
            u(units),
        );
    }

    /// [`crate::attention::attention_back_act`]: `act [T, S·B, A]` becomes `dZ`.
    #[allow(clippy::too_many_arguments)]
    pub fn attention_back_act(
        &self,
        act: &Buf,
        ds: &Buf,
        params: &Buf,
        p_len: usize,
        score_at: usize,
        width: usize,
        rows: usize,
    ) {
        crate::attention::attention_back_act::launch::<R>(
            &self.client,
            self.elemwise(act.len),
            ELEMWISE,
            arr(act),
            arr(ds),
            arr(params),
            u(p_len),
            u(score_at),
            u(width),
            u(rows),
        );
    }
}
