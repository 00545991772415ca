//! `TemporalAttention`: qlib's ALSTM pooling on burn tensor operations. Every step's top
//! hidden state `h_t [units]` is scored, `s_t = w₂ · tanh(W₁ h_t + b₁)` (`W₁ [units, a]`,
//! `a = units / 2`, `w₂ [a]`, no bias), the scores are softmaxed over the window's steps,
//! and the network's head reads `[h_last, Σ_t α_t h_t]` (`2·units`) in place of `h_last`.
//! (qlib also applies dropout inside the scoring network; this one has none.)

use burn::module::{Module, Param};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::softmax;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};

/// The scoring network's hidden width for `units` (qlib's `hidden_size / 2`, at least 1).
pub fn attention_width(units: usize) -> usize {
    (units / 2).max(1)
}

/// The scoring network: `hidden` (`[units, a]` and bias `[a]`), then `score` (`[a, 1]`, no bias).
#[derive(Module, Debug)]
pub struct TemporalAttention<B: Backend> {
    pub hidden: Linear<B>,
    pub score: Linear<B>,
}

impl<B: Backend> TemporalAttention<B> {
    /// burn's default `Linear` initialization.
    pub fn init(units: usize, device: &B::Device) -> Self {
        let a = attention_width(units);
        TemporalAttention {
            hidden: LinearConfig::new(units, a).init(device),
            score: LinearConfig::new(a, 1).with_bias(false).init(device),
        }
    }

    /// Weights drawn by `uniform(shape, k)`: `hidden`'s weight and bias in ±1/√units, `score`'s
    /// weight in ±1/√a (burn's and PyTorch's `Linear` default), in that order.
    pub fn init_with(units: usize, device: &B::Device, uniform: &mut dyn FnMut(Vec<usize>, f64) -> TensorData) -> Self {
        let a = attention_width(units);
        let mut hidden = LinearConfig::new(units, a).init(device);
        let k = 1.0 / (units as f64).sqrt();
        hidden.weight = Param::from_data(uniform(vec![units, a], k), device);
        hidden.bias = Some(Param::from_data(uniform(vec![a], k), device));
        let mut score = LinearConfig::new(a, 1).with_bias(false).init(device);
        score.weight = Param::from_data(uniform(vec![a, 1], 1.0 / (a as f64).sqrt()), device);
        TemporalAttention { hidden, score }
    }

    /// `all [batch, seq, units]` (every step's hidden state) and `last [batch, units]` →
    /// `[batch, 2·units]`: the last state, then the attention-weighted sum of all states.
    pub fn forward(&self, all: Tensor<B, 3>, last: Tensor<B, 2>) -> Tensor<B, 2> {
        let [b, t, u] = all.dims();
        let scores = self.score.forward(self.hidden.forward(all.clone().reshape([b * t, u])).tanh()).reshape([b, t]);
        let alpha = softmax(scores, 1).unsqueeze_dim::<3>(2);
        let context = (all * alpha).sum_dim(1).reshape([b, u]);
        Tensor::cat(vec![last, context], 1)
    }
}
