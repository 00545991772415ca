//! The qlib provider layout, read as-is:
//! `calendars/day.txt` (one date per line), `instruments/<market>.txt` (tab-separated
//! `code start end` membership spells), and `features/<code>/<field>.day.bin`: little-endian
//! `f32`, element 0 the start index into the calendar, then one value per trading day.
//!
//! qlib prices are adjusted (`price × factor`); they are stored raw (`price / factor`) with
//! `factor` as `adj_factor`. `change` becomes `pct_change`. Index instruments (`SH000300`)
//! become index series.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::data::bar_rules::{Bar, FIELDS};
use crate::data::code;
use crate::data::date::{Date, range_positions};
use crate::data::matrix::Matrix;
use crate::data::panel::{IndexSeries, Panel, Spell, field};
use crate::data::source::Source;
use crate::error::{Error, Result, first_few};

/// True if the source has qlib's layout.
pub fn detect(src: &Source) -> bool {
    src.exists("calendars/day.txt")
}

/// Reads a qlib provider folder. `market` names `instruments/<market>.txt` for membership;
/// by default `csi300` if present, else none (every stock with a price is in the universe).
/// Only the calendar days in `range` (`[start, end]`, either bound optional) become the
/// panel's days (every day when none is in it: the caller reports an empty range); the
/// files are checked on every day.
pub fn read_qlib(src: &Source, market: Option<&str>, range: (Option<Date>, Option<Date>)) -> Result<Panel> {
    let calendar = read_calendar(src)?;
    let market = match market {
        Some(m) => Some(m.to_string()),
        None => src.exists("instruments/csi300.txt").then(|| "csi300".to_string()),
    };
    let universe = match &market {
        Some(m) => Some(read_instruments(src, &format!("instruments/{m}.txt"))?),
        None => None,
    };
    let dirs = src.list("features", true)?;
    if dirs.is_empty() {
        return Err(Error::format(src.display("features"), "no instrument folders"));
    }
    // (canonical code, field → its stored values)
    let loaded: Vec<(String, BTreeMap<String, Bin>)> = dirs
        .par_iter()
        .map(|dir| {
            let canon = code::normalize(dir)
                .ok_or_else(|| Error::format(src.display(&format!("features/{dir}")), "folder name is not a stock code"))?;
            let mut fields = BTreeMap::new();
            for file in src.list(&format!("features/{dir}"), false)? {
                let Some(name) = file.strip_suffix(".day.bin") else { continue };
                let rel = format!("features/{dir}/{file}");
                fields.insert(name.to_string(), read_bin(src, &rel, calendar.len())?);
            }
            check_bars(src, dir, &fields, &calendar)?;
            Ok((canon, fields))
        })
        .collect::<Result<_>>()?;
    check_folders(src, &dirs, &loaded)?;

    let mut stocks: Vec<String> = loaded.iter().map(|x| x.0.clone()).filter(|c| !code::is_index(c)).collect();
    stocks.sort();
    stocks.dedup();
    let (a, b) = range_positions(&calendar, range.0, range.1);
    let (a, b) = if a < b { (a, b) } else { (0, calendar.len()) };
    let dates = calendar[a..b].to_vec();
    let (nd, ns) = (dates.len(), stocks.len());
    let mut indices = BTreeMap::new();
    // (column, field → stored values) of each stock.
    let mut columns: Vec<(usize, BTreeMap<String, Bin>)> = Vec::with_capacity(ns);
    for (canon, series) in loaded {
        if code::is_index(&canon) {
            let mut s = IndexSeries::default();
            for (name, v) in series {
                s.fields.insert(rename(&name).to_string(), (a..b).map(|d| v.get(d)).collect());
            }
            indices.insert(canon, s);
            continue;
        }
        columns.push((stocks.binary_search(&canon).expect("stock listed"), series));
    }
    // One `[date, stock]` matrix per field, the fields in parallel; prices are stored
    // adjusted in the bins and divided back by the adjustment factor.
    let mut names: Vec<&str> = columns.iter().flat_map(|(_, s)| s.keys().map(|k| rename(k))).collect();
    names.sort_unstable();
    names.dedup();
    let fields: BTreeMap<String, Matrix> = names
        .par_iter()
        .map(|&name| {
            let is_price = field::PRICES.contains(&name);
            // (column, series, its adjustment factor when a price); the last file wins
            // where two names mean one field.
            let cols: Vec<(usize, &Bin, Option<&Bin>)> = columns
                .iter()
                .filter_map(|(col, series)| {
                    let (_, v) = series.iter().rev().find(|(k, _)| rename(k) == name)?;
                    Some((*col, v, series.get("factor").filter(|_| is_price)))
                })
                .collect();
            let mut m = Matrix::nan(nd, ns);
            // In blocks of 64 dates (64 rows of the matrix stay in cache), column by column
            // over the days the file has values (the others stay `NaN`); calendar day `d`
            // is row `d - a`.
            for d0 in (a..b).step_by(64) {
                let d1 = (d0 + 64).min(b);
                for &(col, v, factor) in &cols {
                    let (lo, hi) = (d0.max(v.start), d1.min(v.start + v.values.len()));
                    let cells = (lo..hi).map(|d| (d - a) * ns + col);
                    let vs = v.values.get(lo.wrapping_sub(v.start)..hi.wrapping_sub(v.start)).unwrap_or_default();
                    match factor {
                        None => cells.zip(vs).for_each(|(i, &x)| m.data[i] = f64::from(x)),
                        Some(f) => cells.zip(vs).zip(lo..hi).for_each(|((i, &x), d)| {
                            let k = f.get(d);
                            m.data[i] = if k > 0.0 { f64::from(x) / k } else { f64::NAN };
                        }),
                    }
                }
            }
            (name.to_string(), m)
        })
        .collect();
    let mut line = format!("qlib: {}", src.root().display());
    if let Some(m) = &market {
        line.push_str(&format!(" (membership: instruments/{m}.txt)"));
    }
    Ok(Panel { dates, stocks, fields, universe, indices, provenance: vec![line], ..Panel::default() })
}

/// The bar rules ([`crate::data::bar_rules`]) on every day of one instrument folder, on
/// its stored (adjusted) prices: the rules do not depend on the price basis.
fn check_bars(src: &Source, dir: &str, fields: &BTreeMap<String, Bin>, dates: &[Date]) -> Result<()> {
    let series = FIELDS.map(|f| fields.get(f));
    // Outside every file's span all values are missing, which no rule rejects.
    let from = series.iter().flatten().map(|b| b.start).min().unwrap_or(0);
    let to = series.iter().flatten().map(|b| b.start + b.values.len()).max().unwrap_or(0).min(dates.len());
    // Each field over [from, to), NaN outside its file.
    let cols = series.map(|s| {
        let mut c = vec![f64::NAN; to.saturating_sub(from)];
        if let Some(b) = s {
            c[b.start - from..b.start - from + b.values.len()].iter_mut().zip(&b.values).for_each(|(x, &v)| *x = f64::from(v));
        }
        c
    });
    for i in 0..to.saturating_sub(from) {
        let bar = Bar::from(cols.each_ref().map(|c| c[i]));
        if !bar.passes()
            && let Err(v) = bar.check()
        {
            let (d, date) = (from + i, dates[from + i]);
            let rel = format!("features/{dir}/{}.day.bin", v.field());
            return Err(Error::format(src.display(&rel), format!("{date} (calendar day {d}): {}", v.reason)));
        }
    }
    Ok(())
}

/// Folder-level rules: two folders naming one stock (`sh600000` and `SH600000`, which a
/// case-insensitive copy merges and a case-sensitive one keeps apart) are refused, and so is
/// a stock without `factor.day.bin` among stocks with one (its prices would stay adjusted
/// while the others' become raw).
fn check_folders(src: &Source, dirs: &[String], loaded: &[(String, BTreeMap<String, Bin>)]) -> Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (dir, (canon, _)) in dirs.iter().zip(loaded) {
        if let Some(first) = seen.insert(canon, dir) {
            return Err(Error::format(
                src.display("features"),
                format!("folders `{first}` and `{dir}` are both {canon}: keep one (they differ only in letter case or spelling)"),
            ));
        }
    }
    let priced = |f: &BTreeMap<String, Bin>| f.contains_key("close");
    let stocks = || dirs.iter().zip(loaded).filter(|(_, (c, f))| !code::is_index(c) && priced(f));
    let without: Vec<&str> = stocks().filter(|(_, (_, f))| !f.contains_key("factor")).map(|(d, _)| d.as_str()).collect();
    if !without.is_empty() && without.len() < stocks().count() {
        return Err(Error::format(
            src.display("features"),
            format!(
                "{} of {} stock folders have no factor.day.bin ({}): their prices would stay adjusted while \
                 the others' become raw; restore the file or remove the folder",
                without.len(),
                stocks().count(),
                first_few(&without)
            ),
        ));
    }
    Ok(())
}

fn rename(qlib: &str) -> &str {
    match qlib {
        "factor" => field::ADJ_FACTOR,
        "change" => field::PCT_CHANGE,
        other => other,
    }
}

fn read_calendar(src: &Source) -> Result<Vec<Date>> {
    let rel = "calendars/day.txt";
    let text = String::from_utf8(src.read(rel)?).map_err(|_| Error::format(src.display(rel), "not UTF-8 text"))?;
    let mut dates: Vec<Date> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |reason: String| Error::BadValue { file: src.display(rel), line: i as u64 + 1, column: "date".into(), reason };
        let d: Date = line.get(..10).unwrap_or(line).parse().map_err(bad)?;
        if dates.last().is_some_and(|p| *p >= d) {
            return Err(bad(format!("{d} is not after the previous date")));
        }
        dates.push(d);
    }
    if dates.is_empty() {
        return Err(Error::Empty { file: src.display(rel) });
    }
    Ok(dates)
}

/// `instruments/<market>.txt`: `code<TAB>start<TAB>end` per line.
fn read_instruments(src: &Source, rel: &str) -> Result<Vec<Spell>> {
    let text = String::from_utf8(src.read(rel)?).map_err(|_| Error::format(src.display(rel), "not UTF-8 text"))?;
    let mut spells = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |column: &str, reason: String| Error::BadValue {
            file: src.display(rel),
            line: i as u64 + 1,
            column: column.into(),
            reason,
        };
        let parts: Vec<&str> = line.split('\t').map(str::trim).collect();
        if parts.len() < 3 {
            return Err(Error::BadRow {
                file: src.display(rel),
                line: i as u64 + 1,
                reason: format!("expected `code<TAB>start<TAB>end`, found {} fields", parts.len()),
            });
        }
        let code = code::normalize(parts[0]).ok_or_else(|| bad("code", format!("`{}` is not a stock code", parts[0])))?;
        let start: Date = parts[1].parse().map_err(|e| bad("start", e))?;
        let end: Date = parts[2].parse().map_err(|e| bad("end", e))?;
        if end < start {
            return Err(bad("end", format!("end {end} is before start {start}")));
        }
        spells.push(Spell { code, start, end });
    }
    spells.sort();
    Ok(spells)
}

/// One `.day.bin` as stored: its values from calendar position `start` on.
struct Bin {
    start: usize,
    values: Vec<f32>,
}

impl Bin {
    /// The value on calendar day `d` (`NaN` outside the file's span).
    #[inline]
    fn get(&self, d: usize) -> f64 {
        d.checked_sub(self.start).and_then(|i| self.values.get(i)).map_or(f64::NAN, |&v| f64::from(v))
    }
}

/// One `.day.bin`, its span checked against the calendar of `n_dates` days.
fn read_bin(src: &Source, rel: &str, n_dates: usize) -> Result<Bin> {
    let bytes = src.read(rel)?;
    let bad = |reason: String| Error::format(src.display(rel), reason);
    if bytes.len() < 4 {
        return Err(bad(format!("{} bytes: too short for a qlib .bin (needs the start index)", bytes.len())));
    }
    if bytes.len() % 4 != 0 {
        return Err(bad(format!("{} bytes is not a whole number of float32 values: truncated file", bytes.len())));
    }
    let mut vals: Vec<f32> = bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    let start = vals[0];
    if !(start >= 0.0 && start.fract() == 0.0) {
        return Err(bad(format!("record 0 (start index) is {start}, not a calendar position")));
    }
    let n = vals.len() - 1;
    if start >= n_dates as f32 {
        return Err(bad(format!("record 0 (start index) is {start}, past the calendar's {n_dates} days")));
    }
    let start = start as usize;
    if start + n > n_dates {
        return Err(bad(format!(
            "values run to calendar position {}, past the calendar's {n_dates} days (record {})",
            start + n,
            n_dates - start + 1
        )));
    }
    vals.remove(0);
    Ok(Bin { start, values: vals })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `features/<folder>/<field>.day.bin` (start index, then the values).
    fn bin(dir: &std::path::Path, folder: &str, field: &str, start: f32, values: &[f32]) {
        std::fs::create_dir_all(dir.join("features").join(folder)).unwrap();
        let bytes: Vec<u8> = std::iter::once(start).chain(values.iter().copied()).flat_map(f32::to_le_bytes).collect();
        std::fs::write(dir.join(format!("features/{folder}/{field}.day.bin")), bytes).unwrap();
    }

    /// Files that start and end on different days (a price from day 1, its factor from day
    /// 0, a zero factor on one day) land on their calendar days, divided by the factor of
    /// the same day; every other cell is `NaN`; a date range keeps its days alone.
    #[test]
    fn bins_land_on_their_days_divided_by_the_same_days_factor() {
        let dir = tempfile::tempdir().unwrap();
        let days = "2020-01-02\n2020-01-03\n2020-01-06\n2020-01-07\n2020-01-08\n";
        std::fs::create_dir_all(dir.path().join("calendars")).unwrap();
        std::fs::write(dir.path().join("calendars/day.txt"), days).unwrap();
        bin(dir.path(), "sh600000", "close", 1.0, &[20.0, 30.0, 40.0]);
        bin(dir.path(), "sh600000", "factor", 0.0, &[2.0, 2.0, 0.0, 4.0]);
        bin(dir.path(), "sh600000", "volume", 2.0, &[7.0, 8.0, 9.0]);
        bin(dir.path(), "sz000001", "close", 0.0, &[1.0, 2.0, 3.0, 4.0, 5.0]);
        bin(dir.path(), "sz000001", "factor", 0.0, &[1.0; 5]);
        let p = read_qlib(&Source::Dir(dir.path().to_path_buf()), None, (None, None)).unwrap();
        assert_eq!(p.stocks, ["SH600000", "SZ000001"]);
        let col = |f: &str, s: usize| -> Vec<f64> { (0..5).map(|d| p.fields[f].get(d, s)).collect() };
        let same = |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || x.is_nan() && y.is_nan());
        let nan = f64::NAN;
        // Day 1: 20 / 2; day 2: factor 0 gives NaN; day 3: 40 / 4; day 4: past both files.
        assert!(same(&col(field::CLOSE, 0), &[nan, 10.0, nan, 10.0, nan]), "{:?}", col(field::CLOSE, 0));
        assert!(same(&col(field::ADJ_FACTOR, 0), &[2.0, 2.0, 0.0, 4.0, nan]));
        assert!(same(&col("volume", 0), &[nan, nan, 7.0, 8.0, 9.0]), "{:?}", col("volume", 0));
        assert!(same(&col(field::CLOSE, 1), &[1.0, 2.0, 3.0, 4.0, 5.0]));
        assert!(same(&col("volume", 1), &[nan; 5]));
        // A range keeps its days only, the same values on them.
        let day = |t: &str| t.parse::<Date>().unwrap();
        let range = (Some(day("2020-01-03")), Some(day("2020-01-07")));
        let q = read_qlib(&Source::Dir(dir.path().to_path_buf()), None, range).unwrap();
        assert_eq!(q.dates, p.dates[1..4]);
        for f in [field::CLOSE, field::ADJ_FACTOR, "volume"] {
            for s in 0..2 {
                let kept: Vec<f64> = (0..3).map(|d| q.fields[f].get(d, s)).collect();
                assert!(same(&kept, &col(f, s)[1..4]), "{f} {s}: {kept:?}");
            }
        }
    }
}
