//! Writing a [`Panel`] as a standard-format folder (`.csv.gz` files). Output is
//! deterministic: the same panel gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use rayon::prelude::*;

use crate::data::matrix::Matrix;
use crate::data::panel::{Panel, field};
use crate::error::{Error, Result};

/// Writes `daily`, and where present `index`, `universe`, `industry`, `financials`, into `dir`.
pub fn write_standard(panel: &Panel, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut names: Vec<&str> = field::KNOWN.iter().copied().filter(|f| panel.fields.contains_key(*f)).collect();
    names.extend(panel.fields.keys().map(String::as_str).filter(|f| !field::KNOWN.contains(f)));
    let mats: Vec<&Matrix> = names.iter().map(|n| &panel.fields[*n]).collect();
    write_long(panel, &dir.join("daily.csv.gz"), &names, &mats, Precision::F64, &|_, _| true)?;

    if !panel.indices.is_empty() {
        let mut out = String::from("date,code,open,high,low,close,volume\n");
        for (code, s) in &panel.indices {
            for (d, date) in panel.dates.iter().enumerate() {
                let v = |f: &str| s.fields.get(f).map(|x| x[d]).unwrap_or(f64::NAN);
                if v("close").is_nan() {
                    continue;
                }
                let _ = write!(out, "{date},{code}");
                for f in ["open", "high", "low", "close", "volume"] {
                    out.push(',');
                    push_num(&mut out, v(f), Precision::F64);
                }
                out.push('\n');
            }
        }
        write_gz(&dir.join("index.csv.gz"), out.as_bytes())?;
    }
    if let Some(spells) = &panel.universe {
        let mut out = String::from("code,start_date,end_date\n");
        for s in spells {
            let _ = writeln!(out, "{},{},{}", s.code, s.start, s.end);
        }
        write_gz(&dir.join("universe.csv.gz"), out.as_bytes())?;
    }
    if !panel.industry.is_empty() {
        let mut out = String::from("code,industry\n");
        for (c, i) in &panel.industry {
            let _ = writeln!(out, "{c},{i}");
        }
        write_gz(&dir.join("industry.csv.gz"), out.as_bytes())?;
    }
    if let Some(fin) = &panel.financials {
        let mut out = format!("code,period_end,announce_date,{}\n", fin.fields.join(","));
        for r in &fin.reports {
            let _ = write!(out, "{},{},{}", r.code, r.period_end, r.announce);
            for v in &r.values {
                out.push(',');
                push_num(&mut out, *v, Precision::F64);
            }
            out.push('\n');
        }
        write_gz(&dir.join("financials.csv.gz"), out.as_bytes())?;
    }
    Ok(())
}

/// How many significant digits numbers are written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// Shortest text that reads back as the same `f64` (market data).
    F64,
    /// Shortest text that reads back as the same `f32` (factor tables: about 7 significant
    /// digits, the precision the models train in).
    F32,
}

/// Dates per independently compressed block.
const BLOCK_DATES: usize = 32;

/// Writes `date, code, <names…>` rows (date-major) for every stock-day `(d, s)` that `keep`
/// accepts and that has any finite value. Blocks of dates are formatted and compressed in
/// parallel, each as one gzip member (a multi-member gzip file, which every gzip reader
/// reads as one stream); the output is still deterministic.
pub fn write_long(
    panel: &Panel,
    path: &Path,
    names: &[&str],
    mats: &[&Matrix],
    precision: Precision,
    keep: &(dyn Fn(usize, usize) -> bool + Sync),
) -> Result<()> {
    let header = format!("date,code,{}\n", names.join(","));
    let blocks: Vec<usize> = (0..panel.n_dates()).step_by(BLOCK_DATES).collect();
    let members: Vec<std::io::Result<Vec<u8>>> = blocks
        .par_iter()
        .map(|&start| {
            let mut text = String::new();
            for d in start..(start + BLOCK_DATES).min(panel.n_dates()) {
                let date = panel.dates[d].to_string();
                for (s, code) in panel.stocks.iter().enumerate() {
                    if !keep(d, s) || mats.iter().all(|m| m.get(d, s).is_nan()) {
                        continue;
                    }
                    text.push_str(&date);
                    text.push(',');
                    text.push_str(code);
                    for m in mats {
                        text.push(',');
                        push_num(&mut text, m.get(d, s), precision);
                    }
                    text.push('\n');
                }
            }
            gzip(text.as_bytes())
        })
        .collect();
    crate::atomic::write_with(path, |out| {
        out.write_all(&gzip(header.as_bytes())?)?;
        for m in members {
            out.write_all(&m?)?;
        }
        Ok(())
    })
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::fast());
    gz.write_all(bytes)?;
    gz.finish()
}

/// Writes a `date, code, <matrix names…>` table of named matrices (e.g. the synthetic truth).
pub fn write_matrices(panel: &Panel, path: &Path, mats: &BTreeMap<String, Matrix>) -> Result<()> {
    let names: Vec<&str> = mats.keys().map(String::as_str).collect();
    let refs: Vec<&Matrix> = mats.values().collect();
    write_long(panel, path, &names, &refs, Precision::F64, &|_, _| true)
}

/// Shortest round-trip decimal at `precision`; empty for NaN.
fn push_num(out: &mut String, v: f64, precision: Precision) {
    if v.is_finite() {
        let _ = match precision {
            Precision::F64 => write!(out, "{v}"),
            Precision::F32 => write!(out, "{}", v as f32),
        };
    }
}

fn write_gz(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, &gzip(bytes).map_err(|e| Error::io(path, e))?)
}
