//! Mean forward return by factor quantile (alphalens `mean_return_by_quantile`, demeaned):
//! per date, each row's forward return minus the date's mean; averaged within (quantile,
//! date); then averaged over dates, with the standard error = std over dates / √dates.

use crate::screen::clean_data::CleanFactor;
use crate::stats;

/// Per period: `by_date[q][date]` (NaN where the quantile has no rows), and the mean and
/// standard error over dates for each quantile (index 0 = quantile 1).
#[derive(Clone, Debug)]
pub struct QuantileReturns {
    pub by_date: Vec<Vec<Vec<f64>>>,
    pub mean: Vec<Vec<f64>>,
    pub std_err: Vec<Vec<f64>>,
}

pub fn mean_return_by_quantile(cf: &CleanFactor) -> QuantileReturns {
    let nq = cf.quantiles;
    let mut by_date = vec![vec![vec![f64::NAN; cf.days.len()]; nq]; cf.periods.len()];
    for (t, day) in cf.days.iter().enumerate() {
        let Some(day) = day else { continue };
        for (k, fwd) in day.fwd.iter().enumerate() {
            let m = stats::mean(fwd);
            let (mut sum, mut cnt) = (vec![0.0; nq], vec![0usize; nq]);
            for (r, q) in fwd.iter().zip(&day.quantile) {
                sum[*q as usize - 1] += r - m;
                cnt[*q as usize - 1] += 1;
            }
            for q in 0..nq {
                if cnt[q] > 0 {
                    by_date[k][q][t] = sum[q] / cnt[q] as f64;
                }
            }
        }
    }
    let agg = |f: fn(&[f64]) -> f64| -> Vec<Vec<f64>> {
        by_date
            .iter()
            .map(|per_q| {
                per_q
                    .iter()
                    .map(|series| {
                        let x: Vec<f64> = series.iter().copied().filter(|v| v.is_finite()).collect();
                        if x.is_empty() { f64::NAN } else { f(&x) }
                    })
                    .collect()
            })
            .collect()
    };
    let mean = agg(stats::mean);
    let std_err = agg(|x| if x.len() < 2 { f64::NAN } else { stats::std(x) / (x.len() as f64).sqrt() });
    QuantileReturns { by_date, mean, std_err }
}
