//! Batch prediction: scores for every universe member with a full window on every date,
//! from one checkpoint or the mean of several (a sweep's best K), written as
//! `date, code, score, model, in_sample` (csv.gz). A date is in-sample for a model when it
//! falls in that model's training or validation period (or always, for a look-ahead split);
//! the backtest reports any in-sample dates it trades on.

pub mod ensemble;
pub mod walk_forward;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use crate::data::Date;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::dataset::{Sample, WindowData};
use crate::model::network::LstmNet;
use crate::stats;

/// One model's scores by (date, stock) index and the last date it was fitted or selected on.
pub struct ModelScores {
    pub name: String,
    pub scores: Vec<(Sample, f32)>,
    /// Dates up to this (inclusive) are in-sample; None: every date (look-ahead split).
    pub fitted_until: Option<Date>,
    pub dates: Vec<Date>,
    pub stocks: Vec<String>,
    /// The validation samples of the model's data set with their labels (empty when it
    /// has none, as in walk-forward folds): what an ensemble's size is chosen on.
    pub valid: Vec<(Sample, f32)>,
}

/// Every (date, stock) whose last `mem_day` days of features are finite (members on each).
pub fn all_windows(data: &WindowData) -> Vec<Sample> {
    crate::model::dataset::full_windows(&data.features, data.n_stocks, data.row_len(), data.mem_day)
}

/// Scores `samples` with `model` through `engine` (the fused CPU engine, the GPU engine or
/// burn's ops), `batch` windows at a time; `on_progress(done, total)` after each of about
/// 10 parts of whole batches (so a CPU engine's threads share each part's batches), one
/// part on a GPU engine (which uploads the data set once per call).
pub fn score<E: Engine>(
    engine: &E,
    model: &LstmNet<E::Inference>,
    data: &WindowData,
    samples: &[Sample],
    batch: usize,
    on_progress: &mut dyn FnMut(usize, usize),
) -> Vec<(Sample, f32)> {
    let batch = batch.max(1);
    let part = if engine.is_gpu() { samples.len().max(1) } else { samples.len().div_ceil(10).div_ceil(batch).max(1) * batch };
    let mut scores = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(part) {
        let p = engine.predict(model, data, chunk, batch);
        scores.extend(chunk.iter().copied().zip(p));
        on_progress(scores.len(), samples.len());
    }
    scores
}

/// One output row.
pub struct Prediction {
    pub date: Date,
    pub code: String,
    pub score: f64,
    pub in_sample: bool,
}

/// Joins models: one model's scores as they are; several, the mean over models of each
/// model's per-date z-scores (so models on different scales weigh the same). A row is
/// in-sample if it is for any model.
pub fn combine(models: &[ModelScores]) -> Vec<Prediction> {
    combine_where(models, |_| true)
}

/// [`combine`] on the dates `keep` accepts.
pub fn combine_where(models: &[ModelScores], keep: impl Fn(Date) -> bool) -> Vec<Prediction> {
    let mut acc: HashMap<(Date, String), (f64, usize, bool)> = HashMap::new();
    for m in models {
        let mut by_date: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
        for (s, v) in &m.scores {
            if v.is_finite() && keep(m.dates[s.date as usize]) {
                by_date.entry(s.date).or_default().push((s.stock, *v as f64));
            }
        }
        for (t, rows) in by_date {
            let vals: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let (mu, sd) = (stats::mean(&vals), stats::std(&vals));
            let date = m.dates[t as usize];
            let in_sample = m.fitted_until.is_none_or(|u| date <= u);
            for (s, v) in rows {
                let z = if models.len() == 1 {
                    v
                } else if sd > 0.0 {
                    (v - mu) / sd
                } else {
                    0.0
                };
                let e = acc.entry((date, m.stocks[s as usize].clone())).or_insert((0.0, 0, false));
                e.0 += z;
                e.1 += 1;
                e.2 |= in_sample;
            }
        }
    }
    let mut out: Vec<Prediction> = acc
        .into_iter()
        .map(|((date, code), (sum, n, in_sample))| Prediction { date, code, score: sum / n as f64, in_sample })
        .collect();
    out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.code.cmp(&b.code)));
    out
}

/// Writes `date,code,score,model,in_sample` as gzip CSV (plain CSV unless the name ends .gz).
pub fn write(path: &Path, rows: &[Prediction], model: &str) -> Result<()> {
    use std::fmt::Write as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut text = String::with_capacity(rows.len() * 48 + 64);
    text.push_str("date,code,score,model,in_sample\n");
    for r in rows {
        let _ = writeln!(text, "{},{},{:.6},{model},{}", r.date, r.code, r.score, r.in_sample);
    }
    if path.extension().is_some_and(|e| e == "gz") {
        crate::atomic::write_with(path, |w| {
            let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
            gz.write_all(text.as_bytes())?;
            gz.finish().map(|_| ())
        })
    } else {
        crate::atomic::write(path, text.as_bytes())
    }
}
