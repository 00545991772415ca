//! A folder (or archive) of per-stock baostock `query_history_k_data_plus` exports named like
//! `sh.600519.csv` or `stock_data_sh.600519.csv`. Columns are read by name (their order
//! varies). `turn` → `turnover` (%), `peTTM`/`pbMRQ`/`psTTM`/`pcfNcfTTM` → the valuation
//! fields, `isST` → `is_st`, `pctChg` → `pct_change`; a row with `tradestatus = 0` gets
//! volume 0.
//!
//! **Price basis.** Unadjusted bars (`adjustflag = 3`) are stored as raw prices. Adjusted
//! bars (1 back-adjusted, 2 forward-adjusted) are stored as the `*_adjusted` price fields
//! ([`ADJUSTED_PRICES`]), never as raw prices: [`fill_prices_from_adjusted`] (run after
//! merging) gives them to the stocks that no raw source prices at all, and says so.

use rayon::prelude::*;

use crate::data::Matrix;
use crate::data::fast_csv::FastCsv;
use crate::data::panel::{Panel, field};
use crate::data::rows::DailyRows;
use crate::data::source::Source;
use crate::data::standard::daily::{ParsedDaily, parse_daily};
use crate::error::{Error, Result, first_few};

/// Where adjusted bars are kept: `open_adjusted`, …, in the order of [`field::PRICES`].
pub const ADJUSTED_PRICES: [&str; 4] = ["open_adjusted", "high_adjusted", "low_adjusted", "close_adjusted"];

/// The per-stock export files at the source's root.
fn export_files(src: &Source) -> Result<Vec<String>> {
    Ok(src.list("", false)?.into_iter().filter(|f| is_export_name(f)).collect())
}

fn is_export_name(f: &str) -> bool {
    let stem = f.strip_suffix(".csv.gz").or_else(|| f.strip_suffix(".csv")).unwrap_or("");
    let stem = stem.strip_prefix("stock_data_").unwrap_or(stem);
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
        return Err(Error::format(
            src.root().display(),
            "no baostock exports (files named like sh.600519.csv or stock_data_sh.600519.csv)",
        ));
    }
    let parsed: Vec<ParsedDaily> =
        files.par_iter().map(|f| parse_daily(FastCsv::open(src.display(f), src.stream(f)?)?)).collect::<Result<_>>()?;
    // One price basis for the whole source: adjusted and raw bars cannot share the price fields.
    let mut basis: Option<(u8, String)> = None;
    for p in &parsed {
        let flags = p.info.adjust_flags;
        if flags.count_ones() > 1 {
            return Err(Error::format(&p.file, "rows with different adjustflag values in one file"));
        }
        match &basis {
            Some((b, first)) if *b != flags => {
                return Err(Error::format(
                    &p.file,
                    format!("adjustflag differs from {first}'s: a source's files must share one price basis"),
                ));
            }
            Some(_) => {}
            None => basis = Some((flags, p.file.clone())),
        }
    }
    let flags = basis.map_or(0, |b| b.0);
    let mut all: Option<DailyRows> = None;
    let mut suspended = 0;
    for p in parsed {
        suspended += p.into_rows(&mut all)?.suspended_rows;
    }
    let mut panel = all.expect("at least one file").into_panel(&[]);
    let mut line = format!("baostock: {} ({} exports, {suspended} rows with tradestatus 0)", src.root().display(), files.len());
    if flags & 0b110 != 0 {
        for (raw, adj) in field::PRICES.iter().zip(ADJUSTED_PRICES) {
            if let Some(m) = panel.fields.remove(*raw) {
                panel.fields.insert(adj.to_string(), m);
            }
        }
        let kind = if flags & 0b10 != 0 { "back-adjusted (adjustflag 1)" } else { "forward-adjusted (adjustflag 2)" };
        line.push_str(&format!("; prices {kind}: kept apart from raw prices"));
    }
    panel.provenance.push(line);
    Ok(panel)
}

/// Gives adjusted bars to the stocks that no source prices raw, after merging: their
/// `open..close` become the adjusted prices with `adj_factor` 1, so returns, labels and
/// price-limit checks hold, but a 100-share lot is priced at the adjusted price (a
/// back-adjusted price is above the traded one). Returns the warning to show, if any stock
/// was filled or adjusted prices were dropped because raw ones exist.
pub fn fill_prices_from_adjusted(panel: &mut Panel) -> Option<String> {
    let (nd, ns) = (panel.n_dates(), panel.n_stocks());
    let has = |m: Option<&Matrix>, s: usize| m.is_some_and(|m| (0..nd).any(|d| m.data[d * ns + s].is_finite()));
    let adj_close = panel.fields.get(ADJUSTED_PRICES[3])?;
    let raw_close = panel.fields.get(field::CLOSE);
    let with_adjusted: Vec<usize> = (0..ns).filter(|&s| has(Some(adj_close), s)).collect();
    let only_adjusted: Vec<usize> = with_adjusted.iter().copied().filter(|&s| !has(raw_close, s)).collect();
    let mut copy = |to: &str, from: Option<&str>| {
        let src = from.and_then(|f| panel.fields.get(f).cloned());
        let dst = panel.fields.entry(to.to_string()).or_insert_with(|| Matrix::nan(nd, ns));
        for &s in &only_adjusted {
            for d in 0..nd {
                // No source: adj_factor 1, the prices are already adjusted.
                dst.data[d * ns + s] = src.as_ref().map_or(1.0, |m| m.data[d * ns + s]);
            }
        }
    };
    if !only_adjusted.is_empty() {
        for (raw, adj) in field::PRICES.iter().zip(ADJUSTED_PRICES) {
            copy(raw, Some(adj));
        }
        copy(field::ADJ_FACTOR, None);
    }
    for adj in ADJUSTED_PRICES {
        panel.fields.remove(adj);
    }
    let names = first_few(only_adjusted.iter().map(|&s| &panel.stocks[s]));
    let total = with_adjusted.len();
    Some(if names.is_empty() {
        format!("adjusted bars of {total} stocks not used as prices: every one has raw prices from another source")
    } else {
        format!(
            "{} of {total} stocks have only adjusted bars, used as their prices (adj_factor 1): returns and \
             price limits hold, but lots of 100 shares are priced at adjusted prices, so positions in them \
             are sized on prices that differ from the traded ones: {}",
            only_adjusted.len(),
            names
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn export_names() {
        assert!(super::is_export_name("sh.600519.csv"));
        assert!(super::is_export_name("sz.000001.csv.gz"));
        assert!(super::is_export_name("stock_data_sh.600519.csv"));
        assert!(!super::is_export_name("daily.csv"));
        assert!(!super::is_export_name("sh.60051.csv"));
    }
}
