//! Financial-quality factors (财务与质量类), point-in-time. Flows in ratios are TTM (sum of
//! the latest four quarters); balances are the latest period-end value; per-share items
//! divide by the report's `total_shares`.

use crate::data::Matrix;
use crate::data::field;
use crate::factors::inputs::{Inputs, ratio};
use crate::factors::pit::Basis::{self, Latest, Ttm};
use crate::factors::spec::{Alt, Category, FactorSpec, Input::Daily as D, Input::Fin as F, Input::Shares};

/// `num / den` of two quarterly items on their bases.
fn fin_ratio(i: &Inputs, num: &str, nb: Basis, den: &str, db: Basis) -> Option<Matrix> {
    Some(ratio(&i.fin(num, nb)?, &i.fin(den, db)?))
}

/// A factor with its definition (alternative 0) and one more way to compute it.
macro_rules! q2 {
    ($code:literal, $unit:literal, [$($item:literal),+], [$($alt:expr),+], $how:expr, $f:expr) => {
        FactorSpec {
            code: $code,
            category: Category::Quality,
            unit: $unit,
            alts: &[Alt { inputs: &[$(F($item)),+], derived: None }, Alt { inputs: &[$($alt),+], derived: $how }],
            compute: $f,
        }
    };
}

macro_rules! q {
    ($code:literal, $unit:literal, [$($item:literal),+], $f:expr) => {
        FactorSpec {
            code: $code,
            category: Category::Quality,
            unit: $unit,
            alts: &[Alt { inputs: &[$(F($item)),+], derived: None }],
            compute: $f,
        }
    };
}

pub const FACTORS: [FactorSpec; 14] = [
    q!("S_FA_FCFF", "CNY", ["fcff"], |i, _| i.fin("fcff", Ttm)),
    q2!(
        "S_FA_EPS_BASIC",
        "CNY/share",
        ["net_profit_parent", "total_shares"],
        [F("epsTTM")],
        Some("EPS = epsTTM (TTM parent net profit / latest total shares)"),
        |i, alt| match alt {
            0 => fin_ratio(i, "net_profit_parent", Ttm, "total_shares", Latest),
            _ => i.fin("epsTTM", Latest),
        }
    ),
    q2!(
        "S_FA_BPS",
        "CNY/share",
        ["equity", "total_shares"],
        [D(field::CLOSE), D(field::PB_MRQ)],
        Some("BPS = close / pbMRQ"),
        |i, alt| match alt {
            0 => fin_ratio(i, "equity", Latest, "total_shares", Latest),
            _ => Some(ratio(i.daily(field::CLOSE)?, i.daily(field::PB_MRQ)?)),
        }
    ),
    q!("S_FA_ORPS", "CNY/share", ["revenue", "total_shares"], |i, _| fin_ratio(i, "revenue", Ttm, "total_shares", Latest)),
    q!("S_FA_NETPROFITMARGIN", "ratio", ["net_profit", "revenue"], |i, _| fin_ratio(i, "net_profit", Ttm, "revenue", Ttm)),
    q!("S_FA_GCTOGR", "ratio", ["total_oper_cost", "revenue"], |i, _| fin_ratio(i, "total_oper_cost", Ttm, "revenue", Ttm)),
    q2!(
        "S_FA_ROE",
        "ratio",
        ["net_profit", "equity"],
        [F("net_profit"), D(field::CLOSE), Shares, D(field::PB_MRQ)],
        Some("ROE = net profit TTM / (close x total shares / pbMRQ)"),
        |i, alt| match alt {
            0 => fin_ratio(i, "net_profit", Ttm, "equity", Latest),
            _ => Some(ratio(&i.fin("net_profit", Ttm)?, &i.equity_from_pb()?)),
        }
    ),
    q!("S_FA_OPERATEINCOMETOEBT", "ratio", ["oper_net_income", "total_profit"], |i, _| fin_ratio(
        i,
        "oper_net_income",
        Ttm,
        "total_profit",
        Ttm
    )),
    q2!("S_FA_CATOASSETS", "ratio", ["cur_assets", "total_assets"], [F("CAToAsset")], None, |i, alt| match alt {
        0 => fin_ratio(i, "cur_assets", Latest, "total_assets", Latest),
        _ => i.fin("CAToAsset", Latest),
    }),
    q2!("S_FA_CURRENT", "ratio", ["cur_assets", "cur_liab"], [F("currentRatio")], None, |i, alt| match alt {
        0 => fin_ratio(i, "cur_assets", Latest, "cur_liab", Latest),
        _ => i.fin("currentRatio", Latest),
    }),
    q2!("S_FA_QUICK", "ratio", ["cur_assets", "inventory", "cur_liab"], [F("quickRatio")], None, |i, alt| match alt {
        0 => quick(i, 0),
        _ => i.fin("quickRatio", Latest),
    }),
    q!("S_FA_FATURN", "1/year", ["revenue", "fixed_assets"], |i, _| fin_ratio(i, "revenue", Ttm, "fixed_assets", Latest)),
    q!("S_FA_OPTOLIQDEBT", "1/year", ["oper_profit", "cur_liab"], |i, _| fin_ratio(i, "oper_profit", Ttm, "cur_liab", Latest)),
    q!("S_FA_PROFITTOOP", "ratio", ["total_profit", "revenue"], |i, _| fin_ratio(i, "total_profit", Ttm, "revenue", Ttm)),
];

/// (current assets − inventory) / current liabilities.
fn quick(i: &Inputs, _alt: usize) -> Option<Matrix> {
    let liquid = i.fin("cur_assets", Latest)?.zip_with(&i.fin("inventory", Latest)?, |a, b| a - b);
    Some(ratio(&liquid, &i.fin("cur_liab", Latest)?))
}
