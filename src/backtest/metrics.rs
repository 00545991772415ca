//! Performance statistics of daily simple returns, following empyrical (checked against
//! it by golden files): 252 trading days a year, sample standard deviations (ddof = 1).
//! `r` is the portfolio's and `b` the benchmark's daily return, same length.

use crate::stats::{mean, std};

/// Trading days per year.
pub const YEAR: f64 = 252.0;

/// mean / std, `NaN` when the spread is zero (empyrical's zero-dispersion rule).
fn ratio(x: &[f64]) -> f64 {
    let s = std(x);
    if s > 0.0 { mean(x) / s } else { f64::NAN }
}

fn active(r: &[f64], b: &[f64]) -> Vec<f64> {
    r.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// Π(1 + r) − 1 (empyrical `cum_returns_final`).
pub fn total_return(r: &[f64]) -> f64 {
    if r.is_empty() {
        return f64::NAN;
    }
    r.iter().fold(1.0, |a, x| a * (1.0 + x)) - 1.0
}

/// (1 + total)^(252 / n) − 1 (empyrical `annual_return`, a CAGR).
pub fn annual_return(r: &[f64]) -> f64 {
    if r.is_empty() {
        return f64::NAN;
    }
    (1.0 + total_return(r)).powf(YEAR / r.len() as f64) - 1.0
}

/// std(r) × √252 (empyrical `annual_volatility`).
pub fn annual_volatility(r: &[f64]) -> f64 {
    std(r) * YEAR.sqrt()
}

/// mean(r − rf) / std(r − rf) × √252 with `rf` a daily rate (empyrical `sharpe_ratio`).
pub fn sharpe_ratio(r: &[f64], rf_daily: f64) -> f64 {
    let x: Vec<f64> = r.iter().map(|v| v - rf_daily).collect();
    ratio(&x) * YEAR.sqrt()
}

/// The largest fall from a running peak of the compounded series that starts at 1 before
/// the first return (empyrical `max_drawdown`), negative or 0; with the peak's and the
/// trough's positions in that series (0 = the start, `i + 1` = after return `i`).
pub fn max_drawdown(r: &[f64]) -> (f64, usize, usize) {
    let (mut value, mut peak, mut peak_at) = (1.0f64, 1.0f64, 0usize);
    let (mut worst, mut worst_peak, mut worst_at) = (0.0f64, 0usize, 0usize);
    for (i, x) in r.iter().enumerate() {
        value *= 1.0 + x;
        if value > peak {
            peak = value;
            peak_at = i + 1;
        }
        let dd = (value - peak) / peak;
        if dd < worst {
            (worst, worst_peak, worst_at) = (dd, peak_at, i + 1);
        }
    }
    if r.is_empty() { (f64::NAN, 0, 0) } else { (worst, worst_peak, worst_at) }
}

/// annual return / |max drawdown|, `NaN` without a drawdown (empyrical `calmar_ratio`).
pub fn calmar_ratio(r: &[f64]) -> f64 {
    let dd = max_drawdown(r).0;
    if dd < 0.0 {
        let c = annual_return(r) / dd.abs();
        if c.is_finite() { c } else { f64::NAN }
    } else {
        f64::NAN
    }
}

/// Annualized return of the portfolio minus that of the benchmark.
pub fn excess_annual_return(r: &[f64], b: &[f64]) -> f64 {
    annual_return(r) - annual_return(b)
}

/// std(r − b) × √252.
pub fn tracking_error(r: &[f64], b: &[f64]) -> f64 {
    std(&active(r, b)) * YEAR.sqrt()
}

/// mean(r − b) / std(r − b) × √252 (empyrical `excess_sharpe`, annualized).
pub fn information_ratio(r: &[f64], b: &[f64]) -> f64 {
    ratio(&active(r, b)) * YEAR.sqrt()
}

/// Share of days with r > b.
pub fn win_rate(r: &[f64], b: &[f64]) -> f64 {
    if r.is_empty() {
        return f64::NAN;
    }
    r.iter().zip(b).filter(|(x, y)| x > y).count() as f64 / r.len() as f64
}

/// Compounded return per calendar year: `(year, Π(1 + r) − 1)` over the returns dated in it.
pub fn yearly_returns(years: &[i32], r: &[f64]) -> Vec<(i32, f64)> {
    let mut out: Vec<(i32, f64)> = Vec::new();
    for (y, x) in years.iter().zip(r) {
        match out.last_mut() {
            Some((last, acc)) if last == y => *acc = (1.0 + *acc) * (1.0 + x) - 1.0,
            _ => out.push((*y, *x)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// r = [+10%, −20%, +5%]: values 1.1, 0.88, 0.924; peak 1.1 after return 0 (position
    /// 1), trough 0.88 (position 2): drawdown 0.88 / 1.1 − 1 = −0.2. Total 0.924 − 1.
    #[test]
    fn hand_worked_drawdown_and_total() {
        let r = [0.1, -0.2, 0.05];
        let (dd, p, t) = max_drawdown(&r);
        assert!((dd + 0.2).abs() < 1e-12);
        assert_eq!((p, t), (1, 2));
        assert!((total_return(&r) + 0.076).abs() < 1e-12);
        // A first-day loss is a drawdown from the starting value (position 0).
        assert_eq!(max_drawdown(&[-0.1, 0.05]).1, 0);
        assert!(calmar_ratio(&[0.01, 0.02]).is_nan());
        let y = yearly_returns(&[2020, 2020, 2021], &r);
        assert_eq!((y.len(), y[0].0, y[1]), (2, 2020, (2021, 0.05)));
        assert!((y[0].1 - (1.1 * 0.8 - 1.0)).abs() < 1e-15);
        assert_eq!(win_rate(&r, &[0.0, 0.0, 0.1]), 1.0 / 3.0);
    }
}
