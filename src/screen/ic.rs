//! Information coefficients: per date, the Spearman (alphalens) and Pearson correlation of
//! the factor with each period's forward return, and their summary over dates.

use serde::Serialize;

use crate::screen::clean_data::CleanFactor;
use crate::stats;

/// `ic[period][date]` over the calendar; `NaN` on dates without clean rows. With `rank`,
/// Spearman; `cache` may hold, per date, the forward-return ranks of a set of assets (from
/// [`fwd_rank_cache`]), used when a date's clean rows are exactly that set.
pub fn ic_by_date(cf: &CleanFactor, rank: bool, cache: Option<&FwdRankCache>) -> Vec<Vec<f64>> {
    (0..cf.periods.len())
        .map(|k| {
            cf.days
                .iter()
                .enumerate()
                .map(|(t, d)| match d {
                    Some(d) if rank => {
                        let cached = cache.and_then(|c| c[t].as_ref()).filter(|c| c.0 == d.assets);
                        match cached {
                            Some(c) => stats::pearson(&c.1[k], &d.factor_rank),
                            None => stats::pearson(&stats::ranks(&d.fwd[k]), &d.factor_rank),
                        }
                    }
                    Some(d) => stats::pearson(&d.fwd[k], &d.factor),
                    None => f64::NAN,
                })
                .collect()
        })
        .collect()
}

/// Per date: an asset set and each period's forward-return ranks over it.
pub type FwdRankCache = Vec<Option<(Vec<u32>, Vec<Vec<f64>>)>>;

/// Ranks of the forward returns per date over the assets where `member` holds and every
/// period's forward return is finite: the clean rows of any factor that covers all members.
pub fn fwd_rank_cache(fwd: &[crate::data::Matrix], member: &dyn Fn(usize, usize) -> bool) -> FwdRankCache {
    let Some(first) = fwd.first() else { return vec![] };
    let (nd, ns) = (first.n_dates, first.n_stocks);
    (0..nd)
        .map(|t| {
            let assets: Vec<u32> = (0..ns)
                .filter(|&s| member(t, s) && fwd.iter().all(|m| m.data[t * ns + s].is_finite()))
                .map(|s| s as u32)
                .collect();
            if assets.is_empty() {
                return None;
            }
            let ranks = fwd
                .iter()
                .map(|m| stats::ranks(&assets.iter().map(|&s| m.data[t * ns + s as usize]).collect::<Vec<_>>()))
                .collect();
            Some((assets, ranks))
        })
        .collect()
}

/// alphalens' information table for one period.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IcSummary {
    pub mean: f64,
    pub std: f64,
    /// mean / std (alphalens "Risk-Adjusted IC", the ICIR).
    pub risk_adjusted: f64,
    pub t_stat: f64,
    pub p_value: f64,
    pub skew: f64,
    pub kurtosis: f64,
    /// t-statistic and p-value with a Newey–West variance over `period − 1` lags: ICs of
    /// overlapping multi-day returns are autocorrelated, which makes the plain test (above,
    /// alphalens') overstate significance. Selection uses this p-value.
    pub t_stat_nw: f64,
    pub p_value_nw: f64,
    /// Dates with an IC.
    pub n: usize,
}

/// Summary over the dates that have an IC (alphalens' `plot_information_table`), plus the
/// Newey–West test for `period`-day returns.
pub fn summarize(ic: &[f64], period: usize) -> IcSummary {
    let x: Vec<f64> = ic.iter().copied().filter(|v| v.is_finite()).collect();
    if x.len() < 2 {
        let nan = f64::NAN;
        return IcSummary {
            mean: nan,
            std: nan,
            risk_adjusted: nan,
            t_stat: nan,
            p_value: nan,
            skew: nan,
            kurtosis: nan,
            t_stat_nw: nan,
            p_value_nw: nan,
            n: x.len(),
        };
    }
    let (t_stat_nw, p_value_nw) = stats::ttest_newey_west(&x, period.saturating_sub(1));
    let (mean, std) = (stats::mean(&x), stats::std(&x));
    let (t_stat, p_value) = stats::ttest_1samp(&x);
    IcSummary {
        mean,
        std,
        risk_adjusted: mean / std,
        t_stat,
        p_value,
        skew: stats::skew_biased(&x),
        kurtosis: stats::kurtosis_biased(&x),
        t_stat_nw,
        p_value_nw,
        n: x.len(),
    }
}
