//! Invariants of the accounts, the index membership and the benchmark index.

use std::collections::BTreeMap;

use crate::data::{Date, Report, field};

use super::accounts::{FIELDS, window};
use super::calendar::{last_on_or_before, quarter_ends};
use super::tests::{d, default_market, f};

fn col(name: &str) -> usize {
    FIELDS.iter().position(|x| *x == name).expect("known field")
}

fn by_stock(reports: &[Report]) -> BTreeMap<&str, Vec<&Report>> {
    let mut out: BTreeMap<&str, Vec<&Report>> = BTreeMap::new();
    for r in reports {
        out.entry(r.code.as_str()).or_default().push(r);
    }
    out
}

#[test]
fn accounting_identities_hold() {
    let fin = default_market().panel.financials.as_ref().expect("financials");
    assert_eq!(fin.fields, FIELDS.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let v = |r: &Report, n: &str| r.values[col(n)];
    let mut losses = 0;
    for r in &fin.reports {
        assert!(r.values.iter().all(|x| x.is_finite()), "{} {}", r.code, r.period_end);
        assert_eq!(v(r, "equity"), v(r, "total_assets") - v(r, "total_liab"));
        assert!(v(r, "equity") > 0.0 && v(r, "revenue") > 0.0 && v(r, "total_shares") > 0.0);
        assert!(v(r, "cur_assets") <= v(r, "total_assets"));
        assert!(v(r, "cur_assets") + v(r, "fixed_assets") <= v(r, "total_assets"));
        assert!(v(r, "inventory") < v(r, "cur_assets"));
        assert!(v(r, "cur_liab") <= v(r, "total_liab"));
        assert!(v(r, "ebitda") >= v(r, "ebit"));
        assert!(v(r, "selling_exp") > 0.0 && v(r, "selling_exp") <= v(r, "total_oper_cost"));
        assert!(v(r, "net_profit").abs() <= v(r, "total_profit").abs() + 1e-6);
        if v(r, "net_profit") > 0.0 {
            assert!(v(r, "net_profit_parent") <= v(r, "net_profit"));
        } else {
            losses += 1;
        }
    }
    let share = losses as f64 / fin.reports.len() as f64;
    assert!((0.01..0.15).contains(&share), "loss-making quarters {share}");
}

#[test]
fn reports_cover_each_listed_quarter_inside_the_legal_windows() {
    let p = &default_market().panel;
    let fin = p.financials.as_ref().expect("financials");
    let close = f(p, field::CLOSE);
    let shares = f(p, field::TOTAL_SHARES);
    let reports = by_stock(&fin.reports);
    assert_eq!(reports.len(), p.n_stocks(), "every stock reports");
    let end = d("2022-07-01");
    for (i, code) in p.stocks.iter().enumerate() {
        let list = &reports[code.as_str()];
        for r in list {
            let (lo, hi) = window(r.period_end);
            assert!(r.announce > r.period_end && r.announce >= lo && r.announce <= hi, "{code} {} {}", r.period_end, r.announce);
        }
        assert!(list.windows(2).all(|w| w[0].period_end < w[1].period_end && w[0].announce <= w[1].announce));
        // Every quarter whose last trading day falls in the stock's life has a report.
        let live: Vec<usize> = (0..p.n_dates()).filter(|&t| close.get(t, i).is_finite()).collect();
        let (a, b) = (live[0], *live.last().expect("listed"));
        let expected: Vec<Date> = quarter_ends(p.dates[0], end)
            .into_iter()
            .filter(|q| last_on_or_before(&p.dates, *q).is_some_and(|t| t >= a && t <= b))
            .collect();
        let inside: Vec<Date> = list.iter().map(|r| r.period_end).filter(|q| *q >= p.dates[0]).collect();
        assert_eq!(inside, expected, "{code}");
        // Five quarters before the start for stocks listed at the start, none for IPOs.
        let before = list.iter().filter(|r| r.period_end < p.dates[0]).count();
        assert_eq!(before, if a == 0 { 5 } else { 0 }, "{code}");
        // Shares in the report = daily total shares on the period's last trading day.
        for r in list.iter().filter(|r| r.period_end >= p.dates[0]) {
            let t = last_on_or_before(&p.dates, r.period_end).expect("in calendar");
            assert_eq!(r.values[col("total_shares")], shares.get(t, i), "{code} {}", r.period_end);
        }
    }
}

#[test]
fn membership_follows_reviews_and_listing_lives() {
    let p = &default_market().panel;
    let spells = p.universe.as_ref().expect("universe");
    let close = f(p, field::CLOSE);
    let (nd, ns) = (p.n_dates(), p.n_stocks());
    let mask = p.universe_mask();
    let members = |t: usize| (0..ns).filter(|&i| mask[t * ns + i]).count();
    let listed0 = (0..ns).filter(|&i| close.get(0, i).is_finite()).count();
    assert_eq!(members(0), (0.8 * listed0 as f64).round() as usize);
    for sp in spells {
        let i = p.stock_index(&sp.code).expect("known code");
        let (a, b) = (p.date_index(sp.start).expect("trading day"), p.date_index(sp.end).expect("trading day"));
        assert!(a <= b && close.get(a, i).is_finite() && close.get(b, i).is_finite(), "{sp:?} outside listed life");
        // In-sample IPOs enter only after three months.
        if !close.get(0, i).is_finite() {
            let first = (0..nd).find(|&t| close.get(t, i).is_finite()).expect("listed");
            assert!(p.dates[first].add_days(91) <= sp.start, "{sp:?}");
        }
    }
    // Changes happen, on review days (the trading day after June/December's second Friday)
    // or when a member delists.
    let mut changes = 0;
    for t in 1..nd {
        let entered: Vec<usize> = (0..ns).filter(|&i| mask[t * ns + i] && !mask[(t - 1) * ns + i]).collect();
        if !entered.is_empty() {
            let (_, m, day) = p.dates[t].ymd();
            assert!((m == 6 || m == 12) && (9..=22).contains(&day), "entry on {}", p.dates[t]);
            changes += entered.len();
        }
    }
    assert!(changes >= 30, "{changes} entries");
    let codes: std::collections::BTreeSet<&String> = spells.iter().map(|s| &s.code).collect();
    assert!(codes.len() > members(0) + 20);
}

#[test]
fn benchmark_index_is_consistent() {
    let p = &default_market().panel;
    let idx = &p.indices["SH000300"];
    let g = |n: &str| &idx.fields[n];
    let (o, h, l, c, v) = (g("open"), g("high"), g("low"), g("close"), g("volume"));
    assert!((c[0] - 3500.0).abs() < 1e-6);
    for t in 0..p.n_dates() {
        assert!(l[t] > 0.0 && l[t] <= o[t].min(c[t]) + 1e-9 && h[t] >= o[t].max(c[t]) - 1e-9, "day {t}");
        assert!(v[t] > 0.0);
        if t > 0 {
            assert!((c[t] / c[t - 1] - 1.0).abs() < 0.1, "day {t}: index moves less than a limit");
        }
    }
    let (lo, hi) = c.iter().fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(*x), b.max(*x)));
    assert!(lo > 1000.0 && hi < 12_000.0, "{lo}..{hi}");
}
