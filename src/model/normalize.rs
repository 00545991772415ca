//! The data set's normalizations: labels per date across stocks (z-score, rank, qlib's
//! CSRankNorm) and features by statistics of the training period (qlib's RobustZScoreNorm).

use crate::clean::fill::median;
use crate::model::dataset::{LabelNorm, Sample};
use crate::stats;

/// Per date over the samples' stocks: z-score or rank of the labels; others set NaN.
pub(crate) fn normalize_per_date(labels: &mut [f32], samples: &[Sample], ns: usize, how: LabelNorm) {
    if how == LabelNorm::None {
        return;
    }
    let mut i = 0;
    let mut keep = vec![false; labels.len()];
    while i < samples.len() {
        let t = samples[i].date as usize;
        let j = samples[i..].iter().position(|s| s.date as usize != t).map_or(samples.len(), |k| i + k);
        let idx: Vec<usize> = samples[i..j].iter().map(|s| t * ns + s.stock as usize).collect();
        let y: Vec<f64> = idx.iter().map(|&k| labels[k] as f64).collect();
        let z: Vec<f64> = match how {
            LabelNorm::Zscore => {
                let (m, sd) = (stats::mean(&y), stats::std(&y));
                y.iter().map(|v| if sd > 0.0 { (v - m) / sd } else { 0.0 }).collect()
            }
            LabelNorm::CsRank => {
                let n = y.len() as f64;
                stats::ranks(&y).iter().map(|r| ((r + 1.0) / n - 0.5) * 3.46).collect()
            }
            _ => {
                let n = y.len() as f64;
                stats::ranks(&y).iter().map(|r| if n > 1.0 { r / (n - 1.0) - 0.5 } else { 0.0 }).collect()
            }
        };
        for (k, v) in idx.iter().zip(z) {
            labels[*k] = v as f32;
            keep[*k] = true;
        }
        i = j;
    }
    for (v, k) in labels.iter_mut().zip(keep) {
        if !k {
            *v = f32::NAN;
        }
    }
}

/// qlib's RobustZScoreNorm on `features` (`[date, stock, feature]`): per feature, the median
/// and MAD over the training samples' dates (every stock those days), then
/// `(x − median) / (1.4826 · MAD)` clipped to ±3 everywhere (±∞ give ±3, and count in the
/// fit as numpy's `nanmedian` counts them); missing values of a member (a stock-day with
/// any non-`NaN` feature) become 0 (qlib's Fillna). Non-members (rows of `NaN` only) stay
/// `NaN`: filled, they would get windows, and predictions.
pub(crate) fn robust_zscore(features: &mut [f32], ns: usize, nf: usize, train: &[Sample]) {
    let member: Vec<bool> = features.chunks(nf.max(1)).map(|r| r.iter().any(|x| !x.is_nan())).collect();
    let mut train_dates: Vec<usize> = train.iter().map(|s| s.date as usize).collect();
    train_dates.dedup();
    for f in 0..nf {
        let mut v: Vec<f64> = vec![];
        for &t in &train_dates {
            for s in 0..ns {
                let x = features[(t * ns + s) * nf + f];
                if !x.is_nan() {
                    v.push(x as f64);
                }
            }
        }
        let med = median(&mut v);
        let med = if med.is_finite() { med } else { 0.0 };
        let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
        let mad = median(&mut dev) * 1.4826;
        let scale = if mad > 0.0 && mad.is_finite() { mad } else { 1.0 };
        for (x, m) in features.iter_mut().skip(f).step_by(nf).zip(&member) {
            *x = match (!x.is_nan(), m) {
                (true, _) => (((*x as f64 - med) / scale).clamp(-3.0, 3.0)) as f32,
                (false, true) => 0.0,
                (false, false) => f32::NAN,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two features. Train date 0 holds feature 0 = 1, 2, 3: median 2, MAD 1, scale 1.4826.
    /// Date 1 (not fitted on) holds 3, NaN, 100: 0.6745, 0 (a member: filled), 3 (clipped);
    /// stock 1 on date 1 has no feature at all (not a member) and stays NaN.
    #[test]
    fn robust_zscore_fits_on_the_training_dates_only() {
        let nan = f32::NAN;
        let mut f = vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 3.0, 5.0, nan, nan, 100.0, nan];
        robust_zscore(&mut f, 3, 2, &[Sample { date: 0, stock: 0 }]);
        let want = [-1.0 / 1.4826, 0.0, 1.0 / 1.4826, 1.0 / 1.4826, f64::NAN, 3.0];
        for (g, w) in f.iter().step_by(2).zip(want) {
            assert!((*g as f64 - w).abs() < 1e-6 || (g.is_nan() && w.is_nan()), "{f:?}");
        }
        // Feature 1: constant 5 on the training date (MAD 0: scale 1) → 0; stock 2's missing value → 0.
        assert_eq!(f[11], 0.0);
        assert!(f[9].is_nan());
    }

    /// An infinite value (a division by 0 upstream) is clipped as qlib's `np.clip` clips it,
    /// not filled with 0; a row whose only value is infinite is a member.
    #[test]
    fn robust_zscore_clips_infinities() {
        let (nan, inf) = (f32::NAN, f32::INFINITY);
        // One feature, 5 stocks; train date 0: 1, 2, 3, 4, +inf (median 3, MAD 1).
        let mut f = vec![1.0, 2.0, 3.0, 4.0, inf, -inf, inf, 3.0, nan, nan];
        robust_zscore(&mut f, 5, 1, &[Sample { date: 0, stock: 0 }]);
        assert_eq!(f[4], 3.0);
        assert_eq!((f[5], f[6], f[7]), (-3.0, 3.0, 0.0));
        assert!(f[8].is_nan() && f[9].is_nan(), "{f:?}");
        assert!((f[0] as f64 + 2.0 / 1.4826).abs() < 1e-6, "{f:?}");
    }

    /// CSRankNorm of 10, 30, 20: rank percentiles 1/3, 1, 2/3 → (p − 0.5) × 3.46.
    #[test]
    fn cs_rank_is_qlibs_csranknorm() {
        let mut y = vec![10.0, 30.0, 20.0];
        let samples: Vec<Sample> = (0..3).map(|s| Sample { date: 0, stock: s }).collect();
        normalize_per_date(&mut y, &samples, 3, LabelNorm::CsRank);
        let want = [(1.0 / 3.0 - 0.5) * 3.46, 0.5 * 3.46, (2.0 / 3.0 - 0.5) * 3.46];
        for (g, w) in y.iter().zip(want) {
            assert!((*g as f64 - w).abs() < 1e-6, "{y:?}");
        }
    }
}
