//! A data set built for a config with `[data] end` holds exactly what the whole-history one
//! holds up to that end: the same samples, feature windows and labels. (`prepare` drops the
//! days after `end` + the label's reach before computing the factors; nothing it builds may
//! change by that.)

use std::path::Path;

use alphasweep::config::Config;
use alphasweep::data::Date;
use alphasweep::model::dataset::Sample;
use alphasweep::study::prepare::prepare;

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
