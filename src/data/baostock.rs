//! A folder (or archive) of per-stock baostock `query_history_k_data_plus` exports named like
//! `sh.600519.csv`. Columns are read by name (their order varies); bars must be unadjusted
//! (`adjustflag = 3`). `turn` → `turnover` (%), `peTTM`/`pbMRQ`/`psTTM`/`pcfNcfTTM` → the
//! valuation fields, `isST` → `is_st`; a row with `tradestatus = 0` gets volume 0.

use rayon::prelude::*;

use crate::data::fast_csv::FastCsv;
use crate::data::panel::Panel;
use crate::data::rows::DailyRows;
use crate::data::source::Source;
use crate::data::standard::daily::{ParsedDaily, parse_daily};
use crate::error::{Error, Result};

/// The per-stock export files at the source's root.
fn export_files(src: &Source) -> Result<Vec<String>> {
    Ok(src.list("", false)?.into_iter().filter(|f| is_export_name(f)).collect())
}

fn is_export_name(f: &str) -> bool {
    let stem = f.strip_suffix(".csv.gz").or_else(|| f.strip_suffix(".csv")).unwrap_or("");
    let b = stem.as_bytes();
    b.len() == 9 && matches!(&stem[..3], "sh." | "sz." | "bj.") && b[3..].iter().all(u8::is_ascii_digit)
}

/// True if the source holds baostock-style per-stock exports.
pub fn detect(src: &Source) -> bool {
    export_files(src).is_ok_and(|f| !f.is_empty())
}

/// Reads every export into one panel (in parallel, one file per task).
pub fn read_baostock(src: &Source) -> Result<Panel> {
    let files = export_files(src)?;
    if files.is_empty() {
        return Err(Error::format(src.root().display(), "no baostock exports (files named like sh.600519.csv)"));
    }
    let parsed: Vec<ParsedDaily> =
        files.par_iter().map(|f| parse_daily(FastCsv::open(src.display(f), src.stream(f)?)?)).collect::<Result<_>>()?;
    let mut all: Option<DailyRows> = None;
    let mut suspended = 0;
    for p in parsed {
        suspended += p.into_rows(&mut all)?.suspended_rows;
    }
    let mut panel = all.expect("at least one file").into_panel(&[]);
    panel.provenance.push(format!(
        "baostock: {} ({} exports, {suspended} rows with tradestatus 0)",
        src.root().display(),
        files.len()
    ));
    Ok(panel)
}

#[cfg(test)]
mod tests {
    #[test]
    fn export_names() {
        assert!(super::is_export_name("sh.600519.csv"));
        assert!(super::is_export_name("sz.000001.csv.gz"));
        assert!(!super::is_export_name("daily.csv"));
        assert!(!super::is_export_name("sh.60051.csv"));
    }
}
