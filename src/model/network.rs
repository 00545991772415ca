//! `LstmNet`: the paper's network, configurable as its sweep needs: `lstm_layers` stacked
//! LSTM layers of `units`, then `dense_layers` ReLU dense layers of `units`, dropout after
//! each (0.1 as in the original script), and a 1-unit linear output.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::Tensor;
use burn::tensor::activation::relu;
use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};

use crate::model::lstm::{FusedLstm, FusedLstmConfig};

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
}

/// LSTM layers → dense layers → one output.
#[derive(Module, Debug)]
pub struct LstmNet<B: Backend> {
    pub lstms: Vec<FusedLstm<B>>,
    pub dense: Vec<Linear<B>>,
    pub dropout: Dropout,
    pub output: Linear<B>,
}

impl NetworkConfig {
    pub fn init<B: Backend>(&self, device: &B::Device) -> LstmNet<B> {
        let lstms = (0..self.lstm_layers)
            .map(|l| {
                FusedLstmConfig { d_input: if l == 0 { self.n_features } else { self.units }, d_hidden: self.units }.init(device)
            })
            .collect();
        let dense = (0..self.dense_layers).map(|_| LinearConfig::new(self.units, self.units).init(device)).collect();
        LstmNet {
            lstms,
            dense,
            dropout: DropoutConfig::new(self.dropout).init(),
            output: LinearConfig::new(self.units, 1).init(device),
        }
    }

    /// Trainable parameters.
    pub fn n_params(&self) -> usize {
        let u = self.units;
        let lstm: usize = (0..self.lstm_layers).map(|l| (if l == 0 { self.n_features } else { u } + u + 1) * 4 * u).sum();
        lstm + self.dense_layers * (u * u + u) + u + 1
    }
}

impl<B: Backend> LstmNet<B> {
    /// `x: [batch, mem_day, n_features]` → predictions `[batch]`.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 1> {
        let n = self.lstms.len();
        let mut seq = x;
        let mut last = None;
        for (l, lstm) in self.lstms.iter().enumerate() {
            let (all, h) = lstm.forward(seq.clone(), l + 1 < n);
            if let Some(all) = all {
                seq = self.dropout.forward(all);
            }
            last = Some(h);
        }
        let mut h = self.dropout.forward(last.expect("at least one LSTM layer"));
        for d in &self.dense {
            h = self.dropout.forward(relu(d.forward(h)));
        }
        let [b, _] = h.dims();
        self.output.forward(h).reshape([b])
    }
}
