//! Opening a GPU for the engine: wgpu (Vulkan, Metal, DX12; lavapipe in CI) or CUDA, as
//! built. A missing driver or adapter is an error, not a panic.

use alphasweep_kernels::Gpu;

use crate::engine::device::DeviceKind;
use crate::error::{Error, Result};

/// An opened device of one of the built runtimes.
pub enum GpuDevice {
    #[cfg(feature = "wgpu")]
    Wgpu(Gpu<alphasweep_kernels::cubecl::wgpu::WgpuRuntime>),
    #[cfg(feature = "cuda")]
    Cuda(Gpu<alphasweep_kernels::cubecl::cuda::CudaRuntime>),
}

impl GpuDevice {
    pub fn name(&self) -> &'static str {
        match self {
            #[cfg(feature = "wgpu")]
            GpuDevice::Wgpu(_) => "wgpu (alphasweep kernels)",
            #[cfg(feature = "cuda")]
            GpuDevice::Cuda(_) => "cuda (alphasweep kernels)",
        }
    }
}

/// Runs `f` with the typed device.
#[macro_export]
#[doc(hidden)]
macro_rules! with_gpu {
    ($dev:expr, $gpu:ident => $body:expr) => {
        match $dev {
            #[cfg(feature = "wgpu")]
            $crate::engine::gpu::GpuDevice::Wgpu($gpu) => $body,
            #[cfg(feature = "cuda")]
            $crate::engine::gpu::GpuDevice::Cuda($gpu) => $body,
        }
    };
}

fn try_open<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    crate::engine::device::quietly(f).map_err(|e| {
        let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
        Error::Invalid(format!("{what}: no usable device ({})", msg.unwrap_or_else(|| "driver or adapter missing".into())))
    })
}

/// Opens the device for `kind`: `wgpu`, `cuda`, or `auto` (CUDA first, then wgpu).
pub fn open(kind: DeviceKind) -> Result<GpuDevice> {
    match kind {
        #[cfg(feature = "wgpu")]
        DeviceKind::Wgpu => {
            try_open("--device wgpu", || GpuDevice::Wgpu(Gpu::new(&alphasweep_kernels::cubecl::wgpu::WgpuDevice::default())))
        }
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => {
            try_open("--device cuda", || GpuDevice::Cuda(Gpu::new(&alphasweep_kernels::cubecl::cuda::CudaDevice::default())))
        }
        DeviceKind::Auto => {
            #[cfg(feature = "cuda")]
            if let Ok(d) = open(DeviceKind::Cuda) {
                return Ok(d);
            }
            #[cfg(feature = "wgpu")]
            if let Ok(d) = open(DeviceKind::Wgpu) {
                return Ok(d);
            }
            Err(Error::Invalid("no GPU found for the GPU engine".into()))
        }
        other => Err(Error::Invalid(format!("the GPU engine does not run on {other:?} (built: {})", built()))),
    }
}

fn built() -> &'static str {
    match (cfg!(feature = "wgpu"), cfg!(feature = "cuda")) {
        (true, true) => "wgpu, cuda",
        (true, false) => "wgpu",
        (false, true) => "cuda",
        _ => "none",
    }
}
