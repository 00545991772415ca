//! `alphasweep predict --walk-forward`: the checkpoint's configuration retrained fold by
//! fold (expanding or rolling history) and each fold predicted out-of-sample.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::predict::PredictArgs;
use crate::config::Config;
use crate::model::checkpoint::CheckpointMeta;
use crate::model::prepare::prepare;
use crate::predict::walk_forward::{self, Fold, WalkForward, Window};
use crate::predict::{self as pred, ModelScores};
use crate::sweep::engine::{Engine, OnEngine, with_engine};

pub fn run(a: &PredictArgs) -> anyhow::Result<()> {
    let dir = a.model.as_deref().context("--walk-forward needs --model DIR (the configuration to retrain)")?;
    let path = dir.join("config.json");
    let meta: CheckpointMeta =
        serde_json::from_str(&std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?)
            .with_context(|| format!("parsing {}", path.display()))?;
    let cfg = Config::from_str(&meta.config_toml, &path.display().to_string())?;
    let data = prepare(&cfg, Path::new(&meta.config_dir)).context("rebuilding the data set")?.data;
    let from = match a.from {
        Some(d) => d,
        None => {
            data.test.first().map(|s| data.dates[s.date as usize]).context("the checkpoint has no test period; give --from")?
        }
    };
    let wf = WalkForward {
        from,
        step_months: a.step_months,
        window: a.rolling_years.map_or(Window::Expanding, Window::Rolling),
        valid_share: a.valid_share,
        horizon: cfg.dataset.horizon,
    };
    eprintln!(
        "walk-forward from {from}, {} months per fold, {} history; {} epochs per fold",
        wf.step_months,
        a.rolling_years.map_or("expanding".to_string(), |y| format!("last {y} years of")),
        meta.train.epochs
    );
    let task = Task { data: &data, meta: &meta, wf: &wf };
    let folds = with_engine(a.device, 1, task)??;
    let models: Vec<ModelScores> = folds
        .iter()
        .map(|f| ModelScores {
            name: f.name.clone(),
            scores: f.scores.clone(),
            fitted_until: Some(f.fit.1),
            dates: data.dates.clone(),
            stocks: data.stocks.clone(),
        })
        .collect();
    // Folds do not overlap, so joining them keeps each fold's own scores.
    let mut rows = vec![];
    for m in &models {
        rows.extend(pred::combine(std::slice::from_ref(m)));
    }
    rows.sort_by(|x, y| x.date.cmp(&y.date).then_with(|| x.code.cmp(&y.code)));
    pred::write(&a.out, &rows, "walk_forward")?;
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
    let folds_path = a.out.with_extension("folds.csv");
    std::fs::write(&folds_path, &table)?;
    print!("{table}");
    let in_sample = rows.iter().filter(|r| r.in_sample).count();
    println!("{} walk-forward predictions in {} folds; {in_sample} on in-sample dates", rows.len(), folds.len());
    eprintln!("written to {} and {}", a.out.display(), folds_path.display());
    Ok(())
}

struct Task<'a> {
    data: &'a crate::model::dataset::WindowData,
    meta: &'a CheckpointMeta,
    wf: &'a WalkForward,
}

impl OnEngine for Task<'_> {
    type Output = crate::error::Result<Vec<Fold>>;
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
