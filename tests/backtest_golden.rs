//! The backtest metrics against empyrical: tests/golden/backtest/ holds a fixture of daily
//! returns and empyrical's figures for it (scripts/golden_backtest.py); every figure must
//! agree to 1e-9.

use std::collections::BTreeMap;
use std::path::PathBuf;

use alphasweep::backtest::metrics as m;

fn golden(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/backtest").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// (dates, portfolio returns, benchmark returns) of returns.csv.
fn fixture() -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let (mut d, mut r, mut b) = (Vec::new(), Vec::new(), Vec::new());
    for line in golden("returns.csv").lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        d.push(f[0].to_string());
        r.push(f[1].parse().unwrap());
        b.push(f[2].parse().unwrap());
    }
    (d, r, b)
}

#[test]
fn metrics_match_empyrical() {
    let (_, r, b) = fixture();
    assert_eq!(r.len(), 300);
    let want: BTreeMap<String, f64> = golden("metrics.csv")
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].parse().unwrap())
        })
        .collect();
    let (dd, peak, trough) = m::max_drawdown(&r);
    let got = [
        ("total_return", m::total_return(&r)),
        ("ann_return", m::annual_return(&r)),
        ("ann_volatility", m::annual_volatility(&r)),
        ("sharpe", m::sharpe_ratio(&r, 0.0)),
        ("sharpe_rf3", m::sharpe_ratio(&r, 0.03 / m::YEAR)),
        ("max_drawdown", dd),
        ("max_drawdown_peak", peak as f64),
        ("max_drawdown_trough", trough as f64),
        ("calmar", m::calmar_ratio(&r)),
        ("benchmark_ann_return", m::annual_return(&b)),
        ("excess_ann_return", m::excess_annual_return(&r, &b)),
        ("information_ratio", m::information_ratio(&r, &b)),
        ("tracking_error", m::tracking_error(&r, &b)),
        ("win_rate", m::win_rate(&r, &b)),
    ];
    assert_eq!(got.len(), want.len(), "every golden metric is checked");
    for (name, v) in got {
        let w = want[name];
        assert!((v - w).abs() <= 1e-9, "{name}: alphasweep {v}, empyrical {w}");
    }
}

#[test]
fn yearly_returns_match_pandas() {
    let (d, r, b) = fixture();
    let years: Vec<i32> = d.iter().map(|s| s[..4].parse().unwrap()).collect();
    let (yr, yb) = (m::yearly_returns(&years, &r), m::yearly_returns(&years, &b));
    let rows: Vec<Vec<f64>> =
        golden("yearly.csv").lines().skip(1).map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), yr.len());
    for ((row, p), q) in rows.iter().zip(&yr).zip(&yb) {
        assert_eq!(row[0] as i32, p.0);
        assert!((row[1] - p.1).abs() <= 1e-9 && (row[2] - q.1).abs() <= 1e-9, "{row:?} vs {p:?} {q:?}");
    }
}
