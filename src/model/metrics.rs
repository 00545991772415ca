//! Evaluation metrics over samples: MSE loss, MAPE (the paper's metric), the mean per-date
//! IC and rank IC of predictions with labels, and direction accuracy.

use serde::{Deserialize, Serialize};

use crate::model::dataset::{Sample, WindowData};
use crate::stats;

/// Metrics of predictions against labels.
/// (`NaN`s are written to JSON as `null` and read back as `NaN`.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvalMetrics {
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub loss: f64,
    /// mean |y − ŷ| / |y| over labels with |y| > 1e-6.
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub mape: f64,
    /// Mean over dates of the cross-sectional Pearson / Spearman correlation.
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub ic: f64,
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub rank_ic: f64,
    /// Share of samples where prediction and label have the same sign (labels ≠ 0).
    #[serde(deserialize_with = "crate::json::f64_or_nan")]
    pub direction: f64,
    /// Mean / standard deviation over dates of the IC and the rank IC (qlib's ICIR; not
    /// annualized). `NaN` in records written before they were kept.
    #[serde(default = "nan", deserialize_with = "crate::json::f64_or_nan")]
    pub ic_ir: f64,
    #[serde(default = "nan", deserialize_with = "crate::json::f64_or_nan")]
    pub rank_ic_ir: f64,
}

fn nan() -> f64 {
    f64::NAN
}

/// `preds[i]` is the prediction for `samples[i]`; samples are sorted by date.
pub fn evaluate(preds: &[f32], samples: &[Sample], data: &WindowData) -> EvalMetrics {
    let labels: Vec<f32> = samples.iter().map(|s| data.label(s)).collect();
    evaluate_labels(preds, &labels, samples)
}

/// [`evaluate`] against `labels[i]`, the label of `samples[i]`.
pub fn evaluate_labels(preds: &[f32], labels: &[f32], samples: &[Sample]) -> EvalMetrics {
    let y: Vec<f64> = labels.iter().map(|v| *v as f64).collect();
    let p: Vec<f64> = preds.iter().map(|v| *v as f64).collect();
    let n = y.len().max(1) as f64;
    let loss = y.iter().zip(&p).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / n;
    let (mut ape, mut n_ape, mut hit, mut n_dir) = (0.0, 0usize, 0usize, 0usize);
    for (a, b) in y.iter().zip(&p) {
        if a.abs() > 1e-6 {
            ape += (a - b).abs() / a.abs();
            n_ape += 1;
        }
        if *a != 0.0 {
            n_dir += 1;
            hit += (a.signum() == b.signum()) as usize;
        }
    }
    let (mut ics, mut rics) = (vec![], vec![]);
    let mut i = 0;
    while i < samples.len() {
        let j = samples[i..].iter().position(|s| s.date != samples[i].date).map_or(samples.len(), |k| i + k);
        if j - i >= 3 {
            let (ic, ric) = (stats::pearson(&p[i..j], &y[i..j]), stats::spearman(&p[i..j], &y[i..j]));
            if ic.is_finite() {
                ics.push(ic);
            }
            if ric.is_finite() {
                rics.push(ric);
            }
        }
        i = j;
    }
    let m = |v: &[f64]| if v.is_empty() { f64::NAN } else { stats::mean(v) };
    let ir = |v: &[f64]| if v.len() < 2 { f64::NAN } else { stats::mean(v) / stats::std(v) };
    EvalMetrics {
        loss,
        mape: if n_ape > 0 { ape / n_ape as f64 } else { f64::NAN },
        ic: m(&ics),
        rank_ic: m(&rics),
        direction: if n_dir > 0 { hit as f64 / n_dir as f64 } else { f64::NAN },
        ic_ir: ir(&ics),
        rank_ic_ir: ir(&rics),
    }
}
