//! The whole study from one config into one run folder: data → factors → screen (on the
//! training period only) → sweep → eval of the best model → predict → backtest (from the
//! first test date) → `report.html`. Each stage is the same library call its own command
//! makes, writing the files the next one reads, so any stage can be rerun alone on the
//! folder; `run.json` records the version, the command line and the resolved config.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::artifacts::{RunRecord, SplitRecord, read_json, write_json};
use crate::backtest::BacktestConfig;
use crate::config::Config;
use crate::data::Date;
use crate::data::load::{Format, load};
use crate::data::summary::DataSummary;
use crate::engine::DeviceKind;
use crate::error::{Error, Result, ResultExt};
use crate::model::dataset::{Segment, SplitKind};
use crate::study::backtest::{BacktestOptions, BacktestOutcome, run_backtest};
use crate::study::eval::{EvalOptions, EvalOutcome, run_eval_with};
use crate::study::factors::{FactorsOptions, FactorsOutcome, Values};
use crate::study::predict::{Models, PredictOptions, PredictOutcome, checkpoint_dirs, run_predict_with};
use crate::study::prepare::DataCache;
use crate::study::screen::{ScreenOptions, ScreenOutcome};
use crate::study::stages::{Stages, files_stamp, stamp};
use crate::study::sweep::{SweepOptions, SweepOutcome, run_sweep};
use crate::sweep::folder::kept_checkpoints;

/// What a run needs.
pub struct RunOptions<'a> {
    /// The study's config, as read (relative paths against `config_dir`).
    pub config: Config,
    pub config_dir: PathBuf,
    /// The run folder.
    pub out: PathBuf,
    pub device: DeviceKind,
    /// Continue a run whose sweep was interrupted (finished trials are kept).
    pub resume: bool,
    /// Sweep trials at once (see `SweepOptions::jobs`).
    pub jobs: Option<usize>,
    /// Set (by a signal handler) to stop the sweep starting new trials.
    pub stop: &'a AtomicBool,
}

/// Sees each stage's outcome as it ends (the CLI prints them as the stage commands do).
pub trait RunObserver {
    fn data(&mut self, _summary: &DataSummary) {}
    fn factors(&mut self, _o: &FactorsOutcome) {}
    fn screen(&mut self, _o: &ScreenOutcome) {}
    fn sweep(&mut self, _o: &SweepOutcome) {}
    fn eval(&mut self, _o: &EvalOutcome) {}
    fn predict(&mut self, _o: &PredictOutcome) {}
    fn backtest(&mut self, _o: &BacktestOutcome, _config: &BacktestConfig) {}
}

/// An observer that prints nothing.
pub struct Quiet;
impl RunObserver for Quiet {}

/// How a run ended.
pub struct RunOutcome {
    /// The sweep was interrupted: nothing after it ran; rerun with `resume`.
    pub interrupted: bool,
    /// The best checkpoint, and `report.html` (None when interrupted).
    pub best: Option<PathBuf>,
    pub report: Option<PathBuf>,
}

/// Runs every stage into `o.out`.
pub fn run(o: &RunOptions, obs: &mut dyn RunObserver) -> Result<RunOutcome> {
    let out = &o.out;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let _lock = crate::sweep::folder::lock(out, "run")?;
    let mut stages = Stages::open(out, o.resume);
    let dir = if o.config_dir.as_os_str().is_empty() { Path::new(".") } else { &o.config_dir };
    let base = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e)).context("the config's folder")?;
    let mut cfg = o.config.with_absolute_paths(&base)?;
    let record = RunRecord {
        alphasweep: env!("CARGO_PKG_VERSION").into(),
        command: crate::study::command_line(),
        config_toml: cfg.to_toml()?,
    };
    write_json(&out.join("run.json"), &record)?;

    eprintln!("== 1/7 data");
    let began = std::time::Instant::now();
    let mut opts = cfg.load_options(&base)?;
    if opts.sources.iter().any(|s| s.format == Format::Synth) {
        eprintln!("{}", crate::data::synth::write::write_market(&cfg.synth, &out.join("market"))?);
    }
    (opts.start, opts.end) = (None, None);
    let loaded = load(&opts).context("loading market data")?;
    let support = crate::factors::support_table(&loaded.panel);
    let mut summary = DataSummary::new(&loaded.panel, loaded.disagreements, support);
    summary.membership = loaded.membership;
    summary.feature_support = crate::factors::formulaic::support(&loaded.panel, &cfg.factors)?;
    write_text(&out.join("data_summary.txt"), &summary.to_string())?;
    obs.data(&summary);
    stages.record_time("data", began.elapsed().as_secs_f64())?;
    let StudyPeriod { start, end, screen_end } = study_period(&cfg, &loaded.panel.dates);
    opts.start = Some(start);
    // What every later stage read: the sources as files on disk and the options on them.
    let mut source_files: Vec<PathBuf> = opts.sources.iter().filter_map(|s| s.path.clone()).collect();
    source_files.extend(opts.industry.clone());
    source_files.extend(cfg.factors.table.as_ref().map(PathBuf::from));
    let data_stamp = stamp(&[files_stamp(&source_files)?, json(&cfg.data), json(&cfg.synth), json(&cfg.factors)]);

    eprintln!("\n== 2/7 factors ({start} .. {end})");
    let config_path = out.join("config.toml");
    write_text(&config_path, &cfg.to_toml()?)?;
    let factors = |end: Date, file: PathBuf| {
        let mut fcfg = cfg.factors.clone();
        // The range ends at `end` even when [factors] names a later end (the screen must not
        // see past the training period).
        fcfg.end = Some(fcfg.end.map_or(end, |e| e.min(end)));
        crate::study::factors::run(&FactorsOptions { load: opts.clone(), factors: fcfg, values: Values::Clean, out: file })
    };
    let factors_stamp = stamp(&[&data_stamp, &format!("{start} {end}")]);
    let factors_file = out.join("factors.csv.gz");
    stages.run("factors", &factors_stamp, std::slice::from_ref(&factors_file), || {
        obs.factors(&factors(end, factors_file.clone())?);
        Ok(Some(vec![]))
    })?;
    crate::memory::return_freed_memory();

    eprintln!("\n== 3/7 screen ({start} .. {screen_end}: the training period only)");
    let screen_dir = out.join("screen");
    std::fs::create_dir_all(&screen_dir).map_err(|e| Error::io(&screen_dir, e))?;
    let screen_stamp = stamp(&[&data_stamp, &format!("{start} {screen_end}"), &json(&cfg.screen), &json(&cfg.dataset.factors)]);
    let train_factors = screen_dir.join("factors_train.csv.gz");
    let screened = stages.run("screen", &screen_stamp, &[train_factors.clone(), screen_dir.join("screen.csv")], || {
        obs.factors(&factors(screen_end, train_factors.clone())?);
        let screened = crate::study::screen::run(&ScreenOptions {
            load: opts.clone(),
            factors: train_factors.clone(),
            out: screen_dir.clone(),
            raw: false,
            config: cfg.screen.clone(),
        })?;
        obs.screen(&screened);
        Ok(Some(if cfg.dataset.every_factor() {
            // Every computed feature (qlib's protocol feeds all of Alpha158/Alpha360).
            screened.results.iter().map(|r| r.code.clone()).collect()
        } else if cfg.dataset.factors.is_empty() {
            screened.selected.clone()
        } else {
            cfg.dataset.factors.clone()
        }))
    })?;
    let chosen = screened.unwrap_or_default();
    if chosen.is_empty() {
        return Err(Error::Invalid("the screen selected no factor; name [dataset] factors in the config".into()));
    }
    if cfg.dataset.factors != chosen {
        cfg = cfg.with_factors(chosen);
        write_text(&config_path, &cfg.to_toml()?)?;
    }

    eprintln!("\n== 4/7 sweep");
    let sweep_dir = out.join("sweep");
    let sweep_stamp = stamp(&[&screen_stamp, &crate::study::sweep::trial_config_toml(&cfg)?]);
    let swept = stages.run("sweep", &sweep_stamp, &[sweep_dir.join("summary.json")], || {
        let swept = run_sweep(&SweepOptions {
            config: cfg.clone(),
            config_dir: out.clone(),
            out: sweep_dir.clone(),
            device: o.device,
            resume: o.resume,
            allow_code_change: false,
            shard: None,
            jobs: o.jobs,
            top: crate::study::sweep::DEFAULT_TOP,
            pack: crate::study::sweep::DEFAULT_PACK as usize,
            stop: o.stop,
        })?;
        obs.sweep(&swept);
        Ok((!swept.interrupted).then(Vec::new))
    })?;
    if swept.is_none() {
        return Ok(RunOutcome { interrupted: true, best: None, report: None });
    }
    let kept = kept_checkpoints(&sweep_dir);
    let best = checkpoint_dirs(&Models::Sweep { dirs: vec![sweep_dir.clone()], top_k: 1 })?.remove(0);
    eprintln!("\n== 5/7 best model: {}", best.display());
    let models_stamp = stamp(&[sweep_stamp, checkpoints_stamp(&sweep_dir, &kept)?]);
    // The best model's data set, built for eval, serves predict's first model too.
    let mut cache = DataCache::default();
    stages.run("eval", &models_stamp, &[best.join("eval.json")], || {
        obs.eval(&run_eval_with(&EvalOptions { model: best.clone(), stock: None }, &mut cache)?);
        Ok(Some(vec![]))
    })?;

    // The best k kept checkpoints, k chosen on the validation period, or the mean of all.
    let choose_k = cfg.sweep.choose_k;
    let what = if choose_k { "its size chosen on the validation period" } else { "their mean" };
    eprintln!("\n== 6/7 predict (the best {} kept checkpoints, {what})", kept.len());
    let preds = out.join("predictions.csv.gz");
    // Runs without the choice keep their earlier stamp.
    let predict_stamp = if choose_k { stamp(&[models_stamp.as_str(), "choose_k"]) } else { models_stamp.clone() };
    stages.run("predict", &predict_stamp, std::slice::from_ref(&preds), || {
        obs.predict(&run_predict_with(
            &PredictOptions {
                models: Models::Sweep { dirs: vec![sweep_dir.clone()], top_k: kept.len().max(1) },
                data: None,
                out: preds.clone(),
                device: o.device,
                batch: crate::study::predict::DEFAULT_BATCH,
                choose_k,
            },
            &mut cache,
        )?);
        Ok(Some(vec![]))
    })?;
    drop(cache);
    crate::memory::return_freed_memory();

    let split: SplitRecord = read_json(&sweep_dir.join("split.json"))?;
    let mut bt = cfg.backtest.clone();
    // Out-of-sample by default: the test segment's dates (a look-ahead split has none).
    if !split.look_ahead {
        bt.start = bt.start.or(split.test.as_ref().map(|s| s.first));
        bt.end = bt.end.or(split.test.as_ref().map(|s| s.last));
    }
    eprintln!(
        "\n== 7/7 backtest ({} .. {}) and report",
        bt.start.map(|d| d.to_string()).unwrap_or_else(|| "first prediction".into()),
        bt.end.map(|d| d.to_string()).unwrap_or_else(|| "last prediction".into())
    );
    let backtest_stamp = stamp(&[predict_stamp, json(&bt)]);
    stages.run("backtest", &backtest_stamp, &[out.join("backtest/summary.json")], || {
        let tested = run_backtest(&BacktestOptions {
            load: opts.clone(),
            predictions: preds,
            model: None,
            out: out.join("backtest"),
            config: bt.clone(),
        })?;
        obs.backtest(&tested, &bt);
        Ok(Some(vec![]))
    })?;
    crate::report::html::write_report(out, &best)?;
    eprintln!("{}", stages.times(&["data", "factors", "screen", "sweep", "eval", "predict", "backtest"]));
    Ok(RunOutcome { interrupted: false, best: Some(best), report: Some(out.join("report.html")) })
}

/// A value as JSON, for stamps.
fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap_or_default()
}

/// A stamp of the kept checkpoints: their names and their `config.json` (which records the
/// weights' CRC-32).
fn checkpoints_stamp(sweep_dir: &Path, kept: &[String]) -> Result<String> {
    let mut parts = Vec::new();
    for id in kept {
        let path = sweep_dir.join("checkpoints").join(id).join("config.json");
        parts.push(id.clone());
        parts.push(std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?);
    }
    Ok(stamp(&parts))
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    crate::atomic::write(path, text.as_bytes())
}

/// The dates a run works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StudyPeriod {
    /// The factor tables' first and last date: `[factors]` or `[data]` start and end,
    /// clamped to the data (without a start, two months in, for 20-day windows and first
    /// accounts).
    pub start: Date,
    pub end: Date,
    /// The last date the screen sees: the end of the training share of `start..=end` for a
    /// time split (the paper's random split has no such date: `end`).
    pub screen_end: Date,
}

/// The study period of `cfg` on a market whose trading days are `dates`.
pub fn study_period(cfg: &Config, dates: &[Date]) -> StudyPeriod {
    let first = dates.first().copied().unwrap_or(cfg.synth.start);
    let last = dates.last().copied().unwrap_or(cfg.synth.end);
    let start = cfg.factors.start.or(cfg.data.start).unwrap_or_else(|| dates.get(40).copied().unwrap_or(first)).max(first);
    let end = cfg.data.end.or(cfg.factors.end).unwrap_or(last).min(last);
    let screen_end = match (cfg.dataset.split, cfg.dataset.train) {
        (SplitKind::Time, Segment::Share(share)) => train_end(dates, start, end, share),
        (SplitKind::Time, Segment::Dates([_, last])) => last.min(end),
        _ => end,
    };
    StudyPeriod { start, end, screen_end }
}

/// The last date of the training share of `start..=end` (time split).
fn train_end(dates: &[Date], start: Date, end: Date, share: f64) -> Date {
    let inside: Vec<Date> = dates.iter().copied().filter(|d| *d >= start && *d <= end).collect();
    let k = ((inside.len() as f64 * share) as usize).clamp(1, inside.len().max(1));
    inside.get(k - 1).copied().unwrap_or(end)
}
