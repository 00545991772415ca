//! The fused elementwise steps, each one pass over memory and vectorized (see [`simd_fn!`]):
//! an LSTM step's gate math forward and backward, bias + ReLU + dropout, column sums, and
//! dropout masks.

use super::simd::{sigmoid, simd_fn, tanh};
use crate::rng::Rng;

/// One LSTM step for `batch` rows after the gate GEMM. `gates [batch, 4h]` holds the
/// pre-activations without the bias and gets the activations `(i, f, g, o)`;
/// `c = f ⊙ c_prev + i ⊙ g`, `tc = tanh(c)`, `hid = o ⊙ tc`, all `[batch, h]`.
#[allow(clippy::too_many_arguments)]
pub fn cell_forward(
    gates: &mut [f32],
    bias: &[f32],
    c_prev: &[f32],
    c: &mut [f32],
    tc: &mut [f32],
    hid: &mut [f32],
    batch: usize,
    h: usize,
) {
    for b in 0..batch {
        let (gi, gf, gg, go) = split4(&mut gates[b * 4 * h..(b + 1) * 4 * h], h);
        let r = b * h..(b + 1) * h;
        row_forward(gi, gf, gg, go, bias, &c_prev[r.clone()], &mut c[r.clone()], &mut tc[r.clone()], &mut hid[r]);
    }
}

/// The four `h`-long gate blocks of a `[4h]` row.
fn split4(row: &mut [f32], h: usize) -> (&mut [f32], &mut [f32], &mut [f32], &mut [f32]) {
    let (gi, rest) = row.split_at_mut(h);
    let (gf, rest) = rest.split_at_mut(h);
    let (gg, go) = rest.split_at_mut(h);
    (gi, gf, gg, go)
}

// The row kernels take every block as its own slice argument: Rust tells LLVM that `&mut`
// arguments alias nothing, so the loop vectorizes without run-time overlap checks (which,
// for this many pointers, LLVM gives up on).
simd_fn! {
    /// [`cell_forward`] for one row (every slice `h` long, `bias` `4h`).
    fn row_forward(gi: &mut [f32], gf: &mut [f32], gg: &mut [f32], go: &mut [f32], bias: &[f32], cp: &[f32], cc: &mut [f32], tt: &mut [f32], hh: &mut [f32]) {
        let h = gi.len();
        let (gf, gg, go, cp, cc, tt, hh) = (&mut gf[..h], &mut gg[..h], &mut go[..h], &cp[..h], &mut cc[..h], &mut tt[..h], &mut hh[..h]);
        let (bi, bf, bg, bo) = (&bias[..h], &bias[h..2 * h], &bias[2 * h..3 * h], &bias[3 * h..4 * h]);
        for j in 0..h {
            let i = sigmoid::<FMA>(gi[j] + bi[j]);
            let f = sigmoid::<FMA>(gf[j] + bf[j]);
            let g = tanh::<FMA>(gg[j] + bg[j]);
            let o = sigmoid::<FMA>(go[j] + bo[j]);
            let cv = f * cp[j] + i * g;
            let t = tanh::<FMA>(cv);
            gi[j] = i;
            gf[j] = f;
            gg[j] = g;
            go[j] = o;
            cc[j] = cv;
            tt[j] = t;
            hh[j] = o * t;
        }
    }
}

/// One LSTM step backward. `gates [batch, 4h]`: the activations `(i, f, g, o)`, replaced by
/// the gradients of the pre-activations. The hidden-state gradient is `dh_ext + dh_rec`
/// (from above, and from step t+1); `dc [batch, h]` carries the cell-state gradient from
/// step t+1 in and to step t−1 out.
#[allow(clippy::too_many_arguments)]
pub fn cell_backward(
    gates: &mut [f32],
    c_prev: &[f32],
    tc: &[f32],
    dh_ext: &[f32],
    dh_rec: &[f32],
    dc: &mut [f32],
    batch: usize,
    h: usize,
) {
    for b in 0..batch {
        let (gi, gf, gg, go) = split4(&mut gates[b * 4 * h..(b + 1) * 4 * h], h);
        let r = b * h..(b + 1) * h;
        row_backward(gi, gf, gg, go, &c_prev[r.clone()], &tc[r.clone()], &dh_ext[r.clone()], &dh_rec[r.clone()], &mut dc[r]);
    }
}

simd_fn! {
    /// [`cell_backward`] for one row.
    fn row_backward(gi: &mut [f32], gf: &mut [f32], gg: &mut [f32], go: &mut [f32], cp: &[f32], tc: &[f32], dh_ext: &[f32], dh_rec: &[f32], dc: &mut [f32]) {
        let h = gi.len();
        let (gf, gg, go, cp, tt, de, dr, dcc) =
            (&mut gf[..h], &mut gg[..h], &mut go[..h], &cp[..h], &tc[..h], &dh_ext[..h], &dh_rec[..h], &mut dc[..h]);
        for j in 0..h {
            let (i, f, g, o, t) = (gi[j], gf[j], gg[j], go[j], tt[j]);
            let dh = de[j] + dr[j];
            let dcv = dcc[j] + dh * o * (1.0 - t * t);
            dcc[j] = dcv * f;
            gi[j] = dcv * g * i * (1.0 - i);
            gf[j] = dcv * cp[j] * f * (1.0 - f);
            gg[j] = dcv * i * (1.0 - g * g);
            go[j] = dh * t * o * (1.0 - o);
        }
    }
}

simd_fn! {
    /// `z[b, :] = relu(z[b, :] + bias)`, times `mask[b, :]` when the mask is not empty;
    /// `z [batch, n]`.
    pub fn bias_relu_mask(z: &mut [f32], bias: &[f32], mask: &[f32], n: usize) {
        let bias = &bias[..n];
        for (b, row) in z.chunks_exact_mut(n).enumerate() {
            if mask.is_empty() {
                for j in 0..n {
                    let v = row[j] + bias[j];
                    row[j] = if v > 0.0 { v } else { 0.0 };
                }
            } else {
                let m = &mask[b * n..(b + 1) * n];
                for j in 0..n {
                    let v = row[j] + bias[j];
                    row[j] = if v > 0.0 { v * m[j] } else { 0.0 };
                }
            }
        }
    }
}

simd_fn! {
    /// `sums[j] = Σ_r m[r, j]` over the rows of `m [rows, n]`.
    pub fn colsum(sums: &mut [f32], m: &[f32], n: usize) {
        let sums = &mut sums[..n];
        sums.fill(0.0);
        for row in m.chunks_exact(n) {
            for j in 0..n {
                sums[j] += row[j];
            }
        }
    }
}

simd_fn! {
    /// `out[k] = a[k] · b[k]`.
    pub fn mul(out: &mut [f32], a: &[f32], b: &[f32]) {
        let n = out.len();
        let (a, b) = (&a[..n], &b[..n]);
        for k in 0..n {
            out[k] = a[k] * b[k];
        }
    }
}

simd_fn! {
    /// `a[k] *= b[k]`.
    pub fn mul_assign(a: &mut [f32], b: &[f32]) {
        let b = &b[..a.len()];
        for k in 0..a.len() {
            a[k] *= b[k];
        }
    }
}

/// Inverted-dropout mask: each entry 0 with probability `p`, else 1/(1−p) (burn's `Dropout`
/// in training), from 24-bit uniforms, two per `next_u64`.
pub fn fill_mask(mask: &mut [f32], p: f64, rng: &mut Rng) {
    let threshold = (p * (1u32 << 24) as f64).round() as u32;
    let keep = (1.0 / (1.0 - p)) as f32;
    let pick = |r: u32| if r < threshold { 0.0 } else { keep };
    let mut pairs = mask.chunks_exact_mut(2);
    for pair in &mut pairs {
        let x = rng.next_u64();
        pair[0] = pick((x >> 8) as u32 & 0xff_ffff);
        pair[1] = pick((x >> 40) as u32);
    }
    if let [last] = pairs.into_remainder() {
        *last = pick((rng.next_u64() >> 40) as u32);
    }
}
