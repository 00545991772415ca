//! Time steps held in one day's features (`[dataset] feature_steps`): qlib's Alpha360 keeps
//! 60 days of 5–6 price fields in one day's 300–360 columns (`CLOSE59 … CLOSE0, OPEN59 …`),
//! and its LSTM reads them as 60 steps × the fields. [`day_rows`] lays such columns out as
//! `[date, stock, step, field]`, so a sample's window is contiguous like any other's.

use std::sync::Arc;

use crate::data::Matrix;
use crate::error::{Error, Result};

/// The `[date, stock, k, n / k]` array (row-major, f32) of `columns` (`n` matrices `[date,
/// stock]`, field-major with `k` steps each, oldest first): column `c` is field `c / k` at
/// step `c % k` (qlib's `reshape(N, d_feat, -1).permute(0, 2, 1)`). With `k = 1` it is
/// `[date, stock, n]` in column order. Made in place where it will be shared (a Vec turned
/// into an `Arc` is copied: on Alpha360 that was 1.8 GB more at the peak of a data set build).
pub fn day_rows(columns: &[&Matrix], k: usize) -> Arc<[f32]> {
    let row = columns.len();
    let nf = row / k.max(1);
    let cells = columns.first().map_or(0, |m| m.data.len());
    let mut out: Arc<[f32]> = std::iter::repeat_n(f32::NAN, cells * row).collect();
    let rows = Arc::get_mut(&mut out).expect("not shared yet");
    // In blocks of cells, so each block's rows stay in cache while every column fills them
    // (column by column over all cells, each value touched a cache line of its own).
    for (b, block) in rows.chunks_mut(CELLS_PER_BLOCK * row.max(1)).enumerate() {
        let from = b * CELLS_PER_BLOCK;
        for (c, m) in columns.iter().enumerate() {
            let at = (c % k) * nf + c / k;
            for (r, v) in block.chunks_exact_mut(row).zip(&m.data[from..]) {
                r[at] = *v as f32;
            }
        }
    }
    out
}

/// Cells (stock-days) per block of [`day_rows`]: a block of 300 columns is about 300 KB.
const CELLS_PER_BLOCK: usize = 256;

/// With `k` steps a day, checks that factor names of the form `FIELD<lag>` (Alpha360's) come
/// field-major, oldest first: `k` names per field, lags `k−1 … 0`. Other names are taken in
/// the order given; only their count must divide by `k`.
pub fn check_step_order(names: &[String], k: usize) -> Result<()> {
    if k == 1 {
        return Ok(());
    }
    if !names.len().is_multiple_of(k) {
        return Err(Error::Config(format!(
            "dataset.feature_steps = {k}: the {} factors do not divide into fields of {k} steps",
            names.len()
        )));
    }
    let split = |n: &str| {
        let at = n.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        n[at..].parse::<usize>().ok().map(|lag| (n[..at].to_string(), lag))
    };
    let parsed: Option<Vec<(String, usize)>> = names.iter().map(|n| split(n)).collect();
    let Some(parsed) = parsed else { return Ok(()) };
    for (c, (field, lag)) in parsed.iter().enumerate() {
        let (first, want) = (&parsed[c - c % k].0, k - 1 - c % k);
        if field != first || *lag != want {
            return Err(Error::Config(format!(
                "dataset.feature_steps = {k} reads the factors as fields x {k} steps, oldest first \
                 ({first}{} … {first}0), but factor {} is `{}`: list them in that order",
                k - 1,
                c + 1,
                names[c]
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Two fields (A, B) × 3 steps at one (date, stock): columns A2 A1 A0 B2 B1 B0 become
    /// steps [A2 B2] [A1 B1] [A0 B0].
    #[test]
    fn day_rows_put_each_step_s_fields_together() {
        let cols: Vec<Matrix> =
            [2.0, 1.0, 0.0, 12.0, 11.0, 10.0].iter().map(|&v| Matrix { n_dates: 1, n_stocks: 1, data: vec![v] }).collect();
        let refs: Vec<&Matrix> = cols.iter().collect();
        assert_eq!(*day_rows(&refs, 3), [2.0, 12.0, 1.0, 11.0, 0.0, 10.0]);
        assert_eq!(*day_rows(&refs, 1), [2.0, 1.0, 0.0, 12.0, 11.0, 10.0]);
    }

    #[test]
    fn step_order_is_checked_on_lagged_names() {
        assert!(check_step_order(&names(&["CLOSE2", "CLOSE1", "CLOSE0", "OPEN2", "OPEN1", "OPEN0"]), 3).is_ok());
        // Newest first: refused, naming the column.
        let e = check_step_order(&names(&["CLOSE0", "CLOSE1", "CLOSE2"]), 3).unwrap_err().to_string();
        assert!(e.contains("factor 1 is `CLOSE0`") && e.contains("CLOSE2 … CLOSE0"), "{e}");
        // Interleaved fields: refused.
        let e = check_step_order(&names(&["CLOSE1", "OPEN0", "OPEN1", "CLOSE0"]), 2).unwrap_err().to_string();
        assert!(e.contains("factor 2 is `OPEN0`"), "{e}");
        // A count that does not divide.
        assert!(check_step_order(&names(&["A1", "A0", "B1"]), 2).is_err());
        // Names without lags are taken in the order given.
        assert!(check_step_order(&names(&["x", "y", "z", "w"]), 2).is_ok());
        assert!(check_step_order(&names(&["CLOSE0", "x"]), 1).is_ok());
    }
}
