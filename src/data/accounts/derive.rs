//! From baostock's published fields (year-to-date flows and ratios) to the items the factor
//! library reads: flows as **single-quarter** values (the quarterly layer sums four of them
//! for TTM), balances at period end. Each derivation that is an approximation is recorded
//! in [`Financials::derived`], so `alphasweep data` can say a factor is derived and how.
//!
//! Year-to-date to single quarter: Q1 is the year-to-date value; Qn is YTD(Qn) − YTD(Qn−1)
//! of the same fiscal year. It is `NaN` when the previous quarter is missing, not finite,
//! or was announced after this one (its value was not yet public).

use std::collections::BTreeMap;

use crate::data::panel::{Financials, Report};

/// A derived item: its name, the published fields it needs, how it is made (`None` = a
/// plain conversion, not an approximation), and the year-to-date value from the inputs.
struct Derivation {
    item: &'static str,
    inputs: &'static [&'static str],
    note: Option<&'static str>,
    /// `true`: inputs are year-to-date flows, the item is made single-quarter.
    flow: bool,
    value: fn(&[f64]) -> f64,
}

const DERIVATIONS: [Derivation; 8] = [
    Derivation { item: "net_profit", inputs: &["netProfit"], note: None, flow: true, value: |v| v[0] },
    Derivation {
        item: "revenue",
        inputs: &["netProfit", "npMargin"],
        note: Some("revenue = netProfit / npMargin (year-to-date, then single quarter)"),
        flow: true,
        value: |v| if v[1] != 0.0 { v[0] / v[1] } else { f64::NAN },
    },
    Derivation {
        item: "total_oper_cost",
        inputs: &["netProfit", "npMargin", "gpMargin"],
        note: Some("operating cost = revenue x (1 - gpMargin): cost of sales only"),
        flow: true,
        value: |v| if v[1] != 0.0 { v[0] / v[1] * (1.0 - v[2]) } else { f64::NAN },
    },
    Derivation {
        item: "oper_cash_flow",
        inputs: &["netProfit", "CFOToNP"],
        note: Some("operating cash flow = CFOToNP x netProfit"),
        flow: true,
        value: |v| v[0] * v[1],
    },
    Derivation {
        item: "total_profit",
        inputs: &["netProfit", "dupontTaxBurden"],
        note: Some("total profit = netProfit / dupontTaxBurden"),
        flow: true,
        value: |v| if v[1] != 0.0 { v[0] / v[1] } else { f64::NAN },
    },
    Derivation {
        item: "ebit",
        inputs: &["netProfit", "npMargin", "dupontEbittogr"],
        note: Some("EBIT = revenue x dupontEbittogr"),
        flow: true,
        value: |v| if v[1] != 0.0 { v[0] / v[1] * v[2] } else { f64::NAN },
    },
    Derivation {
        item: "net_profit_parent_ttm",
        inputs: &["epsTTM", "totalShare"],
        note: Some("TTM parent net profit = epsTTM x totalShare"),
        flow: false,
        value: |v| v[0] * v[1],
    },
    Derivation { item: "total_shares", inputs: &["totalShare"], note: None, flow: false, value: |v| v[0] },
];

/// Adds every item whose inputs `fin` has and that it does not already hold; returns the
/// names added.
pub fn derive_items(fin: &mut Financials) -> Vec<&'static str> {
    let mut added = Vec::new();
    // Reports in (code, period) order, so the previous quarter is the previous row.
    fin.reports.sort_by(|a, b| (&a.code, a.period_end).cmp(&(&b.code, b.period_end)));
    for d in &DERIVATIONS {
        if fin.fields.iter().any(|f| f == d.item) {
            continue;
        }
        let Some(cols) = d.inputs.iter().map(|i| fin.fields.iter().position(|f| f == i)).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let ytd: Vec<f64> =
            fin.reports.iter().map(|r| (d.value)(&cols.iter().map(|&c| r.values[c]).collect::<Vec<_>>())).collect();
        let vals = if d.flow { single_quarter(&fin.reports, &ytd) } else { ytd };
        for (r, v) in fin.reports.iter_mut().zip(vals) {
            r.values.push(v);
        }
        fin.fields.push(d.item.to_string());
        if let Some(note) = d.note {
            fin.derived.insert(d.item.to_string(), note);
        }
        added.push(d.item);
    }
    added
}

/// Single-quarter values of year-to-date values `ytd` (one per report; reports sorted by
/// code, then period).
pub fn single_quarter(reports: &[Report], ytd: &[f64]) -> Vec<f64> {
    let mut index: BTreeMap<(&str, i32, u32), usize> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        let (y, m, _) = r.period_end.ymd();
        index.insert((r.code.as_str(), y, m), i);
    }
    reports
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (y, m, _) = r.period_end.ymd();
            if m == 3 {
                return ytd[i];
            }
            match index.get(&(r.code.as_str(), y, m - 3)) {
                Some(&p) if reports[p].announce <= r.announce => ytd[i] - ytd[p],
                _ => f64::NAN,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Date;

    fn report(period: &str, announce: &str, values: Vec<f64>) -> Report {
        Report {
            code: "SH600519".into(),
            period_end: period.parse::<Date>().unwrap(),
            announce: announce.parse::<Date>().unwrap(),
            values,
        }
    }

    /// Year-to-date net profit 10, 25, 45, 70 → quarters 10, 15, 20, 25; a year without its
    /// Q2 report leaves Q3 unknown; a Q2 announced after Q3 leaves Q3 unknown too.
    #[test]
    fn year_to_date_becomes_single_quarter() {
        let mut fin = Financials {
            fields: vec!["netProfit".into(), "npMargin".into()],
            reports: vec![
                report("2019-12-31", "2020-04-22", vec![70.0, 0.5]),
                report("2019-03-31", "2019-04-25", vec![10.0, 0.5]),
                report("2019-06-30", "2019-08-08", vec![25.0, 0.5]),
                report("2019-09-30", "2019-10-20", vec![45.0, 0.25]),
                report("2020-03-31", "2020-04-22", vec![12.0, 0.5]),
                report("2020-09-30", "2020-10-28", vec![40.0, 0.5]),
                report("2021-06-30", "2021-10-30", vec![30.0, 0.5]),
                report("2021-09-30", "2021-10-29", vec![50.0, 0.5]),
            ],
            derived: BTreeMap::new(),
        };
        let added = derive_items(&mut fin);
        assert_eq!(added, vec!["net_profit", "revenue"]);
        let np = fin.fields.iter().position(|f| f == "net_profit").unwrap();
        let rev = fin.fields.iter().position(|f| f == "revenue").unwrap();
        let col = |k: usize| fin.reports.iter().map(|r| r.values[k]).collect::<Vec<_>>();
        let np = col(np);
        assert_eq!(&np[..5], &[10.0, 15.0, 20.0, 25.0, 12.0]);
        assert!(np[5].is_nan(), "2020Q3 without 2020Q2");
        assert!(np[7].is_nan(), "2021Q3 while 2021Q2 was not yet public");
        // Revenue YTD 20, 50, 180, 140 → 20, 30, 130, -40.
        assert_eq!(&col(rev)[..4], &[20.0, 30.0, 130.0, -40.0]);
        assert!(fin.derived["revenue"].contains("npMargin"));
        assert!(!fin.derived.contains_key("net_profit"));
    }
}
