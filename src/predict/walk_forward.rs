//! Walk-forward prediction: the chosen configuration is retrained on each fold's past and
//! predicts the fold's period, so a long backtest is out-of-sample on every date. Folds are
//! consecutive blocks of `step_months` from `from`; each trains on the labeled samples
//! before the block (less a gap of horizon + 1 dates, so no label reaches into it), all
//! history (`expanding`) or the last `rolling_years`, and keeps its best epoch on the last
//! `valid_share` of those dates.

use serde::{Deserialize, Serialize};

use crate::data::Date;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::model::dataset::{Sample, WindowData};
use crate::model::network::NetworkConfig;
use crate::model::train::{Flow, TrainConfig};
use crate::predict::all_windows;

/// How much history each fold trains on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    Expanding,
    /// The last N years.
    Rolling(u32),
}

/// The folds' settings.
#[derive(Clone, Debug)]
pub struct WalkForward {
    pub from: Date,
    pub step_months: u32,
    pub window: Window,
    /// Share of each fold's training dates (the latest) used to pick the best epoch.
    pub valid_share: f64,
    pub horizon: usize,
}

/// One fold's result: its predicted period and the scores of every window in it.
pub struct Fold {
    pub name: String,
    pub fit: (Date, Date),
    pub predict: (Date, Date),
    pub best_epoch: usize,
    pub scores: Vec<(Sample, f32)>,
}

/// `d` moved by `months` (negative: back), clamped to the end of a shorter month.
fn add_months(d: Date, months: i32) -> Date {
    let (y, m, day) = d.ymd();
    let total = (y * 12 + m as i32 - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    (1..=day).rev().find_map(|dd| Date::from_ymd(ny, nm, dd)).unwrap_or(d)
}

/// Trains one model per fold with `engine` and scores the fold's windows.
pub fn run<E: Engine>(
    engine: &E,
    data: &WindowData,
    net: &NetworkConfig,
    cfg: &TrainConfig,
    wf: &WalkForward,
    on_fold: &mut dyn FnMut(&Fold),
) -> Result<Vec<Fold>> {
    if data.label_scale.is_some() || data.look_ahead {
        return Err(Error::Config(
            "walk-forward needs `label = \"fwd_return\"` and `split = \"time\"` (a close label's scaler or a random split would leak)".into(),
        ));
    }
    if !(0.0..0.9).contains(&wf.valid_share) || wf.step_months == 0 {
        return Err(Error::Config("walk-forward: valid share in [0, 0.9) and a step of at least one month".into()));
    }
    let windows = all_windows(data);
    let labeled: Vec<Sample> = windows.iter().copied().filter(|s| data.label(s).is_finite()).collect();
    let dates = &data.dates;
    // The last date with a window to score (the factor table may end before the calendar).
    let last = windows.iter().map(|s| s.date).max().map(|i| dates[i as usize]);
    let last = last.ok_or_else(|| Error::Empty { file: "market data (no window to score)".into() })?;
    let mut folds = vec![];
    let mut start = wf.from;
    while start <= last {
        let end_excl = add_months(start, wf.step_months as i32);
        let first_idx = dates.partition_point(|d| *d < start);
        // Labels of fit samples end by t + 1 + h: keep t <= first_idx - gap.
        let gap = wf.horizon + 1;
        let fit_end = first_idx.checked_sub(gap + 1).map(|i| i as u32);
        let fit_start = match wf.window {
            Window::Expanding => 0,
            Window::Rolling(y) => dates.partition_point(|d| *d < add_months(start, -12 * y as i32)) as u32,
        };
        let Some(fit_end) = fit_end else {
            start = end_excl;
            continue;
        };
        let fit: Vec<Sample> = labeled.iter().copied().filter(|s| s.date >= fit_start && s.date <= fit_end).collect();
        let mut fit_dates: Vec<u32> = fit.iter().map(|s| s.date).collect();
        fit_dates.dedup();
        let n_valid = (fit_dates.len() as f64 * wf.valid_share) as usize;
        if fit_dates.len() < n_valid + gap + 20 || n_valid < 5 {
            start = end_excl;
            continue;
        }
        let valid_start = fit_dates[fit_dates.len() - n_valid];
        let train_end = fit_dates[fit_dates.len() - n_valid - gap];
        let fold_data = WindowData {
            train: fit.iter().copied().filter(|s| s.date <= train_end).collect::<Vec<_>>().into(),
            valid: fit.iter().copied().filter(|s| s.date >= valid_start).collect::<Vec<_>>().into(),
            test: Vec::new().into(),
            ..data.clone()
        };
        let target: Vec<Sample> =
            windows.iter().copied().filter(|s| dates[s.date as usize] >= start && dates[s.date as usize] < end_excl).collect();
        if target.is_empty() {
            start = end_excl;
            continue;
        }
        let trained = engine.train(&fold_data, net, cfg, &mut |_, _, _, _| {}, &mut |_| Flow::Continue(()));
        let Some(model) = trained.model else {
            return Err(Error::Invalid(format!("walk-forward fold from {start}: training diverged")));
        };
        let preds = engine.predict(&model, &fold_data, &target, 8192);
        let fold = Fold {
            name: format!("wf-{start}"),
            // The first and last date that has a training window (not the calendar's).
            fit: (dates[fit_dates[0] as usize], dates[fit_dates[fit_dates.len() - 1] as usize]),
            predict: (dates[first_idx.min(dates.len() - 1)], dates[dates.partition_point(|d| *d < end_excl).saturating_sub(1)]),
            best_epoch: trained.best_epoch,
            scores: target.into_iter().zip(preds).collect(),
        };
        on_fold(&fold);
        folds.push(fold);
        start = end_excl;
    }
    if folds.is_empty() {
        return Err(Error::Invalid(format!("walk-forward: no fold from {} has enough history to train on", wf.from)));
    }
    Ok(folds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_add_and_clamp_to_month_end() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(add_months(d("2020-01-31"), 1), d("2020-02-29"));
        assert_eq!(add_months(d("2020-11-15"), 3), d("2021-02-15"));
        assert_eq!(add_months(d("2020-01-01"), 12), d("2021-01-01"));
    }
}
