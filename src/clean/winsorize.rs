//! Step 2: MAD winsorizing: clip member values to median ± n · k · MAD, where MAD is the
//! median absolute deviation from the median and k = 1.4826 (normal) or 1 (raw). A date
//! whose MAD is 0 (over half the members share one value, as with a count or a day index)
//! is left as it is: clipping to the median would erase every other value.

use crate::clean::MadScale;
use crate::clean::fill::median;

/// The scale that makes the MAD a consistent estimator of σ for normal data.
pub const NORMAL_K: f64 = 1.4826;

/// The (low, high) bounds for the finite member values of `row`; `None` when there are none
/// or their MAD is 0.
pub fn bounds(row: &[f64], mask: &[bool], n: f64, scale: MadScale) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = row.iter().zip(mask).filter(|(x, m)| **m && x.is_finite()).map(|(x, _)| *x).collect();
    if v.is_empty() {
        return None;
    }
    let med = median(&mut v);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
    let k = match scale {
        MadScale::Normal => NORMAL_K,
        MadScale::Raw => 1.0,
    };
    let half = n * k * median(&mut dev);
    (half > 0.0).then_some((med - half, med + half))
}

/// Clips members in place; returns how many values moved.
pub fn winsorize(row: &mut [f64], mask: &[bool], n: f64, scale: MadScale) -> usize {
    let Some((lo, hi)) = bounds(row, mask, n, scale) else { return 0 };
    let mut clipped = 0;
    for (x, m) in row.iter_mut().zip(mask) {
        if *m && x.is_finite() && (*x < lo || *x > hi) {
            *x = x.clamp(lo, hi);
            clipped += 1;
        }
    }
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values 1..=9 and 100: median 5.5, absolute deviations 4.5 3.5 2.5 1.5 0.5 0.5 1.5 2.5
    /// 3.5 94.5 → MAD = median = 2.5. Raw scale, n = 2: bounds 5.5 ± 5 = [0.5, 10.5], so only
    /// 100 is clipped, to 10.5. Normal scale, n = 1: 5.5 ± 3.7065 = [1.7935, 9.2065]: 1 and
    /// 100 move.
    #[test]
    fn clips_to_hand_computed_bounds() {
        let mask = [true; 10];
        let mut r = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0];
        assert_eq!(bounds(&r, &mask, 2.0, MadScale::Raw), Some((0.5, 10.5)));
        assert_eq!(winsorize(&mut r, &mask, 2.0, MadScale::Raw), 1);
        assert_eq!(r[9], 10.5);
        let mut r = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0];
        assert_eq!(winsorize(&mut r, &mask, 1.0, MadScale::Normal), 2);
        assert!((r[0] - (5.5 - 2.5 * NORMAL_K)).abs() < 1e-12);
        assert!((r[9] - (5.5 + 2.5 * NORMAL_K)).abs() < 1e-12);
    }

    /// Six of ten members at 1.0 (an IdxMax-style feature): MAD 0, nothing clipped (it used
    /// to clip all ten to 1.0, and the z-score then blanked the whole date).
    #[test]
    fn a_zero_mad_leaves_the_date_alone() {
        let mask = [true; 10];
        let mut r = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.4, 0.6, 0.8];
        assert_eq!(bounds(&r, &mask, 5.0, MadScale::Normal), None);
        assert_eq!(winsorize(&mut r, &mask, 5.0, MadScale::Normal), 0);
        assert_eq!(r[6], 0.2);
    }
}
