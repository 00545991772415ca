//! The predict stage: scores for every universe member with a full window on every date,
//! from one checkpoint or the mean of the best K of one or more sweeps (per-date z-scores),
//! written as `date, code, score, model, in_sample` for the backtest.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::artifacts::checkpoint;
use crate::artifacts::read_json;
use crate::artifacts::records::{Span, SplitRecord};
use crate::data::Date;
use crate::engine::device::DeviceKind;
use crate::engine::{Engine, OnEngine, with_engine};
use crate::error::{Error, Result};
use crate::model::train::Selection;
use crate::predict::{self, ModelScores, all_windows, ensemble};
use crate::study::prepare::{DataCache, data_set_order};
use crate::sweep::ledger::{LedgerRow, read_rows};
use crate::sweep::summary::{SweepSummary, rank_order};

/// Which models score.
#[derive(Clone, Debug)]
pub enum Models {
    /// One checkpoint folder.
    Checkpoint(PathBuf),
    /// The mean of the best `top_k` kept checkpoints of one or more sweep folders (by their
    /// ledgers' scores; pooled sweeps must share the selection rule and the validation and
    /// test periods, so the scores rank alike).
    Sweep { dirs: Vec<PathBuf>, top_k: usize },
}

/// Windows per inference batch, unless told otherwise.
pub const DEFAULT_BATCH: usize = 8192;

/// What the predict stage needs.
pub struct PredictOptions {
    pub models: Models,
    /// Market data to predict on instead of each checkpoint's own (the factors and cleaning
    /// stay the checkpoint's).
    pub data: Option<PathBuf>,
    /// The output file (`.csv.gz` or `.csv`).
    pub out: PathBuf,
    pub device: DeviceKind,
    /// Windows per inference batch.
    pub batch: usize,
    /// With several models: average only the best `k` of them, `k` chosen on the
    /// validation period ([`crate::predict::ensemble`]); its table is written beside `out`.
    pub choose_k: bool,
}

/// What it wrote.
pub struct PredictOutcome {
    pub rows: usize,
    pub first: Option<Date>,
    pub last: Option<Date>,
    /// The `model` column: the checkpoint's name, or `mean_of_K`.
    pub name: String,
    pub model_names: Vec<String>,
    /// Rows on dates a model was fitted or selected on.
    pub in_sample: usize,
    /// The last such date over the models; None for a look-ahead split (every date).
    pub fitted_until: Option<Date>,
    /// With `choose_k`: the validation IC of the mean of the best 1, 2, … models, and the
    /// file that table was written to.
    pub by_size: Option<(Vec<f64>, PathBuf)>,
}

/// The checkpoint folders `models` names (the best `top_k` with a checkpoint of the sweeps
/// pooled, best first).
pub fn checkpoint_dirs(models: &Models) -> Result<Vec<PathBuf>> {
    match models {
        Models::Checkpoint(dir) => Ok(vec![dir.clone()]),
        Models::Sweep { dirs, top_k } => {
            check_poolable(dirs)?;
            // Every ledger's rows with their sweep, ranked as one.
            let mut rows: Vec<(usize, LedgerRow)> = vec![];
            for (i, dir) in dirs.iter().enumerate() {
                rows.extend(read_rows::<LedgerRow>(&dir.join("ledger.csv"))?.into_iter().map(|r| (i, r)));
            }
            rows.sort_by(|a, b| rank_order(&a.1, &b.1));
            let out: Vec<PathBuf> = rows
                .iter()
                .map(|(i, r)| (dirs[*i].join("checkpoints").join(&r.trial), r))
                .filter(|(c, r)| r.has_model() && c.join("config.json").is_file())
                .take((*top_k).max(1))
                .map(|(c, _)| c)
                .collect();
            if out.is_empty() {
                let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
                return Err(Error::Invalid(format!("{}: no kept checkpoints", names.join(", "))));
            }
            Ok(out)
        }
    }
}

/// Sweeps pooled into one ranking must have chosen by the same rule over the same validation
/// period (and share the test period), or their scores do not compare.
fn check_poolable(dirs: &[PathBuf]) -> Result<()> {
    let Some((first, rest)) = dirs.split_first() else {
        return Err(Error::Invalid("no sweep folder given".into()));
    };
    if rest.is_empty() {
        return Ok(());
    }
    // The selection rule, and the first and last days of the validation and test periods.
    type Periods = (Selection, Option<[Date; 2]>, Option<[Date; 2]>);
    let periods = |d: &Path| -> Result<Periods> {
        let summary: SweepSummary = read_json(&d.join("summary.json"))?;
        let split: SplitRecord = read_json(&d.join("split.json"))?;
        let span = |s: Option<Span>| s.map(|s| [s.first, s.last]);
        Ok((summary.selection, span(split.valid), span(split.test)))
    };
    let want = periods(first)?;
    for d in rest {
        let got = periods(d)?;
        if got != want {
            return Err(Error::Invalid(format!(
                "sweeps {} and {} cannot be pooled: selection {:?} vs {:?}, validation {:?} vs {:?}, test {:?} vs {:?}",
                first.display(),
                d.display(),
                want.0,
                got.0,
                want.1,
                got.1,
                want.2,
                got.2
            )));
        }
    }
    Ok(())
}

/// Runs the stage.
pub fn run_predict(o: &PredictOptions) -> Result<PredictOutcome> {
    run_predict_with(o, &mut DataCache::default())
}

/// [`run_predict`], building the checkpoints' data sets through `cache` (`run` shares it
/// with the eval stage).
pub fn run_predict_with(o: &PredictOptions, cache: &mut DataCache) -> Result<PredictOutcome> {
    let dirs = checkpoint_dirs(&o.models)?;
    let mut models = with_engine(o.device, 1, Task { dirs: &dirs, data: o.data.as_deref(), batch: o.batch, cache })??;
    if let Models::Sweep { dirs: sweeps, .. } = &o.models
        && sweeps.len() > 1
    {
        // Trials of different sweeps may share a name: say which sweep each came from.
        for (m, dir) in models.iter_mut().zip(&dirs) {
            let sweep = dir.parent().and_then(Path::parent).unwrap_or(dir);
            m.name = format!("{}:{}", sweep.display(), m.name);
        }
    }
    let by_size = if o.choose_k && models.len() > 1 { Some(choose_size(&mut models, &o.out)?) } else { None };
    let name = if models.len() == 1 { models[0].name.clone() } else { format!("mean_of_{}", models.len()) };
    let rows = predict::combine(&models);
    predict::write(&o.out, &rows, &name)?;
    Ok(PredictOutcome {
        rows: rows.len(),
        first: rows.first().map(|r| r.date),
        last: rows.last().map(|r| r.date),
        name,
        model_names: models.iter().map(|m| m.name.clone()).collect(),
        in_sample: rows.iter().filter(|r| r.in_sample).count(),
        fitted_until: models.iter().filter_map(|m| m.fitted_until).max(),
        by_size,
    })
}

/// Keeps the best `k` of `models` (best first), `k` chosen on the validation period; writes
/// the table of sizes beside `out` (`<out>.ensemble.csv`: k, valid IC, rank IC, ICIR,
/// chosen) and prints it.
fn choose_size(models: &mut Vec<ModelScores>, out: &Path) -> Result<(Vec<f64>, PathBuf)> {
    if models[0].valid.is_empty() {
        return Err(Error::Invalid("choosing the ensemble size needs a validation period; the checkpoints have none".into()));
    }
    let by_size = ensemble::validation_by_size(models);
    let k = ensemble::best_size(&by_size);
    let mut text = String::from("k,valid_ic,valid_rank_ic,valid_ic_ir,chosen\n");
    eprintln!("ensemble size chosen on the validation period (mean IC of the best k):");
    for (i, m) in by_size.iter().enumerate() {
        text.push_str(&format!("{},{:.6},{:.6},{:.6},{}\n", i + 1, m.ic, m.rank_ic, m.ic_ir, i + 1 == k));
        eprintln!(
            "  k = {:>2}  IC {:+.4}  rank IC {:+.4}{}",
            i + 1,
            m.ic,
            m.rank_ic,
            if i + 1 == k { "  <- chosen" } else { "" }
        );
    }
    let path = PathBuf::from(format!("{}.ensemble.csv", out.display()));
    crate::atomic::write(&path, text.as_bytes())?;
    models.truncate(k);
    Ok((by_size.iter().map(|m| m.ic).collect(), path))
}

/// Rebuilds a checkpoint's data (on `data` when given; the previous checkpoint's when it is
/// the same) and scores all its windows.
fn score_checkpoint<E: Engine>(
    engine: &E,
    dir: &Path,
    data: Option<&Path>,
    cache: &mut DataCache,
    batch: usize,
    on_progress: &mut dyn FnMut(usize, usize),
) -> Result<ModelScores> {
    let (model, meta) = checkpoint::load::<E::Inference>(dir, &engine.inference_device())?;
    let data = cache.checkpoint_data(dir, &meta, data)?;
    let scores = predict::score(engine, &model, data, &all_windows(data), batch, on_progress);
    let fitted_until = if data.look_ahead { None } else { data.valid.last().map(|s| data.dates[s.date as usize]) };
    let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "model".into());
    let valid = data.valid.iter().map(|s| (*s, data.label(s))).collect();
    Ok(ModelScores { name, scores, fitted_until, dates: data.dates.clone(), stocks: data.stocks.clone(), valid })
}

/// Scoring with whichever engine the device choice picks (the fused CPU engine for `cpu`),
/// with a progress bar.
struct Task<'a> {
    dirs: &'a [PathBuf],
    data: Option<&'a Path>,
    batch: usize,
    cache: &'a mut DataCache,
}

impl OnEngine for Task<'_> {
    type Output = Result<Vec<ModelScores>>;

    fn run<E: Engine>(self, engine: E) -> Self::Output {
        eprintln!("device: {}", engine.device_name());
        let bar = ProgressBar::new(0)
            .with_style(ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} windows {elapsed}").expect("valid template"));
        // Scored grouped by data set (each built once), returned in the given order.
        let mut out: Vec<Option<ModelScores>> = self.dirs.iter().map(|_| None).collect();
        for (n, i) in data_set_order(self.dirs, self.data)?.into_iter().enumerate() {
            bar.set_prefix(format!("model {}/{}", n + 1, self.dirs.len()));
            out[i] = Some(score_checkpoint(&engine, &self.dirs[i], self.data, self.cache, self.batch, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })?);
        }
        bar.finish_and_clear();
        Ok(out.into_iter().map(|m| m.expect("every checkpoint scored")).collect())
    }
}
