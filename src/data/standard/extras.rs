//! The standard format's optional files: index bars, membership spells, industries and
//! quarterly financials.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use csv::ByteRecord;

use crate::data::bar_rules::{Bar, FIELDS};
use crate::data::code;
use crate::data::date::Date;
use crate::data::panel::{Financials, IndexSeries, Panel, Report, Spell};
use crate::data::table::Table;
use crate::error::{Error, Result};

/// Index bars keyed by code, before alignment to the panel's calendar.
pub struct IndexRows {
    /// code → field → (date, value) rows.
    series: BTreeMap<String, BTreeMap<String, Vec<(Date, f64)>>>,
}

impl IndexRows {
    pub fn dates(&self) -> Vec<Date> {
        self.series.values().flat_map(|f| f.values().flat_map(|v| v.iter().map(|x| x.0))).collect()
    }

    /// Aligns every series to the panel's dates.
    pub fn attach(self, panel: &mut Panel) {
        for (code, fields) in self.series {
            let mut s = IndexSeries::default();
            for (name, rows) in fields {
                let mut v = vec![f64::NAN; panel.n_dates()];
                for (d, x) in rows {
                    if let Some(i) = panel.date_index(d) {
                        v[i] = x;
                    }
                }
                s.fields.insert(name, v);
            }
            panel.indices.insert(code, s);
        }
    }
}

/// `index.csv`: `date, [code], open, high, low, close, volume` (only `date` and `close`
/// required; without `code` the index is `SH000300`).
pub fn read_index<R: Read>(mut t: Table<R>) -> Result<IndexRows> {
    let date_col = t.require(&["date", "trade_date"])?;
    let close_col = t.require(&["close"])?;
    let code_col = t.column(&["code", "instrument", "ts_code", "symbol"]);
    // Column of each bar field (FIELDS order), close read first as before.
    let cols: [Option<usize>; 5] = FIELDS.map(|f| if f == "close" { Some(close_col) } else { t.column(&[f]) });
    let mut series: BTreeMap<String, BTreeMap<String, Vec<(Date, f64)>>> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut rec = ByteRecord::new();
    while t.next(&mut rec)? {
        let date = t.date(&rec, date_col)?;
        let code = match code_col {
            Some(c) => code::normalize(t.text(&rec, c)?).ok_or_else(|| t.bad(&rec, c, "not an index code"))?,
            None => "SH000300".to_string(),
        };
        if !seen.insert((code.clone(), date)) {
            return Err(t.bad_row(&rec, format!("duplicate row for ({date}, {code})")));
        }
        let entry = series.entry(code).or_default();
        let mut vals = [f64::NAN; 5];
        for slot in [3, 0, 1, 2, 4] {
            if let Some(c) = cols[slot] {
                vals[slot] = t.number(&rec, c)?;
                entry.entry(FIELDS[slot].into()).or_default().push((date, vals[slot]));
            }
        }
        if let Err(v) = Bar::from(vals).check() {
            return Err(t.bad(&rec, cols[v.slot].unwrap_or(close_col), v.reason));
        }
    }
    if seen.is_empty() {
        return Err(Error::Empty { file: t.file.clone() });
    }
    Ok(IndexRows { series })
}

/// `universe.csv`: membership spells `code, start_date, end_date` (inclusive).
pub fn read_universe<R: Read>(mut t: Table<R>) -> Result<Vec<Spell>> {
    let code_col = t.require(&["code", "instrument", "ts_code"])?;
    let start_col = t.require(&["start_date", "start", "in_date"])?;
    let end_col = t.require(&["end_date", "end", "out_date"])?;
    let mut out = Vec::new();
    let mut rec = ByteRecord::new();
    while t.next(&mut rec)? {
        let code = code::normalize(t.text(&rec, code_col)?).ok_or_else(|| t.bad(&rec, code_col, "not a stock code"))?;
        let start = t.date(&rec, start_col)?;
        let end = t.date(&rec, end_col)?;
        if end < start {
            return Err(t.bad(&rec, end_col, format!("end {end} is before start {start}")));
        }
        out.push(Spell { code, start, end });
    }
    if out.is_empty() {
        return Err(Error::Empty { file: t.file.clone() });
    }
    out.sort();
    Ok(out)
}

/// `industry.csv`: `code, industry` (a snapshot; one label per code).
pub fn read_industry<R: Read>(mut t: Table<R>) -> Result<BTreeMap<String, String>> {
    let code_col = t.require(&["code", "instrument", "ts_code", "SecurityID"])?;
    let ind_col = t.require(&["industry", "ZXF", "industry_code"])?;
    let mut out = BTreeMap::new();
    let mut rec = ByteRecord::new();
    while t.next(&mut rec)? {
        let code = code::normalize(t.text(&rec, code_col)?).ok_or_else(|| t.bad(&rec, code_col, "not a stock code"))?;
        let label = t.text(&rec, ind_col)?;
        if label.is_empty() || label == "--" {
            continue;
        }
        if let Some(prev) = out.insert(code.clone(), label.to_string())
            && prev != label
        {
            return Err(t.bad(&rec, ind_col, format!("{code} already has industry `{prev}`")));
        }
    }
    Ok(out)
}

/// `financials.csv`: `code, period_end, announce_date`, then one numeric column per item.
pub fn read_financials<R: Read>(mut t: Table<R>) -> Result<Financials> {
    let code_col = t.require(&["code", "ts_code", "instrument"])?;
    let period_col = t.require(&["period_end", "end_date", "report_date"])?;
    let ann_col = t.require(&["announce_date", "ann_date", "pub_date"])?;
    let value_cols: Vec<usize> = (0..t.headers.len()).filter(|i| ![code_col, period_col, ann_col].contains(i)).collect();
    let fields: Vec<String> = value_cols.iter().map(|&i| t.headers[i].to_ascii_lowercase()).collect();
    let mut reports = Vec::new();
    let mut seen = HashSet::new();
    let mut rec = ByteRecord::new();
    while t.next(&mut rec)? {
        let code = code::normalize(t.text(&rec, code_col)?).ok_or_else(|| t.bad(&rec, code_col, "not a stock code"))?;
        let period_end = t.date(&rec, period_col)?;
        let announce = t.date(&rec, ann_col)?;
        if announce < period_end {
            return Err(t.bad(&rec, ann_col, format!("announced {announce}, before the period ends ({period_end})")));
        }
        if !seen.insert((code.clone(), period_end)) {
            return Err(t.bad_row(&rec, format!("duplicate report for ({code}, {period_end})")));
        }
        let values = value_cols.iter().map(|&c| t.number(&rec, c)).collect::<Result<Vec<_>>>()?;
        reports.push(Report { code, period_end, announce, values });
    }
    if reports.is_empty() {
        return Err(Error::Empty { file: t.file.clone() });
    }
    Ok(Financials { fields, reports, ..Financials::default() })
}
