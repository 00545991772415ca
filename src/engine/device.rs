//! Device choice: `--device auto|cpu|flex|ndarray|wgpu|cuda`. `cpu` is the fused CPU engine
//! (`engine::cpu`, not a burn backend: training dispatch checks [`uses_cpu_engine`] first);
//! `flex` and `ndarray` are burn's CPU backends; `wgpu` and `cuda` exist when compiled with
//! those features. `auto` takes a compiled-in GPU that works at run time, else the fused
//! CPU engine (with a one-line notice when a GPU backend was compiled in).

use burn::tensor::backend::AutodiffBackend;

use crate::error::{Error, Result};

/// burn's CPU backend for work that needs one (with autodiff): `flex`, measured up to 2x
/// faster than `ndarray` on these models (docs/PERFORMANCE.md). Training on the CPU uses
/// the fused engine instead.
pub type CpuBackend = burn::backend::Autodiff<burn::backend::Flex>;
/// burn's other CPU backend, selectable as `--device ndarray` for comparison.
pub type NdArrayBackend = burn::backend::Autodiff<burn::backend::NdArray<f32>>;
#[cfg(feature = "wgpu")]
pub type WgpuBackend = burn::backend::Autodiff<burn::backend::Wgpu>;
#[cfg(feature = "cuda")]
pub type CudaBackend = burn::backend::Autodiff<burn::backend::Cuda>;

/// What the user asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    #[default]
    Auto,
    /// The fused CPU training engine (`engine::cpu`); burn's `flex` for work that needs a
    /// burn backend.
    Cpu,
    /// burn's `flex` CPU backend.
    Flex,
    /// burn's `ndarray` CPU backend.
    Ndarray,
    /// A GPU through wgpu (Vulkan, Metal, DX12): sweeps run alphasweep's GPU engine, other
    /// work burn's wgpu backend.
    Wgpu,
    /// An NVIDIA GPU through CUDA: sweeps run alphasweep's GPU engine, other work burn's cuda backend.
    Cuda,
    /// burn's generic wgpu backend even for sweeps (the reference the GPU engine is checked against).
    #[value(name = "burn-wgpu")]
    #[serde(rename = "burn-wgpu")]
    BurnWgpu,
    /// burn's generic cuda backend even for sweeps.
    #[value(name = "burn-cuda")]
    #[serde(rename = "burn-cuda")]
    BurnCuda,
}

/// Work to run on some autodiff backend.
pub trait OnBackend {
    type Output;
    fn run<B: AutodiffBackend>(self, device: B::Device, name: &str) -> Self::Output;
}

/// Runs `task` on the chosen device.
pub fn run_on<T: OnBackend>(kind: DeviceKind, task: T) -> Result<T::Output> {
    let kind = match kind {
        DeviceKind::BurnWgpu => DeviceKind::Wgpu,
        DeviceKind::BurnCuda => DeviceKind::Cuda,
        other => other,
    };
    match kind {
        DeviceKind::Cpu | DeviceKind::Flex => Ok(task.run::<CpuBackend>(Default::default(), "cpu (flex)")),
        DeviceKind::Ndarray => Ok(task.run::<NdArrayBackend>(Default::default(), "cpu (ndarray)")),
        DeviceKind::BurnWgpu | DeviceKind::BurnCuda => unreachable!("mapped above"),
        DeviceKind::Cuda => {
            #[cfg(feature = "cuda")]
            {
                if gpu_works::<CudaBackend>() {
                    return Ok(task.run::<CudaBackend>(Default::default(), "cuda"));
                }
                Err(Error::Invalid("--device cuda: no usable CUDA device (driver, GPU or CUDA_PATH missing)".into()))
            }
            #[cfg(not(feature = "cuda"))]
            Err(Error::Invalid("--device cuda: this build has no CUDA backend; rebuild with `--features cuda`".into()))
        }
        DeviceKind::Wgpu => {
            #[cfg(feature = "wgpu")]
            {
                if gpu_works::<WgpuBackend>() {
                    return Ok(task.run::<WgpuBackend>(Default::default(), "wgpu"));
                }
                Err(Error::Invalid("--device wgpu: no usable GPU adapter (Vulkan/Metal/DX12 driver missing?)".into()))
            }
            #[cfg(not(feature = "wgpu"))]
            Err(Error::Invalid("--device wgpu: this build has no wgpu backend; rebuild with `--features wgpu`".into()))
        }
        DeviceKind::Auto => {
            #[cfg(feature = "cuda")]
            if gpu_works::<CudaBackend>() {
                return Ok(task.run::<CudaBackend>(Default::default(), "cuda"));
            }
            #[cfg(feature = "wgpu")]
            if gpu_works::<WgpuBackend>() {
                return Ok(task.run::<WgpuBackend>(Default::default(), "wgpu"));
            }
            if cfg!(any(feature = "cuda", feature = "wgpu")) {
                eprintln!("note: no usable GPU found; training on the CPU");
            }
            Ok(task.run::<CpuBackend>(Default::default(), "cpu (flex)"))
        }
    }
}

/// Whether training on `kind` runs on the fused CPU engine: `cpu`, and `auto` when no GPU
/// backend is compiled in or none works (then with the same notice as [`run_on`]).
pub fn uses_cpu_engine(kind: DeviceKind) -> bool {
    match kind {
        DeviceKind::Cpu => true,
        DeviceKind::Auto => {
            #[cfg(feature = "cuda")]
            if gpu_works::<CudaBackend>() {
                return false;
            }
            #[cfg(feature = "wgpu")]
            if gpu_works::<WgpuBackend>() {
                return false;
            }
            if cfg!(any(feature = "cuda", feature = "wgpu")) {
                eprintln!("note: no usable GPU found; training on the CPU");
            }
            true
        }
        _ => false,
    }
}

/// Worker threads for `--threads` when not given: the available cores.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Whether a tiny computation succeeds on the backend's default device (GPU backends panic
/// when no driver or adapter is present; the panic is caught here).
#[allow(dead_code)]
fn gpu_works<B: AutodiffBackend>() -> bool {
    quietly(|| {
        let device = B::Device::default();
        let t = burn::tensor::Tensor::<B, 1>::from_floats([1.0, 2.0], &device);
        let s: f32 = t.sum().into_scalar().elem();
        s == 3.0
    })
    .unwrap_or(false)
}

/// Runs `f`, catching a panic without printing it (GPU runtimes panic when a driver or
/// adapter is missing; callers turn that into an error or a fallback).
pub fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    r
}

use burn::tensor::ElementConversion;
