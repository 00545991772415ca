//! Trading (sentiment) factors (情绪类): 20-day turnover, volume and amount statistics, WVAD.

use crate::data::{Matrix, field};
use crate::factors::inputs::Inputs;
use crate::factors::spec::{Alt, Category, FactorSpec, Input::Daily as D};
use crate::factors::value::turnover;
use crate::factors::window::rolling;
use crate::stats::{mean, var};

const OHLCV: &[crate::factors::spec::Input] = &[D(field::OPEN), D(field::HIGH), D(field::LOW), D(field::CLOSE), D(field::VOLUME)];

pub const FACTORS: [FactorSpec; 4] = [
    FactorSpec {
        code: "VOL20",
        category: Category::Trade,
        unit: "%",
        alts: &[
            Alt { inputs: &[D(field::TURNOVER)], derived: None },
            Alt { inputs: &[D(field::VOLUME), D(field::FLOAT_SHARES)], derived: Some("turnover = volume / float_shares x 100") },
        ],
        compute: |i, alt| Some(rolling(&turnover(i, alt)?, 20, mean)),
    },
    FactorSpec {
        code: "VSTD20",
        category: Category::Trade,
        unit: "shares",
        alts: &[Alt { inputs: &[D(field::VOLUME)], derived: None }],
        compute: |i, _| Some(rolling(i.daily(field::VOLUME)?, 20, |w| var(w).sqrt())),
    },
    FactorSpec {
        code: "TVMA20",
        category: Category::Trade,
        unit: "CNY",
        alts: &[
            Alt { inputs: &[D(field::AMOUNT)], derived: None },
            Alt { inputs: OHLCV, derived: Some("amount = volume x (open + high + low + close) / 4") },
        ],
        compute: |i, alt| Some(rolling(&amount(i, alt)?, 20, mean)),
    },
    FactorSpec {
        code: "WVAD",
        category: Category::Trade,
        unit: "shares",
        alts: &[Alt { inputs: OHLCV, derived: None }],
        compute: wvad,
    },
];

fn amount(i: &Inputs, alt: usize) -> Option<Matrix> {
    if alt == 0 {
        return i.daily(field::AMOUNT).cloned();
    }
    let p = i.panel;
    let (o, h, l, c, v) =
        (p.field(field::OPEN)?, p.field(field::HIGH)?, p.field(field::LOW)?, p.field(field::CLOSE)?, p.field(field::VOLUME)?);
    let mut m = v.clone();
    for (k, x) in m.data.iter_mut().enumerate() {
        *x *= (o.data[k] + h.data[k] + l.data[k] + c.data[k]) / 4.0;
    }
    Some(m)
}

/// Σ over the last 6 days of (close − open) / (high − low) × volume; a day with
/// high = low (no range, e.g. suspended) adds 0.
fn wvad(i: &Inputs, _alt: usize) -> Option<Matrix> {
    let p = i.panel;
    let (o, h, l, c, v) =
        (p.field(field::OPEN)?, p.field(field::HIGH)?, p.field(field::LOW)?, p.field(field::CLOSE)?, p.field(field::VOLUME)?);
    let mut daily = v.clone();
    for (k, x) in daily.data.iter_mut().enumerate() {
        let range = h.data[k] - l.data[k];
        *x = if range > 0.0 {
            (c.data[k] - o.data[k]) / range * *x
        } else if range == 0.0 {
            0.0 * *x
        } else {
            f64::NAN
        };
    }
    Some(rolling(&daily, 6, |w| w.iter().sum()))
}
