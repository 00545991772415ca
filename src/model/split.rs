//! Train / valid / test in time order: by shares of the dates, or by date ranges (qlib's
//! protocol), each segment ending `horizon + 1` days early so no label reads into the next;
//! or the paper's random split (look-ahead, and said so).

use serde::{Deserialize, Serialize};

use crate::data::Date;
use crate::error::{Error, Result};
use crate::model::dataset::{DatasetConfig, Sample, SplitKind};
use crate::rng::Rng;

/// A segment of the time split: a share of the dates, or first and last date (qlib's
/// protocol: `train = ["2010-01-01", "2014-12-31"]`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Segment {
    Share(f64),
    Dates([Date; 2]),
}

/// A time split as it fell on the calendar it was built on: the first and last sample date
/// of train and of valid, and the first test date (after the window and the label gaps).
/// Checkpoints record it, so a split by shares is rebuilt on a longer market without moving
/// (a share of a longer calendar would shift every boundary).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedSplit {
    pub train: [Date; 2],
    pub valid: [Date; 2],
    pub test_from: Date,
}

impl Segment {
    pub fn share(self) -> Option<f64> {
        match self {
            Segment::Share(x) => Some(x),
            Segment::Dates(_) => None,
        }
    }
}

impl DatasetConfig {
    /// `factors = ["*"]`: the model reads every computed factor.
    pub fn every_factor(&self) -> bool {
        self.factors == ["*"]
    }

    /// Segments are three shares (train, valid > 0, summing below 1) or three date ranges
    /// in time order (test optional); dates need the time split.
    pub fn check_segments(&self) -> Result<()> {
        match (self.train, self.valid) {
            (Segment::Share(t), Segment::Share(v)) => {
                if !(t > 0.0 && v > 0.0 && t + v < 1.0) {
                    return Err(Error::Config(format!(
                        "dataset.train ({t}) and dataset.valid ({v}) must be positive and sum below 1"
                    )));
                }
                if self.test.is_some() {
                    return Err(Error::Config(
                        "dataset.test takes dates; with shares, test is what train and valid leave".into(),
                    ));
                }
            }
            (Segment::Dates(t), Segment::Dates(v)) => {
                if self.split != SplitKind::Time {
                    return Err(Error::Config("dataset train/valid dates need split = \"time\"".into()));
                }
                let mut all = vec![("train", t), ("valid", v)];
                if let Some(x) = self.test {
                    all.push(("test", x));
                }
                for (name, [a, b]) in &all {
                    if a > b {
                        return Err(Error::Config(format!("dataset.{name}: {a} is after {b}")));
                    }
                }
                for w in all.windows(2) {
                    if w[0].1[1] >= w[1].1[0] {
                        return Err(Error::Config(format!(
                            "dataset.{} ends {} on or after dataset.{} starts {}: segments must be in time order",
                            w[0].0, w[0].1[1], w[1].0, w[1].1[0]
                        )));
                    }
                }
            }
            _ => return Err(Error::Config("dataset.train and dataset.valid must both be shares or both be date ranges".into())),
        }
        Ok(())
    }
}

/// Train / valid / test samples (`dates`: the panel's calendar).
pub(crate) fn split(samples: &[Sample], dates: &[Date], cfg: &DatasetConfig) -> Result<(Vec<Sample>, Vec<Sample>, Vec<Sample>)> {
    if let (SplitKind::Time, Some(f)) = (cfg.split, cfg.fitted) {
        // Sample dates as recorded: the gaps are already between the ranges.
        let pick =
            |a: Date, b: Date| samples.iter().copied().filter(|s| (a..=b).contains(&dates[s.date as usize])).collect::<Vec<_>>();
        let out = (pick(f.train[0], f.train[1]), pick(f.valid[0], f.valid[1]), pick(f.test_from, Date(i32::MAX)));
        if out.0.is_empty() || out.1.is_empty() {
            return Err(Error::Invalid(format!(
                "the recorded split (train {} .. {}, valid {} .. {}) has no samples on this market",
                f.train[0], f.train[1], f.valid[0], f.valid[1]
            )));
        }
        return Ok(out);
    }
    match (cfg.split, cfg.train, cfg.valid) {
        (SplitKind::Time, Segment::Dates(t), Segment::Dates(v)) => {
            let gap = (cfg.horizon + 1) as u32;
            // Date range → index range whose labels stay inside it (the last `gap` days out).
            let range = |[a, b]: [Date; 2], trim: bool| {
                let lo = dates.partition_point(|d| *d < a) as u32;
                let hi = dates.partition_point(|d| *d <= b) as u32;
                (lo, if trim { hi.saturating_sub(gap) } else { hi })
            };
            let pick = |(lo, hi): (u32, u32)| samples.iter().copied().filter(|s| s.date >= lo && s.date < hi).collect::<Vec<_>>();
            let test = cfg.test.unwrap_or([v[1].add_days(1), Date(i32::MAX)]);
            let out = (pick(range(t, true)), pick(range(v, true)), pick(range(test, false)));
            for (name, set) in [("train", &out.0), ("valid", &out.1), ("test", &out.2)] {
                if set.is_empty() {
                    return Err(Error::Invalid(format!(
                        "dataset.{name}: no sample falls in its dates (after the window and label gap)"
                    )));
                }
            }
            Ok(out)
        }
        (SplitKind::Time, Segment::Share(train), Segment::Share(valid)) => {
            let mut dates: Vec<u32> = samples.iter().map(|s| s.date).collect();
            dates.dedup();
            let n = dates.len();
            let gap = cfg.horizon + 1;
            let n_train = (n as f64 * train) as usize;
            let n_valid = (n as f64 * valid) as usize;
            if n_train < 2 || n_valid < 2 || n_train + n_valid + 2 * gap + 2 > n {
                return Err(Error::Invalid(format!("{n} dates are too few for a {train}/{valid} split with gaps of {gap}")));
            }
            let train_end = dates[n_train - 1];
            let valid_start = dates[n_train + gap];
            let valid_end = dates[n_train + gap + n_valid - 1];
            let test_start = dates[n_train + gap + n_valid + gap];
            let pick = |lo: u32, hi: u32| samples.iter().copied().filter(|s| s.date >= lo && s.date <= hi).collect::<Vec<_>>();
            Ok((pick(0, train_end), pick(valid_start, valid_end), pick(test_start, u32::MAX)))
        }
        (SplitKind::Time, ..) => {
            Err(Error::Config("dataset.train and dataset.valid must both be shares or both be date ranges".into()))
        }
        (SplitKind::PaperRandom, ..) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// 20 weekdays from 2020-01-01, 3 stocks; train/valid/test by dates with a 1-day
    /// horizon: each of train and valid loses its last 2 days (the label gap).
    #[test]
    fn date_segments_leave_the_label_gap() {
        let dates: Vec<Date> = (0..20).map(|i| d("2020-01-01").add_days(i)).collect();
        let samples: Vec<Sample> = (0..20u32).flat_map(|t| (0..3u32).map(move |s| Sample { date: t, stock: s })).collect();
        let cfg = DatasetConfig {
            train: Segment::Dates([d("2020-01-01"), d("2020-01-08")]),
            valid: Segment::Dates([d("2020-01-09"), d("2020-01-14")]),
            test: Some([d("2020-01-15"), d("2020-01-20")]),
            horizon: 1,
            ..DatasetConfig::default()
        };
        cfg.check_segments().unwrap();
        let (train, valid, test) = split(&samples, &dates, &cfg).unwrap();
        let days = |v: &[Sample]| {
            let mut x: Vec<u32> = v.iter().map(|s| s.date).collect();
            x.dedup();
            x
        };
        // Train 01-01..01-08 = days 0..=7, minus the last 2; valid 8..=13 minus 2; test 14..=19.
        assert_eq!(days(&train), (0..6).collect::<Vec<_>>());
        assert_eq!(days(&valid), (8..12).collect::<Vec<_>>());
        assert_eq!(days(&test), (14..20).collect::<Vec<_>>());
        // A train sample's label (close t+1 .. t+1+h) ends before valid starts.
        assert!(train.iter().all(|s| s.date + 1 + 1 < 8));
    }

    #[test]
    fn segments_must_be_consistent() {
        let mut cfg = DatasetConfig {
            train: Segment::Dates([d("2020-01-01"), d("2020-01-08")]),
            valid: Segment::Dates([d("2020-01-08"), d("2020-01-14")]),
            ..DatasetConfig::default()
        };
        assert!(cfg.check_segments().unwrap_err().to_string().contains("time order"));
        cfg.valid = Segment::Share(0.2);
        assert!(cfg.check_segments().unwrap_err().to_string().contains("both be shares"));
        cfg = DatasetConfig { test: Some([d("2021-01-01"), d("2021-02-01")]), ..DatasetConfig::default() };
        assert!(cfg.check_segments().unwrap_err().to_string().contains("test takes dates"));
    }
}
