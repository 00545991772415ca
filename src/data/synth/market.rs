//! The common return factors: a market factor with GARCH(1,1) volatility clustering and
//! Student-t shocks, and one Gaussian factor per industry. Both are drawn up front from
//! their own streams, so they are the same whatever the stocks do.

use super::rng::{Rng, kind};
use super::stocks::INDUSTRIES;

/// Market factor parameters (daily, fractions).
pub const MARKET_MEAN: f64 = 0.00025;
pub const MARKET_VOL: f64 = 0.013;
pub const MARKET_GARCH: (f64, f64) = (0.08, 0.90);
pub const MARKET_NU: u32 = 5;

/// Daily factor returns, simple, fractions.
pub struct Factors {
    /// `[date]`: the market factor's return from the previous close to this close.
    pub market: Vec<f64>,
    /// `[date][industry]`: industry factor returns (zero mean).
    pub industry: Vec<Vec<f64>>,
}

pub fn draw(seed: u64, n_dates: usize) -> Factors {
    let mut r = Rng::stream(seed, kind::MARKET, 0);
    let (a, b) = MARKET_GARCH;
    let omega = MARKET_VOL * MARKET_VOL * (1.0 - a - b);
    let mut var = MARKET_VOL * MARKET_VOL;
    let mut market = Vec::with_capacity(n_dates);
    for _ in 0..n_dates {
        let shock = var.sqrt() * r.student_t(MARKET_NU);
        market.push(MARKET_MEAN + shock);
        let capped = shock.clamp(-6.0 * var.sqrt(), 6.0 * var.sqrt());
        var = omega + a * capped * capped + b * var;
    }
    let vols: Vec<f64> = (0..INDUSTRIES.len()).map(|k| Rng::stream(seed, kind::INDUSTRY, k as u64).range(0.006, 0.010)).collect();
    let mut r = Rng::stream(seed, kind::INDUSTRY, 1 << 20);
    let industry = (0..n_dates).map(|_| vols.iter().map(|v| v * r.normal()).collect()).collect();
    Factors { market, industry }
}
