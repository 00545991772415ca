//! The eval stage: reload a checkpoint, rebuild its data from the stored config, measure the
//! test period (`eval.json`) and plot predicted against actual labels for one stock (the
//! paper's 3.2.3).

use std::path::PathBuf;

use crate::artifacts::{CheckpointMeta, EvalRecord, write_json};
use crate::engine::device::default_threads;
use crate::engine::{Engine, FusedCpuEngine};
use crate::error::{Error, Result, ResultExt};
use crate::model::dataset::Sample;
use crate::model::metrics::{EvalMetrics, evaluate};
use crate::plot::charts;
use crate::study::prepare::DataCache;

/// The backend a checkpoint is loaded on; its predictions come from the fused CPU engine
/// (checked against burn's in `engine::cpu::tests`).
type Infer = burn::backend::Flex;

/// What the eval stage needs.
pub struct EvalOptions {
    /// A checkpoint folder (from `train`, or a sweep's `checkpoints/<id>`).
    pub model: PathBuf,
    /// The stock to plot (default: the one with the most test samples).
    pub stock: Option<String>,
}

/// What it measured.
pub struct EvalOutcome {
    pub test: EvalMetrics,
    pub samples: usize,
    pub look_ahead: bool,
    /// The predicted-versus-actual plot.
    pub plot: PathBuf,
}

/// Runs the stage.
pub fn run_eval(o: &EvalOptions) -> Result<EvalOutcome> {
    run_eval_with(o, &mut DataCache::default())
}

/// [`run_eval`], building the checkpoint's data set through `cache` (`run` shares it with
/// the predict stage, whose first model is this one).
pub fn run_eval_with(o: &EvalOptions, cache: &mut DataCache) -> Result<EvalOutcome> {
    let device = Default::default();
    let (model, meta): (_, CheckpointMeta) = crate::artifacts::checkpoint::load::<Infer>(&o.model, &device)
        .with_context(|| format!("loading {}", o.model.display()))?;
    let data = cache.checkpoint_data(&o.model, &meta, None)?;
    let engine = FusedCpuEngine { threads: default_threads() };
    let preds = engine.predict(&model, data, &data.test, 1024);
    let test = evaluate(&preds, &data.test, data);
    write_json(&o.model.join("eval.json"), &EvalRecord { test, look_ahead: data.look_ahead })?;

    // Predicted against actual for one stock over the test period.
    let stock = match &o.stock {
        Some(code) => {
            let canon =
                crate::data::code::normalize(code).ok_or_else(|| Error::Invalid(format!("`{code}` is not a stock code")))?;
            data.stocks.iter().position(|s| *s == canon).ok_or_else(|| Error::Invalid(format!("{canon} is not in the data")))?
                as u32
        }
        None => {
            let mut count = vec![0usize; data.stocks.len()];
            data.test.iter().for_each(|s| count[s.stock as usize] += 1);
            (0..count.len()).max_by_key(|&i| (count[i], std::cmp::Reverse(i))).unwrap_or(0) as u32
        }
    };
    let picked: Vec<(usize, &Sample)> = data.test.iter().enumerate().filter(|(_, s)| s.stock == stock).collect();
    if picked.is_empty() {
        return Err(Error::Invalid(format!("{} has no test samples", data.stocks[stock as usize])));
    }
    let dates: Vec<_> = picked.iter().map(|(_, s)| data.dates[s.date as usize]).collect();
    let actual: Vec<f64> = picked.iter().map(|(_, s)| data.label(s) as f64).collect();
    let predicted: Vec<f64> = picked.iter().map(|(i, _)| preds[*i] as f64).collect();
    let code = &data.stocks[stock as usize];
    let tag = if data.look_ahead { " (LOOK-AHEAD: not out-of-sample)" } else { "" };
    let plot = o.model.join(format!("pred_vs_actual_{code}.png"));
    charts::lines(
        &plot,
        &format!("{code}: predicted vs actual label, test period{tag}"),
        "label",
        &dates,
        &[("actual".into(), actual), ("predicted".into(), predicted)],
    )?;
    Ok(EvalOutcome { test, samples: data.test.len(), look_ahead: data.look_ahead, plot })
}
