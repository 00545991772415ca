//! The precision of the CPU engine's matrix products (`[train] precision`, `--precision`;
//! `engine::precision::for_device` settles it for a device).
//! Master weights, Adam's state, the gate math and the loss stay f32 in every mode; `bf16`
//! rounds the two operands of each product (input projection, recurrent product, weight
//! gradients, the gradient sent below, the dense head's products) to bf16 and accumulates
//! in f32.

use serde::{Deserialize, Serialize};

/// What the matrix products round their operands to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// f32 operands (the reference).
    #[default]
    Fp32,
    /// bf16 operands, f32 accumulation: AVX-512 BF16 dot products where the CPU has them
    /// (`avx512_bf16` in /proc/cpuinfo); elsewhere the same rounding in front of the f32
    /// products (same numbers up to the order of the sums, slower than `fp32`).
    Bf16,
    /// `bf16` where the CPU has AVX-512 BF16, else `fp32`.
    Auto,
}

impl Precision {
    /// `Auto` made concrete for this CPU; the others as they are.
    pub fn resolve(self) -> Precision {
        match self {
            Precision::Auto if native_bf16() => Precision::Bf16,
            Precision::Auto => Precision::Fp32,
            p => p,
        }
    }

    /// For serde's `skip_serializing_if`: `fp32` is left out of what is written, so configs
    /// and sweep fingerprints from before the setting existed read the same.
    pub fn is_fp32(&self) -> bool {
        *self == Precision::Fp32
    }

    /// How `bf16` runs on this CPU, for a line of output.
    pub fn describe(self) -> String {
        match self.resolve() {
            Precision::Bf16 if native_bf16() => "bf16 (AVX-512 BF16 dot products, f32 accumulation)".into(),
            Precision::Bf16 => "bf16 numerics EMULATED: operands rounded to bf16 in front of f32 products (this CPU has no \
                 AVX-512 BF16; same numbers, slower than fp32)"
                .into(),
            _ => "fp32".into(),
        }
    }
}

/// Whether this CPU has AVX-512 BF16 dot products (`vdpbf16ps`).
pub fn native_bf16() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
