//! The precision a training run uses on its device: [`Precision`] (`model::precision`)
//! settled for the engine `--device` picks.

use crate::engine::device::{DeviceKind, uses_cpu_engine};
use crate::error::{Error, Result};
pub use crate::model::precision::{Precision, native_bf16};

/// The precision a run on `kind` uses: `auto` made concrete (bf16 only on the fused CPU
/// engine of a CPU with AVX-512 BF16; f32 on the others), `bf16` refused where the engine
/// has f32 products only (the GPU engine, burn's backends).
pub fn for_device(p: Precision, kind: DeviceKind) -> Result<Precision> {
    if p == Precision::Fp32 {
        return Ok(p);
    }
    let cpu = uses_cpu_engine(kind);
    match p {
        Precision::Auto if cpu => Ok(p.resolve()),
        Precision::Auto => Ok(Precision::Fp32),
        _ if cpu => Ok(p),
        _ => Err(Error::Config(format!(
            "precision = \"bf16\" is built for the fused CPU engine only (--device cpu); --device {} trains with f32 \
             products: use --precision fp32 or auto there",
            clap::ValueEnum::to_possible_value(&kind).map_or_else(|| format!("{kind:?}"), |v| v.get_name().to_string())
        ))),
    }
}
