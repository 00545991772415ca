//! An engine's outcome, shared by the CPU and GPU engines: the best epoch's weights in the
//! engines' flat layout, its epoch, every epoch's row, and how the run ended.

use burn::backend::Flex;

use crate::engine::weights::Weights;
use crate::model::train::{EpochRow, Status, Trained};

/// The engine's outcome: the best epoch's weights (as the engine holds them) beside
/// [`train`]'s burn model.
pub struct EngineTrained {
    pub best: Option<Weights>,
    pub best_epoch: usize,
    pub rows: Vec<EpochRow>,
    pub status: Status,
}

impl EngineTrained {
    /// The same outcome with the best weights as a burn model (CPU, `Flex`).
    pub fn into_burn(self) -> Trained<Flex> {
        Trained {
            model: self.best.map(|w| w.to_burn::<Flex>(&Default::default())),
            best_epoch: self.best_epoch,
            rows: self.rows,
            status: self.status,
        }
    }
}
