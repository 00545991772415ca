//! Host side: device buffers and one typed launch function per kernel (the recurrences'
//! in `host_recurrent`, the attention pooling's in `host_attention`).

use cubecl::prelude::*;
use cubecl::server::Handle;
use cubecl::{CubeElement, calculate_cube_count_elemwise};

/// A device buffer of `len` 4-byte elements (f32 or u32).
#[derive(Clone)]
pub struct Buf {
    pub handle: Handle,
    pub len: usize,
}

/// A batch of matrices inside a buffer: element `(i, j)` of batch `z` is at
/// `off + z·batch + i·row + j·col`.
#[derive(Clone, Copy)]
pub struct MatView<'a> {
    pub buf: &'a Buf,
    pub off: usize,
    pub batch: usize,
    pub row: usize,
    pub col: usize,
}

impl<'a> MatView<'a> {
    /// Row-major `[rows, cols]` matrices, `batch` apart, from `off`.
    pub fn rows(buf: &'a Buf, off: usize, batch: usize, cols: usize) -> Self {
        MatView { buf, off, batch, row: cols, col: 1 }
    }

    /// The same matrices transposed (a view: strides swap).
    pub fn t(self) -> Self {
        MatView { row: self.col, col: self.row, ..self }
    }
}

/// A compute device.
pub struct Gpu<R: Runtime> {
    pub client: ComputeClient<R>,
}

pub(crate) fn arr<R: Runtime>(b: &Buf) -> ArrayArg<R> {
    // SAFETY: `len` is the buffer's element count; every kernel bounds-checks against the
    // shapes it is given, which the callers derive from the same lengths.
    unsafe { ArrayArg::from_raw_parts(b.handle.clone(), b.len) }
}

pub(crate) fn u(x: usize) -> u32 {
    u32::try_from(x).expect("GPU buffer index beyond u32")
}

pub(crate) const ELEMWISE: CubeDim = CubeDim::new_1d(256);

impl<R: Runtime> Gpu<R> {
    pub fn new(device: &R::Device) -> Self {
        Gpu { client: R::client(device) }
    }

    pub fn upload_f32(&self, data: &[f32]) -> Buf {
        Buf { handle: self.client.create_from_slice(f32::as_bytes(data)), len: data.len() }
    }

    pub fn upload_u32(&self, data: &[u32]) -> Buf {
        Buf { handle: self.client.create_from_slice(u32::as_bytes(data)), len: data.len() }
    }

    /// A zero-filled f32 buffer (at least one element, so that empty shapes stay valid).
    pub fn zeros(&self, len: usize) -> Buf {
        self.upload_f32(&vec![0.0; len.max(1)])
    }

    pub fn read_f32(&self, b: &Buf) -> Vec<f32> {
        let bytes = self.client.read_one_unchecked(b.handle.clone());
        f32::from_bytes(&bytes)[..b.len].to_vec()
    }

    pub(crate) fn elemwise(&self, n: usize) -> CubeCount {
        calculate_cube_count_elemwise(&self.client, n.max(1), ELEMWISE)
    }

    /// `c[z] = a[z] · b[z]` (`accumulate`: `+=`) for `batches` matrices of `m × k` by `k × n`;
    /// `c` is row-major with row stride `c.row`.
    #[allow(clippy::too_many_arguments)]
    pub fn matmul(&self, a: MatView, b: MatView, c: MatView, m: usize, n: usize, k: usize, batches: usize, accumulate: bool) {
        if m == 0 || n == 0 || batches == 0 {
            return;
        }
        assert_eq!(c.col, 1, "the product is written row-major");
        let count = CubeCount::Static(u(n.div_ceil(64)), u(m.div_ceil(64)), u(batches));
        crate::matmul::matmul::launch::<R>(
            &self.client,
            count,
            CubeDim::new_2d(16, 16),
            arr(a.buf),
            arr(b.buf),
            arr(c.buf),
            u(m),
            u(n),
            u(k),
            u(a.off),
            u(a.batch),
            u(a.row),
            u(a.col),
            u(b.off),
            u(b.batch),
            u(b.row),
            u(b.col),
            u(c.off),
            u(c.batch),
            u(c.row),
            accumulate,
        );
    }

    /// [`crate::ops::gather`] into `x [T, S, B, D]`, `y [T, B]`.
    #[allow(clippy::too_many_arguments)]
    pub fn gather(
        &self,
        features: &Buf,
        labels: &Buf,
        dates: &Buf,
        stocks: &Buf,
        order: &Buf,
        x: &Buf,
        y: &Buf,
        n_order: usize,
        offset: usize,
        shape: [usize; 4],
        n_rows: usize,
        n_stocks: usize,
        steps_per_day: usize,
    ) {
        let [t, s, b, d] = shape;
        assert!(s % steps_per_day.max(1) == 0, "gather: steps must be whole days");
        let n = t * s * b * d;
        assert!(n <= x.len && t * b <= y.len, "gather: buffers smaller than the batch");
        crate::ops::gather::launch::<R>(
            &self.client,
            self.elemwise(n),
            ELEMWISE,
            arr(features),
            arr(labels),
            arr(dates),
            arr(stocks),
            arr(order),
            unsafe { ArrayArg::from_raw_parts(x.handle.clone(), n) },
            arr(y),
            u(n_order),
            u(offset),
            u(s),
            u(b),
            u(n_rows),
            u(d),
            u(n_stocks),
            u(steps_per_day.max(1)),
        );
    }

    /// [`crate::ops::dropout_mask`] filling all of `mask [T, steps, batch, halves·h_pad]`.
    #[allow(clippy::too_many_arguments)]
    pub fn dropout_mask(
        &self,
        mask: &Buf,
        seed: &Buf,
        threshold: &Buf,
        keep: &Buf,
        units: &Buf,
        start: &Buf,
        counter: u32,
        steps: usize,
        batch: usize,
        h_pad: usize,
        halves: usize,
    ) {
        crate::ops::dropout_mask::launch::<R>(
            &self.client,
            self.elemwise(mask.len),
            ELEMWISE,
            arr(mask),
            arr(seed),
            arr(threshold),
            arr(keep),
            arr(units),
            arr(start),
            counter,
            u(steps),
            u(batch),
            u(h_pad),
            u(halves),
        );
    }

    /// [`crate::ops::last_step`].
    pub fn last_step(&self, h: &Buf, mask: &Buf, z0: &Buf, steps: usize, batch: usize, units: usize) {
        crate::ops::last_step::launch::<R>(
            &self.client,
            self.elemwise(z0.len),
            ELEMWISE,
            arr(h),
            arr(mask),
            arr(z0),
            u(steps),
            u(batch),
            u(units),
        );
    }

    /// `out = a · b`, elementwise over `out`.
    pub fn mul(&self, a: &Buf, b: &Buf, out: &Buf) {
        assert!(a.len >= out.len && b.len >= out.len);
        crate::ops::mul::launch::<R>(&self.client, self.elemwise(out.len), ELEMWISE, arr(a), arr(b), arr(out));
    }

    /// `a *= b`, elementwise over `a`.
    pub fn mul_assign(&self, a: &Buf, b: &Buf) {
        assert!(b.len >= a.len);
        crate::ops::mul_assign::launch::<R>(&self.client, self.elemwise(a.len), ELEMWISE, arr(a), arr(b));
    }

    /// [`crate::ops::bias_relu_mask`] over `z [T, rows, n]`.
    #[allow(clippy::too_many_arguments)]
    pub fn bias_relu_mask(&self, z: &Buf, params: &Buf, mask: &Buf, p_len: usize, bias_at: usize, rows: usize, n: usize) {
        crate::ops::bias_relu_mask::launch::<R>(
            &self.client,
            self.elemwise(z.len),
            ELEMWISE,
            arr(z),
            arr(params),
            arr(mask),
            u(p_len),
            u(bias_at),
            u(rows),
            u(n),
        );
    }

    /// [`crate::ops::relu_mask_back`].
    pub fn relu_mask_back(&self, g: &Buf, z: &Buf, mask: &Buf) {
        crate::ops::relu_mask_back::launch::<R>(&self.client, self.elemwise(g.len), ELEMWISE, arr(g), arr(z), arr(mask));
    }

    /// [`crate::ops::output_loss`] for `trials` trials.
    #[allow(clippy::too_many_arguments)]
    pub fn output_loss(
        &self,
        pred: &Buf,
        y: &Buf,
        dy: &Buf,
        sse: &Buf,
        params: &Buf,
        p_len: usize,
        bias_at: usize,
        trials: usize,
        batch: usize,
        n_rows: usize,
        train: bool,
    ) {
        crate::ops::output_loss::launch::<R>(
            &self.client,
            CubeCount::Static(u(trials), 1, 1),
            CubeDim::new_1d(256),
            arr(pred),
            arr(y),
            arr(dy),
            arr(sse),
            arr(params),
            u(p_len),
            u(bias_at),
            u(batch),
            u(n_rows),
            train,
        );
    }

    /// [`crate::ops::colsum`]: `grads[z·P + at + col] = Σ_{r<rows} m[z·m_batch + r·n + col]`.
    #[allow(clippy::too_many_arguments)]
    pub fn colsum(&self, m: &Buf, grads: &Buf, m_batch: usize, rows: usize, n: usize, p_len: usize, at: usize, trials: usize) {
        self.colsum_block(m, grads, [m_batch, 0, rows, n], n, p_len, at, trials);
    }

    /// [`crate::ops::colsum`] of columns `m_off .. m_off + n` of rows `stride` wide:
    /// `grads[z·P + at + col] = Σ_{r<rows} m[z·m_batch + m_off + r·stride + col]`;
    /// `m_at = [m_batch, m_off, rows, stride]`.
    #[allow(clippy::too_many_arguments)]
    pub fn colsum_block(&self, m: &Buf, grads: &Buf, m_at: [usize; 4], n: usize, p_len: usize, at: usize, trials: usize) {
        let [m_batch, m_off, rows, stride] = m_at;
        assert!(stride >= n, "colsum: rows narrower than the block");
        crate::ops::colsum::launch::<R>(
            &self.client,
            self.elemwise(trials * n),
            ELEMWISE,
            arr(m),
            arr(grads),
            u(m_batch),
            u(m_off),
            u(rows),
            u(stride),
            u(n),
            u(p_len),
            u(at),
            u(trials),
        );
    }

    /// [`crate::ops::transpose`] of each trial's `[rows, cols]` block at `at` into `out`.
    pub fn transpose(&self, params: &Buf, out: &Buf, p_len: usize, at: usize, rows: usize, cols: usize) {
        crate::ops::transpose::launch::<R>(
            &self.client,
            self.elemwise(out.len),
            ELEMWISE,
            arr(params),
            arr(out),
            u(p_len),
            u(at),
            u(rows),
            u(cols),
        );
    }

    /// [`crate::adam::clip_coefs`] then [`crate::adam::adam`] (without `clip`, only the update).
    #[allow(clippy::too_many_arguments)]
    pub fn adam(
        &self,
        state: [&Buf; 4],
        lr: &Buf,
        bounds: &Buf,
        segment: &Buf,
        coefs: &Buf,
        p_len: usize,
        trials: usize,
        clip: Option<f32>,
        combined: f32,
        eps: f32,
    ) {
        let [params, grads, m, v] = state;
        let n_seg = bounds.len - 1;
        if let Some(c) = clip {
            crate::adam::clip_coefs::launch::<R>(
                &self.client,
                CubeCount::Static(u(n_seg), u(trials), 1),
                CubeDim::new_1d(256),
                arr(grads),
                arr(bounds),
                arr(coefs),
                u(p_len),
                u(n_seg),
                c,
            );
        }
        crate::adam::adam::launch::<R>(
            &self.client,
            self.elemwise(params.len),
            ELEMWISE,
            arr(params),
            arr(grads),
            arr(m),
            arr(v),
            arr(lr),
            arr(segment),
            arr(coefs),
            u(p_len),
            u(n_seg),
            combined,
            eps,
            clip.is_some(),
        );
    }
}
