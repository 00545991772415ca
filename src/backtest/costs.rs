//! Trading costs of one trade, in CNY: a commission on buys and sells and a stamp tax on
//! sells only, each a rate on the traded value with a per-trade minimum (the paper: 0.1%
//! commission, at least 5 CNY; 0.1% stamp tax, at least 1 CNY). The stamp-tax rate follows
//! a dated schedule; the default halves it to 0.05% from 2023-08-28, when the Ministry of
//! Finance cut it.

use serde::{Deserialize, Serialize};

use crate::data::Date;
use crate::error::{Error, Result};

/// One change of the stamp-tax rate: `rate` applies to sells on and after `from`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StampTaxChange {
    pub from: Date,
    /// Fraction of the sold value (0.0005 = 0.05%).
    pub rate: f64,
}

/// The cost model. Defaults are the paper's figures plus the 2023 stamp-tax cut.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostModel {
    /// Commission, fraction of the traded value, on buys and sells (default 0.001).
    pub commission_rate: f64,
    /// Minimum commission per trade, CNY (default 5).
    pub commission_min: f64,
    /// Stamp tax on sells before the first schedule entry, fraction (default 0.001).
    pub stamp_tax_rate: f64,
    /// Later stamp-tax rates by date, ascending (default: 0.0005 from 2023-08-28).
    pub stamp_tax_schedule: Vec<StampTaxChange>,
    /// Minimum stamp tax per sell, CNY (default 1).
    pub stamp_tax_min: f64,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            commission_rate: 0.001,
            commission_min: 5.0,
            stamp_tax_rate: 0.001,
            stamp_tax_schedule: vec![StampTaxChange { from: Date::from_ymd(2023, 8, 28).expect("valid date"), rate: 0.0005 }],
            stamp_tax_min: 1.0,
        }
    }
}

/// What one trade costs, CNY.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TradeCost {
    pub commission: f64,
    pub stamp_tax: f64,
}

impl TradeCost {
    pub fn total(&self) -> f64 {
        self.commission + self.stamp_tax
    }
}

impl CostModel {
    /// No costs at all (for "before costs" runs).
    pub fn free() -> CostModel {
        CostModel {
            commission_rate: 0.0,
            commission_min: 0.0,
            stamp_tax_rate: 0.0,
            stamp_tax_schedule: Vec::new(),
            stamp_tax_min: 0.0,
        }
    }

    /// Rates and minimums must be finite and non-negative, the schedule ascending.
    pub fn validate(&self) -> Result<()> {
        let all = [self.commission_rate, self.commission_min, self.stamp_tax_rate, self.stamp_tax_min];
        let sched = self.stamp_tax_schedule.iter().map(|c| c.rate);
        if all.into_iter().chain(sched).any(|v| !v.is_finite() || v < 0.0) {
            return Err(Error::Config("backtest costs: rates and minimums must be finite and >= 0".into()));
        }
        if self.commission_rate >= 0.5 || self.stamp_tax_rate >= 0.5 {
            return Err(Error::Config("backtest costs: a rate is a fraction (0.001 = 0.1%), not a percent".into()));
        }
        if self.stamp_tax_schedule.windows(2).any(|w| w[0].from >= w[1].from) {
            return Err(Error::Config("backtest costs: stamp_tax_schedule dates must strictly increase".into()));
        }
        Ok(())
    }

    /// The stamp-tax rate for a sell on `date`.
    pub fn stamp_tax_rate_on(&self, date: Date) -> f64 {
        self.stamp_tax_schedule.iter().rev().find(|c| c.from <= date).map_or(self.stamp_tax_rate, |c| c.rate)
    }

    /// Costs of buying `value` CNY: commission only.
    pub fn buy(&self, value: f64) -> TradeCost {
        TradeCost { commission: self.commission(value), stamp_tax: 0.0 }
    }

    /// Costs of selling `value` CNY on `date`: commission and stamp tax.
    pub fn sell(&self, value: f64, date: Date) -> TradeCost {
        let stamp = if value > 0.0 { (value * self.stamp_tax_rate_on(date)).max(self.stamp_tax_min) } else { 0.0 };
        TradeCost { commission: self.commission(value), stamp_tax: stamp }
    }

    fn commission(&self, value: f64) -> f64 {
        if value > 0.0 { (value * self.commission_rate).max(self.commission_min) } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// Buy 100 shares at 10 CNY = 1,000 CNY: 0.1% is 1 CNY, below the 5 CNY minimum → 5.
    /// Sell 10,000 CNY in 2020: commission 10, stamp tax 10. Sell 500 CNY: commission 5
    /// (minimum), stamp tax max(0.5, 1) = 1. After 2023-08-28 the 10,000 CNY sell pays 5 tax.
    #[test]
    fn rates_minimums_and_schedule() {
        let c = CostModel::default();
        assert_eq!(c.buy(1000.0), TradeCost { commission: 5.0, stamp_tax: 0.0 });
        assert_eq!(c.buy(20_000.0).commission, 20.0);
        assert_eq!(c.sell(10_000.0, d("2020-01-02")), TradeCost { commission: 10.0, stamp_tax: 10.0 });
        assert_eq!(c.sell(500.0, d("2020-01-02")), TradeCost { commission: 5.0, stamp_tax: 1.0 });
        assert_eq!(c.sell(10_000.0, d("2023-08-25")).stamp_tax, 10.0);
        assert_eq!(c.sell(10_000.0, d("2023-08-28")).stamp_tax, 5.0);
        assert_eq!(c.sell(0.0, d("2020-01-02")).total(), 0.0);
        assert_eq!(CostModel::free().sell(1e6, d("2020-01-02")).total(), 0.0);
        c.validate().unwrap();
        let bad = CostModel { commission_rate: -0.1, ..CostModel::default() };
        assert!(bad.validate().is_err());
        let pct = CostModel { stamp_tax_rate: 0.5, ..CostModel::default() };
        assert!(pct.validate().is_err());
    }
}
