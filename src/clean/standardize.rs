//! Step 4: cross-sectional z-score of the members: (x − mean) / sample std.

/// Standardizes members in place; `false` (members set `NaN`) when fewer than two values or
/// zero variance.
pub fn zscore(row: &mut [f64], mask: &[bool]) -> bool {
    let (mut n, mut sum) = (0usize, 0.0);
    for (x, m) in row.iter().zip(mask) {
        if *m && x.is_finite() {
            n += 1;
            sum += x;
        }
    }
    let mean = sum / n as f64;
    let ss: f64 = row.iter().zip(mask).filter(|(x, m)| **m && x.is_finite()).map(|(x, _)| (x - mean) * (x - mean)).sum();
    let sd = (ss / (n as f64 - 1.0)).sqrt();
    let ok = n >= 2 && sd > 0.0;
    for (x, m) in row.iter_mut().zip(mask) {
        if *m {
            *x = if ok { (*x - mean) / sd } else { f64::NAN };
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    /// 2, 4, 6: mean 4, sample std 2 → −1, 0, 1. A constant row gives NaN and `false`.
    #[test]
    fn zscores() {
        let mut r = [2.0, 4.0, 6.0, 99.0];
        assert!(super::zscore(&mut r, &[true, true, true, false]));
        assert_eq!(&r[..3], &[-1.0, 0.0, 1.0]);
        assert_eq!(r[3], 99.0);
        let mut r = [5.0, 5.0];
        assert!(!super::zscore(&mut r, &[true, true]));
        assert!(r[0].is_nan());
    }
}
