//! alphalens' `get_clean_factor_and_forward_returns`: forward returns from prices, the rows
//! that have a factor and every forward return, and per-date factor quantiles (`pd.qcut`).

use crate::data::Matrix;

/// Forward returns `[date, asset]` for each period p: price[t+p] / price[t] − 1 on prices
/// carried forward over gaps (alphalens: `prices.ffill().pct_change(p).shift(-p)`).
pub fn forward_returns(prices: &Matrix, periods: &[usize]) -> Vec<Matrix> {
    forward_returns_after(prices, periods, 0)
}

/// Forward returns entered `delay` days after the factor's date: price[t+delay+p] /
/// price[t+delay] − 1 (`delay` 1: the return of a position taken at the next close, the
/// one the model's label and the backtest use).
pub fn forward_returns_after(prices: &Matrix, periods: &[usize], delay: usize) -> Vec<Matrix> {
    let (nd, ns) = (prices.n_dates, prices.n_stocks);
    let mut filled = prices.clone();
    for s in 0..ns {
        let mut last = f64::NAN;
        for t in 0..nd {
            let v = filled.data[t * ns + s];
            if v.is_nan() {
                filled.data[t * ns + s] = last;
            } else {
                last = v;
            }
        }
    }
    periods
        .iter()
        .map(|&p| {
            let mut m = Matrix::nan(nd, ns);
            for t in 0..nd.saturating_sub(p + delay) {
                let e = t + delay;
                for s in 0..ns {
                    m.data[t * ns + s] = filled.data[(e + p) * ns + s] / filled.data[e * ns + s] - 1.0;
                }
            }
            m
        })
        .collect()
}

/// The clean rows of one date.
#[derive(Clone, Debug, Default)]
pub struct Day {
    /// Asset (column) index of each row, ascending.
    pub assets: Vec<u32>,
    pub factor: Vec<f64>,
    /// `fwd[period][row]`.
    pub fwd: Vec<Vec<f64>>,
    /// Quantile 1..=Q of each row.
    pub quantile: Vec<u8>,
    /// Average rank (0-based) of each row's factor within the date.
    pub factor_rank: Vec<f64>,
}

/// Clean factor data on the calendar: `days[t]` is `None` where no row survived.
#[derive(Clone, Debug)]
pub struct CleanFactor {
    pub periods: Vec<usize>,
    pub quantiles: usize,
    pub days: Vec<Option<Day>>,
    /// Rows with a finite factor; rows lost for a missing forward return; rows lost in binning.
    pub initial: usize,
    pub lost_forward: usize,
    pub lost_binning: usize,
    /// Dates whose quantile edges were not unique (dropped, as alphalens does).
    pub failed_dates: Vec<usize>,
}

/// Builds the clean factor data from a `[date, asset]` factor and the forward returns.
pub fn clean_factor(factor: &Matrix, fwd: &[Matrix], periods: &[usize], quantiles: usize) -> CleanFactor {
    let ns = factor.n_stocks;
    let mut out = CleanFactor {
        periods: periods.to_vec(),
        quantiles,
        days: Vec::with_capacity(factor.n_dates),
        initial: 0,
        lost_forward: 0,
        lost_binning: 0,
        failed_dates: vec![],
    };
    for t in 0..factor.n_dates {
        let mut day = Day { fwd: vec![Vec::new(); fwd.len()], ..Day::default() };
        for s in 0..ns {
            let f = factor.data[t * ns + s];
            if !f.is_finite() {
                continue;
            }
            out.initial += 1;
            if fwd.iter().any(|m| !m.data[t * ns + s].is_finite()) {
                out.lost_forward += 1;
                continue;
            }
            day.assets.push(s as u32);
            day.factor.push(f);
            for (k, m) in fwd.iter().enumerate() {
                day.fwd[k].push(m.data[t * ns + s]);
            }
        }
        if day.assets.is_empty() {
            out.days.push(None);
            continue;
        }
        let order = crate::stats::argsort(&day.factor);
        match qcut_sorted(&day.factor, &order, quantiles) {
            Some(q) => {
                day.quantile = q;
                day.factor_rank = crate::stats::ranks_in_order(&day.factor, &order);
                out.days.push(Some(day));
            }
            None => {
                out.lost_binning += day.assets.len();
                out.failed_dates.push(t);
                out.days.push(None);
            }
        }
    }
    out
}

/// pandas `qcut(x, q, labels=False) + 1`: quantile edges by numpy's "linear" quantile,
/// reproduced operation for operation (pandas 3.1, numpy 2.4; see
/// tests/golden/alphalens/README.md) so that values on an edge fall the same way; bins are
/// right-closed with the lowest edge included. `None` when edges are not unique (pandas
/// raises; alphalens then drops the date).
pub fn qcut(x: &[f64], q: usize) -> Option<Vec<u8>> {
    qcut_sorted(x, &crate::stats::argsort(x), q)
}

/// [`qcut`] given `order = argsort(x)`.
pub fn qcut_sorted(x: &[f64], order: &[usize], q: usize) -> Option<Vec<u8>> {
    let sorted: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let n = sorted.len();
    // numpy.linspace(0, 1, q + 1): i * step, last set exactly to 1.
    let step = 1.0 / q as f64;
    let edges: Vec<f64> = (0..=q)
        .map(|k| {
            // numpy.linspace(0, 1, q + 1) gives k·step (the last exactly 1); pandas 3 then
            // nudges a level up one ulp where q·level ≠ k (k = 3 of 5: 0.6000000000000002).
            let mut level = if k == q { 1.0 } else { k as f64 * step };
            if q as f64 * level != k as f64 {
                level = level.next_up();
            }
            // numpy's "linear" quantile: virtual index (n − 1)·level, then _lerp, which
            // switches formula at t >= 0.5; at or past the last index, the maximum.
            let virt = (n - 1) as f64 * level;
            if virt >= (n - 1) as f64 {
                return sorted[n - 1];
            }
            let prev = virt.floor();
            let gamma = virt - prev;
            let (a, b) = (sorted[prev as usize], sorted[prev as usize + 1]);
            let d = b - a;
            if gamma >= 0.5 { b - d * (1.0 - gamma) } else { a + d * gamma }
        })
        .collect();
    if edges.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    Some(
        x.iter()
            .map(|v| {
                // searchsorted(edges, v, side = "left"), with v == edges[0] counted in bin 1.
                let ids = edges.partition_point(|e| e < v).max(1);
                ids as u8
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1..=10 in 5 quantiles: edges 1, 2.8, 4.6, 6.4, 8.2, 10 → two values per bin.
    /// All equal: edges collapse, no binning.
    #[test]
    fn qcut_like_pandas() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(qcut(&x, 5).unwrap(), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert!(qcut(&[1.0; 8], 5).is_none());
        // 5 values: edges are the values themselves; right-closed bins put each in its own.
        assert_eq!(qcut(&[5.0, 1.0, 3.0, 2.0, 4.0], 5).unwrap(), vec![5, 1, 3, 2, 4]);
    }

    /// Entered a day later: the return from the next close.
    #[test]
    fn forward_returns_after_a_delay_start_at_the_next_close() {
        let p = Matrix { n_dates: 4, n_stocks: 1, data: vec![10.0, 11.0, 12.1, 13.31] };
        let f = forward_returns_after(&p, &[1], 1);
        assert!((f[0].data[0] - 0.1).abs() < 1e-12 && (f[0].data[1] - 0.1).abs() < 1e-12);
        assert!(f[0].data[2].is_nan() && f[0].data[3].is_nan());
    }

    /// Prices 10, NaN, 11, 12: carried forward, 1-day returns 0, 0.1, 1/11 and a NaN tail.
    #[test]
    fn forward_returns_carry_prices_forward() {
        let p = Matrix { n_dates: 4, n_stocks: 1, data: vec![10.0, f64::NAN, 11.0, 12.0] };
        let f = forward_returns(&p, &[1, 2]);
        assert_eq!(f[0].data[0], 0.0);
        assert!((f[0].data[1] - 0.1).abs() < 1e-15);
        assert!(f[0].data[3].is_nan());
        assert!((f[1].data[0] - 0.1).abs() < 1e-15);
    }
}
