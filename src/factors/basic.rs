//! Basic factors (基础类): account items, point-in-time. Flows are the latest single quarter
//! unless the code says TTM (sum of the latest four quarters); balances are period-end values.

use crate::factors::pit::Basis;
use crate::factors::spec::{Alt, Category, FactorSpec, Input::Fin as F};

macro_rules! item {
    ($code:literal, $item:literal, $basis:expr) => {
        FactorSpec {
            code: $code,
            category: Category::Basic,
            unit: "CNY",
            alts: &[Alt { inputs: &[F($item)], derived: None }],
            compute: |i, _| i.fin($item, $basis),
        }
    };
}

pub const FACTORS: [FactorSpec; 13] = [
    item!("OPER_REV", "revenue", Basis::Latest),
    item!("OPER_PROFIT", "oper_profit", Basis::Latest),
    item!("TOT_PROFIT", "total_profit", Basis::Latest),
    item!("LESS_SELLING_DISTRIBUT_EXP", "selling_exp", Basis::Latest),
    item!("EBIT", "ebit", Basis::Latest),
    item!("EBITDA", "ebitda", Basis::Latest),
    item!("TOT_CUR_ASSETS", "cur_assets", Basis::Latest),
    item!("TOT_CUR_LIAB", "cur_liab", Basis::Latest),
    item!("TOT_ASSETS", "total_assets", Basis::Latest),
    item!("FIX_ASSETS", "fixed_assets", Basis::Latest),
    item!("NET_PROFIT_PARENT_COMP_TTM", "net_profit_parent", Basis::Ttm),
    item!("NET_CASH_FLOWS_OPER_ACT_TTM", "oper_cash_flow", Basis::Ttm),
    item!("OPER_REV_TTM", "revenue", Basis::Ttm),
];
