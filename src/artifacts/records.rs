//! The small JSON records of a run folder: what made it (`run.json`), the split a sweep
//! trained on (`split.json`), a checkpoint's test metrics (`eval.json` from `eval`,
//! `test.json` from `train`).

use serde::{Deserialize, Serialize};

use crate::data::Date;
use crate::model::dataset::{FittedSplit, Sample, WindowData};
use crate::model::metrics::EvalMetrics;

/// `run.json`: the version, the command line and the resolved config of `alphasweep run`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub alphasweep: String,
    pub command: String,
    /// The resolved config as TOML (paths absolute).
    pub config_toml: String,
}

/// One period of a split: its first and last date and its number of samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub first: Date,
    pub last: Date,
    pub samples: usize,
}

/// `split.json`: the periods a sweep trained, selected and tested on, and whether the
/// split looks ahead (the paper's random split or back-filled accounts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SplitRecord {
    /// `None` when the period is empty.
    pub train: Option<Span>,
    pub valid: Option<Span>,
    pub test: Option<Span>,
    pub look_ahead: bool,
    pub stocks: usize,
    pub factors: usize,
}

impl SplitRecord {
    /// Where a time split fell, as checkpoints record it (`None` for a look-ahead split or
    /// an empty segment).
    pub fn fitted(&self) -> Option<FittedSplit> {
        let (t, v, x) = (self.train.as_ref()?, self.valid.as_ref()?, self.test.as_ref()?);
        (!self.look_ahead).then_some(FittedSplit { train: [t.first, t.last], valid: [v.first, v.last], test_from: x.first })
    }

    /// The record of `data`'s split.
    pub fn of(data: &WindowData) -> SplitRecord {
        let span = |s: &[Sample]| match (s.first(), s.last()) {
            (Some(f), Some(l)) => {
                Some(Span { first: data.dates[f.date as usize], last: data.dates[l.date as usize], samples: s.len() })
            }
            _ => None,
        };
        SplitRecord {
            train: span(&data.train),
            valid: span(&data.valid),
            test: span(&data.test),
            look_ahead: data.look_ahead,
            stocks: data.n_stocks,
            factors: data.n_features,
        }
    }
}

/// `eval.json` in a checkpoint folder: its metrics on the test period (`alphasweep eval`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalRecord {
    pub test: EvalMetrics,
    pub look_ahead: bool,
}

/// `test.json` in a checkpoint folder written by `alphasweep train`: the best epoch's test
/// metrics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    pub test: EvalMetrics,
    pub best_epoch: usize,
    pub look_ahead: bool,
}
