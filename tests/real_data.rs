//! Loading the real CSI 300 data in ../shared/data must give the facts its README states.

mod common;

use alphasweep::data::load::{Format, LoadOptions, load, spec};
use alphasweep::data::{Date, Panel, field};
use std::collections::BTreeMap;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn raw_close(p: &Panel, code: &str, date: &str) -> f64 {
    let s = p.stock_index(code).unwrap_or_else(|| panic!("{code} not loaded"));
    let t = p.date_index(d(date)).unwrap_or_else(|| panic!("{date} not a trading day"));
    p.fields[field::CLOSE].get(t, s)
}

fn index_close(p: &Panel, code: &str, date: &str) -> f64 {
    p.indices[code].close().unwrap()[p.date_index(d(date)).unwrap()]
}

fn close_to(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

fn load_paths(paths: &[(std::path::PathBuf, Format)], prefer: &[(&str, &str)]) -> alphasweep::data::load::Loaded {
    let opts = LoadOptions {
        sources: paths.iter().map(|(p, f)| spec(p, *f, None)).collect(),
        prefer: prefer.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<BTreeMap<_, _>>(),
        ..LoadOptions::default()
    };
    load(&opts).expect("load real data")
}

/// qlib bins (read straight from the tarball): raw close = adjusted close / factor.
/// The README's spot checks: 600519 raw close 334.56 (2017-01-03) and 2029.05 (2022-07-01; the data README rounds it to 2029.0, baostock has 2029.05);
/// CSI 300 close 3342.23 (2017-01-03) and 4466.72 (2022-07-01). The membership list has
/// min 245, median 276, max 300 members a day over 2017-01-03 .. 2022-07-01, but 22 listed
/// members have no bar in the bins: membership stops where a stock's data stops, so the
/// universe has min 243, median 266, max 298 members, each with data.
#[test]
fn qlib_bins_give_the_readme_facts() {
    let Some(data) = common::shared_data() else { return };
    let l = load_paths(&[(data.join("qlib_csi300/qlib_csi300_subset_bins.tar.gz"), Format::Auto)], &[]);
    let p = &l.panel;
    assert_eq!(p.dates.len(), 3966);
    assert_eq!((p.dates[0], *p.dates.last().unwrap()), (d("2010-01-04"), d("2026-05-08")));
    assert_eq!(p.n_stocks(), 570);
    // float32 storage: agree to ~1e-7 relative.
    assert!(close_to(raw_close(p, "SH600519", "2017-01-03"), 334.56, 1e-6), "{}", raw_close(p, "SH600519", "2017-01-03"));
    assert!(close_to(raw_close(p, "SH600519", "2022-07-01"), 2029.05, 1e-6), "{}", raw_close(p, "SH600519", "2022-07-01"));
    assert!(close_to(index_close(p, "SH000300", "2017-01-03"), 3342.23, 1e-6));
    assert!(close_to(index_close(p, "SH000300", "2022-07-01"), 4466.72, 1e-6));
    let sliced = alphasweep::data::load::slice_dates(p.clone(), Some(d("2017-01-03")), Some(d("2022-07-01"))).unwrap();
    let sum = alphasweep::data::summary::DataSummary::new(&sliced, vec![], alphasweep::factors::support_table(&sliced));
    let m = sum.members_per_day;
    assert_eq!((m.min, m.median, m.max), (243, 266, 298));
    assert_eq!(sum.members_with_price_per_day.median, 266);
    assert!(sum.warnings.iter().any(|w| w.contains("no source has any bar")), "{:?}", sum.warnings);
}

/// The long CSV dump (qlib `factor` column: adjusted prices) loads as the standard format
/// and agrees with the bins; its 1,116,998 rows include 4 index instruments.
#[test]
fn qlib_csv_dump_matches_the_bins() {
    let Some(data) = common::shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data.join("qlib_csi300/csi300_members_daily_2014_2022.csv.gz"), dir.path().join("daily.csv.gz")).unwrap();
    let l = load_paths(&[(dir.path().to_path_buf(), Format::Standard)], &[]);
    let p = &l.panel;
    assert_eq!((p.dates[0], *p.dates.last().unwrap()), (d("2014-01-02"), d("2022-12-30")));
    assert_eq!(p.n_stocks(), 570);
    assert_eq!(p.indices.len(), 4);
    let rows = p.fields[field::CLOSE].count_finite()
        + p.indices.values().map(|s| s.close().unwrap().iter().filter(|v| v.is_finite()).count()).sum::<usize>();
    assert_eq!(rows, 1_116_998);
    assert!(close_to(raw_close(p, "SH600519", "2017-01-03"), 334.56, 1e-6));
    assert!(close_to(raw_close(p, "SH600519", "2022-07-01"), 2029.05, 1e-6));
    assert!(close_to(index_close(p, "SH000300", "2017-01-03"), 3342.23, 1e-6));
}

/// Merging qlib (raw = adjusted / factor) with baostock's unadjusted exports: on 2020–2022
/// the raw closes agree within float32 precision (README: within 1.2e-7 relative), and the
/// merged panel has baostock's turnover and valuation fields.
#[test]
fn qlib_and_baostock_raw_closes_agree() {
    let Some(data) = common::shared_data() else { return };
    let mut opts = LoadOptions {
        sources: vec![
            spec(&data.join("qlib_csi300/qlib_csi300_subset_bins.tar.gz"), Format::Qlib, None),
            spec(&data.join("baostock_hs300_2020_2025/baostock_hs300_daily_csv.tar.gz"), Format::Baostock, None),
        ],
        ..LoadOptions::default()
    };
    opts.prefer.insert("close".into(), "qlib".into());
    opts.start = Some(d("2020-01-02"));
    opts.end = Some(d("2022-12-30"));
    let l = load(&opts).unwrap();
    assert_eq!(l.names, vec!["qlib", "baostock"]);
    let close = l.disagreements.iter().find(|x| x.field == "close").expect("close compared");
    assert_eq!((close.winner.as_str(), close.other.as_str()), ("qlib", "baostock"));
    assert!(close.overlap > 265 * 700, "overlap {}", close.overlap);
    assert!(close.median_rel < 1e-7 && close.max_rel < 2e-7, "{close:?}");
    for f in [field::TURNOVER, field::PE_TTM, field::PB_MRQ, field::PS_TTM, field::AMOUNT, field::ADJ_FACTOR] {
        assert!(l.panel.fields.contains_key(f), "{f} missing after merge");
    }
    // Volume: unadjusted shares in both (README: equal).
    let vol = l.disagreements.iter().find(|x| x.field == "volume").unwrap();
    assert!(vol.median_rel == 0.0, "{vol:?}");
}

/// The industry snapshot (ZXF codes, `.SSE`/`.SZE` suffixes) reads as the standard
/// `industry.csv`: 600519 is 36 (food & beverage), 601318 is 41.
#[test]
fn industry_snapshot_reads() {
    let Some(data) = common::shared_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data.join("qlib_csi300/csi300_members_daily_2014_2022.csv.gz"), dir.path().join("daily.csv.gz")).unwrap();
    std::fs::copy(data.join("industry/fuzicao_stock_industry_ZXF.csv.gz"), dir.path().join("industry.csv.gz")).unwrap();
    let l = load_paths(&[(dir.path().to_path_buf(), Format::Auto)], &[]);
    assert_eq!(l.panel.industry["SH600519"], "36");
    assert_eq!(l.panel.industry["SH601318"], "41");
    assert_eq!(l.panel.industry.len(), 3856 - 88);
}
