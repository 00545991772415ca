//! `LstmNet`: the paper's network, configurable as its sweep needs: `lstm_layers` stacked
//! recurrent layers of `units` (LSTM, or GRU with `cell = "gru"`, qlib's GRU model), then
//! `dense_layers` ReLU dense layers of `units`, dropout after each (0.1 as in the original
//! script), and a 1-unit linear output. With `attention`, the head reads the last hidden
//! state and an attention-pooled one (qlib's ALSTM, [`TemporalAttention`]) instead of the
//! last alone.
//!
//! Initialization and dropout masks draw from the crate's own seeded [`Rng`], not burn's
//! process-wide one, so trials running side by side in a sweep stay reproducible.

use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::model::attention::{TemporalAttention, attention_width};
use crate::model::gru::FusedGru;
use crate::model::lstm::{FusedLstm, FusedLstmConfig};
use crate::rng::Rng;

/// The architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Factors per time step.
    pub n_features: usize,
    pub lstm_layers: usize,
    pub dense_layers: usize,
    pub units: usize,
    pub dropout: f64,
    /// Attention pooling over the window's steps before the head (qlib's ALSTM); left out
    /// of files when off, so networks written before it read the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attention: bool,
    /// The recurrent cell of the `lstm_layers` layers; left out of files when LSTM, so
    /// networks written before it read the same.
    #[serde(default, skip_serializing_if = "Cell::is_lstm")]
    pub cell: Cell,
}

/// The recurrent cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// Four gates, a cell state (the paper's).
    #[default]
    Lstm,
    /// Three gates, no cell state (qlib's GRU; PyTorch's equations).
    Gru,
}

impl Cell {
    pub fn is_lstm(&self) -> bool {
        *self == Cell::Lstm
    }

    /// Gate blocks per layer: 4 (LSTM) or 3 (GRU).
    pub fn gates(self) -> usize {
        match self {
            Cell::Lstm => 4,
            Cell::Gru => 3,
        }
    }
}

/// LSTM (or GRU) layers → (attention pooling) → dense layers → one output.
#[derive(Module, Debug)]
pub struct LstmNet<B: Backend> {
    /// The LSTM layers (empty in a GRU network).
    pub lstms: Vec<FusedLstm<B>>,
    /// The GRU layers of a GRU network; `None` in an LSTM network (and in every checkpoint
    /// written before GRUs, which therefore load as before).
    pub grus: Option<Vec<FusedGru<B>>>,
    pub attention: Option<TemporalAttention<B>>,
    pub dense: Vec<Linear<B>>,
    pub dropout: Dropout,
    pub output: Linear<B>,
}

impl NetworkConfig {
    /// An LSTM network without attention.
    pub fn lstm(n_features: usize, lstm_layers: usize, dense_layers: usize, units: usize, dropout: f64) -> NetworkConfig {
        NetworkConfig { n_features, lstm_layers, dense_layers, units, dropout, attention: false, cell: Cell::Lstm }
    }

    pub fn init<B: Backend>(&self, device: &B::Device) -> LstmNet<B> {
        if self.cell == Cell::Gru {
            // Uniform in ±1/√units, as PyTorch's GRU (the seeded path; burn's Rng is not used).
            return self.init_seeded(0, device);
        }
        let lstms = (0..self.lstm_layers)
            .map(|l| {
                FusedLstmConfig { d_input: if l == 0 { self.n_features } else { self.units }, d_hidden: self.units }.init(device)
            })
            .collect();
        let u = self.units;
        let attention = self.attention.then(|| TemporalAttention::init(u, device));
        let dense = (0..self.dense_layers)
            .map(|l| LinearConfig::new(if l == 0 { self.head_input() } else { u }, u).init(device))
            .collect();
        LstmNet {
            lstms,
            grus: None,
            attention,
            dense,
            dropout: DropoutConfig::new(self.dropout).init(),
            output: LinearConfig::new(if self.dense_layers == 0 { self.head_input() } else { u }, 1).init(device),
        }
    }

    /// The head's input width: `units`, or `2·units` with attention (`[h_last, context]`).
    pub fn head_input(&self) -> usize {
        if self.attention { 2 * self.units } else { self.units }
    }

    /// The network with weights drawn from `Rng::new(seed)`: LSTM weights and biases uniform
    /// in ±1/√units (PyTorch's LSTM), dense weights and biases uniform in ±1/√fan_in (burn's
    /// and PyTorch's `Linear` default). Same seed, same weights, whatever runs beside it.
    pub fn init_seeded<B: Backend>(&self, seed: u64, device: &B::Device) -> LstmNet<B> {
        let mut rng = Rng::new(seed ^ crate::rng::salt::INIT);
        let mut uniform = |shape: Vec<usize>, k: f64| -> TensorData {
            let n = shape.iter().product();
            TensorData::new((0..n).map(|_| rng.range(-k, k) as f32).collect::<Vec<f32>>(), shape)
        };
        let u = self.units;
        let k = 1.0 / (u as f64).sqrt();
        let (mut lstms, mut grus) = (vec![], vec![]);
        for l in 0..self.lstm_layers {
            let d_in = if l == 0 { self.n_features } else { u };
            let g = self.cell.gates() * u;
            let (w_input, w_hidden, bias) = (uniform(vec![d_in, g], k), uniform(vec![u, g], k), uniform(vec![g], k));
            let (w_input, w_hidden, bias) =
                (Param::from_data(w_input, device), Param::from_data(w_hidden, device), Param::from_data(bias, device));
            match self.cell {
                Cell::Lstm => lstms.push(FusedLstm { w_input, w_hidden, bias }),
                Cell::Gru => {
                    grus.push(FusedGru { w_input, w_hidden, bias, bias_hn: Param::from_data(uniform(vec![u], k), device) })
                }
            }
        }
        let grus = (self.cell == Cell::Gru).then_some(grus);
        let attention = self.attention.then(|| TemporalAttention::init_with(u, device, &mut uniform));
        let mut linear = |d_in: usize, d_out: usize| -> Linear<B> {
            let k = 1.0 / (d_in as f64).sqrt();
            let mut l = LinearConfig::new(d_in, d_out).init(device);
            l.weight = Param::from_data(uniform(vec![d_in, d_out], k), device);
            l.bias = Some(Param::from_data(uniform(vec![d_out], k), device));
            l
        };
        let head_in = self.head_input();
        let dense = (0..self.dense_layers).map(|l| linear(if l == 0 { head_in } else { u }, u)).collect();
        let output = linear(if self.dense_layers == 0 { head_in } else { u }, 1);
        LstmNet { lstms, grus, attention, dense, dropout: DropoutConfig::new(self.dropout).init(), output }
    }

    /// Trainable parameters.
    pub fn n_params(&self) -> usize {
        let u = self.units;
        let g = self.cell.gates() * u;
        let gru_bias = if self.cell == Cell::Gru { u } else { 0 };
        let lstm: usize = (0..self.lstm_layers).map(|l| (if l == 0 { self.n_features } else { u } + u + 1) * g + gru_bias).sum();
        let a = attention_width(u);
        let attention = if self.attention { u * a + 2 * a } else { 0 };
        let head_in = self.head_input();
        let dense: usize = (0..self.dense_layers).map(|l| (if l == 0 { head_in } else { u } + 1) * u).sum();
        let top = if self.dense_layers == 0 { head_in } else { u };
        lstm + attention + dense + top + 1
    }
}

impl<B: Backend> LstmNet<B> {
    /// The recurrent cell (GRU when the network has GRU layers).
    pub fn cell(&self) -> Cell {
        if self.grus.is_some() { Cell::Gru } else { Cell::Lstm }
    }

    /// How many recurrent layers (LSTM or GRU).
    pub fn recurrent_layers(&self) -> usize {
        self.grus.as_ref().map_or(self.lstms.len(), Vec::len)
    }

    /// The recurrent layers' width.
    pub fn units(&self) -> usize {
        match &self.grus {
            Some(g) => g.first().map_or(0, |l| l.d_hidden()),
            None => self.lstms.first().map_or(0, |l| l.d_hidden()),
        }
    }

    /// Inference: `x: [batch, mem_day, n_features]` → predictions `[batch]`, no dropout.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 1> {
        self.forward_with(x, &mut |t| t)
    }

    /// Training: as [`forward`](Self::forward) with inverted dropout after each LSTM output
    /// and dense layer, masks drawn from `rng`.
    pub fn forward_train(&self, x: Tensor<B, 3>, rng: &mut Rng) -> Tensor<B, 1> {
        let p = self.dropout.prob;
        if p <= 0.0 {
            return self.forward(x);
        }
        self.forward_with(x, &mut |t| dropout_mask(t, p, rng))
    }

    fn forward_with(&self, x: Tensor<B, 3>, drop: &mut dyn FnMut(Tensor<B, 2>) -> Tensor<B, 2>) -> Tensor<B, 1> {
        let n = self.recurrent_layers();
        let mut seq = x;
        let mut last = None;
        for l in 0..n {
            let top = l + 1 == n;
            let all_steps = !top || self.attention.is_some();
            let (all, h) = match &self.grus {
                Some(grus) => grus[l].forward(seq.clone(), all_steps),
                None => self.lstms[l].forward(seq.clone(), all_steps),
            };
            last = Some(match (&self.attention, all) {
                (Some(att), Some(all)) if top => att.forward(all, h),
                (_, Some(all)) => {
                    let [b, t, u] = all.dims();
                    seq = drop(all.reshape([b * t, u])).reshape([b, t, u]);
                    h
                }
                (_, None) => h,
            });
        }
        let mut h = drop(last.expect("at least one recurrent layer"));
        for d in &self.dense {
            h = drop(relu(d.forward(h)));
        }
        let [b, _] = h.dims();
        self.output.forward(h).reshape([b])
    }
}

/// Multiplies by a keep mask scaled by 1/(1−p) (inverted dropout), drawn on the host.
fn dropout_mask<B: Backend>(t: Tensor<B, 2>, p: f64, rng: &mut Rng) -> Tensor<B, 2> {
    let [r, c] = t.dims();
    let scale = (1.0 / (1.0 - p)) as f32;
    let mask: Vec<f32> = (0..r * c).map(|_| if rng.uniform() < p { 0.0 } else { scale }).collect();
    let device = t.device();
    t * Tensor::from_data(TensorData::new(mask, [r, c]), &device)
}
