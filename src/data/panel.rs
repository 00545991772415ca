//! The `Panel`: everything the pipeline knows about a market, on one trading calendar.
//!
//! Axes: `dates` (trading days, ascending) × `stocks` (canonical codes, ascending).
//! Daily fields are dense [`Matrix`]es over those axes. Prices are stored **raw**
//! (unadjusted, CNY) beside `adj_factor`; adjusted = raw × `adj_factor`.
//! Quarterly accounts are kept as reports with their announcement dates, so that
//! later stages can make them point-in-time.

use std::collections::BTreeMap;

use super::date::Date;
use super::matrix::Matrix;

/// Canonical daily field names and their units.
pub mod field {
    /// Raw (unadjusted) prices, CNY.
    pub const OPEN: &str = "open";
    pub const HIGH: &str = "high";
    pub const LOW: &str = "low";
    pub const CLOSE: &str = "close";
    /// Shares traded (unadjusted). 0 on a suspended day.
    pub const VOLUME: &str = "volume";
    /// Value traded, CNY.
    pub const AMOUNT: &str = "amount";
    /// Cumulative adjustment factor: adjusted price = raw × factor.
    pub const ADJ_FACTOR: &str = "adj_factor";
    /// Turnover rate, percent of float shares.
    pub const TURNOVER: &str = "turnover";
    /// Shares outstanding, total and tradable (float).
    pub const TOTAL_SHARES: &str = "total_shares";
    pub const FLOAT_SHARES: &str = "float_shares";
    /// Valuation ratios as published (baostock): PE TTM, PB MRQ, PS TTM, P/CF TTM.
    pub const PE_TTM: &str = "pe_ttm";
    pub const PB_MRQ: &str = "pb_mrq";
    pub const PS_TTM: &str = "ps_ttm";
    pub const PCF_TTM: &str = "pcf_ttm";
    /// 1 when the stock is under special treatment (ST) that day, else 0.
    pub const IS_ST: &str = "is_st";
    /// Daily change, percent (qlib's `change`).
    pub const PCT_CHANGE: &str = "pct_change";

    /// Every field the loaders know, in the order summaries list them.
    pub const KNOWN: [&str; 16] = [
        OPEN,
        HIGH,
        LOW,
        CLOSE,
        VOLUME,
        AMOUNT,
        ADJ_FACTOR,
        TURNOVER,
        TOTAL_SHARES,
        FLOAT_SHARES,
        PE_TTM,
        PB_MRQ,
        PS_TTM,
        PCF_TTM,
        IS_ST,
        PCT_CHANGE,
    ];
    /// The four raw price fields.
    pub const PRICES: [&str; 4] = [OPEN, HIGH, LOW, CLOSE];
}

/// One spell of index membership: `code` is a member from `start` to `end`, both inclusive.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Spell {
    pub code: String,
    pub start: Date,
    pub end: Date,
}

/// Quarterly financial reports, one row per (stock, fiscal period).
///
/// Flow items (revenue, profits, cash flows) are **single-quarter** values; stock items
/// (assets, liabilities, equity, shares) are period-end balances. Units: CNY, shares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Financials {
    /// Column names of `Report::values`, e.g. `revenue`, `equity`.
    pub fields: Vec<String>,
    pub reports: Vec<Report>,
    /// Items made by an approximation from other fields → how (e.g. `revenue` →
    /// `netProfit / npMargin`); shown by `alphasweep data`.
    pub derived: BTreeMap<String, &'static str>,
}

/// One company report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub code: String,
    /// Last day of the fiscal quarter (e.g. 2020-03-31).
    pub period_end: Date,
    /// The day it was made public; visible from the next trading day.
    pub announce: Date,
    /// One value per `Financials::fields`, `NaN` if not reported.
    pub values: Vec<f64>,
}

/// Daily series of one index (benchmark), aligned to the panel's dates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexSeries {
    /// `open`, `high`, `low`, `close` (points), `volume`; each `dates.len()` long, `NaN` if missing.
    pub fields: BTreeMap<String, Vec<f64>>,
}

impl IndexSeries {
    pub fn close(&self) -> Option<&[f64]> {
        self.fields.get(field::CLOSE).map(|v| v.as_slice())
    }
}

/// A market on one calendar. See the module docs for axes and units.
#[derive(Clone, Debug, Default)]
pub struct Panel {
    /// Trading days, strictly ascending.
    pub dates: Vec<Date>,
    /// Canonical stock codes (`SH600519`), strictly ascending.
    pub stocks: Vec<String>,
    /// Daily fields by name (see [`field`]), each `[dates, stocks]`.
    pub fields: BTreeMap<String, Matrix>,
    /// Index membership spells; `None` means every stock with a price is in the universe.
    pub universe: Option<Vec<Spell>>,
    /// For a membership change history: its last change (it says nothing after it).
    pub universe_until: Option<Date>,
    /// Index series by canonical code (`SH000300`).
    pub indices: BTreeMap<String, IndexSeries>,
    pub financials: Option<Financials>,
    /// Industry label by stock code (a snapshot).
    pub industry: BTreeMap<String, String>,
    /// Where each part came from, e.g. `qlib: /data/cn (close, volume, ...)`, for summaries.
    pub provenance: Vec<String>,
    /// What loading found that a user must know (adjusted-only prices, sources that end
    /// early, revisions not used, …); printed by `alphasweep data` and the stages.
    pub warnings: Vec<String>,
}

impl Panel {
    pub fn n_dates(&self) -> usize {
        self.dates.len()
    }

    pub fn n_stocks(&self) -> usize {
        self.stocks.len()
    }

    pub fn field(&self, name: &str) -> Option<&Matrix> {
        self.fields.get(name)
    }

    /// Drops every trading day from index `n` on (fields, index series, calendar): what
    /// comes after the last day a stage reads. Reports, membership spells and labels are
    /// dated and stay; `n` past the end changes nothing.
    pub fn truncate_dates(&mut self, n: usize) {
        if n >= self.n_dates() {
            return;
        }
        let ns = self.n_stocks();
        self.dates.truncate(n);
        for m in self.fields.values_mut() {
            m.data.truncate(n * ns);
            m.data.shrink_to_fit();
            m.n_dates = n;
        }
        for series in self.indices.values_mut() {
            series.fields.values_mut().for_each(|v| v.truncate(n));
        }
    }

    /// [`Panel::truncate_dates`] after the last trading day on or before `end`, keeping
    /// `days_after` more (what a label or a forward return reads past it).
    pub fn truncate_after(&mut self, end: Date, days_after: usize) {
        self.truncate_dates(self.dates.partition_point(|d| *d <= end) + days_after);
    }

    /// Position of a date in the calendar.
    pub fn date_index(&self, d: Date) -> Option<usize> {
        self.dates.binary_search(&d).ok()
    }

    pub fn stock_index(&self, code: &str) -> Option<usize> {
        self.stocks.binary_search_by(|c| c.as_str().cmp(code)).ok()
    }

    /// Adjusted prices: raw × `adj_factor` (raw if there is no factor).
    pub fn adjusted(&self, name: &str) -> Option<Matrix> {
        let raw = self.fields.get(name)?;
        Some(match self.fields.get(field::ADJ_FACTOR) {
            Some(f) => raw.zip_with(f, |p, k| p * k),
            None => raw.clone(),
        })
    }

    /// Membership mask `[date, stock]`, row-major. Without spells, a stock is a member on
    /// the days it has a finite close.
    pub fn universe_mask(&self) -> Vec<bool> {
        let (nd, ns) = (self.n_dates(), self.n_stocks());
        let mut mask = vec![false; nd * ns];
        match &self.universe {
            Some(spells) => {
                for sp in spells {
                    let Some(s) = self.stock_index(&sp.code) else { continue };
                    let a = self.dates.partition_point(|d| *d < sp.start);
                    let b = self.dates.partition_point(|d| *d <= sp.end);
                    for d in a..b {
                        mask[d * ns + s] = true;
                    }
                }
            }
            None => {
                if let Some(close) = self.fields.get(field::CLOSE) {
                    for (m, v) in mask.iter_mut().zip(&close.data) {
                        *m = v.is_finite();
                    }
                }
            }
        }
        mask
    }

    /// Suspended stock-days: a finite close with volume 0 (or a NaN volume with a price).
    pub fn suspended_mask(&self) -> Option<Vec<bool>> {
        let vol = self.fields.get(field::VOLUME)?;
        let close = self.fields.get(field::CLOSE)?;
        Some(close.data.iter().zip(&vol.data).map(|(c, v)| c.is_finite() && !(*v > 0.0)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn universe_mask_follows_inclusive_spells() {
        let mut p = Panel {
            dates: vec![d("2020-01-02"), d("2020-01-03"), d("2020-01-06")],
            stocks: vec!["SH600000".into(), "SZ000001".into()],
            ..Panel::default()
        };
        p.universe = Some(vec![
            Spell { code: "SZ000001".into(), start: d("2020-01-03"), end: d("2020-01-06") },
            Spell { code: "SH600000".into(), start: d("2019-01-01"), end: d("2020-01-02") },
            Spell { code: "SH999999".into(), start: d("2019-01-01"), end: d("2021-01-01") },
        ]);
        // rows are dates: [SH600000, SZ000001]
        assert_eq!(p.universe_mask(), vec![true, false, false, true, false, true]);
    }

    #[test]
    fn adjusted_is_raw_times_factor() {
        let mut p = Panel { dates: vec![d("2020-01-02")], stocks: vec!["SH600519".into()], ..Panel::default() };
        p.fields.insert(field::CLOSE.into(), Matrix { n_dates: 1, n_stocks: 1, data: vec![10.0] });
        p.fields.insert(field::ADJ_FACTOR.into(), Matrix { n_dates: 1, n_stocks: 1, data: vec![2.5] });
        assert_eq!(p.adjusted(field::CLOSE).unwrap().data, vec![25.0]);
    }

    #[test]
    fn truncated_dates_keep_the_first_rows_of_everything_daily() {
        let mut p = Panel {
            dates: vec![d("2020-01-02"), d("2020-01-03"), d("2020-01-06")],
            stocks: vec!["SH600000".into(), "SZ000001".into()],
            ..Panel::default()
        };
        p.fields.insert(field::CLOSE.into(), Matrix { n_dates: 3, n_stocks: 2, data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0] });
        let index = IndexSeries { fields: [(field::CLOSE.to_string(), vec![10.0, 11.0, 12.0])].into() };
        p.indices.insert("SH000300".into(), index);
        p.truncate_dates(5);
        assert_eq!(p.n_dates(), 3, "past the end: unchanged");
        p.truncate_after(d("2020-01-02"), 1);
        assert_eq!(p.dates, vec![d("2020-01-02"), d("2020-01-03")]);
        assert_eq!(p.fields[field::CLOSE], Matrix { n_dates: 2, n_stocks: 2, data: vec![1.0, 2.0, 3.0, 4.0] });
        assert_eq!(p.indices["SH000300"].close().unwrap(), &[10.0, 11.0]);
    }
}
