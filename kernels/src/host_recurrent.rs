//! Launches of the recurrence kernels ([`crate::lstm`], [`crate::gru`]).

use cubecl::prelude::*;

use crate::host::{Buf, Gpu, arr, u};

impl<R: Runtime> Gpu<R> {
    /// Launch geometry shared by the four recurrence kernels: `rows` batch rows per cube (more
    /// rows reuse each weight load more, fewer make more cubes for small batches), cubes over
    /// `[batch / rows, trials]`, one invocation per hidden unit. Returns `(count, dim, rows)`;
    /// the kernels tile their rows by the same `rows` (a comptime argument).
    fn recurrence_grid(batch: usize, trials: usize, units: usize) -> (CubeCount, CubeDim, usize) {
        let rows = if batch >= 512 { 8 } else { 4 };
        let count = CubeCount::Static(u(batch.div_ceil(rows)), u(trials), 1);
        (count, CubeDim::new_1d(u(units)), rows)
    }

    /// [`crate::lstm::lstm_forward`] over `trials` trials; `w_hidden`, `bias`: offsets in a
    /// trial's parameter block of length `p_len`.
    #[allow(clippy::too_many_arguments)]
    pub fn lstm_forward(
        &self,
        gates: &Buf,
        params: &Buf,
        start: &Buf,
        c: &Buf,
        h: &Buf,
        p_len: usize,
        w_hidden: usize,
        bias: usize,
        trials: usize,
        steps: usize,
        batch: usize,
        n_rows: usize,
        units: usize,
    ) {
        let (count, dim, rows) = Self::recurrence_grid(batch, trials, units);
        crate::lstm::lstm_forward::launch::<R>(
            &self.client,
            count,
            dim,
            arr(gates),
            arr(params),
            arr(start),
            arr(c),
            arr(h),
            u(p_len),
            u(w_hidden),
            u(bias),
            u(steps),
            u(batch),
            u(n_rows),
            units,
            rows,
        );
    }

    /// [`crate::lstm::lstm_backward`]; `wt [T, 4H, H]` from [`Gpu::transpose`].
    #[allow(clippy::too_many_arguments)]
    pub fn lstm_backward(
        &self,
        gates: &Buf,
        c: &Buf,
        dh: &Buf,
        wt: &Buf,
        start: &Buf,
        trials: usize,
        steps: usize,
        batch: usize,
        n_rows: usize,
        units: usize,
        last_only: bool,
    ) {
        let (count, dim, rows) = Self::recurrence_grid(batch, trials, units);
        crate::lstm::lstm_backward::launch::<R>(
            &self.client,
            count,
            dim,
            arr(gates),
            arr(c),
            arr(dh),
            arr(wt),
            arr(start),
            u(steps),
            u(batch),
            u(n_rows),
            units,
            rows,
            last_only,
        );
    }

    /// [`crate::gru::gru_forward`] over `trials` trials; `w_hidden`, `bias`, `bias_hn`:
    /// offsets in a trial's parameter block of length `p_len`; `hn`, `h [T, S, B, H]`.
    #[allow(clippy::too_many_arguments)]
    pub fn gru_forward(
        &self,
        gates: &Buf,
        params: &Buf,
        start: &Buf,
        hn: &Buf,
        h: &Buf,
        p_len: usize,
        at: [usize; 3],
        trials: usize,
        steps: usize,
        batch: usize,
        n_rows: usize,
        units: usize,
    ) {
        let (count, dim, rows) = Self::recurrence_grid(batch, trials, units);
        let [w_hidden, bias, bias_hn] = at;
        crate::gru::gru_forward::launch::<R>(
            &self.client,
            count,
            dim,
            arr(gates),
            arr(params),
            arr(start),
            arr(hn),
            arr(h),
            u(p_len),
            u(w_hidden),
            u(bias),
            u(bias_hn),
            u(steps),
            u(batch),
            u(n_rows),
            units,
            rows,
        );
    }

    /// [`crate::gru::gru_backward`]; `wt [T, 3H, H]` from [`Gpu::transpose`], `dgh [T, S, B, 3H]` out.
    #[allow(clippy::too_many_arguments)]
    pub fn gru_backward(
        &self,
        gates: &Buf,
        hn: &Buf,
        h: &Buf,
        dh: &Buf,
        dgh: &Buf,
        wt: &Buf,
        start: &Buf,
        trials: usize,
        steps: usize,
        batch: usize,
        n_rows: usize,
        units: usize,
        last_only: bool,
    ) {
        let (count, dim, rows) = Self::recurrence_grid(batch, trials, units);
        crate::gru::gru_backward::launch::<R>(
            &self.client,
            count,
            dim,
            arr(gates),
            arr(hn),
            arr(h),
            arr(dh),
            arr(dgh),
            arr(wt),
            arr(start),
            u(steps),
            u(batch),
            u(n_rows),
            units,
            rows,
            last_only,
        );
    }
}
