//! The sum-based window operators, `Mean Sum Std Var` and the regressions on the day
//! position `Slope Rsquare Resi`, several of them over one series in one pass, windows of
//! several lengths alike: they read the same block sums (Alpha158 asks for five of them on
//! `$close` for each of five window lengths), which are built once. pandas'
//! `rolling(N, min_periods=1)` rules as in [`crate::expr::rolling`]: non-finite values are skipped, a standard deviation needs 2
//! values, a window of zeros sums to exactly 0 and one repeated value has no variance.

use crate::expr::ast::Op;
use crate::expr::rolling::prefix_bad;
use crate::expr::sliding::{Sums, block_len, equal_run, reciprocals, references, window_start, window_sums};

/// Whether `op` is one of this module's operators.
pub fn is_moment(op: Op) -> bool {
    matches!(op, Op::Mean | Op::Sum | Op::Std | Op::Var | Op::Slope | Op::Rsquare | Op::Resi)
}

/// What every operator of the family reads, built once per series and window.
struct Prep {
    /// `bad[t]`: non-finite values among `x[..t]`.
    bad: Vec<u32>,
    /// Each block's reference value (see [`crate::expr::sliding`]).
    refs: Vec<f64>,
    /// Window sums of deviations from the reference and of their squares (with positions
    /// when a regression is asked for).
    sums: Sums<2>,
    /// `run[t]`: days up to `t` repeating `x[t]`.
    run: Vec<usize>,
    /// `zeros[t]`: values among `x[..t]` that are not 0 (built only for `Mean` and `Sum`).
    zeros: Vec<u32>,
}

/// `ops[i]` with its window `n` (0 = expanding; all or none of them) over `x`, whose stock
/// starts at `start`: one `[day]` series per operator, in order.
pub fn moments(ops: &[(Op, usize)], x: &[f64], start: usize) -> Vec<Vec<f64>> {
    let positions = ops.iter().any(|(op, _)| matches!(op, Op::Slope | Op::Rsquare | Op::Resi));
    let b = block_len(x.len(), ops.iter().map(|(_, n)| *n));
    let r = references(x, start, b);
    let top = r.len() - 1;
    let sums = window_sums(x.len(), start, b, positions, |j, k| {
        let d = if x[j].is_finite() { x[j] - r[k.min(top)] } else { 0.0 };
        [d, d * d]
    });
    let zeros = if ops.iter().any(|(op, _)| matches!(op, Op::Mean | Op::Sum)) { prefix_bad(x, |v| v == 0.0) } else { vec![] };
    let prep = Prep { bad: prefix_bad(x, f64::is_finite), refs: r, sums, run: equal_run(x), zeros };
    ops.iter()
        .map(|&(op, n)| match op {
            Op::Slope | Op::Rsquare | Op::Resi => regression(op, &prep, x, start, n),
            _ => plain(op, &prep, x, start, n),
        })
        .collect()
}

/// `Mean`, `Sum`, `Std` or `Var` over the finite values of each window.
fn plain(op: Op, p: &Prep, x: &[f64], start: usize, n: usize) -> Vec<f64> {
    // One loop per operator: the operator's branches leave the daily loop.
    match op {
        Op::Mean => plain_of::<MEAN>(p, x, start, n),
        Op::Sum => plain_of::<SUM>(p, x, start, n),
        Op::Std => plain_of::<STD>(p, x, start, n),
        _ => plain_of::<VAR>(p, x, start, n),
    }
}

const MEAN: u8 = 0;
const SUM: u8 = 1;
const STD: u8 = 2;
const VAR: u8 = 3;

/// [`plain`] for the operator `OP` ([`MEAN`], [`SUM`], [`STD`] or [`VAR`]).
fn plain_of<const OP: u8>(p: &Prep, x: &[f64], start: usize, n: usize) -> Vec<f64> {
    let op = [Op::Mean, Op::Sum, Op::Std, Op::Var][OP as usize];
    let mut buf: Vec<f64> = Vec::with_capacity(n.max(1));
    let mut out = vec![f64::NAN; x.len()];
    let inv = if matches!(OP, STD | VAR) { reciprocals(n, x.len()) } else { vec![] };
    for t in start..x.len() {
        let a = window_start(t, n, start);
        let w = &x[a..=t];
        if p.bad[t + 1] == p.bad[a] {
            let l = w.len() as f64;
            // A window of zeros sums to exactly 0, one repeated value has no variance.
            let flat = p.run[t] >= w.len();
            let all_zero = !p.zeros.is_empty() && p.zeros[t + 1] == p.zeros[a];
            let [s1, s2] = p.sums.at(a, t);
            let r = p.refs[p.sums.block(t)];
            let var = || if flat { 0.0 } else { ((s2 - s1 * s1 * inv[w.len()].0) * inv[w.len()].1).max(0.0) };
            out[t] = match op {
                _ if all_zero && matches!(op, Op::Mean | Op::Sum) => 0.0,
                Op::Mean if flat => x[t],
                // The sum over the count: exact for counts (a mean of 0/1 values), as pandas.
                Op::Mean => (l * r + s1) / l,
                Op::Sum => l * r + s1,
                _ if w.len() < 2 => f64::NAN,
                Op::Var => var(),
                _ => var().sqrt(),
            };
            continue;
        }
        buf.clear();
        buf.extend(w.iter().copied().filter(|v| v.is_finite()));
        let m = buf.len();
        if m == 0 {
            continue;
        }
        out[t] = match op {
            Op::Mean => buf.iter().sum::<f64>() / m as f64,
            Op::Sum => buf.iter().sum(),
            Op::Std => var(&buf).sqrt(),
            _ => var(&buf),
        };
    }
    out
}

/// The variance at or below which qlib calls a window flat: a standard deviation within
/// 2e-5 of 0 (`Rsquare`, `Corr`), compared squared (no square root a day).
pub const FLAT_VAR: f64 = 2e-5 * 2e-5;

/// Sample variance (ddof 1); exactly 0 for a window of one repeated value (as pandas).
pub fn var(x: &[f64]) -> f64 {
    var_of(|| x.iter().copied())
}

/// [`var`] of the values `values()` yields (read twice: count and sum, then the squares),
/// say a window's finite values without gathering them.
pub fn var_of<I: Iterator<Item = f64>>(values: impl Fn() -> I) -> f64 {
    let (mut m, mut sum, mut first, mut equal) = (0usize, 0.0, f64::NAN, true);
    for v in values() {
        if m == 0 {
            first = v;
        }
        equal &= v == first;
        m += 1;
        sum += v;
    }
    if m < 2 {
        return f64::NAN;
    }
    if equal {
        return 0.0;
    }
    let c = sum / m as f64;
    (values().map(|v| (v - c) * (v - c)).sum::<f64>() / (m - 1) as f64).max(0.0)
}

/// Least squares of the window's finite values on their day position (qlib's `Slope`,
/// `Rsquare`, and `Resi`: the last day's residual, `NaN` when that day is missing).
/// `Rsquare` is `NaN` where the values' standard deviation is within 2e-5 of 0 (qlib's rule,
/// [`FLAT_VAR`]).
fn regression(op: Op, p: &Prep, x: &[f64], start: usize, n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; x.len()];
    let inv = reciprocals(n, x.len());
    for t in start..x.len() {
        let a = window_start(t, n, start);
        let (c, mx, my, vxx, vxy, vyy) = if p.bad[t + 1] == p.bad[a] {
            // Gap-free: positions 0..L, sums of deviations from the block's reference.
            let l = (t - a + 1) as f64;
            let [s1, s2] = p.sums.at(a, t);
            let mx = (l - 1.0) / 2.0;
            let flat = p.run[t] > t - a;
            let mean = s1 * inv[t - a + 1].0;
            let vxy = if flat { 0.0 } else { p.sums.pos(a, t) - mx * s1 };
            let vyy = if flat { 0.0 } else { (s2 - s1 * mean).max(0.0) };
            (l, mx, p.refs[p.sums.block(t)] + mean, l * (l * l - 1.0) / 12.0, vxy, vyy)
        } else {
            direct_regression(&x[a..=t])
        };
        if c < 2.0 {
            continue;
        }
        let slope = vxy / vxx;
        out[t] = match op {
            Op::Slope => slope,
            Op::Rsquare if vyy / (c - 1.0) <= FLAT_VAR => f64::NAN,
            Op::Rsquare => vxy * vxy / (vxx * vyy),
            _ => x[t] - (my + slope * ((t - a) as f64 - mx)),
        };
    }
    out
}

/// Count, mean position, mean value and the centered sums (xx, xy, yy) of a window's
/// finite values against their positions.
fn direct_regression(w: &[f64]) -> (f64, f64, f64, f64, f64, f64) {
    let (mut c, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for (i, &y) in w.iter().enumerate() {
        if y.is_finite() {
            c += 1.0;
            sx += i as f64;
            sy += y;
        }
    }
    let (mx, my) = (sx / c, sy / c);
    let (mut vxx, mut vxy, mut vyy) = (0.0, 0.0, 0.0);
    for (i, &y) in w.iter().enumerate() {
        if y.is_finite() {
            let (dx, dy) = (i as f64 - mx, y - my);
            vxx += dx * dx;
            vxy += dx * dy;
            vyy += dy * dy;
        }
    }
    (c, mx, my, vxx, vxy, vyy)
}
