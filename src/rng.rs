//! A small deterministic random number generator: xoshiro256** seeded through
//! splitmix64, with uniform, normal (Marsaglia polar) and Student-t draws and shuffles.
//! Used by the synthetic market, the data splits and the training loop, so that the same
//! seed gives the same numbers on every platform and version.
//!
//! Every part of the market draws from its own named stream ([`Rng::stream`]), so a
//! change in how many numbers one part consumes never shifts another part's draws.

/// Salts xor'ed into one seed to split it into independent streams, so that a trial's
/// weights, sample order and dropout masks never share draws.
pub mod salt {
    /// Weight initialization of burn's network (`NetworkConfig::init_seeded`).
    pub const INIT: u64 = 0x1417_5eed;
    /// The order of the training samples, reshuffled every epoch (all three training loops).
    pub const SHUFFLE: u64 = 0x5eed;
    /// Dropout masks of the fused CPU and GPU engines (the GPU folds it to 32 bits).
    pub const DROPOUT: u64 = 0xd409;
    /// Dropout masks of burn's generic loop (`model::train::train`). Not a deliberate
    /// difference from [`DROPOUT`]: the two values came from separate commits. It does not
    /// matter for agreement between the trainers, since burn's loop draws one value per mask
    /// element and the engines one seed per worker, so their masks differ whatever the
    /// salt; it is kept so that runs on burn's backends reproduce earlier ones.
    pub const BURN_DROPOUT: u64 = 0xd709;
    /// A sweep's `sample = N` draw from its grid (salted with `[sweep] seed`).
    pub const GRID_SAMPLE: u64 = 0x5a3b1e;
}

/// xoshiro256** (Blackman & Vigna). Not cryptographic; fast and well distributed.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

/// One splitmix64 step: advances `state` and returns a well-mixed 64-bit value.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stream kinds: the high 16 bits of a stream tag.
pub mod kind {
    pub const MARKET: u64 = 1;
    pub const INDUSTRY: u64 = 2;
    pub const LAYOUT: u64 = 3;
    pub const STOCK: u64 = 4;
    pub const DAILY: u64 = 5;
    pub const ACCOUNTS: u64 = 6;
    pub const ACTIONS: u64 = 7;
}

impl Rng {
    /// A generator whose whole state comes from `seed` through splitmix64.
    pub fn new(seed: u64) -> Rng {
        let mut st = seed;
        let s = [splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st)];
        Rng { s }
    }

    /// The independent stream `(kind, index)` of a market seeded with `seed`.
    pub fn stream(seed: u64, kind: u64, index: u64) -> Rng {
        let mut st = seed;
        let a = splitmix64(&mut st);
        let mut t = (kind << 48) ^ index;
        let b = splitmix64(&mut t);
        Rng::new(a ^ b.rotate_left(17))
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in `0..n` (`n > 0`), by rejection so it is exactly uniform.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below needs n > 0");
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Uniform integer in `lo..=hi` (`lo <= hi`).
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below((hi - lo + 1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal by Marsaglia's polar method (the spare value is dropped, which
    /// keeps the stream stateless apart from the xoshiro state).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Student-t with `nu > 2` degrees of freedom, rescaled to unit variance:
    /// `z / sqrt(chi2_nu / nu) * sqrt((nu - 2) / nu)`. For even `nu` the chi-square is
    /// drawn as `-2 ln(U_1 ⋯ U_{nu/2})` (a sum of exponentials), otherwise from normals.
    pub fn student_t(&mut self, nu: u32) -> f64 {
        assert!(nu > 2, "unit-variance Student-t needs nu > 2");
        let z = self.normal();
        let chi2: f64 = if nu.is_multiple_of(2) {
            let prod: f64 = (0..nu / 2).map(|_| 1.0 - self.uniform()).product();
            -2.0 * prod.ln()
        } else {
            (0..nu).map(|_| self.normal().powi(2)).sum()
        };
        let nu = nu as f64;
        z / (chi2 / nu).sqrt() * ((nu - 2.0) / nu).sqrt()
    }

    /// `exp(mu + sigma * N(0,1))`.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        (mu + sigma * self.normal()).exp()
    }

    /// Index drawn with probability proportional to `weights` (all `>= 0`, sum `> 0`).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::stream(42, kind::DAILY, 7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Rng::stream(42, kind::DAILY, 7);
        assert_eq!(a, (0..4).map(|_| r.next_u64()).collect::<Vec<_>>());
        let mut other = Rng::stream(42, kind::DAILY, 8);
        assert_ne!(a[0], other.next_u64());
    }

    /// Moments of 200,000 draws: the standard errors are about 0.0022 (mean) and 0.003
    /// (variance of a normal), so the bounds below are 4–5 standard errors wide.
    #[test]
    fn normal_and_t_have_unit_variance() {
        let mut r = Rng::new(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.015, "{mean} {var}");
        for nu in [5, 6] {
            let tv = (0..n).map(|_| r.student_t(nu).powi(2)).sum::<f64>() / n as f64;
            assert!((tv - 1.0).abs() < 0.05, "nu {nu}: {tv}");
        }
        let u: f64 = (0..n).map(|_| r.uniform()).sum::<f64>() / n as f64;
        assert!((u - 0.5).abs() < 0.003);
    }
}
