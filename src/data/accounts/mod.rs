//! Company accounts as researchers export them: baostock's quarterly tables
//! (`query_profit_data`, `query_growth_data`, `query_balance_data`, `query_cash_flow_data`,
//! `query_operation_data`, `query_dupont_data`) and qlib's point-in-time layout
//! (`date, period, value, field, symbol`). Both load into [`Financials`] keyed by
//! (code, fiscal period) with the **announcement date**, values as published (baostock's
//! field names; flows and ratios year-to-date). [`derive::derive_items`] then adds the
//! single-quarter and TTM-ready items the factor library reads (`net_profit`, `revenue`, …).
//!
//! Every source is checked row by row: an announcement before its period end, a period that
//! is not a quarter, or two different rows for one (code, period) is an error naming the
//! file and line; identical repeated rows are dropped with a warning.

pub mod baostock_tables;
pub mod derive;
pub mod qlib_pit;

use std::collections::BTreeMap;

use crate::data::Date;
use crate::data::panel::{Financials, Report};
use crate::error::{Error, Result};

/// baostock's documented quarterly fields, by table (ratios are decimals).
pub const BAOSTOCK_FIELDS: [(&str, &[&str]); 6] = [
    ("profit", &["roeAvg", "npMargin", "gpMargin", "netProfit", "epsTTM", "MBRevenue", "totalShare", "liqaShare"]),
    ("growth", &["YOYEquity", "YOYAsset", "YOYNI", "YOYEPSBasic", "YOYPNI"]),
    ("balance", &["currentRatio", "quickRatio", "cashRatio", "YOYLiability", "liabilityToAsset", "assetToEquity"]),
    ("cash_flow", &["CAToAsset", "NCAToAsset", "tangibleAssetToAsset", "ebitToInterest", "CFOToOR", "CFOToNP", "CFOToGr"]),
    ("operation", &["NRTurnRatio", "NRTurnDays", "INVTurnRatio", "INVTurnDays", "CATurnRatio", "AssetTurnRatio"]),
    (
        "dupont",
        &[
            "dupontROE",
            "dupontAssetStoEquity",
            "dupontAssetTurn",
            "dupontPnitoni",
            "dupontNitogr",
            "dupontTaxBurden",
            "dupontIntburden",
            "dupontEbittogr",
        ],
    ),
];

/// True if `name` is one of baostock's documented quarterly fields.
pub fn is_known_field(name: &str) -> bool {
    BAOSTOCK_FIELDS.iter().any(|(_, fs)| fs.contains(&name))
}

/// True if `d` is the last day of a calendar quarter.
pub fn is_quarter_end(d: Date) -> bool {
    let (_, m, day) = d.ymd();
    matches!((m, day), (3, 31) | (6, 30) | (9, 30) | (12, 31))
}

/// Reports being gathered from several tables or files: (code, period) → (announce, values
/// by field). Joining two rows of one key keeps the later announcement date (the report is
/// complete only once its last part is public).
#[derive(Default)]
pub struct Gather {
    fields: Vec<String>,
    rows: BTreeMap<(String, Date), (Date, BTreeMap<usize, f64>)>,
    /// Keys whose parts were announced on different dates.
    pub announce_conflicts: usize,
}

impl Gather {
    /// The column index of `field`, added on first use.
    pub fn field(&mut self, name: &str) -> usize {
        match self.fields.iter().position(|f| f == name) {
            Some(i) => i,
            None => {
                self.fields.push(name.to_string());
                self.fields.len() - 1
            }
        }
    }

    /// Adds one value; `Err(previous)` if the key already holds a different finite value
    /// for this field.
    pub fn put(&mut self, code: &str, period: Date, announce: Date, field: usize, v: f64) -> Result<(), f64> {
        let e = self.rows.entry((code.to_string(), period)).or_insert_with(|| (announce, BTreeMap::new()));
        if e.0 != announce {
            self.announce_conflicts += 1;
            e.0 = e.0.max(announce);
        }
        match e.1.get(&field).copied() {
            Some(old) if old.is_finite() && v.is_finite() && old != v => Err(old),
            Some(old) if !old.is_nan() => Ok(()),
            _ => {
                e.1.insert(field, v);
                Ok(())
            }
        }
    }

    /// The gathered reports; an error naming `what` if there are none.
    pub fn finish(self, what: &str) -> Result<Financials> {
        if self.rows.is_empty() {
            return Err(Error::Empty { file: what.to_string() });
        }
        let n = self.fields.len();
        let reports = self
            .rows
            .into_iter()
            .map(|((code, period_end), (announce, vals))| {
                let mut values = vec![f64::NAN; n];
                for (k, v) in vals {
                    values[k] = v;
                }
                Report { code, period_end, announce, values }
            })
            .collect();
        Ok(Financials { fields: self.fields, reports, derived: BTreeMap::new() })
    }
}

/// Joins the accounts of several sources on (code, period): fields are united; a report's
/// announcement is the later of the two; a field both give keeps the first source's value.
pub fn join(a: Financials, b: Financials) -> Financials {
    let mut g = Gather::default();
    for f in [&a, &b] {
        for r in &f.reports {
            for (k, v) in r.values.iter().enumerate() {
                let col = g.field(&f.fields[k]);
                let _ = g.put(&r.code, r.period_end, r.announce, col, *v);
            }
        }
    }
    let mut derived = a.derived;
    derived.extend(b.derived);
    let mut out = g.finish("accounts").unwrap_or_default();
    out.derived = derived;
    out
}
