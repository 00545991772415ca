//! The factor-weighted long-short portfolio (alphalens `factor_returns`, demeaned): weights
//! = (factor − date mean) / Σ|factor − date mean|; its alpha and beta against the equal-
//! weighted universe (`factor_alpha_beta`); and the paper's figures for it: annualized
//! return, volatility, information ratio and maximum drawdown.

use serde::Serialize;

use crate::screen::clean_data::CleanFactor;
use crate::stats;

/// Trading days per year, as alphalens annualizes.
pub const YEAR: f64 = 252.0;

/// `returns[period][date]` of the long-short portfolio, and the universe's mean forward
/// return `universe[period][date]` (NaN on dates without rows).
pub fn factor_and_universe_returns(cf: &CleanFactor) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let np = cf.periods.len();
    let mut ls = vec![vec![f64::NAN; cf.days.len()]; np];
    let mut uni = vec![vec![f64::NAN; cf.days.len()]; np];
    for (t, day) in cf.days.iter().enumerate() {
        let Some(day) = day else { continue };
        let m = stats::mean(&day.factor);
        let demeaned: Vec<f64> = day.factor.iter().map(|f| f - m).collect();
        let denom: f64 = demeaned.iter().map(|w| w.abs()).sum();
        for k in 0..np {
            let fwd = &day.fwd[k];
            ls[k][t] = if denom == 0.0 { 0.0 } else { demeaned.iter().zip(fwd).map(|(w, r)| w / denom * r).sum() };
            uni[k][t] = stats::mean(fwd);
        }
    }
    (ls, uni)
}

/// The long-short portfolio's figures for one period.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LongShort {
    /// alphalens' annualized alpha: (1 + α)^(252 / period) − 1, α from OLS on the universe.
    pub ann_alpha: f64,
    pub beta: f64,
    /// From non-overlapping period returns (every `period`-th date with a return):
    /// (Π(1 + r))^(252 / (n · period)) − 1.
    pub ann_return: f64,
    pub ann_vol: f64,
    /// mean / std × √(252 / period): the portfolio is dollar-neutral, so its benchmark is 0.
    pub information_ratio: f64,
    /// Largest peak-to-trough fall of the compounded non-overlapping returns (negative).
    pub max_drawdown: f64,
}

pub fn long_short(ls: &[f64], universe: &[f64], period: usize) -> LongShort {
    let (alpha, beta) = stats::ols(universe, ls);
    let p = period as f64;
    let series: Vec<f64> = ls.iter().copied().filter(|v| v.is_finite()).step_by(period.max(1)).collect();
    if series.len() < 2 {
        return LongShort {
            ann_alpha: (1.0 + alpha).powf(YEAR / p) - 1.0,
            beta,
            ann_return: f64::NAN,
            ann_vol: f64::NAN,
            information_ratio: f64::NAN,
            max_drawdown: f64::NAN,
        };
    }
    let growth: f64 = series.iter().map(|r| 1.0 + r).product();
    let (m, s) = (stats::mean(&series), stats::std(&series));
    let (mut peak, mut value, mut dd) = (1.0f64, 1.0f64, 0.0f64);
    for r in &series {
        value *= 1.0 + r;
        peak = peak.max(value);
        dd = dd.min(value / peak - 1.0);
    }
    LongShort {
        ann_alpha: (1.0 + alpha).powf(YEAR / p) - 1.0,
        beta,
        ann_return: growth.powf(YEAR / (series.len() as f64 * p)) - 1.0,
        ann_vol: s * (YEAR / p).sqrt(),
        information_ratio: if s > 0.0 { m / s * (YEAR / p).sqrt() } else { f64::NAN },
        max_drawdown: dd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns +10%, −50%, +20% (period 1): growth 1.1·0.5·1.2 = 0.66 over 3 days →
    /// 0.66^(252/3) − 1; drawdown from the 1.1 peak to 0.55 = −50%. Mean −0.2/3, deviations
    /// 1/6, −13/30, 4/15, sample variance (1/36 + 169/900 + 16/225)/2 = 0.143333, so
    /// IR = (−0.0666667 / 0.378594) × √252 = −2.7953450 (numpy: −2.795344967686832).
    #[test]
    fn long_short_figures_by_hand() {
        let ls = [0.1, -0.5, 0.2];
        let uni = [0.0, 0.1, 0.2];
        let r = long_short(&ls, &uni, 1);
        assert!((r.ann_return - (0.66f64.powf(84.0) - 1.0)).abs() < 1e-15);
        assert!((r.max_drawdown + 0.5).abs() < 1e-12);
        assert!((r.information_ratio + 2.795_344_967_686_832).abs() < 1e-12, "{}", r.information_ratio);
    }
}
