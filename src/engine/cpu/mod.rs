//! The fused CPU training engine. The network of `model::network` (stacked LSTM or GRU layers,
//! dense ReLU head, dropout, one output) trained with MSE and Adam, forward and backward
//! written out over contiguous f32 buffers:
//!
//! - `gemm`: matrix products (the `gemm` crate, runtime SIMD dispatch, no threads of its own);
//!   `bf16`: the same with bf16 operands and f32 sums (`--precision bf16`);
//! - `simd`, `kernels`: vectorized exp/sigmoid/tanh and the fused elementwise steps;
//! - `arena`: every buffer of a pass, allocated once per worker;
//! - `lstm`, `gru`, `attention`, `head`, `pass`: the layers' forward and backward, and the whole
//!   network's;
//! - `adam`: burn's Adam and gradient clipping as one fused update;
//! - `team`: data-parallel workers (`threads`); `train`: the loop, throughput probe.
//!
//! With `threads == 1` nothing runs off the calling thread (a sweep runs one trial per core).

mod adam;
mod arena;
mod attention;
mod bf16;
mod gemm;
mod gru;
mod head;
mod kernels;
mod lstm;
mod pass;
mod simd;
mod team;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_bf16;
#[cfg(test)]
pub(crate) mod tests_burn;
mod train;

pub use adam::Adam;
pub use team::predict;
pub use train::{time_steps, train, train_from, train_weights};
