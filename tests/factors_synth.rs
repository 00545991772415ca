//! The factor stage on the synthetic market: planted factors match what docs/SYNTH.md says
//! was planted, cleaning does what it promises, and nothing looks ahead.

mod common;

use alphasweep::clean::{CleanConfig, Fill, MadScale, Neutralize};
use alphasweep::data::synth::{SynthConfig, SynthMarket, generate};
use alphasweep::data::{Date, Matrix, Panel};
use alphasweep::factors::inputs::Inputs;
use alphasweep::factors::pit::Upsample;
use alphasweep::factors::{FactorConfig, build_clean_factors, build_factors, compute_factors};
use common::{pearson, spearman};

fn market(stocks: usize) -> SynthMarket {
    let cfg =
        SynthConfig { stocks, start: "2018-01-01".parse().unwrap(), end: "2020-12-31".parse().unwrap(), seed: 5, null: false };
    generate(&cfg).unwrap()
}

/// Per date t ≥ 30: Spearman over stocks of factor[t − 1] and truth[component][t] (stocks
/// where both are finite and the truth is non-zero); returns the lowest and highest ρ seen
/// and the number of dates with at least 20 such stocks.
fn rank_match(f: &Matrix, truth: &Matrix) -> (f64, f64, usize) {
    let (mut lo, mut hi, mut dates) = (f64::INFINITY, f64::NEG_INFINITY, 0);
    for t in 30..f.n_dates {
        let (mut a, mut b) = (vec![], vec![]);
        for s in 0..f.n_stocks {
            let (x, y) = (f.get(t - 1, s), truth.get(t, s));
            if x.is_finite() && y.is_finite() && y != 0.0 {
                a.push(x);
                b.push(y);
            }
        }
        if a.len() >= 20 {
            let r = spearman(&a, &b);
            lo = lo.min(r);
            hi = hi.max(r);
            dates += 1;
        }
    }
    (lo, hi, dates)
}

/// The generator scores sales-to-price (1 / PS), ROE, log float cap and Skewness20 of day
/// t − 1 into the drift of day t (docs/SYNTH.md, "Scores"), with premia +, +, −, −. Our
/// factors on t − 1 must therefore rank stocks exactly as the planted components do:
/// Spearman −1 (PS), +1 (ROE), −1 (S_DQ_MV), −1 (Skewness20) on every date.
#[test]
fn planted_factors_match_the_synthetic_truth() {
    let m = market(120);
    let codes = ["S_VAL_PS", "S_FA_ROE", "S_DQ_MV", "Skewness20"].map(String::from);
    let v = compute_factors(&m.panel, &codes, Upsample::PointInTime, 0.04).unwrap();
    let expect = [("alpha_value", -1.0), ("alpha_quality", 1.0), ("alpha_size", -1.0), ("alpha_skew", -1.0)];
    for ((code, f), (component, sign)) in v.names.iter().zip(&v.values).zip(expect) {
        let (lo, hi, dates) = rank_match(f, &m.truth[component]);
        assert!(dates > 600, "{code}: only {dates} dates compared");
        let worst = if sign > 0.0 { lo } else { -hi };
        assert!(worst > 1.0 - 1e-9, "{code} vs {component}: Spearman in [{lo}, {hi}], want {sign} on every date");
    }
}

/// The clean-only table (what the sweep and predict build) holds the same cleaned values,
/// bit for bit, and no raw ones.
#[test]
fn clean_only_table_matches_the_full_one() {
    let m = market(40);
    let full = build_factors(&m.panel, &FactorConfig::default()).unwrap();
    let clean = build_clean_factors(&m.panel, &FactorConfig::default()).unwrap();
    assert_eq!(full.raw.len(), full.names.len());
    assert!(clean.raw.is_empty());
    assert_eq!(full.names, clean.names);
    for (a, b) in full.clean.iter().zip(&clean.clean) {
        assert!(a.data.iter().zip(&b.data).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

fn log_cap(p: &Panel) -> Matrix {
    Inputs::new(p, Upsample::PointInTime, 0.0).market_cap().unwrap().0.map(f64::ln)
}

/// After neutralization (and the z-score, an affine map), each date's cleaned factor is
/// uncorrelated with log market cap across members: |ρ| < 1e-9 for every factor and date.
#[test]
fn neutralized_factors_are_uncorrelated_with_log_cap() {
    let m = market(80);
    let t = build_factors(&m.panel, &FactorConfig::default()).unwrap();
    assert_eq!(t.names.len(), 41);
    let lc = log_cap(&m.panel);
    let ns = m.panel.n_stocks();
    let mut checked = 0;
    for (name, f) in t.names.iter().zip(&t.clean) {
        for d in 0..f.n_dates {
            let (mut a, mut b) = (vec![], vec![]);
            for s in 0..ns {
                if t.mask[d * ns + s] && f.get(d, s).is_finite() {
                    a.push(f.get(d, s));
                    b.push(lc.get(d, s));
                }
            }
            if a.len() > 10 {
                let r = pearson(&a, &b);
                assert!(r.abs() < 1e-9, "{name} on date {d}: corr with log cap {r}");
                checked += 1;
            }
        }
    }
    assert!(checked > 41 * 600, "{checked}");
}

/// With neutralization and z-score off, the cleaned value is the mean-filled value clipped
/// to median ± 5 · 1.4826 · MAD of the date's members: nothing lies outside the bounds.
#[test]
fn winsorized_values_stay_inside_the_mad_bounds() {
    let m = market(80);
    let cfg = FactorConfig {
        clean: CleanConfig {
            fill: Fill::Mean,
            mad_n: 5.0,
            mad_scale: MadScale::Normal,
            neutralize: Neutralize::None,
            standardize: false,
        },
        ..FactorConfig::default()
    };
    let t = build_factors(&m.panel, &cfg).unwrap();
    let ns = m.panel.n_stocks();
    let mut clipped = 0;
    for (raw, clean) in t.raw.iter().zip(&t.clean) {
        for d in 0..raw.n_dates {
            let mask: Vec<bool> = t.mask[d * ns..(d + 1) * ns].to_vec();
            let mut row = raw.row(d).to_vec();
            let finite: Vec<f64> = row.iter().zip(&mask).filter(|(v, m)| **m && v.is_finite()).map(|(v, _)| *v).collect();
            if finite.is_empty() {
                continue;
            }
            let mean = finite.iter().sum::<f64>() / finite.len() as f64;
            for (v, m) in row.iter_mut().zip(&mask) {
                if *m && v.is_nan() {
                    *v = mean;
                }
            }
            let (lo, hi) = alphasweep::clean::winsorize::bounds(&row, &mask, 5.0, MadScale::Normal).unwrap();
            for s in (0..ns).filter(|&s| mask[s]) {
                let c = clean.get(d, s);
                assert!(c >= lo && c <= hi, "value {c} outside [{lo}, {hi}]");
                assert_eq!(c, row[s].clamp(lo, hi));
                clipped += (row[s] != c) as usize;
            }
        }
    }
    assert!(clipped > 1000, "winsorizing should bite on accounting data; clipped {clipped}");
}

/// Overwrites everything the panel holds after date index `t`: daily rows > t and reports
/// announced on or after dates[t] (visible from t + 1).
fn scramble_after(p: &mut Panel, t: usize, salt: f64) {
    let ns = p.n_stocks();
    for (k, m) in p.fields.values_mut().enumerate() {
        for (i, v) in m.data[(t + 1) * ns..].iter_mut().enumerate() {
            *v = if (i + k) % 7 == 0 { f64::NAN } else { *v * (1.5 + salt) + 3.0 };
        }
    }
    let cut: Date = p.dates[t];
    for r in &mut p.financials.as_mut().unwrap().reports {
        if r.announce >= cut {
            r.values.iter_mut().for_each(|v| *v = -*v * (2.0 + salt));
        }
    }
}

/// No look-ahead: changing any input after date t changes no factor value, raw or cleaned,
/// at or before t. The same check on the paper's back-filled accounts must fail, which
/// shows that the check can see look-ahead.
#[test]
fn changing_the_future_changes_nothing_before_it() {
    let m = market(60);
    let n = m.panel.n_dates();
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut draws = Vec::new();
    for _ in 0..4 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        draws.push(40 + (seed % (n as u64 - 80)) as usize);
    }
    for upsample in [Upsample::PointInTime, Upsample::PaperBackfill] {
        let cfg = FactorConfig { upsample, ..FactorConfig::default() };
        let base = build_factors(&m.panel, &cfg).unwrap();
        let mut leaked = false;
        for (i, &t) in draws.iter().enumerate() {
            let mut p = m.panel.clone();
            scramble_after(&mut p, t, i as f64);
            let moved = build_factors(&p, &cfg).unwrap();
            let ns = p.n_stocks();
            for k in 0..base.names.len() {
                for (a, b) in [(&base.raw[k], &moved.raw[k]), (&base.clean[k], &moved.clean[k])] {
                    let same =
                        a.data[..(t + 1) * ns].iter().zip(&b.data[..(t + 1) * ns]).all(|(x, y)| x.to_bits() == y.to_bits());
                    if upsample == Upsample::PointInTime {
                        assert!(same, "{} at or before date {t} changed when only later data changed", base.names[k]);
                    }
                    leaked |= !same;
                }
            }
        }
        if upsample == Upsample::PaperBackfill {
            assert!(leaked, "paper_backfill must show look-ahead");
            assert!(base.look_ahead);
        }
    }
}
