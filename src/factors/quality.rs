//! Financial-quality factors (财务与质量类), point-in-time. Flows in ratios are TTM (sum of
//! the latest four quarters); balances are the latest period-end value; per-share items
//! divide by the report's `total_shares`.

use crate::data::Matrix;
use crate::factors::inputs::{Inputs, ratio};
use crate::factors::pit::Basis::{self, Latest, Ttm};
use crate::factors::spec::{Alt, Category, FactorSpec, Input::Fin as F};

/// `num / den` of two quarterly items on their bases.
fn fin_ratio(i: &Inputs, num: &str, nb: Basis, den: &str, db: Basis) -> Option<Matrix> {
    Some(ratio(&i.fin(num, nb)?, &i.fin(den, db)?))
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
    q!("S_FA_EPS_BASIC", "CNY/share", ["net_profit_parent", "total_shares"], |i, _| fin_ratio(
        i,
        "net_profit_parent",
        Ttm,
        "total_shares",
        Latest
    )),
    q!("S_FA_BPS", "CNY/share", ["equity", "total_shares"], |i, _| fin_ratio(i, "equity", Latest, "total_shares", Latest)),
    q!("S_FA_ORPS", "CNY/share", ["revenue", "total_shares"], |i, _| fin_ratio(i, "revenue", Ttm, "total_shares", Latest)),
    q!("S_FA_NETPROFITMARGIN", "ratio", ["net_profit", "revenue"], |i, _| fin_ratio(i, "net_profit", Ttm, "revenue", Ttm)),
    q!("S_FA_GCTOGR", "ratio", ["total_oper_cost", "revenue"], |i, _| fin_ratio(i, "total_oper_cost", Ttm, "revenue", Ttm)),
    q!("S_FA_ROE", "ratio", ["net_profit", "equity"], |i, _| fin_ratio(i, "net_profit", Ttm, "equity", Latest)),
    q!("S_FA_OPERATEINCOMETOEBT", "ratio", ["oper_net_income", "total_profit"], |i, _| fin_ratio(
        i,
        "oper_net_income",
        Ttm,
        "total_profit",
        Ttm
    )),
    q!("S_FA_CATOASSETS", "ratio", ["cur_assets", "total_assets"], |i, _| fin_ratio(
        i,
        "cur_assets",
        Latest,
        "total_assets",
        Latest
    )),
    q!("S_FA_CURRENT", "ratio", ["cur_assets", "cur_liab"], |i, _| fin_ratio(i, "cur_assets", Latest, "cur_liab", Latest)),
    q!("S_FA_QUICK", "ratio", ["cur_assets", "inventory", "cur_liab"], quick),
    q!("S_FA_FATURN", "1/year", ["revenue", "fixed_assets"], |i, _| fin_ratio(i, "revenue", Ttm, "fixed_assets", Latest)),
    q!("S_FA_OPTOLIQDEBT", "1/year", ["oper_profit", "cur_liab"], |i, _| fin_ratio(i, "oper_profit", Ttm, "cur_liab", Latest)),
    q!("S_FA_PROFITTOOP", "ratio", ["total_profit", "revenue"], |i, _| fin_ratio(i, "total_profit", Ttm, "revenue", Ttm)),
];

/// (current assets − inventory) / current liabilities.
fn quick(i: &Inputs, _alt: usize) -> Option<Matrix> {
    let liquid = i.fin("cur_assets", Latest)?.zip_with(&i.fin("inventory", Latest)?, |a, b| a - b);
    Some(ratio(&liquid, &i.fin("cur_liab", Latest)?))
}
