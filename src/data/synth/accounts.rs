//! Company accounts: one report per stock and fiscal quarter, with announcement dates in
//! the legal windows, and the point-in-time view ([`Book`]) the planted signal reads.
//!
//! Each company has an annual revenue scale `Y` (CNY/year) that reverts toward
//! `sales_to_price × total market cap` by 15% a quarter, so sales, book and earnings all
//! follow the market cap: this is what makes PE, PB and PS near-duplicates.

use crate::data::{Date, Financials, Report};

use super::rng::Rng;
use super::stocks::{INDUSTRIES, is_financial};

/// Report columns, in `Financials::fields` order. Flows are single-quarter values, balances
/// are period-end values; CNY, except `total_shares` (shares).
pub const FIELDS: [&str; 20] = [
    "revenue",
    "total_oper_cost",
    "oper_profit",
    "total_profit",
    "selling_exp",
    "ebit",
    "ebitda",
    "net_profit",
    "net_profit_parent",
    "oper_net_income",
    "oper_cash_flow",
    "fcff",
    "cur_assets",
    "total_assets",
    "fixed_assets",
    "inventory",
    "cur_liab",
    "total_liab",
    "equity",
    "total_shares",
];

/// Column positions in [`FIELDS`].
pub mod col {
    pub const REVENUE: usize = 0;
    pub const NET_PROFIT: usize = 7;
    pub const NET_PROFIT_PARENT: usize = 8;
    pub const EQUITY: usize = 18;
    pub const TOTAL_SHARES: usize = 19;
}

/// Revenue seasonality by fiscal quarter (Q1..Q4), mean 1.
pub const SEASON: [f64; 4] = [0.88, 1.00, 0.97, 1.15];
/// Quarterly reversion of the revenue scale toward `sales_to_price × market cap`.
pub const REVERSION: f64 = 0.15;

/// A company's static accounting profile (ratios are fractions).
#[derive(Clone, Debug)]
pub struct Profile {
    /// Long-run annual revenue / total market cap (the inverse of a long-run PS).
    pub sales_to_price: f64,
    /// Mean operating margin.
    pub margin: f64,
    pub assets_to_sales: f64,
    pub leverage: f64,
    pub cur_share: f64,
    pub fixed_share: f64,
    pub inv_share: f64,
    pub cur_liab_share: f64,
    pub selling: f64,
    pub minority: f64,
    pub tax: f64,
    /// Cash dividend / annual parent net profit (0 for non-payers).
    pub payout: f64,
    /// Where in each announcement window the company tends to report (0 early, 1 late).
    pub speed: f64,
}

impl Profile {
    /// Draws a profile; `industry_tilt` shifts log sales-to-price for the whole industry.
    pub fn draw(r: &mut Rng, industry: usize, industry_tilt: f64, troubled: bool) -> Profile {
        let fin = is_financial(industry);
        let margin = if troubled {
            (0.02 + 0.03 * r.normal()).clamp(-0.05, 0.08)
        } else {
            (0.12 * (0.2 * r.normal()).exp()).clamp(0.03, 0.45)
        };
        let cur_share = r.range(0.25, 0.75);
        Profile {
            sales_to_price: (0.45f64.ln() + industry_tilt + 1.0 * r.normal()).exp(),
            margin,
            assets_to_sales: 1.6 * (0.2 * r.normal()).exp() * if fin { 6.0 } else { 1.0 },
            leverage: if fin { (0.9 + 0.02 * r.normal()).clamp(0.85, 0.94) } else { (0.5 + 0.1 * r.normal()).clamp(0.15, 0.85) },
            cur_share,
            fixed_share: r.range(0.05, 0.9) * (0.95 - cur_share),
            inv_share: r.range(0.02, 0.5),
            cur_liab_share: r.range(0.4, 0.95),
            selling: r.range(0.01, 0.12),
            minority: r.range(0.0, 0.15),
            tax: if r.chance(0.6) { 0.25 } else { 0.15 },
            payout: if r.chance(0.15) { 0.0 } else { r.range(0.1, 0.5) },
            speed: r.uniform(),
        }
    }
}

/// Industry tilts of log sales-to-price (std 0.3), one per industry.
pub fn industry_tilts(seed: u64) -> Vec<f64> {
    (0..INDUSTRIES.len()).map(|k| 0.3 * Rng::stream(seed, super::rng::kind::INDUSTRY, 100 + k as u64).normal()).collect()
}

/// A company's evolving accounting state.
#[derive(Clone, Debug)]
pub struct Ledger {
    /// Annual revenue scale, CNY/year.
    pub scale: f64,
    /// Persistent margin deviation (AR(1), 0.7 a quarter).
    margin_dev: f64,
    last_announce: Option<Date>,
    /// Parent net profit of the last four quarters, oldest first.
    pub recent_npp: Vec<f64>,
}

impl Ledger {
    pub fn new(p: &Profile, market_cap: f64, r: &mut Rng) -> Ledger {
        Ledger {
            scale: p.sales_to_price * market_cap * (0.1 * r.normal()).exp(),
            margin_dev: 0.0,
            last_announce: None,
            recent_npp: Vec::new(),
        }
    }

    /// The report for the quarter ending `period_end`, given the total market cap (CNY) and
    /// total shares at the period's last trading day. Returns `(announce, values)`.
    pub fn report(&mut self, p: &Profile, r: &mut Rng, period_end: Date, market_cap: f64, shares: f64) -> (Date, Vec<f64>) {
        let q = quarter(period_end);
        let target = (p.sales_to_price * market_cap).max(1.0);
        self.scale = (self.scale.ln() + REVERSION * (target.ln() - self.scale.ln()) + 0.05 * r.normal()).exp();
        let y = self.scale;
        let revenue = y / 4.0 * SEASON[q] * (0.03 * r.normal()).exp();
        self.margin_dev = 0.7 * self.margin_dev + 0.02 * r.normal();
        let margin = p.margin + self.margin_dev + 0.015 * r.normal() - if q == 3 { 0.02 } else { 0.0 };
        let invest_income = revenue * 0.02 * r.uniform();
        let oper_profit = revenue * margin;
        let total_oper_cost = revenue - oper_profit + invest_income;
        let total_profit = oper_profit + revenue * 0.004 * r.normal();
        let total_assets = y * p.assets_to_sales * (0.03 * r.normal()).exp();
        let leverage = (p.leverage + 0.01 * r.normal()).clamp(0.05, 0.97);
        let total_liab = total_assets * leverage;
        let equity = total_assets - total_liab;
        let cur_assets = total_assets * p.cur_share;
        let fixed_assets = total_assets * p.fixed_share;
        let inventory = cur_assets * p.inv_share;
        let cur_liab = total_liab * p.cur_liab_share;
        let interest = 0.5 * total_liab * 0.045 / 4.0;
        let dep = fixed_assets * 0.08 / 4.0;
        let ebit = total_profit + interest;
        let ebitda = ebit + dep;
        let net_profit = total_profit - p.tax * total_profit.max(0.0);
        let net_profit_parent = net_profit * (1.0 - p.minority);
        let oper_net_income = oper_profit - invest_income;
        let oper_cash_flow = net_profit + dep + revenue * 0.08 * r.normal();
        let capex = dep * (1.0 + 0.3 * r.uniform()) * (0.3 * r.normal()).exp();
        let fcff = oper_cash_flow + interest * (1.0 - p.tax) - capex;
        let selling_exp = (revenue * p.selling * (0.1 * r.normal()).exp()).min(0.5 * total_oper_cost);
        self.recent_npp.push(net_profit_parent);
        if self.recent_npp.len() > 4 {
            self.recent_npp.remove(0);
        }
        let announce = self.announce(p, r, period_end);
        let values = vec![
            revenue,
            total_oper_cost,
            oper_profit,
            total_profit,
            selling_exp,
            ebit,
            ebitda,
            net_profit,
            net_profit_parent,
            oper_net_income,
            oper_cash_flow,
            fcff,
            cur_assets,
            total_assets,
            fixed_assets,
            inventory,
            cur_liab,
            total_liab,
            equity,
            shares,
        ];
        (announce, values)
    }

    /// Announcement date inside the legal window, never before the previous report's.
    fn announce(&mut self, p: &Profile, r: &mut Rng, period_end: Date) -> Date {
        let (lo, hi) = window(period_end);
        let pos = (p.speed + 0.15 * r.normal()).clamp(0.0, 1.0);
        let mut d = lo.add_days((pos * (hi.0 - lo.0) as f64).round() as i32);
        if let Some(prev) = self.last_announce {
            d = d.max(prev);
        }
        self.last_announce = Some(d);
        d
    }
}

/// Fiscal quarter (0..4) of a quarter-end date.
pub fn quarter(period_end: Date) -> usize {
    (period_end.ymd().1 as usize - 1) / 3
}

/// The announcement window `[earliest, deadline]` used for a period: Q1 12–30 Apr, half
/// year 15 Jul–31 Aug, Q3 12–31 Oct, annual 20 Jan–30 Apr of the next year.
pub fn window(period_end: Date) -> (Date, Date) {
    let y = period_end.year();
    let d = |y, m, d| Date::from_ymd(y, m, d).expect("window dates exist");
    match quarter(period_end) {
        0 => (d(y, 4, 12), d(y, 4, 30)),
        1 => (d(y, 7, 15), d(y, 8, 31)),
        2 => (d(y, 10, 12), d(y, 10, 31)),
        _ => (d(y + 1, 1, 20), d(y + 1, 4, 30)),
    }
}

/// One company's reports as the signal sees them, in period order. A report is visible on
/// trading day `t` when `announce < dates[t]` (from the first trading day after announcement).
#[derive(Clone, Debug, Default)]
pub struct Book {
    pub announce: Vec<Date>,
    /// Single-quarter revenue and net profit, period-end equity; CNY.
    pub revenue: Vec<f64>,
    pub net_profit: Vec<f64>,
    pub equity: Vec<f64>,
}

impl Book {
    /// Appends a report whose values are in [`FIELDS`] order.
    pub fn push(&mut self, announce: Date, values: &[f64]) {
        self.push_items(announce, values[col::REVENUE], values[col::NET_PROFIT], values[col::EQUITY]);
    }

    fn push_items(&mut self, announce: Date, revenue: f64, net_profit: f64, equity: f64) {
        self.announce.push(announce);
        self.revenue.push(revenue);
        self.net_profit.push(net_profit);
        self.equity.push(equity);
    }

    /// Number of reports visible at the close of a trading day dated `date`.
    pub fn visible(&self, date: Date) -> usize {
        self.announce.partition_point(|a| *a < date)
    }

    /// `(TTM revenue, TTM net profit, latest equity)` from the `n` first reports, if `n >= 4`.
    pub fn ttm(&self, n: usize) -> Option<(f64, f64, f64)> {
        if n < 4 {
            return None;
        }
        let sum = |v: &[f64]| v[n - 4..n].iter().sum::<f64>();
        Some((sum(&self.revenue), sum(&self.net_profit), self.equity[n - 1]))
    }

    /// Books of every stock (in `codes` order) rebuilt from published financials, as a
    /// downstream user would: reports grouped by code and ordered by period end. Empty
    /// books if `revenue`, `net_profit` or `equity` is not among the fields.
    pub fn from_financials(fin: &Financials, codes: &[String]) -> Vec<Book> {
        let mut books = vec![Book::default(); codes.len()];
        let pos = |name: &str| fin.fields.iter().position(|f| f == name);
        let (Some(rev), Some(np), Some(eq)) = (pos(FIELDS[col::REVENUE]), pos(FIELDS[col::NET_PROFIT]), pos(FIELDS[col::EQUITY]))
        else {
            return books;
        };
        let mut reports: Vec<&Report> = fin.reports.iter().collect();
        reports.sort_by(|a, b| (&a.code, a.period_end).cmp(&(&b.code, b.period_end)));
        for r in reports {
            if let Ok(i) = codes.binary_search(&r.code) {
                books[i].push_items(r.announce, r.values[rev], r.values[np], r.values[eq]);
            }
        }
        books
    }
}
