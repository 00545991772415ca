//! The LSTM model (section 3.2 of the paper) on burn: a fused-gate LSTM layer, the network,
//! the windowed data set with leak-free labels and splits, the reference training loop and
//! the metrics. (Checkpoint files are in `artifacts`, devices and the fast engines in
//! `engine`, the data pipeline that feeds it in `study::prepare`.)

pub mod attention;
pub mod dataset;
pub mod gru;
pub mod lstm;
pub mod metrics;
pub mod network;
mod normalize;
pub mod precision;
pub mod split;
pub mod steps;
#[cfg(test)]
mod tests;
#[cfg(all(test, feature = "wgpu"))]
mod tests_wgpu;
pub mod train;
