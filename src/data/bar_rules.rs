//! One rulebook for a daily bar, called by every loader (standard `daily.csv`, baostock
//! exports, qlib `.bin` files, `index.csv`), so that the same bad row gives the same error
//! whatever file it came from. A missing value (`NaN`) is never a violation: rules compare
//! only the values that are there.
//!
//! The rules, in the order they are checked:
//! 1. a price (open, high, low, close) is positive: `0` is not a missing value (a zero close
//!    turned a 0.09 volatility into 12.4 and a P/E into 0), a negative one is no price;
//! 2. volume is not negative;
//! 3. high is not below low;
//! 4. open and close lie in `[low, high]`, to [`REL_TOL`]: adjusted prices stored as
//!    `float32`, as qlib's are, round to ~6e-8, and qlib's own CSI 500 levels have a close
//!    7e-6 below the day's low (2016-08-11); no bar of the shared data is further out.

/// Relative slack for rule 4.
pub const REL_TOL: f64 = 1e-5;

/// One day of one instrument, in any consistent price basis; `NaN` = not given.
#[derive(Clone, Copy, Debug)]
pub struct Bar {
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

/// The bar's fields, in the order [`Violation::slot`] counts them.
pub const FIELDS: [&str; 5] = ["open", "high", "low", "close", "volume"];

/// The field a broken rule is reported against, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// Position in [`FIELDS`].
    pub slot: usize,
    pub reason: String,
}

impl Violation {
    /// `open`, `high`, `low`, `close` or `volume`.
    pub fn field(&self) -> &'static str {
        FIELDS[self.slot]
    }
}

impl From<[f64; 5]> for Bar {
    /// The values in [`FIELDS`] order (`NaN` for a field the file lacks).
    fn from([open, high, low, close, volume]: [f64; 5]) -> Bar {
        Bar { open, high, low, close, volume }
    }
}

impl Bar {
    /// Whether the bar keeps every rule: [`Bar::check`]'s verdict as one test without
    /// branches, for checking many bars (`check` then says which rule a failing one breaks).
    #[inline]
    pub fn passes(&self) -> bool {
        let Bar { open: o, high: h, low: l, close: c, volume: v } = *self;
        let (top, bottom) = (h * (1.0 + REL_TOL), l * (1.0 - REL_TOL));
        // Comparisons with NaN are false: a missing value breaks no rule.
        !(o <= 0.0)
            & !(h <= 0.0)
            & !(l <= 0.0)
            & !(c <= 0.0)
            & !(v < 0.0)
            & !(h < l)
            & !(o > top)
            & !(o < bottom)
            & !(c > top)
            & !(c < bottom)
    }

    /// The first rule the bar breaks, if any.
    pub fn check(&self) -> Result<(), Violation> {
        let fail = |slot, reason: String| Err(Violation { slot, reason });
        for (slot, v) in [self.open, self.high, self.low, self.close].into_iter().enumerate() {
            if v == 0.0 {
                return fail(slot, "price 0: leave a missing price empty (0 is not a price)".into());
            }
            if v < 0.0 {
                return fail(slot, format!("negative price {v}"));
            }
        }
        if self.volume < 0.0 {
            return fail(4, format!("negative volume {}", self.volume));
        }
        if self.high < self.low {
            return fail(1, format!("high {} is below low {}", self.high, self.low));
        }
        for (slot, v) in [(0, self.open), (3, self.close)] {
            let field = FIELDS[slot];
            if v > self.high * (1.0 + REL_TOL) {
                return fail(slot, format!("{field} {v} is above high {}", self.high));
            }
            if v < self.low * (1.0 - REL_TOL) {
                return fail(slot, format!("{field} {v} is below low {}", self.low));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(o: f64, h: f64, l: f64, c: f64, v: f64) -> Bar {
        Bar { open: o, high: h, low: l, close: c, volume: v }
    }

    #[test]
    fn each_rule_names_its_field() {
        let field = |b: Bar| b.check().unwrap_err().field();
        assert_eq!(field(bar(0.0, 11.0, 9.0, 10.0, 5.0)), "open");
        assert_eq!(field(bar(10.0, 11.0, 9.0, -1.0, 5.0)), "close");
        assert_eq!(field(bar(10.0, 11.0, 9.0, 10.0, -5.0)), "volume");
        assert_eq!(field(bar(10.0, 9.0, 11.0, 10.0, 5.0)), "high");
        assert_eq!(field(bar(10.0, 11.0, 9.0, 11.5, 5.0)), "close");
        assert_eq!(field(bar(8.0, 11.0, 9.0, 10.0, 5.0)), "open");
        let e = bar(10.0, 11.0, 9.0, 12.0, 1.0).check().unwrap_err().reason;
        assert_eq!(e, "close 12 is above high 11");
    }

    #[test]
    fn missing_values_and_float32_rounding_pass() {
        let nan = f64::NAN;
        assert!(bar(nan, nan, nan, nan, nan).check().is_ok());
        assert!(Bar::from([nan, nan, nan, 3000.0, nan]).check().is_ok());
        assert!(bar(10.0, nan, nan, 10.0, 0.0).check().is_ok());
        // A suspended day: every price the previous close, no volume.
        assert!(bar(10.0, 10.0, 10.0, 10.0, 0.0).check().is_ok());
        // float32 rounding of an adjusted close equal to its high.
        let h = 123.456_f64;
        assert!(bar(h, h, 100.0, (h as f32) as f64, 1.0).check().is_ok());
    }

    /// `passes` is `check`'s verdict on every combination of values around the rules'
    /// edges: missing, zero (both signs), negative, the tolerance's bounds and beyond.
    #[test]
    fn passes_agrees_with_check() {
        let (t, nan) = (REL_TOL, f64::NAN);
        let prices = [
            nan,
            0.0,
            -0.0,
            -1.0,
            9.0,
            9.0 * (1.0 - t),
            9.0 * (1.0 - 2.0 * t),
            10.0,
            11.0,
            11.0 * (1.0 + t),
            11.0 * (1.0 + 2.0 * t),
        ];
        let mut n = 0;
        for o in prices {
            for h in [nan, 0.0, 9.0, 11.0] {
                for l in [nan, -1.0, 9.0, 11.0] {
                    for c in prices {
                        for v in [nan, -0.0, -1.0, 0.0, 5.0] {
                            let b = bar(o, h, l, c, v);
                            assert_eq!(b.passes(), b.check().is_ok(), "{b:?}");
                            n += usize::from(!b.passes());
                        }
                    }
                }
            }
        }
        assert!(n > 1000, "only {n} failing bars tried");
    }
}
