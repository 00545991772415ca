//! Rolling-window statistics over each stock's daily series, and the moments the risk
//! factors use. A window yields a value only when all its observations are finite.

use rayon::prelude::*;

use crate::data::Matrix;
use crate::stats::{mean, var};

/// Applies `f` to every window of `w` consecutive days of each stock (`[date, stock]` in and
/// out); the first `w - 1` dates and windows holding a `NaN` give `NaN`.
pub fn rolling(m: &Matrix, w: usize, f: impl Fn(&[f64]) -> f64 + Sync) -> Matrix {
    let (nd, ns) = (m.n_dates, m.n_stocks);
    let cols: Vec<Vec<f64>> = (0..ns)
        .into_par_iter()
        .map(|s| {
            let x = m.column(s);
            let mut out = vec![f64::NAN; nd];
            // Length of the run of finite values ending at each date.
            let mut run = 0usize;
            for t in 0..nd {
                run = if x[t].is_finite() { run + 1 } else { 0 };
                if run >= w {
                    out[t] = f(&x[t + 1 - w..=t]);
                }
            }
            out
        })
        .collect();
    let mut out = Matrix::nan(nd, ns);
    for (s, col) in cols.iter().enumerate() {
        for (t, v) in col.iter().enumerate() {
            out.data[t * ns + s] = *v;
        }
    }
    out
}

/// Sample skewness, bias-adjusted (the Fisher–Pearson G1 that pandas' `skew` gives).
pub fn skew(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = mean(x);
    let s = var(x).sqrt();
    if !(s > 0.0) {
        return f64::NAN;
    }
    let m3 = x.iter().map(|v| ((v - m) / s).powi(3)).sum::<f64>();
    n / ((n - 1.0) * (n - 2.0)) * m3
}

/// Sample excess kurtosis, bias-adjusted (the G2 that pandas' `kurt` gives; 0 for a normal).
pub fn kurt(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = mean(x);
    let s = var(x).sqrt();
    if !(s > 0.0) {
        return f64::NAN;
    }
    let m4 = x.iter().map(|v| ((v - m) / s).powi(4)).sum::<f64>();
    n * (n + 1.0) / ((n - 1.0) * (n - 2.0) * (n - 3.0)) * m4 - 3.0 * (n - 1.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x = [1, 2, 3, 4, 10]: mean 4, deviations -3 -2 -1 0 6, sum of squares 50, sample
    /// variance 50/4 = 12.5, s = 3.5355. Standardized cubes sum: (-27-8-1+0+216)/s^3 =
    /// 180/44.194 = 4.0729; G1 = 5/(4*3) * 4.0729 = 1.69705. Fourth powers: (81+16+1+0+1296)
    /// /s^4 = 1394/156.25 = 8.9216; G2 = 5*6/(4*3*2) * 8.9216 - 3*16/(3*2) = 11.152 - 8 = 3.152.
    /// (pandas: Series([1,2,3,4,10]).skew() = 1.697056, .kurt() = 3.152000.)
    #[test]
    fn moments_match_hand_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((mean(&x) - 4.0).abs() < 1e-12);
        assert!((var(&x) - 12.5).abs() < 1e-12);
        assert!((skew(&x) - 1.697_056_274_847_714).abs() < 1e-9, "{}", skew(&x));
        assert!((kurt(&x) - 3.152).abs() < 1e-9, "{}", kurt(&x));
        assert!(skew(&[2.0, 2.0, 2.0]).is_nan());
    }

    #[test]
    fn rolling_needs_a_full_finite_window() {
        // One stock: 1 2 3 NaN 5 6 7; 3-day sums: -, -, 6, -, -, -, 18.
        let m = Matrix { n_dates: 7, n_stocks: 1, data: vec![1.0, 2.0, 3.0, f64::NAN, 5.0, 6.0, 7.0] };
        let r = rolling(&m, 3, |w| w.iter().sum());
        let got: Vec<String> = r.data.iter().map(|v| format!("{v}")).collect();
        assert_eq!(got, ["NaN", "NaN", "6", "NaN", "NaN", "NaN", "18"]);
    }
}
