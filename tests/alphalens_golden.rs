//! The screen against alphalens-reloaded 0.5.1 on a fixed fixture: golden files made by
//! scripts/golden_alphalens.py and committed under tests/golden/alphalens/ (see its README),
//! so this test needs no Python. Every figure must agree to 1e-9 relative (with a 1e-15
//! absolute floor for values that are zero up to rounding).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use alphasweep::data::{Date, Matrix};
use alphasweep::screen::clean_data::{CleanFactor, clean_factor, forward_returns};
use alphasweep::screen::{ic, portfolio, quantile_returns, turnover};

const PERIODS: [usize; 3] = [1, 5, 10];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/alphalens")
}

/// Rows of a golden CSV as header → text.
fn read(name: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records().map(|rec| headers.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect()).collect()
}

fn num(s: &str) -> f64 {
    if s.is_empty() { f64::NAN } else { s.parse().unwrap() }
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-15
}

struct Fixture {
    dates: Vec<Date>,
    assets: Vec<String>,
    cf: CleanFactor,
}

impl Fixture {
    fn load() -> Fixture {
        let prices = read("fixture_prices.csv");
        let factor = read("fixture_factor.csv");
        let dates: Vec<Date> = prices.iter().map(|r| r["date"].parse().unwrap()).collect::<BTreeSet<_>>().into_iter().collect();
        let assets: Vec<String> = prices.iter().map(|r| r["asset"].clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let (nd, ns) = (dates.len(), assets.len());
        let pos = |r: &BTreeMap<String, String>| {
            let d = dates.binary_search(&r["date"].parse().unwrap()).unwrap();
            let s = assets.binary_search(&r["asset"]).unwrap();
            d * ns + s
        };
        let mut p = Matrix::nan(nd, ns);
        for r in &prices {
            p.data[pos(r)] = num(&r["price"]);
        }
        let mut f = Matrix::nan(nd, ns);
        for r in &factor {
            f.data[pos(r)] = num(&r["factor"]);
        }
        let fwd = forward_returns(&p, &PERIODS);
        let cf = clean_factor(&f, &fwd, &PERIODS, 5);
        Fixture { dates, assets, cf }
    }

    fn date(&self, s: &str) -> usize {
        self.dates.binary_search(&s.parse().unwrap()).unwrap()
    }
}

fn col(k: usize) -> String {
    format!("{}D", PERIODS[k])
}

/// The clean rows, their forward returns and quantiles, exactly as alphalens kept them
/// (including the date whose quantile edges collapse, dropped in binning).
#[test]
fn clean_factor_data_matches() {
    let fx = Fixture::load();
    let golden = read("clean_factor_data.csv");
    let mut ours = BTreeMap::new();
    for (t, d) in fx.cf.days.iter().enumerate() {
        for (i, a) in d.iter().flat_map(|d| d.assets.iter().enumerate()) {
            let day = d.as_ref().unwrap();
            ours.insert(
                (fx.dates[t].to_string(), fx.assets[*a as usize].clone()),
                (day.factor[i], day.quantile[i], [day.fwd[0][i], day.fwd[1][i], day.fwd[2][i]]),
            );
        }
    }
    assert_eq!(ours.len(), golden.len(), "row count");
    for g in &golden {
        let (f, q, fwd) = ours.get(&(g["date"].clone(), g["asset"].clone())).unwrap_or_else(|| panic!("missing row {g:?}"));
        assert_eq!(*f, num(&g["factor"]));
        assert_eq!(*q as f64, num(&g["factor_quantile"]), "quantile of {} {}", g["date"], g["asset"]);
        for k in 0..3 {
            assert!(same(fwd[k], num(&g[&col(k)])), "{} {} {}: {} vs {}", g["date"], g["asset"], col(k), fwd[k], g[&col(k)]);
        }
    }
    assert_eq!(fx.cf.failed_dates.iter().map(|&t| fx.dates[t].to_string()).collect::<Vec<_>>(), vec!["2021-02-01"]);
    assert_eq!(fx.cf.lost_binning, 40);
}

/// Per-date Spearman IC and alphalens' information table.
#[test]
fn information_coefficients_match() {
    let fx = Fixture::load();
    let ic = ic::ic_by_date(&fx.cf, true, None);
    let mut n = 0;
    for g in read("ic.csv") {
        let t = fx.date(&g["date"]);
        for k in 0..3 {
            assert!(same(ic[k][t], num(&g[&col(k)])), "IC {} {}: {} vs {}", g["date"], col(k), ic[k][t], g[&col(k)]);
            n += 1;
        }
    }
    assert!(n > 150);
    let summary: Vec<ic::IcSummary> = (0..3).map(|k| ic::summarize(&ic[k], PERIODS[k])).collect();
    for g in read("ic_summary.csv") {
        for k in 0..3 {
            let s = &summary[k];
            let ours = match g["stat"].as_str() {
                "IC Mean" => s.mean,
                "IC Std." => s.std,
                "Risk-Adjusted IC" => s.risk_adjusted,
                "t-stat(IC)" => s.t_stat,
                "p-value(IC)" => s.p_value,
                "IC Skew" => s.skew,
                "IC Kurtosis" => s.kurtosis,
                other => panic!("unknown stat {other}"),
            };
            assert!(same(ours, num(&g[&col(k)])), "{} {}: {ours} vs {}", g["stat"], col(k), g[&col(k)]);
        }
    }
}

/// Demeaned mean returns by quantile: per date, and their mean and standard error over dates.
#[test]
fn mean_returns_by_quantile_match() {
    let fx = Fixture::load();
    let qr = quantile_returns::mean_return_by_quantile(&fx.cf);
    for (file, table) in [("mean_return_by_quantile.csv", &qr.mean), ("mean_return_by_quantile_std_err.csv", &qr.std_err)] {
        for g in read(file) {
            let q: usize = g["factor_quantile"].parse().unwrap();
            for k in 0..3 {
                assert!(same(table[k][q - 1], num(&g[&col(k)])), "{file} q{q} {}: {} vs {}", col(k), table[k][q - 1], g[&col(k)]);
            }
        }
    }
    let by_date = read("mean_return_by_quantile_by_date.csv");
    for g in &by_date {
        let (q, t): (usize, usize) = (g["factor_quantile"].parse().unwrap(), fx.date(&g["date"]));
        for k in 0..3 {
            assert!(same(qr.by_date[k][q - 1][t], num(&g[&col(k)])), "by date q{q} {} {}", g["date"], col(k));
        }
    }
    let ours = qr.by_date[0].iter().flatten().filter(|v| v.is_finite()).count();
    assert_eq!(ours, by_date.len(), "quantile-date cells");
}

/// The factor-weighted long-short returns and their annualized alpha and beta.
#[test]
fn factor_returns_and_alpha_beta_match() {
    let fx = Fixture::load();
    let (ls, uni) = portfolio::factor_and_universe_returns(&fx.cf);
    for g in read("factor_returns.csv") {
        let t = fx.date(&g["date"]);
        for k in 0..3 {
            assert!(same(ls[k][t], num(&g[&col(k)])), "factor return {} {}", g["date"], col(k));
        }
    }
    for g in read("alpha_beta.csv") {
        for k in 0..3 {
            let r = portfolio::long_short(&ls[k], &uni[k], PERIODS[k]);
            let ours = if g["stat"] == "beta" { r.beta } else { r.ann_alpha };
            assert!(same(ours, num(&g[&col(k)])), "{} {}: {ours} vs {}", g["stat"], col(k), g[&col(k)]);
        }
    }
}

/// Quantile turnover and rank autocorrelation on the trading calendar.
#[test]
fn turnover_and_rank_autocorrelation_match() {
    let fx = Fixture::load();
    let mut checked = 0;
    for g in read("quantile_turnover.csv") {
        let p: usize = g["period"].parse().unwrap();
        let t = fx.date(&g["date"]);
        let ours = turnover::quantile_turnover(&fx.cf, p);
        for q in 1..=5 {
            let want = num(&g[&format!("q{q}")]);
            assert!(same(ours[q - 1][t], want), "turnover p{p} {} q{q}: {} vs {want}", g["date"], ours[q - 1][t]);
            checked += want.is_finite() as usize;
        }
    }
    assert!(checked > 500, "{checked}");
    let ours: Vec<Vec<f64>> = PERIODS.iter().map(|&p| turnover::rank_autocorrelation(&fx.cf, p)).collect();
    for g in read("rank_autocorrelation.csv") {
        let t = fx.date(&g["date"]);
        for (k, p) in PERIODS.iter().enumerate() {
            assert!(
                same(ours[k][t], num(&g[&p.to_string()])),
                "rank autocorrelation {} {p}: {} vs {}",
                g["date"],
                ours[k][t],
                g[&p.to_string()]
            );
        }
    }
}
