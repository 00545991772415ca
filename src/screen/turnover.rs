//! Quantile turnover and factor rank autocorrelation (alphalens), on the trading calendar:
//! "p periods ago" is p calendar dates back, whether or not that date had rows.

use crate::screen::clean_data::CleanFactor;
use crate::stats;

/// `turnover[q][date]` for lag `p`: the share of quantile q's assets on the date that were not
/// in it p dates before; NaN where either date has no rows.
pub fn quantile_turnover(cf: &CleanFactor, p: usize) -> Vec<Vec<f64>> {
    // Per date and quantile, the member assets in ascending order (rows are sorted by asset).
    let sets: Vec<Option<Vec<Vec<u32>>>> = cf
        .days
        .iter()
        .map(|d| {
            d.as_ref().map(|d| {
                let mut s = vec![Vec::new(); cf.quantiles];
                for (a, q) in d.assets.iter().zip(&d.quantile) {
                    s[*q as usize - 1].push(*a);
                }
                s
            })
        })
        .collect();
    (0..cf.quantiles)
        .map(|q| {
            (0..sets.len())
                .map(|t| match (t.checked_sub(p).and_then(|u| sets[u].as_ref()), sets[t].as_ref()) {
                    (Some(before), Some(now)) if !now[q].is_empty() => {
                        new_members(&now[q], &before[q]) as f64 / now[q].len() as f64
                    }
                    _ => f64::NAN,
                })
                .collect()
        })
        .collect()
}

/// How many of the ascending `now` are not in the ascending `before` (a merge walk).
fn new_members(now: &[u32], before: &[u32]) -> usize {
    let (mut j, mut new) = (0, 0);
    for a in now {
        while j < before.len() && before[j] < *a {
            j += 1;
        }
        if j == before.len() || before[j] != *a {
            new += 1;
        }
    }
    new
}

/// Pearson correlation, across the assets present on both dates, of each date's average
/// ranks with those p dates before (a merge join over the dates' sorted assets).
pub fn rank_autocorrelation(cf: &CleanFactor, p: usize) -> Vec<f64> {
    (0..cf.days.len())
        .map(|t| match (t.checked_sub(p).and_then(|u| cf.days[u].as_ref()), cf.days[t].as_ref()) {
            (Some(a), Some(b)) => {
                let (mut x, mut y) = (Vec::with_capacity(b.assets.len()), Vec::with_capacity(b.assets.len()));
                let mut i = 0;
                for (j, asset) in b.assets.iter().enumerate() {
                    while i < a.assets.len() && a.assets[i] < *asset {
                        i += 1;
                    }
                    if i < a.assets.len() && a.assets[i] == *asset {
                        x.push(b.factor_rank[j]);
                        y.push(a.factor_rank[i]);
                    }
                }
                stats::pearson(&x, &y)
            }
            _ => f64::NAN,
        })
        .collect()
}
