//! How many of a sweep's best checkpoints to average, chosen on the validation period:
//! the means of the best 1, 2, …, K are scored against the validation labels (per-date IC,
//! as the sweep ranks its trials), and the size with the highest mean IC wins (ties: fewer
//! models). The test period plays no part.

use std::collections::HashMap;

use crate::data::Date;
use crate::model::dataset::Sample;
use crate::model::metrics::{EvalMetrics, evaluate_labels};
use crate::predict::{ModelScores, combine_where};

/// The validation metrics of the mean of the first `k` models, for `k = 1 ..= models.len()`
/// (models best first), on the first model's validation samples and labels.
pub fn validation_by_size(models: &[ModelScores]) -> Vec<EvalMetrics> {
    let Some(first) = models.first() else { return vec![] };
    let samples: Vec<Sample> = first.valid.iter().map(|v| v.0).collect();
    let labels: Vec<f32> = first.valid.iter().map(|v| v.1).collect();
    let mut on_valid = vec![false; first.dates.len()];
    for s in &samples {
        on_valid[s.date as usize] = true;
    }
    let valid_dates: Vec<Date> = first.dates.iter().zip(&on_valid).filter(|(_, v)| **v).map(|(d, _)| *d).collect();
    (1..=models.len())
        .map(|k| {
            let rows = combine_where(&models[..k], |d| valid_dates.binary_search(&d).is_ok());
            let by_key: HashMap<(Date, &str), f64> = rows.iter().map(|r| ((r.date, r.code.as_str()), r.score)).collect();
            let preds: Vec<f32> = samples
                .iter()
                .map(|s| {
                    let key = (first.dates[s.date as usize], first.stocks[s.stock as usize].as_str());
                    by_key.get(&key).map_or(f32::NAN, |v| *v as f32)
                })
                .collect();
            evaluate_labels(&preds, &labels, &samples)
        })
        .collect()
}

/// The ensemble size with the highest validation IC (the smallest on a tie); every model
/// when no size has a finite IC.
pub fn best_size(by_size: &[EvalMetrics]) -> usize {
    let mut best: Option<(usize, f64)> = None;
    for (i, m) in by_size.iter().enumerate() {
        if m.ic.is_finite() && best.is_none_or(|(_, ic)| m.ic > ic) {
            best = Some((i + 1, m.ic));
        }
    }
    best.map_or(by_size.len(), |(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three models on 4 dates x 5 stocks: the first scores the labels exactly, the second
    /// shifts one stock's scores, the third reverses them. Each added model lowers the
    /// validation IC, so the best size is 1.
    #[test]
    fn the_size_with_the_best_validation_ic_wins() {
        let dates: Vec<Date> = (0..4).map(|i| Date::from_ymd(2020, 1, 1).unwrap().add_days(i)).collect();
        let stocks: Vec<String> = (0..5).map(|s| format!("S{s}")).collect();
        let label = |d: u32, s: u32| ((s * 7 + d * 3) % 5) as f32;
        let valid: Vec<(Sample, f32)> =
            (0..4).flat_map(|d| (0..5).map(move |s| (Sample { date: d, stock: s }, label(d, s)))).collect();
        let model = |f: &dyn Fn(u32, u32) -> f32| ModelScores {
            name: "m".into(),
            scores: valid.iter().map(|(s, _)| (*s, f(s.date, s.stock))).collect(),
            fitted_until: None,
            dates: dates.clone(),
            stocks: stocks.clone(),
            valid: valid.clone(),
        };
        let models = [
            model(&|d, s| label(d, s)),
            model(&|d, s| label(d, s) + if s == 0 { 3.0 } else { 0.0 }),
            model(&|d, s| -label(d, s)),
        ];
        let by_size = validation_by_size(&models);
        assert_eq!(by_size.len(), 3);
        assert!((by_size[0].ic - 1.0).abs() < 1e-9, "{:?}", by_size[0]);
        assert!(by_size[1].ic < by_size[0].ic && by_size[2].ic < by_size[1].ic, "{by_size:?}");
        assert_eq!(best_size(&by_size), 1);
        // Ties go to fewer models; no finite IC at all keeps every model.
        let nan = EvalMetrics { ic: f64::NAN, ..EvalMetrics::default() };
        let ic = |x| EvalMetrics { ic: x, ..EvalMetrics::default() };
        assert_eq!(best_size(&[ic(0.01), ic(0.03), ic(0.03)]), 2);
        assert_eq!(best_size(&[nan, nan]), 2);
    }
}
