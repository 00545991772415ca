//! Value factors (价值类): valuation ratios, turnover, float market cap, net assets.

use crate::data::{Matrix, field};
use crate::factors::inputs::{Inputs, ratio};
use crate::factors::pit::Basis;
use crate::factors::spec::{Alt, Category, FactorSpec, Input::Daily as D, Input::Fin as F, Input::Shares};

pub const FACTORS: [FactorSpec; 6] = [
    FactorSpec {
        code: "S_VAL_PE",
        category: Category::Value,
        unit: "ratio",
        alts: &[
            Alt { inputs: &[D(field::CLOSE), Shares, F("net_profit_parent")], derived: None },
            Alt { inputs: &[D(field::CLOSE), Shares, F("net_profit_parent_ttm")], derived: None },
            Alt { inputs: &[D(field::PE_TTM)], derived: None },
        ],
        compute: |i, alt| match alt {
            0 => price_to(i, 0, "net_profit_parent", Basis::Ttm, field::PE_TTM),
            1 => price_to(i, 0, "net_profit_parent_ttm", Basis::Latest, field::PE_TTM),
            _ => price_to(i, 1, "", Basis::Latest, field::PE_TTM),
        },
    },
    FactorSpec {
        code: "S_VAL_PB_NEW",
        category: Category::Value,
        unit: "ratio",
        alts: &[
            Alt { inputs: &[D(field::CLOSE), Shares, F("equity")], derived: None },
            Alt { inputs: &[D(field::PB_MRQ)], derived: None },
        ],
        compute: |i, alt| price_to(i, alt, "equity", Basis::Latest, field::PB_MRQ),
    },
    FactorSpec {
        code: "S_VAL_PS",
        category: Category::Value,
        unit: "ratio",
        alts: &[
            Alt { inputs: &[D(field::CLOSE), Shares, F("revenue")], derived: None },
            Alt { inputs: &[D(field::PS_TTM)], derived: None },
        ],
        compute: |i, alt| price_to(i, alt, "revenue", Basis::Ttm, field::PS_TTM),
    },
    FactorSpec {
        code: "S_DQ_TURN",
        category: Category::Value,
        unit: "%",
        alts: &[
            Alt { inputs: &[D(field::TURNOVER)], derived: None },
            Alt { inputs: &[D(field::VOLUME), D(field::FLOAT_SHARES)], derived: Some("volume / float_shares x 100") },
        ],
        compute: |i, alt| turnover(i, alt),
    },
    FactorSpec {
        code: "S_DQ_MV",
        category: Category::Value,
        unit: "CNY",
        alts: &[
            Alt { inputs: &[D(field::CLOSE), D(field::FLOAT_SHARES)], derived: None },
            Alt {
                inputs: &[D(field::CLOSE), D(field::VOLUME), D(field::TURNOVER)],
                derived: Some("float shares = volume / (turnover / 100)"),
            },
        ],
        compute: |i, _| Some(i.daily(field::CLOSE)?.zip_with(&i.float_shares()?, |p, n| p * n)),
    },
    FactorSpec {
        code: "NET_ASSETS_TODAY",
        category: Category::Value,
        unit: "CNY",
        alts: &[
            Alt { inputs: &[F("equity")], derived: None },
            Alt {
                inputs: &[D(field::CLOSE), Shares, D(field::PB_MRQ)],
                derived: Some("net assets = close x total shares / pbMRQ"),
            },
        ],
        compute: |i, alt| match alt {
            0 => i.fin("equity", Basis::Latest),
            _ => i.equity_from_pb(),
        },
    },
];

/// Market cap over a quarterly item (alternative 0), or the published ratio (alternative 1).
fn price_to(i: &Inputs, alt: usize, item: &str, basis: Basis, published: &str) -> Option<Matrix> {
    match alt {
        0 => Some(ratio(&i.total_market_cap()?, &i.fin(item, basis)?)),
        _ => i.daily(published).cloned(),
    }
}

/// Turnover rate, %: given (alternative 0) or volume / float shares.
pub fn turnover(i: &Inputs, alt: usize) -> Option<Matrix> {
    match alt {
        0 => i.daily(field::TURNOVER).cloned(),
        _ => Some(ratio(i.daily(field::VOLUME)?, i.daily(field::FLOAT_SHARES)?).map(|r| r * 100.0)),
    }
}
