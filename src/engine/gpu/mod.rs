//! The GPU training engine: packs of trials trained in lockstep with alphasweep's CubeCL
//! kernels (`kernels/`), on CUDA or wgpu. A pack's parameters carry a leading trial axis and
//! every launch advances all of its trials: one GEMM for each layer's input projection, one
//! launch for each layer's whole recurrence (forward and backward), one for Adam over every
//! parameter. The data set is uploaded once; batches are gathered on the device.
//!
//! - `pack`: which trials share a pack, the padded shape, padding weights in and out;
//! - `buffers`: device buffers; `pass`: forward, backward (`attention`: the attention
//!   pooling's part); `train`: the epoch loop, prediction.
//!
//! The burn model (`model::network`) stays the reference: checkpoints are burn records, and
//! the tests compare this engine's outputs and gradients with burn's.

mod attention;
mod buffers;
mod device;
mod pack;
mod pass;
#[cfg(test)]
mod tests;
mod train;

pub use device::{GpuDevice, open};
pub use pack::{PackShape, PackTrial, packable};
pub use train::{PackJob, adam_steps, batch_gradients, predict, time_steps, train_pack, train_pack_from};

#[doc(hidden)]
pub use pass::{BatchAt, backward as pass_backward, forward as pass_forward};
