//! The day loop. A signal at the close of day `t` (the scores of row `t`) is traded at the
//! close of `t + 1`, the paper's rule. On each rebalance the target is the top N members by
//! score among those priced and not suspended on `t`; holdings outside it are sold (at most
//! `dropout_n` of them, the worst-scored first), then the best-ranked target names not held
//! are bought, equal-weight (equity / N each, or an equal share of the cash left), in whole
//! lots, sells first so their proceeds pay for the buys. Holdings that stay are not resized.
//! Orders that cannot fill are counted per rule and retried each day until they fill or the
//! next rebalance replaces them. A holding whose data has ended (no source has a bar for it
//! that day or later: a source that stops, a delisting) is closed at its last known close
//! with the usual sell costs, instead of staying frozen in the book; a real delisting may
//! realise less.

use rayon::prelude::*;

use crate::backtest::book::{Book, Rule, Side, Trade};
use crate::backtest::config::{BacktestConfig, Rebalance};
use crate::backtest::rules::{Market, flag};
use crate::data::Date;
use crate::error::{Error, Result};

/// Scores on the panel's axes and which signal dates are in-sample.
#[derive(Clone, Debug)]
pub struct Signals {
    /// `[date, stock]` score (higher = buy), `NaN` = no prediction.
    pub score: Vec<f64>,
    /// Per date: a prediction on that date was made in-sample.
    pub in_sample: Vec<bool>,
}

/// An order blocked on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocked {
    pub day: usize,
    pub stock: usize,
    pub side: Side,
    pub rule: Rule,
}

/// End-of-day holdings of one stock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub day: usize,
    pub stock: usize,
    pub shares: f64,
    /// Last raw close, CNY.
    pub price: f64,
}

/// One portfolio's backtest, day by day over the window.
#[derive(Clone, Debug)]
pub struct BacktestRun {
    pub top: usize,
    /// Panel date indices; the first is the first signal date (no trades, equity = capital).
    pub days: Vec<usize>,
    /// End-of-day equity, cash and holdings at market value, CNY; one per `days`.
    pub equity: Vec<f64>,
    pub cash: Vec<f64>,
    pub holdings: Vec<f64>,
    /// Commission plus stamp tax paid that day, CNY.
    pub costs: Vec<f64>,
    /// (bought + sold value) / (2 × end-of-day equity).
    pub turnover: Vec<f64>,
    pub trades: Vec<Trade>,
    pub positions: Vec<Position>,
    pub blocked: Vec<Blocked>,
    /// Trading days whose signal date (or own date) is in-sample.
    pub in_sample_days: usize,
    /// Holdings closed at their last price because their data ended.
    pub data_ended_exits: usize,
}

/// The first and last panel date index of the backtest: from the first date in
/// `[start, end]` with a score to `end` when given, else to the trading day after the last
/// date with a score (or the panel's last day).
pub fn window(m: &Market, sig: &Signals, start: Option<Date>, end: Option<Date>) -> Result<(usize, usize)> {
    let ns = m.n_stocks();
    let inside = |d: usize| start.is_none_or(|s| m.dates[d] >= s) && end.is_none_or(|e| m.dates[d] <= e);
    let scored = |d: usize| inside(d) && sig.score[d * ns..(d + 1) * ns].iter().any(|v| v.is_finite());
    let first = (0..m.n_dates()).find(|&d| scored(d));
    let last = match end {
        Some(_) => (0..m.n_dates()).rev().find(|&d| inside(d)),
        None => (0..m.n_dates()).rev().find(|&d| scored(d)).map(|d| (d + 1).min(m.n_dates() - 1)),
    };
    match (first, last) {
        (Some(a), Some(b)) if b > a => Ok((a, b)),
        _ => Err(Error::Invalid(
            "no prediction falls on a date of the market data with a trading day after it (check --start/--end and the dates)"
                .into(),
        )),
    }
}

/// True when the signal of day `t` starts a rebalance.
fn is_rebalance(m: &Market, first: usize, t: usize, r: Rebalance) -> bool {
    let Some(next) = m.dates.get(t + 1) else { return true };
    let cur = m.dates[t];
    t == first
        || match r {
            Rebalance::Daily => true,
            Rebalance::Weekly => (cur.0 + 3).div_euclid(7) != (next.0 + 3).div_euclid(7),
            Rebalance::Monthly => cur.ymd().1 != next.ymd().1 || cur.year() != next.year(),
        }
}

/// Runs every portfolio size of `cfg` in parallel.
pub fn backtest_all(m: &Market, sig: &Signals, cfg: &BacktestConfig) -> Result<Vec<BacktestRun>> {
    cfg.validate()?;
    let (first, last) = window(m, sig, cfg.start, cfg.end)?;
    let max_top = cfg.top.iter().copied().max().unwrap_or(0);
    let ranks = rankings(m, sig, cfg.rebalance, first, last, max_top);
    Ok(cfg.top.par_iter().map(|&n| backtest(m, sig, cfg, n, first, last, &ranks)).collect())
}

/// For each signal day `t` in `first..last` that starts a rebalance (index `t − first`):
/// the best `max_top` candidates, best first; `None` on other days or without candidates.
/// Shared by every portfolio size.
pub fn rankings(m: &Market, sig: &Signals, r: Rebalance, first: usize, last: usize, max_top: usize) -> Vec<Option<Vec<usize>>> {
    let ns = m.n_stocks();
    (first..last)
        .into_par_iter()
        .map(|t| {
            if !is_rebalance(m, first, t, r) {
                return None;
            }
            let mut out = Vec::new();
            rank(m, &sig.score[t * ns..(t + 1) * ns], t, max_top, &mut out).then_some(out)
        })
        .collect()
}

/// One portfolio of `top` stocks from panel date `first` to `last`.
pub fn backtest(
    m: &Market,
    sig: &Signals,
    cfg: &BacktestConfig,
    top: usize,
    first: usize,
    last: usize,
    ranks: &[Option<Vec<usize>>],
) -> BacktestRun {
    let ns = m.n_stocks();
    let mut book = Book::new(cfg.capital, ns);
    let n_days = last - first + 1;
    let mut run = BacktestRun {
        top,
        days: (first..=last).collect(),
        equity: Vec::with_capacity(n_days),
        cash: Vec::with_capacity(n_days),
        holdings: Vec::with_capacity(n_days),
        costs: Vec::with_capacity(n_days),
        turnover: Vec::with_capacity(n_days),
        trades: Vec::new(),
        positions: Vec::new(),
        blocked: Vec::new(),
        in_sample_days: 0,
        data_ended_exits: 0,
    };
    run.equity.push(cfg.capital);
    run.cash.push(cfg.capital);
    run.holdings.push(0.0);
    run.costs.push(0.0);
    run.turnover.push(0.0);
    let (mut sells, mut buys) = (Vec::<usize>::new(), Vec::<usize>::new());
    let mut in_top = vec![false; ns];
    for d in first + 1..=last {
        let t = d - 1;
        book.mark(m, d);
        if sig.in_sample[t] || sig.in_sample[d] {
            run.in_sample_days += 1;
        }
        let scores = &sig.score[t * ns..(t + 1) * ns];
        if let Some(ranked) = &ranks[t - first] {
            in_top.iter_mut().for_each(|v| *v = false);
            ranked.iter().take(top).for_each(|&s| in_top[s] = true);
            sells = book.held.iter().copied().filter(|&s| !in_top[s]).collect();
            if let Some(k) = cfg.dropout_n {
                let key = |s: usize| if scores[s].is_finite() { scores[s] } else { f64::NEG_INFINITY };
                sells.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
                sells.truncate(k);
            }
            buys = ranked.iter().take(top).copied().filter(|&s| book.shares[s] == 0.0).collect();
        }
        let (mut traded, mut paid) = (0.0, 0.0);
        let ended: Vec<usize> = book.held.iter().copied().filter(|&s| m.data_ended(d, s)).collect();
        for s in ended {
            let tr = book.close_at_last_price(m, &cfg.costs, d, s);
            traded += tr.value();
            paid += tr.cost.total();
            run.trades.push(tr);
            run.data_ended_exits += 1;
        }
        let target = book.equity() / top as f64;
        let mut keep = Vec::new();
        for &s in &sells {
            if book.shares[s] == 0.0 {
                continue;
            }
            match book.sell_all(m, &cfg.costs, d, s) {
                Ok(tr) => {
                    traded += tr.value();
                    paid += tr.cost.total();
                    run.trades.push(tr);
                }
                Err(rule) => {
                    run.blocked.push(Blocked { day: d, stock: s, side: Side::Sell, rule });
                    keep.push(s);
                }
            }
        }
        sells = keep;
        let slots = top.saturating_sub(book.held.len());
        let mut keep = Vec::new();
        let mut filled = 0;
        let wanted: Vec<usize> = buys.iter().copied().filter(|&s| book.shares[s] == 0.0).collect();
        for (i, &s) in wanted.iter().enumerate() {
            if filled >= slots {
                keep.extend_from_slice(&wanted[i..]);
                break;
            }
            let left = (slots - filled).min(wanted.len() - i) as f64;
            match book.buy(m, &cfg.costs, d, s, target.min(book.cash / left), cfg.lot) {
                Ok(tr) => {
                    traded += tr.value();
                    paid += tr.cost.total();
                    run.trades.push(tr);
                    filled += 1;
                }
                Err(rule) => {
                    run.blocked.push(Blocked { day: d, stock: s, side: Side::Buy, rule });
                    keep.push(s);
                }
            }
        }
        buys = keep;
        let holdings = book.holdings_value();
        let equity = book.cash + holdings;
        run.equity.push(equity);
        run.cash.push(book.cash);
        run.holdings.push(holdings);
        run.costs.push(paid);
        run.turnover.push(if equity > 0.0 { traded / (2.0 * equity) } else { 0.0 });
        for &s in &book.held {
            run.positions.push(Position { day: d, stock: s, shares: book.shares[s], price: book.price[s] });
        }
    }
    run
}

/// Fills `out` with the best `keep` day-`t` candidates (members, priced, not suspended, with
/// a score), best first (ties: lower stock index first). False when there is none.
fn rank(m: &Market, scores: &[f64], t: usize, keep: usize, out: &mut Vec<usize>) -> bool {
    out.clear();
    for (s, v) in scores.iter().enumerate() {
        let f = m.flags(t, s);
        if v.is_finite() && f & flag::MEMBER != 0 && f & flag::PRICED != 0 && f & flag::SUSPENDED == 0 {
            out.push(s);
        }
    }
    let cmp = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if keep < out.len() {
        out.select_nth_unstable_by(keep, cmp);
        out.truncate(keep);
    }
    out.sort_unstable_by(cmp);
    !out.is_empty()
}
