//! Small statistics shared by the factor screen, the synthetic market's checks and the
//! tests: ranks, correlations, moments, the one-sample t-test and simple OLS. Conventions
//! follow scipy/pandas where alphalens relies on them (noted per function).

/// Ranks 0-based, ties get their average rank (pandas `rank()`, scipy `rankdata` minus 1).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    ranks_in_order(x, &argsort(x))
}

/// Indices that sort `x` ascending.
pub fn argsort(x: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_unstable_by(|&i, &j| x[i].total_cmp(&x[j]));
    idx
}

/// Average ranks given `idx = argsort(x)`.
pub fn ranks_in_order(x: &[f64], idx: &[usize]) -> Vec<f64> {
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0;
        for k in i..=j {
            r[idx[k]] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; `NaN` if either side is constant or there are fewer than 2 pairs.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len();
    if n < 2 {
        return f64::NAN;
    }
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        return f64::NAN;
    }
    sab / (saa * sbb).sqrt()
}

/// Spearman rank correlation (scipy `spearmanr`: Pearson of average ranks).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

/// Arithmetic mean; `NaN` for no values. The crate's one mean (factors, screen, backtest).
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance (divisor n − 1, pandas `var()`); `NaN` below two values.
pub fn var(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
}

/// Sample standard deviation (ddof = 1, pandas `std()`); `NaN` below two values.
pub fn std(x: &[f64]) -> f64 {
    var(x).sqrt()
}

/// Central moment of order `k` (divisor n).
fn moment(x: &[f64], k: i32) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(k)).sum::<f64>() / x.len() as f64
}

/// Population skewness m3 / m2^1.5 (scipy `stats.skew`, bias = True).
pub fn skew_biased(x: &[f64]) -> f64 {
    moment(x, 3) / moment(x, 2).powf(1.5)
}

/// Population excess kurtosis m4 / m2² − 3 (scipy `stats.kurtosis`, Fisher, bias = True).
pub fn kurtosis_biased(x: &[f64]) -> f64 {
    moment(x, 4) / moment(x, 2).powi(2) - 3.0
}

/// One-sample t-test of mean 0 (scipy `ttest_1samp`): (t statistic, two-sided p-value).
pub fn ttest_1samp(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if n < 2.0 {
        return (f64::NAN, f64::NAN);
    }
    let t = mean(x) / (std(x) / n.sqrt());
    (t, student_t_two_sided(t, n - 1.0))
}

/// t-test of mean 0 with a Newey–West (Bartlett kernel) variance using `lags` lags, for
/// autocorrelated series such as ICs of overlapping multi-day returns: (t, two-sided p with
/// n − 1 degrees of freedom). With `lags = 0` it is the plain test with divisor n.
pub fn ttest_newey_west(x: &[f64], lags: usize) -> (f64, f64) {
    let n = x.len();
    if n < 2 {
        return (f64::NAN, f64::NAN);
    }
    let m = mean(x);
    let gamma = |l: usize| (l..n).map(|i| (x[i] - m) * (x[i - l] - m)).sum::<f64>() / n as f64;
    let mut var = gamma(0);
    for l in 1..=lags.min(n - 1) {
        var += 2.0 * (1.0 - l as f64 / (lags as f64 + 1.0)) * gamma(l);
    }
    let t = m / (var / n as f64).sqrt();
    (t, student_t_two_sided(t, n as f64 - 1.0))
}

/// P(|T| > |t|) for Student's t with `df` degrees of freedom.
pub fn student_t_two_sided(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return if t.is_nan() { f64::NAN } else { 0.0 };
    }
    beta_inc(df / 2.0, 0.5, df / (df + t * t))
}

/// Simple OLS `y = alpha + beta·x` over pairs where both are finite (statsmodels OLS with
/// a constant, missing = "drop"): (alpha, beta).
pub fn ols(x: &[f64], y: &[f64]) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> = x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).collect();
    if pairs.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let beta = sxy / sxx;
    (my - beta * mx, beta)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized incomplete beta I_x(a, b), by Lentz's continued fraction.
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - beta_inc(b, a, 1.0 - x);
    }
    const TINY: f64 = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    d = if d.abs() < TINY { TINY } else { d };
    d = 1.0 / d;
    let mut f = d;
    for m in 1..500 {
        let m = m as f64;
        for step in 0..2 {
            let num = if step == 0 {
                m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
            } else {
                -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))
            };
            d = 1.0 + num * d;
            d = if d.abs() < TINY { TINY } else { d };
            c = 1.0 + num / c;
            c = if c.abs() < TINY { TINY } else { c };
            d = 1.0 / d;
            f *= c * d;
        }
        if (c * d - 1.0).abs() < 1e-16 {
            break;
        }
    }
    front * f / a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs()
    }

    /// Reference values from scipy 1.17: 2·t.sf(2, 10) = 0.07338803477074037,
    /// 2·t.sf(0.5, 3) = 0.651447964848151, 2·t.sf(8, 200) = 9.879200909330596e-14.
    #[test]
    fn student_t_matches_scipy() {
        assert!(rel(student_t_two_sided(2.0, 10.0), 0.073_388_034_770_740_37) < 1e-12);
        assert!(rel(student_t_two_sided(-0.5, 3.0), 0.651_447_964_848_151) < 1e-12);
        assert!(rel(student_t_two_sided(8.0, 200.0), 9.879_200_909_330_596e-14) < 1e-9);
    }

    /// x = [0.3, −0.1, 0.25, 0.05, 0.4, −0.2, 0.1]: scipy gives t = 1.3908662107193872,
    /// p = 0.21365568495987713, skew = −0.15634681968355713, kurtosis = −1.2524633745534832;
    /// spearmanr([1,2,2,3,5], [2,1,4,3,5]) = 0.6668859288553503.
    #[test]
    fn moments_tests_and_ranks_match_scipy() {
        let x = [0.3, -0.1, 0.25, 0.05, 0.4, -0.2, 0.1];
        let (t, p) = ttest_1samp(&x);
        assert!(rel(t, 1.390_866_210_719_387_2) < 1e-12);
        assert!(rel(p, 0.213_655_684_959_877_13) < 1e-10);
        assert!(rel(skew_biased(&x), -0.156_346_819_683_557_13) < 1e-12);
        assert!(rel(kurtosis_biased(&x), -1.252_463_374_553_483_2) < 1e-12);
        assert!(rel(spearman(&[1.0, 2.0, 2.0, 3.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]), 0.666_885_928_855_350_3) < 1e-12);
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![2.5, 0.0, 2.5, 1.0]);
        assert!(pearson(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }

    /// Without lags, Newey–West is the t-test with a divisor-n variance: for
    /// x = [1, 2, 3, 4] (mean 2.5, Σ(x−m)² = 5), t = 2.5 / √(5/4/4) = 4.4721.
    #[test]
    fn newey_west_reduces_to_the_plain_test() {
        let (t, _) = ttest_newey_west(&[1.0, 2.0, 3.0, 4.0], 0);
        assert!((t - 2.5 / (5.0f64 / 16.0).sqrt()).abs() < 1e-12);
        // Positive autocorrelation widens the variance: smaller |t| with lags.
        let x = [1.0, 1.1, 0.9, 1.0, 1.2, 0.1, 0.0, 0.2, 0.1, 0.0, 0.9, 1.0];
        assert!(ttest_newey_west(&x, 3).0 < ttest_newey_west(&x, 0).0);
    }

    /// y = 1 + 2x exactly: alpha 1, beta 2; a NaN pair is dropped.
    #[test]
    fn ols_recovers_a_line() {
        let (a, b) = ols(&[0.0, 1.0, 2.0, f64::NAN], &[1.0, 3.0, 5.0, 9.0]);
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
    }
}
