//! The LSTM model (section 3.2 of the paper) on burn: a fused-gate LSTM layer, the network,
//! the windowed data set with leak-free labels and splits, the training loop, metrics,
//! checkpoints and the device choice.

pub mod checkpoint;
pub mod dataset;
pub mod device;
pub mod lstm;
pub mod metrics;
pub mod network;
pub mod prepare;
#[cfg(test)]
mod tests;
#[cfg(all(test, feature = "wgpu"))]
mod tests_wgpu;
pub mod train;
