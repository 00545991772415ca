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
use crate::model::normalize::{normalize_per_date, robust_zscore};
use crate::model::split::split;
pub use crate::model::split::{FittedSplit, Segment};
use crate::model::steps::{check_step_order, day_rows};
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
    /// qlib's CSRankNorm: (rank percentile − 0.5) × 3.46 (unit variance for a uniform).
    CsRank,
    None,
}

/// Feature normalization fitted on the training samples only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureNorm {
    #[default]
    None,
    /// qlib's RobustZScoreNorm: (x − median) / (1.4826 · MAD) per feature over the training
    /// dates, clipped to ±3; missing values become 0 (qlib's Fillna).
    RobustZscore,
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
    /// Factor codes fed to the model (cleaned values); empty = the screen's selection,
    /// `["*"]` = every computed factor (`alphasweep run`).
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
    /// Shares of the dates (time split) or samples (paper split) for train and valid, test
    /// getting the rest; or, for a time split, dates `["2010-01-04", "2014-12-31"]` with
    /// `test` dates too. Each segment's last `horizon + 1` days are left out, so no label
    /// reads into the next segment.
    pub train: Segment,
    pub valid: Segment,
    /// Test dates (date segments only; default: from after valid to the end).
    pub test: Option<[Date; 2]>,
    /// Feature normalization fitted on the training period (beside the per-date cleaning).
    pub feature_norm: FeatureNorm,
    /// Time steps each day's factors hold (qlib's Alpha360: 60). With `k > 1` the `n`
    /// factors are read as `n / k` fields × `k` steps, field-major, oldest step first
    /// (`CLOSE59 … CLOSE0, OPEN59 …`), and the model sees each day as `k` steps of `n / k`
    /// inputs: qlib's `reshape(N, d_feat, -1).permute(0, 2, 1)`.
    pub feature_steps: usize,
    pub seed: u64,
    /// The split as recorded in a checkpoint (not a config key): when set, a time split
    /// takes these sample dates instead of its shares or segments.
    #[serde(skip)]
    pub fitted: Option<FittedSplit>,
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
            train: Segment::Share(0.6),
            valid: Segment::Share(0.2),
            test: None,
            feature_norm: FeatureNorm::None,
            feature_steps: 1,
            seed: 42,
            fitted: None,
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
    /// The model's inputs per time step.
    pub n_features: usize,
    /// Time steps per day (`[dataset] feature_steps`; 1 but for qlib-style windows held in
    /// one day's features). A day's row in `features` is `[steps_per_day, n_features]`.
    pub steps_per_day: usize,
    /// Days each sample's window reads (the last `mem_day` up to its date).
    pub mem_day: usize,
    /// The window the samples were chosen for (≥ `mem_day`; every sample has this many
    /// finite days).
    pub window: usize,
    /// `[date, stock, steps_per_day, n_features]`, row-major.
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
        cfg.check_segments()?;
        let picked: Vec<&Matrix> = cfg
            .factors
            .iter()
            .map(|c| {
                names.iter().position(|n| n == c).map(|i| &factors[i]).ok_or_else(|| {
                    Error::Config(format!(
                        "dataset.factors: unknown factor `{c}`: not among the computed factors (available: {})",
                        names.join(", ")
                    ))
                })
            })
            .collect::<Result<_>>()?;
        if picked.is_empty() {
            return Err(Error::Config(
                "dataset.factors is empty: name the factors the model reads (e.g. from the screen's selected.txt)".into(),
            ));
        }
        let k = cfg.feature_steps.max(1);
        check_step_order(&cfg.factors, k)?;
        let (nd, ns, row) = (panel.n_dates(), panel.n_stocks(), picked.len());
        let nf = row / k;
        let mut features = day_rows(&picked, k);
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
        let samples: Vec<Sample> = full_windows(&features, ns, row, window)
            .into_iter()
            .filter(|s| labels[s.date as usize * ns + s.stock as usize].is_finite())
            .collect();
        if samples.len() < 100 {
            return Err(Error::Invalid(format!(
                "only {} samples have a full {}-day window and a label: too few to train{}",
                samples.len(),
                window,
                sparse_factors(&cfg.factors, &picked)
            )));
        }
        if cfg.label == LabelKind::FwdReturn {
            normalize_per_date(&mut labels, &samples, ns, cfg.label_norm);
        }
        let (train, valid, test) = split(&samples, &panel.dates, cfg)?;
        if cfg.feature_norm == FeatureNorm::RobustZscore {
            robust_zscore(Arc::get_mut(&mut features).expect("not shared yet"), ns, row, &train);
        }
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
            steps_per_day: k,
            mem_day: cfg.mem_day,
            window,
            features,
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

    /// Time steps of a sample's input: `mem_day × steps_per_day`.
    pub fn seq(&self) -> usize {
        self.mem_day * self.steps_per_day
    }

    /// Floats per (date, stock) in `features`: `steps_per_day × n_features`.
    pub fn row_len(&self) -> usize {
        self.steps_per_day * self.n_features
    }

    /// The batch of `samples`: inputs `[batch, seq, n_features]` flattened row-major, and
    /// labels `[batch]`.
    pub fn batch(&self, samples: &[Sample]) -> (Vec<f32>, Vec<f32>) {
        let (ns, row, m) = (self.n_stocks, self.row_len(), self.mem_day);
        let mut x = Vec::with_capacity(samples.len() * m * row);
        let mut y = Vec::with_capacity(samples.len());
        for s in samples {
            let (t, st) = (s.date as usize, s.stock as usize);
            for u in t + 1 - m..=t {
                let at = (u * ns + st) * row;
                x.extend_from_slice(&self.features[at..at + row]);
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

/// Every (date, stock) of `features` (`[date, stock, row]`, `ns` stocks, `nf` floats a row)
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

/// The factors finite on the fewest stock-days, worst first (a sample needs every factor on
/// every day of its window): `"; factors with the fewest values: X (0 of 1234 stock-days), …"`.
fn sparse_factors(names: &[String], columns: &[&Matrix]) -> String {
    let counts: Vec<usize> = columns.iter().map(|m| m.count_finite()).collect();
    let most = counts.iter().copied().max().unwrap_or(0);
    let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] < most).collect();
    order.sort_by_key(|&i| counts[i]);
    if order.is_empty() {
        return String::new();
    }
    let worst: Vec<String> = order.iter().map(|&i| format!("{} ({} of {most} stock-days)", names[i], counts[i])).collect();
    format!("; factors with the fewest values: {}", crate::error::first_few(&worst))
}
