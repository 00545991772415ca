//! The synthetic trading calendar: weekdays minus a few deterministic holiday closures.
//!
//! Closures (an approximation of the SSE/SZSE calendar, documented in docs/SYNTH.md):
//! - New Year: 1 January, or the Monday after when it falls on a weekend;
//! - Spring Festival: the eve of the lunar new year and the six days after it
//!   (table of lunar new-year dates for 2005–2030, a mean-new-moon estimate otherwise);
//! - Labour Day: 1–3 May;
//! - National Day: 1–7 October.

use crate::data::Date;

/// Trading days in `[start, end]`, ascending.
pub fn trading_days(start: Date, end: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = start;
    let mut year = i32::MIN;
    let mut closed: Vec<Date> = Vec::new();
    while d <= end {
        if d.year() != year {
            year = d.year();
            closed = closures(year);
        }
        if d.weekday() < 5 && !closed.contains(&d) {
            out.push(d);
        }
        d = d.add_days(1);
    }
    out
}

/// Every holiday closure of `year` (weekend days included; they are closed anyway).
pub fn closures(year: i32) -> Vec<Date> {
    let mut out = Vec::new();
    let ymd = |m, d| Date::from_ymd(year, m, d).expect("fixed holiday dates exist");
    let new_year = ymd(1, 1);
    out.push(new_year);
    match new_year.weekday() {
        5 => out.push(new_year.add_days(2)), // Saturday -> Monday
        6 => out.push(new_year.add_days(1)), // Sunday -> Monday
        _ => {}
    }
    let cny = lunar_new_year(year);
    out.extend((-1..=5).map(|k| cny.add_days(k)));
    out.extend((1..=3).map(|d| ymd(5, d)));
    out.extend((1..=7).map(|d| ymd(10, d)));
    out
}

/// Gregorian date of the lunar new year (Spring Festival day one).
pub fn lunar_new_year(year: i32) -> Date {
    const TABLE: [(u32, u32); 26] = [
        (2, 9),
        (1, 29),
        (2, 18),
        (2, 7),
        (1, 26), // 2005–2009
        (2, 14),
        (2, 3),
        (1, 23),
        (2, 10),
        (1, 31), // 2010–2014
        (2, 19),
        (2, 8),
        (1, 28),
        (2, 16),
        (2, 5), // 2015–2019
        (1, 25),
        (2, 12),
        (2, 1),
        (1, 22),
        (2, 10), // 2020–2024
        (1, 29),
        (2, 17),
        (2, 6),
        (1, 26),
        (2, 13), // 2025–2029
        (2, 3),  // 2030
    ];
    if (2005..=2030).contains(&year) {
        let (m, d) = TABLE[(year - 2005) as usize];
        return Date::from_ymd(year, m, d).expect("table dates exist");
    }
    mean_new_moon_estimate(year)
}

/// The lunar new year without a table: the first mean new moon (Beijing time) on or after
/// 21 January. Off by a day now and then.
fn mean_new_moon_estimate(year: i32) -> Date {
    const SYNODIC: f64 = 29.530_588_853;
    let epoch = Date::from_ymd(2000, 1, 6).expect("epoch exists").0 as f64 + (18.23 + 8.0) / 24.0;
    let jan21 = Date::from_ymd(year, 1, 21).expect("21 January exists").0 as f64;
    let k = ((jan21 - epoch) / SYNODIC).ceil();
    Date((epoch + k * SYNODIC).floor() as i32)
}

/// The second Friday of `month` in `year`.
pub fn second_friday(year: i32, month: u32) -> Date {
    let first = Date::from_ymd(year, month, 1).expect("first of month exists");
    let to_friday = (4 + 7 - first.weekday() as i32) % 7;
    first.add_days(to_friday + 7)
}

/// Quarter ends (31 Mar, 30 Jun, 30 Sep, 31 Dec) in `[from, to]`, ascending.
pub fn quarter_ends(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    for y in from.year() - 1..=to.year() {
        for (m, d) in [(3, 31), (6, 30), (9, 30), (12, 31)] {
            let q = Date::from_ymd(y, m, d).expect("quarter ends exist");
            if q >= from && q <= to {
                out.push(q);
            }
        }
    }
    out
}

/// The `n` quarter ends strictly before `d`, ascending.
pub fn quarter_ends_before(d: Date, n: usize) -> Vec<Date> {
    let from = Date::from_ymd(d.year() - (n as i32) / 4 - 2, 1, 1).expect("1 January exists");
    let all: Vec<Date> = quarter_ends(from, d.add_days(-1));
    all[all.len().saturating_sub(n)..].to_vec()
}

/// Index of the last trading day on or before `d`, if any.
pub fn last_on_or_before(dates: &[Date], d: Date) -> Option<usize> {
    dates.partition_point(|x| *x <= d).checked_sub(1)
}

/// Index of the first trading day on or after `d`, if any.
pub fn first_on_or_after(dates: &[Date], d: Date) -> Option<usize> {
    let i = dates.partition_point(|x| *x < d);
    (i < dates.len()).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    #[test]
    fn closes_the_listed_holidays() {
        let days = trading_days(d("2019-01-01"), d("2019-12-31"));
        // 2019 had 261 weekdays; closed weekdays here: 1 Jan, 4–8 Feb (eve 4 Feb .. 10 Feb
        // covers Mon–Fri 4–8), 1–3 May, 1–4 and 7 Oct -> 1 + 5 + 3 + 5 = 14 -> 247.
        assert_eq!(days.len(), 247);
        for closed in ["2019-01-01", "2019-02-05", "2019-05-01", "2019-10-07"] {
            assert!(!days.contains(&d(closed)), "{closed}");
        }
        assert!(days.contains(&d("2019-02-11")) && days.contains(&d("2019-10-08")));
        assert!(days.iter().all(|x| x.weekday() < 5));
    }

    #[test]
    fn lunar_estimate_is_close_to_the_table() {
        // The fallback formula against the table years: within one day.
        for y in 2005..=2030 {
            let t = lunar_new_year(y).0;
            let f = mean_new_moon_estimate(y).0;
            assert!((f - t).abs() <= 1, "{y}: table {t} formula {f}");
        }
    }

    #[test]
    fn second_fridays_and_quarters() {
        assert_eq!(second_friday(2021, 6), d("2021-06-11"));
        assert_eq!(second_friday(2020, 5), d("2020-05-08"));
        assert_eq!(
            quarter_ends_before(d("2015-01-01"), 5),
            vec![d("2013-12-31"), d("2014-03-31"), d("2014-06-30"), d("2014-09-30"), d("2014-12-31")]
        );
        let days = trading_days(d("2020-06-01"), d("2020-07-10"));
        assert_eq!(days[last_on_or_before(&days, d("2020-06-30")).unwrap()], d("2020-06-30"));
        assert_eq!(days[first_on_or_after(&days, d("2020-07-04")).unwrap()], d("2020-07-06"));
    }
}
