//! Matrix products on the `gemm` crate (runtime SIMD dispatch: AVX2/AVX-512/NEON kernels),
//! always without internal threads: the engine's parallelism is its own (data parallel
//! workers, or one trial per core in a sweep). [`product`] picks f32 or bf16 operands.

use super::bf16::matmul_bf16;
use crate::engine::precision::Precision;

/// A matrix view over a slice: element `(r, c)` is `data[r·rs + c·cs]`. Row-major
/// `[rows, cols]` has `rs = cols, cs = 1`; [`View::t`] is the transpose, with no copy.
#[derive(Clone, Copy)]
pub struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> View<'a> {
    /// The row-major `[rows, cols]` matrix at the start of `data`.
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> View<'a> {
        View { data, rows, cols, rs: cols, cs: 1 }
    }

    /// The transpose.
    pub fn t(self) -> View<'a> {
        View { rows: self.cols, cols: self.rows, rs: self.cs, cs: self.rs, ..self }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Element `(r, c)`.
    pub fn at(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.rs + c * self.cs]
    }

    /// Row `r` as a slice when rows are contiguous (`cs = 1`) and `r` is a row.
    pub fn row(&self, r: usize) -> Option<&'a [f32]> {
        (self.cs == 1 && r < self.rows).then(|| &self.data[r * self.rs..r * self.rs + self.cols])
    }

    /// The same view over `out`, which receives `f` of every element of the slice the view
    /// spans, in memory order (one pass that vectorizes, whatever the strides).
    pub fn mapped<'b>(&self, out: &'b mut Vec<f32>, f: impl Fn(f32) -> f32) -> View<'b> {
        let extent = if self.rows == 0 || self.cols == 0 { 0 } else { (self.rows - 1) * self.rs + (self.cols - 1) * self.cs + 1 };
        out.clear();
        out.extend(self.data[..extent].iter().map(|x| f(*x)));
        View { data: out, ..*self }
    }

    fn fits(&self) -> bool {
        self.rows == 0 || self.cols == 0 || (self.rows - 1) * self.rs + (self.cols - 1) * self.cs < self.data.len()
    }
}

/// `dst[m, n]` (row-major, the first `m·n` elements) `= a[m, k] · b[k, n]`, plus the old `dst`
/// when `accumulate`.
pub fn matmul(dst: &mut [f32], a: View, b: View, accumulate: bool) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "matmul: inner dimensions differ");
    assert!(dst.len() >= m * n && a.fits() && b.fits(), "matmul: a view runs past its slice");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    // SAFETY: every element the product reads or writes lies inside the slices (checked
    // above: `fits` and `dst.len() >= m·n`), and `dst` is a unique borrow that cannot alias
    // `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr(),
            b.cs as isize,
            b.rs as isize,
            1.0f32,
            1.0f32,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// [`matmul`] at precision `p` (`Bf16`: [`matmul_bf16`]; `Fp32`, and `Auto` not yet
/// resolved, f32).
pub fn product(p: Precision, dst: &mut [f32], a: View, b: View, accumulate: bool) {
    match p {
        Precision::Bf16 => matmul_bf16(dst, a, b, accumulate),
        _ => matmul(dst, a, b, accumulate),
    }
}

/// `dst[cols, rows] = src[rows, cols]ᵀ` (row-major both).
pub fn transpose(dst: &mut [f32], src: &[f32], rows: usize, cols: usize) {
    for (r, row) in src[..rows * cols].chunks_exact(cols).enumerate() {
        for (c, v) in row.iter().enumerate() {
            dst[c * rows + r] = *v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]; with the left operand
    /// transposed ([[1, 3], [2, 4]]) it is [[26, 30], [38, 44]]; accumulating adds the old values.
    #[test]
    fn small_products_by_hand() {
        let (a, b) = ([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]);
        let mut d = [0.0; 4];
        matmul(&mut d, View::new(&a, 2, 2), View::new(&b, 2, 2), false);
        assert_eq!(d, [19.0, 22.0, 43.0, 50.0]);
        matmul(&mut d, View::new(&a, 2, 2).t(), View::new(&b, 2, 2), false);
        assert_eq!(d, [26.0, 30.0, 38.0, 44.0]);
        matmul(&mut d, View::new(&a, 2, 2).t(), View::new(&b, 2, 2), true);
        assert_eq!(d, [52.0, 60.0, 76.0, 88.0]);
        let mut t = [0.0; 4];
        transpose(&mut t, &a, 2, 2);
        assert_eq!(t, [1.0, 3.0, 2.0, 4.0]);
    }
}
