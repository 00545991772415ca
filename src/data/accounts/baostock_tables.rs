//! baostock's quarterly tables as CSV files (`profit_data.csv[.gz]`, `growth_data…`,
//! `balance_data…`, `cash_flow_data…`, `operation_data…`, `dupont_data…`), or any one such
//! file: columns `code, pubDate, statDate`, then numeric fields read by name. Tables are
//! joined on (code, statDate); `pubDate` is kept as the announcement date.

use csv::ByteRecord;

use crate::data::accounts::{BAOSTOCK_FIELDS, Gather, is_known_field, is_quarter_end};
use crate::data::code;
use crate::data::panel::Financials;
use crate::data::source::Source;
use crate::data::table::Table;
use crate::error::{Error, Result};

/// What reading the tables found beside the reports.
#[derive(Debug, Default)]
pub struct TablesInfo {
    pub files: Vec<String>,
    /// Identical repeated rows dropped.
    pub repeated_rows: usize,
    /// Columns that are not baostock quarterly fields (kept, under their own names).
    pub unknown_fields: Vec<String>,
}

/// The table files at the root of `src` (`<table>_data.csv[.gz]`, in baostock's order).
pub fn table_files(src: &Source) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for (t, _) in BAOSTOCK_FIELDS {
        files.extend(src.find_csv(&format!("{t}_data"))?);
    }
    Ok(files)
}

/// True if the source holds at least one baostock quarterly table.
pub fn detect(src: &Source) -> bool {
    !matches!(table_files(src).as_deref(), Ok([]))
}

/// Reads `files` (all tables found when `None`) and joins them.
pub fn read_tables(src: &Source, files: Option<Vec<String>>) -> Result<(Financials, TablesInfo)> {
    let files = match files {
        Some(f) => f,
        None => table_files(src)?,
    };
    if files.is_empty() {
        return Err(Error::format(
            src.root().display(),
            "no baostock quarterly tables (profit_data.csv, growth_data.csv, balance_data.csv, \
             cash_flow_data.csv, operation_data.csv or dupont_data.csv, plain or .gz)",
        ));
    }
    let mut g = Gather::default();
    let mut info = TablesInfo::default();
    for f in &files {
        read_table(Table::new(src.display(f), src.stream(f)?)?, &mut g, &mut info)?;
        info.files.push(src.display(f));
    }
    Ok((g.finish(&src.root().display().to_string())?, info))
}

/// Adds one table's rows to `g`.
fn read_table<R: std::io::Read>(mut t: Table<R>, g: &mut Gather, info: &mut TablesInfo) -> Result<()> {
    let code_col = t.require(&["code"])?;
    let pub_col = t.require(&["pubDate", "announce_date"])?;
    let stat_col = t.require(&["statDate", "period_end"])?;
    let value_cols: Vec<(usize, usize)> = (0..t.headers.len())
        .filter(|i| ![code_col, pub_col, stat_col].contains(i))
        .map(|i| (i, g.field(&t.headers[i])))
        .collect();
    for &(i, _) in &value_cols {
        let h = &t.headers[i];
        if !is_known_field(h) && !info.unknown_fields.contains(h) {
            info.unknown_fields.push(h.clone());
        }
    }
    let mut rec = ByteRecord::new();
    let mut rows = 0;
    let mut seen: std::collections::HashMap<(String, crate::data::Date), u64> = Default::default();
    while t.next(&mut rec)? {
        rows += 1;
        let code = code::normalize(t.text(&rec, code_col)?).ok_or_else(|| t.bad(&rec, code_col, "not a stock code"))?;
        let announce = t.date(&rec, pub_col)?;
        let period = t.date(&rec, stat_col)?;
        if !is_quarter_end(period) {
            return Err(t.bad(&rec, stat_col, format!("{period} is not a quarter end (Mar 31, Jun 30, Sep 30, Dec 31)")));
        }
        if announce < period {
            return Err(t.bad(&rec, pub_col, format!("announced {announce}, before its period ends ({period})")));
        }
        let line = Table::<R>::line(&rec);
        let first = *seen.entry((code.clone(), period)).or_insert(line);
        if first != line {
            info.repeated_rows += 1;
        }
        for &(c, k) in &value_cols {
            let v = t.number(&rec, c)?;
            if let Err(old) = g.put(&code, period, announce, k, v) {
                return Err(t.bad(
                    &rec,
                    c,
                    format!("{code} {period} already has {old} (line {first}); this row says {v}: two different reports"),
                ));
            }
        }
    }
    if rows == 0 {
        return Err(Error::Empty { file: t.file.clone() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::accounts::Gather;

    fn read(text: &str) -> Result<(Financials, TablesInfo)> {
        let mut g = Gather::default();
        let mut info = TablesInfo::default();
        read_table(Table::new("profit_data.csv", text.as_bytes())?, &mut g, &mut info)?;
        Ok((g.finish("t")?, info))
    }

    const HEAD: &str = "code,pubDate,statDate,netProfit,npMargin\n";

    #[test]
    fn rows_keep_their_announcement() {
        let (f, info) = read(&format!("{HEAD}sh.600519,2020-04-22,2019-12-31,43970000000,0.5\n")).unwrap();
        assert_eq!(f.reports[0].code, "SH600519");
        assert_eq!(f.reports[0].announce.to_string(), "2020-04-22");
        assert_eq!(f.reports[0].values, vec![43970000000.0, 0.5]);
        assert!(info.unknown_fields.is_empty());
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let e = read(&format!("{HEAD}sh.600519,2019-12-30,2019-12-31,1,0.5\n")).unwrap_err().to_string();
        assert!(e.starts_with("profit_data.csv:2: column `pubDate`: announced 2019-12-30, before"), "{e}");
        let e = read(&format!("{HEAD}sh.600519,2020-04-22,2019-11-30,1,0.5\n")).unwrap_err().to_string();
        assert!(e.contains(":2: column `statDate`: 2019-11-30 is not a quarter end"), "{e}");
        let two = format!("{HEAD}sh.600519,2020-04-22,2019-12-31,1,0.5\nsh.600519,2020-04-22,2019-12-31,2,0.5\n");
        let e = read(&two).unwrap_err().to_string();
        assert!(e.contains(":3: column `netProfit`: SH600519 2019-12-31 already has 1 (line 2)"), "{e}");
    }

    #[test]
    fn identical_repeats_are_dropped_and_counted() {
        let row = "sh.600519,2020-04-22,2019-12-31,1,0.5\n";
        let (f, info) = read(&format!("{HEAD}{row}{row}")).unwrap();
        assert_eq!((f.reports.len(), info.repeated_rows), (1, 1));
    }
}
