//! Step 1: fill missing member values from the same date's cross-section.

use serde::{Deserialize, Serialize};

/// How to fill a missing value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fill {
    /// The cross-sectional mean of the date's members (the paper).
    #[default]
    Mean,
    Median,
    /// The mean of the stock's industry that date; the overall mean where its industry has
    /// no value.
    IndustryMean,
    /// Leave missing values missing.
    None,
}

/// Fills `NaN` members of `row` in place; returns how many were filled.
pub fn fill(row: &mut [f64], mask: &[bool], industry: &[u32], how: Fill) -> usize {
    let vals: Vec<f64> = row.iter().zip(mask).filter(|(v, m)| **m && v.is_finite()).map(|(v, _)| *v).collect();
    if vals.is_empty() || how == Fill::None {
        return 0;
    }
    let overall = match how {
        Fill::Median => median(&mut vals.clone()),
        _ => vals.iter().sum::<f64>() / vals.len() as f64,
    };
    let by_industry = (how == Fill::IndustryMean).then(|| {
        let groups = industry.iter().copied().max().map_or(0, |g| g as usize + 1);
        let mut sum = vec![0.0; groups];
        let mut n = vec![0usize; groups];
        for ((v, m), g) in row.iter().zip(mask).zip(industry) {
            if *m && v.is_finite() {
                sum[*g as usize] += v;
                n[*g as usize] += 1;
            }
        }
        sum.iter().zip(&n).map(|(s, k)| if *k > 0 { s / *k as f64 } else { overall }).collect::<Vec<_>>()
    });
    let mut filled = 0;
    for (i, (v, m)) in row.iter_mut().zip(mask).enumerate() {
        if *m && v.is_nan() {
            *v = by_industry.as_ref().map_or(overall, |g| g[industry[i] as usize]);
            filled += 1;
        }
    }
    filled
}

/// Median of finite values, by selection in linear time (reorders `v`).
pub fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let (left, mid, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let hi = *mid;
    if n % 2 == 1 {
        hi
    } else {
        // The lower middle is the largest of the left part.
        let lo = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo + hi) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Members: 1, NaN, 3, NaN (industry 0, 0, 1, 1); stock 4 is not a member (stays NaN).
    /// Mean fill: (1+3)/2 = 2 for both gaps. Industry mean: gap 1 → industry 0's mean 1,
    /// gap 3 → industry 1's mean 3.
    #[test]
    fn medians_by_selection() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [7.0]), 7.0);
        assert!(median(&mut []).is_nan());
    }

    #[test]
    fn fills_by_mean_median_and_industry() {
        let mask = [true, true, true, true, false];
        let ind = [0, 0, 1, 1, 1];
        let base = [1.0, f64::NAN, 3.0, f64::NAN, f64::NAN];
        let mut r = base;
        assert_eq!(fill(&mut r, &mask, &ind, Fill::Mean), 2);
        assert_eq!(&r[..4], &[1.0, 2.0, 3.0, 2.0]);
        assert!(r[4].is_nan());
        let mut r = base;
        fill(&mut r, &mask, &ind, Fill::IndustryMean);
        assert_eq!(&r[..4], &[1.0, 1.0, 3.0, 3.0]);
        let mut r = [1.0, f64::NAN, 3.0, 10.0, f64::NAN];
        fill(&mut r, &mask, &ind, Fill::Median);
        assert_eq!(r[1], 3.0);
        let mut r = base;
        assert_eq!(fill(&mut r, &mask, &ind, Fill::None), 0);
        assert!(r[1].is_nan());
    }
}
