//! Reading a daily bar file (`daily.csv[.gz]`, a baostock export, qlib's long CSV dump) into
//! [`DailyRows`], with column aliases, validation and the price-basis rule:
//! a column named `adj_factor` (or none) means the prices are raw; a column named `factor`
//! (qlib's name) means the prices are already adjusted, and raw = price / factor.

use crate::data::panel::field;
use crate::data::rows::DailyRows;
use crate::data::date::Date;
use crate::data::fast_csv::{FastCsv, fast_number};
use crate::error::{Error, Result};

/// One daily column: canonical field, accepted header names, required or not.
struct Column {
    field: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

const fn col(field: &'static str, aliases: &'static [&'static str], required: bool) -> Column {
    Column { field, aliases, required }
}

/// The daily columns alphasweep reads (docs/DATA.md lists them with units).
const COLUMNS: [Column; 15] = [
    col(field::OPEN, &["open"], true),
    col(field::HIGH, &["high"], true),
    col(field::LOW, &["low"], true),
    col(field::CLOSE, &["close"], true),
    col(field::VOLUME, &["volume", "vol"], true),
    col(field::AMOUNT, &["amount"], false),
    col(field::ADJ_FACTOR, &["adj_factor"], false),
    col(field::TURNOVER, &["turnover", "turn", "turnover_rate"], false),
    col(field::TOTAL_SHARES, &["total_shares"], false),
    col(field::FLOAT_SHARES, &["float_shares"], false),
    col(field::PE_TTM, &["pe_ttm", "peTTM"], false),
    col(field::PB_MRQ, &["pb_mrq", "pbMRQ"], false),
    col(field::PS_TTM, &["ps_ttm", "psTTM"], false),
    col(field::PCF_TTM, &["pcf_ttm", "pcfNcfTTM"], false),
    col(field::IS_ST, &["is_st", "isST"], false),
];
const CODE_ALIASES: [&str; 6] = ["code", "instrument", "symbol", "ts_code", "stock", "ticker"];
const PCT_ALIASES: [&str; 3] = ["pct_change", "change", "pctChg"];
/// Columns understood but not stored.
const KNOWN_IGNORED: [&str; 3] = ["time", "preclose", "adjustflag"];

/// What a daily file held beside its rows.
#[derive(Debug, Default)]
pub struct DailyInfo {
    /// Prices were adjusted (qlib `factor` column) and converted to raw.
    pub adjusted_input: bool,
    /// Header names that were not used.
    pub ignored: Vec<String>,
    /// Rows with `tradestatus = 0` (volume forced to 0).
    pub suspended_rows: usize,
}

/// Reads all rows of one daily file into `rows` (created on first use with the file's fields).
pub fn read_daily(mut t: FastCsv, rows: &mut Option<DailyRows>) -> Result<DailyInfo> {
    let require = |t: &FastCsv, names: &[&str]| {
        t.column(names).ok_or_else(|| Error::MissingColumn {
            file: t.file.clone(),
            column: names[0].to_string(),
            found: t.headers.join(", "),
        })
    };
    let date_col = require(&t, &["date", "trade_date", "datetime"])?;
    let code_col = require(&t, &CODE_ALIASES)?;
    let mut cols: Vec<(usize, &'static str)> = Vec::new();
    for c in &COLUMNS {
        match t.column(c.aliases) {
            Some(i) => cols.push((i, c.field)),
            None if c.required => {
                require(&t, c.aliases)?;
            }
            None => {}
        }
    }
    let mut info = DailyInfo::default();
    // qlib's `factor`: prices adjusted; store it as adj_factor and divide it out.
    let qlib_factor = if t.column(&["adj_factor"]).is_none() { t.column(&["factor"]) } else { None };
    if let Some(i) = qlib_factor {
        cols.push((i, field::ADJ_FACTOR));
        info.adjusted_input = true;
    }
    if let Some(i) = t.column(&PCT_ALIASES) {
        cols.push((i, field::PCT_CHANGE));
    }
    let status_col = t.column(&["tradestatus"]);
    let adjflag_col = t.column(&["adjustflag"]);
    let used: Vec<usize> = cols.iter().map(|c| c.0).chain([date_col, code_col]).chain(status_col).collect();
    info.ignored = t
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !KNOWN_IGNORED.iter().any(|k| k.eq_ignore_ascii_case(h)))
        .map(|(_, h)| h.clone())
        .collect();

    let names: Vec<String> = cols.iter().map(|c| c.1.to_string()).collect();
    let rows = rows.get_or_insert_with(|| DailyRows::new(names.clone()));
    if rows.fields != names {
        return Err(Error::format(&t.file, format!("columns differ from the first file's ({})", rows.fields.join(", "))));
    }
    let pos = |f: &str| cols.iter().position(|c| c.1 == f).expect("required column");
    let (open, high, low, close, volume) = (pos(field::OPEN), pos(field::HIGH), pos(field::LOW), pos(field::CLOSE), pos(field::VOLUME));
    let adj = qlib_factor.map(|_| pos(field::ADJ_FACTOR));

    let file = t.file.clone();
    let headers = t.headers.clone();
    let bad = |line: u64, col: usize, reason: String| Error::BadValue {
        file: file.clone(),
        line,
        column: headers.get(col).cloned().unwrap_or_default(),
        reason,
    };
    let mut vals = vec![0.0; cols.len()];
    let n = t.for_each(|rec, line| {
        let date = Date::parse_bytes(rec[date_col].trim_ascii()).ok_or_else(|| {
            bad(line, date_col, format!("`{}` is not a date (expected YYYY-MM-DD)", String::from_utf8_lossy(rec[date_col])))
        })?;
        let id = rows
            .code_id(rec[code_col].trim_ascii())
            .ok_or_else(|| bad(line, code_col, format!("`{}` is not a stock code", String::from_utf8_lossy(rec[code_col]))))?;
        for (v, (i, _)) in vals.iter_mut().zip(&cols) {
            *v = fast_number(rec[*i])
                .ok_or_else(|| bad(line, *i, format!("`{}` is not a number", String::from_utf8_lossy(rec[*i]))))?;
        }
        for &p in &[open, high, low, close, volume] {
            if vals[p] < 0.0 {
                return Err(bad(line, cols[p].0, format!("negative value {}", vals[p])));
            }
        }
        if vals[high] < vals[low] {
            return Err(bad(line, cols[high].0, format!("high {} is below low {}", vals[high], vals[low])));
        }
        if let Some(c) = adjflag_col {
            let flag = rec[c].trim_ascii();
            if !flag.is_empty() && flag != b"3" {
                let flag = String::from_utf8_lossy(flag);
                return Err(bad(line, c, format!("adjustflag {flag}: prices are adjusted; export unadjusted bars (adjustflag=3)")));
            }
        }
        if let Some(c) = status_col {
            if fast_number(rec[c]) == Some(0.0) {
                vals[volume] = 0.0;
                info.suspended_rows += 1;
            }
        }
        if let Some(a) = adj {
            let k = vals[a];
            for &p in &[open, high, low, close] {
                vals[p] = if k > 0.0 { vals[p] / k } else { f64::NAN };
            }
        }
        rows.push(id, date, &vals, &file, line)
    })?;
    if n == 0 {
        return Err(Error::Empty { file: t.file.clone() });
    }
    Ok(info)
}
