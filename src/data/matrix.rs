//! `Matrix`: a dense `[date, stock]` table of `f64` with `NaN` for missing values.

/// A dense `[date, stock]` matrix, row-major: row `d` holds every stock on date `d`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub n_dates: usize,
    pub n_stocks: usize,
    /// `n_dates * n_stocks` values; `data[d * n_stocks + s]`.
    pub data: Vec<f64>,
}

impl Matrix {
    /// A matrix of the given shape filled with `NaN`.
    pub fn nan(n_dates: usize, n_stocks: usize) -> Matrix {
        Matrix { n_dates, n_stocks, data: vec![f64::NAN; n_dates * n_stocks] }
    }

    pub fn get(&self, d: usize, s: usize) -> f64 {
        self.data[d * self.n_stocks + s]
    }

    pub fn set(&mut self, d: usize, s: usize, v: f64) {
        self.data[d * self.n_stocks + s] = v;
    }

    /// All stocks on date `d`.
    pub fn row(&self, d: usize) -> &[f64] {
        &self.data[d * self.n_stocks..(d + 1) * self.n_stocks]
    }

    pub fn row_mut(&mut self, d: usize) -> &mut [f64] {
        &mut self.data[d * self.n_stocks..(d + 1) * self.n_stocks]
    }

    /// One stock's values over all dates (a strided copy).
    pub fn column(&self, s: usize) -> Vec<f64> {
        (0..self.n_dates).map(|d| self.get(d, s)).collect()
    }

    /// Per stock, the first and last date whose value passes `keep` (`None`: no such date).
    pub fn first_last(&self, keep: impl Fn(f64) -> bool) -> Vec<Option<(usize, usize)>> {
        first_last_per_column(&self.data, self.n_stocks, |v| keep(*v))
    }

    /// Number of finite values.
    pub fn count_finite(&self) -> usize {
        self.data.iter().filter(|v| v.is_finite()).count()
    }

    /// Elementwise combination of two same-shaped matrices.
    pub fn zip_with(&self, other: &Matrix, f: impl Fn(f64, f64) -> f64) -> Matrix {
        assert_eq!((self.n_dates, self.n_stocks), (other.n_dates, other.n_stocks));
        let data = self.data.iter().zip(&other.data).map(|(&a, &b)| f(a, b)).collect();
        Matrix { n_dates: self.n_dates, n_stocks: self.n_stocks, data }
    }

    /// Elementwise transform.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Matrix {
        Matrix { n_dates: self.n_dates, n_stocks: self.n_stocks, data: self.data.iter().map(|&v| f(v)).collect() }
    }

    /// Copies this matrix onto new axes: `date_map[d]` / `stock_map[s]` give the new
    /// row / column of old row `d` / column `s` (`None` drops it). New cells start as `NaN`.
    pub fn remap(&self, n_dates: usize, n_stocks: usize, date_map: &[Option<usize>], stock_map: &[Option<usize>]) -> Matrix {
        let mut out = Matrix::nan(n_dates, n_stocks);
        for (d, nd) in date_map.iter().enumerate() {
            let Some(nd) = *nd else { continue };
            let src = self.row(d);
            let dst = out.row_mut(nd);
            for (s, ns) in stock_map.iter().enumerate() {
                if let Some(ns) = *ns {
                    dst[ns] = src[s];
                }
            }
        }
        out
    }
}

/// Per column of a row-major `[row, column]` array of `n_cols` columns, the first and last
/// row whose cell passes `keep`, in one pass over the rows (a strided scan per column would
/// miss the cache on every cell).
pub fn first_last_per_column<T>(data: &[T], n_cols: usize, keep: impl Fn(&T) -> bool) -> Vec<Option<(usize, usize)>> {
    let mut out: Vec<Option<(usize, usize)>> = vec![None; n_cols];
    for (r, row) in data.chunks_exact(n_cols.max(1)).enumerate() {
        for (span, v) in out.iter_mut().zip(row) {
            if keep(v) {
                *span = Some(span.map_or((r, r), |(a, _)| (a, r)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remap_moves_cells_and_fills_nan() {
        // 2 dates x 2 stocks: [[1, 2], [3, 4]] onto 3 dates x 3 stocks, dates shifted by one,
        // stock 0 -> column 2, stock 1 dropped.
        let m = Matrix { n_dates: 2, n_stocks: 2, data: vec![1.0, 2.0, 3.0, 4.0] };
        let r = m.remap(3, 3, &[Some(1), Some(2)], &[Some(2), None]);
        assert!(r.row(0).iter().all(|v| v.is_nan()));
        assert_eq!(r.get(1, 2), 1.0);
        assert_eq!(r.get(2, 2), 3.0);
        assert!(r.get(1, 0).is_nan() && r.get(2, 1).is_nan());
        assert_eq!(r.count_finite(), 2);
    }
}
