//! The engines behind [`Engine`] and the choice between them: the fused CPU engine, the GPU
//! engine (packs of trials), and burn's generic ops on any burn backend. Each hands back the
//! best epoch's model on an inference backend, which callers evaluate and checkpoint.

use burn::tensor::backend::{AutodiffBackend, Backend};

#[cfg(any(feature = "wgpu", feature = "cuda"))]
use super::TrialJob;
use super::device::{self, DeviceKind};
use super::{Engine, OnEngine};
use crate::model::dataset::{Sample, WindowData};
use crate::model::network::NetworkConfig;
use crate::model::train::{self, EpochRow, Flow, OnBatch, TrainConfig, Trained};

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
        let w = crate::engine::weights::Weights::from_burn(&net_of(model, data.n_features), model);
        crate::engine::cpu::predict(&w, data, samples, batch, self.threads)
    }
}

/// The GPU engine (`engine::gpu`): packs of up to `pack` trials on alphasweep's kernels.
#[cfg(any(feature = "wgpu", feature = "cuda"))]
pub struct GpuPackEngine {
    pub device: crate::engine::gpu::GpuDevice,
    pub pack: usize,
}

#[cfg(any(feature = "wgpu", feature = "cuda"))]
impl Engine for GpuPackEngine {
    type Inference = burn::backend::Flex;

    fn device_name(&self) -> &str {
        self.device.name()
    }

    fn inference_device(&self) -> burn::tensor::Device<burn::backend::Flex> {
        Default::default()
    }

    fn is_gpu(&self) -> bool {
        true
    }

    fn pack_capacity(&self) -> usize {
        self.pack.max(1)
    }

    fn train(
        &self,
        data: &WindowData,
        net: &NetworkConfig,
        cfg: &TrainConfig,
        on_batch: &mut OnBatch,
        on_epoch: &mut dyn FnMut(&EpochRow) -> Flow,
    ) -> Trained<burn::backend::Flex> {
        let mut jobs = [TrialJob { data, net: net.clone(), cfg: cfg.clone(), on_batch, on_epoch }];
        self.train_pack(&mut jobs).pop().expect("one outcome per trial")
    }

    fn train_pack(&self, jobs: &mut [TrialJob]) -> Vec<Trained<burn::backend::Flex>> {
        use crate::engine::gpu::{PackJob, PackTrial};
        let mut packed: Vec<PackJob> = jobs
            .iter_mut()
            .map(|j| PackJob {
                trial: PackTrial { net: j.net.clone(), seq: j.data.seq(), cfg: j.cfg.clone() },
                data: j.data,
                on_batch: &mut *j.on_batch,
                on_epoch: &mut *j.on_epoch,
            })
            .collect();
        let out = crate::with_gpu!(&self.device, gpu => crate::engine::gpu::train_pack(gpu, &mut packed));
        out.into_iter().map(crate::engine::EngineTrained::into_burn).collect()
    }

    fn predict(
        &self,
        model: &crate::model::network::LstmNet<burn::backend::Flex>,
        data: &WindowData,
        samples: &[Sample],
        batch: usize,
    ) -> Vec<f32> {
        let w = crate::engine::weights::Weights::from_burn(&net_of(model, data.n_features), model);
        crate::with_gpu!(&self.device, gpu => crate::engine::gpu::predict(gpu, &w, data, samples, batch))
    }
}

/// The architecture of a loaded model.
fn net_of<B: Backend>(model: &crate::model::network::LstmNet<B>, n_features: usize) -> NetworkConfig {
    NetworkConfig {
        n_features,
        lstm_layers: model.recurrent_layers(),
        dense_layers: model.dense.len(),
        units: model.units(),
        dropout: model.dropout.prob,
        attention: model.attention.is_some(),
        cell: model.cell(),
    }
}

/// Runs `task` with the engine for `kind`: the fused CPU engine for `cpu` (and `auto`
/// without a GPU); alphasweep's GPU engine for `wgpu`, `cuda` (and `auto` with a GPU), packs
/// of up to `pack` trials; burn's generic ops for `flex`, `ndarray`, `burn-wgpu`, `burn-cuda`.
pub fn with_engine<T: OnEngine>(kind: DeviceKind, pack: usize, task: T) -> crate::error::Result<T::Output> {
    if device::uses_cpu_engine(kind) {
        return Ok(task.run(FusedCpuEngine { threads: device::default_threads() }));
    }
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    if matches!(kind, DeviceKind::Wgpu | DeviceKind::Cuda | DeviceKind::Auto) {
        let device = crate::engine::gpu::open(kind)?;
        return Ok(task.run(GpuPackEngine { device, pack }));
    }
    let _ = pack;
    let kind = match kind {
        DeviceKind::BurnWgpu => DeviceKind::Wgpu,
        DeviceKind::BurnCuda => DeviceKind::Cuda,
        other => other,
    };
    struct Burn<T>(T);
    impl<T: OnEngine> device::OnBackend for Burn<T> {
        type Output = T::Output;
        fn run<B: AutodiffBackend>(self, device: B::Device, name: &str) -> T::Output {
            let gpu = !name.starts_with("cpu");
            self.0.run(BurnEngine::<B> { device, name: name.to_string(), gpu })
        }
    }
    device::run_on(kind, Burn(task))
}
