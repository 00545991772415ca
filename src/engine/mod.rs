//! Fast training engines behind the model's interface. `cpu`: the whole network (fused LSTM
//! layers, dense head, MSE, dropout, Adam) forward and backward over preallocated f32
//! buffers, GEMMs from the `gemm` crate; it trains the same `LstmNet` that burn trains and
//! hands back a burn model, so checkpoints, `predict` and `eval` are unchanged. `gpu` (with
//! the `wgpu` or `cuda` feature): packs of trials on alphasweep's CubeCL kernels.

pub mod cpu;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
pub mod gpu;
