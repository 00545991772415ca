//! `alphasweep eval`: reload a checkpoint, rebuild its data from the stored config, report
//! the test-set metrics and plot predicted against actual labels for one stock (the paper's
//! 3.2.3).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use crate::config::Config;
use crate::model::checkpoint;
use crate::model::dataset::Sample;
use crate::model::metrics::evaluate;
use crate::model::prepare::prepare;
use crate::model::train::predict;
use crate::report::plots;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A checkpoint folder written by `alphasweep train`.
    #[arg(long)]
    pub model: PathBuf,
    /// Stock to plot (default: the one with the most test samples).
    #[arg(long)]
    pub stock: Option<String>,
}

type Infer = burn::backend::NdArray<f32>;

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    let device = Default::default();
    let (model, meta) = checkpoint::load::<Infer>(&a.model, &device).with_context(|| format!("loading {}", a.model.display()))?;
    let cfg = Config::from_str(&meta.config_toml, "the checkpoint's config")?;
    let data = prepare(&cfg, Path::new(&meta.config_dir)).context("rebuilding the data set")?.data;
    if data.n_features != meta.network.n_features {
        bail!("the data gives {} features but the checkpoint expects {}", data.n_features, meta.network.n_features);
    }
    let preds = predict(&model, &data, &data.test, 1024, &device);
    let m = evaluate(&preds, &data.test, &data);
    let tag = if data.look_ahead { " (LOOK-AHEAD: not out-of-sample)" } else { "" };
    println!(
        "test{tag}: {} samples; loss {:.4}  MAPE {:.3}  IC {:.4}  rank IC {:.4}  direction {:.3}",
        data.test.len(),
        m.loss,
        m.mape,
        m.ic,
        m.rank_ic,
        m.direction
    );
    std::fs::write(
        a.model.join("eval.json"),
        serde_json::to_string_pretty(&serde_json::json!({ "test": m, "look_ahead": data.look_ahead }))?,
    )?;

    // Predicted against actual for one stock over the test period.
    let stock = match &a.stock {
        Some(code) => {
            let canon = crate::data::code::normalize(code).with_context(|| format!("`{code}` is not a stock code"))?;
            data.stocks.iter().position(|s| *s == canon).with_context(|| format!("{canon} is not in the data"))? as u32
        }
        None => {
            let mut count = vec![0usize; data.stocks.len()];
            data.test.iter().for_each(|s| count[s.stock as usize] += 1);
            (0..count.len()).max_by_key(|&i| (count[i], std::cmp::Reverse(i))).unwrap_or(0) as u32
        }
    };
    let picked: Vec<(usize, &Sample)> = data.test.iter().enumerate().filter(|(_, s)| s.stock == stock).collect();
    if picked.is_empty() {
        bail!("{} has no test samples", data.stocks[stock as usize]);
    }
    let dates: Vec<_> = picked.iter().map(|(_, s)| data.dates[s.date as usize]).collect();
    let actual: Vec<f64> = picked.iter().map(|(_, s)| data.label(s) as f64).collect();
    let predicted: Vec<f64> = picked.iter().map(|(i, _)| preds[*i] as f64).collect();
    let code = &data.stocks[stock as usize];
    let path = a.model.join(format!("pred_vs_actual_{code}.png"));
    plots::lines(
        &path,
        &format!("{code}: predicted vs actual label, test period{tag}"),
        "label",
        &dates,
        &[("actual".into(), actual), ("predicted".into(), predicted)],
    )?;
    eprintln!("wrote {} and eval.json", path.display());
    Ok(())
}
