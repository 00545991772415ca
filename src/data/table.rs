//! Reading CSV tables by column name, with errors that name the file, line and column.
//!
//! Header names are matched case-insensitively after trimming spaces and a UTF-8 BOM.
//! Line numbers are 1-based and count the header as line 1.

use std::io::Read;

use csv::ByteRecord;

use crate::data::date::Date;
use crate::error::{Error, Result};

/// A CSV file being read record by record.
pub struct Table<R: Read> {
    /// The file's name as shown in errors.
    pub file: String,
    pub headers: Vec<String>,
    reader: csv::Reader<R>,
}

impl<R: Read> Table<R> {
    /// Reads the header line; an empty file is [`Error::Empty`].
    pub fn new(file: impl Into<String>, reader: R) -> Result<Table<R>> {
        let file = file.into();
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
        let headers = match reader.byte_headers() {
            Ok(h) => h.iter().map(|b| clean_header(&String::from_utf8_lossy(b))).collect::<Vec<_>>(),
            Err(e) => return Err(csv_error(&file, e)),
        };
        if headers.is_empty() || headers.iter().all(|h| h.is_empty()) {
            return Err(Error::Empty { file });
        }
        Ok(Table { file, headers, reader })
    }

    /// Index of the first header matching any of `names` (aliases), case-insensitive.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    /// Like [`Table::column`], but a missing column is an error naming `names[0]`.
    pub fn require(&self, names: &[&str]) -> Result<usize> {
        self.column(names).ok_or_else(|| Error::MissingColumn {
            file: self.file.clone(),
            column: names[0].to_string(),
            found: self.headers.join(", "),
        })
    }

    /// Reads the next record into `rec`; `false` at the end. Wrong field counts, bad UTF-8
    /// framing and I/O errors (a truncated `.gz`) become errors with the line.
    pub fn next(&mut self, rec: &mut ByteRecord) -> Result<bool> {
        self.reader.read_byte_record(rec).map_err(|e| csv_error(&self.file, e))
    }

    /// The 1-based line of the record last read.
    pub fn line(rec: &ByteRecord) -> u64 {
        rec.position().map(|p| p.line()).unwrap_or(0)
    }

    /// Parses field `col` of `rec` as a number (see [`parse_number`]).
    pub fn number(&self, rec: &ByteRecord, col: usize) -> Result<f64> {
        parse_number(&rec[col]).ok_or_else(|| self.bad(rec, col, format!("`{}` is not a number", show(&rec[col]))))
    }

    /// Parses field `col` of `rec` as a date.
    pub fn date(&self, rec: &ByteRecord, col: usize) -> Result<Date> {
        Date::parse_bytes(rec[col].trim_ascii())
            .ok_or_else(|| self.bad(rec, col, format!("`{}` is not a date (expected YYYY-MM-DD)", show(&rec[col]))))
    }

    /// Field `col` as text.
    pub fn text<'a>(&self, rec: &'a ByteRecord, col: usize) -> Result<&'a str> {
        std::str::from_utf8(&rec[col]).map(str::trim).map_err(|_| self.bad(rec, col, "not valid UTF-8"))
    }

    /// An error about field `col` of `rec`.
    pub fn bad(&self, rec: &ByteRecord, col: usize, reason: impl Into<String>) -> Error {
        Error::BadValue {
            file: self.file.clone(),
            line: Self::line(rec),
            column: self.headers.get(col).cloned().unwrap_or_else(|| format!("#{}", col + 1)),
            reason: reason.into(),
        }
    }

    /// An error about the whole row `rec`.
    pub fn bad_row(&self, rec: &ByteRecord, reason: impl Into<String>) -> Error {
        Error::BadRow { file: self.file.clone(), line: Self::line(rec), reason: reason.into() }
    }
}

/// A number, or `NaN` for an empty cell or `nan`/`NA`/`null`/`None`; `None` if not numeric.
pub fn parse_number(bytes: &[u8]) -> Option<f64> {
    let b = bytes.trim_ascii();
    if b.is_empty() {
        return Some(f64::NAN);
    }
    // Fast path: plain decimals parse straight from bytes without a UTF-8 check.
    let s = std::str::from_utf8(b).ok()?;
    match s.parse::<f64>() {
        Ok(v) if v.is_nan() || v.is_finite() => Some(v),
        Ok(_) => None,
        Err(_) => match s.to_ascii_lowercase().as_str() {
            "na" | "n/a" | "null" | "none" | "nan" | "-" | "--" => Some(f64::NAN),
            _ => None,
        },
    }
}

fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_string()
}

fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s.into_owned() }
}

fn csv_error(file: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.into_kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, pos } => Error::BadRow {
            file: file.to_string(),
            line: pos.map(|p| p.line()).unwrap_or(line),
            reason: format!("has {len} fields, the header has {expected_len}"),
        },
        csv::ErrorKind::Io(io) => {
            Error::format(file, format!("read failed after line {line}: {io} (truncated or corrupt file?)"))
        }
        other => Error::BadRow { file: file.to_string(), line, reason: format!("{other:?}") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_missing_markers() {
        assert_eq!(parse_number(b" 12.5 "), Some(12.5));
        assert_eq!(parse_number(b"-3e2"), Some(-300.0));
        for m in [&b""[..], b"NaN", b"nan", b"NA", b"null", b"--"] {
            assert!(parse_number(m).unwrap().is_nan());
        }
        assert_eq!(parse_number(b"12,5"), None);
        assert_eq!(parse_number(b"abc"), None);
        assert_eq!(parse_number(b"inf"), None);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let data = "\u{feff}Date,Code,Close\n2020-01-02,SH600000,1.5\n2020-01-03,SH600000,x\n";
        let mut t = Table::new("daily.csv", data.as_bytes()).unwrap();
        assert_eq!(t.require(&["date"]).unwrap(), 0);
        let close = t.require(&["close"]).unwrap();
        let mut rec = ByteRecord::new();
        assert!(t.next(&mut rec).unwrap());
        assert_eq!(t.number(&rec, close).unwrap(), 1.5);
        assert!(t.next(&mut rec).unwrap());
        let e = t.number(&rec, close).unwrap_err().to_string();
        assert_eq!(e, "daily.csv:3: column `Close`: `x` is not a number");
        let e = t.require(&["volume"]).unwrap_err().to_string();
        assert!(e.contains("missing required column `volume`"), "{e}");
    }

    #[test]
    fn short_rows_are_errors_with_their_line() {
        let data = "date,code,close\n2020-01-02,SH600000,1.5\n2020-01-03,SH600000\n";
        let mut t = Table::new("d.csv", data.as_bytes()).unwrap();
        let mut rec = ByteRecord::new();
        t.next(&mut rec).unwrap();
        let e = t.next(&mut rec).unwrap_err().to_string();
        assert_eq!(e, "d.csv:3: has 2 fields, the header has 3");
    }
}
