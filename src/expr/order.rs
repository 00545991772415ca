//! The order statistics `Quantile`, `Med` and `Rank`, several of them over one series and
//! window in one pass: the window's finite values are kept sorted as it slides (Alpha158
//! asks for two quantiles and a rank of `$close` per window length, which share it).

use crate::expr::ast::Op;
use crate::expr::sliding::window_start;

/// Whether `op` is one of this module's operators.
pub fn is_order(op: Op) -> bool {
    matches!(op, Op::Quantile | Op::Med | Op::Rank)
}

/// Windows up to this long find a value's place by counting (branch-free, vectorized),
/// longer ones by binary search.
const LINEAR: usize = 128;

/// How many of `sorted` are below `v`.
#[inline]
fn count_below(sorted: &[f64], v: f64) -> usize {
    if sorted.len() <= LINEAR { sorted.iter().map(|u| usize::from(*u < v)).sum() } else { sorted.partition_point(|u| *u < v) }
}

/// [`count_below`] of two values (one scan for a short window).
#[inline]
fn count_below_both(sorted: &[f64], a: f64, b: f64) -> (usize, usize) {
    if sorted.len() > LINEAR {
        return (count_below(sorted, a), count_below(sorted, b));
    }
    let (mut i, mut j) = (0, 0);
    for u in sorted {
        i += usize::from(*u < a);
        j += usize::from(*u < b);
    }
    (i, j)
}

/// `ops[i]` (with quantile `qs[i]`; `Med` is the 0.5 quantile) over windows of `n` days
/// (0 = expanding) of `x`, whose stock starts at `start`: one `[day]` series per operator.
/// numpy's linear interpolation for quantiles; ranks average ties, over the count of values.
pub fn order_statistics(ops: &[(Op, f64)], x: &[f64], start: usize, n: usize) -> Vec<Vec<f64>> {
    let mut sorted: Vec<f64> = Vec::with_capacity(n.max(1) + 1);
    let mut out = vec![vec![f64::NAN; x.len()]; ops.len()];
    for t in start..x.len() {
        let a = window_start(t, n, start);
        let v = x[t];
        // Only finite values are kept, so `<` orders them (0.0 and -0.0 are one value).
        let leaving = (a > start && x[a - 1].is_finite()).then(|| x[a - 1]);
        // Where today's value goes in: the count of smaller values staying.
        let less = match (leaving, v.is_finite()) {
            // One value out, one in: both places found together, one move closes the gap.
            (Some(old), true) => {
                let (i, j) = count_below_both(&sorted, old, v);
                let j = j - usize::from(old < v);
                if i < j {
                    sorted.copy_within(i + 1..=j, i);
                } else if j < i {
                    sorted.copy_within(j..i, j + 1);
                }
                sorted[j] = v;
                Some(j)
            }
            (Some(old), false) => {
                sorted.remove(count_below(&sorted, old));
                None
            }
            (None, true) => {
                let i = count_below(&sorted, v);
                sorted.insert(i, v);
                Some(i)
            }
            (None, false) => None,
        };
        let m = sorted.len();
        if m == 0 {
            continue;
        }
        for (o, &(op, q)) in out.iter_mut().zip(ops) {
            o[t] = match (op, less) {
                (Op::Rank, Some(less)) => {
                    let eq = sorted[less..].iter().take_while(|u| **u == v).count() as f64;
                    (less as f64 + (eq + 1.0) / 2.0) / m as f64
                }
                (Op::Rank, None) => f64::NAN,
                _ => {
                    let q = if op == Op::Med { 0.5 } else { q };
                    let pos = q * (m - 1) as f64;
                    // pos >= 0: truncation is the floor (no libm call).
                    let i = pos as usize;
                    let frac = pos - i as f64;
                    if i + 1 < m { sorted[i] + (sorted[i + 1] - sorted[i]) * frac } else { sorted[i] }
                }
            };
        }
    }
    out
}
