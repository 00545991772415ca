//! A-share trading rules, evaluated once per stock-day for every portfolio: which
//! stock-days have a price, are suspended, closed at the daily price limit, or are index
//! members. Units: raw (unadjusted) prices in CNY.
//!
//! Price limits (fraction of the reference price): 10% on the main board, 5% under special
//! treatment (ST), 20% on STAR (688/689) always and on ChiNext (300/301) from 2020-08-24
//! (ST included), 30% on the Beijing exchange. The reference is the previous raw close,
//! ex-right adjusted on an ex-date through the adjustment factor:
//! `ref = close[t−1] × adj[t−1] / adj[t]`. A close is *at limit-up* when
//! `close ≥ ref × (1 + L) − tol` and *at limit-down* when `close ≤ ref × (1 − L) + tol`,
//! with `tol = limit_tolerance + 1e-6 × ref`: by default half a tick (0.005 CNY), since the
//! exchanges round limit prices to the 0.01 tick, plus a relative allowance for prices
//! stored as float32 (qlib). A stock's first priced day has no reference and no limit.

use crate::data::code::{self, Board};
use crate::data::{Date, Panel, field};
use crate::error::{Error, Result};

/// Bits of [`Market::flags`].
pub mod flag {
    /// The stock has a finite raw close that day (listed).
    pub const PRICED: u8 = 1;
    /// Priced but not traded (volume 0 or missing).
    pub const SUSPENDED: u8 = 2;
    /// Closed at the upper price limit: buy orders cannot fill.
    pub const LIMIT_UP: u8 = 4;
    /// Closed at the lower price limit: sell orders cannot fill.
    pub const LIMIT_DOWN: u8 = 8;
    /// An index member that day.
    pub const MEMBER: u8 = 16;
}

/// The day ChiNext moved to ±20% limits.
pub fn chinext_reform() -> Date {
    Date::from_ymd(2020, 8, 24).expect("valid date")
}

/// The daily price limit (fraction) of `code` on `date`.
pub fn price_limit(code: &str, date: Date, is_st: bool) -> f64 {
    match code::board(code) {
        Board::Star => 0.20,
        Board::ChiNext if date >= chinext_reform() => 0.20,
        Board::Beijing => 0.30,
        Board::Main | Board::ChiNext => {
            if is_st {
                0.05
            } else {
                0.10
            }
        }
    }
}

/// What the engine needs from a panel, shared by every portfolio of a run.
#[derive(Clone, Debug)]
pub struct Market {
    pub dates: Vec<Date>,
    pub stocks: Vec<String>,
    /// Raw close `[date, stock]`, CNY; `NaN` when not listed.
    pub close: Vec<f64>,
    /// `adj[t] / adj[t−1]` `[date, stock]`: shares held grow by it on an ex-date (bonus
    /// shares; cash dividends reinvested). 1 where either factor is missing.
    pub adj_step: Vec<f64>,
    /// [`flag`] bits `[date, stock]`.
    pub flags: Vec<u8>,
    /// The benchmark's name and close (points) per date, `NaN` where missing.
    pub benchmark: Option<(String, Vec<f64>)>,
    /// Per stock: the last date index with a close (`None`: never priced).
    pub last_priced: Vec<Option<usize>>,
}

impl Market {
    /// Evaluates the rules on `panel` with the given tolerance (CNY).
    pub fn from_panel(panel: &Panel, limit_tolerance: f64) -> Result<Market> {
        let close = panel.field(field::CLOSE).ok_or_else(|| Error::Invalid("the market data has no close prices".into()))?;
        let (nd, ns) = (panel.n_dates(), panel.n_stocks());
        let adj = panel.field(field::ADJ_FACTOR);
        let st = panel.field(field::IS_ST);
        let suspended = panel.suspended_mask();
        let member = panel.universe_mask();
        let mut adj_step = vec![1.0; nd * ns];
        let mut flags = vec![0u8; nd * ns];
        for d in 0..nd {
            for s in 0..ns {
                let i = d * ns + s;
                let c = close.data[i];
                if !c.is_finite() {
                    continue;
                }
                let mut f = flag::PRICED;
                if suspended.as_ref().is_some_and(|m| m[i]) {
                    f |= flag::SUSPENDED;
                }
                if member[i] {
                    f |= flag::MEMBER;
                }
                if d > 0 {
                    let prev = close.data[i - ns];
                    let step = adj.map_or(1.0, |a| a.data[i] / a.data[i - ns]);
                    let step = if step.is_finite() && step > 0.0 { step } else { 1.0 };
                    adj_step[i] = step;
                    if prev.is_finite() && prev > 0.0 {
                        let r = prev / step;
                        let is_st = st.is_some_and(|m| m.data[i] > 0.5);
                        let lim = price_limit(&panel.stocks[s], panel.dates[d], is_st);
                        let tol = limit_tolerance + 1e-6 * r;
                        if c >= r * (1.0 + lim) - tol {
                            f |= flag::LIMIT_UP;
                        }
                        if c <= r * (1.0 - lim) + tol {
                            f |= flag::LIMIT_DOWN;
                        }
                    }
                }
                flags[i] = f;
            }
        }
        let benchmark = panel
            .indices
            .get("SH000300")
            .map(|ix| ("SH000300".to_string(), ix))
            .or_else(|| panel.indices.iter().next().map(|(k, ix)| (k.clone(), ix)))
            .and_then(|(k, ix)| ix.close().map(|c| (k, c.to_vec())));
        let last_priced = (0..ns).map(|s| (0..nd).rev().find(|&d| close.data[d * ns + s].is_finite())).collect();
        Ok(Market {
            last_priced,
            dates: panel.dates.clone(),
            stocks: panel.stocks.clone(),
            close: close.data.clone(),
            adj_step,
            flags,
            benchmark,
        })
    }

    pub fn n_dates(&self) -> usize {
        self.dates.len()
    }

    pub fn n_stocks(&self) -> usize {
        self.stocks.len()
    }

    /// Flags of stock `s` on date `d`.
    pub fn flags(&self, d: usize, s: usize) -> u8 {
        self.flags[d * self.stocks.len() + s]
    }

    /// True when no source has a bar for stock `s` on date `d` or after (its data ended).
    pub fn data_ended(&self, d: usize, s: usize) -> bool {
        self.last_priced[s].is_none_or(|l| d > l)
    }

    /// Raw close of stock `s` on date `d`, CNY (`NaN` if not listed).
    pub fn close(&self, d: usize, s: usize) -> f64 {
        self.close[d * self.stocks.len() + s]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn limits_by_board_date_and_st() {
        assert_eq!(price_limit("SH600519", d("2021-01-04"), false), 0.10);
        assert_eq!(price_limit("SH600519", d("2021-01-04"), true), 0.05);
        assert_eq!(price_limit("SZ300750", d("2020-08-21"), false), 0.10);
        assert_eq!(price_limit("SZ300750", d("2020-08-21"), true), 0.05);
        assert_eq!(price_limit("SZ300750", d("2020-08-24"), false), 0.20);
        assert_eq!(price_limit("SZ300750", d("2020-08-24"), true), 0.20);
        assert_eq!(price_limit("SH688981", d("2019-07-22"), true), 0.20);
        assert_eq!(price_limit("BJ830799", d("2022-01-04"), false), 0.30);
    }
}
