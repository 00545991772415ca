//! The GRU recurrence of one layer over all time steps, for a pack of trials, in one launch
//! each way: qlib's GRU (PyTorch's equations), gates `[r, z, n]`,
//! `n = tanh(x·W_n + b_n + r ⊙ (h·W_hn + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`. The input
//! projection `x·W_input` of every step comes in precomputed (one GEMM); these kernels add
//! the recurrent product `h_{t−1}·W_hidden` and the fused gate math.
//!
//! Shapes (f32, trial-major, time-major inside a trial): `gates [T, S, B, 3H]`, `hn`, `h
//! [T, S, B, H]` (`hn`: the recurrent candidate term `h_{t−1}·W_hn + b_hn` the reset gate
//! scales, kept for backward). Parameters from each trial's block of `params [T, P]`:
//! `w_hidden [H, 3H]`, `bias [3H]` (the r and z recurrent biases summed in), `bias_hn [H]`.
//! Steps before a trial's `start` are skipped: their state is zero, as if the window began there.
//!
//! Launch: one cube per (tile of `rows` batch rows, trial), `H` units per cube, as the LSTM
//! kernels (`crate::lstm`): two `sync_cube` per step, nothing else synchronizes.

use cubecl::prelude::*;

use crate::lstm::sigmoid;

/// Forward. `gates`: in, the input projection (no bias); out, the activations `r, z, n`.
/// Writes `hn` and `h` of every step (zero before `start`).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn gru_forward(
    gates: &mut Array<f32>,
    params: &Array<f32>,
    start: &Array<u32>,
    hn: &mut Array<f32>,
    h: &mut Array<f32>,
    p_len: u32,
    w_hidden: u32,
    bias: u32,
    bias_hn: u32,
    steps: u32,
    batch: u32,
    n_rows: u32,
    #[comptime] units: usize,
    #[comptime] rows: usize,
) {
    let j = UNIT_POS_X as usize;
    let trial = CUBE_POS_Y as usize;
    let row0 = CUBE_POS_X as usize * rows;
    let s_len = steps as usize;
    let b_len = batch as usize;
    let n_valid = n_rows as usize;
    let g_len = 3 * units;
    let first = start[trial] as usize;
    let wbase = trial * p_len as usize + w_hidden as usize;
    let bbase = trial * p_len as usize + bias as usize;
    let hn_bias = params[trial * p_len as usize + bias_hn as usize + j];
    let mut shared = SharedMemory::<f32>::new(rows * units);
    // Per row: r and z pre-activations, the input-side candidate, the recurrent candidate.
    let mut acc = Array::<f32>::new(4 * rows);
    #[unroll]
    for r in 0..rows {
        shared[r * units + j] = 0.0;
    }
    sync_cube();
    for t in 0..s_len {
        let active = t >= first;
        #[unroll]
        for r in 0..rows {
            let mut row = row0 + r;
            if row >= b_len {
                row = b_len - 1;
            }
            let gb = ((trial * s_len + t) * b_len + row) * g_len;
            acc[4 * r] = gates[gb + j] + params[bbase + j];
            acc[4 * r + 1] = gates[gb + units + j] + params[bbase + units + j];
            acc[4 * r + 2] = gates[gb + 2 * units + j] + params[bbase + 2 * units + j];
            acc[4 * r + 3] = hn_bias;
        }
        if active && t > first {
            for k in 0..units {
                let wk = wbase + k * g_len;
                let wr = params[wk + j];
                let wz = params[wk + units + j];
                let wn = params[wk + 2 * units + j];
                #[unroll]
                for r in 0..rows {
                    let hk = shared[r * units + k];
                    acc[4 * r] += hk * wr;
                    acc[4 * r + 1] += hk * wz;
                    acc[4 * r + 3] += hk * wn;
                }
            }
        }
        sync_cube();
        #[unroll]
        for r in 0..rows {
            let row = row0 + r;
            if row < n_valid {
                let gb = ((trial * s_len + t) * b_len + row) * g_len;
                let hb = ((trial * s_len + t) * b_len + row) * units + j;
                let mut hv = 0.0;
                if active {
                    let rg = sigmoid(acc[4 * r]);
                    let zg = sigmoid(acc[4 * r + 1]);
                    let ng = (acc[4 * r + 2] + rg * acc[4 * r + 3]).tanh();
                    let h_prev = shared[r * units + j];
                    hv = (1.0 - zg) * ng + zg * h_prev;
                    gates[gb + j] = rg;
                    gates[gb + units + j] = zg;
                    gates[gb + 2 * units + j] = ng;
                    hn[hb] = acc[4 * r + 3];
                } else {
                    gates[gb + j] = 0.0;
                    gates[gb + units + j] = 0.0;
                    gates[gb + 2 * units + j] = 0.0;
                    hn[hb] = 0.0;
                }
                h[hb] = hv;
                shared[r * units + j] = hv;
            }
        }
        sync_cube();
    }
}

/// Backward through time after [`gru_forward`]. `gates`: in, the activations; out, the
/// gradients of the input-side pre-activations `[dr, dz, dn]` (for `W_input`, `bias` and the
/// layer below). `dgh [T, S, B, 3H]`: out, the recurrent-side ones `[dr, dz, dn ⊙ r]` (for
/// `W_hidden`, `bias_hn`). `dh`: the hidden-state gradient from above, `[T, S, B, H]`
/// (`last_only`: `[T, B, H]`, for the last step only). `wt [T, 3H, H]`: each trial's
/// `W_hidden` transposed.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn gru_backward(
    gates: &mut Array<f32>,
    hn: &Array<f32>,
    h: &Array<f32>,
    dh: &Array<f32>,
    dgh: &mut Array<f32>,
    wt: &Array<f32>,
    start: &Array<u32>,
    steps: u32,
    batch: u32,
    n_rows: u32,
    #[comptime] units: usize,
    #[comptime] rows: usize,
    #[comptime] last_only: bool,
) {
    let j = UNIT_POS_X as usize;
    let trial = CUBE_POS_Y as usize;
    let row0 = CUBE_POS_X as usize * rows;
    let s_len = steps as usize;
    let b_len = batch as usize;
    let n_valid = n_rows as usize;
    let g_len = 3 * units;
    let first = start[trial] as usize;
    let wbase = trial * g_len * units;
    let mut dg_shared = SharedMemory::<f32>::new(rows * 3 * units);
    let mut dh_shared = SharedMemory::<f32>::new(rows * units);
    // Per row: the gradient reaching h_{t−1} directly, through `z ⊙ h_{t−1}`.
    let mut direct = Array::<f32>::new(rows);
    let mut acc = Array::<f32>::new(rows);
    #[unroll]
    for r in 0..rows {
        dh_shared[r * units + j] = 0.0;
        direct[r] = 0.0;
        dg_shared[r * g_len + j] = 0.0;
        dg_shared[r * g_len + units + j] = 0.0;
        dg_shared[r * g_len + 2 * units + j] = 0.0;
    }
    sync_cube();
    for back in 0..s_len {
        let t = s_len - 1 - back;
        let active = t >= first;
        #[unroll]
        for r in 0..rows {
            let row = row0 + r;
            if row < b_len {
                let gb = ((trial * s_len + t) * b_len + row) * g_len;
                let hb = ((trial * s_len + t) * b_len + row) * units + j;
                let mut dr = 0.0;
                let mut dz = 0.0;
                let mut dn = 0.0;
                let mut rg = 0.0;
                direct[r] = 0.0;
                if active && row < n_valid {
                    let mut d = dh_shared[r * units + j];
                    if last_only {
                        if t == s_len - 1 {
                            d += dh[(trial * b_len + row) * units + j];
                        }
                    } else {
                        d += dh[hb];
                    }
                    rg = gates[gb + j];
                    let zg = gates[gb + units + j];
                    let ng = gates[gb + 2 * units + j];
                    let mut h_prev = 0.0;
                    if t > first {
                        h_prev = h[hb - b_len * units];
                    }
                    dn = d * (1.0 - zg) * (1.0 - ng * ng);
                    dz = d * (h_prev - ng) * zg * (1.0 - zg);
                    dr = dn * hn[hb] * rg * (1.0 - rg);
                    direct[r] = d * zg;
                }
                gates[gb + j] = dr;
                gates[gb + units + j] = dz;
                gates[gb + 2 * units + j] = dn;
                dgh[gb + j] = dr;
                dgh[gb + units + j] = dz;
                dgh[gb + 2 * units + j] = dn * rg;
                dg_shared[r * g_len + j] = dr;
                dg_shared[r * g_len + units + j] = dz;
                dg_shared[r * g_len + 2 * units + j] = dn * rg;
            }
        }
        sync_cube();
        // The gradient for step t−1: dh_{t−1}[j] = d[j]·z[j] + Σ_q dgh_t[q] · W_hidden[j, q].
        #[unroll]
        for r in 0..rows {
            acc[r] = direct[r];
        }
        for q in 0..g_len {
            let w = wt[wbase + q * units + j];
            #[unroll]
            for r in 0..rows {
                acc[r] += dg_shared[r * g_len + q] * w;
            }
        }
        #[unroll]
        for r in 0..rows {
            dh_shared[r * units + j] = acc[r];
        }
        sync_cube();
    }
}
