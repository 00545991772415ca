//! qlib's rolling operators on one stock's daily series, with pandas' `rolling(N,
//! min_periods=1)` semantics: the window is the last `N` days (`N = 0`: every day so far)
//! from the stock's first day `start` (qlib's series begin there), non-finite values in it
//! are skipped (pandas drops ±inf too; `Count` counts them), and a statistic needs enough
//! values (1 for a mean, 2 for a standard deviation, 3 for skew, 4 for kurtosis) or it is
//! `NaN`. Each window is summed afresh (windows are short), so a window of zeros sums to
//! exactly 0 and no error accumulates along the series.

use crate::expr::ast::Op;
use crate::factors::window::{kurt, skew};

/// Applies rolling `op` with window `n` (0 = expanding) and quantile `q` to `x`, whose
/// stock starts at index `start` (earlier values give `NaN`).
pub fn rolling(op: Op, x: &[f64], start: usize, n: i64, q: f64) -> Vec<f64> {
    match op {
        Op::Ref => shift(x, n),
        Op::Delta => shift(x, n).iter().zip(x).map(|(p, v)| v - p).collect(),
        Op::Ema => ema(x, 2.0 / (n as f64 + 1.0)),
        Op::Slope | Op::Rsquare | Op::Resi => regression(op, x, start, n as usize),
        _ => windows(op, x, start, n as usize, q),
    }
}

/// `y[t] = x[t - k]` (`k < 0` reads the future, for labels).
fn shift(x: &[f64], k: i64) -> Vec<f64> {
    let len = x.len() as i64;
    (0..len).map(|t| if (0..len).contains(&(t - k)) { x[(t - k) as usize] } else { f64::NAN }).collect()
}

/// The first index of the window ending at `t`.
fn lo(t: usize, n: usize, start: usize) -> usize {
    if n == 0 { start } else { (t + 1).saturating_sub(n).max(start) }
}

/// `bad[t]`: how many of `x[..t]` are not finite (so a window's count is a difference).
fn prefix_bad(x: &[f64], keep: impl Fn(f64) -> bool) -> Vec<u32> {
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
    let bad = prefix_bad(x, f64::is_finite);
    let nan = prefix_bad(x, |v| !v.is_nan());
    let mut buf: Vec<f64> = Vec::with_capacity(n.max(1));
    let mut out = vec![f64::NAN; x.len()];
    for t in start..x.len() {
        let a = lo(t, n, start);
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
        let mean = || vals.iter().sum::<f64>() / m as f64;
        out[t] = match op {
            Op::Mean => mean(),
            Op::Sum => vals.iter().sum(),
            Op::Std => var(vals).sqrt(),
            Op::Var => var(vals),
            Op::Skew => moment(vals, 3, 0.0, skew),
            Op::Kurt => moment(vals, 4, -3.0, kurt),
            Op::Max => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Op::Min => vals.iter().copied().fold(f64::INFINITY, f64::min),
            // numpy's argmax/argmin over the raw window: a NaN wins (qlib's behaviour).
            Op::IdxMax => arg_extreme(w, |a, b| a > b),
            Op::IdxMin => arg_extreme(w, |a, b| a < b),
            Op::Med | Op::Quantile => {
                let mut sorted = vals.to_vec();
                quantile(&mut sorted, if op == Op::Med { 0.5 } else { q })
            }
            Op::Mad => {
                let c = mean();
                vals.iter().map(|v| (v - c).abs()).sum::<f64>() / m as f64
            }
            Op::Rank => {
                let v = x[t];
                if !v.is_finite() {
                    f64::NAN
                } else {
                    let less = vals.iter().filter(|&&u| u < v).count() as f64;
                    let eq = vals.iter().filter(|&&u| u == v).count() as f64;
                    (less + (eq + 1.0) / 2.0) / m as f64
                }
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

/// Sample variance (ddof 1); exactly 0 for a window of one repeated value (as pandas).
fn var(x: &[f64]) -> f64 {
    let m = x.len();
    if m < 2 {
        return f64::NAN;
    }
    if x.iter().all(|v| *v == x[0]) {
        return 0.0;
    }
    let c = x.iter().sum::<f64>() / m as f64;
    (x.iter().map(|v| (v - c) * (v - c)).sum::<f64>() / (m - 1) as f64).max(0.0)
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

/// 1-based position of the first extreme value; the first `NaN`'s when there is one.
fn arg_extreme(w: &[f64], better: impl Fn(f64, f64) -> bool) -> f64 {
    if let Some(i) = w.iter().position(|v| v.is_nan()) {
        return i as f64 + 1.0;
    }
    let mut best = 0;
    for (i, &v) in w.iter().enumerate() {
        if better(v, w[best]) {
            best = i;
        }
    }
    best as f64 + 1.0
}

/// Linear-interpolated quantile (numpy's default) of `buf`, reordered in place.
pub fn quantile(buf: &mut [f64], q: f64) -> f64 {
    if buf.is_empty() {
        return f64::NAN;
    }
    let pos = q * (buf.len() - 1) as f64;
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    let (_, lo, upper) = buf.select_nth_unstable_by(i, f64::total_cmp);
    let lo = *lo;
    if frac > 0.0 && !upper.is_empty() {
        let hi = upper.iter().copied().fold(f64::INFINITY, f64::min);
        lo + (hi - lo) * frac
    } else {
        lo
    }
}

/// Least squares of the window's finite values on their day position (qlib's `Slope`,
/// `Rsquare`, and `Resi`: the last day's residual, `NaN` when that day is missing).
/// `Rsquare` is `NaN` where the values' standard deviation is within 2e-5 of 0 (qlib's rule).
fn regression(op: Op, x: &[f64], start: usize, n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; x.len()];
    for t in start..x.len() {
        let a = lo(t, n, start);
        let (mut c, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for (i, &y) in x[a..=t].iter().enumerate() {
            if y.is_finite() {
                c += 1.0;
                sx += i as f64;
                sy += y;
            }
        }
        if c < 2.0 {
            continue;
        }
        let (mx, my) = (sx / c, sy / c);
        let (mut vxx, mut vxy, mut vyy) = (0.0, 0.0, 0.0);
        for (i, &y) in x[a..=t].iter().enumerate() {
            if y.is_finite() {
                let (dx, dy) = (i as f64 - mx, y - my);
                vxx += dx * dx;
                vxy += dx * dy;
                vyy += dy * dy;
            }
        }
        let slope = vxy / vxx;
        out[t] = match op {
            Op::Slope => slope,
            Op::Rsquare if (vyy / (c - 1.0)).sqrt() <= 2e-5 => f64::NAN,
            Op::Rsquare => vxy * vxy / (vxx * vyy),
            _ => x[t] - (my + slope * ((t - a) as f64 - mx)),
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

/// `Corr` / `Cov` of `x` and `y` over the days both are finite. `Corr` is `NaN` where
/// either side's own rolling standard deviation is within 2e-5 of 0 (qlib's rule).
pub fn pair(op: Op, x: &[f64], y: &[f64], start: usize, n: usize) -> Vec<f64> {
    let (bx, by) = (prefix_bad(x, f64::is_finite), prefix_bad(y, f64::is_finite));
    let mut out = vec![f64::NAN; x.len()];
    let mut own: Vec<f64> = vec![];
    for t in start..x.len() {
        let a = lo(t, n, start);
        let (wx, wy) = (&x[a..=t], &y[a..=t]);
        let (mut c, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for (u, v) in wx.iter().zip(wy) {
            if u.is_finite() && v.is_finite() {
                c += 1.0;
                sx += u;
                sy += v;
            }
        }
        if c < 2.0 {
            continue;
        }
        let (mx, my) = (sx / c, sy / c);
        let (mut cxy, mut vx, mut vy) = (0.0, 0.0, 0.0);
        for (u, v) in wx.iter().zip(wy) {
            if u.is_finite() && v.is_finite() {
                cxy += (u - mx) * (v - my);
                vx += (u - mx) * (u - mx);
                vy += (v - my) * (v - my);
            }
        }
        if op == Op::Cov {
            out[t] = cxy / (c - 1.0);
            continue;
        }
        // Each side's own standard deviation: the pairwise one when neither has gaps.
        let mut own_std = |w: &[f64], bad: &[u32], pairwise: f64| {
            if bad[t + 1] == bad[a] && bx[t + 1] == bx[a] && by[t + 1] == by[a] {
                return (pairwise / (c - 1.0)).sqrt();
            }
            own.clear();
            own.extend(w.iter().copied().filter(|v| v.is_finite()));
            var(&own).sqrt()
        };
        let (sdx, sdy) = (own_std(wx, &bx, vx), own_std(wy, &by, vy));
        out[t] = if sdx <= 2e-5 || sdy <= 2e-5 { f64::NAN } else { cxy / (vx * vy).sqrt() };
    }
    out
}
