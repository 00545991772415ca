//! The walk-forward stage (`predict --walk-forward`): a checkpoint's configuration retrained
//! fold by fold on the past only (expanding or rolling history) and each fold predicted
//! out-of-sample; the predictions and a `<out>.folds.csv` table of the folds.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::artifacts::CheckpointMeta;
use crate::data::Date;
use crate::engine::{DeviceKind, Engine, OnEngine, with_engine};
use crate::error::{Error, Result};
use crate::model::dataset::WindowData;
use crate::predict::walk_forward::{self, Fold, WalkForward, Window};
use crate::predict::{self, ModelScores};

/// What the walk-forward stage needs.
pub struct WalkForwardOptions {
    /// The checkpoint whose configuration is retrained.
    pub model: PathBuf,
    /// The first predicted date (default: the checkpoint's first test date).
    pub from: Option<Date>,
    /// Months per fold.
    pub step_months: u32,
    /// Train on the last N years only (default: all history, expanding).
    pub rolling_years: Option<u32>,
    /// Share of each fold's history (its latest dates) used to pick the epoch.
    pub valid_share: f64,
    /// The predictions file; `<out>.folds.csv` goes beside it.
    pub out: PathBuf,
    pub device: DeviceKind,
}

/// What it wrote.
pub struct WalkForwardOutcome {
    /// The folds table, as written to `folds`.
    pub folds_table: String,
    pub folds: usize,
    pub folds_file: PathBuf,
    pub rows: usize,
    pub in_sample: usize,
}

/// Runs the stage.
pub fn run_walk_forward(o: &WalkForwardOptions) -> Result<WalkForwardOutcome> {
    let meta = CheckpointMeta::read(&o.model)?;
    let (cfg, data) = crate::study::prepare::checkpoint_data(&o.model, &meta, None)?;
    let from = match o.from {
        Some(d) => d,
        None => data
            .test
            .first()
            .map(|s| data.dates[s.date as usize])
            .ok_or_else(|| Error::Invalid("the checkpoint has no test period; give --from".into()))?,
    };
    let wf = WalkForward {
        from,
        step_months: o.step_months,
        window: o.rolling_years.map_or(Window::Expanding, Window::Rolling),
        valid_share: o.valid_share,
        horizon: cfg.dataset.horizon,
    };
    eprintln!(
        "walk-forward from {from}, {} months per fold, {} history; {} epochs per fold",
        wf.step_months,
        o.rolling_years.map_or("expanding".to_string(), |y| format!("last {y} years of")),
        meta.train.epochs
    );
    crate::engine::precision::for_device(meta.train.precision, o.device)?;
    let folds = with_engine(o.device, 1, Task { data: &data, meta: &meta, wf: &wf })??;
    let models: Vec<ModelScores> = folds
        .iter()
        .map(|f| ModelScores {
            name: f.name.clone(),
            scores: f.scores.clone(),
            fitted_until: Some(f.fit.1),
            dates: data.dates.clone(),
            stocks: data.stocks.clone(),
            valid: vec![],
        })
        .collect();
    // Folds do not overlap, so joining them keeps each fold's own scores.
    let mut rows = vec![];
    for m in &models {
        rows.extend(predict::combine(std::slice::from_ref(m)));
    }
    rows.sort_by(|x, y| x.date.cmp(&y.date).then_with(|| x.code.cmp(&y.code)));
    predict::write(&o.out, &rows, "walk_forward")?;
    let mut table = String::from("fold,fit_first,fit_last,predict_first,predict_last,best_epoch,windows\n");
    for f in &folds {
        let _ = writeln!(
            table,
            "{},{},{},{},{},{},{}",
            f.name,
            f.fit.0,
            f.fit.1,
            f.predict.0,
            f.predict.1,
            f.best_epoch,
            f.scores.len()
        );
    }
    let folds_file = o.out.with_extension("folds.csv");
    crate::atomic::write(&folds_file, table.as_bytes())?;
    let in_sample = rows.iter().filter(|r| r.in_sample).count();
    Ok(WalkForwardOutcome { folds_table: table, folds: folds.len(), folds_file, rows: rows.len(), in_sample })
}

/// The folds on whichever engine the device choice gives, a line per fold as it ends.
struct Task<'a> {
    data: &'a WindowData,
    meta: &'a CheckpointMeta,
    wf: &'a WalkForward,
}

impl OnEngine for Task<'_> {
    type Output = Result<Vec<Fold>>;
    fn run<E: Engine>(self, engine: E) -> Self::Output {
        eprintln!("device: {}", engine.device_name());
        walk_forward::run(&engine, self.data, &self.meta.network, &self.meta.train, self.wf, &mut |f| {
            eprintln!(
                "fold {} ({} .. {}): trained on {} .. {}, best epoch {}, {} windows",
                f.name,
                f.predict.0,
                f.predict.1,
                f.fit.0,
                f.fit.1,
                f.best_epoch,
                f.scores.len()
            );
        })
    }
}
