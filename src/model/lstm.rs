//! `FusedLstm`: an LSTM layer on burn tensor operations with fused gates. The input of all
//! time steps is projected to the four gates in one matmul; each step then needs one matmul
//! for the recurrent part (burn's `nn::Lstm` does eight per step: two per gate).
//!
//! Gates are laid out `[i, f, g, o]` along the last axis (input, forget, cell candidate,
//! output): `c_t = f ⊙ c_{t−1} + i ⊙ g`, `h_t = o ⊙ tanh(c_t)`.

use burn::module::{Module, Param};
use burn::nn::Lstm;
use burn::tensor::activation::sigmoid;
use burn::tensor::backend::Backend;
use burn::tensor::{Distribution, Tensor};

/// Sizes of one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FusedLstmConfig {
    pub d_input: usize,
    pub d_hidden: usize,
}

/// One LSTM layer with fused gate weights.
#[derive(Module, Debug)]
pub struct FusedLstm<B: Backend> {
    /// `[d_input, 4·d_hidden]`
    pub w_input: Param<Tensor<B, 2>>,
    /// `[d_hidden, 4·d_hidden]`
    pub w_hidden: Param<Tensor<B, 2>>,
    /// `[4·d_hidden]` (the input and recurrent biases summed)
    pub bias: Param<Tensor<B, 1>>,
}

impl FusedLstmConfig {
    /// Weights uniform in ±1/√d_hidden (PyTorch's LSTM initialization).
    pub fn init<B: Backend>(&self, device: &B::Device) -> FusedLstm<B> {
        let k = 1.0 / (self.d_hidden as f64).sqrt();
        let u = Distribution::Uniform(-k, k);
        let h4 = 4 * self.d_hidden;
        FusedLstm {
            w_input: Param::from_tensor(Tensor::random([self.d_input, h4], u, device)),
            w_hidden: Param::from_tensor(Tensor::random([self.d_hidden, h4], u, device)),
            bias: Param::from_tensor(Tensor::random([h4], u, device)),
        }
    }
}

impl<B: Backend> FusedLstm<B> {
    pub fn d_hidden(&self) -> usize {
        self.w_hidden.dims()[0]
    }

    /// `x: [batch, seq, d_input]` → (hidden states `[batch, seq, d_hidden]` if `all_steps`,
    /// else `None`; the last hidden state `[batch, d_hidden]`).
    pub fn forward(&self, x: Tensor<B, 3>, all_steps: bool) -> (Option<Tensor<B, 3>>, Tensor<B, 2>) {
        let [batch, seq, d_in] = x.dims();
        let h = self.d_hidden();
        let device = x.device();
        // One matmul for every step's input projection: [batch·seq, 4h].
        let projected = x.reshape([batch * seq, d_in]).matmul(self.w_input.val()) + self.bias.val().unsqueeze_dim(0);
        let projected = projected.reshape([batch, seq, 4 * h]);
        let w_hidden = self.w_hidden.val();
        let mut hidden: Tensor<B, 2> = Tensor::zeros([batch, h], &device);
        let mut cell: Tensor<B, 2> = Tensor::zeros([batch, h], &device);
        let mut steps = Vec::with_capacity(if all_steps { seq } else { 0 });
        for t in 0..seq {
            let gates =
                projected.clone().slice([0..batch, t..t + 1, 0..4 * h]).reshape([batch, 4 * h]) + hidden.matmul(w_hidden.clone());
            let mut parts = gates.chunk(4, 1).into_iter();
            let (i, f, g, o) = (
                sigmoid(parts.next().expect("4 gates")),
                sigmoid(parts.next().expect("4 gates")),
                parts.next().expect("4 gates").tanh(),
                sigmoid(parts.next().expect("4 gates")),
            );
            cell = f * cell + i * g;
            hidden = o * cell.clone().tanh();
            if all_steps {
                steps.push(hidden.clone().unsqueeze_dim(1));
            }
        }
        let all = all_steps.then(|| Tensor::cat(steps, 1));
        (all, hidden)
    }

    /// The same layer as a burn `nn::Lstm` (which keeps separate, biased input and hidden
    /// transforms per gate): weights concatenated in `[i, f, g, o]` order, biases summed.
    pub fn from_burn(lstm: &Lstm<B>) -> FusedLstm<B> {
        let gates = [&lstm.input_gate, &lstm.forget_gate, &lstm.cell_gate, &lstm.output_gate];
        let w_input = Tensor::cat(gates.iter().map(|g| g.input_transform.weight.val()).collect(), 1);
        let w_hidden = Tensor::cat(gates.iter().map(|g| g.hidden_transform.weight.val()).collect(), 1);
        let bias = Tensor::cat(
            gates
                .iter()
                .map(|g| {
                    let b = |l: &burn::nn::Linear<B>| l.bias.as_ref().map(|b| b.val());
                    match (b(&g.input_transform), b(&g.hidden_transform)) {
                        (Some(a), Some(c)) => a + c,
                        (Some(a), None) | (None, Some(a)) => a,
                        (None, None) => Tensor::zeros([lstm.d_hidden], &w_input.device()),
                    }
                })
                .collect(),
            0,
        );
        // Fresh leaf parameters (detached from the source layer's graph).
        FusedLstm {
            w_input: Param::from_tensor(w_input.detach()),
            w_hidden: Param::from_tensor(w_hidden.detach()),
            bias: Param::from_tensor(bias.detach()),
        }
    }
}
