//! alphasweep's GPU kernels, written once in CubeCL for both CUDA and wgpu (Vulkan, Metal,
//! DX12; Mesa's lavapipe runs them on a CPU in CI).
//!
//! - [`lstm`]: one LSTM layer's recurrence over all time steps, forward and backward (BPTT),
//!   gates, cell and hidden state fused, for a pack of trials in one launch;
//! - [`gru`]: the same for a GRU layer (qlib's GRU, PyTorch's equations);
//! - [`attention`]: attention pooling over the top layer's steps (qlib's ALSTM head);
//! - [`matmul`]: a batched strided GEMM (input projections, weight gradients, the head);
//! - [`adam`]: per-tensor gradient clipping and the Adam update over every parameter of a pack;
//! - [`ops`]: batch gathering on the device, dropout masks, the head's elementwise steps, the loss.
//!
//! [`Gpu`] wraps a device's compute client: buffers in, launches, buffers out. Every kernel
//! has a plain reference in alphasweep's tests (burn tensors or the CPU engine).

pub mod adam;
pub mod attention;
pub mod gru;
mod host;
mod host_attention;
mod host_recurrent;
pub mod lstm;
pub mod matmul;
pub mod ops;

pub use cubecl;
pub use host::{Buf, Gpu, MatView};
