//! Matrix products with bf16 operands and f32 accumulation (`--precision bf16`).
//!
//! Where the CPU has AVX-512 BF16, the operands are packed as bf16 pairs along the inner
//! dimension and multiplied with `vdpbf16ps` (16 lanes, each adding two bf16 products to an
//! f32 sum), in tiles of 8 rows × 32 columns. Elsewhere each operand is rounded to bf16
//! (kept as f32, which holds it exactly) and the f32 product runs on the rounded values:
//! the same products (two bf16 numbers multiply exactly in f32), summed in another order.
//! The tile kernel is generic over its lanes, so the packing and tiling are tested on any
//! CPU with `Emulated` lanes (a scalar model of the instruction).
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

use std::cell::RefCell;

use super::gemm::{View, matmul};

/// Columns of a tile (two vectors of 16 lanes) and rows of a full tile.
const TILE_N: usize = 32;
const TILE_M: usize = 8;

/// `x` rounded to bf16 (nearest, ties to even), as its 16 bits. Subnormals flush to a
/// signed zero and NaN stays a quiet NaN, as `vcvtne2ps2bf16` does.
pub fn to_bf16(x: f32) -> u16 {
    (round(x).to_bits() >> 16) as u16
}

/// The f32 value of bf16 bits (exact).
#[cfg(test)]
pub fn from_bf16(h: u16) -> f32 {
    f32::from_bits(u32::from(h) << 16)
}

/// `x` rounded to the nearest bf16, as f32 (subnormals to a signed zero, NaN quiet),
/// written without branches so that loops over it vectorize.
pub fn round(x: f32) -> f32 {
    let b = x.to_bits();
    let nearest = b.wrapping_add(0x7fff + ((b >> 16) & 1)) & 0xffff_0000;
    let r = if b & 0x7f80_0000 == 0 { b & 0x8000_0000 } else { nearest };
    f32::from_bits(if x.is_nan() { (b | 0x0040_0000) & 0xffff_0000 } else { r })
}

/// Working buffers of one thread's products (packed or rounded operands).
#[derive(Default)]
struct Scratch {
    a: Vec<u32>,
    b: Vec<u32>,
    ra: Vec<f32>,
    rb: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// `dst[m, n] = a[m, k] · b[k, n]` (plus the old `dst` when `accumulate`) with both operands
/// rounded to bf16 and f32 sums: AVX-512 BF16 where the CPU has it, else rounding in front
/// of the f32 product.
pub fn matmul_bf16(dst: &mut [f32], a: View, b: View, accumulate: bool) {
    #[cfg(target_arch = "x86_64")]
    if crate::engine::precision::native_bf16() {
        assert_eq!(a.cols(), b.rows(), "matmul: inner dimensions differ");
        assert!(dst.len() >= a.rows() * b.cols(), "matmul: dst too short");
        SCRATCH.with_borrow_mut(|s| {
            let (kp, np) = (pack_rows(a, &mut s.a), pack_cols(b, &mut s.b));
            // SAFETY: the CPU has the features `native::tiles` is compiled for (checked above).
            unsafe { native::tiles(dst, &s.a, &s.b, a.rows(), kp, b.cols(), np, accumulate) }
        });
        return;
    }
    SCRATCH.with_borrow_mut(|s| {
        let (ra, rb) = (a.mapped(&mut s.ra, round), b.mapped(&mut s.rb, round));
        matmul(dst, ra, rb, accumulate);
    });
}

/// Two bf16 values as one pair word: `lo` in the low half (the even index along the inner
/// dimension), `hi` in the high half.
fn pair(lo: f32, hi: f32) -> u32 {
    u32::from(to_bf16(lo)) | (u32::from(to_bf16(hi)) << 16)
}

/// `a [m, k]` as `[m, kp]` pairs along `k` (`kp = ⌈k/2⌉`, a missing last value is 0) into
/// `out`; returns `kp`.
fn pack_rows(a: View, out: &mut Vec<u32>) -> usize {
    let (m, k) = (a.rows(), a.cols());
    let kp = k.div_ceil(2);
    out.clear();
    for r in 0..m {
        match a.row(r) {
            Some(row) => out.extend(row.chunks(2).map(|w| pair(w[0], w.get(1).copied().unwrap_or(0.0)))),
            None => {
                let at = |c: usize| if c < k { a.at(r, c) } else { 0.0 };
                out.extend((0..kp).map(|p| pair(at(2 * p), at(2 * p + 1))));
            }
        }
    }
    kp
}

/// `b [k, n]` as `[kp, np]` pairs along `k` (`np`: `n` rounded up to a whole tile, the extra
/// columns 0) into `out`; returns `np`.
fn pack_cols(b: View, out: &mut Vec<u32>) -> usize {
    let (k, n) = (b.rows(), b.cols());
    let (kp, np) = (k.div_ceil(2), n.div_ceil(TILE_N) * TILE_N);
    out.clear();
    for p in 0..kp {
        match (b.row(2 * p), b.row(2 * p + 1)) {
            (Some(lo), Some(hi)) => out.extend(lo.iter().zip(hi).map(|(l, h)| pair(*l, *h))),
            (Some(lo), None) => out.extend(lo.iter().map(|l| pair(*l, 0.0))),
            _ => {
                let at = |r: usize, c: usize| if r < k { b.at(r, c) } else { 0.0 };
                out.extend((0..n).map(|c| pair(at(2 * p, c), at(2 * p + 1, c))));
            }
        }
        out.resize((p + 1) * np, 0);
    }
    np
}

/// 16 f32 sums and the pair dot product `vdpbf16ps` into them.
trait Lanes {
    type Acc: Copy;
    type Pairs: Copy;
    /// # Safety
    /// The CPU must have the lanes' features (all methods).
    unsafe fn zero() -> Self::Acc;
    /// The 16 pairs at `p[..16]`.
    unsafe fn load(p: &[u32]) -> Self::Pairs;
    /// One pair in every lane.
    unsafe fn splat(pair: u32) -> Self::Pairs;
    /// Per lane: `acc + a.hi·b.hi + a.lo·b.lo`.
    unsafe fn dot(acc: Self::Acc, a: Self::Pairs, b: Self::Pairs) -> Self::Acc;
    unsafe fn store(acc: Self::Acc) -> [f32; 16];
}

/// A scalar model of `vdpbf16ps`: per lane, the high pair's product then the low pair's are
/// added to the sum, each addition rounded to f32 (the products are exact); subnormal
/// inputs and results are 0 (the instruction's DAZ and FTZ).
#[cfg(test)]
pub(crate) struct Emulated;

#[cfg(test)]
fn flush(x: f32) -> f32 {
    if x.is_subnormal() { 0.0f32.copysign(x) } else { x }
}

#[cfg(test)]
impl Lanes for Emulated {
    type Acc = [f32; 16];
    type Pairs = [u32; 16];
    unsafe fn zero() -> [f32; 16] {
        [0.0; 16]
    }
    unsafe fn load(p: &[u32]) -> [u32; 16] {
        p[..16].try_into().expect("16 pairs")
    }
    unsafe fn splat(pair: u32) -> [u32; 16] {
        [pair; 16]
    }
    unsafe fn dot(acc: [f32; 16], a: [u32; 16], b: [u32; 16]) -> [f32; 16] {
        let half = |w: u32, hi: bool| flush(from_bf16(if hi { (w >> 16) as u16 } else { w as u16 }));
        std::array::from_fn(|l| {
            let s = flush(acc[l] + half(a[l], true) * half(b[l], true));
            flush(s + half(a[l], false) * half(b[l], false))
        })
    }
    unsafe fn store(acc: [f32; 16]) -> [f32; 16] {
        acc
    }
}

/// `dst[m, n] (+)= pa[m, kp] · pb[kp, np]` on lanes `L`: tiles of [`TILE_M`] rows, then
/// single rows.
///
/// # Safety
/// The CPU must have `L`'s features.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tiles<L: Lanes>(dst: &mut [f32], pa: &[u32], pb: &[u32], m: usize, kp: usize, n: usize, np: usize, accumulate: bool) {
    let full = m / TILE_M * TILE_M;
    for i0 in (0..full).step_by(TILE_M) {
        // SAFETY: the caller's.
        unsafe { tile::<L, TILE_M>(dst, pa, pb, i0, kp, n, np, accumulate) };
    }
    for i0 in full..m {
        // SAFETY: the caller's.
        unsafe { tile::<L, 1>(dst, pa, pb, i0, kp, n, np, accumulate) };
    }
}

/// Rows `i0..i0 + R` of the product, [`TILE_N`] columns at a time.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<L: Lanes, const R: usize>(
    dst: &mut [f32],
    pa: &[u32],
    pb: &[u32],
    i0: usize,
    kp: usize,
    n: usize,
    np: usize,
    accumulate: bool,
) {
    let rows = &pa[i0 * kp..(i0 + R) * kp];
    for j0 in (0..np).step_by(TILE_N) {
        // SAFETY (every call below): the caller's.
        let mut acc = [[unsafe { L::zero() }; 2]; R];
        for p in 0..kp {
            let b = &pb[p * np + j0..p * np + j0 + TILE_N];
            let (b0, b1) = unsafe { (L::load(&b[..16]), L::load(&b[16..])) };
            for (r, sums) in acc.iter_mut().enumerate() {
                let a = unsafe { L::splat(rows[r * kp + p]) };
                sums[0] = unsafe { L::dot(sums[0], a, b0) };
                sums[1] = unsafe { L::dot(sums[1], a, b1) };
            }
        }
        for (r, sums) in acc.iter().enumerate() {
            for (h, s) in sums.iter().enumerate() {
                let j = j0 + 16 * h;
                if j >= n {
                    continue;
                }
                let vals = unsafe { L::store(*s) };
                let out = &mut dst[(i0 + r) * n + j..(i0 + r) * n + (j + 16).min(n)];
                if accumulate {
                    out.iter_mut().zip(vals).for_each(|(o, v)| *o += v);
                } else {
                    out.copy_from_slice(&vals[..out.len()]);
                }
            }
        }
    }
}

/// `tiles` on the scalar model, for tests on any CPU.
#[cfg(test)]
pub(crate) fn emulated_product(dst: &mut [f32], a: View, b: View, accumulate: bool) {
    let (mut pa, mut pb) = (vec![], vec![]);
    let (kp, np) = (pack_rows(a, &mut pa), pack_cols(b, &mut pb));
    // SAFETY: the scalar model needs no CPU feature.
    unsafe { tiles::<Emulated>(dst, &pa, &pb, a.rows(), kp, b.cols(), np, accumulate) }
}

#[cfg(target_arch = "x86_64")]
mod native {
    use std::arch::x86_64::*;

    use super::Lanes;

    /// AVX-512 BF16 lanes: `vdpbf16ps` on 512-bit vectors.
    pub struct Avx512Bf16;

    impl Lanes for Avx512Bf16 {
        type Acc = __m512;
        type Pairs = __m512bh;
        #[target_feature(enable = "avx512f,avx512bf16")]
        unsafe fn zero() -> __m512 {
            _mm512_setzero_ps()
        }
        #[target_feature(enable = "avx512f,avx512bf16")]
        unsafe fn load(p: &[u32]) -> __m512bh {
            assert!(p.len() >= 16);
            // SAFETY: 16 u32 readable (checked); bf16 pairs are plain bits.
            unsafe { std::mem::transmute(_mm512_loadu_si512(p.as_ptr().cast())) }
        }
        #[target_feature(enable = "avx512f,avx512bf16")]
        unsafe fn splat(pair: u32) -> __m512bh {
            // SAFETY: plain bits.
            unsafe { std::mem::transmute(_mm512_set1_epi32(pair as i32)) }
        }
        #[target_feature(enable = "avx512f,avx512bf16")]
        unsafe fn dot(acc: __m512, a: __m512bh, b: __m512bh) -> __m512 {
            _mm512_dpbf16_ps(acc, a, b)
        }
        #[target_feature(enable = "avx512f,avx512bf16")]
        unsafe fn store(acc: __m512) -> [f32; 16] {
            // SAFETY: plain bits.
            unsafe { std::mem::transmute(acc) }
        }
    }

    /// [`super::tiles`] on AVX-512 BF16 lanes, compiled for those features.
    ///
    /// # Safety
    /// The CPU must have `avx512f` and `avx512bf16`.
    #[target_feature(enable = "avx512f,avx512bf16")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn tiles(dst: &mut [f32], pa: &[u32], pb: &[u32], m: usize, kp: usize, n: usize, np: usize, accumulate: bool) {
        // SAFETY: the caller's.
        unsafe { super::tiles::<Avx512Bf16>(dst, pa, pb, m, kp, n, np, accumulate) }
    }
}

/// The native tile kernel on packed operands, for tests on CPUs that have it.
#[cfg(all(test, target_arch = "x86_64"))]
pub(crate) fn native_product(dst: &mut [f32], a: View, b: View, accumulate: bool) {
    assert!(crate::engine::precision::native_bf16());
    let (mut pa, mut pb) = (vec![], vec![]);
    let (kp, np) = (pack_rows(a, &mut pa), pack_cols(b, &mut pb));
    // SAFETY: the CPU has the features (asserted).
    unsafe { native::tiles(dst, &pa, &pb, a.rows(), kp, b.cols(), np, accumulate) }
}
