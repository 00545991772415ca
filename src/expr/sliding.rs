//! Window sums in O(1) per day, for windows without gaps: the series is cut into blocks as
//! long as the window, so a window is a suffix of one block plus a prefix of the next
//! (van Herk / Gil-Werman). Terms are deviations from a reference value per block (its
//! first finite value), so sums of squares do not cancel catastrophically, and both parts
//! of a window use the later block's reference. Callers check that a window has no
//! missing value (else they sum it directly) and handle windows of one repeated value
//! exactly ([`equal_run`]).

/// The window sums of `K` terms over windows of `n` days from `start`: per day `t`,
/// [`Sums::at`] and (when asked for) `Σ p·term₀` ([`Sums::pos`], `p` = days from the
/// window's first day), with the reference of `t`'s block ([`Sums::block`]). Kept as the
/// blocks' running prefix and suffix sums; a window is one suffix plus one prefix.
pub struct Sums<const K: usize> {
    pre: Vec<[f64; K]>,
    suf: Vec<[f64; K]>,
    /// Empty unless positions were asked for.
    pre_p: Vec<f64>,
    suf_p: Vec<f64>,
    /// The block of each day (index into the caller's references).
    block: Vec<u32>,
    start: usize,
    n: usize,
    b: usize,
}

impl<const K: usize> Sums<K> {
    /// The block of day `t`.
    #[inline]
    pub fn block(&self, t: usize) -> usize {
        self.block[t] as usize
    }

    /// The first day of the window ending at `t`, and the first day of `t`'s block.
    #[inline]
    fn bounds(&self, t: usize) -> (usize, usize) {
        (window_start(t, self.n, self.start), self.start + self.block(t) * self.b)
    }

    /// The sums of the terms over the window ending at `t`.
    #[inline]
    pub fn at(&self, t: usize) -> [f64; K] {
        let (a, bs) = self.bounds(t);
        if a >= bs {
            self.pre[t]
        } else {
            let (s, p) = (self.suf[a], self.pre[t]);
            std::array::from_fn(|i| s[i] + p[i])
        }
    }

    /// `Σ p·term₀` over the window ending at `t` (built with `positions`).
    #[inline]
    pub fn pos(&self, t: usize) -> f64 {
        let (a, bs) = self.bounds(t);
        if a >= bs { self.pre_p[t] } else { self.suf_p[a] + self.pre_p[t] + (bs - a) as f64 * self.pre[t][0] }
    }
}

/// The first day of the `n`-day window ending at `t` (`n = 0`: every day from `start`).
#[inline]
pub fn window_start(t: usize, n: usize, start: usize) -> usize {
    if n == 0 { start } else { (t + 1).saturating_sub(n).max(start) }
}

/// Block length for window `n` (0 = expanding: one block).
pub fn block_len(len: usize, n: usize) -> usize {
    if n == 0 { len.max(1) } else { n }
}

/// The first finite value of each block of `x` (0 when it has none), from `start`.
pub fn references(x: &[f64], start: usize, b: usize) -> Vec<f64> {
    let blocks = (x.len().saturating_sub(start)).div_ceil(b) + 1;
    (0..blocks)
        .map(|k| {
            let from = (start + k * b).min(x.len());
            let to = (start + (k + 1) * b).min(x.len());
            x[from..to].iter().copied().find(|v| v.is_finite()).unwrap_or(0.0)
        })
        .collect()
}

/// Window sums of `term(j, block)` (index `j`'s terms against `block`'s references; a
/// missing value must give zeros) over windows of `n` days from `start`; with
/// `positions`, also the position-weighted sums of the first term.
pub fn window_sums<const K: usize>(
    len: usize,
    start: usize,
    n: usize,
    positions: bool,
    term: impl Fn(usize, usize) -> [f64; K],
) -> Sums<K> {
    let b = block_len(len, n);
    let mut pre = vec![[0.0; K]; len];
    let mut block = vec![0u32; len];
    let (mut pre_p, mut suf_p) = if positions { (vec![0.0; len], vec![0.0; len]) } else { (vec![], vec![]) };
    // Block k covers start + k*b .. start + (k+1)*b (tracked, not divided: this is hot).
    let (mut k, mut bs) = (0, start);
    for j in start..len {
        if j == bs + b {
            k += 1;
            bs += b;
        }
        block[j] = k as u32;
        let v = term(j, k);
        if j == bs {
            pre[j] = v;
        } else {
            let prev = pre[j - 1];
            pre[j] = std::array::from_fn(|i| prev[i] + v[i]);
            if positions {
                pre_p[j] = pre_p[j - 1] + (j - bs) as f64 * v[0];
            }
        }
    }
    let mut suf = vec![[0.0; K]; len];
    for j in (start..len).rev() {
        let k = block[j] as usize;
        let end = (start + (k + 1) * b).min(len) - 1;
        let v = term(j, k + 1);
        if j == end {
            suf[j] = v;
        } else {
            let next = suf[j + 1];
            suf[j] = std::array::from_fn(|i| next[i] + v[i]);
            if positions {
                suf_p[j] = suf_p[j + 1] + next[0];
            }
        }
    }
    Sums { pre, suf, pre_p, suf_p, block, start, n, b }
}

/// `run[t]`: how many days up to `t` repeat `x[t]` without a break (1 for a change).
pub fn equal_run(x: &[f64]) -> Vec<usize> {
    let mut out = vec![1; x.len()];
    for t in 1..x.len() {
        if x[t] == x[t - 1] {
            out[t] = out[t - 1] + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Block sums equal direct sums for every window length, start and day.
    #[test]
    fn block_sums_equal_direct_sums() {
        let x: Vec<f64> = (0..40).map(|i| 100.0 + ((i * 7) % 11) as f64 * 0.37).collect();
        for start in [0, 3] {
            for n in [0, 1, 2, 5, 7, 40, 60] {
                let b = block_len(x.len(), n);
                let r = references(&x, start, b);
                let s = window_sums(x.len(), start, n, true, |j, k| {
                    let d = x[j] - r[k.min(r.len() - 1)];
                    [d, d * d]
                });
                for t in start..x.len() {
                    let a = window_start(t, n, start);
                    let rf = r[s.block(t)];
                    let w = &x[a..=t];
                    let direct: f64 = w.iter().map(|v| v - rf).sum();
                    let direct2: f64 = w.iter().map(|v| (v - rf) * (v - rf)).sum();
                    let dpos: f64 = w.iter().enumerate().map(|(p, v)| p as f64 * (v - rf)).sum();
                    assert!((s.at(t)[0] - direct).abs() < 1e-9, "n={n} t={t}");
                    assert!((s.at(t)[1] - direct2).abs() < 1e-9, "n={n} t={t}");
                    assert!((s.pos(t) - dpos).abs() < 1e-8, "n={n} t={t}: {} vs {dpos}", s.pos(t));
                }
            }
        }
    }
}
