//! `study::run` (what `alphasweep run` calls) does exactly what the stages do when called one
//! after another on the same config: the factor tables, the screen's selection, the sweep's
//! ledger, the predictions and the backtest are the same bytes (but for timings). Every JSON
//! record of the run folder also reads back through the struct that wrote it.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use alphasweep::artifacts::{CheckpointMeta, EvalRecord, RunRecord, SplitRecord, read_json};
use alphasweep::backtest::output::BacktestRecord;
use alphasweep::config::Config;
use alphasweep::data::load::{LoadOptions, load};
use alphasweep::engine::DeviceKind;
use alphasweep::study;
use alphasweep::study::factors::{FactorsOptions, Values};
use alphasweep::study::predict::Models;
use alphasweep::study::run::{Quiet, RunOptions, study_period};
use alphasweep::sweep::summary::SweepSummary;
use common::read_text;

const CONFIG: &str = r#"
[[data.sources]]
format = "synth"
[synth]
stocks = 40
start = "2016-01-01"
end = "2018-12-31"
seed = 11
[dataset]
label = "fwd_return"
label_norm = "zscore"
split = "time"
train = 0.6
valid = 0.2
[train]
batch_size = 256
seed = 5
[sweep]
mem_days = [3, 5]
units = [8]
epochs = 1
keep = 2
[backtest]
top = [5, 10]
"#;

/// The ledger without its wall-time column, rows sorted.
fn ledger(dir: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(dir.join("ledger.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let seconds = h.iter().position(|c| c == "seconds").unwrap();
    let mut rows: Vec<String> = r
        .records()
        .map(|rec| rec.unwrap().iter().enumerate().filter(|(i, _)| *i != seconds).map(|(_, v)| v).collect::<Vec<_>>().join(","))
        .collect();
    rows.sort();
    rows
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn run_equals_the_stages_one_after_another() {
    let tmp = tempfile::tempdir().unwrap();
    let config = Config::from_str(CONFIG, "test").unwrap();
    let stop = AtomicBool::new(false);
    let (a, b) = (tmp.path().join("run"), tmp.path().join("stages"));

    let ran = study::run::run(
        &RunOptions {
            config: config.clone(),
            config_dir: tmp.path().to_path_buf(),
            out: a.clone(),
            device: DeviceKind::Cpu,
            resume: false,
            jobs: Some(1),
            stop: &stop,
        },
        &mut Quiet,
    )
    .unwrap();
    assert!(!ran.interrupted && ran.report.is_some());

    // The same study, stage by stage.
    std::fs::create_dir_all(b.join("screen")).unwrap();
    let opts: LoadOptions = config.load_options(tmp.path()).unwrap();
    let dates = load(&opts).unwrap().panel.dates;
    let period = study_period(&config, &dates);
    let factors = |end, out: PathBuf| {
        let mut factors = config.factors.clone();
        factors.end = Some(end);
        let load = LoadOptions { start: Some(period.start), end: Some(end), ..opts.clone() };
        study::factors::run(&FactorsOptions { load, factors, values: Values::Clean, out }).unwrap();
    };
    factors(period.end, b.join("factors.csv.gz"));
    factors(period.screen_end, b.join("screen/factors_train.csv.gz"));
    let screened = study::screen::run(&study::screen::ScreenOptions {
        load: opts.clone(),
        factors: b.join("screen/factors_train.csv.gz"),
        out: b.join("screen"),
        raw: false,
        config: config.screen.clone(),
    })
    .unwrap();
    assert!(!screened.selected.is_empty(), "the synthetic market's screen selects factors");
    let chosen = config.with_factors(screened.selected.clone());
    study::sweep::run_sweep(&study::sweep::SweepOptions {
        config: chosen.clone(),
        config_dir: b.clone(),
        out: b.join("sweep"),
        device: DeviceKind::Cpu,
        resume: false,
        allow_code_change: false,
        shard: None,
        jobs: Some(1),
        top: study::sweep::DEFAULT_TOP,
        pack: study::sweep::DEFAULT_PACK as usize,
        stop: &stop,
    })
    .unwrap();
    let kept = alphasweep::sweep::folder::kept_checkpoints(&b.join("sweep"));
    study::predict::run_predict(&study::predict::PredictOptions {
        models: Models::Sweep { dirs: vec![b.join("sweep")], top_k: kept.len() },
        data: None,
        out: b.join("predictions.csv.gz"),
        device: DeviceKind::Cpu,
        batch: study::predict::DEFAULT_BATCH,
        choose_k: false,
    })
    .unwrap();
    let split: SplitRecord = read_json(&b.join("sweep/split.json")).unwrap();
    let mut bt = chosen.backtest.clone();
    bt.start = split.test.as_ref().map(|s| s.first);
    bt.end = split.test.as_ref().map(|s| s.last);
    study::backtest::run_backtest(&study::backtest::BacktestOptions {
        load: opts.clone(),
        predictions: b.join("predictions.csv.gz"),
        model: None,
        out: b.join("backtest"),
        config: bt,
    })
    .unwrap();

    assert_eq!(read_text(&a.join("factors.csv.gz")), read_text(&b.join("factors.csv.gz")));
    assert_eq!(read_text(&a.join("screen/factors_train.csv.gz")), read_text(&b.join("screen/factors_train.csv.gz")));
    assert_eq!(read(a.join("screen/selection.csv")), read(b.join("screen/selection.csv")));
    assert_eq!(read(a.join("sweep/split.json")), read(b.join("sweep/split.json")));
    assert_eq!(ledger(&a.join("sweep")), ledger(&b.join("sweep")));
    assert_eq!(read_text(&a.join("predictions.csv.gz")), read_text(&b.join("predictions.csv.gz")));
    assert_eq!(read(a.join("backtest/summary.csv")), read(b.join("backtest/summary.csv")));

    // Every record of the run folder reads back through its writer's struct.
    let run: RunRecord = read_json(&a.join("run.json")).unwrap();
    assert_eq!(Config::from_str(&run.config_toml, "run.json").unwrap(), config.with_absolute_paths(tmp.path()).unwrap());
    let summary: SweepSummary = read_json(&a.join("sweep/summary.json")).unwrap();
    assert_eq!(summary.trials, 2);
    let best = ran.best.unwrap();
    let meta = CheckpointMeta::read(&best).unwrap();
    assert_eq!(Config::from_str(&meta.config_toml, "checkpoint").unwrap().dataset.factors, screened.selected);
    let eval: EvalRecord = read_json(&best.join("eval.json")).unwrap();
    assert!(eval.test.ic.is_finite());
    let bt: BacktestRecord = read_json(&a.join("backtest/summary.json")).unwrap();
    assert_eq!(bt.portfolios.len(), 3, "top 5, top 10 and the index");
    let report = read(a.join("report.html"));
    assert!(report.contains(&format!("{:.4}", eval.test.ic)), "the report shows the best model's test IC");
}
