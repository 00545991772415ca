//! qlib's rolling operators on one stock's daily series, with pandas' `rolling(N,
//! min_periods=1)` semantics: the window is the last `N` days (`N = 0`: every day so far)
//! from the stock's first day `start` (qlib's series begin there), non-finite values in it
//! are skipped (pandas drops ±inf too; `Count` counts them), and a statistic needs enough
//! values (1 for a mean, 2 for a standard deviation, 3 for skew, 4 for kurtosis) or it is
//! `NaN`. Each window is summed afresh (windows are short), so a window of zeros sums to
//! exactly 0 and no error accumulates along the series.

use crate::expr::ast::Op;
use crate::expr::extremes::{extremes_many, is_extreme};
use crate::expr::moments::{FLAT_VAR, is_moment, moments, var_of};
use crate::expr::order::{is_order, order_statistics};
use crate::expr::sliding::{block_len, equal_run, reciprocals, references, window_start, window_sums};
use crate::factors::window::{kurt, skew};

/// Applies rolling `op` with window `n` (0 = expanding) and quantile `q` to `x`, whose
/// stock starts at index `start` (earlier values give `NaN`).
pub fn rolling(op: Op, x: &[f64], start: usize, n: i64, q: f64) -> Vec<f64> {
    match op {
        Op::Ref => shift(x, n),
        Op::Delta => shift(x, n).iter().zip(x).map(|(p, v)| v - p).collect(),
        Op::Ema => ema(x, 2.0 / (n as f64 + 1.0)),
        _ => windows(op, x, start, n as usize, q),
    }
}

/// Window operators that one pass over the same series computes together
/// ([`rolling_many`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `Mean Sum Std Var Slope Rsquare Resi`: one set of block sums, for windows of every
    /// length (all expanding, or none).
    Moments,
    /// `Quantile Med Rank`: one sorted window, of one length.
    Order,
    /// `Corr Cov` of the same two series: one set of block sums, as `Moments`.
    Pair,
    /// `Max Min IdxMax IdxMin` over windows of at least one day: one sparse table per kind,
    /// for windows of every length ([`crate::expr::extremes`]).
    Extremes,
}

impl Family {
    /// Whether one pass serves windows of different lengths.
    pub fn any_length(self) -> bool {
        self != Family::Order
    }
}

/// The family `op` belongs to with window `n`, if any (a smoothing `Mean(x, 0.5)` is none).
pub fn family(op: Op, n: f64) -> Option<Family> {
    let whole = n == 0.0 || (n >= 1.0 && n.fract() == 0.0);
    match op {
        _ if !whole => None,
        _ if is_moment(op) => Some(Family::Moments),
        _ if is_order(op) => Some(Family::Order),
        Op::Corr | Op::Cov => Some(Family::Pair),
        _ if is_extreme(op) && n >= 1.0 => Some(Family::Extremes),
        _ => None,
    }
}

/// [`rolling`] (or [`pairs`]) of several operators of one [`Family`], each with its
/// quantile `q` and window `n`, over the same series `xs` (two for `Pair`): the same values
/// up to rounding, one series per operator, in order.
pub fn rolling_many(ops: &[(Op, f64, usize)], xs: &[&[f64]], start: usize) -> Vec<Vec<f64>> {
    let with_n = || ops.iter().map(|&(op, _, n)| (op, n)).collect::<Vec<_>>();
    if ops.iter().all(|(op, _, _)| is_moment(*op)) {
        moments(&with_n(), xs[0], start)
    } else if ops.iter().all(|(op, _, _)| matches!(op, Op::Corr | Op::Cov)) {
        pairs(&with_n(), xs[0], xs[1], start)
    } else if ops.iter().all(|(op, _, n)| is_extreme(*op) && *n >= 1) {
        extremes_many(&with_n(), xs[0], start)
    } else if ops.iter().all(|(op, _, n)| is_order(*op) && *n == ops[0].2) {
        order_statistics(&ops.iter().map(|&(op, q, _)| (op, q)).collect::<Vec<_>>(), xs[0], start, ops[0].2)
    } else {
        ops.iter().map(|&(op, q, n)| rolling(op, xs[0], start, n as i64, q)).collect()
    }
}

/// `y[t] = x[t - k]` (`k < 0` reads the future, for labels).
fn shift(x: &[f64], k: i64) -> Vec<f64> {
    let len = x.len() as i64;
    (0..len).map(|t| if (0..len).contains(&(t - k)) { x[(t - k) as usize] } else { f64::NAN }).collect()
}

/// `bad[t]`: how many of `x[..t]` are not kept (so a window's count is a difference).
pub fn prefix_bad(x: &[f64], keep: impl Fn(f64) -> bool) -> Vec<u32> {
    let mut out = Vec::with_capacity(x.len() + 1);
    let mut c = 0;
    out.push(0);
    for &v in x {
        c += u32::from(!keep(v));
        out.push(c);
    }
    out
}

/// Window statistics over the finite values of `x[lo..=t]`.
fn windows(op: Op, x: &[f64], start: usize, n: usize, q: f64) -> Vec<f64> {
    match op {
        Op::Max | Op::Min | Op::IdxMax | Op::IdxMin => return extremes(op, x, start, n),
        _ if is_order(op) => return order_statistics(&[(op, q)], x, start, n).remove(0),
        _ if is_moment(op) => return moments(&[(op, n)], x, start).remove(0),
        _ => {}
    }
    let bad = prefix_bad(x, f64::is_finite);
    let nan = if op == Op::Count { prefix_bad(x, |v| !v.is_nan()) } else { vec![] };
    let mut buf: Vec<f64> = Vec::with_capacity(n.max(1));
    let mut out = vec![f64::NAN; x.len()];
    for t in start..x.len() {
        let a = window_start(t, n, start);
        let w = &x[a..=t];
        if op == Op::Count {
            out[t] = (w.len() - (nan[t + 1] - nan[a]) as usize) as f64;
            continue;
        }
        let vals: &[f64] = if bad[t + 1] == bad[a] {
            w
        } else {
            buf.clear();
            buf.extend(w.iter().copied().filter(|v| v.is_finite()));
            &buf
        };
        let m = vals.len();
        if m == 0 {
            continue;
        }
        out[t] = match op {
            Op::Skew => moment(vals, 3, 0.0, skew),
            Op::Kurt => moment(vals, 4, -3.0, kurt),
            Op::Mad => {
                let c = vals.iter().sum::<f64>() / m as f64;
                vals.iter().map(|v| (v - c).abs()).sum::<f64>() / m as f64
            }
            // nanmean(w * x) with weights 1..L over the window's days, normalized to sum 1
            // (qlib's definition: the weighted mean divided by the count of values).
            Op::Wma => {
                let l = w.len() as f64;
                let total = l * (l + 1.0) / 2.0;
                let s: f64 = w.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, v)| (i as f64 + 1.0) * v).sum();
                s / total / m as f64
            }
            _ => f64::NAN,
        };
    }
    out
}

/// pandas' rolling skew/kurt: at least `need` values; `flat` for one repeated value; `NaN`
/// when the population variance is at most 1e-14.
fn moment(x: &[f64], need: usize, flat: f64, f: fn(&[f64]) -> f64) -> f64 {
    if x.len() < need {
        return f64::NAN;
    }
    if x.iter().all(|v| *v == x[0]) {
        return flat;
    }
    let m = x.len() as f64;
    let c = x.iter().sum::<f64>() / m;
    let pop = x.iter().map(|v| (v - c) * (v - c)).sum::<f64>() / m;
    if pop <= 1e-14 { f64::NAN } else { f(x) }
}

/// `Max`/`Min` over the window's finite values, and `IdxMax`/`IdxMin`: the 1-based day
/// of the first extreme (numpy's argmax over the raw window, so the first `NaN`'s day when
/// there is one, qlib's behaviour). A monotonic queue of candidates: O(1) a day.
fn extremes(op: Op, x: &[f64], start: usize, n: usize) -> Vec<f64> {
    let want_max = matches!(op, Op::Max | Op::IdxMax);
    let positional = matches!(op, Op::IdxMax | Op::IdxMin);
    let nan = if positional { prefix_bad(x, |v| !v.is_nan()) } else { vec![] };
    let mut out = vec![f64::NAN; x.len()];
    // The queue is `queue[head..]`: days only ever join at the back, so leaving the front
    // is moving `head` (no ring buffer needed; at most one entry per day).
    let mut queue: Vec<usize> = Vec::with_capacity(x.len() - start.min(x.len()));
    let mut head = 0;
    // Strictly worse candidates leave; equal ones stay behind the earlier day.
    let beats = |a: f64, b: f64| if want_max { a > b } else { a < b };
    for t in start..x.len() {
        let v = x[t];
        let usable = if positional { !v.is_nan() } else { v.is_finite() };
        if usable {
            while queue.len() > head && beats(v, x[queue[queue.len() - 1]]) {
                queue.pop();
            }
            queue.push(t);
        }
        let a = window_start(t, n, start);
        while head < queue.len() && queue[head] < a {
            head += 1;
        }
        out[t] = match (positional, queue.get(head)) {
            (_, None) => f64::NAN,
            (true, _) if nan[t + 1] > nan[a] => (x[a..=t].iter().position(|v| v.is_nan()).unwrap_or(0) + 1) as f64,
            (true, Some(&j)) => (j - a + 1) as f64,
            (false, Some(&j)) => x[j],
        };
    }
    out
}

/// pandas' `ewm(alpha, adjust=True, ignore_na=False, min_periods=1).mean()`: missing days
/// age the weights and repeat the last value.
pub fn ema(x: &[f64], alpha: f64) -> Vec<f64> {
    let mut out = vec![f64::NAN; x.len()];
    let decay = 1.0 - alpha;
    let mut weighted = f64::NAN;
    let mut old_wt = 1.0;
    for (t, &v) in x.iter().enumerate() {
        if !weighted.is_nan() {
            old_wt *= decay;
            if !v.is_nan() {
                if weighted != v {
                    weighted = (old_wt * weighted + v) / (old_wt + 1.0);
                }
                old_wt += 1.0;
            }
        } else if !v.is_nan() {
            weighted = v;
            old_wt = 1.0;
        }
        out[t] = weighted;
    }
    out
}

/// `Corr` / `Cov` of `x` and `y` over the days both are finite, each of `ops` with its
/// window `n` (0 = expanding; all or none of them), from the stock's first day `start`: one
/// `[day]` series per operator. `Corr` is `NaN` where either side's own rolling standard
/// deviation is within 2e-5 of 0 (qlib's rule, [`FLAT_VAR`]).
pub fn pairs(ops: &[(Op, usize)], x: &[f64], y: &[f64], start: usize) -> Vec<Vec<f64>> {
    let (bx, by) = (prefix_bad(x, f64::is_finite), prefix_bad(y, f64::is_finite));
    let b = block_len(x.len(), ops.iter().map(|(_, n)| *n));
    let (rx, ry) = (references(x, start, b), references(y, start, b));
    let top = rx.len() - 1;
    let sums = window_sums(x.len(), start, b, false, |j, k| {
        if !(x[j].is_finite() && y[j].is_finite()) {
            return [0.0; 5];
        }
        let (dx, dy) = (x[j] - rx[k.min(top)], y[j] - ry[k.min(top)]);
        [dx, dy, dx * dx, dy * dy, dx * dy]
    });
    let (runx, runy) = (equal_run(x), equal_run(y));
    let one = |op: Op, n: usize| {
        let mut out = vec![f64::NAN; x.len()];
        let inv = reciprocals(n, x.len());
        for t in start..x.len() {
            let a = window_start(t, n, start);
            let (wx, wy) = (&x[a..=t], &y[a..=t]);
            let clean = bx[t + 1] == bx[a] && by[t + 1] == by[a];
            let (c, cxy, vx, vy) = if clean {
                let l = wx.len() as f64;
                let [sx, sy, sxx, syy, sxy] = sums.at(a, t);
                let (fx, fy) = (runx[t] >= wx.len(), runy[t] >= wx.len());
                let (mx, my) = (sx * inv[wx.len()].0, sy * inv[wx.len()].0);
                let vx = if fx { 0.0 } else { (sxx - sx * mx).max(0.0) };
                let vy = if fy { 0.0 } else { (syy - sy * my).max(0.0) };
                let cxy = if fx || fy { 0.0 } else { sxy - sx * my };
                (l, cxy, vx, vy)
            } else {
                direct_pair(wx, wy)
            };
            if c < 2.0 {
                continue;
            }
            if op == Op::Cov {
                out[t] = cxy / (c - 1.0);
                continue;
            }
            // Each side's own variance: the pairwise one when neither has gaps.
            let own_var = |w: &[f64], pairwise: f64| {
                if clean { pairwise * inv[wx.len()].1 } else { var_of(|| w.iter().copied().filter(|v| v.is_finite())) }
            };
            let flat = own_var(wx, vx) <= FLAT_VAR || own_var(wy, vy) <= FLAT_VAR;
            out[t] = if flat { f64::NAN } else { cxy / (vx * vy).sqrt() };
        }
        out
    };
    ops.iter().map(|&(op, n)| one(op, n)).collect()
}

/// Count and centered sums (xy, xx, yy) over the days both values are finite.
fn direct_pair(wx: &[f64], wy: &[f64]) -> (f64, f64, f64, f64) {
    let pairs = || wx.iter().zip(wy).filter(|(u, v)| u.is_finite() && v.is_finite());
    let (mut n, mut sx, mut sy) = (0usize, 0.0, 0.0);
    for (u, v) in pairs() {
        n += 1;
        sx += u;
        sy += v;
    }
    let c = n as f64;
    let (mx, my) = (sx / c, sy / c);
    let (mut cxy, mut vx, mut vy) = (0.0, 0.0, 0.0);
    for (u, v) in pairs() {
        cxy += (u - mx) * (v - my);
        vx += (u - mx) * (u - mx);
        vy += (v - my) * (v - my);
    }
    (c, cxy, vx, vy)
}
