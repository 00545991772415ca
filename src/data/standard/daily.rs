//! Reading a daily bar file (`daily.csv[.gz]`, a baostock export, qlib's long CSV dump) into
//! [`DailyRows`], with column aliases, validation and the price-basis rule:
//! a column named `adj_factor` (or none) means the prices are raw; a column named `factor`
//! (qlib's name) means the prices are already adjusted, and raw = price / factor.

use crate::data::bar_rules::Bar;
use crate::data::date::Date;
use crate::data::fast_csv::{FastCsv, fast_number};
use crate::data::panel::field;
use crate::data::rows::{DailyRows, RowBatch};
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
    /// baostock `adjustflag` values seen, as a bit set (`1 << flag`; 1 back-adjusted,
    /// 2 forward-adjusted, 3 raw); 0 without the column.
    pub adjust_flags: u8,
}

/// A daily file parsed into row batches, not yet normalized and merged.
pub struct ParsedDaily {
    pub file: String,
    pub fields: Vec<String>,
    pub code_column: String,
    pub info: DailyInfo,
    pub batches: Vec<RowBatch>,
}

impl ParsedDaily {
    /// Merges the batches into `rows` (created with this file's fields on first use).
    pub fn into_rows(self, rows: &mut Option<DailyRows>) -> Result<DailyInfo> {
        let rows = rows.get_or_insert_with(|| DailyRows::new(self.fields.clone()));
        if rows.fields != self.fields {
            return Err(Error::format(&self.file, format!("columns differ from the first file's ({})", rows.fields.join(", "))));
        }
        let n: usize = self.batches.iter().map(|b| b.dates.len()).sum();
        if n == 0 {
            return Err(Error::Empty { file: self.file });
        }
        for b in self.batches {
            rows.extend(b, &self.file, &self.code_column)?;
        }
        Ok(self.info)
    }
}

/// Column positions of one daily file, resolved from its header.
struct Layout {
    date_col: usize,
    code_col: usize,
    /// (column index, field) for every stored value, in value order.
    cols: Vec<(usize, &'static str)>,
    /// Positions in `cols` of the price and volume fields, and of qlib's factor.
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: usize,
    qlib_factor: Option<usize>,
    status_col: Option<usize>,
    adjflag_col: Option<usize>,
}

/// Reads all rows of one daily file into `rows` (created on first use with the file's fields).
pub fn read_daily(t: FastCsv, rows: &mut Option<DailyRows>) -> Result<DailyInfo> {
    parse_daily(t)?.into_rows(rows)
}

/// Parses one daily file, its chunks in parallel.
pub fn parse_daily(mut t: FastCsv) -> Result<ParsedDaily> {
    let (layout, mut info) = resolve(&t)?;
    let file = t.file.clone();
    let headers = t.headers.clone();
    let parsed = t.map_chunks(|chunk| {
        let mut batch = RowBatch::new(layout.cols.len(), chunk.lines as usize + 1);
        let (mut suspended, mut flags) = (0, 0u8);
        let n_cols = headers.len();
        let mut vals = vec![0.0; layout.cols.len()];
        chunk.for_each_record(&file, n_cols, |rec, line| {
            let (date, susp, flag) = parse_row(&layout, &file, &headers, rec, line, &mut vals)?;
            suspended += susp as usize;
            flags |= flag;
            batch.push(rec[layout.code_col].trim_ascii(), date, &vals, line);
            Ok(())
        })?;
        Ok((batch, suspended, flags))
    })?;
    let mut batches = Vec::with_capacity(parsed.len());
    for (b, s, f) in parsed {
        info.suspended_rows += s;
        info.adjust_flags |= f;
        batches.push(b);
    }
    Ok(ParsedDaily {
        fields: layout.cols.iter().map(|c| c.1.to_string()).collect(),
        code_column: headers[layout.code_col].clone(),
        file,
        info,
        batches,
    })
}

fn resolve(t: &FastCsv) -> Result<(Layout, DailyInfo)> {
    let require = |names: &[&str]| {
        t.column(names).ok_or_else(|| Error::MissingColumn {
            file: t.file.clone(),
            column: names[0].to_string(),
            found: t.headers.join(", "),
        })
    };
    let date_col = require(&["date", "trade_date", "datetime"])?;
    let code_col = require(&CODE_ALIASES)?;
    let mut cols: Vec<(usize, &'static str)> = Vec::new();
    for c in &COLUMNS {
        match t.column(c.aliases) {
            Some(i) => cols.push((i, c.field)),
            None if c.required => {
                require(c.aliases)?;
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
    let used: Vec<usize> = cols.iter().map(|c| c.0).chain([date_col, code_col]).chain(status_col).collect();
    info.ignored = t
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !KNOWN_IGNORED.iter().any(|k| k.eq_ignore_ascii_case(h)))
        .map(|(_, h)| h.clone())
        .collect();
    let pos = |f: &str| cols.iter().position(|c| c.1 == f).expect("required column");
    let layout = Layout {
        date_col,
        code_col,
        open: pos(field::OPEN),
        high: pos(field::HIGH),
        low: pos(field::LOW),
        close: pos(field::CLOSE),
        volume: pos(field::VOLUME),
        qlib_factor: qlib_factor.map(|_| pos(field::ADJ_FACTOR)),
        status_col,
        adjflag_col: t.column(&["adjustflag"]),
        cols,
    };
    Ok((layout, info))
}

/// Parses and validates one row into `vals` (layout order); returns the date, whether
/// tradestatus marked it suspended, and its `adjustflag` as a bit (`1 << flag`, 0 if none).
fn parse_row(l: &Layout, file: &str, headers: &[String], rec: &[&[u8]], line: u64, vals: &mut [f64]) -> Result<(Date, bool, u8)> {
    let bad = |col: usize, reason: String| Error::BadValue {
        file: file.to_string(),
        line,
        column: headers.get(col).cloned().unwrap_or_default(),
        reason,
    };
    let date = Date::parse_bytes(rec[l.date_col].trim_ascii()).ok_or_else(|| {
        bad(l.date_col, format!("`{}` is not a date (expected YYYY-MM-DD)", String::from_utf8_lossy(rec[l.date_col])))
    })?;
    for (v, &(i, _)) in vals.iter_mut().zip(&l.cols) {
        *v = fast_number(rec[i]).ok_or_else(|| bad(i, format!("`{}` is not a number", String::from_utf8_lossy(rec[i]))))?;
    }
    let slots = [l.open, l.high, l.low, l.close, l.volume];
    if let Err(v) = Bar::from(slots.map(|p| vals[p])).check() {
        return Err(bad(l.cols[slots[v.slot]].0, v.reason));
    }
    let mut flag_bit = 0;
    if let Some(c) = l.adjflag_col {
        flag_bit = match rec[c].trim_ascii() {
            b"" => 0,
            b"1" => 1 << 1,
            b"2" => 1 << 2,
            b"3" => 1 << 3,
            other => {
                let other = String::from_utf8_lossy(other);
                return Err(bad(c, format!("adjustflag `{other}`: expected 1 (back-adjusted), 2 (forward-adjusted) or 3 (raw)")));
            }
        };
    }
    let mut suspended = false;
    if let Some(c) = l.status_col
        && fast_number(rec[c]) == Some(0.0)
    {
        vals[l.volume] = 0.0;
        suspended = true;
    }
    if let Some(a) = l.qlib_factor {
        let k = vals[a];
        for &p in &[l.open, l.high, l.low, l.close] {
            vals[p] = if k > 0.0 { vals[p] / k } else { f64::NAN };
        }
    }
    Ok((date, suspended, flag_bit))
}
