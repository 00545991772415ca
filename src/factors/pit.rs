//! Quarterly reports spread over the daily calendar.
//!
//! **Point-in-time** (default): a report is visible from the first trading day *after* its
//! announcement date; on each day the latest visible fiscal period is used. **Paper backfill**
//! (`upsample = "paper_backfill"`, the paper's method): each quarter's value fills the trading
//! days of that quarter itself, i.e. before it was announced. That is look-ahead, and every
//! output made with it says so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{Date, Matrix, Panel};

/// How quarterly values become daily.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Upsample {
    /// Visible from the trading day after the announcement (no look-ahead).
    #[default]
    PointInTime,
    /// The paper's fill of each quarter over its own three months: LOOK-AHEAD.
    PaperBackfill,
}

/// Which value of a flow item a factor uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The latest fiscal quarter's value (single quarter for flows, period end for balances).
    Latest,
    /// Trailing twelve months: the sum of the latest four consecutive quarters.
    Ttm,
}

/// Reports of one stock keyed by fiscal quarter (`year * 4 + quarter - 1`).
struct StockReports {
    /// quarter key → (announcement date, values)
    by_quarter: BTreeMap<i32, (Date, Vec<f64>)>,
}

/// Quarterly items on the panel's calendar.
pub struct Quarterly {
    pub mode: Upsample,
    fields: Vec<String>,
    /// Per stock column of the panel.
    stocks: Vec<StockReports>,
    /// Per stock and date: the quarter key in force (`None` = nothing visible).
    current: Vec<Vec<Option<i32>>>,
    /// The panel's trading days (a TTM only sums quarters announced before the day).
    dates: Vec<Date>,
}

/// Fiscal quarter key of a period end (quarters end in March, June, September, December).
fn quarter_key(d: Date) -> i32 {
    let (y, m, _) = d.ymd();
    y * 4 + (m as i32 - 1) / 3
}

impl Quarterly {
    /// Indexes the panel's financials; `None` if it has none.
    pub fn new(panel: &Panel, mode: Upsample) -> Option<Quarterly> {
        let fin = panel.financials.as_ref()?;
        let mut stocks: Vec<StockReports> = (0..panel.n_stocks()).map(|_| StockReports { by_quarter: BTreeMap::new() }).collect();
        for r in &fin.reports {
            if let Some(s) = panel.stock_index(&r.code) {
                stocks[s].by_quarter.insert(quarter_key(r.period_end), (r.announce, r.values.clone()));
            }
        }
        let current = stocks.iter().map(|s| current_quarters(&panel.dates, s, mode)).collect();
        Some(Quarterly { mode, fields: fin.fields.clone(), stocks, current, dates: panel.dates.clone() })
    }

    pub fn has(&self, item: &str) -> bool {
        self.fields.iter().any(|f| f == item)
    }

    /// `[date, stock]` values of `item` on `basis`; `None` if the item is not reported.
    pub fn daily(&self, item: &str, basis: Basis) -> Option<Matrix> {
        let k = self.fields.iter().position(|f| f == item)?;
        let nd = self.current.first().map_or(0, |c| c.len());
        let ns = self.stocks.len();
        let mut m = Matrix::nan(nd, ns);
        let pit = self.mode == Upsample::PointInTime;
        for (s, st) in self.stocks.iter().enumerate() {
            // The value of the quarter last computed, kept while it cannot change.
            let mut memo: Option<(i32, f64)> = None;
            for (d, q) in self.current[s].iter().enumerate() {
                let Some(q) = *q else { continue };
                let v = match memo {
                    Some((mq, v)) if mq == q => v,
                    _ => {
                        let (v, settled) = match basis {
                            Basis::Latest => (st.by_quarter.get(&q).map_or(f64::NAN, |r| r.1[k]), true),
                            // Point-in-time, an earlier quarter filed after this one counts only
                            // once it is public (until then the TTM is unknown).
                            Basis::Ttm => (0..4).fold((0.0, true), |(sum, settled), i| match st.by_quarter.get(&(q - i)) {
                                Some((ann, vals)) if !pit || *ann < self.dates[d] => (sum + vals[k], settled),
                                Some(_) => (f64::NAN, false),
                                None => (f64::NAN, settled),
                            }),
                        };
                        if settled {
                            memo = Some((q, v));
                        }
                        v
                    }
                };
                m.set(d, s, v);
            }
        }
        Some(m)
    }
}

/// The quarter in force on each date for one stock.
fn current_quarters(dates: &[Date], st: &StockReports, mode: Upsample) -> Vec<Option<i32>> {
    match mode {
        Upsample::PointInTime => {
            // Visible from the first trading day strictly after the announcement.
            let mut events: Vec<(Date, i32)> = st.by_quarter.iter().map(|(q, (ann, _))| (*ann, *q)).collect();
            events.sort();
            let mut out = Vec::with_capacity(dates.len());
            let (mut next, mut best): (usize, Option<i32>) = (0, None);
            for d in dates {
                while next < events.len() && events[next].0 < *d {
                    best = best.max(Some(events[next].1));
                    next += 1;
                }
                out.push(best);
            }
            out
        }
        Upsample::PaperBackfill => dates
            .iter()
            .map(|d| {
                let q = quarter_key(*d);
                st.by_quarter.contains_key(&q).then_some(q)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Financials, Report};

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// One stock, four quarterly revenues 10, 20, 30, 40 for 2019Q2..2020Q1, the last
    /// announced on 2020-04-28 (a Tuesday). Point-in-time: on 2020-04-28 the latest visible
    /// quarter is 2019Q4 (40 is not yet public); from 2020-04-29 it is 2020Q1, TTM = 100.
    /// Paper backfill: 2020Q1's 40 already shows on 2020-01-02, i.e. the future.
    fn panel() -> Panel {
        let q = |end: &str, ann: &str, v: f64| Report {
            code: "SH600000".into(),
            period_end: d(end),
            announce: d(ann),
            values: vec![v],
        };
        Panel {
            dates: vec![d("2019-12-31"), d("2020-01-02"), d("2020-04-28"), d("2020-04-29")],
            stocks: vec!["SH600000".into()],
            financials: Some(Financials {
                fields: vec!["revenue".into()],
                reports: vec![
                    q("2019-06-30", "2019-08-20", 10.0),
                    q("2019-09-30", "2019-10-25", 20.0),
                    q("2019-12-31", "2020-03-20", 30.0),
                    q("2020-03-31", "2020-04-28", 40.0),
                ],
                ..Financials::default()
            }),
            ..Panel::default()
        }
    }

    #[test]
    fn point_in_time_waits_for_the_announcement() {
        let q = Quarterly::new(&panel(), Upsample::PointInTime).unwrap();
        let latest = q.daily("revenue", Basis::Latest).unwrap();
        assert_eq!(latest.column(0), vec![20.0, 20.0, 30.0, 40.0]);
        let ttm = q.daily("revenue", Basis::Ttm).unwrap();
        // Only from 2020-04-29 are four consecutive quarters visible: 10+20+30+40.
        assert!(ttm.get(2, 0).is_nan());
        assert_eq!(ttm.get(3, 0), 100.0);
    }

    #[test]
    fn paper_backfill_uses_the_future() {
        let q = Quarterly::new(&panel(), Upsample::PaperBackfill).unwrap();
        let latest = q.daily("revenue", Basis::Latest).unwrap();
        assert_eq!(latest.get(0, 0), 30.0); // 2019-12-31 is in 2019Q4
        assert_eq!(latest.get(1, 0), 40.0); // 2020Q1's value on 2020-01-02
        assert!(latest.get(3, 0).is_nan()); // 2020Q2 not reported
    }
}
