//! qlib's point-in-time financial layout, as its PIT collector writes it: one CSV per stock
//! (`sh600519.csv`), rows `date, period, value, field, symbol` where `date` is the
//! announcement date and `period` is `YYYYQQ` (`201904` = fiscal 2019, fourth quarter).
//!
//! Several rows for one (symbol, period, field) are revisions: the first announced value is
//! kept (a later revision would need a value history per report) and the revisions are
//! counted. A report's announcement date is the latest first-announcement among its fields.

use csv::ByteRecord;
use rayon::prelude::*;

use crate::data::Date;
use crate::data::accounts::{Gather, is_known_field};
use crate::data::code;
use crate::data::panel::Financials;
use crate::data::source::Source;
use crate::data::table::Table;
use crate::error::{Error, Result};

/// What reading the files found beside the reports.
#[derive(Debug, Default)]
pub struct PitInfo {
    pub files: usize,
    /// Later values of a (symbol, period, field) that were not used.
    pub revisions: usize,
    /// Field names that are not baostock quarterly fields (kept under their own names).
    pub unknown_fields: Vec<String>,
}

/// One parsed row: (code, period end, announce, field, value).
type Row = (String, Date, Date, String, f64);

/// The per-stock CSV files of the layout at the source's root (or in `data/`).
fn pit_files(src: &Source) -> Result<(String, Vec<String>)> {
    for dir in ["", "data"] {
        if dir == "data" && !src.list("", true)?.iter().any(|d| d == "data") {
            continue;
        }
        let files: Vec<String> = src
            .list(dir, false)?
            .into_iter()
            .filter(|f| f.ends_with(".csv") || f.ends_with(".csv.gz"))
            .map(|f| if dir.is_empty() { f } else { format!("{dir}/{f}") })
            .collect();
        if !files.is_empty() {
            return Ok((dir.to_string(), files));
        }
    }
    Err(Error::format(src.root().display(), "no point-in-time CSV files (date, period, value, field, symbol)"))
}

/// Reads every file of the layout.
pub fn read_pit(src: &Source) -> Result<(Financials, PitInfo)> {
    let (_, files) = pit_files(src)?;
    let parsed: Vec<Vec<Row>> =
        files.par_iter().map(|f| read_file(Table::new(src.display(f), src.stream(f)?)?)).collect::<Result<_>>()?;
    let mut g = Gather::default();
    let mut info = PitInfo { files: files.len(), ..PitInfo::default() };
    // Rows in announcement order: the first value of a (code, period, field) wins.
    let mut rows: Vec<Row> = parsed.into_iter().flatten().collect();
    rows.sort_by(|a, b| (&a.0, a.1, &a.3, a.2).cmp(&(&b.0, b.1, &b.3, b.2)));
    let mut last: Option<(String, Date, String)> = None;
    for (code, period, announce, field, v) in rows {
        let key = (code, period, field);
        if last.as_ref() == Some(&key) {
            info.revisions += 1;
            continue;
        }
        if !is_known_field(&key.2) && !info.unknown_fields.contains(&key.2) {
            info.unknown_fields.push(key.2.clone());
        }
        let k = g.field(&key.2);
        let _ = g.put(&key.0, key.1, announce, k, v);
        last = Some(key);
    }
    Ok((g.finish(&src.root().display().to_string())?, info))
}

/// Parses one file's rows, checking each.
fn read_file<R: std::io::Read>(mut t: Table<R>) -> Result<Vec<Row>> {
    let date_col = t.require(&["date"])?;
    let period_col = t.require(&["period"])?;
    let value_col = t.require(&["value"])?;
    let field_col = t.require(&["field"])?;
    let symbol_col = t.require(&["symbol"])?;
    let mut out = Vec::new();
    let mut rec = ByteRecord::new();
    while t.next(&mut rec)? {
        let code = code::normalize(t.text(&rec, symbol_col)?).ok_or_else(|| t.bad(&rec, symbol_col, "not a stock code"))?;
        let announce = t.date(&rec, date_col)?;
        let text = t.text(&rec, period_col)?;
        let period = parse_period(text)
            .ok_or_else(|| t.bad(&rec, period_col, format!("`{text}` is not a quarter (YYYYQQ with QQ 01..04, e.g. 201904)")))?;
        if announce < period {
            return Err(t.bad(&rec, date_col, format!("announced {announce}, before its period ends ({period})")));
        }
        let field = t.text(&rec, field_col)?;
        if field.is_empty() {
            return Err(t.bad(&rec, field_col, "empty field name"));
        }
        out.push((code, period, announce, field.to_string(), t.number(&rec, value_col)?));
    }
    if out.is_empty() {
        return Err(Error::Empty { file: t.file.clone() });
    }
    Ok(out)
}

/// `YYYYQQ` → the quarter's last day.
fn parse_period(s: &str) -> Option<Date> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    let end = match &s[4..] {
        "01" => "03-31",
        "02" => "06-30",
        "03" => "09-30",
        "04" => "12-31",
        _ => return None,
    };
    format!("{year:04}-{end}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_quarters() {
        assert_eq!(parse_period("201904").unwrap().to_string(), "2019-12-31");
        assert_eq!(parse_period("201401").unwrap().to_string(), "2014-03-31");
        for bad in ["201905", "2019Q4", "20194", "201900"] {
            assert!(parse_period(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn bad_periods_name_file_line_and_column() {
        let text = "date,period,value,field,symbol\n2020-04-22,201904,0.22,liabilityToAsset,sh600519\n\
                    2020-04-22,201905,0.22,liabilityToAsset,sh600519\n";
        let e = read_file(Table::new("sh600519.csv", text.as_bytes()).unwrap()).unwrap_err().to_string();
        assert!(e.starts_with("sh600519.csv:3: column `period`: `201905` is not a quarter"), "{e}");
    }
}
