//! One stock-day's bar: price limits, OHLC from a target return, and volume.

use crate::data::Date;
use crate::data::code::Board;

use super::rng::Rng;

/// Rounds a price to the 0.01 CNY tick.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Daily price limit (fraction): ±20% on STAR, and on ChiNext from 2020-08-24; otherwise
/// ±5% under ST and ±10% on the main board (ST is only ever drawn on main-board stocks).
pub fn limit(board: Board, date: Date, st: bool) -> f64 {
    let chinext_reform = Date::from_ymd(2020, 8, 24).expect("reform date exists");
    match board {
        Board::Star => 0.20,
        Board::ChiNext if date >= chinext_reform => 0.20,
        Board::Beijing => 0.30,
        _ if st => 0.05,
        _ => 0.10,
    }
}

/// Limit-down and limit-up prices for a reference (previous, ex-right adjusted) close.
pub fn limit_prices(reference: f64, limit: f64) -> (f64, f64) {
    (round2(reference * (1.0 - limit)).max(0.01), round2(reference * (1.0 + limit)))
}

/// Raw prices of one day, CNY, on the 0.01 tick: `low <= open, close <= high`.
#[derive(Clone, Copy, Debug)]
pub struct Bar {
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    /// Opened, traded and closed at one limit price (a "one-word" board).
    pub one_word: bool,
}

/// A bar around `reference` for a target simple return `ret`, with today's volatility
/// `sigma` (fraction) setting the opening gap and the intraday range; everything is
/// clamped to the limits. Always consumes three normals from `rng`.
pub fn make_bar(rng: &mut Rng, reference: f64, ret: f64, sigma: f64, limit: f64) -> Bar {
    let (z1, z2, z3) = (rng.normal(), rng.normal(), rng.normal());
    let (dn, up) = limit_prices(reference, limit);
    let close = round2(reference * (1.0 + ret)).clamp(dn, up);
    let one_word = (ret > 1.6 * limit && close >= up) || (ret < -1.6 * limit && close <= dn);
    if one_word {
        return Bar { open: close, high: close, low: close, close, one_word };
    }
    let open = round2(reference * (1.0 + 0.3 * ret + 0.4 * sigma * z1)).clamp(dn, up);
    let (top, bottom) = (open.max(close), open.min(close));
    let high = round2(top * (1.0 + 0.5 * sigma * z2.abs())).min(up).max(top);
    let low = round2(bottom * (1.0 - 0.5 * sigma * z3.abs())).max(dn).min(bottom);
    Bar { open, high, low, close, one_word }
}

/// Shares traded for a turnover rate (% of float), as a whole number of 100-share lots, at
/// least one lot.
pub fn lots(turnover_pct: f64, float_shares: f64) -> f64 {
    ((turnover_pct * float_shares / 100.0 / 100.0).round() * 100.0).max(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_board_date_and_st() {
        let before = Date::from_ymd(2020, 8, 21).unwrap();
        let after = Date::from_ymd(2020, 8, 24).unwrap();
        assert_eq!(limit(Board::Main, after, false), 0.10);
        assert_eq!(limit(Board::Main, after, true), 0.05);
        assert_eq!(limit(Board::ChiNext, before, false), 0.10);
        assert_eq!(limit(Board::ChiNext, after, false), 0.20);
        assert_eq!(limit(Board::Star, before, false), 0.20);
        // 10.00 * 1.1 = 11.00 and 10.00 * 0.9 = 9.00; 7.77 * 1.1 = 8.547 -> 8.55.
        assert_eq!(limit_prices(10.0, 0.10), (9.0, 11.0));
        assert_eq!(limit_prices(7.77, 0.10).1, 8.55);
    }

    #[test]
    fn bars_are_consistent_and_clamped() {
        let mut r = Rng::new(3);
        for k in 0..2000 {
            let ret = (k as f64 - 1000.0) / 4000.0; // -25% .. +25%
            let b = make_bar(&mut r, 12.34, ret, 0.03, 0.10);
            assert!(b.low <= b.open.min(b.close) && b.high >= b.open.max(b.close), "{b:?}");
            assert!(b.low >= 11.11 - 1e-9 && b.high <= 13.57 + 1e-9, "{b:?}");
            if ret > 0.2 {
                assert!(b.one_word && b.close == 13.57);
            }
        }
        assert_eq!(lots(1.0, 1_234_567.0), 12_300.0);
        assert_eq!(lots(0.0001, 1000.0), 100.0);
    }
}
