//! The small kernels around the LSTM and GEMM launches: batch gathering on the device,
//! dropout masks from a counter-based hash, the dense head's elementwise steps, the loss,
//! column sums and a transpose. Shapes in each doc; `T` trials, `S` steps, `B` batch rows,
//! `H` units, `P` parameters per trial.

use cubecl::prelude::*;

/// Gathers a batch for every trial: `x [T, S, B, D]` (time-major windows ending at each
/// sample's date) and `y [T, B]` from `features [dates, stocks, K, D]` (`K =
/// steps_per_day` steps a day; `S` a multiple of `K`) and `labels [dates, stocks]`; trial
/// `z`'s row `b` is sample `order[z·n_order + offset + b]`, whose date and stock are
/// `dates[·]`, `stocks[·]`. Rows from `n_rows` on are zeros. One unit per element of `x`.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn gather(
    features: &Array<f32>,
    labels: &Array<f32>,
    dates: &Array<u32>,
    stocks: &Array<u32>,
    order: &Array<u32>,
    x: &mut Array<f32>,
    y: &mut Array<f32>,
    n_order: u32,
    offset: u32,
    steps: u32,
    batch: u32,
    n_rows: u32,
    n_features: u32,
    n_stocks: u32,
    steps_per_day: u32,
) {
    let d = n_features as usize;
    let s_len = steps as usize;
    let b_len = batch as usize;
    let pos = ABSOLUTE_POS;
    if pos < x.len() {
        let f = pos % d;
        let row = (pos / d) % b_len;
        let t = (pos / (d * b_len)) % s_len;
        let trial = pos / (d * b_len * s_len);
        let mut v = 0.0;
        let mut label = 0.0;
        if row < n_rows as usize {
            let sample = order[trial * n_order as usize + offset as usize + row] as usize;
            let date = dates[sample] as usize;
            let stock = stocks[sample] as usize;
            // Step t is `back` steps before the window's last: day `back / K` before the
            // sample's date, at that day's step `K − 1 − back % K`.
            let k = steps_per_day as usize;
            let back = s_len - 1 - t;
            let day = date - back / k;
            v = features[((day * n_stocks as usize + stock) * k + k - 1 - back % k) * d + f];
            label = labels[date * n_stocks as usize + stock];
        }
        x[pos] = v;
        if t == 0 && f == 0 {
            y[trial * b_len + row] = label;
        }
    }
}

/// Inverted-dropout masks `mask [T, S, B, halves·H]` (`S = 1` for the dense head; `halves =
/// 2` for the attention head's input `[h_last, context]`, else 1): each entry is 0 with
/// probability `threshold[z] / 2²⁴`, else `keep[z]` (= 1/(1−p)). The draw hashes the trial's
/// `seed`, `counter` (its step and the mask's place in the network) and the entry's position
/// in the trial's own unpadded shape (`units[z]` a half, steps from `start[z]`), so a trial
/// draws the same masks alone as in any pack.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn dropout_mask(
    mask: &mut Array<f32>,
    seed: &Array<u32>,
    threshold: &Array<u32>,
    keep: &Array<f32>,
    units: &Array<u32>,
    start: &Array<u32>,
    counter: u32,
    steps: u32,
    batch: u32,
    h_pad: u32,
    halves: u32,
) {
    let pos = ABSOLUTE_POS;
    if pos < mask.len() {
        let n_halves = halves as usize;
        let h = h_pad as usize * n_halves;
        let b_len = batch as usize;
        let s_len = steps as usize;
        let j = pos % h_pad as usize;
        let half = (pos % h) / h_pad as usize;
        let row = (pos / h) % b_len;
        let t = (pos / (h * b_len)) % s_len;
        let trial = pos / (h * b_len * s_len);
        let u = units[trial] as usize;
        let first = start[trial] as usize;
        let mut v = keep[trial];
        if j < u && t >= first {
            let key = ((((t - first) * b_len + row) * n_halves + half) * u + j) as u32;
            let r = mix(mix(seed[trial] ^ mix(counter)) ^ key) >> 8u32;
            if r < threshold[trial] {
                v = 0.0;
            }
        }
        mask[pos] = v;
    }
}

/// A 32-bit integer hash (xor-shift-multiply, full avalanche).
#[cube]
fn mix(x: u32) -> u32 {
    let mut v = x;
    v ^= v >> 16u32;
    v *= 0x7feb_352du32;
    v ^= v >> 15u32;
    v *= 0x846c_a68bu32;
    v ^= v >> 16u32;
    v
}

/// `z0 [T, B, H] = h[:, S−1] · mask` with `h [T, S, B, H]`: the last hidden state after dropout.
#[cube(launch)]
pub fn last_step(h: &Array<f32>, mask: &Array<f32>, z0: &mut Array<f32>, steps: u32, batch: u32, units: u32) {
    let pos = ABSOLUTE_POS;
    if pos < z0.len() {
        let bh = batch as usize * units as usize;
        let trial = pos / bh;
        let within = pos % bh;
        z0[pos] = h[(trial * steps as usize + steps as usize - 1) * bh + within] * mask[pos];
    }
}

/// `out[k] = a[k] · b[k]`.
#[cube(launch)]
pub fn mul(a: &Array<f32>, b: &Array<f32>, out: &mut Array<f32>) {
    let pos = ABSOLUTE_POS;
    if pos < out.len() {
        out[pos] = a[pos] * b[pos];
    }
}

/// `a[k] *= b[k]`.
#[cube(launch)]
pub fn mul_assign(a: &mut Array<f32>, b: &Array<f32>) {
    let pos = ABSOLUTE_POS;
    if pos < a.len() {
        a[pos] *= b[pos];
    }
}

/// Dense layer activation: `z [T, B, N] = relu(z + bias) · mask`, the bias at
/// `params[z·P + bias_at ..]`.
#[cube(launch)]
pub fn bias_relu_mask(z: &mut Array<f32>, params: &Array<f32>, mask: &Array<f32>, p_len: u32, bias_at: u32, rows: u32, n: u32) {
    let pos = ABSOLUTE_POS;
    if pos < z.len() {
        let col = pos % n as usize;
        let trial = pos / (rows as usize * n as usize);
        let v = z[pos] + params[trial * p_len as usize + bias_at as usize + col];
        let mut out = 0.0;
        if v > 0.0 {
            out = v * mask[pos];
        }
        z[pos] = out;
    }
}

/// Backward through [`bias_relu_mask`]: `g = g · mask` where the layer's output `z > 0`, else 0.
#[cube(launch)]
pub fn relu_mask_back(g: &mut Array<f32>, z: &Array<f32>, mask: &Array<f32>) {
    let pos = ABSOLUTE_POS;
    if pos < g.len() {
        let mut v = 0.0;
        if z[pos] > 0.0 {
            v = g[pos] * mask[pos];
        }
        g[pos] = v;
    }
}

/// Per trial (one cube of 256 units each): adds the output bias to `pred [T, B]`; when
/// `train`, writes `dy = 2·(pred − y) / n_rows` (0 for rows from `n_rows` on) and adds the
/// batch's sum of squared errors to `sse[z]`.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn output_loss(
    pred: &mut Array<f32>,
    y: &Array<f32>,
    dy: &mut Array<f32>,
    sse: &mut Array<f32>,
    params: &Array<f32>,
    p_len: u32,
    bias_at: u32,
    batch: u32,
    n_rows: u32,
    #[comptime] train: bool,
) {
    let trial = CUBE_POS_X as usize;
    let u = UNIT_POS_X as usize;
    let b_len = batch as usize;
    let bias = params[trial * p_len as usize + bias_at as usize];
    let scale = 2.0 / f32::cast_from(n_rows);
    let mut local = 0.0;
    let mut row = u;
    while row < b_len {
        let at = trial * b_len + row;
        let p = pred[at] + bias;
        pred[at] = p;
        if train {
            let mut d = 0.0;
            if row < n_rows as usize {
                let err = p - y[at];
                local += err * err;
                d = scale * err;
            }
            dy[at] = d;
        }
        row += 256usize;
    }
    if train {
        let total = crate::ops::cube_sum(local);
        if u == 0usize {
            sse[trial] += total;
        }
    }
}

/// The sum of `value` over the 256 units of a cube (every unit gets it): a tree reduction in
/// shared memory. Every unit of the cube must call it.
#[cube]
pub fn cube_sum(value: f32) -> f32 {
    let u = UNIT_POS_X as usize;
    let mut part = SharedMemory::<f32>::new(256usize);
    part[u] = value;
    sync_cube();
    let mut width = 128usize;
    while width > 0usize {
        if u < width {
            part[u] += part[u + width];
        }
        sync_cube();
        width /= 2usize;
    }
    part[0]
}

/// Column sums into parameter gradients: `grads[z·P + at + col] =
/// Σ_r m[z·m_batch + m_off + r·stride + col]` over `r < rows`, `col < n` (`stride ≥ n`: a
/// block of columns of wider rows). One unit per (trial, column).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn colsum(
    m: &Array<f32>,
    grads: &mut Array<f32>,
    m_batch: u32,
    m_off: u32,
    rows: u32,
    stride: u32,
    n: u32,
    p_len: u32,
    at: u32,
    trials: u32,
) {
    let pos = ABSOLUTE_POS;
    let n = n as usize;
    let stride = stride as usize;
    if pos < trials as usize * n {
        let col = pos % n;
        let trial = pos / n;
        let base = trial * m_batch as usize + m_off as usize + col;
        let mut s = 0.0;
        for r in 0..rows as usize {
            s += m[base + r * stride];
        }
        grads[trial * p_len as usize + at as usize + col] = s;
    }
}

/// `out [T, C, R]` = each trial's `params[z·P + at ..]` read as `[R, C]`, transposed.
#[cube(launch)]
pub fn transpose(params: &Array<f32>, out: &mut Array<f32>, p_len: u32, at: u32, rows: u32, cols: u32) {
    let pos = ABSOLUTE_POS;
    if pos < out.len() {
        let r_len = rows as usize;
        let c_len = cols as usize;
        let r = pos % r_len;
        let col = (pos / r_len) % c_len;
        let trial = pos / (r_len * c_len);
        out[pos] = params[trial * p_len as usize + at as usize + r * c_len + col];
    }
}
