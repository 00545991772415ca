//! Applying the operators to one stock's `[day]` series: the infix operators and the named
//! ones (element-wise, or dispatched to the window modules).

use crate::expr::ast::{BinOp, Op};
use crate::expr::rolling::{ema, pairs, rolling};

/// Rounds to the nearest float32.
#[inline]
pub(super) fn r32(v: f64) -> f64 {
    v as f32 as f64
}

/// An infix operator day by day over `x` and `y`; comparisons give 1 or 0 (`NaN` compares
/// false, except `!=`), `&` and `|` read non-zero (and `NaN`, as numpy does) as true. With
/// `f32`, results are rounded to float32 (numpy's arithmetic on fields; the caller gives
/// float32 operands).
pub(super) fn binary(op: BinOp, x: &[f64], y: &[f64], f32: bool) -> Vec<f64> {
    /// One loop per operator (the match is outside it, so the loop vectorizes).
    #[inline(always)]
    fn each(x: &[f64], y: &[f64], f32: bool, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        if f32 {
            x.iter().zip(y).map(|(u, v)| r32(f(*u, *v))).collect()
        } else {
            x.iter().zip(y).map(|(u, v)| f(*u, *v)).collect()
        }
    }
    let b = |c: bool| if c { 1.0 } else { 0.0 };
    let truth = |v: f64| v != 0.0;
    match op {
        BinOp::Add => each(x, y, f32, |u, v| u + v),
        BinOp::Sub => each(x, y, f32, |u, v| u - v),
        BinOp::Mul => each(x, y, f32, |u, v| u * v),
        BinOp::Div => each(x, y, f32, |u, v| u / v),
        BinOp::Gt => each(x, y, f32, |u, v| b(u > v)),
        BinOp::Ge => each(x, y, f32, |u, v| b(u >= v)),
        BinOp::Lt => each(x, y, f32, |u, v| b(u < v)),
        BinOp::Le => each(x, y, f32, |u, v| b(u <= v)),
        BinOp::Eq => each(x, y, f32, |u, v| b(u == v)),
        BinOp::Ne => each(x, y, f32, |u, v| b(u != v)),
        BinOp::And => each(x, y, f32, |u, v| b(truth(u) && truth(v))),
        BinOp::Or => each(x, y, f32, |u, v| b(truth(u) || truth(v))),
    }
}

/// A named operator on its series arguments.
pub(super) fn call(op: Op, args: &[&[f64]], start: usize, n: Option<f64>, q: f64) -> Vec<f64> {
    let x = args[0];
    let map1 = |f: fn(f64) -> f64| x.iter().map(|v| f(*v)).collect::<Vec<f64>>();
    let map2 = |f: fn(f64, f64) -> f64| x.iter().zip(args[1]).map(|(a, b)| f(*a, *b)).collect::<Vec<f64>>();
    match op {
        Op::Abs => map1(f64::abs),
        Op::Sign => map1(|v| if v.is_nan() || v == 0.0 { v } else { v.signum() }),
        Op::Log => map1(f64::ln),
        Op::Power => map2(f64::powf),
        // numpy's maximum/minimum: NaN if either is NaN.
        Op::Greater => map2(|a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }),
        Op::Less => map2(|a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) }),
        Op::If => (0..x.len()).map(|t| if x[t] != 0.0 { args[1][t] } else { args[2][t] }).collect(),
        Op::Corr | Op::Cov => pairs(&[(op, n.unwrap_or(0.0) as usize)], x, args[1], start).remove(0),
        // A window 0 < N < 1 is a smoothing factor (EMA, and qlib's Mean(x, alpha)).
        Op::Ema | Op::Mean if n.is_some_and(|n| n > 0.0 && n < 1.0) => ema(x, n.unwrap_or(0.5)),
        _ => rolling(op, x, start, n.unwrap_or(0.0) as i64, q),
    }
}
