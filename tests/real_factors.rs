//! Factors on the real CSI 300 data: what the data supports computes over 2017–2022 (prices
//! and volume from qlib) and from 2020 (valuation and turnover from baostock).

mod common;

use alphasweep::data::load::{Format, LoadOptions, load, spec};
use alphasweep::data::{Date, Panel};
use alphasweep::factors::{FactorConfig, FactorTable, build_factors};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn panel(with_baostock: bool) -> Option<Panel> {
    let data = common::shared_data()?;
    let mut sources = vec![spec(&data.join("qlib_csi300/qlib_csi300_subset_bins.tar.gz"), Format::Qlib, None)];
    if with_baostock {
        sources.push(spec(&data.join("baostock_hs300_2020_2025/baostock_hs300_daily_csv.tar.gz"), Format::Baostock, None));
    }
    Some(load(&LoadOptions { sources, ..LoadOptions::default() }).unwrap().panel)
}

fn table(p: &Panel, codes: &[&str], start: &str, end: &str) -> FactorTable {
    let cfg = FactorConfig {
        list: codes.iter().map(|c| c.to_string()).collect(),
        start: Some(d(start)),
        end: Some(d(end)),
        ..FactorConfig::default()
    };
    build_factors(p, &cfg).unwrap()
}

/// Share of member stock-days in [start, end] with a finite raw value.
fn available(p: &Panel, t: &FactorTable, code: &str, start: &str, end: &str) -> f64 {
    let k = t.names.iter().position(|n| n == code).unwrap_or_else(|| panic!("{code} not computed: {:?}", t.unavailable));
    let (a, b) = (p.date_index(d(start)).unwrap(), p.date_index(d(end)).unwrap());
    let ns = p.n_stocks();
    let (mut n, mut ok) = (0usize, 0usize);
    for dd in a..=b {
        for s in 0..ns {
            if t.mask[dd * ns + s] {
                n += 1;
                ok += t.raw[k].get(dd, s).is_finite() as usize;
            }
        }
    }
    ok as f64 / n as f64
}

/// Risk and trading factors from qlib prices and volume cover 2017-01-03 .. 2022-07-01.
#[test]
fn price_and_volume_factors_cover_2017_to_2022() {
    let Some(p) = panel(false) else { return };
    let codes = ["Variance20", "Skewness20", "Kurtosis20", "SharpeRatio20", "VSTD20", "WVAD"];
    let t = table(&p, &codes, "2017-01-03", "2022-07-01");
    assert!(t.unavailable.iter().all(|u| !codes.contains(&u.code.as_str())), "{:?}", t.unavailable);
    for c in codes {
        let share = available(&p, &t, c, "2017-01-03", "2022-07-01");
        assert!(share > 0.97, "{c}: only {share:.3} of member days");
    }
    // No market cap in qlib alone: neutralization is skipped, and said so.
    assert!(t.neutralized_on.starts_with("SKIPPED"), "{}", t.neutralized_on);
    // Annualized variance of daily returns: typical CSI 300 stock about 0.05–0.2.
    let k = t.names.iter().position(|n| n == "Variance20").unwrap();
    let row = p.date_index(d("2019-06-28")).unwrap();
    let mut v: Vec<f64> = t.raw[k].row(row).iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let med = v[v.len() / 2];
    assert!(med > 0.02 && med < 0.5, "median Variance20 {med}");
}

/// With baostock merged, valuation and turnover factors exist from 2020 (and not before);
/// S_VAL_PE is baostock's peTTM (600519 on 2022-07-01: 45.719433).
#[test]
fn valuation_and_turnover_factors_from_2020() {
    let Some(p) = panel(true) else { return };
    let codes = ["S_VAL_PE", "S_VAL_PB_NEW", "S_VAL_PS", "S_DQ_TURN", "VOL20", "TVMA20"];
    let t = table(&p, &codes, "2020-02-03", "2022-07-01");
    for c in codes {
        let share = available(&p, &t, c, "2020-02-03", "2022-07-01");
        // baostock holds 2025's constituents only, so about a quarter of 2020–2022 members
        // (since removed from the index) have no valuation data: survivorship, not a bug.
        assert!(share > 0.70, "{c}: only {share:.3} of member days in 2020-02..2022-07");
        eprintln!("{c}: {share:.3} of member days");
        let before = available(&p, &t, c, "2017-01-03", "2019-12-31");
        assert_eq!(before, 0.0, "{c} has values before baostock's data starts");
    }
    let k = t.names.iter().position(|n| n == "S_VAL_PE").unwrap();
    let pe = t.raw[k].get(p.date_index(d("2022-07-01")).unwrap(), p.stock_index("SH600519").unwrap());
    assert!((pe - 45.719433).abs() < 1e-9, "{pe}");
    // Float market cap derives from volume / turnover: neutralization runs on it.
    assert!(t.neutralized_on.contains("float market cap"), "{}", t.neutralized_on);
}
