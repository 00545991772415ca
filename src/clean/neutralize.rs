//! Step 3: market-cap neutralization. Per date, the OLS residual of the factor on log market
//! cap (with an intercept), or on log market cap plus industry dummies. The industry version
//! is computed by Frisch–Waugh–Lovell: demean factor and log cap within each industry, then
//! regress one on the other; the residual is orthogonal to log cap and to every dummy.

use serde::{Deserialize, Serialize};

/// What to neutralize against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Neutralize {
    None,
    /// Log market cap (the paper).
    #[default]
    MarketCap,
    /// Log market cap and industry dummies.
    MarketCapIndustry,
}

/// Replaces member values by their residuals, in place. Members without a finite log cap
/// cannot be regressed: they are set `NaN`, and their count is returned.
pub fn neutralize(row: &mut [f64], mask: &[bool], log_cap: &[f64], industry: &[u32], how: Neutralize) -> usize {
    let group = |i: usize| if how == Neutralize::MarketCapIndustry { industry[i] as usize } else { 0 };
    let groups =
        if how == Neutralize::MarketCapIndustry { industry.iter().copied().max().map_or(1, |g| g as usize + 1) } else { 1 };
    let mut lost = 0;
    let mut used = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        if !mask[i] {
            continue;
        }
        if log_cap[i].is_finite() && row[i].is_finite() {
            used.push(i);
        } else {
            lost += row[i].is_finite() as usize;
            row[i] = f64::NAN;
        }
    }
    // Within-group means of the factor (x) and log cap (m).
    let (mut sx, mut sm, mut n) = (vec![0.0; groups], vec![0.0; groups], vec![0usize; groups]);
    for &i in &used {
        sx[group(i)] += row[i];
        sm[group(i)] += log_cap[i];
        n[group(i)] += 1;
    }
    for g in 0..groups {
        if n[g] > 0 {
            sx[g] /= n[g] as f64;
            sm[g] /= n[g] as f64;
        }
    }
    let (mut sxm, mut smm) = (0.0, 0.0);
    for &i in &used {
        let (x, m) = (row[i] - sx[group(i)], log_cap[i] - sm[group(i)]);
        sxm += x * m;
        smm += m * m;
    }
    let beta = if smm > 0.0 { sxm / smm } else { 0.0 };
    for &i in &used {
        row[i] = (row[i] - sx[group(i)]) - beta * (log_cap[i] - sm[group(i)]);
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x = 1 + 2·m exactly → residual 0 everywhere. With noise added, the residual is
    /// uncorrelated with m and has mean 0.
    #[test]
    fn residual_is_orthogonal_to_log_cap() {
        let m = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mask = [true; 5];
        let mut x: Vec<f64> = m.iter().map(|v| 1.0 + 2.0 * v).collect();
        neutralize(&mut x, &mask, &m, &[0; 5], Neutralize::MarketCap);
        assert!(x.iter().all(|v| v.abs() < 1e-12), "{x:?}");
        let mut x = vec![3.0, 1.0, 4.0, 1.0, 5.0];
        neutralize(&mut x, &mask, &m, &[0; 5], Neutralize::MarketCap);
        // x = 3 1 4 1 5 (mean 2.8), m mean 3: Σ(x−2.8)(m−3) = 0.2·-2 + -1.8·-1 + 0 + -1.8·1 + 2.2·2 = 4.0,
        // Σ(m−3)² = 10, so beta = 0.4 and residual[0] = 0.2 − 0.4·(−2) = 1.0.
        assert!((x[0] - 1.0).abs() < 1e-12);
        let dot: f64 = x.iter().zip(&m).map(|(a, b)| a * (b - 3.0)).sum();
        assert!(dot.abs() < 1e-12 && x.iter().sum::<f64>().abs() < 1e-12);
    }

    /// Two industries with different levels: after neutralizing with dummies, each industry's
    /// residuals sum to zero; a member without a cap is set NaN and counted.
    #[test]
    fn industry_dummies_remove_group_means() {
        let m = [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, f64::NAN];
        let ind = [0, 0, 0, 1, 1, 1, 1];
        let mut x = vec![10.0, 11.5, 13.0, 0.0, 2.0, 3.0, 7.0];
        let lost = neutralize(&mut x, &[true; 7], &m, &ind, Neutralize::MarketCapIndustry);
        assert_eq!(lost, 1);
        assert!(x[6].is_nan());
        assert!((x[0] + x[1] + x[2]).abs() < 1e-12 && (x[3] + x[4] + x[5]).abs() < 1e-12);
    }
}
