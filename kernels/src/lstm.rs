//! The LSTM recurrence of one layer over all time steps, for a pack of trials, in one launch
//! each way. The input projection `x·W_input` of every step comes in precomputed (one GEMM);
//! these kernels add the recurrent product `h_{t−1}·W_hidden` and the fused gate math.
//!
//! Shapes (f32, trial-major, time-major inside a trial): `gates [T, S, B, 4H]` (gate order
//! i, f, g, o), `c`, `h [T, S, B, H]`, parameters read from each trial's block of the flat
//! parameter buffer `params [T, P]`. Steps before a trial's `start` (a shorter `mem_day` read
//! from the same windows) are skipped: their state is zero, exactly as if the window began there.
//!
//! Launch: one cube per (tile of `rows` batch rows, trial), `H` units per cube; unit `j` owns
//! hidden unit `j` of every row of its tile. Rows of a batch are independent, so the whole
//! time loop runs inside the kernel with two `sync_cube` per step and no other synchronization.

use cubecl::prelude::*;

/// Forward. `gates`: in, the input projection (no bias); out, the gate activations. Writes
/// `c` and `h` of every step (zero before `start`).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn lstm_forward(
    gates: &mut Array<f32>,
    params: &Array<f32>,
    start: &Array<u32>,
    c: &mut Array<f32>,
    h: &mut Array<f32>,
    p_len: u32,
    w_hidden: u32,
    bias: u32,
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
    let g_len = 4 * units;
    let first = start[trial] as usize;
    let wbase = trial * p_len as usize + w_hidden as usize;
    let bbase = trial * p_len as usize + bias as usize;
    let mut shared = SharedMemory::<f32>::new(rows * units);
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
            acc[4 * r + 3] = gates[gb + 3 * units + j] + params[bbase + 3 * units + j];
        }
        if active && t > first {
            for k in 0..units {
                let wk = wbase + k * g_len;
                let wi = params[wk + j];
                let wf = params[wk + units + j];
                let wg = params[wk + 2 * units + j];
                let wo = params[wk + 3 * units + j];
                #[unroll]
                for r in 0..rows {
                    let hk = shared[r * units + k];
                    acc[4 * r] += hk * wi;
                    acc[4 * r + 1] += hk * wf;
                    acc[4 * r + 2] += hk * wg;
                    acc[4 * r + 3] += hk * wo;
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
                    let i = sigmoid(acc[4 * r]);
                    let f = sigmoid(acc[4 * r + 1]);
                    let g = acc[4 * r + 2].tanh();
                    let o = sigmoid(acc[4 * r + 3]);
                    let mut c_prev = 0.0;
                    if t > first {
                        c_prev = c[hb - b_len * units];
                    }
                    let cv = f * c_prev + i * g;
                    hv = o * cv.tanh();
                    gates[gb + j] = i;
                    gates[gb + units + j] = f;
                    gates[gb + 2 * units + j] = g;
                    gates[gb + 3 * units + j] = o;
                    c[hb] = cv;
                } else {
                    gates[gb + j] = 0.0;
                    gates[gb + units + j] = 0.0;
                    gates[gb + 2 * units + j] = 0.0;
                    gates[gb + 3 * units + j] = 0.0;
                    c[hb] = 0.0;
                }
                h[hb] = hv;
                shared[r * units + j] = hv;
            }
        }
        sync_cube();
    }
}

/// Backward through time after [`lstm_forward`]. `gates`: in, the activations; out, the
/// gradients of the pre-activations. `dh`: the hidden-state gradient from above, `[T, S, B, H]`
/// (`last_only`: `[T, B, H]`, for the last step only). `wt [T, 4H, H]`: each trial's
/// `W_hidden` transposed.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn lstm_backward(
    gates: &mut Array<f32>,
    c: &Array<f32>,
    dh: &Array<f32>,
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
    let g_len = 4 * units;
    let first = start[trial] as usize;
    let wbase = trial * g_len * units;
    let mut dg_shared = SharedMemory::<f32>::new(rows * 4 * units);
    let mut dh_shared = SharedMemory::<f32>::new(rows * units);
    let mut dc = Array::<f32>::new(rows);
    let mut acc = Array::<f32>::new(rows);
    #[unroll]
    for r in 0..rows {
        dh_shared[r * units + j] = 0.0;
        dc[r] = 0.0;
        dg_shared[r * g_len + j] = 0.0;
        dg_shared[r * g_len + units + j] = 0.0;
        dg_shared[r * g_len + 2 * units + j] = 0.0;
        dg_shared[r * g_len + 3 * units + j] = 0.0;
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
                let mut di = 0.0;
                let mut df = 0.0;
                let mut dgg = 0.0;
                let mut dout = 0.0;
                if active && row < n_valid {
                    let mut d = dh_shared[r * units + j];
                    if last_only {
                        if t == s_len - 1 {
                            d += dh[(trial * b_len + row) * units + j];
                        }
                    } else {
                        d += dh[hb];
                    }
                    let i = gates[gb + j];
                    let f = gates[gb + units + j];
                    let g = gates[gb + 2 * units + j];
                    let o = gates[gb + 3 * units + j];
                    let tc = c[hb].tanh();
                    let mut c_prev = 0.0;
                    if t > first {
                        c_prev = c[hb - b_len * units];
                    }
                    let dcv = dc[r] + d * o * (1.0 - tc * tc);
                    dc[r] = dcv * f;
                    di = dcv * g * i * (1.0 - i);
                    df = dcv * c_prev * f * (1.0 - f);
                    dgg = dcv * i * (1.0 - g * g);
                    dout = d * tc * o * (1.0 - o);
                }
                gates[gb + j] = di;
                gates[gb + units + j] = df;
                gates[gb + 2 * units + j] = dgg;
                gates[gb + 3 * units + j] = dout;
                dg_shared[r * g_len + j] = di;
                dg_shared[r * g_len + units + j] = df;
                dg_shared[r * g_len + 2 * units + j] = dgg;
                dg_shared[r * g_len + 3 * units + j] = dout;
            }
        }
        sync_cube();
        // The recurrent gradient for step t−1: dh_{t−1}[j] = Σ_q dgates_t[q] · W_hidden[j, q].
        #[unroll]
        for r in 0..rows {
            acc[r] = 0.0;
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

#[cube]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (0.0 - x).exp())
}
