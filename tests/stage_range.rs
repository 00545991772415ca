//! Stages drop the days after the last one they read; nothing they compute may change by
//! that. A data set built for a config with `[data] end` holds exactly what the
//! whole-history one holds up to that end (the same samples, feature windows and labels),
//! and the screen of a factor table that ends early is the screen on the whole calendar.
//! A checkpoint's `end` does not bound `predict --data` on another market.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use alphasweep::config::Config;
use alphasweep::data::Date;
use alphasweep::data::field;
use alphasweep::data::standard::write::{Precision, write_long};
use alphasweep::data::synth::{SynthConfig, generate};
use alphasweep::factors::{FactorConfig, build_factors};
use alphasweep::model::dataset::Sample;
use alphasweep::screen::input::{read_factor_table, read_factor_table_until};
use alphasweep::screen::{ScreenConfig, screen_all};
use alphasweep::study::prepare::prepare;
use common::{alphasweep, scores, stderr};

fn config(end: Option<&str>) -> Config {
    let data_end = end.map(|e| format!("end = \"{e}\"\n")).unwrap_or_default();
    let text = format!(
        r#"
[data]
{data_end}
[[data.sources]]
format = "synth"
[synth]
stocks = 30
start = "2016-01-01"
end = "2018-12-31"
seed = 3
[dataset]
mem_day = 5
horizon = 2
label = "fwd_return"
label_norm = "cs_rank"
feature_norm = "robust_zscore"
train = ["2016-01-01", "2017-06-30"]
valid = ["2017-07-01", "2017-12-31"]
test = ["2018-01-01", "2018-12-31"]
factors = ["*"]
"#
    );
    Config::from_str(&text, "test.toml").unwrap()
}

#[test]
fn a_data_set_ending_early_equals_the_whole_history_one_up_to_its_end() {
    let end = "2018-06-29";
    let short = prepare(&config(Some(end)), Path::new(".")).unwrap();
    let whole = prepare(&config(None), Path::new(".")).unwrap();
    let (s, w) = (&short.data, &whole.data);
    // The short one's calendar stops `horizon + 1` days after `end`.
    let end_date: Date = end.parse().unwrap();
    let last = w.dates.partition_point(|d| *d <= end_date) - 1;
    assert_eq!(s.dates, w.dates[..last + 4], "calendar: up to end + horizon + 1 days");
    assert!(s.dates.len() < w.dates.len());
    assert_eq!(short.factors, whole.factors);
    for (part, a, b) in [("train", &s.train, &w.train), ("valid", &s.valid, &w.valid), ("test", &s.test, &w.test)] {
        let expect: Vec<Sample> = b.iter().copied().filter(|x| x.date as usize <= last).collect();
        assert!(!a.is_empty(), "{part}: no samples");
        assert_eq!(a.to_vec(), expect, "{part}: samples");
        let (xa, ya) = s.batch(a);
        let (xb, yb) = w.batch(&expect);
        assert_eq!(xa.len(), xb.len());
        assert!(xa.iter().zip(&xb).all(|(p, q)| p.to_bits() == q.to_bits()), "{part}: features differ");
        assert!(ya.iter().zip(&yb).all(|(p, q)| p.to_bits() == q.to_bits()), "{part}: labels differ");
    }
    // Without the crop the whole-history set has test samples after `end` (a real check).
    assert!(w.test.iter().any(|x| x.date as usize > last));
}

#[test]
fn a_screen_of_a_table_ending_early_equals_the_whole_calendar_one() {
    let cfg = SynthConfig {
        stocks: 60,
        start: "2016-01-01".parse().unwrap(),
        end: "2018-12-31".parse().unwrap(),
        seed: 5,
        null: false,
    };
    let panel = generate(&cfg).unwrap().panel;
    let end: Date = "2017-06-30".parse().unwrap();
    let fcfg = FactorConfig {
        list: vec!["WVAD".into(), "Skewness20".into(), "S_FA_ROE".into()],
        end: Some(end),
        ..FactorConfig::default()
    };
    let t = build_factors(&panel, &fcfg).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("factors.csv.gz");
    let names: Vec<&str> = t.names.iter().map(String::as_str).collect();
    let mats: Vec<_> = t.clean.iter().collect();
    let (a, b, ns) = (t.range.0, t.range.1, panel.n_stocks());
    write_long(&panel, &table, &names, &mats, Precision::F32, &|d, s| d >= a && d < b && t.mask[d * ns + s]).unwrap();

    let scfg = ScreenConfig::default();
    let whole = read_factor_table(&table, &panel, false).unwrap();
    let whole_screen = screen_all(&whole.names, &whole.values, &panel.adjusted(field::CLOSE).unwrap(), &scfg, &|| {}).unwrap();
    let mut short_panel = panel.clone();
    let reach = scfg.entry.delay() + scfg.periods.iter().max().unwrap();
    let short = read_factor_table_until(&table, &mut short_panel, false, reach).unwrap();
    assert_eq!(short_panel.n_dates(), b + reach, "the table's last day plus the forward returns' reach");
    assert!(short_panel.n_dates() < panel.n_dates());
    for (m, w) in short.values.iter().zip(&whole.values) {
        let same = m.data.iter().zip(&w.data).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "the columns are the whole calendar's first days");
        assert!(w.data[m.data.len()..].iter().all(|v| v.is_nan()));
    }
    let short_screen =
        screen_all(&short.names, &short.values, &short_panel.adjusted(field::CLOSE).unwrap(), &scfg, &|| {}).unwrap();
    for (s, w) in short_screen.iter().zip(&whole_screen) {
        assert_eq!(s.code, w.code);
        assert_eq!((s.rows, s.failed_dates), (w.rows, w.failed_dates), "{}", s.code);
        assert_eq!(json(&s.ic_summary), json(&w.ic_summary), "{}: IC", s.code);
        assert_eq!(json(&s.pearson_ic_summary), json(&w.pearson_ic_summary), "{}: Pearson IC", s.code);
        assert_eq!(json(&s.long_short), json(&w.long_short), "{}: long-short", s.code);
        assert!(s.ic[0].iter().any(|v| v.is_finite()), "{}: no IC", s.code);
    }
}

fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap()
}

/// `predict --data` on a market that runs past the checkpoint's `[data] end` scores its
/// later days, and the days up to `end` as on the checkpoint's own market (same scores, same
/// in-sample marks), whether the split is by dates or by shares (held where it fell: a share
/// of the longer calendar would move the training period, and the feature normalization
/// fitted on it would change every score). A checkpoint from before the split was recorded
/// keeps its `end`.
#[test]
fn predict_on_another_market_scores_past_the_checkpoints_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let o = alphasweep(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    };
    let market = path("market");
    run(&["synth", "--out", &market, "--stocks", "40", "--start", "2018-01-01", "--end", "2019-12-31", "--seed", "3"]);
    let end = "2019-06-28";
    let last = |m: &BTreeMap<(String, String), f64>| m.keys().map(|k| k.0.clone()).max().unwrap();
    for (name, split) in [
        ("dates", "train = [\"2018-01-01\", \"2018-12-31\"]\nvalid = [\"2019-01-01\", \"2019-03-29\"]"),
        ("shares", "train = 0.6\nvalid = 0.2"),
    ] {
        let config = format!(
            "[data]\nend = \"{end}\"\n[[data.sources]]\npath = \"market\"\n[dataset]\nfactors = [\"Skewness20\", \"WVAD\"]\nmem_day = 5\nfeature_norm = \"robust_zscore\"\n{split}\n\
             [model]\nunits = 4\n[train]\nepochs = 1\nbatch_size = 256\n"
        );
        std::fs::write(path("c.toml"), config).unwrap();
        let ck = path(&format!("ck-{name}"));
        let (own_file, other_file) = (path(&format!("own-{name}.csv.gz")), path(&format!("other-{name}.csv.gz")));
        run(&["train", "--config", &path("c.toml"), "--out", &ck, "--device", "cpu"]);
        run(&["predict", "--model", &ck, "--out", &own_file, "--device", "cpu"]);
        run(&["predict", "--model", &ck, "--data", &market, "--out", &other_file, "--device", "cpu"]);
        let (own, other) = (scores(Path::new(&own_file)), scores(Path::new(&other_file)));
        assert!(last(&own).as_str() <= end, "{name}: the checkpoint's own market stops at its end: {}", last(&own));
        assert!(last(&other).as_str() >= "2019-12-01", "{name}: another market is scored to its last day: {}", last(&other));
        for (k, v) in &own {
            let w = other.get(k).unwrap_or_else(|| panic!("{name}: {k:?} not scored on the other market"));
            assert!((v - w).abs() <= 1e-5 * v.abs().max(1.0), "{name}: {k:?}: {v} vs {w}");
        }
        let (own_marks, other_marks) = (in_sample(Path::new(&own_file)), in_sample(Path::new(&other_file)));
        assert!(own_marks.values().any(|m| *m) && own_marks.values().any(|m| !*m), "{name}: both kinds of date");
        for (k, m) in &own_marks {
            assert_eq!(other_marks.get(k), Some(m), "{name}: {k:?} in-sample mark");
        }
        assert!(other_marks.iter().filter(|(k, _)| k.0.as_str() > end).all(|(_, m)| !*m), "{name}: later days are out of sample");
        if name == "shares" {
            // Without the recorded split (an older checkpoint), the share split keeps its end.
            let meta_path = Path::new(&ck).join("config.json");
            let mut meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
            assert!(meta.as_object_mut().unwrap().remove("split").is_some(), "the checkpoint records its split");
            std::fs::write(&meta_path, meta.to_string()).unwrap();
            let old_file = path("old-shares.csv.gz");
            let o = alphasweep(&["predict", "--model", &ck, "--data", &market, "--out", &old_file, "--device", "cpu"]);
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(stderr(&o).contains("scoring stops at its config's end"), "{}", stderr(&o));
            assert_eq!(last(&scores(Path::new(&old_file))), last(&own));
        }
    }
}

/// The `in_sample` column of a predictions file, by (date, code).
fn in_sample(path: &Path) -> BTreeMap<(String, String), bool> {
    common::column(path, "in_sample").into_iter().map(|(k, v)| (k, v == "true")).collect()
}
