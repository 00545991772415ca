//! The fused LSTM against burn's `nn::Lstm` with the same weights: outputs and gradients
//! (with respect to the input and to every weight) equal to 1e-5.

use burn::backend::{Autodiff, NdArray};
use burn::module::Module;
use burn::nn::LstmConfig;
use burn::tensor::{Distribution, Tensor};

use crate::model::lstm::FusedLstm;
use crate::model::network::NetworkConfig;

type B = Autodiff<NdArray<f32>>;

/// Largest elementwise difference relative to the tensor's largest magnitude,
/// ‖a − b‖∞ / ‖a‖∞ (elementwise relative error is meaningless for entries near zero).
fn max_rel(a: &Tensor<NdArray<f32>, 2>, b: &Tensor<NdArray<f32>, 2>) -> f32 {
    let (a, b): (Vec<f32>, Vec<f32>) = (a.to_data().to_vec().unwrap(), b.to_data().to_vec().unwrap());
    let scale = a.iter().fold(0.0f32, |m, x| m.max(x.abs())).max(f32::MIN_POSITIVE);
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max) / scale
}

#[test]
fn fused_lstm_equals_burn_lstm_outputs_and_gradients() {
    let device = Default::default();
    for (seed, (d_in, h, seq, batch)) in [(7, 16, 5, 4), (3, 32, 15, 8), (16, 8, 10, 3), (5, 64, 20, 16)].into_iter().enumerate()
    {
        <B as burn::tensor::backend::Backend>::seed(&device, seed as u64 + 1);
        let burn_lstm = LstmConfig::new(d_in, h, true).init::<B>(&device);
        let fused = FusedLstm::from_burn(&burn_lstm);
        let x0: Tensor<B, 3> = Tensor::random([batch, seq, d_in], Distribution::Normal(0.0, 1.0), &device);

        let xa = x0.clone().detach().require_grad();
        let (out_a, _) = burn_lstm.forward(xa.clone(), None);
        let xb = x0.clone().detach().require_grad();
        let (out_b, last_b) = fused.forward(xb.clone(), true);
        let out_b = out_b.unwrap();
        let flat = |t: Tensor<B, 3>| t.inner().reshape([batch * seq, h]);
        let r = max_rel(&flat(out_a.clone()), &flat(out_b.clone()));
        assert!(
            r < 1e-5,
            "outputs differ ({d_in},{h},{seq},{batch}): {r}\n{:?}\n{:?}",
            out_a.clone().inner().slice([0..1, 0..2, 0..4]).to_data(),
            out_b.clone().inner().slice([0..1, 0..2, 0..4]).to_data()
        );
        let last_a = out_a.clone().slice([0..batch, seq - 1..seq, 0..h]).reshape([batch, h]);
        assert!(max_rel(&last_a.inner(), &last_b.inner()) < 1e-5);

        // The same loss on both; gradients with respect to the input and the weights.
        let ga = (out_a.clone() * out_a).sum().backward();
        let gb = (out_b.clone() * out_b).sum().backward();
        let gx = |x: &Tensor<B, 3>, g| x.grad(g).unwrap().reshape([batch * seq, d_in]);
        let r = max_rel(&gx(&xa, &ga), &gx(&xb, &gb));
        assert!(
            r < 1e-5,
            "input gradients differ: {r}\n{:?}\n{:?}",
            gx(&xa, &ga).slice([0..2, 0..3]).to_data(),
            gx(&xb, &gb).slice([0..2, 0..3]).to_data()
        );
        let gates = [&burn_lstm.input_gate, &burn_lstm.forget_gate, &burn_lstm.cell_gate, &burn_lstm.output_gate];
        let w_in_a = Tensor::cat(gates.iter().map(|g| g.input_transform.weight.val().grad(&ga).unwrap()).collect(), 1);
        let w_h_a = Tensor::cat(gates.iter().map(|g| g.hidden_transform.weight.val().grad(&ga).unwrap()).collect(), 1);
        assert!(max_rel(&w_in_a, &fused.w_input.val().grad(&gb).unwrap()) < 1e-5, "input-weight gradients differ");
        assert!(max_rel(&w_h_a, &fused.w_hidden.val().grad(&gb).unwrap()) < 1e-5, "hidden-weight gradients differ");
        // Each gate's two biases get the same gradient, which is the fused bias's.
        let b_a =
            Tensor::cat(gates.iter().map(|g| g.input_transform.bias.as_ref().unwrap().val().grad(&ga).unwrap()).collect(), 0);
        let b_b = fused.bias.val().grad(&gb).unwrap();
        assert!(max_rel(&b_a.unsqueeze_dim(0), &b_b.unsqueeze_dim(0)) < 1e-5, "bias gradients differ");
    }
}

/// Parameter count by formula equals burn's count: e.g. 7 features, 2 LSTM layers of 16,
/// 1 dense: (7+16+1)·64 + (16+16+1)·64 + (16·16+16) + 17 = 1536 + 2112 + 272 + 17 = 3937.
#[test]
fn parameter_count() {
    let cfg = NetworkConfig::lstm(7, 2, 1, 16, 0.1);
    assert_eq!(cfg.n_params(), 3937);
    assert_eq!(cfg.init::<B>(&Default::default()).num_params(), 3937);
}
