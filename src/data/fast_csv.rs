//! A fast reader for large, simple CSV files (daily bars): one thread decompresses and cuts
//! the stream into chunks of whole lines (counting lines as it goes), and the chunks are
//! split and parsed in parallel. Lines are split on commas; a line holding a quote is parsed
//! by the `csv` crate instead (quoted fields may not span lines). Errors name the file and
//! line like [`crate::data::table`].

use std::io::Read;
use std::sync::mpsc::{Receiver, sync_channel};

use rayon::prelude::*;

use crate::data::source::Stream;
use crate::data::table::parse_number;
use crate::error::{Error, Result};

const CHUNK: usize = 2 << 20;

/// Whole lines of a file; `first_line` is the 1-based line number of the first.
pub struct Chunk {
    pub data: Vec<u8>,
    pub first_line: u64,
    /// Number of line breaks in `data`.
    pub lines: u64,
}

/// What the reader thread sends: a chunk, or an I/O error after a given line.
type Message = std::result::Result<Chunk, (std::io::Error, u64)>;

/// A CSV stream being read in chunks on a background thread.
pub struct FastCsv {
    pub file: String,
    pub headers: Vec<String>,
    rx: Receiver<Message>,
    /// The rest of the first chunk after the header line.
    first: Option<Chunk>,
}

impl FastCsv {
    /// Starts reading `stream` and parses the header line.
    pub fn open(file: impl Into<String>, stream: Stream) -> Result<FastCsv> {
        let file = file.into();
        let (tx, rx) = sync_channel::<Message>(4);
        std::thread::spawn(move || read_chunks(stream, |m| tx.send(m).is_ok()));
        let mut me = FastCsv { file, headers: Vec::new(), rx, first: None };
        let first = match me.recv()? {
            Some(c) => c.data,
            None => return Err(Error::Empty { file: me.file }),
        };
        let end = memchr::memchr(b'\n', &first).unwrap_or(first.len());
        let header = trim_cr(&first[..end]);
        let header = header.strip_prefix("\u{feff}".as_bytes()).unwrap_or(header);
        if header.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::Empty { file: me.file });
        }
        me.headers = split_quoted(header)
            .map_err(|r| Error::BadRow { file: me.file.clone(), line: 1, reason: r })?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let rest = first[(end + 1).min(first.len())..].to_vec();
        let lines = memchr::memchr_iter(b'\n', &rest).count() as u64;
        me.first = Some(Chunk { data: rest, first_line: 2, lines });
        Ok(me)
    }

    fn recv(&self) -> Result<Option<Chunk>> {
        match self.rx.recv() {
            Ok(Ok(c)) => Ok(Some(c)),
            Ok(Err((e, line))) => Err(read_error(&self.file, e, line)),
            Err(_) => Ok(None),
        }
    }

    /// Index of the first header matching any of `names`, case-insensitive.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    /// The chunks in file order (the first one after the header), then errors.
    fn chunks(&mut self) -> impl Iterator<Item = Result<Chunk>> + Send + use<> {
        let first = self.first.take();
        // The receiver moves into the iterator (a Receiver is Send but not Sync).
        let rx = std::mem::replace(&mut self.rx, sync_channel(0).1);
        let file = self.file.clone();
        first.map(Ok).into_iter().chain(std::iter::from_fn(move || match rx.recv() {
            Ok(Ok(c)) => Some(Ok(c)),
            Ok(Err((e, line))) => Some(Err(read_error(&file, e, line))),
            Err(_) => None,
        }))
    }

    /// Applies `f` to every chunk, in parallel, and returns the results in file order. The
    /// first error in file order wins.
    pub fn map_chunks<T: Send>(&mut self, f: impl Fn(&Chunk) -> Result<T> + Sync + Send) -> Result<Vec<T>> {
        let mut out: Vec<(usize, Result<T>)> =
            self.chunks().enumerate().par_bridge().map(|(i, c)| (i, c.and_then(|c| f(&c)))).collect();
        out.sort_by_key(|x| x.0);
        out.into_iter().map(|x| x.1).collect()
    }

    /// Calls `f(fields, line)` for every data row, in order, on this thread.
    pub fn for_each(&mut self, mut f: impl FnMut(&[&[u8]], u64) -> Result<()>) -> Result<u64> {
        let (file, n_cols) = (self.file.clone(), self.headers.len());
        let mut rows = 0;
        for c in self.chunks() {
            rows += c?.for_each_record(&file, n_cols, &mut f)?;
        }
        Ok(rows)
    }
}

/// The reader thread: fills chunks of about `CHUNK` bytes, cut after the last newline, and
/// hands each to `send` with its first line number; stops when `send` returns false.
fn read_chunks(mut stream: Stream, send: impl Fn(Message) -> bool) {
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 1u64;
    loop {
        let mut buf = std::mem::take(&mut carry);
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let mut filled = start;
        let eof = loop {
            match stream.read(&mut buf[filled..]) {
                Ok(0) => break true,
                Ok(n) => {
                    filled += n;
                    if filled == buf.len() {
                        break false;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    send(Err((e, line + memchr::memchr_iter(b'\n', &buf[..filled]).count() as u64 - 1)));
                    return;
                }
            }
        };
        buf.truncate(filled);
        if !eof {
            // Keep the partial last line for the next chunk.
            let cut = memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1);
            carry = buf[cut..].to_vec();
            buf.truncate(cut);
        }
        if !buf.is_empty() {
            let n = memchr::memchr_iter(b'\n', &buf).count() as u64;
            if !send(Ok(Chunk { data: buf, first_line: line, lines: n })) {
                return;
            }
            line += n;
        }
        if eof {
            return;
        }
    }
}

impl Chunk {
    /// Calls `f(fields, line)` for every non-empty line; `n_cols` fields are required.
    pub fn for_each_record(&self, file: &str, n_cols: usize, mut f: impl FnMut(&[&[u8]], u64) -> Result<()>) -> Result<u64> {
        let chunk = &self.data;
        let row_error = |line: u64, reason: String| Error::BadRow { file: file.to_string(), line, reason };
        let mut line_no = self.first_line - 1;
        let mut rows = 0u64;
        let mut fields: Vec<(usize, usize)> = Vec::with_capacity(n_cols);
        let mut slices: Vec<&[u8]> = Vec::with_capacity(n_cols);
        // One SIMD pass finds every comma, newline and quote of the chunk.
        let (mut line_start, mut field_start, mut quoted) = (0usize, 0usize, false);
        let tail = (!chunk.is_empty() && chunk.last() != Some(&b'\n')).then_some(chunk.len());
        for pos in memchr::memchr3_iter(b',', b'\n', b'"', chunk).chain(tail) {
            match chunk.get(pos) {
                Some(b',') => {
                    fields.push((field_start, pos));
                    field_start = pos + 1;
                    continue;
                }
                Some(b'"') => {
                    quoted = true;
                    continue;
                }
                _ => {}
            }
            // End of a line at `pos`.
            line_no += 1;
            let line = trim_cr(&chunk[line_start..pos]);
            fields.push((field_start, line_start + line.len()));
            if !line.is_empty() {
                if quoted {
                    let owned = split_quoted(line).map_err(|r| row_error(line_no, r))?;
                    let q: Vec<&[u8]> = owned.iter().map(|v| v.as_slice()).collect();
                    if q.len() != n_cols {
                        return Err(row_error(line_no, format!("has {} fields, the header has {n_cols}", q.len())));
                    }
                    f(&q, line_no)?;
                } else {
                    if fields.len() != n_cols {
                        return Err(row_error(line_no, format!("has {} fields, the header has {n_cols}", fields.len())));
                    }
                    slices.clear();
                    slices.extend(fields.iter().map(|&(a, b)| &chunk[a..b]));
                    f(&slices, line_no)?;
                }
                rows += 1;
            }
            fields.clear();
            line_start = pos + 1;
            field_start = pos + 1;
            quoted = false;
        }
        Ok(rows)
    }
}

/// A read that failed mid-file (I/O error, truncated or corrupt `.gz`).
fn read_error(file: &str, e: std::io::Error, line: u64) -> Error {
    Error::format(file, format!("read failed after line {line}: {e} (truncated or corrupt file?)"))
}

fn trim_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Splits one line with quoted fields using the `csv` crate.
fn split_quoted(line: &[u8]) -> std::result::Result<Vec<Vec<u8>>, String> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line);
    let mut rec = csv::ByteRecord::new();
    match r.read_byte_record(&mut rec) {
        Ok(true) => Ok(rec.iter().map(|f| f.to_vec()).collect()),
        Ok(false) => Ok(vec![]),
        Err(e) => Err(format!("unreadable CSV line: {e}")),
    }
}

/// Parses a number like [`parse_number`], with a fast exact path for plain decimals
/// (Clinger: mantissa < 2^53 and a power of ten ≤ 22 give a correctly rounded result).
#[inline]
pub fn fast_number(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
        1e22,
    ];
    let (neg, d) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let n = d.len();
    if n == 0 || n > 19 {
        return parse_number(b);
    }
    // Integer digits, then an optional '.' and fraction digits; anything else takes the slow path.
    let mut mant: u64 = 0;
    let mut i = digits(d, 0, &mut mant);
    let int_digits = i;
    let mut frac = 0usize;
    if i < n && d[i] == b'.' {
        let start = i + 1;
        i = digits(d, start, &mut mant);
        frac = i - start;
    }
    // 19 digits fit u64; Clinger's fast path needs mantissa < 2^53.
    if i != n || int_digits + frac == 0 || mant >= 1 << 53 {
        return parse_number(b);
    }
    let v = mant as f64 / POW10[frac];
    Some(if neg { -v } else { v })
}

/// Accumulates the run of ASCII digits of `d` from `i` into `mant` (eight at a time where
/// possible, the SWAR trick of fast_float); returns the index after the run. `d` has at most
/// 19 bytes, so `mant` cannot overflow.
#[inline]
fn digits(d: &[u8], mut i: usize, mant: &mut u64) -> usize {
    while i + 8 <= d.len() {
        let v = u64::from_le_bytes(d[i..i + 8].try_into().expect("8 bytes"));
        let all_digits = ((v & 0xF0F0_F0F0_F0F0_F0F0) | (((v.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0) >> 4))
            == 0x3333_3333_3333_3333;
        if !all_digits {
            break;
        }
        let mut x = v - 0x3030_3030_3030_3030;
        x = x.wrapping_mul(10).wrapping_add(x >> 8);
        x = (x & 0x0000_00FF_0000_00FF)
            .wrapping_mul(100 + (1_000_000 << 32))
            .wrapping_add(((x >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
            >> 32;
        *mant = *mant * 100_000_000 + x;
        i += 8;
    }
    while i < d.len() && d[i].is_ascii_digit() {
        *mant = *mant * 10 + (d[i] - b'0') as u64;
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_numbers_round_like_std() {
        for s in [
            "12345678",
            "0.12345678",
            "9999999999999999",
            "1234567.89012345",
            "0",
            "-0.5",
            "2112.12598",
            "6848548864",
            "0.122700997",
            "13595.2148",
            "1e5",
            "123456789012345678",
            "3.",
            ".5",
        ] {
            let want: f64 = s.parse().unwrap();
            assert_eq!(fast_number(s.as_bytes()).unwrap().to_bits(), want.to_bits(), "{s}");
        }
        assert!(fast_number(b"").unwrap().is_nan());
        assert!(fast_number(b"NaN").unwrap().is_nan());
        assert_eq!(fast_number(b"1.2.3"), None);
        assert_eq!(fast_number(b"-x"), None);
    }

    /// A header and the data rows, each with its line number.
    type Parsed = (Vec<String>, Vec<(u64, Vec<String>)>);

    fn read(text: &str) -> Result<Parsed> {
        let mut r = FastCsv::open("t.csv", Box::new(std::io::Cursor::new(text.as_bytes().to_vec())))?;
        let mut rows = Vec::new();
        r.for_each(|f, line| {
            rows.push((line, f.iter().map(|x| String::from_utf8_lossy(x).into_owned()).collect()));
            Ok(())
        })?;
        Ok((r.headers.clone(), rows))
    }

    #[test]
    fn lines_quotes_and_crlf() {
        let (h, rows) = read("\u{feff}a,b\r\n1,2\r\n\r\n\"x,y\",3\n").unwrap();
        assert_eq!(h, vec!["a", "b"]);
        assert_eq!(rows, vec![(2, vec!["1".into(), "2".into()]), (4, vec!["x,y".into(), "3".into()])]);
        let e = read("a,b\n1,2\n3\n").unwrap_err().to_string();
        assert_eq!(e, "t.csv:3: has 1 fields, the header has 2");
        assert!(matches!(read("").unwrap_err(), Error::Empty { .. }));
    }
}
