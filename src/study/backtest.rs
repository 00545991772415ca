//! The backtest stage: top-N portfolios from a predictions file under the A-share rules and
//! costs, against the benchmark index; tables, positions, trades and plots in a folder.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::backtest::output::{self, BacktestMeta, BacktestRecord};
use crate::backtest::predictions::read_predictions;
use crate::backtest::signal::{SignalQuality, signal_quality};
use crate::backtest::{BacktestConfig, Market, Summary, backtest_all, summarize, summarize_benchmark};
use crate::data::load::{LoadOptions, load_panel};
use crate::error::{Error, Result, ResultExt};

/// What the backtest stage needs.
#[derive(Clone, Debug)]
pub struct BacktestOptions {
    /// The market data (loaded whole: the first day's price limit needs the day before;
    /// `config.start`/`end` bound the backtest).
    pub load: LoadOptions,
    /// Predictions: `date, code, score, model[, in_sample]` (.csv or .csv.gz).
    pub predictions: PathBuf,
    /// Use this model's rows (required when the file holds several).
    pub model: Option<String>,
    /// The output folder.
    pub out: PathBuf,
    pub config: BacktestConfig,
}

/// What it found: one summary row per portfolio, then the benchmark's (when the data has one).
pub struct BacktestOutcome {
    pub rows: Vec<Summary>,
    pub has_benchmark: bool,
    pub portfolios: usize,
    /// Traded days with in-sample predictions, most over the portfolios.
    pub in_sample_days: usize,
    pub skipped_rows: usize,
    /// Seconds of the backtests themselves (not loading or writing).
    pub seconds: f64,
    /// The scores' IC against the raw return they trade on.
    pub signal: Option<SignalQuality>,
}

/// Runs the stage.
pub fn run_backtest(o: &BacktestOptions) -> Result<BacktestOutcome> {
    let cfg = &o.config;
    cfg.validate()?;
    let bar =
        ProgressBar::new_spinner().with_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message("loading market data");
    let mut opts = o.load.clone();
    (opts.start, opts.end) = (None, None);
    let panel = load_panel(&opts).context("loading market data")?;
    bar.set_message("reading predictions");
    let preds = read_predictions(&o.predictions, &panel, o.model.as_deref())
        .with_context(|| format!("reading {}", o.predictions.display()))?;
    let market = Market::from_panel(&panel, cfg.limit_tolerance)?;
    let mut signals = preds.signals.clone();
    for (d, date) in panel.dates.iter().enumerate() {
        if cfg.in_sample.iter().any(|r| r.contains(*date)) {
            signals.in_sample[d] = true;
        }
    }
    bar.set_message(format!("backtesting {} portfolios", cfg.top.len()));
    let t = Instant::now();
    let runs = backtest_all(&market, &signals, cfg)?;
    let seconds = t.elapsed().as_secs_f64();
    let mut rows: Vec<Summary> = runs.iter().map(|r| summarize(r, &market, cfg.risk_free)).collect();
    let bench = summarize_benchmark(&market, &runs[0].days, cfg.capital, cfg.risk_free);
    let has_benchmark = bench.is_some();
    rows.extend(bench);
    bar.set_message("writing tables and plots");
    std::fs::create_dir_all(&o.out).map_err(|e| Error::io(&o.out, e))?;
    let in_sample_days = runs.iter().map(|r| r.in_sample_days).max().unwrap_or(0);
    let meta = BacktestMeta {
        alphasweep: env!("CARGO_PKG_VERSION").into(),
        predictions: o.predictions.display().to_string(),
        models: preds.models.iter().cloned().collect(),
        prediction_rows: preds.rows,
        skipped_rows: preds.skipped,
        market: panel.provenance.clone(),
        benchmark: market.benchmark.as_ref().map(|b| b.0.clone()),
        config: cfg.clone(),
        in_sample_days,
        in_sample: if in_sample_days > 0 {
            "WARNING: some traded days use in-sample predictions; these figures overstate out-of-sample performance".into()
        } else {
            "all traded days are out-of-sample (as far as the predictions and --in-sample say)".into()
        },
        timing: "signal at the close of t, trade at the close of t + 1".into(),
    };
    let signal = signal_quality(&panel, &signals, &runs[0].days);
    let record = BacktestRecord { meta, portfolios: rows.clone(), signal: signal.clone() };
    output::write_all(&o.out, &market, &runs, &rows, record)?;
    bar.finish_and_clear();
    if rows.iter().any(|r| !r.final_equity.is_finite()) {
        return Err(Error::Invalid("a backtest produced a non-finite equity (a bug: please report it)".into()));
    }
    Ok(BacktestOutcome {
        rows,
        has_benchmark,
        portfolios: runs.len(),
        in_sample_days,
        skipped_rows: preds.skipped,
        seconds,
        signal,
    })
}
