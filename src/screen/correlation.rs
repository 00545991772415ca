//! The factors' Spearman correlation matrix: per date across stocks (pairs where both are
//! finite), averaged over dates.

use rayon::prelude::*;

use crate::data::Matrix;
use crate::stats;

/// `corr[i][j]` for the given factors (`[date, stock]` each); dates with fewer than 3 common
/// stocks are skipped. `mask` restricts to universe members (row-major `[date, stock]`).
pub fn mean_spearman(factors: &[&Matrix], mask: Option<&[bool]>) -> Vec<Vec<f64>> {
    let k = factors.len();
    let Some(first) = factors.first() else { return vec![] };
    let (nd, ns) = (first.n_dates, first.n_stocks);
    let pairs: Vec<(usize, usize)> = (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j))).collect();
    // Per date: each factor's finite member values and their ranks, computed once.
    let sums: Vec<(f64, usize)> = (0..nd)
        .into_par_iter()
        .map(|d| {
            let member = |s: usize| mask.is_none_or(|m| m[d * ns + s]);
            let rows: Vec<&[f64]> = factors.iter().map(|f| f.row(d)).collect();
            let full: Vec<bool> = rows.iter().map(|r| (0..ns).all(|s| !member(s) || r[s].is_finite())).collect();
            // Centred ranks scaled to unit length: a pair's Spearman is then their dot product.
            let unit: Vec<Option<Vec<f64>>> = rows
                .iter()
                .zip(&full)
                .map(|(r, &full)| {
                    full.then(|| {
                        let v: Vec<f64> = (0..ns).filter(|&s| member(s)).map(|s| r[s]).collect();
                        let mut rk = stats::ranks(&v);
                        let m = stats::mean(&rk);
                        rk.iter_mut().for_each(|x| *x -= m);
                        let norm = rk.iter().map(|x| x * x).sum::<f64>().sqrt();
                        rk.iter_mut().for_each(|x| *x /= norm);
                        rk
                    })
                })
                .collect();
            pairs
                .iter()
                .map(|&(i, j)| {
                    let r = match (&unit[i], &unit[j]) {
                        (Some(a), Some(b)) => a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>(),
                        _ => {
                            let (a, b): (Vec<f64>, Vec<f64>) = (0..ns)
                                .filter(|&s| member(s) && rows[i][s].is_finite() && rows[j][s].is_finite())
                                .map(|s| (rows[i][s], rows[j][s]))
                                .unzip();
                            if a.len() < 3 { f64::NAN } else { stats::spearman(&a, &b) }
                        }
                    };
                    if r.is_finite() { (r, 1) } else { (0.0, 0) }
                })
                .collect::<Vec<_>>()
        })
        .reduce(|| vec![(0.0, 0); pairs.len()], |a, b| a.iter().zip(&b).map(|(x, y)| (x.0 + y.0, x.1 + y.1)).collect());
    let mut out = vec![vec![f64::NAN; k]; k];
    for (i, row) in out.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for (&(i, j), &(s, n)) in pairs.iter().zip(&sums) {
        let v = if n > 0 { s / n as f64 } else { f64::NAN };
        out[i][j] = v;
        out[j][i] = v;
    }
    out
}
