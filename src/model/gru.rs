//! `FusedGru`: a GRU layer (PyTorch's and qlib's form) on burn tensor operations with fused
//! gates, the counterpart of [`FusedLstm`](crate::model::lstm::FusedLstm). The input of all
//! time steps is projected to the three gates in one matmul; each step adds one recurrent
//! matmul.
//!
//! Gates are laid out `[r, z, n]` along the last axis (reset, update, candidate):
//! `r = σ(x W_r + h W_hr + b_r)`, `z = σ(x W_z + h W_hz + b_z)`,
//! `n = tanh(x W_n + b_n + r ⊙ (h W_hn + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`.
//! The reset gate scales the recurrent candidate term with its own bias `b_hn`, so that bias
//! is kept apart; the other recurrent biases are summed into `bias`.

use burn::module::{Module, Param};
use burn::tensor::Tensor;
use burn::tensor::activation::sigmoid;
use burn::tensor::backend::Backend;

/// One GRU layer with fused gate weights.
#[derive(Module, Debug)]
pub struct FusedGru<B: Backend> {
    /// `[d_input, 3·d_hidden]`
    pub w_input: Param<Tensor<B, 2>>,
    /// `[d_hidden, 3·d_hidden]`
    pub w_hidden: Param<Tensor<B, 2>>,
    /// `[3·d_hidden]`: the input biases, with the recurrent ones of `r` and `z` summed in.
    pub bias: Param<Tensor<B, 1>>,
    /// `[d_hidden]`: the recurrent candidate's bias (inside the reset gate's product).
    pub bias_hn: Param<Tensor<B, 1>>,
}

impl<B: Backend> FusedGru<B> {
    pub fn d_hidden(&self) -> usize {
        self.w_hidden.dims()[0]
    }

    /// `x: [batch, seq, d_input]` → (hidden states `[batch, seq, d_hidden]` if `all_steps`,
    /// else `None`; the last hidden state `[batch, d_hidden]`).
    pub fn forward(&self, x: Tensor<B, 3>, all_steps: bool) -> (Option<Tensor<B, 3>>, Tensor<B, 2>) {
        let [batch, seq, d_in] = x.dims();
        let h = self.d_hidden();
        let device = x.device();
        let projected = x.reshape([batch * seq, d_in]).matmul(self.w_input.val()) + self.bias.val().unsqueeze_dim(0);
        let projected = projected.reshape([batch, seq, 3 * h]);
        let (w_hidden, bias_hn) = (self.w_hidden.val(), self.bias_hn.val().unsqueeze_dim::<2>(0));
        let mut hidden: Tensor<B, 2> = Tensor::zeros([batch, h], &device);
        let mut steps = Vec::with_capacity(if all_steps { seq } else { 0 });
        for t in 0..seq {
            let gx = projected.clone().slice([0..batch, t..t + 1, 0..3 * h]).reshape([batch, 3 * h]);
            let gh = hidden.clone().matmul(w_hidden.clone());
            let mut x3 = gx.chunk(3, 1).into_iter();
            let mut h3 = gh.chunk(3, 1).into_iter();
            let mut next = || (x3.next().expect("3 gates"), h3.next().expect("3 gates"));
            let ((xr, hr), (xz, hz), (xn, hn)) = (next(), next(), next());
            let (r, z) = (sigmoid(xr + hr), sigmoid(xz + hz));
            let n = (xn + r * (hn + bias_hn.clone())).tanh();
            hidden = n.clone() + z * (hidden - n);
            if all_steps {
                steps.push(hidden.clone().unsqueeze_dim(1));
            }
        }
        let all = all_steps.then(|| Tensor::cat(steps, 1));
        (all, hidden)
    }
}
