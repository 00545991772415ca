//! One pass of a pack over a batch: gather on the device, each recurrent layer (LSTM or GRU)
//! as one input GEMM plus one recurrence launch, the dense head, the loss; backward in
//! reverse with the weight gradients as GEMMs over all steps at once; then Adam. Nothing here
//! waits for the device.

use alphasweep_kernels::cubecl::Runtime;
use alphasweep_kernels::{Buf, Gpu, MatView};

use super::buffers::{Activations, DeviceData, TrialBufs};
use super::pack::PackShape;

/// Where a batch's rows come from: rows `offset .. offset + rows` of each trial's `order`
/// (`[T, n_order]` indices into the device samples).
pub struct BatchAt<'a> {
    pub order: &'a Buf,
    pub n_order: usize,
    pub offset: usize,
    pub rows: usize,
}

/// Mask counters: a trial's step × 16 + the mask's place (recurrent layer l: l; head mask k: 8 + k).
fn counter(step: u64, slot: usize) -> u32 {
    (step.wrapping_mul(16) as u32).wrapping_add(slot as u32)
}

/// Forward over a batch. `step`: the training step (dropout masks drawn when `a` is a
/// training set with masks), `None` for inference. Leaves predictions in `a.pred`; when
/// training, the loss gradient in `a.dy` and the batch's squared errors added to `tb.sse`.
pub fn forward<R: Runtime>(
    gpu: &Gpu<R>,
    shape: &PackShape,
    tb: &TrialBufs,
    dd: &DeviceData,
    a: &Activations,
    at: &BatchAt,
    step: Option<u64>,
) {
    let (t, s, b, h, d, p) = (shape.trials, shape.steps, a.cap, shape.units, shape.features, shape.p_len());
    let g = shape.gate_width();
    let lay = &shape.layout;
    gpu.gather(
        &dd.features,
        &dd.labels,
        &dd.dates,
        &dd.stocks,
        at.order,
        &a.x,
        &a.y,
        at.n_order,
        at.offset,
        [t, s, b, d],
        at.rows,
        dd.n_stocks,
        dd.steps_per_day,
    );
    for ((l, la), w) in a.layers.iter().enumerate().zip(lay.recurrent()) {
        let (input, d_in) = layer_input(a, l, d, h);
        gpu.matmul(
            MatView::rows(input, 0, s * b * d_in, d_in),
            MatView::rows(&tb.params, w.w_input, p, g),
            MatView::rows(&la.gates, 0, s * b * g, g),
            s * b,
            g,
            d_in,
            t,
            false,
        );
        match w.bias_hn {
            None => gpu.lstm_forward(&la.gates, &tb.params, &tb.start, &la.c, &la.h, p, w.w_hidden, w.bias, t, s, b, at.rows, h),
            Some(bias_hn) => {
                let at_w = [w.w_hidden, w.bias, bias_hn];
                gpu.gru_forward(&la.gates, &tb.params, &tb.start, &la.c, &la.h, p, at_w, t, s, b, at.rows, h)
            }
        }
        if let (Some(mask), Some(dropped), Some(step)) = (&la.mask, &la.dropped, step) {
            gpu.dropout_mask(mask, &tb.seed, &tb.threshold, &tb.keep, &tb.units, &tb.start, counter(step, l), s, b, h, 1);
            gpu.mul(&la.h, mask, dropped);
        }
    }
    let top = a.layers.last().expect("at least one recurrent layer");
    let draw = |k: usize| {
        if let (true, Some(step)) = (a.masked, step) {
            // Head masks index rows and units only (one step, starting at 0 for every trial);
            // the attention head's input has two halves of units.
            let halves = if k == 0 && shape.attention { 2 } else { 1 };
            gpu.dropout_mask(
                &a.head_masks[k],
                &tb.seed,
                &tb.threshold,
                &tb.keep,
                &tb.units,
                &tb.zero_start,
                counter(step, 8 + k),
                1,
                b,
                h,
                halves,
            );
        }
    };
    draw(0);
    match &a.attention {
        Some(ab) => super::attention::forward(gpu, shape, tb, ab, &top.h, &a.head_masks[0], &a.z[0], b),
        None => gpu.last_step(&top.h, &a.head_masks[0], &a.z[0], s, b, h),
    }
    for (k, dense) in lay.dense.iter().enumerate() {
        let w_in = head_width(shape, k);
        gpu.matmul(
            MatView::rows(&a.z[k], 0, b * w_in, w_in),
            MatView::rows(&tb.params, dense.weight, p, h),
            MatView::rows(&a.z[k + 1], 0, b * h, h),
            b,
            h,
            w_in,
            t,
            false,
        );
        draw(k + 1);
        gpu.bias_relu_mask(&a.z[k + 1], &tb.params, &a.head_masks[k + 1], p, dense.bias, b, h);
    }
    let out = &lay.output;
    let w_out = head_width(shape, lay.dense.len());
    gpu.matmul(
        MatView::rows(&a.z[lay.dense.len()], 0, b * w_out, w_out),
        MatView::rows(&tb.params, out.weight, p, 1),
        MatView::rows(&a.pred, 0, b, 1),
        b,
        1,
        w_out,
        t,
        false,
    );
    gpu.output_loss(&a.pred, &a.y, &a.dy, &tb.sse, &tb.params, p, out.bias, t, b, at.rows, a.back.is_some());
}

/// The input width of the head's layer `k` (dense layers, then the output layer): the head's
/// input (`H`, or `2H` with attention) for the first, `H` after.
fn head_width(shape: &PackShape, k: usize) -> usize {
    if k == 0 { shape.head_in() } else { shape.units }
}

/// Recurrent layer `l`'s input and its width: the windows `x` (`d` factors) for the first layer,
/// else the layer below's hidden states (`h` units), after dropout when it has a mask.
fn layer_input(a: &Activations, l: usize, d: usize, h: usize) -> (&Buf, usize) {
    match l {
        0 => (&a.x, d),
        _ => {
            let below = &a.layers[l - 1];
            (below.dropped.as_ref().unwrap_or(&below.h), h)
        }
    }
}

/// Backward after a training [`forward`] of the same batch: every parameter gradient of each
/// trial's mean squared error into `tb.grads`.
pub fn backward<R: Runtime>(gpu: &Gpu<R>, shape: &PackShape, tb: &TrialBufs, a: &Activations, rows: usize) {
    let bb = a.back.as_ref().expect("backward needs training buffers");
    let (t, s, b, h, d, p) = (shape.trials, shape.steps, a.cap, shape.units, shape.features, shape.p_len());
    let g = shape.gate_width();
    let lay = &shape.layout;
    let grads = &tb.grads;
    let n_dense = lay.dense.len();
    // Output layer: dW = zᵀ·dy, db = Σ dy, dz = dy·Wᵀ. The gradient of the head's first
    // layer's input goes to `dhead` (its width may be 2H), the others to `dz`.
    let out = &lay.output;
    let w_out = head_width(shape, n_dense);
    gpu.matmul(
        MatView::rows(&a.z[n_dense], 0, b * w_out, w_out).t(),
        MatView::rows(&a.dy, 0, b, 1),
        MatView::rows(grads, out.weight, p, 1),
        w_out,
        1,
        b,
        t,
        false,
    );
    gpu.colsum(&a.dy, grads, b, b, 1, p, out.bias, t);
    let [mut cur, mut next] = [if n_dense == 0 { &bb.dhead } else { &bb.dz[0] }, &bb.dz[1]];
    gpu.matmul(
        MatView::rows(&a.dy, 0, b, 1),
        MatView { buf: &tb.params, off: out.weight, batch: p, row: w_out, col: 1 },
        MatView::rows(cur, 0, b * w_out, w_out),
        b,
        w_out,
        1,
        t,
        false,
    );
    for k in (0..n_dense).rev() {
        let dense = &lay.dense[k];
        let w_in = head_width(shape, k);
        gpu.relu_mask_back(cur, &a.z[k + 1], &a.head_masks[k + 1]);
        gpu.matmul(
            MatView::rows(&a.z[k], 0, b * w_in, w_in).t(),
            MatView::rows(cur, 0, b * h, h),
            MatView::rows(grads, dense.weight, p, h),
            w_in,
            h,
            b,
            t,
            false,
        );
        gpu.colsum(cur, grads, b * h, b, h, p, dense.bias, t);
        if k == 0 {
            next = &bb.dhead;
        }
        gpu.matmul(
            MatView::rows(cur, 0, b * h, h),
            MatView::rows(&tb.params, dense.weight, p, h).t(),
            MatView::rows(next, 0, b * w_in, w_in),
            b,
            w_in,
            h,
            t,
            false,
        );
        std::mem::swap(&mut cur, &mut next);
    }
    gpu.mul_assign(&bb.dhead, &a.head_masks[0]);
    // With attention, the top layer's gradient reaches every step (into `dseq`).
    let top_h = &a.layers.last().expect("at least one recurrent layer").h;
    if let Some(ab) = &a.attention {
        super::attention::backward(gpu, shape, tb, ab, bb, top_h, b);
    }
    let n = a.layers.len();
    let recurrent = lay.recurrent();
    for l in (0..n).rev() {
        let la = &a.layers[l];
        let w = &recurrent[l];
        gpu.transpose(&tb.params, &bb.wt, p, w.w_hidden, h, g);
        // The top layer's gradient: its last step's (`dhead`), or every step's with attention.
        let last = l + 1 == n && a.attention.is_none();
        let dh = if last { &bb.dhead } else { &bb.dseq };
        // The gradients W_hidden's product sees: the gates' (LSTM), the recurrent side's (GRU).
        let dgh = match w.bias_hn {
            None => {
                gpu.lstm_backward(&la.gates, &la.c, dh, &bb.wt, &tb.start, t, s, b, rows, h, last);
                &la.gates
            }
            Some(bias_hn) => {
                let dgh = bb.dgh.as_ref().expect("GRU layers get a dgh buffer");
                gpu.gru_backward(&la.gates, &la.c, &la.h, dh, dgh, &bb.wt, &tb.start, t, s, b, rows, h, last);
                // d bias_hn = Σ of the candidate block of the recurrent side.
                gpu.colsum_block(dgh, grads, [s * b * g, 2 * h, s * b, g], h, p, bias_hn, t);
                dgh
            }
        };
        let (input, d_in) = layer_input(a, l, d, h);
        // dW_hidden = Σ_{t ≥ 1} h_{t−1}ᵀ · dgates_t.
        gpu.matmul(
            MatView::rows(&la.h, 0, s * b * h, h).t(),
            MatView::rows(dgh, b * g, s * b * g, g),
            MatView::rows(grads, w.w_hidden, p, g),
            h,
            g,
            (s - 1) * b,
            t,
            false,
        );
        gpu.matmul(
            MatView::rows(input, 0, s * b * d_in, d_in).t(),
            MatView::rows(&la.gates, 0, s * b * g, g),
            MatView::rows(grads, w.w_input, p, g),
            d_in,
            g,
            s * b,
            t,
            false,
        );
        gpu.colsum(&la.gates, grads, s * b * g, s * b, g, p, w.bias, t);
        if l > 0 {
            gpu.matmul(
                MatView::rows(&la.gates, 0, s * b * g, g),
                MatView::rows(&tb.params, w.w_input, p, g).t(),
                MatView::rows(&bb.dseq, 0, s * b * h, h),
                s * b,
                h,
                g,
                t,
                false,
            );
            if let Some(mask) = &a.layers[l - 1].mask {
                gpu.mul_assign(&bb.dseq, mask);
            }
        }
    }
}
