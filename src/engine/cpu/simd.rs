//! Elementwise f32 math that vectorizes: `exp`, `sigmoid` and `tanh` without libm (relative
//! error about 2e-7), and [`simd_fn!`], which compiles a loop twice, for AVX2+FMA and for
//! the baseline, and picks one at run time.

/// Defines `fn name(args)`, whose body is compiled for AVX2+FMA (taken when the CPU has
/// them; the check is a cached atomic load) and for the target's baseline. Inside the body,
/// the const `FMA` says which: the math functions take it (`sigmoid::<FMA>(x)`) to evaluate
/// their polynomials with fused multiply-adds on the AVX2+FMA path (Rust never contracts
/// `a * b + c` by itself). Results are deterministic on a given CPU; the two paths differ in
/// the last bits.
macro_rules! simd_fn {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $body:block) => {
        $(#[$m])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn inner<const FMA: bool>($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx2($($arg: $ty),*) {
                    inner::<true>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports the features `avx2` is compiled for.
                    return unsafe { avx2($($arg),*) };
                }
            }
            inner::<false>($($arg),*)
        }
    };
}
pub(crate) use simd_fn;

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// ln 2 split in two so that `n · LN2_HI` is exact for |n| < 2⁹.
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
/// 1.5 · 2²³: adding it rounds a float of magnitude < 2²² to an integer, held in the low
/// mantissa bits.
const ROUND: f32 = 12_582_912.0;

/// `a · b + c`, fused into one instruction when `F` (the AVX2+FMA path).
#[inline(always)]
fn madd<const F: bool>(a: f32, b: f32, c: f32) -> f32 {
    if F { a.mul_add(b, c) } else { a * b + c }
}

/// eˣ for x clamped to [−87, 88] (NaN stays NaN): x = n ln 2 + r, |r| ≤ ln 2 / 2, eʳ by its
/// degree-7 Taylor polynomial (truncation below 6e-9), 2ⁿ built from the exponent bits.
#[inline(always)]
pub fn exp<const F: bool>(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let shifted = madd::<F>(x, LOG2E, ROUND);
    let n = shifted - ROUND;
    let r = madd::<F>(-n, LN2_LO, madd::<F>(-n, LN2_HI, x));
    let mut p = 1.0 / 5040.0;
    for c in [1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = madd::<F>(p, r, c);
    }
    let n_int = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    p * f32::from_bits(((n_int + 127) as u32) << 23)
}

/// 1 / (1 + e⁻ˣ).
#[inline(always)]
pub fn sigmoid<const F: bool>(x: f32) -> f32 {
    1.0 / (1.0 + exp::<F>(-x))
}

/// tanh: (1 − e^−2|x|) / (1 + e^−2|x|) with the sign of x; below |x| = 0.25, where that
/// difference loses digits, the Taylor series to x⁹ (truncation below 1e-8 relative).
#[inline(always)]
pub fn tanh<const F: bool>(x: f32) -> f32 {
    let a = x.abs();
    let e = exp::<F>(-2.0 * a);
    let big = (1.0 - e) / (1.0 + e);
    let a2 = a * a;
    let mut q = 62.0 / 2835.0;
    for c in [-17.0 / 315.0, 2.0 / 15.0, -1.0 / 3.0, 1.0] {
        q = madd::<F>(q, a2, c);
    }
    let small = a * q;
    let t = if a < 0.25 { small } else { big };
    t.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against f64 libm over a grid of [−20, 20] and a few special points, with and without
    /// fused multiply-adds.
    #[test]
    fn exp_sigmoid_tanh_match_libm() {
        check::<false>();
        // (Off the AVX2+FMA path `mul_add` is a slow but exact library call.)
        check::<true>();
    }

    fn check<const F: bool>() {
        let (exp, sigmoid, tanh) = (exp::<F>, sigmoid::<F>, tanh::<F>);
        let mut worst = [0.0f64; 3];
        for k in -200_000..=200_000 {
            let x = k as f32 * 1e-4;
            let xd = x as f64;
            let rel = |a: f32, b: f64| ((a as f64 - b) / b.abs().max(1e-30)).abs();
            worst[0] = worst[0].max(rel(exp(x), xd.exp()));
            worst[1] = worst[1].max(rel(sigmoid(x), 1.0 / (1.0 + (-xd).exp())));
            if x != 0.0 {
                worst[2] = worst[2].max(rel(tanh(x), xd.tanh()));
            }
        }
        assert!(worst.iter().all(|w| *w < 1e-6), "worst relative errors {worst:?}");
        assert_eq!(tanh(0.0), 0.0);
        assert!(exp(f32::NAN).is_nan() && sigmoid(f32::NAN).is_nan() && tanh(f32::NAN).is_nan());
        assert_eq!(sigmoid(200.0), 1.0);
        assert!(sigmoid(-200.0) < 1e-37 && tanh(-50.0) == -1.0 && tanh(50.0) == 1.0);
    }
}
