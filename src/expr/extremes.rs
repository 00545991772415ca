//! `Max Min IdxMax IdxMin` over windows of several lengths of one series in one pass: a
//! sparse table per kind (level `k` holds the extreme of the `2^k` days ending at each
//! day), built once for the longest window; a window of `L` days is then the better of two
//! overlapping level-`⌊log₂ L⌋` entries, with no branch on the data. Alpha158 asks for five
//! lengths of `Max($high)`, `Min($low)`, `IdxMax($high)` and `IdxMin($low)`. The values are
//! those of [`crate::expr::rolling`]'s queue, exactly: a maximum is exact, and ties keep the
//! earlier day as numpy's `argmax` does.

use crate::expr::ast::Op;
use crate::expr::rolling::prefix_bad;
use crate::expr::sliding::window_start;

/// Whether `op` is one of this module's operators.
pub fn is_extreme(op: Op) -> bool {
    matches!(op, Op::Max | Op::Min | Op::IdxMax | Op::IdxMin)
}

/// Levels `0..=k` of a sparse table over `x` from `start`: `levels[k][t]` is `pick`'s
/// choice among the `2^k` days ending at `t` (defined from `start + 2^k - 1`).
fn table<T: Copy + Default>(x: Vec<T>, start: usize, top: usize, pick: impl Fn(T, T) -> T) -> Vec<Vec<T>> {
    let mut levels = vec![x];
    for k in 1..=top {
        let (h, prev) = (1 << (k - 1), &levels[k - 1]);
        let mut next = vec![T::default(); prev.len()];
        for t in (start + 2 * h - 1).min(prev.len())..prev.len() {
            next[t] = pick(prev[t - h], prev[t]);
        }
        levels.push(next);
    }
    levels
}

/// `⌊log₂ l⌋` for `l >= 1`.
#[inline]
fn log2(l: usize) -> usize {
    (usize::BITS - 1 - l.leading_zeros()) as usize
}

/// `ops[i]` with its window `n` (at least 1 day) over `x`, whose stock starts at `start`:
/// one `[day]` series per operator, in order.
pub fn extremes_many(ops: &[(Op, usize)], x: &[f64], start: usize) -> Vec<Vec<f64>> {
    let len = x.len();
    let top = log2(ops.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1));
    // The values' tables (non-finite values never win) and the first extreme's day.
    let values = |max: bool| {
        let skip = if max { f64::NEG_INFINITY } else { f64::INFINITY };
        let keys = x.iter().map(|&v| if v.is_finite() { v } else { skip }).collect();
        table(keys, start, top, move |a: f64, b: f64| if max { a.max(b) } else { a.min(b) })
    };
    let days = |max: bool| {
        // The later day wins only when strictly better (a NaN day never matters: windows
        // with one are answered from the NaN counts).
        let better = move |i: u32, j: u32| {
            let (a, b) = (x[i as usize], x[j as usize]);
            if if max { b > a } else { b < a } { j } else { i }
        };
        table((0..len as u32).collect(), start, top, better)
    };
    let (mut vmax, mut vmin, mut imax, mut imin) = (None, None, None, None);
    let nan =
        if ops.iter().any(|(op, _)| matches!(op, Op::IdxMax | Op::IdxMin)) { prefix_bad(x, |v| !v.is_nan()) } else { vec![] };
    let mut outs = Vec::with_capacity(ops.len());
    for &(op, n) in ops {
        let max = matches!(op, Op::Max | Op::IdxMax);
        let mut out = vec![f64::NAN; len];
        if matches!(op, Op::Max | Op::Min) {
            let t = if max { vmax.get_or_insert_with(|| values(true)) } else { vmin.get_or_insert_with(|| values(false)) };
            let none = if max { f64::NEG_INFINITY } else { f64::INFINITY };
            for d in start..len {
                let a = window_start(d, n, start);
                let k = log2(d - a + 1);
                let (u, v) = (t[k][a + (1 << k) - 1], t[k][d]);
                let m = if max { u.max(v) } else { u.min(v) };
                out[d] = if m == none { f64::NAN } else { m };
            }
        } else {
            let t = if max { imax.get_or_insert_with(|| days(true)) } else { imin.get_or_insert_with(|| days(false)) };
            for d in start..len {
                let a = window_start(d, n, start);
                let (l, missing) = (d - a + 1, (nan[d + 1] - nan[a]) as usize);
                out[d] = if missing == l {
                    f64::NAN
                } else if missing > 0 {
                    // numpy's argmax over a window with a NaN: the first NaN's day.
                    (x[a..=d].iter().position(|v| v.is_nan()).unwrap_or(0) + 1) as f64
                } else {
                    let k = log2(l);
                    let (i, j) = (t[k][a + (1 << k) - 1] as usize, t[k][d] as usize);
                    let j = if if max { x[j] > x[i] } else { x[j] < x[i] } { j } else { i };
                    (j - a + 1) as f64
                };
            }
        }
        outs.push(out);
    }
    outs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::rolling::rolling;

    /// Every length up to the longest, from a late start, over ties, NaN, ±inf and windows
    /// of NaN only: the same bits as the queue ([`rolling`]).
    #[test]
    fn tables_equal_the_queue() {
        let nan = f64::NAN;
        let mut x: Vec<f64> = (0..90).map(|i| ((i * 37) % 17) as f64 * 0.5 - 3.0).collect();
        for (i, v) in [(10, nan), (11, nan), (12, nan), (30, f64::INFINITY), (31, f64::NEG_INFINITY), (50, nan), (70, 2.0)] {
            x[i] = v;
        }
        for start in [0, 4] {
            let ops: Vec<(Op, usize)> =
                [Op::Max, Op::Min, Op::IdxMax, Op::IdxMin].iter().flat_map(|&op| (1..=40).map(move |n| (op, n))).collect();
            let many = extremes_many(&ops, &x, start);
            for (&(op, n), got) in ops.iter().zip(&many) {
                let want = rolling(op, &x, start, n as i64, 0.0);
                for (d, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert!(g.to_bits() == w.to_bits(), "{op:?}({n}) start {start} day {d}: {g} vs {w}");
                }
            }
        }
    }
}
