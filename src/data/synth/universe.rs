//! CSI 300-like index membership with semiannual reviews and a buffer.
//!
//! Rule (also in docs/SYNTH.md):
//! - target size `K = round(0.8 × stocks listed on the first day)` (at least 1);
//! - first day: the `K` largest non-ST listed stocks by float market cap at that close;
//! - reviews in June and December, effective on the first trading day after the month's
//!   second Friday. Ranking: mean daily float market cap (raw close × float shares) over
//!   the 120 trading days ending at the last trading day of May / November. Eligible:
//!   listed then and on the effective day, not ST then, and (for in-sample IPOs) first
//!   traded at least 91 calendar days before the effective day;
//! - buffer `B = ceil(0.02 K)`: members ranked within `K + B` stay, non-members ranked
//!   within `K − B` enter;
//!   the result is cut to the best-ranked `K`, or filled up to `K` in rank order;
//! - a delisted stock leaves after its last trading day (the seat stays empty until the
//!   next review).

use crate::data::{Date, Matrix, Spell};

use super::calendar::{first_on_or_after, last_on_or_before, second_friday};
use super::stocks::Stock;

/// Half-width of the buffer zone around rank `K`, as a fraction of `K`.
pub const BUFFER: f64 = 0.02;
/// Length of the ranking window, trading days.
pub const WINDOW: usize = 120;

/// Membership mask `[date, stock]` (row-major, like `Panel::universe_mask`) and the spells.
pub fn build(dates: &[Date], stocks: &[Stock], close: &Matrix, float: &Matrix, is_st: &Matrix) -> (Vec<bool>, Vec<Spell>) {
    let (nd, ns) = (dates.len(), stocks.len());
    let cap = |d: usize, i: usize| close.get(d, i) * float.get(d, i);
    let eligible_now = |d: usize, i: usize| stocks[i].listed(d) && is_st.get(d, i) == 0.0;

    let listed0 = (0..ns).filter(|&i| stocks[i].listed(0)).count();
    let k = ((0.8 * listed0 as f64).round() as usize).max(1);
    let mut first: Vec<(usize, f64)> = (0..ns).filter(|&i| eligible_now(0, i)).map(|i| (i, cap(0, i))).collect();
    first.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut members = vec![false; ns];
    for (i, _) in first.iter().take(k) {
        members[*i] = true;
    }

    // Reviews: (effective day, last day of the ranking window).
    let mut reviews: Vec<(usize, usize)> = Vec::new();
    for y in dates[0].year()..=dates[nd - 1].year() {
        for month in [6, 12] {
            let effective = first_on_or_after(dates, second_friday(y, month).add_days(1));
            let cutoff = Date::from_ymd(y, month, 1).expect("first of month exists").add_days(-1);
            if let (Some(eff), Some(end)) = (effective, last_on_or_before(dates, cutoff))
                && eff > 0
            {
                reviews.push((eff, end));
            }
        }
    }

    let mut mask = vec![false; nd * ns];
    let mut next = 0;
    for d in 0..nd {
        if next < reviews.len() && reviews[next].0 == d {
            members = review(dates, stocks, reviews[next], &members, k, &cap, &eligible_now);
            next += 1;
        }
        for i in 0..ns {
            if members[i] && stocks[i].listed(d) {
                mask[d * ns + i] = true;
            }
            if stocks[i].last == d {
                members[i] = false;
            }
        }
    }
    let spells = spells(dates, stocks, &mask);
    (mask, spells)
}

/// The member set from the review effective on day `eff`, ranked on the window ending `end`.
fn review(
    dates: &[Date],
    stocks: &[Stock],
    (eff, end): (usize, usize),
    members: &[bool],
    k: usize,
    cap: &dyn Fn(usize, usize) -> f64,
    eligible_now: &dyn Fn(usize, usize) -> bool,
) -> Vec<bool> {
    let ns = stocks.len();
    let start = (end + 1).saturating_sub(WINDOW);
    let mut ranked: Vec<(usize, f64)> = (0..ns)
        .filter(|&i| {
            let s = &stocks[i];
            eligible_now(end, i) && s.listed(eff) && (!s.ipo || dates[s.first].add_days(91) <= dates[eff])
        })
        .map(|i| {
            let caps: Vec<f64> = (start..=end).filter(|&d| stocks[i].listed(d)).map(|d| cap(d, i)).collect();
            (i, caps.iter().sum::<f64>() / caps.len().max(1) as f64)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let buffer = (BUFFER * k as f64).ceil() as usize;
    let (stay, enter) = (k + buffer, k.saturating_sub(buffer));
    let mut chosen: Vec<usize> = ranked
        .iter()
        .enumerate()
        .filter(|(rank, (i, _))| if members[*i] { *rank < stay } else { *rank < enter })
        .map(|(rank, _)| rank)
        .collect();
    chosen.truncate(k);
    let mut rank_taken = vec![false; ranked.len()];
    for &r in &chosen {
        rank_taken[r] = true;
    }
    for (r, taken) in rank_taken.iter().enumerate() {
        if chosen.len() >= k {
            break;
        }
        if !taken {
            chosen.push(r);
        }
    }
    let mut out = vec![false; ns];
    for r in chosen {
        out[ranked[r].0] = true;
    }
    out
}

/// Contiguous runs of the mask as inclusive spells, sorted by code then start.
fn spells(dates: &[Date], stocks: &[Stock], mask: &[bool]) -> Vec<Spell> {
    let (nd, ns) = (dates.len(), stocks.len());
    let mut out = Vec::new();
    for i in 0..ns {
        let mut d = 0;
        while d < nd {
            if mask[d * ns + i] {
                let a = d;
                while d + 1 < nd && mask[(d + 1) * ns + i] {
                    d += 1;
                }
                out.push(Spell { code: stocks[i].code.clone(), start: dates[a], end: dates[d] });
            }
            d += 1;
        }
    }
    out.sort();
    out
}
