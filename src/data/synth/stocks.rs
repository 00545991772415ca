//! The cross-section: codes, boards, listing lives, ST and suspension spells, industries
//! and each stock's static return and liquidity parameters.

use crate::data::Date;
use crate::data::code::Board;
use crate::{Error, Result};

use super::rng::{Rng, kind};

/// CITIC-level-1-like industry codes and the share of stocks drawn into each.
pub const INDUSTRIES: [(&str, f64); 29] = [
    ("10", 0.02),
    ("11", 0.02),
    ("12", 0.04),
    ("20", 0.04),
    ("21", 0.02),
    ("22", 0.05),
    ("23", 0.03),
    ("24", 0.02),
    ("25", 0.02),
    ("26", 0.04),
    ("27", 0.06),
    ("28", 0.03),
    ("30", 0.04),
    ("31", 0.02),
    ("32", 0.02),
    ("33", 0.03),
    ("34", 0.01),
    ("35", 0.07),
    ("36", 0.05),
    ("37", 0.02),
    ("40", 0.07),
    ("41", 0.07),
    ("42", 0.04),
    ("50", 0.04),
    ("60", 0.08),
    ("61", 0.03),
    ("62", 0.03),
    ("63", 0.03),
    ("70", 0.01),
];

/// Industries whose balance sheets are bank-like (high leverage, large assets per sales).
pub fn is_financial(industry: usize) -> bool {
    matches!(INDUSTRIES[industry].0, "40" | "41")
}

/// One stock's static description. Day indices refer to the panel's dates.
#[derive(Clone, Debug)]
pub struct Stock {
    /// Canonical code, e.g. `SH600123`.
    pub code: String,
    pub board: Board,
    /// First and last listed trading day (inclusive). `first > 0` or `ipo` means it lists in-sample.
    pub first: usize,
    pub last: usize,
    /// Lists after the start date (its first day is an IPO day).
    pub ipo: bool,
    /// Index into [`INDUSTRIES`].
    pub industry: usize,
    /// Loading on the market factor (≈ 1) and on its industry factor.
    pub beta: f64,
    pub gamma: f64,
    /// Unconditional daily idiosyncratic volatility (fraction, ≈ 0.02).
    pub idio_vol: f64,
    /// Typical daily turnover, percent of float shares.
    pub base_turnover: f64,
    /// Long-run float shares / total shares.
    pub float_frac: f64,
    /// Reference price before the first day (CNY) and shares outstanding at listing.
    pub price0: f64,
    pub shares0: f64,
    /// Loss-prone company (low margins); ST and delisted stocks are drawn from these.
    pub troubled: bool,
    /// ST spells and suspension spells, inclusive day-index ranges, ascending.
    pub st: Vec<(usize, usize)>,
    pub suspended: Vec<(usize, usize)>,
}

impl Stock {
    pub fn listed(&self, d: usize) -> bool {
        d >= self.first && d <= self.last
    }
    pub fn is_st(&self, d: usize) -> bool {
        self.st.iter().any(|&(a, b)| d >= a && d <= b)
    }
    pub fn is_suspended(&self, d: usize) -> bool {
        self.suspended.iter().any(|&(a, b)| d >= a && d <= b)
    }
}

/// Draws `n` stocks over `dates`, sorted by code.
pub fn draw(seed: u64, n: usize, dates: &[Date]) -> Result<Vec<Stock>> {
    let nd = dates.len();
    let mut rng = Rng::stream(seed, kind::LAYOUT, 0);
    let n_ipo = (0.10 * n as f64).round() as usize;
    let n_delist = (0.03 * n as f64).round() as usize;
    let star_open = Date::from_ymd(2019, 7, 22).expect("STAR opening date");
    let chinext_open = Date::from_ymd(2009, 10, 30).expect("ChiNext opening date");

    // Slots: (prefix, first day, is IPO); IPO slots come first.
    let (lo, hi) = ((nd / 10).max(1), nd - nd / 10 - 1);
    let mut slots: Vec<(&'static str, usize, bool)> = Vec::with_capacity(n);
    for k in 0..n {
        if k < n_ipo {
            let day = rng.between(lo, hi);
            let date = dates[day];
            let (prefixes, w): (&[&str], &[f64]) = if date >= star_open {
                (&["SH688", "SZ300", "SH603", "SZ002"], &[0.45, 0.20, 0.20, 0.15])
            } else if date >= chinext_open {
                (&["SZ300", "SH603", "SZ002"], &[0.30, 0.40, 0.30])
            } else {
                (&["SH603", "SZ002"], &[0.5, 0.5])
            };
            slots.push((prefixes[rng.weighted(w)], day, true));
        } else {
            let chinext = if dates[0] >= chinext_open { 0.10 } else { 0.0 };
            let prefixes = ["SH600", "SH601", "SZ000", "SZ002", "SZ300", "SH603"];
            let p = prefixes[rng.weighted(&[0.30, 0.12, 0.20, 0.23, chinext, 0.05])];
            slots.push((p, 0, false));
        }
    }

    // Codes: distinct three-digit suffixes per prefix, older listings get smaller numbers.
    let mut codes = vec![String::new(); n];
    let prefixes: Vec<&str> = {
        let mut p: Vec<&str> = slots.iter().map(|s| s.0).collect();
        p.sort_unstable();
        p.dedup();
        p
    };
    for prefix in prefixes {
        let mut members: Vec<(f64, usize)> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 == prefix)
            .map(|(k, s)| (if s.2 { s.1 as f64 } else { -rng.uniform() }, k))
            .collect();
        if members.len() > 999 {
            return Err(Error::Invalid(format!("too many stocks for code block {prefix}: {}", members.len())));
        }
        let mut pool: Vec<u32> = (1..=999).collect();
        for j in 0..members.len() {
            let pick = j + rng.below((pool.len() - j) as u64) as usize;
            pool.swap(j, pick);
        }
        let mut suffixes = pool[..members.len()].to_vec();
        suffixes.sort_unstable();
        members.sort_by(|a, b| a.0.total_cmp(&b.0));
        for ((_, k), sfx) in members.iter().zip(suffixes) {
            codes[*k] = format!("{prefix}{sfx:03}");
        }
    }

    // Delistings: main-board stocks listed at the start.
    let mut last = vec![nd - 1; n];
    let mut candidates: Vec<usize> = (n_ipo..n).filter(|&k| matches!(&slots[k].0[2..5], "600" | "601" | "000" | "002")).collect();
    let mut delisted = Vec::new();
    for _ in 0..n_delist.min(candidates.len()) {
        let k = candidates.swap_remove(rng.below(candidates.len() as u64) as usize);
        last[k] = rng.between(nd / 5, nd - 2);
        delisted.push(k);
    }

    let mut stocks: Vec<Stock> = (0..n)
        .map(|k| {
            let mut r = Rng::stream(seed, kind::STOCK, k as u64);
            let (_, first, ipo) = slots[k];
            let board = crate::data::code::board(&codes[k]);
            let troubled = delisted.contains(&k) || (!ipo && board == Board::Main && r.chance(0.10));
            static_params(&mut r, codes[k].clone(), board, first, last[k], ipo, troubled)
        })
        .collect();

    // ST spells: every delisting stock for its last 100–250 days; ~3% more, among troubled stocks.
    for &k in &delisted {
        let s = &mut stocks[k];
        let len = rng.between(100, 250);
        s.st.push((s.last.saturating_sub(len).max(s.first), s.last));
    }
    let n_st = (0.03 * n as f64).round() as usize;
    let mut pool: Vec<usize> =
        (0..n).filter(|&k| stocks[k].troubled && stocks[k].st.is_empty() && stocks[k].last + 1 == nd).collect();
    for _ in 0..n_st.min(pool.len()) {
        let k = pool.swap_remove(rng.below(pool.len() as u64) as usize);
        let s = &mut stocks[k];
        let a = rng.between(s.first + (nd / 20), nd - 1 - nd / 20);
        s.st.push((a, (a + rng.between(120, 400)).min(s.last)));
    }

    // Suspensions: spells of 1–3 days (60%) or 4–20 days, starting with hazard 0.13% a day.
    for (k, s) in stocks.iter_mut().enumerate() {
        let mut r = Rng::stream(seed, kind::STOCK, (1 << 32) | k as u64);
        let mut d = s.first + 1;
        while d <= s.last {
            if r.chance(0.0013) {
                let len = if r.chance(0.6) { r.between(1, 3) } else { r.between(4, 20) };
                let end = (d + len - 1).min(s.last);
                s.suspended.push((d, end));
                d = end + 2;
            } else {
                d += 1;
            }
        }
    }

    stocks.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(stocks)
}

#[allow(clippy::too_many_arguments)]
fn static_params(r: &mut Rng, code: String, board: Board, first: usize, last: usize, ipo: bool, troubled: bool) -> Stock {
    let weights: Vec<f64> = INDUSTRIES.iter().map(|x| x.1).collect();
    let industry = r.weighted(&weights);
    let beta = (1.0 + 0.25 * r.normal()).clamp(0.4, 1.8);
    let gamma = (1.0 + 0.2 * r.normal()).clamp(0.3, 1.7);
    let growth_board = matches!(board, Board::ChiNext | Board::Star);
    let mut idio_vol = (0.018 * (0.25 * r.normal()).exp()).clamp(0.010, 0.035);
    if growth_board {
        idio_vol *= 1.25;
    }
    if troubled {
        idio_vol *= 1.15;
    }
    let (mcap, price) = if ipo {
        (r.lognormal(8e9f64.ln(), 0.8).clamp(1e9, 3e11), r.lognormal(20f64.ln(), 0.6).clamp(4.0, 200.0))
    } else {
        (r.lognormal(25e9f64.ln(), 1.0).clamp(2e9, 2e12), r.lognormal(15f64.ln(), 0.7).clamp(3.0, 300.0))
    };
    let price0 = (price * 100.0).round() / 100.0;
    let shares0 = ((mcap / price0) / 100.0).round() * 100.0;
    let base_turnover = (1.2 * (mcap / 25e9).powf(-0.25) * (0.4 * r.normal()).exp()).clamp(0.1, 8.0);
    let float_frac = if ipo { r.range(0.5, 1.0) } else { r.range(0.35, 1.0) };
    Stock {
        code,
        board,
        first,
        last,
        ipo,
        industry,
        beta,
        gamma,
        idio_vol,
        base_turnover,
        float_frac,
        price0,
        shares0,
        troubled,
        st: Vec::new(),
        suspended: Vec::new(),
    }
}

/// Float fraction of total shares on day `d`: IPO stocks float 25% at first, 60% after
/// 250 trading days (first lock-up expiry), their long-run fraction after 750.
pub fn float_fraction(s: &Stock, d: usize) -> f64 {
    if !s.ipo {
        return s.float_frac;
    }
    let age = d.saturating_sub(s.first);
    if age < 250 {
        0.25
    } else if age < 750 {
        0.6f64.min(s.float_frac)
    } else {
        s.float_frac
    }
}
