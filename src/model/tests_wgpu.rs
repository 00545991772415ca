//! The fused LSTM on the `wgpu` backend (a real GPU, or Mesa's lavapipe CPU Vulkan driver in
//! CI) against the CPU: same weights and input, outputs and gradients within 1e-4 of each
//! tensor's scale. Built only with `--features wgpu`.

use burn::backend::{Autodiff, Flex, Wgpu};
use burn::module::Param;
use burn::tensor::backend::Backend;
use burn::tensor::{Distribution, Tensor, TensorData};

use crate::model::lstm::{FusedLstm, FusedLstmConfig};

type Cpu = Autodiff<Flex>;
type Gpu = Autodiff<Wgpu>;

fn to<B: Backend, const D: usize>(data: TensorData, device: &B::Device) -> Tensor<B, D> {
    Tensor::from_data(data, device)
}

fn rel(a: Vec<f32>, b: Vec<f32>) -> f32 {
    let scale = a.iter().fold(0.0f32, |m, x| m.max(x.abs())).max(f32::MIN_POSITIVE);
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max) / scale
}

#[test]
fn fused_lstm_on_wgpu_matches_the_cpu() {
    let (cpu, gpu) = (Default::default(), Default::default());
    for (d_in, h, seq, batch) in [(7, 16, 5, 4), (3, 32, 10, 8)] {
        Cpu::seed(&cpu, 3);
        let a: FusedLstm<Cpu> = FusedLstmConfig { d_input: d_in, d_hidden: h }.init(&cpu);
        let b: FusedLstm<Gpu> = FusedLstm {
            w_input: Param::from_tensor(to(a.w_input.val().into_data(), &gpu)),
            w_hidden: Param::from_tensor(to(a.w_hidden.val().into_data(), &gpu)),
            bias: Param::from_tensor(to(a.bias.val().into_data(), &gpu)),
        };
        let x: Tensor<Cpu, 3> = Tensor::random([batch, seq, d_in], Distribution::Normal(0.0, 1.0), &cpu);
        let xa = x.clone().require_grad();
        let xb: Tensor<Gpu, 3> = to::<Gpu, 3>(x.into_data(), &gpu).require_grad();
        let (oa, _) = a.forward(xa.clone(), true);
        let (ob, _) = b.forward(xb.clone(), true);
        let (oa, ob) = (oa.unwrap(), ob.unwrap());
        let v = |t: TensorData| t.to_vec::<f32>().unwrap();
        assert!(rel(v(oa.clone().into_data()), v(ob.clone().into_data())) < 1e-4, "outputs differ on wgpu");
        let ga = (oa.clone() * oa).sum().backward();
        let gb = (ob.clone() * ob).sum().backward();
        assert!(rel(v(xa.grad(&ga).unwrap().into_data()), v(xb.grad(&gb).unwrap().into_data())) < 1e-4, "input gradients differ");
        assert!(
            rel(v(a.w_hidden.val().grad(&ga).unwrap().into_data()), v(b.w_hidden.val().grad(&gb).unwrap().into_data())) < 1e-4,
            "weight gradients differ"
        );
    }
}
