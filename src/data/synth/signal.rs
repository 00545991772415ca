//! The planted signal: six alpha components, each a premium times a cross-sectionally
//! standardized score computed from data visible at the close of day `v`. The generator
//! writes `premium × score(v)` to truth row `t = v + 1` and adds it to the drift of the
//! return from close `t` to close `t + 1`: one day of delay, so a strategy that decides on
//! `t − 1`'s close and trades at `t`'s close earns it. docs/SYNTH.md gives every formula.
//!
//! The scores are pure functions of panel data (rows `<= v`) and of reports announced
//! before `dates[v]`, so anyone holding the panel can recompute them; the tests do.

use crate::data::{Date, Matrix};

use super::accounts::Book;

/// Component names, in the order of [`PREMIA`] and of [`scores`]' output.
pub const COMPONENTS: [&str; 6] =
    ["alpha_value", "alpha_quality", "alpha_size", "alpha_skew", "alpha_reversal", "alpha_nonlinear"];

/// Daily drift per unit of score (fractions: 4e-4 = 4 bp/day). The sign is the premium's.
pub const PREMIA: [f64; 6] = [4.0e-4, 4.0e-4, -4.0e-4, -4.0e-4, -4.0e-4, 5.0e-4];

/// Weight of the WVAD score `j` days back in the reversal component: `DECAY^j`, j = 0..5.
pub const DECAY: f64 = 0.6;
pub const DECAY_DAYS: usize = 5;

/// Panel data the scores read: `[date, stock]` matrices (raw prices in CNY, volume in
/// shares, turnover in %, shares) and every stock's reports in period order.
pub struct Inputs<'a> {
    pub dates: &'a [Date],
    pub open: &'a Matrix,
    pub high: &'a Matrix,
    pub low: &'a Matrix,
    pub close: &'a Matrix,
    pub volume: &'a Matrix,
    pub adj_factor: &'a Matrix,
    pub turnover: &'a Matrix,
    pub total_shares: &'a Matrix,
    pub float_shares: &'a Matrix,
    pub books: &'a [Book],
}

/// Unit-variance scores of the six components at the close of day `v`, `[component][stock]`,
/// unsigned (the premium carries the sign); 0 where a stock's inputs are missing.
pub fn scores(inp: &Inputs, v: usize) -> [Vec<f64>; 6] {
    Scorer::default().scores(inp, v)
}

/// [`scores`] with a memo of past days' WVAD rank scores, for a caller that scores day
/// after day (a day's WVAD depends only on rows up to that day, which never change).
#[derive(Default)]
pub struct Scorer {
    /// `(day, stocks with a WVAD, WVAD rank scores [stock])` of the last `DECAY_DAYS` days.
    wvad_ranks: Vec<(usize, Vec<usize>, Vec<f64>)>,
}

impl Scorer {
    /// The stocks with a WVAD on day `w` and the WVAD rank scores, `[stock]`.
    fn wvad_ranks(&mut self, inp: &Inputs, w: usize) -> (Vec<usize>, Vec<f64>) {
        if let Some((_, valid, r)) = self.wvad_ranks.iter().find(|(d, _, _)| *d == w) {
            return (valid.clone(), r.clone());
        }
        let raw = wvad(inp, w);
        let r = rank_scores(&raw, inp.close.n_stocks);
        let valid: Vec<usize> = raw.iter().map(|x| x.0).collect();
        self.wvad_ranks.push((w, valid.clone(), r.clone()));
        if self.wvad_ranks.len() > DECAY_DAYS {
            self.wvad_ranks.remove(0);
        }
        (valid, r)
    }

    /// The scores at the close of day `v`; see [`scores`].
    pub fn scores(&mut self, inp: &Inputs, v: usize) -> [Vec<f64>; 6] {
        let ns = inp.close.n_stocks;
        let listed = |d: usize, i: usize| inp.close.get(d, i).is_finite();
        let adj_close = |d: usize, i: usize| inp.close.get(d, i) * inp.adj_factor.get(d, i);

        let mut sp = Vec::new();
        let mut roe = Vec::new();
        let mut size = Vec::new();
        let mut skew = Vec::new();
        for i in 0..ns {
            if !listed(v, i) {
                continue;
            }
            let close = inp.close.get(v, i);
            let book = &inp.books[i];
            if let Some((rev, np, eq)) = book.ttm(book.visible(inp.dates[v])) {
                let cap = close * inp.total_shares.get(v, i);
                if cap > 0.0 {
                    sp.push((i, rev / cap));
                }
                if eq > 0.0 {
                    roe.push((i, np / eq));
                }
            }
            let float_cap = close * inp.float_shares.get(v, i);
            if float_cap > 0.0 {
                size.push((i, float_cap.ln()));
            }
            if v >= 20 && listed(v - 20, i) {
                let mut r = [0.0; 20];
                for (k, d) in (v - 19..=v).enumerate() {
                    r[k] = adj_close(d, i) / adj_close(d - 1, i) - 1.0;
                }
                if let Some(g) = skewness(&r) {
                    skew.push((i, g));
                }
            }
        }

        // Reversal: WVAD rank scores of the last DECAY_DAYS days, decayed, then ranked again.
        let mut decayed = vec![0.0; ns];
        let mut valid_today = Vec::new();
        for j in (0..DECAY_DAYS.min(v + 1)).rev() {
            let (valid, w) = self.wvad_ranks(inp, v - j);
            valid_today = valid;
            let weight = DECAY.powi(j as i32);
            for (acc, s) in decayed.iter_mut().zip(&w) {
                *acc += weight * s;
            }
        }
        let reversal: Vec<(usize, f64)> = valid_today.into_iter().map(|i| (i, decayed[i])).collect();

        [
            rank_scores(&sp, ns),
            rank_scores(&roe, ns),
            rank_scores(&size, ns),
            rank_scores(&skew, ns),
            rank_scores(&reversal, ns),
            nonlinear(inp, v),
        ]
    }
}

/// WVAD over the 6 days ending at `w`: Σ (close − open) / (high − low) × volume, raw prices,
/// a day with `high == low` contributing 0. Only stocks listed on all 6 days.
pub fn wvad(inp: &Inputs, w: usize) -> Vec<(usize, f64)> {
    if w < 5 {
        return Vec::new();
    }
    (0..inp.close.n_stocks)
        .filter(|&i| (w - 5..=w).all(|d| inp.close.get(d, i).is_finite()))
        .map(|i| {
            let sum = (w - 5..=w)
                .map(|d| {
                    let (h, l) = (inp.high.get(d, i), inp.low.get(d, i));
                    if h > l { (inp.close.get(d, i) - inp.open.get(d, i)) / (h - l) * inp.volume.get(d, i) } else { 0.0 }
                })
                .sum();
            (i, sum)
        })
        .collect()
}

/// The nonlinear, temporal score at `v`: `x · sign(rel5)`. `ret5` is the 5-day return of
/// the adjusted close (`v − 5 -> v`), `rel5 = ret5 − median(ret5)` across stocks, and `x`
/// is the rank score of the 10-day turnover change (`turnover[v] − turnover[v − 10]`,
/// percentage points) with its least-squares projection on the rank scores of `rel5` and
/// of `|rel5|` removed, rescaled to unit variance. Stocks need finite values of all four.
pub fn nonlinear(inp: &Inputs, v: usize) -> Vec<f64> {
    let ns = inp.close.n_stocks;
    let mut out = vec![0.0; ns];
    if v < 10 {
        return out;
    }
    let mut d_turn = Vec::new();
    let mut ret5 = Vec::new();
    for i in 0..ns {
        let (t0, t1) = (inp.turnover.get(v - 10, i), inp.turnover.get(v, i));
        let (c0, c1) = (inp.close.get(v - 5, i) * inp.adj_factor.get(v - 5, i), inp.close.get(v, i) * inp.adj_factor.get(v, i));
        if t0.is_finite() && t1.is_finite() && c0.is_finite() && c1.is_finite() {
            d_turn.push((i, t1 - t0));
            ret5.push((i, c1 / c0 - 1.0));
        }
    }
    if ret5.len() < 3 {
        return out;
    }
    let med = median(ret5.iter().map(|x| x.1).collect());
    let rel: Vec<(usize, f64)> = ret5.iter().map(|&(i, r)| (i, r - med)).collect();
    let abs_rel: Vec<(usize, f64)> = rel.iter().map(|&(i, r)| (i, r.abs())).collect();
    let a = rank_scores(&d_turn, ns);
    let b1 = rank_scores(&rel, ns);
    let b2 = rank_scores(&abs_rel, ns);
    // Two-regressor least squares a ~ b1 + b2 (all centred), by the normal equations.
    let (mut s11, mut s12, mut s22, mut s1a, mut s2a) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(i, _) in &d_turn {
        s11 += b1[i] * b1[i];
        s12 += b1[i] * b2[i];
        s22 += b2[i] * b2[i];
        s1a += b1[i] * a[i];
        s2a += b2[i] * a[i];
    }
    let det = s11 * s22 - s12 * s12;
    let (g1, g2) = if det > 1e-12 { ((s22 * s1a - s12 * s2a) / det, (s11 * s2a - s12 * s1a) / det) } else { (0.0, 0.0) };
    let x: Vec<f64> = d_turn.iter().map(|&(i, _)| a[i] - g1 * b1[i] - g2 * b2[i]).collect();
    let sd = (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt();
    if sd > 0.0 {
        for (&(i, _), (xv, &(_, r))) in d_turn.iter().zip(x.iter().zip(&rel)) {
            let sign = if r > 0.0 {
                1.0
            } else if r < 0.0 {
                -1.0
            } else {
                0.0
            };
            out[i] = xv / sd * sign;
        }
    }
    out
}

/// Median of a non-empty list (mean of the middle two for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) }
}

/// Sample skewness `m3 / m2^1.5` (population moments); `None` for constant data.
pub fn skewness(x: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let m2 = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / n;
    (m2 > 1e-18 && m3.is_finite()).then(|| m3 / m2.powf(1.5))
}

/// Centered rank scores with unit variance: `sqrt(12) · ((rank + 0.5) / n − 0.5)`, ties
/// sharing their mean rank; stocks without a value get 0. `[stock]`.
pub fn rank_scores(values: &[(usize, f64)], n_stocks: usize) -> Vec<f64> {
    let mut out = vec![0.0; n_stocks];
    let m = values.len();
    if m < 2 {
        return out;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let scale = 12f64.sqrt();
    let mut k = 0;
    while k < m {
        let mut e = k;
        while e + 1 < m && sorted[e + 1].1 == sorted[k].1 {
            e += 1;
        }
        let rank = (k + e) as f64 / 2.0;
        for &(i, _) in &sorted[k..=e] {
            out[i] = scale * ((rank + 0.5) / m as f64 - 0.5);
        }
        k = e + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranks of [3, 1, 2, 2] are [3, 0, 1.5, 1.5]; scores sqrt(12)·((r + 0.5)/4 − 0.5):
    /// r = 3 -> 0.375·3.4641 = 1.2990, r = 0 -> −1.2990, r = 1.5 -> 0.
    #[test]
    fn rank_scores_by_hand() {
        let s = rank_scores(&[(0, 3.0), (1, 1.0), (2, 2.0), (4, 2.0)], 5);
        let e = [1.299_038, -1.299_038, 0.0, 0.0, 0.0];
        for (a, b) in s.iter().zip(e) {
            assert!((a - b).abs() < 1e-6, "{s:?}");
        }
    }

    /// [0, 0, 3]: mean 1, deviations (−1, −1, 2): m2 = 6/3 = 2, m3 = (−1 −1 + 8)/3 = 2,
    /// skew = 2 / 2^1.5 = 1/sqrt(2).
    #[test]
    fn skewness_by_hand() {
        assert!((skewness(&[0.0, 0.0, 3.0]).unwrap() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert!(skewness(&[1.0, 1.0, 1.0]).is_none());
    }
}
