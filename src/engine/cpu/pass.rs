//! The whole network's forward and backward pass over the batch loaded in an [`Arena`]:
//! LSTM or GRU layers (dropout between them), the attention pooling when on, then the dense head
//! and the loss.

use super::arena::Arena;
use super::attention;
use super::gru;
use super::head;
use super::kernels::{fill_mask, mul, mul_assign};
use super::lstm::{self, BackScratch, Upstream};
use crate::engine::weights::Weights;
use crate::model::network::Cell;
use crate::rng::Rng;

/// Forward over the first `batch` windows in `a`; predictions land in `a.head.pred[..batch]`.
/// `rng`: the dropout masks' generator when training (a training arena and `dropout > 0`);
/// `None` is inference.
pub fn forward(w: &Weights, a: &mut Arena, batch: usize, rng: Option<&mut Rng>) {
    let p = w.net.dropout;
    let train = a.scratch.is_some();
    let mut rng = rng.filter(|_| train && p > 0.0);
    a.dropout_on = rng.is_some();
    let (n, seq, u, nf) = (w.net.lstm_layers, a.seq, w.net.units, a.n_features);
    let nx = seq * batch;
    for l in 0..n {
        let (done, rest) = a.layers.split_at_mut(l);
        let input = match done.last() {
            None => &a.x[..nx * nf],
            Some(prev) if a.dropout_on => &prev.dropped[..nx * u],
            Some(prev) => &prev.h[..nx * u],
        };
        let bufs = &mut rest[0];
        match w.net.cell {
            Cell::Lstm => lstm::forward(&w.layout.lstm[l], &w.params, input, seq, batch, bufs, &a.zeros, train, a.precision),
            Cell::Gru => gru::forward(&w.layout.gru[l], &w.params, input, seq, batch, bufs, &a.zeros, train, a.precision),
        }
        if let Some(r) = rng.as_mut()
            && l + 1 < n
        {
            fill_mask(&mut bufs.mask[..nx * u], p, r);
            mul(&mut bufs.dropped[..nx * u], &bufs.h, &bufs.mask);
        }
    }
    let top = &a.layers[n - 1].h;
    let input = match (&w.layout.attention, &mut a.attention) {
        (Some(at), Some(bufs)) => {
            attention::forward(at, &w.params, &top[..nx * u], seq, batch, bufs, a.precision);
            &bufs.pooled[..]
        }
        _ => &top[(seq - 1) * batch * u..seq * batch * u],
    };
    head::forward(&w.layout, &w.params, input, &mut a.head, batch, rng.map(|r| (r, p)), a.precision);
}

/// Backward after a training [`forward`] of the same `batch`: writes every parameter's
/// gradient of the batch's mean squared error (the mean over `n_total` samples, of which
/// this arena holds `batch`) into `grads` (overwriting). Returns this part's sum of squared
/// errors.
pub fn backward(w: &Weights, a: &mut Arena, batch: usize, n_total: usize, grads: &mut [f32]) -> f64 {
    let s = a.scratch.as_mut().expect("backward needs a training arena");
    let on = a.dropout_on;
    let loss = head::backward(&w.layout, &w.params, grads, &a.head, &a.y[..batch], batch, n_total, &mut s.dz, on, a.precision);
    let (n, seq, u, nf) = (w.net.lstm_layers, a.seq, w.net.units, a.n_features);
    let nx = seq * batch;
    for l in (0..n).rev() {
        let (below, rest) = a.layers.split_at_mut(l);
        let input = match below.last() {
            None => &a.x[..nx * nf],
            Some(prev) if on => &prev.dropped[..nx * u],
            Some(prev) => &prev.h[..nx * u],
        };
        let up = match (&w.layout.attention, &mut a.attention) {
            (Some(at), Some(bufs)) if l + 1 == n => {
                let hs = &rest[0].h[..nx * u];
                attention::backward(at, &w.params, grads, hs, &s.dz[0], seq, batch, bufs, &mut s.dseq, &mut s.ds, a.precision);
                Upstream::Seq
            }
            _ if l + 1 == n => Upstream::Last(&s.dz[0]),
            _ => Upstream::Seq,
        };
        let (bufs, dseq, want_dx, p) = (&mut rest[0], &mut s.dseq, l > 0, a.precision);
        match w.net.cell {
            Cell::Lstm => {
                let scratch = BackScratch { dh: &mut s.dh, dc: &mut s.dc, wt: &mut s.wt, zeros: &a.zeros };
                lstm::backward(&w.layout.lstm[l], &w.params, grads, input, seq, batch, bufs, scratch, up, dseq, want_dx, p);
            }
            Cell::Gru => {
                let scratch = gru::BackScratch { dh: &mut s.dh, dgh: &mut s.dgh, wt: &mut s.wt, zeros: &a.zeros };
                gru::backward(&w.layout.gru[l], &w.params, grads, input, seq, batch, bufs, scratch, up, dseq, want_dx, p);
            }
        }
        if let Some(prev) = below.last()
            && on
        {
            mul_assign(&mut s.dseq[..nx * u], &prev.mask);
        }
    }
    loss
}
