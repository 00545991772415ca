//! The buffers of one forward/backward pass, allocated once per worker for a batch capacity
//! and reused for every batch (smaller batches use a prefix). Everything of a layer is
//! time-major, `[seq, batch, …]`, so that one step is a contiguous `[batch, …]` block and all
//! steps together are one `[seq·batch, …]` matrix.

use super::attention::AttentionBufs;
use crate::engine::precision::Precision;
use crate::engine::weights::Layout;
use crate::model::dataset::{Sample, WindowData};
use crate::model::network::{Cell, NetworkConfig};

/// One recurrent layer's activations (`G` gate blocks: 4 for an LSTM, 3 for a GRU).
pub struct LayerBufs {
    /// `[seq, batch, G·h]`: the input projection, then each step's gate pre-activations, then
    /// their activations (LSTM `(i, f, g, o)`, GRU `(r, z, n)`); backward overwrites them
    /// with the gate gradients.
    pub gates: Vec<f32>,
    /// LSTM cell states: `[seq, batch, h]` when training, else `[2, batch, h]` (the last two
    /// steps); empty for a GRU.
    pub c: Vec<f32>,
    /// tanh of the LSTM cell states: `[seq, batch, h]` when training, else `[batch, h]`;
    /// empty for a GRU.
    pub tc: Vec<f32>,
    /// GRU: `h_{t−1} W_hn + b_hn`, `[seq, batch, h]` when training, else `[batch, h]`; empty
    /// for an LSTM.
    pub hn: Vec<f32>,
    /// GRU: one step's recurrent product `[batch, 3h]`; empty for an LSTM.
    pub gh: Vec<f32>,
    /// `[seq, batch, h]`: hidden states.
    pub h: Vec<f32>,
    /// `[seq, batch, h]`: hidden states after dropout (the next layer's input) and the
    /// dropout mask (0 or 1/(1−p)); empty for the last layer or without dropout.
    pub dropped: Vec<f32>,
    pub mask: Vec<f32>,
}

/// The dense head's activations.
pub struct HeadBufs {
    /// `z[0]`: the head's input after dropout, `[batch, units]` (`2·units` with attention);
    /// `z[k]`: dense layer k's output after ReLU and dropout, `[batch, units]`.
    pub z: Vec<Vec<f32>>,
    /// The dropout masks of `z`, each `[batch, units]` (empty without dropout).
    pub mask: Vec<Vec<f32>>,
    /// `[batch]` predictions.
    pub pred: Vec<f32>,
}

/// Backward-only buffers.
pub struct Scratch {
    /// `[batch, h]`: the recurrent part of the hidden-state gradient (from step t+1).
    pub dh: Vec<f32>,
    /// `[batch, h]`: the cell-state gradient carried back through time (LSTM).
    pub dc: Vec<f32>,
    /// `[seq, batch, 3h]`: a GRU layer's recurrent-side gate gradients (empty for an LSTM).
    pub dgh: Vec<f32>,
    /// `[seq, batch, h]`: gradient with respect to a layer's input sequence (the layer below's
    /// output).
    pub dseq: Vec<f32>,
    /// Two gradients of the dense head (current and next), `[batch, 2·units]` at most.
    pub dz: [Vec<f32>; 2],
    /// `[seq, batch]`: the attention scores' gradient (empty without attention).
    pub ds: Vec<f32>,
    /// A transposed weight matrix, `[G·h, max(h, d_in)]`.
    pub wt: Vec<f32>,
}

/// All buffers of one worker.
pub struct Arena {
    pub seq: usize,
    pub cap: usize,
    pub n_features: usize,
    /// `[seq, batch, n_features]`: the input windows, time-major.
    pub x: Vec<f32>,
    /// `[batch]`: the labels.
    pub y: Vec<f32>,
    pub layers: Vec<LayerBufs>,
    /// The attention pooling's activations (`None` without attention).
    pub attention: Option<AttentionBufs>,
    pub head: HeadBufs,
    /// `None` for inference.
    pub scratch: Option<Scratch>,
    /// `[batch, units]` zeros (the state before the first step).
    pub zeros: Vec<f32>,
    /// The last forward pass drew dropout masks.
    pub dropout_on: bool,
    /// The matrix products' precision (resolved: `Fp32` or `Bf16`; `Fp32` unless set).
    pub precision: Precision,
}

impl Arena {
    /// Buffers for batches of up to `cap` windows of `seq` steps; `train` adds what
    /// backpropagation needs.
    pub fn new(net: &NetworkConfig, seq: usize, cap: usize, train: bool) -> Arena {
        let (u, n) = (net.units, net.lstm_layers);
        let dropout = train && net.dropout > 0.0;
        let v = |len: usize| vec![0.0f32; len];
        let (g, lstm, gru) = (net.cell.gates() * u, net.cell == Cell::Lstm, net.cell == Cell::Gru);
        let steps = if train { seq } else { 1 };
        let layers = (0..n)
            .map(|l| {
                let mid = dropout && l + 1 < n;
                LayerBufs {
                    gates: v(seq * cap * g),
                    c: v(if !lstm {
                        0
                    } else if train {
                        seq * cap * u
                    } else {
                        2 * cap * u
                    }),
                    tc: v(if lstm { steps * cap * u } else { 0 }),
                    hn: v(if gru { steps * cap * u } else { 0 }),
                    gh: v(if gru { cap * g } else { 0 }),
                    h: v(seq * cap * u),
                    dropped: v(if mid { seq * cap * u } else { 0 }),
                    mask: v(if mid { seq * cap * u } else { 0 }),
                }
            })
            .collect();
        let d = net.dense_layers;
        let width = |k: usize| if k == 0 { net.head_input() } else { u };
        let head = HeadBufs {
            z: (0..=d).map(|k| v(cap * width(k))).collect(),
            mask: (0..=d).map(|k| v(if dropout { cap * width(k) } else { 0 })).collect(),
            pred: v(cap),
        };
        let attention = Layout::new(net).attention.map(|at| AttentionBufs::new(&at, seq, cap));
        let widest = net.head_input().max(u);
        let scratch = train.then(|| Scratch {
            dh: v(cap * u),
            dc: v(if lstm { cap * u } else { 0 }),
            dgh: v(if gru { seq * cap * g } else { 0 }),
            dseq: v(seq * cap * u),
            dz: [v(cap * widest), v(cap * widest)],
            ds: v(if net.attention { seq * cap } else { 0 }),
            wt: v(g * u.max(net.n_features)),
        });
        Arena {
            seq,
            cap,
            n_features: net.n_features,
            x: v(seq * cap * net.n_features),
            y: v(cap),
            layers,
            attention,
            head,
            scratch,
            zeros: v(cap * u),
            dropout_on: false,
            precision: Precision::Fp32,
        }
    }

    /// Gathers the windows and labels of `samples` (at most `cap`) into `x` (time-major) and `y`.
    pub fn load(&mut self, data: &WindowData, samples: &[Sample]) {
        assert!(samples.len() <= self.cap, "batch larger than the arena");
        assert!(data.seq() == self.seq && data.n_features == self.n_features, "data shape differs from the arena's");
        let (ns, nf, k, n) = (data.n_stocks, data.n_features, data.steps_per_day, samples.len());
        let days = data.mem_day;
        for (b, s) in samples.iter().enumerate() {
            let (date, stock) = (s.date as usize, s.stock as usize);
            for t in 0..self.seq {
                // Step t is step t % k of day t / k of the window.
                let src = (((date + 1 - days + t / k) * ns + stock) * k + t % k) * nf;
                let dst = (t * n + b) * nf;
                self.x[dst..dst + nf].copy_from_slice(&data.features[src..src + nf]);
            }
            self.y[b] = data.labels[date * ns + stock];
        }
    }

    #[cfg(test)]
    /// Copies batch-major inputs `[batch, seq, n_features]` (burn's layout) into `x`.
    pub fn load_batch_major(&mut self, x: &[f32], y: &[f32]) {
        let (m, nf, n) = (self.seq, self.n_features, y.len());
        for b in 0..n {
            for t in 0..m {
                let (src, dst) = ((b * m + t) * nf, (t * n + b) * nf);
                self.x[dst..dst + nf].copy_from_slice(&x[src..src + nf]);
            }
        }
        self.y[..n].copy_from_slice(y);
    }
}
