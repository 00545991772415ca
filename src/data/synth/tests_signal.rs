//! Tests of the planted signal: its strength, its timing, and its absence under `null`.
#![allow(clippy::needless_range_loop)] // [date, stock] loops read best with indices

use crate::data::{Matrix, Panel, field};

use super::accounts::Book;
use super::signal::{COMPONENTS, Inputs, PREMIA, Scorer, scores};
use super::tests::{default_market, f, null_market};
use super::{SynthConfig, generate};

/// Realized adjusted returns, row `t` = close `t` -> close `t + 1`; `NaN` unless the stock
/// is listed on both days and trades (volume > 0) on `t + 1`.
pub fn forward_returns(p: &Panel) -> Matrix {
    let close = p.adjusted(field::CLOSE).expect("close");
    let vol = p.field(field::VOLUME).expect("volume");
    let (nd, ns) = (p.n_dates(), p.n_stocks());
    let mut out = Matrix::nan(nd, ns);
    for t in 0..nd - 1 {
        for i in 0..ns {
            if vol.get(t + 1, i) > 0.0 {
                out.set(t, i, close.get(t + 1, i) / close.get(t, i) - 1.0);
            }
        }
    }
    out
}

/// Spearman rank correlation of the pairs where both are finite; `None` below 20 pairs or
/// with a constant side.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let (a, b): (Vec<f64>, Vec<f64>) =
        x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).unzip();
    if a.len() < 20 {
        return None;
    }
    Some(crate::stats::spearman(&a, &b)).filter(|r| r.is_finite())
}

/// Mean over dates of the daily cross-sectional rank IC of `a` with `b`, and its t-stat.
pub fn mean_ic(a: &Matrix, b: &Matrix) -> (f64, f64) {
    let ics: Vec<f64> = (0..a.n_dates).filter_map(|t| spearman(a.row(t), b.row(t))).collect();
    let n = ics.len() as f64;
    let mean = ics.iter().sum::<f64>() / n;
    let sd = (ics.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (mean, mean / sd * n.sqrt())
}

/// The signal's inputs rebuilt from a panel alone (its matrices and published reports).
fn with_inputs<T>(p: &Panel, f: impl FnOnce(&Inputs) -> T) -> T {
    let m = |n: &str| p.field(n).expect("field");
    let books = Book::from_financials(p.financials.as_ref().expect("financials"), &p.stocks);
    let inp = Inputs {
        dates: &p.dates,
        open: m(field::OPEN),
        high: m(field::HIGH),
        low: m(field::LOW),
        close: m(field::CLOSE),
        volume: m(field::VOLUME),
        adj_factor: m(field::ADJ_FACTOR),
        turnover: m(field::TURNOVER),
        total_shares: m(field::TOTAL_SHARES),
        float_shares: m(field::FLOAT_SHARES),
        books: &books,
    };
    f(&inp)
}

/// The total alpha the generator would plant, recomputed from a panel (row `v + 1` from
/// data up to `v`), whether or not the panel was generated with `null`.
fn would_be_alpha(p: &Panel) -> Matrix {
    let (nd, ns) = (p.n_dates(), p.n_stocks());
    let mut out = Matrix::nan(nd, ns);
    with_inputs(p, |inp| {
        let mut scorer = Scorer::default();
        for v in 0..nd - 1 {
            let sc = scorer.scores(inp, v);
            for i in 0..ns {
                if inp.close.get(v + 1, i).is_finite() {
                    out.set(v + 1, i, (0..COMPONENTS.len()).map(|c| PREMIA[c] * sc[c][i]).sum());
                }
            }
        }
    });
    out
}

fn truth_std(m: &Matrix) -> f64 {
    let v: Vec<f64> = m.data.iter().copied().filter(|x| x.is_finite()).collect();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
}

/// Measured on the default config (seed 42): alpha 0.0497 (t 33); components value 0.0166,
/// quality 0.0138, size 0.0121, skew 0.0221, reversal 0.0235, nonlinear 0.0238 (t 8–17).
/// Seeds 1–3 give alpha 0.050–0.052. The bounds leave room for other seeds.
#[test]
fn planted_alpha_predicts_next_day_returns() {
    let mk = default_market();
    let ret = forward_returns(&mk.panel);
    let (ic, t) = mean_ic(&mk.truth["alpha"], &ret);
    assert!(ic > 0.035 && t > 15.0, "alpha IC {ic} (t {t})");
    for name in COMPONENTS {
        let (ic, t) = mean_ic(&mk.truth[name], &ret);
        assert!(ic > 0.005 && t > 3.0, "{name}: IC {ic} (t {t})");
        let sd = truth_std(&mk.truth[name]);
        assert!((2e-4..=5.5e-4).contains(&sd), "{name}: std {sd}");
    }
}

#[test]
fn alpha_is_the_sum_of_its_components_and_nan_off_listing() {
    let mk = default_market();
    let close = f(&mk.panel, field::CLOSE);
    let alpha = &mk.truth["alpha"];
    assert_eq!(mk.truth.len(), COMPONENTS.len() + 1);
    for k in 0..alpha.data.len() {
        assert_eq!(alpha.data[k].is_finite(), close.data[k].is_finite());
        if alpha.data[k].is_finite() {
            let sum = COMPONENTS.iter().fold(0.0, |acc, c| acc + mk.truth[*c].data[k]);
            assert_eq!(sum.to_bits(), alpha.data[k].to_bits());
        }
    }
    assert!(alpha.row(0).iter().all(|x| x.is_nan() || *x == 0.0), "no information before day 0");
}

/// Truth row `v + 1` is `premium × score(v)`, where the scores are recomputed from the
/// published panel with every row after `v` and every report announced on or after
/// `dates[v]` overwritten with garbage: the drift uses nothing the market could not see.
#[test]
fn truth_is_recomputable_from_the_panel_without_look_ahead() {
    let mk = default_market();
    let again = would_be_alpha(&mk.panel);
    for (k, (a, b)) in again.data.iter().zip(&mk.truth["alpha"].data).enumerate() {
        let row0 = k < mk.panel.n_stocks(); // no scores before day 0: truth is 0 there
        assert!(a == b || (a.is_nan() && b.is_nan()) || (row0 && *b == 0.0), "cell {k}: {a} vs {b}");
    }
    let nd = mk.panel.n_dates();
    for v in [25, 400, 1100, nd - 2] {
        let mut p = mk.panel.clone();
        for m in p.fields.values_mut() {
            for x in &mut m.data[(v + 1) * m.n_stocks..] {
                *x = 1.0e6;
            }
        }
        for r in &mut p.financials.as_mut().expect("financials").reports {
            if r.announce >= p.dates[v] {
                r.values.iter_mut().for_each(|x| *x *= 7.0);
            }
        }
        let sc = with_inputs(&p, |inp| scores(inp, v));
        for c in 0..COMPONENTS.len() {
            let truth = &mk.truth[COMPONENTS[c]];
            for i in 0..p.n_stocks() {
                let t = truth.get(v + 1, i);
                if t.is_finite() {
                    assert_eq!((PREMIA[c] * sc[c][i] + 0.0).to_bits(), t.to_bits(), "{} day {v} stock {i}", COMPONENTS[c]);
                }
            }
        }
    }
}

/// The nonlinear component is invisible to a linear look at either input's current value:
/// measured rank ICs 0.0043 (turnover change) and 0.0026 (5-day return) vs 0.024 with returns.
#[test]
fn nonlinear_component_is_not_a_linear_function_of_its_inputs() {
    let mk = default_market();
    let p = &mk.panel;
    let (nd, ns) = (p.n_dates(), p.n_stocks());
    let turn = f(p, field::TURNOVER);
    let ac = p.adjusted(field::CLOSE).expect("close");
    let (mut dturn, mut ret5) = (Matrix::nan(nd, ns), Matrix::nan(nd, ns));
    for t in 11..nd {
        for i in 0..ns {
            dturn.set(t, i, turn.get(t - 1, i) - turn.get(t - 11, i));
            ret5.set(t, i, ac.get(t - 1, i) / ac.get(t - 6, i) - 1.0);
        }
    }
    let nl = &mk.truth["alpha_nonlinear"];
    let (a, b) = (mean_ic(nl, &dturn).0, mean_ic(nl, &ret5).0);
    assert!(a.abs() < 0.01 && b.abs() < 0.01, "IC with turnover change {a}, with 5-day return {b}");
    assert!(mean_ic(nl, &forward_returns(p)).0 > 2.0 * a.abs().max(b.abs()));
}

/// Under `null` every alpha is exactly 0, and the composite the generator would have
/// planted (recomputed from the null panel) has no IC: measured 0.0006 (t 0.4).
#[test]
fn null_market_has_no_signal() {
    let mk = null_market();
    for (name, m) in &mk.truth {
        assert!(m.data.iter().all(|x| x.is_nan() || *x == 0.0), "{name} is not zero");
        assert!(m.data.contains(&0.0));
    }
    let p = &mk.panel;
    let ret = forward_returns(p);
    let (ic, t) = mean_ic(&would_be_alpha(p), &ret);
    assert!(ic.abs() < 0.006 && t.abs() < 4.0, "null IC {ic} (t {t})");
    // Same realism as with signal: the same calendar and stocks, returns as volatile.
    let with = &default_market().panel;
    assert!(p.dates == with.dates && p.stocks == with.stocks);
    let (a, b) = (truth_std(&ret), truth_std(&forward_returns(with)));
    assert!((a / b - 1.0).abs() < 0.02, "return std {a} (null) vs {b}");
}

/// Prints the numbers quoted in docs/SYNTH.md: `cargo test --release -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_measured_numbers() {
    let t = std::time::Instant::now();
    let mk = generate(&SynthConfig::default()).unwrap();
    println!("generation: {:.3} s", t.elapsed().as_secs_f64());
    let ret = forward_returns(&mk.panel);
    for name in std::iter::once("alpha").chain(COMPONENTS) {
        let (ic, tstat) = mean_ic(&mk.truth[name], &ret);
        let sd = {
            let v: Vec<f64> = mk.truth[name].data.iter().copied().filter(|x| x.is_finite()).collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
        };
        println!("{name:16} rank IC {ic:.4} (t {tstat:.1}), std {:.2} bp", sd * 1e4);
    }
    let p = &mk.panel;
    {
        let (nd, ns) = (p.n_dates(), p.n_stocks());
        let ac = p.adjusted(field::CLOSE).unwrap();
        let mut r5 = Matrix::nan(nd, ns);
        for t in 0..nd.saturating_sub(5) {
            for i in 0..ns {
                r5.set(t, i, ac.get(t + 5, i) / ac.get(t, i) - 1.0);
            }
        }
        println!("alpha vs 5-day forward return: rank IC {:.4}", mean_ic(&mk.truth["alpha"], &r5).0);
        // Daily top-minus-bottom quintile of alpha, equal weights.
        let mut spread = Vec::new();
        for t in 0..nd - 1 {
            let mut v: Vec<(f64, f64)> = (0..ns)
                .map(|i| (mk.truth["alpha"].get(t, i), ret.get(t, i)))
                .filter(|(a, r)| a.is_finite() && r.is_finite())
                .collect();
            if v.len() < 50 {
                continue;
            }
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            let q = v.len() / 5;
            let mean = |s: &[(f64, f64)]| s.iter().map(|x| x.1).sum::<f64>() / s.len() as f64;
            spread.push(mean(&v[v.len() - q..]) - mean(&v[..q]));
        }
        let m = spread.iter().sum::<f64>() / spread.len() as f64;
        let sd = (spread.iter().map(|x| (x - m).powi(2)).sum::<f64>() / spread.len() as f64).sqrt();
        println!("top-bottom quintile: {:.2} bp/day, sharpe {:.2} (annualized, 244 days)", m * 1e4, m / sd * 244f64.sqrt());
    }
    let (nd, ns) = (p.n_dates(), p.n_stocks());
    let f = |n: &str| p.field(n).unwrap();
    let (close, open, vol, adj, st) = (f("close"), f("open"), f("volume"), f("adj_factor"), f("is_st"));
    let (mut days, mut susp, mut up, mut dn, mut ex) = (0, 0, 0, 0, 0);
    for t in 1..nd {
        for i in 0..ns {
            let c = close.get(t, i);
            if !c.is_finite() || !close.get(t - 1, i).is_finite() {
                continue;
            }
            days += 1;
            if vol.get(t, i) == 0.0 {
                susp += 1;
                continue;
            }
            let r = adj.get(t - 1, i) / adj.get(t, i) * close.get(t - 1, i);
            if adj.get(t, i) != adj.get(t - 1, i) {
                ex += 1;
            }
            let lim = if st.get(t, i) == 1.0 {
                0.05
            } else if p.stocks[i].starts_with("SH688")
                || (p.stocks[i].starts_with("SZ300") && p.dates[t] >= "2020-08-24".parse().unwrap())
            {
                0.2
            } else {
                0.1
            };
            let r2 = (r * 100.0).round() / 100.0;
            if c >= ((r2 * (1.0 + lim)) * 100.0).round() / 100.0 {
                up += 1;
            }
            if c <= ((r2 * (1.0 - lim)) * 100.0).round() / 100.0 {
                dn += 1;
            }
        }
    }
    println!(
        "stock-days {days}, suspended {:.3}%, limit-up {:.3}%, limit-down {:.3}%, ex-dates {ex}",
        100.0 * susp as f64 / days as f64,
        100.0 * up as f64 / days as f64,
        100.0 * dn as f64 / days as f64
    );
    let ipo = (0..ns).filter(|&i| !close.get(0, i).is_finite()).count();
    let delist = (0..ns).filter(|&i| !close.get(nd - 1, i).is_finite()).count();
    let stn = (0..ns).filter(|&i| (0..nd).any(|t| st.get(t, i) == 1.0)).count();
    println!("stocks {ns}: ipo {ipo}, delisted {delist}, ever ST {stn}; trading days {nd}");
    let mut boards = std::collections::BTreeMap::new();
    for c in &p.stocks {
        *boards.entry(&c[..5]).or_insert(0) += 1;
    }
    println!("boards {boards:?}");
    let sp = p.universe.as_ref().unwrap();
    println!(
        "spells {} (codes {}), entries after day 0 {}, industries {}",
        sp.len(),
        sp.iter().map(|s| &s.code).collect::<std::collections::BTreeSet<_>>().len(),
        sp.iter().filter(|s| s.start > p.dates[0]).count(),
        p.industry.values().collect::<std::collections::BTreeSet<_>>().len()
    );
    let mask = p.universe_mask();
    let cnt = |t: usize| (0..ns).filter(|&i| mask[t * ns + i]).count();
    println!("members day0 {} mid {} last {}", cnt(0), cnt(nd / 2), cnt(nd - 1));
    let idx = &p.indices["SH000300"];
    let ic = idx.close().unwrap();
    println!(
        "index close first {:.1} min {:.1} max {:.1} last {:.1}",
        ic[0],
        ic.iter().cloned().fold(f64::INFINITY, f64::min),
        ic.iter().cloned().fold(0.0, f64::max),
        ic[nd - 1]
    );
    let mut last_px: Vec<f64> = (0..ns).map(|i| close.get(nd - 1, i)).filter(|x| x.is_finite()).collect();
    last_px.sort_by(|a, b| a.total_cmp(b));
    println!(
        "last raw close: min {:.2} p10 {:.2} median {:.2} p90 {:.2} max {:.2}",
        last_px[0],
        last_px[last_px.len() / 10],
        last_px[last_px.len() / 2],
        last_px[last_px.len() * 9 / 10],
        last_px[last_px.len() - 1]
    );
    let turn = f("turnover");
    let mut tv: Vec<f64> = turn.data.iter().cloned().filter(|x| *x > 0.0).collect();
    tv.sort_by(|a, b| a.total_cmp(b));
    println!(
        "turnover %: p10 {:.2} median {:.2} p90 {:.2} p99 {:.2}",
        tv[tv.len() / 10],
        tv[tv.len() / 2],
        tv[tv.len() * 9 / 10],
        tv[tv.len() * 99 / 100]
    );
    let fin = p.financials.as_ref().unwrap();
    let loss = fin.reports.iter().filter(|r| r.values[7] < 0.0).count();
    println!("reports {}, loss quarters {:.1}%", fin.reports.len(), 100.0 * loss as f64 / fin.reports.len() as f64);
    // valuation near-duplicates and the nonlinear component's linear footprint
    let books = Book::from_financials(fin, &p.stocks);
    let tot = f("total_shares");
    let (mut pe, mut pb, mut ps) = (Matrix::nan(nd, ns), Matrix::nan(nd, ns), Matrix::nan(nd, ns));
    for t in (0..nd).step_by(20) {
        for i in 0..ns {
            let Some((rev, np, eq)) = books[i].ttm(books[i].visible(p.dates[t])) else { continue };
            let cap = close.get(t, i) * tot.get(t, i);
            pe.set(t, i, cap / np);
            pb.set(t, i, cap / eq);
            ps.set(t, i, cap / rev);
        }
    }
    println!("rank corr PE-PB {:.3} PB-PS {:.3} PE-PS {:.3}", mean_ic(&pe, &pb).0, mean_ic(&pb, &ps).0, mean_ic(&pe, &ps).0);
    let ac = p.adjusted("close").unwrap();
    let (mut dturn, mut ret5) = (Matrix::nan(nd, ns), Matrix::nan(nd, ns));
    for t in 11..nd {
        for i in 0..ns {
            dturn.set(t, i, turn.get(t - 1, i) - turn.get(t - 11, i));
            ret5.set(t, i, ac.get(t - 1, i) / ac.get(t - 6, i) - 1.0);
        }
    }
    println!(
        "alpha_nonlinear rank IC with dturn10 {:.4}, with ret5 {:.4}",
        mean_ic(&mk.truth["alpha_nonlinear"], &dturn).0,
        mean_ic(&mk.truth["alpha_nonlinear"], &ret5).0
    );
    let _ = open;
    let null = generate(&SynthConfig { null: true, ..SynthConfig::default() }).unwrap();
    let p = &null.panel;
    let turn = p.field("turnover").unwrap();
    let ac = p.adjusted("close").unwrap();
    let mut nl = Matrix::nan(nd, ns);
    let (mut dturn, mut ret5) = (Matrix::nan(nd, ns), Matrix::nan(nd, ns));
    with_inputs(p, |inp| {
        let mut sc = Scorer::default();
        for t in 11..nd {
            let s = sc.scores(inp, t - 1);
            for i in 0..ns {
                if p.field("close").unwrap().get(t, i).is_finite() {
                    nl.set(t, i, s[5][i]);
                }
                dturn.set(t, i, turn.get(t - 1, i) - turn.get(t - 11, i));
                ret5.set(t, i, ac.get(t - 1, i) / ac.get(t - 6, i) - 1.0);
            }
        }
    });
    println!("null: nonlinear score rank IC with dturn10 {:.4}, with ret5 {:.4}", mean_ic(&nl, &dturn).0, mean_ic(&nl, &ret5).0);
    let (ic, t) = mean_ic(&would_be_alpha(p), &forward_returns(p));
    println!("null: would-be composite rank IC {ic:.4} (t {t:.1})");
    for seed in [1, 2, 3] {
        let mk = generate(&SynthConfig { seed, ..SynthConfig::default() }).unwrap();
        let (ic, t) = mean_ic(&mk.truth["alpha"], &forward_returns(&mk.panel));
        let comps: Vec<String> =
            COMPONENTS.iter().map(|c| format!("{:.4}", mean_ic(&mk.truth[*c], &forward_returns(&mk.panel)).0)).collect();
        println!("seed {seed}: alpha IC {ic:.4} (t {t:.1}); components {comps:?}");
    }
}

#[test]
#[ignore]
fn time_generation() {
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let _ = generate(&SynthConfig::default()).unwrap();
        println!("generation: {:.3} s", t.elapsed().as_secs_f64());
    }
}
