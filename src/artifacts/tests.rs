//! Every record round-trips through the file its writer writes: written with
//! `write_json`, read back with `read_json` through the same struct, and written again to
//! the same JSON (a renamed or retyped field would break one of the two). Values include
//! `NaN` metrics and every status shape.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;
use crate::backtest::output::{BacktestMeta, BacktestRecord};
use crate::backtest::{BacktestConfig, Summary};
use crate::data::Date;
use crate::model::metrics::EvalMetrics;
use crate::model::network::NetworkConfig;
use crate::model::train::{Selection, Status};
use crate::sweep::TrialParams;
use crate::sweep::ledger::LedgerRow;
use crate::sweep::summary::SweepSummary;

fn round_trip<T: Serialize + DeserializeOwned>(name: &str, value: &T) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_json(&path, value).unwrap();
    let back: T = read_json(&path).unwrap();
    let (a, b) = (serde_json::to_value(value).unwrap(), serde_json::to_value(&back).unwrap());
    assert_eq!(a, b, "{name} changed on the way through its file");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "a temporary file was left beside {name}: {leftovers:?}");
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn metrics() -> EvalMetrics {
    EvalMetrics { loss: 1e-4, mape: 2.5, ic: f64::NAN, rank_ic: 0.031, direction: 0.52, ic_ir: 0.2, rank_ic_ir: f64::NAN }
}

#[test]
fn run_split_eval_and_test_records_round_trip() {
    round_trip(
        "run.json",
        &RunRecord { alphasweep: "0.1.0".into(), command: "alphasweep run".into(), config_toml: "[data]\n".into() },
    );
    let span = |a: &str, b: &str, n| Some(Span { first: d(a), last: d(b), samples: n });
    round_trip(
        "split.json",
        &SplitRecord {
            train: span("2017-01-03", "2020-06-30", 1000),
            valid: span("2020-07-10", "2021-06-30", 300),
            test: None,
            look_ahead: false,
            stocks: 300,
            factors: 7,
        },
    );
    round_trip("eval.json", &EvalRecord { test: metrics(), look_ahead: true });
    round_trip("test.json", &TestRecord { test: metrics(), best_epoch: 3, look_ahead: false });
}

#[test]
fn checkpoint_meta_round_trips_with_every_status_and_reads_old_names() {
    for status in [Status::Done, Status::StoppedEarly { epoch: 4 }, Status::Pruned { epoch: 2 }, Status::Diverged { epoch: 1 }] {
        let meta = CheckpointMeta {
            alphasweep: "0.1.0".into(),
            network: NetworkConfig::lstm(7, 2, 1, 16, 0.1),
            dataset: Default::default(),
            train: Default::default(),
            best_epoch: 2,
            status,
            config_toml: "[train]\nepochs = 3\n".into(),
            config_dir: "/tmp".into(),
            command: "alphasweep train".into(),
            look_ahead: false,
            split: Some(crate::model::dataset::FittedSplit {
                train: ["2018-01-02".parse().unwrap(), "2018-12-27".parse().unwrap()],
                valid: ["2019-01-02".parse().unwrap(), "2019-03-27".parse().unwrap()],
                test_from: "2019-04-01".parse().unwrap(),
            }),
            weights_crc32: Some(0xdead_beef),
            weights_bytes: Some(1234),
        };
        round_trip("config.json", &meta);
    }
    // Sweeps before the typed status wrote its name alone.
    let mut v = serde_json::to_value(CheckpointMeta {
        alphasweep: String::new(),
        network: NetworkConfig::lstm(1, 1, 0, 1, 0.0),
        dataset: Default::default(),
        train: Default::default(),
        best_epoch: 1,
        status: Status::Done,
        config_toml: String::new(),
        config_dir: String::new(),
        command: String::new(),
        look_ahead: false,
        split: None,
        weights_crc32: None,
        weights_bytes: None,
    })
    .unwrap();
    v["status"] = "stopped_early".into();
    let old: CheckpointMeta = serde_json::from_value(v).unwrap();
    assert_eq!(old.status, Status::StoppedEarly { epoch: 0 });
}

#[test]
fn sweep_and_backtest_summaries_round_trip() {
    let p = TrialParams {
        mem_day: 5,
        lstm_layers: 1,
        dense_layers: 1,
        units: 8,
        lr: 1e-3,
        batch_size: 32,
        dropout: 0.1,
        attention: false,
        cell: Default::default(),
        seed: None,
    };
    let mut best = LedgerRow::new(&p, "done", "");
    best.score = 0.04;
    round_trip(
        "summary.json",
        &SweepSummary {
            trials: 2,
            by_status: BTreeMap::from([("done".to_string(), 1), ("failed".to_string(), 1)]),
            epochs_run: 3,
            epochs_full: 4,
            selection: Selection::ValidIc,
            best: Some(best),
            kept: vec![p.id()],
        },
    );
    let row = Summary {
        portfolio: "top_20".into(),
        start: d("2021-01-04"),
        end: d("2021-12-31"),
        days: 243,
        final_equity: 1.1e7,
        total_return: 0.1,
        ann_return: 0.1,
        ann_volatility: 0.2,
        sharpe: 0.5,
        max_drawdown: -0.1,
        max_drawdown_peak: d("2021-02-10"),
        max_drawdown_trough: d("2021-03-09"),
        calmar: f64::NAN,
        excess_ann_return: f64::NAN,
        information_ratio: f64::INFINITY,
        tracking_error: 0.05,
        win_rate: 0.5,
        mean_turnover: 0.3,
        total_costs: 12345.0,
        trades: 99,
        blocked: BTreeMap::from([("limit_up".to_string(), 3)]),
        blocked_buys: 3,
        blocked_sells: 0,
        in_sample_days: 0,
        data_ended_exits: 0,
    };
    let meta = BacktestMeta {
        alphasweep: "0.1.0".into(),
        predictions: "p.csv.gz".into(),
        models: vec!["m".into()],
        prediction_rows: 10,
        skipped_rows: 0,
        market: vec!["synth".into()],
        benchmark: None,
        config: BacktestConfig::default(),
        in_sample_days: 0,
        in_sample: "all out-of-sample".into(),
        timing: "t+1".into(),
    };
    round_trip("summary.json", &BacktestRecord { meta, portfolios: vec![row], signal: None });
}
