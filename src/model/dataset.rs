//! The LSTM's data set: for each universe member and date, the last `mem_day` days of the
//! selected cleaned factors and a label. Samples are `(date, stock)` pairs; windows are read
//! from one `[date, stock, factor]` array when a batch is built, never copied per sample.
//!
//! Labels: `fwd_return` (default), the adjusted return from the close of t+1 to the close of
//! t+1+h (orders decided on t's signal fill at t+1's close), standardized or ranked per date;
//! or `close`, the paper's target, the adjusted close of t+1 standardized with statistics of
//! the training period only. Splits are in time order with a gap of h+1 dates between train,
//! valid and test; `paper_random` (the paper's shuffled split) leaks the future and says so.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::data::{Date, Matrix, Panel, field};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::stats;

/// What the model predicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    #[default]
    FwdReturn,
    Close,
}

/// How a `fwd_return` label is normalized across stocks each date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelNorm {
    #[default]
    Zscore,
    /// Rank mapped to [−0.5, 0.5].
    Rank,
    None,
}

/// How samples are split into train / valid / test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKind {
    /// By date, in time order, with gaps (no look-ahead).
    #[default]
    Time,
    /// The paper's random 80/10/10 split of samples (sklearn `train_test_split` style):
    /// LOOK-AHEAD, since training samples come from after test dates.
    PaperRandom,
}

/// `[dataset]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatasetConfig {
    /// Factor codes fed to the model (cleaned values).
    pub factors: Vec<String>,
    pub mem_day: usize,
    pub label: LabelKind,
    /// Label horizon h in trading days.
    pub horizon: usize,
    pub label_norm: LabelNorm,
    pub split: SplitKind,
    /// Choose samples as if the window were this long (at least `mem_day`): a sweep sets its
    /// longest `mem_day` here so every trial sees the same samples and split.
    pub sample_window: Option<usize>,
    /// Shares of the dates (time split) or samples (paper split) for train and valid; test
    /// gets the rest.
    pub train: f64,
    pub valid: f64,
    pub seed: u64,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        DatasetConfig {
            factors: vec![],
            mem_day: 10,
            label: LabelKind::FwdReturn,
            horizon: 1,
            label_norm: LabelNorm::Zscore,
            split: SplitKind::Time,
            sample_window: None,
            train: 0.6,
            valid: 0.2,
            seed: 42,
        }
    }
}

/// One sample: the window ending at `date` for `stock` (indices into the panel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Sample {
    pub date: u32,
    pub stock: u32,
}

/// Features, labels and the split. The feature and label arrays are shared (`Arc`): views
/// with a shorter window ([`WindowData::with_mem_day`]) copy no data.
#[derive(Clone)]
pub struct WindowData {
    pub n_stocks: usize,
    pub n_features: usize,
    /// Days each sample's window reads (the last `mem_day` up to its date).
    pub mem_day: usize,
    /// The window the samples were chosen for (≥ `mem_day`; every sample has this many
    /// finite days).
    pub window: usize,
    /// `[date, stock, feature]`, row-major.
    pub features: Arc<[f32]>,
    /// `[date, stock]`, NaN where there is no label.
    pub labels: Arc<[f32]>,
    pub dates: Vec<Date>,
    pub stocks: Vec<String>,
    /// Samples sorted by date, then stock.
    pub train: Arc<[Sample]>,
    pub valid: Arc<[Sample]>,
    pub test: Arc<[Sample]>,
    /// The split (or the factors) use information from the future.
    pub look_ahead: bool,
    /// `close` labels: (mean, std) of the training labels used to standardize.
    pub label_scale: Option<(f64, f64)>,
}

impl WindowData {
    /// Builds the data set from cleaned factor matrices (`[date, stock]`, NaN for
    /// non-members) named `names`, in the order of `cfg.factors`.
    pub fn build(panel: &Panel, names: &[String], factors: &[Matrix], cfg: &DatasetConfig) -> Result<WindowData> {
        if cfg.mem_day == 0 || cfg.horizon == 0 {
            return Err(Error::Config("dataset.mem_day and dataset.horizon must be at least 1".into()));
        }
        if !(cfg.train > 0.0 && cfg.valid > 0.0 && cfg.train + cfg.valid < 1.0) {
            return Err(Error::Config(format!(
                "dataset.train ({}) and dataset.valid ({}) must be positive and sum below 1",
                cfg.train, cfg.valid
            )));
        }
        let picked: Vec<&Matrix> = cfg
            .factors
            .iter()
            .map(|c| {
                names.iter().position(|n| n == c).map(|i| &factors[i]).ok_or_else(|| {
                    Error::Config(format!("dataset.factors: `{c}` was not computed (available: {})", names.join(", ")))
                })
            })
            .collect::<Result<_>>()?;
        if picked.is_empty() {
            return Err(Error::Config(
                "dataset.factors is empty: name the factors the model reads (e.g. from the screen's selected.txt)".into(),
            ));
        }
        let (nd, ns, nf) = (panel.n_dates(), panel.n_stocks(), picked.len());
        let mut features = vec![f32::NAN; nd * ns * nf];
        for (f, m) in picked.iter().enumerate() {
            for (i, v) in m.data.iter().enumerate() {
                features[i * nf + f] = *v as f32;
            }
        }
        let adj = panel.adjusted(field::CLOSE).ok_or_else(|| Error::Invalid("the market data has no close prices".into()))?;
        let h = cfg.horizon;
        let mut labels = vec![f32::NAN; nd * ns];
        // Raw labels.
        for t in 0..nd {
            for s in 0..ns {
                labels[t * ns + s] = match cfg.label {
                    LabelKind::FwdReturn if t + 1 + h < nd => (adj.get(t + 1 + h, s) / adj.get(t + 1, s) - 1.0) as f32,
                    LabelKind::Close if t + 1 < nd => adj.get(t + 1, s) as f32,
                    _ => f32::NAN,
                };
            }
        }
        // Samples: member with a full finite window and a finite label.
        let window = cfg.mem_day.max(cfg.sample_window.unwrap_or(0));
        let samples: Vec<Sample> = full_windows(&features, ns, nf, window)
            .into_iter()
            .filter(|s| labels[s.date as usize * ns + s.stock as usize].is_finite())
            .collect();
        if samples.len() < 100 {
            return Err(Error::Invalid(format!(
                "only {} samples have a full {}-day window and a label: too few to train",
                samples.len(),
                window
            )));
        }
        if cfg.label == LabelKind::FwdReturn {
            normalize_per_date(&mut labels, &samples, ns, cfg.label_norm);
        }
        let (train, valid, test) = split(&samples, cfg)?;
        let mut label_scale = None;
        if cfg.label == LabelKind::Close {
            let y: Vec<f64> = train.iter().map(|s| labels[s.date as usize * ns + s.stock as usize] as f64).collect();
            let (m, sd) = (stats::mean(&y), stats::std(&y));
            labels.iter_mut().for_each(|v| *v = ((*v as f64 - m) / sd) as f32);
            label_scale = Some((m, sd));
        }
        Ok(WindowData {
            n_stocks: ns,
            n_features: nf,
            mem_day: cfg.mem_day,
            window,
            features: features.into(),
            labels: labels.into(),
            dates: panel.dates.clone(),
            stocks: panel.stocks.clone(),
            train: train.into(),
            valid: valid.into(),
            test: test.into(),
            look_ahead: cfg.split == SplitKind::PaperRandom,
            label_scale,
        })
    }

    /// The batch of `samples`: inputs `[batch, mem_day, n_features]` flattened row-major,
    /// and labels `[batch]`.
    pub fn batch(&self, samples: &[Sample]) -> (Vec<f32>, Vec<f32>) {
        let (ns, nf, m) = (self.n_stocks, self.n_features, self.mem_day);
        let mut x = Vec::with_capacity(samples.len() * m * nf);
        let mut y = Vec::with_capacity(samples.len());
        for s in samples {
            let (t, st) = (s.date as usize, s.stock as usize);
            for u in t + 1 - m..=t {
                let at = (u * ns + st) * nf;
                x.extend_from_slice(&self.features[at..at + nf]);
            }
            y.push(self.labels[t * ns + st]);
        }
        (x, y)
    }

    /// The same samples, split and labels, read through a window of the last `mem_day` days
    /// (at most the built window, so every sample still has a full window). A sweep builds the
    /// data once at its longest `mem_day` and gives each trial such a view, so trials with
    /// different windows train and validate on the same samples.
    pub fn with_mem_day(&self, mem_day: usize) -> Result<WindowData> {
        if mem_day == 0 || mem_day > self.window {
            return Err(Error::Config(format!("mem_day {mem_day} must be in 1..={} (the data set's window)", self.window)));
        }
        Ok(WindowData { mem_day, ..self.clone() })
    }

    pub fn label(&self, s: &Sample) -> f32 {
        self.labels[s.date as usize * self.n_stocks + s.stock as usize]
    }
}

/// Every (date, stock) of `features` (`[date, stock, feature]`, `ns` stocks, `nf` features)
/// whose last `len` days are all finite (a member on each day), in date then stock order.
pub fn full_windows(features: &[f32], ns: usize, nf: usize, len: usize) -> Vec<Sample> {
    let nd = features.len().checked_div(ns * nf).unwrap_or(0);
    let finite_day = |t: usize, s: usize| features[(t * ns + s) * nf..(t * ns + s + 1) * nf].iter().all(|v| v.is_finite());
    let mut out = Vec::new();
    for t in len.max(1) - 1..nd {
        for s in 0..ns {
            if (t + 1 - len.max(1)..=t).all(|u| finite_day(u, s)) {
                out.push(Sample { date: t as u32, stock: s as u32 });
            }
        }
    }
    out
}

/// Per date over the samples' stocks: z-score or rank of the labels; others set NaN.
fn normalize_per_date(labels: &mut [f32], samples: &[Sample], ns: usize, how: LabelNorm) {
    if how == LabelNorm::None {
        return;
    }
    let mut i = 0;
    let mut keep = vec![false; labels.len()];
    while i < samples.len() {
        let t = samples[i].date as usize;
        let j = samples[i..].iter().position(|s| s.date as usize != t).map_or(samples.len(), |k| i + k);
        let idx: Vec<usize> = samples[i..j].iter().map(|s| t * ns + s.stock as usize).collect();
        let y: Vec<f64> = idx.iter().map(|&k| labels[k] as f64).collect();
        let z: Vec<f64> = match how {
            LabelNorm::Zscore => {
                let (m, sd) = (stats::mean(&y), stats::std(&y));
                y.iter().map(|v| if sd > 0.0 { (v - m) / sd } else { 0.0 }).collect()
            }
            _ => {
                let n = y.len() as f64;
                stats::ranks(&y).iter().map(|r| if n > 1.0 { r / (n - 1.0) - 0.5 } else { 0.0 }).collect()
            }
        };
        for (k, v) in idx.iter().zip(z) {
            labels[*k] = v as f32;
            keep[*k] = true;
        }
        i = j;
    }
    for (v, k) in labels.iter_mut().zip(keep) {
        if !k {
            *v = f32::NAN;
        }
    }
}

/// Train / valid / test samples.
fn split(samples: &[Sample], cfg: &DatasetConfig) -> Result<(Vec<Sample>, Vec<Sample>, Vec<Sample>)> {
    match cfg.split {
        SplitKind::Time => {
            let mut dates: Vec<u32> = samples.iter().map(|s| s.date).collect();
            dates.dedup();
            let n = dates.len();
            let gap = cfg.horizon + 1;
            let n_train = (n as f64 * cfg.train) as usize;
            let n_valid = (n as f64 * cfg.valid) as usize;
            if n_train < 2 || n_valid < 2 || n_train + n_valid + 2 * gap + 2 > n {
                return Err(Error::Invalid(format!(
                    "{n} dates are too few for a {}/{} split with gaps of {gap}",
                    cfg.train, cfg.valid
                )));
            }
            let train_end = dates[n_train - 1];
            let valid_start = dates[n_train + gap];
            let valid_end = dates[n_train + gap + n_valid - 1];
            let test_start = dates[n_train + gap + n_valid + gap];
            let pick = |lo: u32, hi: u32| samples.iter().copied().filter(|s| s.date >= lo && s.date <= hi).collect::<Vec<_>>();
            Ok((pick(0, train_end), pick(valid_start, valid_end), pick(test_start, u32::MAX)))
        }
        SplitKind::PaperRandom => {
            let mut shuffled = samples.to_vec();
            Rng::new(cfg.seed).shuffle(&mut shuffled);
            let n = shuffled.len();
            let n_test = n / 10;
            let n_valid = n / 10;
            let mut test: Vec<Sample> = shuffled[..n_test].to_vec();
            let mut valid: Vec<Sample> = shuffled[n_test..n_test + n_valid].to_vec();
            let mut train: Vec<Sample> = shuffled[n_test + n_valid..].to_vec();
            for v in [&mut train, &mut valid, &mut test] {
                v.sort();
            }
            Ok((train, valid, test))
        }
    }
}
