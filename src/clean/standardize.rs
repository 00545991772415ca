//! Step 4: cross-sectional z-score of the members: (x − mean) / sample std.

/// What a date's cross-section held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    /// At least two values that differ: z-scored.
    Varies,
    /// One value, or all equal (Alpha360's `CLOSE0 = $close / $close`): no information
    /// across stocks that day; its values are set to 0, the mean, like a filled value.
    Constant,
    /// No finite value: members stay `NaN`.
    Empty,
}

/// Standardizes members in place (see [`Spread`] for rows without spread).
pub fn zscore(row: &mut [f64], mask: &[bool]) -> Spread {
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
    let spread = match n {
        0 => Spread::Empty,
        _ if n >= 2 && sd > 0.0 => Spread::Varies,
        _ => Spread::Constant,
    };
    for (x, m) in row.iter_mut().zip(mask) {
        if *m && x.is_finite() {
            *x = if spread == Spread::Varies { (*x - mean) / sd } else { 0.0 };
        }
    }
    spread
}

#[cfg(test)]
mod tests {
    use super::{Spread, zscore};

    /// 2, 4, 6: mean 4, sample std 2 → −1, 0, 1. A constant row (or a single value) gives
    /// 0s, a row without values stays NaN.
    #[test]
    fn zscores() {
        let mut r = [2.0, 4.0, 6.0, 99.0];
        assert_eq!(zscore(&mut r, &[true, true, true, false]), Spread::Varies);
        assert_eq!(&r[..3], &[-1.0, 0.0, 1.0]);
        assert_eq!(r[3], 99.0);
        let mut r = [5.0, 5.0, f64::NAN];
        assert_eq!(zscore(&mut r, &[true, true, true]), Spread::Constant);
        assert!(r[0] == 0.0 && r[1] == 0.0 && r[2].is_nan());
        let mut r = [7.0, 1.0];
        assert_eq!(zscore(&mut r, &[true, false]), Spread::Constant);
        assert_eq!(r, [0.0, 1.0]);
        let mut r = [f64::NAN, 3.0];
        assert_eq!(zscore(&mut r, &[true, false]), Spread::Empty);
        assert!(r[0].is_nan());
    }
}
