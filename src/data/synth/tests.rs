//! Invariants of the generated market: determinism, calendar and codes, prices, limits,
//! suspensions, adjustment, volume, listing lives, and bad configs. Accounts, universe and
//! index are in `tests_accounts.rs`, the planted signal in `tests_signal.rs`.
#![allow(clippy::needless_range_loop)] // [date, stock] loops read best with indices

use std::sync::OnceLock;

use crate::Error;
use crate::data::code::{Board, board, normalize};
use crate::data::{Date, Matrix, Panel, field};

use super::{SynthConfig, SynthMarket, generate};

/// The default market (300 stocks, 2015-01-01..2022-07-01, seed 42), generated once.
pub fn default_market() -> &'static SynthMarket {
    static M: OnceLock<SynthMarket> = OnceLock::new();
    M.get_or_init(|| generate(&SynthConfig::default()).expect("default config generates"))
}

/// The default config with `null: true`, generated once.
pub fn null_market() -> &'static SynthMarket {
    static M: OnceLock<SynthMarket> = OnceLock::new();
    M.get_or_init(|| generate(&SynthConfig { null: true, ..SynthConfig::default() }).expect("null config generates"))
}

pub fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

pub fn f<'a>(p: &'a Panel, name: &str) -> &'a Matrix {
    p.field(name).unwrap_or_else(|| panic!("field {name}"))
}

/// The limit a stock has on day `t`, restated from the rules (not from `bar::limit`).
pub fn limit_of(p: &Panel, t: usize, i: usize) -> f64 {
    let code = &p.stocks[i];
    if code.starts_with("SH688") || (code.starts_with("SZ300") && p.dates[t] >= d("2020-08-24")) {
        0.20
    } else if f(p, field::IS_ST).get(t, i) == 1.0 {
        0.05
    } else {
        0.10
    }
}

/// Every stock-day `(t, i)` with `t >= 1` where the stock trades (listed both days, volume > 0).
fn traded_days(p: &Panel) -> Vec<(usize, usize)> {
    let (close, vol) = (f(p, field::CLOSE), f(p, field::VOLUME));
    let mut out = Vec::new();
    for t in 1..p.n_dates() {
        for i in 0..p.n_stocks() {
            if close.get(t - 1, i).is_finite() && vol.get(t, i) > 0.0 {
                out.push((t, i));
            }
        }
    }
    out
}

fn bits(m: &Matrix) -> Vec<u64> {
    m.data.iter().map(|v| v.to_bits()).collect()
}

fn same_market(a: &SynthMarket, b: &SynthMarket) -> bool {
    let (p, q) = (&a.panel, &b.panel);
    p.dates == q.dates
        && p.stocks == q.stocks
        && p.fields.keys().eq(q.fields.keys())
        && p.fields.iter().all(|(k, m)| bits(m) == bits(&q.fields[k]))
        && a.truth.keys().eq(b.truth.keys())
        && a.truth.iter().all(|(k, m)| bits(m) == bits(&b.truth[k]))
        && p.universe == q.universe
        && p.industry == q.industry
        && p.provenance == q.provenance
        && p.indices.keys().eq(q.indices.keys())
        && p.indices.iter().all(|(k, s)| {
            s.fields.iter().all(|(n, v)| v.iter().map(|x| x.to_bits()).eq(q.indices[k].fields[n].iter().map(|x| x.to_bits())))
        })
        && match (&p.financials, &q.financials) {
            (Some(x), Some(y)) => {
                x.fields == y.fields
                    && x.reports.len() == y.reports.len()
                    && x.reports.iter().zip(&y.reports).all(|(r, s)| {
                        r.code == s.code
                            && r.period_end == s.period_end
                            && r.announce == s.announce
                            && r.values.iter().map(|v| v.to_bits()).eq(s.values.iter().map(|v| v.to_bits()))
                    })
            }
            _ => false,
        }
}

#[test]
fn same_config_same_bits_and_other_seed_differs() {
    let again = generate(&SynthConfig::default()).expect("generates");
    assert!(same_market(default_market(), &again));
    let other = generate(&SynthConfig { seed: 43, ..SynthConfig::default() }).expect("generates");
    assert!(!same_market(default_market(), &other));
    assert_ne!(bits(f(&other.panel, field::CLOSE)), bits(f(&default_market().panel, field::CLOSE)));
    assert_eq!(default_market().panel.provenance, vec!["synth: seed 42, 300 stocks, 2015-01-01..2022-07-01".to_string()]);
    assert_eq!(null_market().panel.provenance, vec!["synth: seed 42, 300 stocks, 2015-01-01..2022-07-01, null".to_string()]);
}

#[test]
fn calendar_codes_and_industries() {
    let p = &default_market().panel;
    assert!(p.dates.windows(2).all(|w| w[0] < w[1]) && p.dates.iter().all(|x| x.weekday() < 5));
    assert!(p.dates[0] >= d("2015-01-01") && *p.dates.last().unwrap() <= d("2022-07-01"));
    // 2015-01-01 .. 2022-07-01 has 1955 weekdays; about 12 closed weekdays a year remain.
    assert!((1840..1880).contains(&p.n_dates()), "{}", p.n_dates());
    for closed in ["2016-10-03", "2018-02-16", "2019-05-01", "2021-01-01"] {
        assert!(p.date_index(d(closed)).is_none(), "{closed} should be closed");
    }
    assert!(p.stocks.windows(2).all(|w| w[0] < w[1]), "codes unique and sorted");
    assert!(p.stocks.iter().all(|c| normalize(c).as_deref() == Some(c.as_str())));
    for prefix in ["SH600", "SH601", "SH603", "SZ000", "SZ002", "SZ300", "SH688"] {
        assert!(p.stocks.iter().any(|c| c.starts_with(prefix)), "no {prefix} stock");
    }
    // STAR stocks list after the board opened on 2019-07-22.
    let close = f(p, field::CLOSE);
    for (i, c) in p.stocks.iter().enumerate().filter(|(_, c)| board(c) == Board::Star) {
        let first = (0..p.n_dates()).find(|&t| close.get(t, i).is_finite()).expect("listed");
        assert!(p.dates[first] >= d("2019-07-22"), "{c}");
    }
    assert_eq!(p.industry.len(), p.n_stocks());
    let labels: std::collections::BTreeSet<&String> = p.industry.values().collect();
    assert!((20..=29).contains(&labels.len()), "{} industries", labels.len());
}

#[test]
fn listing_lives_are_contiguous_with_ipos_delistings_and_st() {
    let p = &default_market().panel;
    let (nd, ns) = (p.n_dates(), p.n_stocks());
    let close = f(p, field::CLOSE);
    let (mut ipo, mut delisted) = (0, 0);
    for i in 0..ns {
        let live: Vec<usize> = (0..nd).filter(|&t| close.get(t, i).is_finite()).collect();
        let (a, b) = (live[0], *live.last().unwrap());
        assert_eq!(live.len(), b - a + 1, "{} has gaps", p.stocks[i]);
        for (name, m) in &p.fields {
            for t in 0..nd {
                assert_eq!(m.get(t, i).is_finite(), (a..=b).contains(&t), "{name} {} day {t}", p.stocks[i]);
            }
        }
        ipo += (a > 0) as usize;
        delisted += (b < nd - 1) as usize;
    }
    assert_eq!(ipo, 30, "10% of stocks list after the start");
    assert!((9..=15).contains(&delisted), "about 3% delist: {delisted}");
    let st = f(p, field::IS_ST);
    let st_stocks: Vec<usize> = (0..ns).filter(|&i| (0..nd).any(|t| st.get(t, i) == 1.0)).collect();
    assert!(st_stocks.len() >= 9 && st_stocks.iter().all(|&i| board(&p.stocks[i]) == Board::Main));
    assert!(st.data.iter().all(|v| v.is_nan() || *v == 0.0 || *v == 1.0));
}

#[test]
fn ohlc_is_consistent_and_on_the_tick() {
    let p = &default_market().panel;
    let m: Vec<&Matrix> = field::PRICES.iter().map(|n| f(p, n)).collect();
    let mut n = 0;
    for k in 0..m[0].data.len() {
        let (o, h, l, c) = (m[0].data[k], m[1].data[k], m[2].data[k], m[3].data[k]);
        if !c.is_finite() {
            continue;
        }
        n += 1;
        assert!(l > 0.0 && l <= o.min(c) && h >= o.max(c), "cell {k}: {o} {h} {l} {c}");
        for x in [o, h, l, c] {
            assert!(((x * 100.0).round() - x * 100.0).abs() < 1e-6, "{x} is not on the 0.01 tick");
        }
    }
    assert!(n > 500_000);
}

/// `ref = close[t−1] × adj[t−1] / adj[t]` is the previous close, ex-right adjusted on ex-dates.
#[test]
fn closes_respect_price_limits_and_limits_are_hit() {
    let p = &default_market().panel;
    let (close, adj) = (f(p, field::CLOSE), f(p, field::ADJ_FACTOR));
    let (mut ups, mut downs, mut st_days) = (0, 0, 0);
    for (t, i) in traded_days(p) {
        let reference = close.get(t - 1, i) * adj.get(t - 1, i) / adj.get(t, i);
        let lim = limit_of(p, t, i);
        let c = close.get(t, i);
        assert!(
            (c / reference - 1.0).abs() <= lim + 0.005 / reference + 1e-9,
            "{} {}: {c} vs {reference}",
            p.stocks[i],
            p.dates[t]
        );
        let r2 = (reference * 100.0).round() / 100.0;
        ups += (c == ((r2 * (1.0 + lim)) * 100.0).round() / 100.0) as usize;
        downs += (c == ((r2 * (1.0 - lim)) * 100.0).round() / 100.0) as usize;
        st_days += (lim == 0.05) as usize;
    }
    assert!(ups > 200 && downs > 200, "limit-up {ups}, limit-down {downs}");
    assert!(st_days > 500);
}

#[test]
fn suspended_days_carry_prices_and_trade_nothing() {
    let p = &default_market().panel;
    let (vol, amount, turn) = (f(p, field::VOLUME), f(p, field::AMOUNT), f(p, field::TURNOVER));
    let prices: Vec<&Matrix> = field::PRICES.iter().map(|n| f(p, n)).collect();
    let (mut listed, mut suspended, mut run, mut longest) = (0usize, 0usize, vec![0usize; p.n_stocks()], 0);
    for t in 1..p.n_dates() {
        for i in 0..p.n_stocks() {
            if !vol.get(t, i).is_finite() || !vol.get(t - 1, i).is_finite() {
                continue;
            }
            listed += 1;
            if vol.get(t, i) == 0.0 {
                suspended += 1;
                run[i] += 1;
                longest = longest.max(run[i]);
                assert!(amount.get(t, i) == 0.0 && turn.get(t, i) == 0.0);
                let prev = prices[3].get(t - 1, i);
                assert!(prices.iter().all(|m| m.get(t, i) == prev), "{} {} not carried", p.stocks[i], p.dates[t]);
            } else {
                run[i] = 0;
            }
        }
    }
    let share = suspended as f64 / listed as f64;
    assert!((0.004..=0.012).contains(&share), "suspended share {share}");
    assert!(longest <= 20, "spells last 1–20 days: {longest}");
}

#[test]
fn adjusted_close_is_continuous_across_ex_dates() {
    let p = &default_market().panel;
    let (close, adj) = (f(p, field::CLOSE), f(p, field::ADJ_FACTOR));
    let adjusted = p.adjusted(field::CLOSE).expect("close");
    for i in 0..p.n_stocks() {
        let first = (0..p.n_dates()).find(|&t| close.get(t, i).is_finite()).expect("listed");
        assert_eq!(adj.get(first, i), 1.0, "{} starts at 1", p.stocks[i]);
    }
    let (mut ex_dates, mut big_raw_drops) = (0, 0);
    for (t, i) in traded_days(p) {
        let (a0, a1) = (adj.get(t - 1, i), adj.get(t, i));
        assert!(a1 >= a0, "adj_factor only steps up");
        let adj_ret = adjusted.get(t, i) / adjusted.get(t - 1, i) - 1.0;
        let lim = limit_of(p, t, i);
        let reference = close.get(t - 1, i) * a0 / a1;
        assert!(adj_ret.abs() <= lim + 0.005 / reference + 1e-9, "{} {}: {adj_ret}", p.stocks[i], p.dates[t]);
        if a1 > a0 {
            ex_dates += 1;
            big_raw_drops += (close.get(t, i) / close.get(t - 1, i) - 1.0 < -lim - 0.01) as usize;
        }
    }
    assert!(ex_dates > 1000, "{ex_dates} ex-dates");
    assert!(big_raw_drops > 20, "splits make raw prices jump: {big_raw_drops}");
}

#[test]
fn volume_turnover_and_amount_agree() {
    let p = &default_market().panel;
    let (vol, amount, turn) = (f(p, field::VOLUME), f(p, field::AMOUNT), f(p, field::TURNOVER));
    let (low, high) = (f(p, field::LOW), f(p, field::HIGH));
    let (float, total) = (f(p, field::FLOAT_SHARES), f(p, field::TOTAL_SHARES));
    for k in 0..vol.data.len() {
        let v = vol.data[k];
        if !v.is_finite() {
            continue;
        }
        assert!(v % 100.0 == 0.0 && v >= 0.0, "volume {v}");
        assert!(float.data[k] > 0.0 && float.data[k] <= total.data[k]);
        assert!((turn.data[k] - v / float.data[k] * 100.0).abs() <= 1e-9 * turn.data[k].max(1.0));
        if v > 0.0 {
            let price = amount.data[k] / v;
            assert!(price >= low.data[k] - 0.5 / v - 1e-9 && price <= high.data[k] + 0.5 / v + 1e-9, "vwap {price}");
        }
    }
    let mut t: Vec<f64> = turn.data.iter().copied().filter(|x| *x > 0.0).collect();
    t.sort_by(|a, b| a.total_cmp(b));
    let median = t[t.len() / 2];
    assert!((0.5..3.0).contains(&median), "median turnover {median}%");
}

#[test]
fn bad_configs_are_errors_not_panics() {
    let base = SynthConfig::default();
    let bad = [
        SynthConfig { stocks: 0, ..base.clone() },
        SynthConfig { stocks: 2001, ..base.clone() },
        SynthConfig { end: base.start, ..base.clone() },
        SynthConfig { end: d("2014-01-01"), ..base.clone() },
        SynthConfig { end: d("2015-02-20"), ..base.clone() }, // about 30 trading days
        SynthConfig { start: d("1980-01-01"), ..base.clone() },
        SynthConfig { stocks: 2000, start: d("1991-01-01"), end: d("2099-12-31"), ..base.clone() },
    ];
    for cfg in bad {
        match generate(&cfg) {
            Err(Error::Invalid(msg)) => assert!(msg.starts_with("synth: "), "{msg}"),
            Err(e) => panic!("{cfg:?}: wrong error {e}"),
            Ok(_) => panic!("{cfg:?} should be rejected"),
        }
    }
}

#[test]
fn tiny_and_early_markets_generate() {
    let cases = [
        (1, "2021-01-01", "2021-05-01"),
        (7, "2005-03-01", "2006-01-31"),
        (3, "1999-10-01", "2000-03-01"),
        (40, "2019-06-01", "2020-12-31"),
        (2000, "2020-01-01", "2020-05-31"),
    ];
    for (stocks, start, end) in cases {
        let m = generate(&SynthConfig { stocks, start: d(start), end: d(end), seed: 5, null: false }).expect("generates");
        let p = &m.panel;
        assert_eq!(p.n_stocks(), stocks);
        assert!(p.n_dates() >= 60);
        assert!(p.universe.as_ref().is_some_and(|u| !u.is_empty()));
        assert!(p.indices["SH000300"].close().unwrap().iter().all(|x| x.is_finite()));
        assert!(m.truth["alpha"].data.iter().all(|x| x.is_nan() || x.abs() < 0.01));
    }
}
