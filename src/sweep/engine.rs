//! What a sweep trains its trials with: a training engine and the device it runs on. The
//! burn engine runs on any burn backend (CPU, wgpu, cuda); each engine hands back the best
//! epoch's model on an inference backend, which the sweep evaluates and checkpoints.

use burn::tensor::backend::{AutodiffBackend, Backend};

use crate::model::dataset::{Sample, WindowData};
use crate::model::network::NetworkConfig;
use crate::model::train::{self, EpochRow, Flow, OnBatch, TrainConfig, Trained};

/// A training engine for sweep trials (shared by the worker threads).
pub trait Engine: Sync {
    /// The backend the trained model lives on.
    type Inference: Backend;
    /// Human-readable device, e.g. `cpu (flex)` or `cuda`.
    fn device_name(&self) -> &str;
    fn inference_device(&self) -> burn::tensor::Device<Self::Inference>;
    /// Whether the engine runs on a GPU (changes how many trials run at once).
    fn is_gpu(&self) -> bool;
    /// Trains one trial (see `model::train::train` for the contract).
    fn train(
        &self,
        data: &WindowData,
        net: &NetworkConfig,
        cfg: &TrainConfig,
        on_batch: &mut OnBatch,
        on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
    ) -> Trained<Self::Inference>;
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

/// burn's generic tensor ops with autodiff on backend `B`.
pub struct BurnEngine<B: AutodiffBackend> {
    pub device: B::Device,
    pub name: String,
    pub gpu: bool,
}

impl<B: AutodiffBackend> Engine for BurnEngine<B>
where
    B::Device: Sync,
{
    type Inference = B::InnerBackend;

    fn device_name(&self) -> &str {
        &self.name
    }

    fn inference_device(&self) -> burn::tensor::Device<B::InnerBackend> {
        self.device.clone()
    }

    fn is_gpu(&self) -> bool {
        self.gpu
    }

    fn train(
        &self,
        data: &WindowData,
        net: &NetworkConfig,
        cfg: &TrainConfig,
        on_batch: &mut OnBatch,
        on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
    ) -> Trained<B::InnerBackend> {
        train::train::<B>(data, net, cfg, &self.device, on_batch, on_epoch)
    }
}

/// Work to run with some training engine (see [`with_engine`]).
pub trait OnEngine {
    type Output;
    fn run<E: Engine>(self, engine: E) -> Self::Output;
}

/// Runs `task` with the engine for `kind`: burn on the chosen backend (the CPU, wgpu, cuda).
pub fn with_engine<T: OnEngine>(kind: crate::model::device::DeviceKind, task: T) -> crate::error::Result<T::Output> {
    struct Burn<T>(T);
    impl<T: OnEngine> crate::model::device::OnBackend for Burn<T> {
        type Output = T::Output;
        fn run<B: AutodiffBackend>(self, device: B::Device, name: &str) -> T::Output {
            let gpu = !name.starts_with("cpu");
            self.0.run(BurnEngine::<B> { device, name: name.to_string(), gpu })
        }
    }
    crate::model::device::run_on(kind, Burn(task))
}
