//! Reading a long factor table (`date, code, <factors…>`, as `alphasweep factors` writes it,
//! or a user's own features, `[factors] table`) onto a panel's dates and stocks.

use std::path::Path;

use crate::data::code;
use crate::data::fast_csv::{FastCsv, fast_number};
use crate::data::source::Source;
use crate::data::{Date, Matrix, Panel};
use crate::error::{Error, Result};

/// Factor columns read from a table, on the panel's axes.
pub struct FactorColumns {
    pub names: Vec<String>,
    pub values: Vec<Matrix>,
    /// The table carries the `LOOK_AHEAD` marker (paper back-fill).
    pub look_ahead: bool,
    /// Rows whose date or code the panel does not have.
    pub skipped_rows: usize,
}

/// Reads the factor columns of `path`. `raw` selects the `<code>_raw` columns instead of
/// the cleaned ones.
pub fn read_factor_table(path: &Path, panel: &Panel, raw: bool) -> Result<FactorColumns> {
    let mut cols = read_columns(path, panel, raw)?;
    cols.values.iter_mut().for_each(|m| pad(m, panel.n_dates()));
    Ok(cols)
}

/// [`read_factor_table`] that also drops the panel's days from `days_after` days after the
/// table's last date on (a table of the training period on a market of many more years:
/// its matrices and the panel's then hold only the days a stage reads).
pub fn read_factor_table_until(path: &Path, panel: &mut Panel, raw: bool, days_after: usize) -> Result<FactorColumns> {
    let mut cols = read_columns(path, panel, raw)?;
    let table_days = cols.values.iter().map(|m| m.n_dates).max().unwrap_or(0);
    if table_days > 0 {
        panel.truncate_dates(table_days + days_after);
    }
    cols.values.iter_mut().for_each(|m| pad(m, panel.n_dates()));
    Ok(cols)
}

/// `m` grown (or cut) to `n_dates` days, the new ones `NaN`.
fn pad(m: &mut Matrix, n_dates: usize) {
    m.data.resize(n_dates * m.n_stocks, f64::NAN);
    m.n_dates = n_dates;
}

/// The columns up to the table's last date: each matrix is as long as the days it has
/// values for (reserved whole, written only that far, so later days cost no memory).
fn read_columns(path: &Path, panel: &Panel, raw: bool) -> Result<FactorColumns> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| Error::format(path.display(), "not a file name"))?;
    let src = Source::Dir(dir.to_path_buf());
    let mut t = FastCsv::open(src.display(name), src.stream(name)?)?;
    let file = t.file.clone();
    let date_col = t.column(&["date"]).ok_or_else(|| Error::MissingColumn {
        file: file.clone(),
        column: "date".into(),
        found: t.headers.join(", "),
    })?;
    let code_col = t.column(&["code"]).ok_or_else(|| Error::MissingColumn {
        file: file.clone(),
        column: "code".into(),
        found: t.headers.join(", "),
    })?;
    let look_ahead = t.column(&["LOOK_AHEAD"]).is_some();
    let cols: Vec<(usize, String)> = t
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| *i != date_col && *i != code_col && h.as_str() != "LOOK_AHEAD" && h.ends_with("_raw") == raw)
        .map(|(i, h)| (i, h.trim_end_matches("_raw").to_string()))
        .collect();
    if cols.is_empty() {
        return Err(Error::format(&file, format!("no {} factor columns", if raw { "`*_raw`" } else { "cleaned" })));
    }
    let (nd, ns) = (panel.n_dates(), panel.n_stocks());
    let mut values: Vec<Matrix> =
        cols.iter().map(|_| Matrix { n_dates: 0, n_stocks: ns, data: Vec::with_capacity(nd * ns) }).collect();
    let headers = t.headers.clone();
    let mut skipped = 0usize;
    let mut last_code: (Vec<u8>, Option<usize>) = (Vec::new(), None);
    t.for_each(|rec, line| {
        let bad = |col: usize, reason: String| Error::BadValue { file: file.clone(), line, column: headers[col].clone(), reason };
        let date = Date::parse_bytes(rec[date_col].trim_ascii())
            .ok_or_else(|| bad(date_col, format!("`{}` is not a date", String::from_utf8_lossy(rec[date_col]))))?;
        if last_code.0 != rec[code_col] {
            let text = std::str::from_utf8(rec[code_col]).unwrap_or("");
            let canon = code::normalize(text).ok_or_else(|| bad(code_col, format!("`{text}` is not a stock code")))?;
            last_code = (rec[code_col].to_vec(), panel.stock_index(&canon));
        }
        let (Some(d), Some(s)) = (panel.date_index(date), last_code.1) else {
            skipped += 1;
            return Ok(());
        };
        for ((i, _), m) in cols.iter().zip(values.iter_mut()) {
            let v =
                fast_number(rec[*i]).ok_or_else(|| bad(*i, format!("`{}` is not a number", String::from_utf8_lossy(rec[*i]))))?;
            if m.n_dates <= d {
                pad(m, d + 1);
            }
            m.set(d, s, v);
        }
        Ok(())
    })?;
    Ok(FactorColumns { names: cols.into_iter().map(|c| c.1).collect(), values, look_ahead, skipped_rows: skipped })
}
