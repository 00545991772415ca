//! The `SH000300`-like benchmark: float-cap-weighted over the day's members.
//!
//! Day 0 closes at [`BASE`] points. On day `t > 0`, with members `M_t` that also traded on
//! `t − 1` and weights `w_i = close[t−1] × float[t−1]` (raw CNY):
//! `X_t = close_{t−1} × Σ w_i · (x_i[t] · adj_i[t]) / (close_i[t−1] · adj_i[t−1]) / Σ w_i`
//! for `x` in open, high, low, close (a total-return index: dividends are reinvested
//! through the adjustment factor). Volume is the members' summed volume, shares.

use std::collections::BTreeMap;

use crate::data::{IndexSeries, Matrix, field};

/// The index level on the first day.
pub const BASE: f64 = 3500.0;

/// Daily price fields of the constituents, `[date, stock]`.
pub struct Constituents<'a> {
    pub open: &'a Matrix,
    pub high: &'a Matrix,
    pub low: &'a Matrix,
    pub close: &'a Matrix,
    pub volume: &'a Matrix,
    pub adj_factor: &'a Matrix,
    pub float_shares: &'a Matrix,
}

/// The index series for the membership `mask` (`[date, stock]`, row-major).
pub fn build(c: &Constituents, mask: &[bool]) -> IndexSeries {
    let (nd, ns) = (c.close.n_dates, c.close.n_stocks);
    let prices = [c.open, c.high, c.low, c.close];
    let mut out: [Vec<f64>; 5] = std::array::from_fn(|_| vec![f64::NAN; nd]);
    let mut level = BASE;
    for d in 0..nd {
        let mut sums = [0.0; 4];
        let mut wsum = 0.0;
        let mut volume = 0.0;
        for i in (0..ns).filter(|&i| mask[d * ns + i]) {
            volume += c.volume.get(d, i);
            // Day 0 is priced against its own close; later days against yesterday's.
            let base_day = d.saturating_sub(1);
            let (p0, a0) = (c.close.get(base_day, i), c.adj_factor.get(base_day, i));
            let w = p0 * c.float_shares.get(base_day, i);
            if !(w.is_finite() && w > 0.0) {
                continue;
            }
            wsum += w;
            for (sum, x) in sums.iter_mut().zip(prices) {
                *sum += w * (x.get(d, i) * c.adj_factor.get(d, i)) / (p0 * a0);
            }
        }
        let ratio = |k: usize| if wsum > 0.0 { sums[k] / wsum } else { 1.0 };
        let base = if d == 0 { BASE / ratio(3) } else { level };
        for (k, series) in out.iter_mut().take(4).enumerate() {
            series[d] = base * ratio(k);
        }
        out[4][d] = volume;
        level = out[3][d];
    }
    let names = [field::OPEN, field::HIGH, field::LOW, field::CLOSE, field::VOLUME];
    let fields: BTreeMap<String, Vec<f64>> = names.iter().map(|n| n.to_string()).zip(out).collect();
    IndexSeries { fields }
}
