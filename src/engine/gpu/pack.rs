//! A pack: trials trained together in lockstep by one set of launches. They share the cell
//! (LSTM or GRU), attention pooling or not, the number of recurrent and dense layers, the
//! batch size, the factors and the clipping norm; each
//! has its own units, `mem_day`, learning rate, dropout and seed. Shapes are padded to the
//! pack's largest: `units` to `H` (the extra units have zero weights, stay exactly zero and
//! get zero gradients, so a padded trial trains exactly as alone) and `mem_day` to `S` (a
//! shorter window starts later in the same windows: its steps before `S − mem_day` are skipped).

use std::ops::Range;

use crate::engine::weights::{Layout, RecurrentAt, Weights};
use crate::model::network::{Cell, NetworkConfig};
use crate::model::train::TrainConfig;

/// One trial of a pack.
#[derive(Clone, Debug)]
pub struct PackTrial {
    pub net: NetworkConfig,
    /// Time steps of its windows (its data view's `seq()`: `mem_day × steps_per_day`).
    pub seq: usize,
    pub cfg: TrainConfig,
}

/// The shared, padded shape of a pack.
#[derive(Clone, Debug)]
pub struct PackShape {
    pub trials: usize,
    /// Padded steps `S` (the longest window), units `H`, factors `D`, batch rows `B`.
    pub steps: usize,
    pub units: usize,
    pub features: usize,
    pub batch: usize,
    /// The recurrent cell and its layers (`lstm_layers` counts either), attention pooling
    /// over the top layer's steps, the dense layers.
    pub cell: Cell,
    pub attention: bool,
    pub lstm_layers: usize,
    pub dense_layers: usize,
    /// The padded network's parameter layout (`P = layout.len` per trial).
    pub layout: Layout,
}

impl PackShape {
    /// The shape of `trials` (which must agree on layers, factors and batch size; see
    /// [`packable`]).
    pub fn of(trials: &[PackTrial]) -> PackShape {
        let first = &trials[0];
        let units = trials.iter().map(|t| t.net.units).max().unwrap_or(1);
        let padded = NetworkConfig { units, ..first.net.clone() };
        PackShape {
            trials: trials.len(),
            steps: trials.iter().map(|t| t.seq).max().unwrap_or(1),
            units,
            features: first.net.n_features,
            batch: first.cfg.batch_size.max(1),
            cell: first.net.cell,
            attention: first.net.attention,
            lstm_layers: first.net.lstm_layers,
            dense_layers: first.net.dense_layers,
            layout: Layout::new(&padded),
        }
    }

    /// Parameters per trial.
    pub fn p_len(&self) -> usize {
        self.layout.len
    }

    /// Gate pre-activations per row of a recurrent layer: `G = 4H` (LSTM) or `3H` (GRU).
    pub fn gate_width(&self) -> usize {
        self.cell.gates() * self.units
    }

    /// The head's input width: `H`, or `2H` with attention (`[h_last, context]`).
    pub fn head_in(&self) -> usize {
        if self.attention { 2 * self.units } else { self.units }
    }

    /// Every parameter tensor's range in a trial's block (the clipping segments).
    pub fn tensors(&self) -> Vec<Range<usize>> {
        self.layout.tensors()
    }
}

/// Whether two trials can share a pack.
pub fn packable(a: &PackTrial, b: &PackTrial) -> bool {
    a.net.cell == b.net.cell
        && a.net.attention == b.net.attention
        && a.net.lstm_layers == b.net.lstm_layers
        && a.net.dense_layers == b.net.dense_layers
        && a.net.n_features == b.net.n_features
        && a.cfg.batch_size == b.cfg.batch_size
        && a.cfg.grad_clip == b.cfg.grad_clip
}

/// The column of a trial tensor's entry in the padded tensor: gate blocks of width `u` move
/// to blocks of width `h`.
fn gate_col(col: usize, u: usize, h: usize) -> usize {
    (col / u) * h + col % u
}

/// Calls `f(trial index, padded index)` for every parameter of one recurrent layer: `s` in
/// the trial's layout (`u` units), `d` in the padded one (`h` units).
fn for_each_recurrent(s: &RecurrentAt, d: &RecurrentAt, u: usize, h: usize, mut f: impl FnMut(usize, usize)) {
    let k = s.gates;
    for r in 0..s.d_in {
        for c in 0..k * u {
            f(s.w_input + r * k * u + c, d.w_input + r * k * h + gate_col(c, u, h));
        }
    }
    for r in 0..u {
        for c in 0..k * u {
            f(s.w_hidden + r * k * u + c, d.w_hidden + r * k * h + gate_col(c, u, h));
        }
    }
    for c in 0..k * u {
        f(s.bias + c, d.bias + gate_col(c, u, h));
    }
    if let (Some(sn), Some(dn)) = (s.bias_hn, d.bias_hn) {
        for c in 0..u {
            f(sn + c, dn + c);
        }
    }
}

/// Calls `f(trial index, padded index)` for every parameter after the recurrent layers: the
/// attention pooling (`[u, a]`, `[a]`, `[a]` into `[h, A]`, `[A]`, `[A]`), then the dense and
/// output layers, whose inputs and outputs of width `u` move to width `h` (the first layer's
/// input `[h_last, context]` with attention: each half to its own half).
fn for_each_head(src: &Layout, dst: &Layout, u: usize, h: usize, mut f: impl FnMut(usize, usize)) {
    if let (Some(s), Some(d)) = (&src.attention, &dst.attention) {
        for r in 0..s.h {
            for c in 0..s.a {
                f(s.hidden + r * s.a + c, d.hidden + r * d.a + c);
            }
        }
        for c in 0..s.a {
            f(s.bias + c, d.bias + c);
            f(s.score + c, d.score + c);
        }
    }
    // A row (input) of the trial's layer to the padded layer's: halves of width u to halves of width h.
    let row = |r: usize| (r / u) * h + r % u;
    for (s, d) in src.dense.iter().chain([&src.output]).zip(dst.dense.iter().chain([&dst.output])) {
        for r in 0..s.d_in {
            for c in 0..s.d_out {
                f(s.weight + r * s.d_out + c, d.weight + row(r) * d.d_out + c);
            }
        }
        for c in 0..s.d_out {
            f(s.bias + c, d.bias + c);
        }
    }
}

/// Copies a trial's weights into its padded block `out` (zeros elsewhere).
pub fn pad(w: &Weights, shape: &PackShape, out: &mut [f32]) {
    out.fill(0.0);
    let (u, h) = (w.net.units, shape.units);
    let (src, dst) = (&w.layout, &shape.layout);
    let p = &w.params;
    for (s, d) in src.recurrent().iter().zip(&dst.recurrent()) {
        for_each_recurrent(s, d, u, h, |from, to| out[to] = p[from]);
    }
    for_each_head(src, dst, u, h, |from, to| out[to] = p[from]);
}

/// The trial's own weights from its padded block (the inverse of [`pad`]).
pub fn unpad(block: &[f32], net: &NetworkConfig, shape: &PackShape) -> Weights {
    let layout = Layout::new(net);
    let (u, h) = (net.units, shape.units);
    let mut p = vec![0.0f32; layout.len];
    let dst = &shape.layout;
    for (s, d) in layout.recurrent().iter().zip(&dst.recurrent()) {
        for_each_recurrent(s, d, u, h, |from, to| p[from] = block[to]);
    }
    for_each_head(&layout, dst, u, h, |from, to| p[from] = block[to]);
    Weights { net: net.clone(), layout, params: p }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(units: usize, mem_day: usize, cell: Cell) -> PackTrial {
        let net = NetworkConfig { cell, ..NetworkConfig::lstm(3, 2, 2, units, 0.1) };
        PackTrial { net, seq: mem_day, cfg: TrainConfig { batch_size: 8, ..Default::default() } }
    }

    #[test]
    fn pad_then_unpad_is_the_identity_and_pads_are_zero() {
        for (cell, attention) in [(Cell::Lstm, false), (Cell::Gru, false), (Cell::Lstm, true), (Cell::Gru, true)] {
            let mut trials = [trial(4, 3, cell), trial(6, 5, cell)];
            trials.iter_mut().for_each(|t| t.net.attention = attention);
            let shape = PackShape::of(&trials);
            assert_eq!((shape.units, shape.steps, shape.gate_width()), (6, 5, cell.gates() * 6));
            let w = Weights::init(&trials[0].net, 9);
            let mut block = vec![1.0; shape.p_len()];
            pad(&w, &shape, &mut block);
            let nonzero = block.iter().filter(|v| **v != 0.0).count();
            assert_eq!(nonzero, w.params.iter().filter(|v| **v != 0.0).count(), "{cell:?} {attention}");
            let back = unpad(&block, &w.net, &shape);
            assert_eq!(back.params, w.params, "{cell:?} {attention}");
        }
    }

    #[test]
    fn cells_do_not_share_a_pack() {
        assert!(packable(&trial(4, 3, Cell::Gru), &trial(6, 5, Cell::Gru)));
        assert!(!packable(&trial(4, 3, Cell::Lstm), &trial(4, 3, Cell::Gru)));
    }
}
