//! Risk factors (风险类): moments of the last 20 daily returns of the adjusted close.
//! Returns are simple (p_t / p_{t-1} - 1); a window needs 20 finite returns.

use crate::data::{Matrix, field};
use crate::factors::inputs::{DAYS_PER_YEAR, Inputs};
use crate::factors::spec::{Alt, Category, FactorSpec, Input::Daily as D};
use crate::factors::window::{kurt, rolling, skew};
use crate::stats::{mean, var};

/// Window length, trading days.
pub const WINDOW: usize = 20;

const RETURNS: &[Alt] = &[
    Alt { inputs: &[D(field::CLOSE), D(field::ADJ_FACTOR)], derived: None },
    Alt { inputs: &[D(field::PCT_CHANGE)], derived: Some("returns from the published pct_change") },
];

pub const FACTORS: [FactorSpec; 4] = [
    FactorSpec {
        code: "Variance20",
        category: Category::Risk,
        unit: "1/year",
        alts: RETURNS,
        compute: |i, _| on_returns(i, |w| var(w) * DAYS_PER_YEAR),
    },
    FactorSpec {
        code: "Kurtosis20",
        category: Category::Risk,
        unit: "excess kurtosis",
        alts: RETURNS,
        compute: |i, _| on_returns(i, kurt),
    },
    FactorSpec {
        code: "Skewness20",
        category: Category::Risk,
        unit: "skewness",
        alts: RETURNS,
        compute: |i, _| on_returns(i, skew),
    },
    FactorSpec { code: "SharpeRatio20", category: Category::Risk, unit: "annualized", alts: RETURNS, compute: sharpe },
];

fn on_returns(i: &Inputs, f: impl Fn(&[f64]) -> f64 + Sync) -> Option<Matrix> {
    Some(rolling(&i.returns()?, WINDOW, f))
}

/// (mean daily return − rf / 250) / sample std × √250.
fn sharpe(i: &Inputs, _alt: usize) -> Option<Matrix> {
    let rf = i.risk_free / DAYS_PER_YEAR;
    on_returns(i, move |w| {
        let s = var(w).sqrt();
        if s > 0.0 { (mean(w) - rf) / s * DAYS_PER_YEAR.sqrt() } else { f64::NAN }
    })
}
