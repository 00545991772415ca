//! A calendar date as days since 1970-01-01 (proleptic Gregorian), parsed from
//! `YYYY-MM-DD`, `YYYYMMDD` or `YYYY/MM/DD` and printed as `YYYY-MM-DD`.

use std::fmt;
use std::str::FromStr;

/// Days since 1970-01-01. Ordering is chronological.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Date(pub i32);

impl Date {
    /// Builds a date from year, month (1–12) and day (1–31); `None` if it does not exist.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Day of week, 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        (self.0 + 3).rem_euclid(7) as u32
    }

    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// Parses `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` (ASCII bytes).
    pub fn parse_bytes(s: &[u8]) -> Option<Date> {
        let digits = |b: &[u8]| -> Option<u32> {
            let mut v = 0u32;
            for &c in b {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + (c - b'0') as u32;
            }
            Some(v)
        };
        let (y, m, d) = match s.len() {
            10 if (s[4] == b'-' && s[7] == b'-') || (s[4] == b'/' && s[7] == b'/') => {
                (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?)
            }
            8 => (digits(&s[0..4])?, digits(&s[4..6])?, digits(&s[6..8])?),
            _ => return None,
        };
        Date::from_ymd(y as i32, m, d)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse_bytes(s.trim().as_bytes()).ok_or_else(|| format!("`{s}` is not a date (expected YYYY-MM-DD)"))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The positions `a..b` of the ascending `dates` inside `[start, end]` (either bound
/// optional); `a >= b` when none is.
pub fn range_positions(dates: &[Date], start: Option<Date>, end: Option<Date>) -> (usize, usize) {
    let a = start.map_or(0, |s| dates.partition_point(|d| *d < s));
    let b = end.map_or(dates.len(), |e| dates.partition_point(|d| *d <= e));
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_dates() {
        // 1970-01-01 is day 0; 2000-03-01 is 11017 days later (30 years of 365 + 7 leap days + 59).
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2000, 3, 1), Some(Date(11_017)));
        for n in [-800_000, -1, 0, 59, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = Date(n).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(n)));
        }
        assert_eq!(Date::from_ymd(2017, 1, 3).unwrap().to_string(), "2017-01-03");
        // 2017-01-03 was a Tuesday.
        assert_eq!(Date::from_ymd(2017, 1, 3).unwrap().weekday(), 1);
    }

    #[test]
    fn parses_the_three_layouts_and_rejects_nonsense() {
        let d = Date::from_ymd(2022, 7, 1).unwrap();
        assert_eq!(Date::parse_bytes(b"2022-07-01"), Some(d));
        assert_eq!(Date::parse_bytes(b"2022/07/01"), Some(d));
        assert_eq!(Date::parse_bytes(b"20220701"), Some(d));
        for bad in ["2022-02-30", "2021-13-01", "2022-7-1", "abcd-ef-gh", "", "2022-07-01x"] {
            assert_eq!(Date::parse_bytes(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(Date::parse_bytes(b"2024-02-29").map(|d| d.ymd()), Some((2024, 2, 29)));
    }
}
