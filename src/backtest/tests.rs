//! Scripted two-stock markets whose holdings, trades, costs and equity are worked out by
//! hand, and the A-share rules (limit-up, suspension, T+1) each blocking an order.

use crate::backtest::book::{Book, Rule, Side};
use crate::backtest::config::{BacktestConfig, Rebalance};
use crate::backtest::costs::CostModel;
use crate::backtest::day_loop::{BacktestRun, Signals, backtest_all};
use crate::backtest::rules::{Market, flag};
use crate::data::{Date, IndexSeries, Matrix, Panel, field};

/// A panel of `SH600000` (A) and `SZ000001` (B): raw closes per date, volumes (0 =
/// suspended), everyone a member, and an index that closes at 1000, 1010, …
pub(super) fn panel(dates: &[&str], close: &[[f64; 2]], volume: &[[f64; 2]]) -> Panel {
    let mut p = Panel {
        dates: dates.iter().map(|s| s.parse::<Date>().unwrap()).collect(),
        stocks: vec!["SH600000".into(), "SZ000001".into()],
        ..Panel::default()
    };
    let nd = dates.len();
    let m = |v: &[[f64; 2]]| Matrix { n_dates: nd, n_stocks: 2, data: v.iter().flatten().copied().collect() };
    p.fields.insert(field::CLOSE.into(), m(close));
    p.fields.insert(field::VOLUME.into(), m(volume));
    let mut ix = IndexSeries::default();
    ix.fields.insert(field::CLOSE.into(), (0..nd).map(|i| 1000.0 + 10.0 * i as f64).collect());
    p.indices.insert("SH000300".into(), ix);
    p
}

fn run(p: &Panel, scores: &[[f64; 2]], cfg: &BacktestConfig) -> BacktestRun {
    let m = Market::from_panel(p, cfg.limit_tolerance).unwrap();
    let sig = Signals { score: scores.iter().flatten().copied().collect(), in_sample: vec![false; p.n_dates()] };
    backtest_all(&m, &sig, cfg).unwrap().remove(0)
}

fn cfg(capital: f64) -> BacktestConfig {
    BacktestConfig { top: vec![1], capital, ..BacktestConfig::default() }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

const DAYS: [&str; 4] = ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"];
const VOL: [[f64; 2]; 4] = [[1e5; 2]; 4];

/// Capital 100,000, top 1. A closes 10, 10.5, 11, 11; B 20, 20, 19, 21. Scores prefer A on
/// day 0, B from day 1.
/// - Day 1: buy A at 10.5: floor(100,000 / (1,050 × 1.001)) = 95 lots = 9,500 shares =
///   99,750 CNY, commission 99.75; cash 150.25; equity 150.25 + 99,750 = 99,900.25.
/// - Day 2: sell A at 11: 104,500, commission 104.5, stamp tax 104.5; cash 104,441.25.
///   Buy B at 19 with that cash: floor(104,441.25 / 1,901.9) = 54 lots = 5,400 shares =
///   102,600, commission 102.6; cash 1,738.65; equity 1,738.65 + 102,600 = 104,338.65.
/// - Day 3: hold; equity 1,738.65 + 5,400 × 21 = 115,138.65. Costs 411.35 in all.
#[test]
fn hand_worked_two_stock_switch() {
    let p = panel(&DAYS, &[[10.0, 20.0], [10.5, 20.0], [11.0, 19.0], [11.0, 21.0]], &VOL);
    let r = run(&p, &[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]], &cfg(100_000.0));
    assert_eq!(r.days, vec![0, 1, 2, 3]);
    for (a, b) in r.equity.iter().zip([100_000.0, 99_900.25, 104_338.65, 115_138.65]) {
        close(*a, b);
    }
    close(r.cash[3], 1_738.65);
    assert_eq!(r.trades.len(), 3);
    let (t0, t1, t2) = (&r.trades[0], &r.trades[1], &r.trades[2]);
    assert_eq!((t0.day, t0.stock, t0.side, t0.shares), (1, 0, Side::Buy, 9_500.0));
    assert_eq!((t1.day, t1.stock, t1.side, t1.shares), (2, 0, Side::Sell, 9_500.0));
    close(t1.cost.stamp_tax, 104.5);
    assert_eq!((t2.day, t2.stock, t2.side, t2.shares), (2, 1, Side::Buy, 5_400.0));
    close(r.costs.iter().sum::<f64>(), 411.35);
    // Day 2 turnover: (104,500 + 102,600) / (2 × 104,338.65).
    close(r.turnover[2], 207_100.0 / (2.0 * 104_338.65));
    assert_eq!(r.positions.last().map(|p| (p.day, p.stock, p.shares)), Some((3, 1, 5_400.0)));
    assert!(r.blocked.is_empty());
}

/// Minimums: capital 1,500. Day 1 buy A at 10.5: one lot, 1,050 + commission 5 (not 1.05);
/// cash 445. Day 2 sell A at 9.6: 960, commission 5, stamp tax 1 (not 0.96); cash 1,399.
/// B at 19 needs 1,900 + 5 for one lot: the buy is blocked for cash, on day 2 and day 3.
#[test]
fn minimum_costs_and_unaffordable_lot() {
    let p = panel(&DAYS, &[[10.0, 20.0], [10.5, 20.0], [9.6, 19.0], [9.6, 19.0]], &VOL);
    let r = run(&p, &[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]], &cfg(1_500.0));
    let (buy, sell) = (&r.trades[0], &r.trades[1]);
    assert_eq!((buy.shares, buy.cost.commission), (100.0, 5.0));
    assert_eq!((sell.cost.commission, sell.cost.stamp_tax), (5.0, 1.0));
    close(r.cash[2], 1_399.0);
    close(r.equity[3], 1_399.0);
    assert_eq!(r.blocked.iter().map(|b| (b.day, b.rule)).collect::<Vec<_>>(), vec![(2, Rule::Cash), (3, Rule::Cash)]);
}

/// Weekly rebalance, signal on Monday 2020-01-06 only: B closes +10% on Tuesday (20 → 22,
/// limit-up), so the buy is blocked and carried; it fills on Wednesday at 22.5. (`end` runs
/// the backtest past the last prediction.)
#[test]
fn limit_up_blocks_a_buy_that_fills_the_next_day() {
    let days = ["2020-01-06", "2020-01-07", "2020-01-08", "2020-01-09"];
    let p = panel(&days, &[[10.0, 20.0], [10.0, 22.0], [10.0, 22.5], [10.0, 22.5]], &VOL);
    let c = BacktestConfig { rebalance: Rebalance::Weekly, end: Some(days[3].parse().unwrap()), ..cfg(100_000.0) };
    let nan = f64::NAN;
    let r = run(&p, &[[0.0, 1.0], [nan, nan], [nan, nan], [nan, nan]], &c);
    assert_eq!(r.blocked.len(), 1);
    assert_eq!((r.blocked[0].day, r.blocked[0].side, r.blocked[0].rule), (1, Side::Buy, Rule::LimitUp));
    assert_eq!(r.trades.len(), 1);
    assert_eq!((r.trades[0].day, r.trades[0].stock, r.trades[0].price), (2, 1, 22.5));
    close(r.equity[1], 100_000.0);
}

/// A is held and the signal turns to B on day 1; A is suspended on day 2 (volume 0, close
/// carried), so it cannot be sold and the slot stays full (B waits, unblocked); day 3 sells A
/// and buys B.
#[test]
fn suspension_blocks_a_sell() {
    let vol = [[1e5, 1e5], [1e5, 1e5], [0.0, 1e5], [1e5, 1e5]];
    let p = panel(&DAYS, &[[10.0, 20.0], [10.0, 20.0], [10.0, 20.0], [10.2, 20.0]], &vol);
    let r = run(&p, &[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]], &cfg(100_000.0));
    assert_eq!(r.blocked.len(), 1);
    assert_eq!((r.blocked[0].day, r.blocked[0].stock, r.blocked[0].rule), (2, 0, Rule::Suspended));
    let t: Vec<(usize, usize, Side)> = r.trades.iter().map(|t| (t.day, t.stock, t.side)).collect();
    assert_eq!(t, vec![(1, 0, Side::Buy), (3, 0, Side::Sell), (3, 1, Side::Buy)]);
}

/// Limit-down (main board 10%: 10 → 9) blocks the sell of A on day 2.
#[test]
fn limit_down_blocks_a_sell() {
    let p = panel(&DAYS, &[[10.0, 20.0], [10.0, 20.0], [9.0, 20.0], [9.1, 20.0]], &VOL);
    let r = run(&p, &[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]], &cfg(100_000.0));
    assert_eq!(r.blocked.iter().map(|b| (b.day, b.rule)).collect::<Vec<_>>(), vec![(2, Rule::LimitDown)]);
    assert_eq!(r.trades[1].day, 3);
}

/// T+1: shares bought on day 1 cannot be sold on day 1; they can on day 2.
#[test]
fn t_plus_one_blocks_a_same_day_sell() {
    let p = panel(&DAYS, &[[10.0, 20.0], [10.0, 20.0], [10.5, 20.0], [10.5, 20.0]], &VOL);
    let m = Market::from_panel(&p, 0.005).unwrap();
    let c = CostModel::default();
    let mut b = Book::new(10_000.0, 2);
    b.mark(&m, 1);
    let t = b.buy(&m, &c, 1, 0, 5_000.0, 100.0).unwrap();
    assert_eq!(t.shares, 400.0);
    assert_eq!(b.sell_all(&m, &c, 1, 0), Err(Rule::TPlusOne));
    b.mark(&m, 2);
    let s = b.sell_all(&m, &c, 2, 0).unwrap();
    assert_eq!((s.shares, s.price), (400.0, 10.5));
    assert!(b.held.is_empty());
}

/// Tolerance: limit 10% of 20 is 22.00; 21.99 is one tick below (not at the limit), 22.00 is.
/// ST halves the limit (21.00 is at it); ChiNext before 2020-08-24 has 10%.
#[test]
fn limit_flags_with_tolerance() {
    let p = panel(&DAYS, &[[20.0, 20.0], [21.99, 22.0], [20.0, 17.6], [21.0, 18.0]], &VOL);
    let m = Market::from_panel(&p, 0.005).unwrap();
    assert_eq!(m.flags(1, 0) & flag::LIMIT_UP, 0);
    assert_ne!(m.flags(1, 1) & flag::LIMIT_UP, 0);
    assert_ne!(m.flags(2, 1) & flag::LIMIT_DOWN, 0); // 22 → 17.6 is −20%
    assert_eq!(m.flags(3, 0) & flag::LIMIT_UP, 0);
    let mut st = p.clone();
    st.fields.insert(field::IS_ST.into(), Matrix { n_dates: 4, n_stocks: 2, data: vec![1.0; 8] });
    let m = Market::from_panel(&st, 0.005).unwrap();
    assert_ne!(m.flags(3, 0) & flag::LIMIT_UP, 0); // 20 → 21 is +5%
}

/// A's data ends after day 1 (no bar on days 2 and 3): the 9,500 shares bought on day 1 at
/// 10.5 are closed on day 2 at that last price, with commission and stamp tax (99.75 each):
/// cash 150.25 + 99,750 − 199.5 = 99,700.75, not a position frozen at 10.5 for good.
#[test]
fn a_holding_whose_data_ends_is_closed_at_its_last_price() {
    let nan = f64::NAN;
    let p = panel(&DAYS, &[[10.0, 20.0], [10.5, 20.0], [nan, 19.0], [nan, 21.0]], &VOL);
    let r = run(&p, &[[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], &cfg(100_000.0));
    assert_eq!(r.data_ended_exits, 1);
    let exit = &r.trades[1];
    assert_eq!((exit.day, exit.stock, exit.side, exit.shares), (2, 0, Side::Sell, 9_500.0));
    close(exit.price, 10.5);
    close(r.equity[2], 99_700.75);
    assert!(r.positions.iter().all(|p| p.day < 2), "{:?}", r.positions);
}
