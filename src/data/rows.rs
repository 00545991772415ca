//! `DailyRows`: long-format daily rows `(date, code, values…)` gathered from one or more
//! files and then scattered into a [`Panel`]'s dense `[date, stock]` matrices. Rows whose
//! code is an index (`SH000xxx`, `SZ399xxx`) become index series instead of stocks.
//! Parsed batches are kept as they come (no concatenation copy) until the scatter.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::data::code;
use crate::data::date::Date;
use crate::data::matrix::Matrix;
use crate::data::panel::{IndexSeries, Panel};
use crate::error::{Error, Result, first_few};

/// Rows with canonical code ids: `ids[r]`, `dates[r]`, `values[field][r]`.
struct Block {
    /// The file the rows came from, for messages.
    file: String,
    ids: Vec<u32>,
    dates: Vec<Date>,
    values: Vec<Vec<f64>>,
}

/// Rows of one or more daily files, with per-code date-order checks.
pub struct DailyRows {
    /// Field names, in the order of each block's `values`.
    pub fields: Vec<String>,
    /// Raw code text → id; `names[id]` is the canonical code.
    ids: HashMap<Vec<u8>, u32>,
    names: Vec<String>,
    /// Last date seen per id, with its line, for the order check.
    last: Vec<Option<(Date, u64)>>,
    blocks: Vec<Block>,
}

impl DailyRows {
    pub fn new(fields: Vec<String>) -> DailyRows {
        DailyRows { fields, ids: HashMap::new(), names: Vec::new(), last: Vec::new(), blocks: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.blocks.iter().map(|b| b.dates.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of a raw code (normalizing it on first sight); `None` if it is not a code.
    pub fn code_id(&mut self, raw: &[u8]) -> Option<u32> {
        if let Some(&id) = self.ids.get(raw) {
            return Some(id);
        }
        let canon = code::normalize(std::str::from_utf8(raw).ok()?)?;
        let id = match self.names.iter().position(|n| *n == canon) {
            Some(i) => i as u32,
            None => {
                self.names.push(canon);
                self.last.push(None);
                (self.names.len() - 1) as u32
            }
        };
        self.ids.insert(raw.to_vec(), id);
        Some(id)
    }

    /// Adds one row. Dates must rise strictly per code: a repeat is a duplicate-row error,
    /// a step back an unsorted-dates error; both name `file` and `line`.
    pub fn push(&mut self, id: u32, date: Date, values: &[f64], file: &str, line: u64) -> Result<()> {
        self.check_order(id, date, file, line)?;
        self.blocks.push(Block {
            file: file.into(),
            ids: vec![id],
            dates: vec![date],
            values: values.iter().map(|v| vec![*v]).collect(),
        });
        Ok(())
    }

    /// Appends a batch parsed from part of `file` (see [`RowBatch`]), normalizing its codes
    /// and checking date order across batches. `code_column` names the code column in errors.
    pub fn extend(&mut self, b: RowBatch, file: &str, code_column: &str) -> Result<()> {
        let mut remap = Vec::with_capacity(b.codes.len());
        for (raw, line) in &b.codes {
            remap.push(self.code_id(raw).ok_or_else(|| Error::BadValue {
                file: file.into(),
                line: *line,
                column: code_column.into(),
                reason: format!("`{}` is not a stock code", String::from_utf8_lossy(raw)),
            })?);
        }
        let mut ids = b.ids;
        for ((id, &date), &line) in ids.iter_mut().zip(&b.dates).zip(&b.lines) {
            *id = remap[*id as usize];
            self.check_order(*id, date, file, line)?;
        }
        self.blocks.push(Block { file: file.into(), ids, dates: b.dates, values: b.values });
        Ok(())
    }

    fn check_order(&mut self, id: u32, date: Date, file: &str, line: u64) -> Result<()> {
        let slot = &mut self.last[id as usize];
        if let Some((prev, prev_line)) = *slot {
            if date == prev {
                return Err(Error::BadRow {
                    file: file.into(),
                    line,
                    reason: format!("duplicate row for ({date}, {}), first at line {prev_line}", self.names[id as usize]),
                });
            }
            if date < prev {
                return Err(Error::BadRow {
                    file: file.into(),
                    line,
                    reason: format!(
                        "dates out of order for {}: {date} after {prev} (line {prev_line}); sort each code's rows by date",
                        self.names[id as usize]
                    ),
                });
            }
        }
        *slot = Some((date, line));
        Ok(())
    }

    /// Scatters the rows into a panel over the union of their dates and `extra_dates`.
    /// Stocks get dense fields; index codes become [`IndexSeries`].
    pub fn into_panel(self, extra_dates: &[Date]) -> Panel {
        // Dates: mark each day of the covered range, then number the marked days.
        let all = self.blocks.iter().flat_map(|b| b.dates.iter()).chain(extra_dates);
        let (lo, hi) = all.clone().fold((i32::MAX, i32::MIN), |(lo, hi), d| (lo.min(d.0), hi.max(d.0)));
        let span = if lo <= hi { (hi - lo + 1) as usize } else { 0 };
        let mut pos = vec![u32::MAX; span];
        for d in all {
            pos[(d.0 - lo) as usize] = 0;
        }
        let mut dates = Vec::new();
        for (i, p) in pos.iter_mut().enumerate() {
            if *p == 0 {
                *p = dates.len() as u32;
                dates.push(Date(lo + i as i32));
            }
        }

        let mut stocks: Vec<String> = self.names.iter().filter(|n| !code::is_index(n)).cloned().collect();
        stocks.sort();
        // id → stock column, or u32::MAX for an index code.
        let column: Vec<u32> = self
            .names
            .iter()
            .map(|n| if code::is_index(n) { u32::MAX } else { stocks.binary_search(n).expect("stock listed") as u32 })
            .collect();
        let (nd, ns) = (dates.len(), stocks.len());
        let row = |d: Date| pos[(d.0 - lo) as usize] as usize;

        // Stock fields, one matrix per field in parallel.
        let blocks = &self.blocks;
        let fields: BTreeMap<String, Matrix> = (0..self.fields.len())
            .into_par_iter()
            .filter(|&f| ns > 0 && blocks.iter().any(|b| b.values[f].iter().any(|v| !v.is_nan())))
            .map(|f| {
                let mut m = Matrix::nan(nd, ns);
                for b in blocks {
                    for ((&id, &d), &v) in b.ids.iter().zip(&b.dates).zip(&b.values[f]) {
                        let s = column[id as usize];
                        if s != u32::MAX {
                            m.data[row(d) * ns + s as usize] = v;
                        }
                    }
                }
                (self.fields[f].clone(), m)
            })
            .collect();
        let mut indices: BTreeMap<String, IndexSeries> = BTreeMap::new();
        for b in blocks {
            for (r, (&id, &d)) in b.ids.iter().zip(&b.dates).enumerate() {
                if column[id as usize] == u32::MAX {
                    let series = indices.entry(self.names[id as usize].clone()).or_default();
                    for (name, col) in self.fields.iter().zip(&b.values) {
                        series.fields.entry(name.clone()).or_insert_with(|| vec![f64::NAN; nd])[row(d)] = col[r];
                    }
                }
            }
        }
        let warnings = self.stray_dates(&dates, &column, row).into_iter().collect();
        Panel { dates, stocks, fields, indices, warnings, ..Panel::default() }
    }

    /// A warning for dates that (almost) no stock has: the calendar is the union of the
    /// rows' dates, so one stray row (a weekend date, a typo) adds a trading day on which
    /// every other stock is missing, and rolling factors over it go blank. Reported: weekend
    /// dates, and dates with stock rows from under 5% of the median date's stocks (when the
    /// median date has at least 20).
    fn stray_dates(&self, dates: &[Date], column: &[u32], row: impl Fn(Date) -> usize) -> Option<String> {
        let mut count = vec![0usize; dates.len()];
        // One example row per date: (code id, file).
        let mut example: Vec<Option<(u32, &str)>> = vec![None; dates.len()];
        for b in &self.blocks {
            for (&id, &d) in b.ids.iter().zip(&b.dates) {
                if column[id as usize] != u32::MAX {
                    let r = row(d);
                    count[r] += 1;
                    example[r].get_or_insert((id, &b.file));
                }
            }
        }
        let mut sorted: Vec<usize> = count.iter().copied().filter(|&c| c > 0).collect();
        sorted.sort_unstable();
        let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0);
        let stray: Vec<String> = (0..dates.len())
            .filter(|&r| count[r] > 0 && (dates[r].weekday() >= 5 || (median >= 20 && count[r] * 20 < median)))
            .map(|r| {
                let (id, file) = example[r].expect("counted");
                let day = if dates[r].weekday() >= 5 { " (a weekend)" } else { "" };
                format!("{}{day}: {} row(s), e.g. {} in {file}", dates[r], count[r], self.names[id as usize])
            })
            .collect();
        (!stray.is_empty()).then(|| {
            format!(
                "{} date(s) that (almost) no stock has became trading days (the median date has {median} stocks): \
                 other stocks are missing on them and rolling factors over them go blank; remove the rows if \
                 they are errors: {}",
                stray.len(),
                first_few(&stray)
            )
        })
    }
}

/// Rows parsed from one chunk of a file, with chunk-local code ids, before normalization.
pub struct RowBatch {
    /// Raw code text per local id, with the line it first appears on.
    pub codes: Vec<(Vec<u8>, u64)>,
    pub ids: Vec<u32>,
    pub dates: Vec<Date>,
    pub lines: Vec<u64>,
    /// `values[field][row]`.
    pub values: Vec<Vec<f64>>,
    lookup: HashMap<Vec<u8>, u32>,
    last: Option<(Vec<u8>, u32)>,
}

impl RowBatch {
    /// An empty batch with room for `rows` rows.
    pub fn new(n_fields: usize, rows: usize) -> RowBatch {
        RowBatch {
            codes: Vec::new(),
            ids: Vec::with_capacity(rows),
            dates: Vec::with_capacity(rows),
            lines: Vec::with_capacity(rows),
            values: (0..n_fields).map(|_| Vec::with_capacity(rows)).collect(),
            lookup: HashMap::new(),
            last: None,
        }
    }

    /// Adds one row with raw code text `code`.
    pub fn push(&mut self, code: &[u8], date: Date, values: &[f64], line: u64) {
        let id = match &self.last {
            Some((c, id)) if c.as_slice() == code => *id,
            _ => {
                let id = match self.lookup.get(code) {
                    Some(&id) => id,
                    None => {
                        let id = self.codes.len() as u32;
                        self.codes.push((code.to_vec(), line));
                        self.lookup.insert(code.to_vec(), id);
                        id
                    }
                };
                self.last = Some((code.to_vec(), id));
                id
            }
        };
        self.ids.push(id);
        self.dates.push(date);
        self.lines.push(line);
        for (col, v) in self.values.iter_mut().zip(values) {
            col.push(*v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn scatters_stocks_and_splits_out_indices() {
        let mut rows = DailyRows::new(vec!["close".into()]);
        let a = rows.code_id(b"sh.600000").unwrap();
        let i = rows.code_id(b"SH000300").unwrap();
        let b = rows.code_id(b"000001.SZ").unwrap();
        rows.push(a, d("2020-01-03"), &[2.0], "f", 2).unwrap();
        rows.push(b, d("2020-01-02"), &[5.0], "f", 3).unwrap();
        rows.push(i, d("2020-01-02"), &[4000.0], "f", 4).unwrap();
        let p = rows.into_panel(&[]);
        assert_eq!(p.stocks, vec!["SH600000", "SZ000001"]);
        assert_eq!(p.dates, vec![d("2020-01-02"), d("2020-01-03")]);
        let c = &p.fields["close"];
        assert!(c.get(0, 0).is_nan());
        assert_eq!((c.get(1, 0), c.get(0, 1)), (2.0, 5.0));
        assert_eq!(p.indices["SH000300"].close().unwrap()[0], 4000.0);
    }

    #[test]
    fn a_stray_weekend_row_is_reported() {
        let mut rows = DailyRows::new(vec!["close".into()]);
        let a = rows.code_id(b"SH600000").unwrap();
        let b = rows.code_id(b"SZ000001").unwrap();
        rows.push(a, d("2020-01-03"), &[1.0], "daily.csv", 2).unwrap();
        rows.push(b, d("2020-01-03"), &[1.0], "daily.csv", 3).unwrap();
        rows.push(a, d("2020-01-04"), &[1.0], "daily.csv", 4).unwrap();
        let p = rows.into_panel(&[]);
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert!(p.warnings[0].contains("2020-01-04 (a weekend): 1 row(s), e.g. SH600000 in daily.csv"), "{}", p.warnings[0]);
    }

    #[test]
    fn duplicate_and_unsorted_rows_are_errors() {
        let mut rows = DailyRows::new(vec!["close".into()]);
        let a = rows.code_id(b"SH600000").unwrap();
        rows.push(a, d("2020-01-03"), &[1.0], "daily.csv", 2).unwrap();
        let e = rows.push(a, d("2020-01-03"), &[1.0], "daily.csv", 3).unwrap_err().to_string();
        assert!(e.starts_with("daily.csv:3: duplicate row for (2020-01-03, SH600000), first at line 2"), "{e}");
        let e = rows.push(a, d("2020-01-02"), &[1.0], "daily.csv", 4).unwrap_err().to_string();
        assert!(e.contains("daily.csv:4: dates out of order"), "{e}");
        assert!(rows.code_id(b"not-a-code").is_none());
    }
}
