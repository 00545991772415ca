//! Window sums in O(1) per day, for windows without gaps: the series is cut into blocks as
//! long as the window, so a window is a suffix of one block plus a prefix of the next
//! (van Herk / Gil-Werman). Terms are deviations from a reference value per block (its
//! first finite value), so sums of squares do not cancel catastrophically, and both parts
//! of a window use the later block's reference. Callers check that a window has no
//! missing value (else they sum it directly) and handle windows of one repeated value
//! exactly ([`equal_run`]).

/// The sums of `K` terms over windows of up to `b` days from `start`, windows of several
/// lengths alike: per window `[a, t]`, [`Sums::at`] and (when asked for) `Σ p·term₀`
/// ([`Sums::pos`], `p` = days from the window's first day `a`), against the reference of
/// `t`'s block ([`Sums::block`]). Kept as the blocks' running prefix and suffix sums: a
/// window is one suffix plus one prefix, or (shorter than `b`, inside one block) the
/// difference of two prefixes.
pub struct Sums<const K: usize> {
    pre: Vec<[f64; K]>,
    suf: Vec<[f64; K]>,
    /// Empty unless positions were asked for.
    pre_p: Vec<f64>,
    suf_p: Vec<f64>,
    /// The block of each day (index into the caller's references).
    block: Vec<u32>,
    start: usize,
    b: usize,
}

impl<const K: usize> Sums<K> {
    /// The block of day `t`.
    #[inline]
    pub fn block(&self, t: usize) -> usize {
        self.block[t] as usize
    }

    /// The first day of `t`'s block.
    #[inline]
    fn block_start(&self, t: usize) -> usize {
        self.start + self.block(t) * self.b
    }

    /// The sums of the terms over the window `[a, t]` (`a <= t < a + b`, `a >= start`).
    #[inline]
    pub fn at(&self, a: usize, t: usize) -> [f64; K] {
        let bs = self.block_start(t);
        let p = self.pre[t];
        if a == bs {
            p
        } else if a > bs {
            let q = self.pre[a - 1];
            std::array::from_fn(|i| p[i] - q[i])
        } else {
            let s = self.suf[a];
            std::array::from_fn(|i| s[i] + p[i])
        }
    }

    /// `Σ p·term₀` over the window `[a, t]` (built with `positions`).
    #[inline]
    pub fn pos(&self, a: usize, t: usize) -> f64 {
        let bs = self.block_start(t);
        if a == bs {
            self.pre_p[t]
        } else if a > bs {
            // Positions counted from the block's first day, moved to the window's.
            let s0 = self.pre[t][0] - self.pre[a - 1][0];
            self.pre_p[t] - self.pre_p[a - 1] - (a - bs) as f64 * s0
        } else {
            self.suf_p[a] + self.pre_p[t] + (bs - a) as f64 * self.pre[t][0]
        }
    }
}

/// The first day of the `n`-day window ending at `t` (`n = 0`: every day from `start`).
#[inline]
pub fn window_start(t: usize, n: usize, start: usize) -> usize {
    if n == 0 { start } else { (t + 1).saturating_sub(n).max(start) }
}

/// Block length for a group of windows read from one set of sums: the longest of them,
/// or the whole series (one block) when any is expanding (0).
pub fn block_len(len: usize, windows: impl IntoIterator<Item = usize>) -> usize {
    let mut longest = 1;
    for n in windows {
        if n == 0 {
            return len.max(1);
        }
        longest = longest.max(n);
    }
    longest
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
/// missing value must give zeros) in blocks of `b` days from `start` (for windows of up to
/// `b` days); with `positions`, also the position-weighted sums of the first term.
pub fn window_sums<const K: usize>(
    len: usize,
    start: usize,
    b: usize,
    positions: bool,
    term: impl Fn(usize, usize) -> [f64; K],
) -> Sums<K> {
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
    Sums { pre, suf, pre_p, suf_p, block, start, b }
}

/// `(1/L, 1/(L-1))`, indexed by `L`, for every length a window of `n` days takes (up to
/// `n`; up to `len`, the series' length, when `n` is 0, expanding): multiplications in the
/// daily loops instead of divisions, the same values to an ulp.
pub fn reciprocals(n: usize, len: usize) -> Vec<(f64, f64)> {
    let longest = if n == 0 { len } else { n };
    (0..=longest).map(|l| (1.0 / l as f64, 1.0 / (l as f64 - 1.0))).collect()
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

    /// Block sums equal direct sums for every block length, window length up to it, start
    /// and day (windows inside one block and across two).
    #[test]
    fn block_sums_equal_direct_sums() {
        let x: Vec<f64> = (0..40).map(|i| 100.0 + ((i * 7) % 11) as f64 * 0.37).collect();
        for start in [0, 3] {
            for n_max in [0, 1, 2, 5, 7, 40, 60] {
                let b = block_len(x.len(), [n_max]);
                let r = references(&x, start, b);
                let s = window_sums(x.len(), start, b, true, |j, k| {
                    let d = x[j] - r[k.min(r.len() - 1)];
                    [d, d * d]
                });
                let lengths: Vec<usize> = if n_max == 0 { vec![0] } else { (1..=n_max).collect() };
                for n in lengths {
                    for t in start..x.len() {
                        let a = window_start(t, n, start);
                        let rf = r[s.block(t)];
                        let w = &x[a..=t];
                        let direct: f64 = w.iter().map(|v| v - rf).sum();
                        let direct2: f64 = w.iter().map(|v| (v - rf) * (v - rf)).sum();
                        let dpos: f64 = w.iter().enumerate().map(|(p, v)| p as f64 * (v - rf)).sum();
                        assert!((s.at(a, t)[0] - direct).abs() < 1e-9, "b={b} n={n} t={t}");
                        assert!((s.at(a, t)[1] - direct2).abs() < 1e-9, "b={b} n={n} t={t}");
                        assert!((s.pos(a, t) - dpos).abs() < 1e-8, "b={b} n={n} t={t}: {} vs {dpos}", s.pos(a, t));
                    }
                }
            }
        }
    }
}
