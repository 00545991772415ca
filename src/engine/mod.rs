//! Training engines: the one interface a sweep, walk-forward and `train` train through
//! ([`Engine`]), the device choice (`device`: `--device auto|cpu|flex|ndarray|wgpu|cuda|…`),
//! and the engines behind it:
//!
//! - `cpu`: the fused CPU engine: the whole network (fused LSTM layers, dense head, MSE,
//!   dropout, Adam) forward and backward over preallocated f32 buffers, GEMMs from the `gemm`
//!   crate;
//! - `gpu` (with the `wgpu` or `cuda` feature): packs of trials on alphasweep's CubeCL kernels;
//! - burn's generic autodiff on any burn backend (`BurnEngine`), the reference both are
//!   checked against.
//!
//! Shared pieces: `weights` (the flat parameter layout both fast engines use, and its
//! conversions to and from burn's `LstmNet`), `trained` (an engine's outcome). Every engine
//! hands back a burn `LstmNet`, so checkpoints, `predict` and `eval` do not depend on which
//! one trained.

mod choose;
pub mod cpu;
pub mod device;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
pub mod gpu;
pub mod precision;
mod trained;
pub mod weights;

use burn::tensor::backend::Backend;

#[cfg(any(feature = "wgpu", feature = "cuda"))]
pub use choose::GpuPackEngine;
pub use choose::{BurnEngine, FusedCpuEngine, with_engine};
pub use device::DeviceKind;
pub use precision::Precision;
pub use trained::EngineTrained;

use crate::model::dataset::{Sample, WindowData};
use crate::model::network::{Cell, NetworkConfig};
use crate::model::train::{self, EpochRow, Flow, OnBatch, TrainConfig, Trained};

/// One trial handed to [`Engine::train_pack`]: its data view, network, settings and callbacks.
pub struct TrialJob<'a> {
    pub data: &'a WindowData,
    pub net: NetworkConfig,
    pub cfg: TrainConfig,
    pub on_batch: &'a mut OnBatch<'a>,
    pub on_epoch: &'a mut (dyn FnMut(&EpochRow) -> Flow + 'a),
}

/// Boxed per-trial callbacks (progress per batch; per epoch, with the power to stop the trial).
pub type BatchFn<'a> = Box<dyn FnMut(usize, usize, usize, f64) + 'a>;
pub type EpochFn<'a> = Box<dyn FnMut(&EpochRow) -> Flow + 'a>;

/// Trials a pack can hold together: same cell, attention, layers, factors, batch size and
/// clipping (their units and `mem_day` may differ).
pub type PackKey = (Cell, bool, usize, usize, usize, usize, Option<u32>);

/// The key of a trial for packing.
pub fn pack_key(net: &NetworkConfig, cfg: &TrainConfig) -> PackKey {
    let clip = cfg.grad_clip.map(f32::to_bits);
    (net.cell, net.attention, net.lstm_layers, net.dense_layers, net.n_features, cfg.batch_size, clip)
}

/// A training engine for sweep trials (shared by the worker threads).
pub trait Engine: Sync {
    /// The backend the trained model lives on.
    type Inference: Backend;
    /// Human-readable device, e.g. `cpu (flex)` or `cuda`.
    fn device_name(&self) -> &str;
    fn inference_device(&self) -> burn::tensor::Device<Self::Inference>;
    /// Whether the engine runs on a GPU (changes how many trials run at once).
    fn is_gpu(&self) -> bool;
    /// Threads one training run may use (CPU engines; others ignore it).
    fn set_threads(&mut self, _threads: usize) {}
    /// Trains one trial (see `model::train::train` for the contract).
    fn train(
        &self,
        data: &WindowData,
        net: &NetworkConfig,
        cfg: &TrainConfig,
        on_batch: &mut OnBatch,
        on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
    ) -> Trained<Self::Inference>;
    /// How many trials of one [`pack_key`] this engine trains together (1: one at a time).
    fn pack_capacity(&self) -> usize {
        1
    }
    /// Trains trials of one [`pack_key`] together; the default trains them one by one.
    fn train_pack(&self, jobs: &mut [TrialJob]) -> Vec<Trained<Self::Inference>> {
        jobs.iter_mut().map(|j| self.train(j.data, &j.net, &j.cfg, j.on_batch, j.on_epoch)).collect()
    }
    /// Predictions of a trained model for `samples`.
    fn predict(
        &self,
        model: &crate::model::network::LstmNet<Self::Inference>,
        data: &WindowData,
        samples: &[Sample],
        batch: usize,
    ) -> Vec<f32> {
        train::predict(model, data, samples, batch, &self.inference_device())
    }
}

/// Work to run with some training engine (see [`with_engine`]).
pub trait OnEngine {
    type Output;
    fn run<E: Engine>(self, engine: E) -> Self::Output;
}
