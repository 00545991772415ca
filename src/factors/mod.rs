//! The paper's factor library: 41 factors in five categories (one file per category),
//! computed from a [`Panel`](crate::data::Panel) with quarterly items made point-in-time.
//! [`spec`] says what a factor is, [`registry`] lists them; [`compute`] evaluates a chosen set,
//! [`build`] makes the cleaned table.

pub mod basic;
pub mod build;
pub mod compute;
pub mod formulaic;
pub mod inputs;
pub mod pit;
pub mod quality;
pub mod registry;
pub mod risk;
pub mod spec;
#[cfg(test)]
pub(crate) mod tests;
pub mod trade;
pub mod value;
pub mod window;

pub use build::{FactorConfig, FactorTable, build_clean_factors, build_factors};
pub use compute::{FactorValues, Unavailable, compute_factors};
pub use registry::support_table;
