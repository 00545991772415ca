//! Invariants over many random markets and scores (the crate's seeded Rng): every day
//! cash + holdings at market value == equity, the cash moves exactly by the trades, costs
//! and cash are never negative, buys are whole lots, and no result depends on a later score.

use crate::backtest::book::Side;
use crate::backtest::config::{BacktestConfig, Rebalance};
use crate::backtest::day_loop::{Signals, backtest_all};
use crate::backtest::rules::Market;
use crate::data::{Date, IndexSeries, Matrix, Panel, field};
use crate::rng::Rng;

/// A random market: prices follow a walk clamped to ±10% on the 0.01 tick, 3% of
/// stock-days suspended, some stocks listed late, some ST; every stock a member.
fn market(rng: &mut Rng) -> Panel {
    let (nd, ns) = (rng.between(30, 70), rng.between(3, 25));
    let start = Date::from_ymd(2020, 1, 6).unwrap();
    let dates: Vec<Date> = (0..nd).map(|i| start.add_days(i as i32)).collect();
    let stocks: Vec<String> = (0..ns).map(|i| format!("SH600{i:03}")).collect();
    let (mut close, mut vol, mut st) = (Matrix::nan(nd, ns), Matrix::nan(nd, ns), Matrix::nan(nd, ns));
    for s in 0..ns {
        let listed = if rng.uniform() < 0.2 { rng.between(0, nd / 2) } else { 0 };
        let is_st = rng.uniform() < 0.2;
        let mut p: f64 = rng.range(2.0, 80.0);
        for d in listed..nd {
            let suspended = d > listed && rng.uniform() < 0.03;
            if !suspended {
                let lim = if is_st { 0.05 } else { 0.10 };
                let r = (rng.normal() * 0.05).clamp(-lim, lim);
                p = ((p * (1.0 + r)) * 100.0).round() / 100.0;
                p = p.max(0.5);
            }
            close.set(d, s, p);
            vol.set(d, s, if suspended { 0.0 } else { 1e6 });
            st.set(d, s, if is_st { 1.0 } else { 0.0 });
        }
    }
    let mut panel = Panel { dates, stocks, ..Panel::default() };
    panel.fields.insert(field::CLOSE.into(), close);
    panel.fields.insert(field::VOLUME.into(), vol);
    panel.fields.insert(field::IS_ST.into(), st);
    let mut ix = IndexSeries::default();
    ix.fields.insert(field::CLOSE.into(), (0..nd).map(|i| 3000.0 * (1.0 + 0.001 * i as f64)).collect());
    panel.indices.insert("SH000300".into(), ix);
    panel
}

fn scores(rng: &mut Rng, nd: usize, ns: usize) -> Vec<f64> {
    (0..nd * ns).map(|_| if rng.uniform() < 0.1 { f64::NAN } else { rng.normal() }).collect()
}

fn config(rng: &mut Rng, ns: usize) -> BacktestConfig {
    let rebalance = [Rebalance::Daily, Rebalance::Weekly, Rebalance::Monthly][rng.between(0, 2)];
    BacktestConfig {
        top: vec![1, rng.between(1, ns), ns + 2],
        rebalance,
        dropout_n: if rng.uniform() < 0.5 { Some(rng.between(1, 3)) } else { None },
        capital: rng.range(2_000.0, 2_000_000.0),
        ..BacktestConfig::default()
    }
}

#[test]
fn cash_is_conserved_and_never_negative() {
    let mut rng = Rng::new(20261127);
    for case in 0..150 {
        let p = market(&mut rng);
        let (nd, ns) = (p.n_dates(), p.n_stocks());
        let m = Market::from_panel(&p, 0.005).unwrap();
        let sig = Signals { score: scores(&mut rng, nd, ns), in_sample: vec![false; nd] };
        let cfg = config(&mut rng, ns);
        for r in backtest_all(&m, &sig, &cfg).unwrap() {
            let first = r.days[0];
            let mut flow = vec![0.0; r.days.len()];
            for t in &r.trades {
                assert!(t.cost.commission >= 0.0 && t.cost.stamp_tax >= 0.0, "case {case}: negative cost");
                if t.side == Side::Buy {
                    assert_eq!(t.shares % 100.0, 0.0, "case {case}: buy of {} shares", t.shares);
                    flow[t.day - first] -= t.value() + t.cost.total();
                } else {
                    flow[t.day - first] += t.value() - t.cost.total();
                }
            }
            let mut held = vec![0.0; r.days.len()];
            for q in &r.positions {
                held[q.day - first] += q.shares * q.price;
            }
            for i in 0..r.days.len() {
                let tol = 1e-9 * r.equity[i].abs().max(1.0);
                assert!((r.cash[i] + r.holdings[i] - r.equity[i]).abs() <= tol, "case {case} day {i}: cash + holdings != equity");
                assert!((held[i] - r.holdings[i]).abs() <= tol, "case {case} day {i}: positions disagree with holdings");
                assert!(r.cash[i] >= -tol, "case {case} day {i}: cash {}", r.cash[i]);
                assert!(r.costs[i] >= 0.0);
                if i > 0 {
                    assert!(
                        (r.cash[i - 1] + flow[i] - r.cash[i]).abs() <= tol,
                        "case {case} day {i}: cash moved without a trade"
                    );
                }
            }
        }
    }
}

/// Replacing every score after row k changes nothing up to day k + 1 (trades use t's score
/// at t + 1).
#[test]
fn later_scores_never_change_earlier_days() {
    let mut rng = Rng::new(7);
    for case in 0..60 {
        let p = market(&mut rng);
        let (nd, ns) = (p.n_dates(), p.n_stocks());
        let m = Market::from_panel(&p, 0.005).unwrap();
        let a = Signals { score: scores(&mut rng, nd, ns), in_sample: vec![false; nd] };
        let k = rng.between(1, nd - 3);
        let mut b = a.clone();
        for v in &mut b.score[(k + 1) * ns..] {
            *v = rng.normal();
        }
        let cfg = BacktestConfig { end: Some(p.dates[nd - 2]), ..config(&mut rng, ns) };
        let (ra, rb) = (backtest_all(&m, &a, &cfg).unwrap(), backtest_all(&m, &b, &cfg).unwrap());
        for (x, y) in ra.iter().zip(&rb) {
            let upto = (k + 1).saturating_sub(x.days[0]);
            assert_eq!(x.equity[..=upto], y.equity[..=upto], "case {case}");
        }
    }
}
