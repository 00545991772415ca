//! Placeholder until the synthetic market lands (same API).
use std::collections::BTreeMap;
use crate::data::{Date, Matrix, Panel};
use crate::{Error, Result};
pub struct SynthConfig { pub stocks: usize, pub start: Date, pub end: Date, pub seed: u64, pub null: bool }
impl Default for SynthConfig {
    fn default() -> Self { SynthConfig { stocks: 300, start: Date::from_ymd(2015,1,1).unwrap(), end: Date::from_ymd(2022,7,1).unwrap(), seed: 42, null: false } }
}
pub struct SynthMarket { pub panel: Panel, pub truth: BTreeMap<String, Matrix> }
pub fn generate(_cfg: &SynthConfig) -> Result<SynthMarket> { Err(Error::Invalid("synth not yet built".into())) }
