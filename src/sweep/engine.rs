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

/// The fused CPU engine (`engine::cpu`), `threads` workers per training run.
pub struct FusedCpuEngine {
    pub threads: usize,
}

impl Engine for FusedCpuEngine {
    type Inference = burn::backend::Flex;

    fn device_name(&self) -> &str {
        "cpu (fused engine)"
    }

    fn inference_device(&self) -> burn::tensor::Device<burn::backend::Flex> {
        Default::default()
    }

    fn is_gpu(&self) -> bool {
        false
    }

    fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    fn train(
        &self,
        data: &WindowData,
        net: &NetworkConfig,
        cfg: &TrainConfig,
        on_batch: &mut OnBatch,
        on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
    ) -> Trained<burn::backend::Flex> {
        crate::engine::cpu::train(data, net, cfg, self.threads, on_batch, on_epoch)
    }

    fn predict(
        &self,
        model: &crate::model::network::LstmNet<burn::backend::Flex>,
        data: &WindowData,
        samples: &[Sample],
        batch: usize,
    ) -> Vec<f32> {
        let n_features = data.n_features;
        let net = NetworkConfig {
            n_features,
            lstm_layers: model.lstms.len(),
            dense_layers: model.dense.len(),
            units: model.lstms.first().map_or(0, |l| l.d_hidden()),
            dropout: model.dropout.prob,
        };
        let w = crate::engine::cpu::Weights::from_burn(&net, model);
        crate::engine::cpu::predict(&w, data, samples, batch)
    }
}

/// Work to run with some training engine (see [`with_engine`]).
pub trait OnEngine {
    type Output;
    fn run<E: Engine>(self, engine: E) -> Self::Output;
}

/// Runs `task` with the engine for `kind`: the fused CPU engine for `cpu` (and `auto`
/// without a GPU), else burn on the chosen backend (`flex`, `ndarray`, wgpu, cuda).
pub fn with_engine<T: OnEngine>(kind: crate::model::device::DeviceKind, task: T) -> crate::error::Result<T::Output> {
    if crate::model::device::uses_cpu_engine(kind) {
        return Ok(task.run(FusedCpuEngine { threads: crate::model::device::default_threads() }));
    }
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
