//! Basic factors (基础类): account items, point-in-time. Flows are the latest single quarter
//! unless the code says TTM (sum of the latest four quarters); balances are period-end values.

use crate::data::field;
use crate::factors::inputs::Inputs;
use crate::factors::pit::Basis;
use crate::factors::spec::{Alt, Category, FactorSpec, Input::Daily as D, Input::Fin as F, Input::Shares};

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
    FactorSpec {
        code: "TOT_ASSETS",
        category: Category::Basic,
        unit: "CNY",
        alts: &[
            Alt { inputs: &[F("total_assets")], derived: None },
            Alt {
                inputs: &[D(field::CLOSE), Shares, D(field::PB_MRQ), F("assetToEquity")],
                derived: Some("total assets = close x total shares / pbMRQ x assetToEquity"),
            },
        ],
        compute: |i, alt| match alt {
            0 => i.fin("total_assets", Basis::Latest),
            _ => Some(i.equity_from_pb()?.zip_with(&i.fin("assetToEquity", Basis::Latest)?, |e, k| e * k)),
        },
    },
    item!("FIX_ASSETS", "fixed_assets", Basis::Latest),
    FactorSpec {
        code: "NET_PROFIT_PARENT_COMP_TTM",
        category: Category::Basic,
        unit: "CNY",
        alts: &[
            Alt { inputs: &[F("net_profit_parent")], derived: None },
            Alt { inputs: &[F("net_profit_parent_ttm")], derived: None },
        ],
        compute: parent_profit_ttm,
    },
    item!("NET_CASH_FLOWS_OPER_ACT_TTM", "oper_cash_flow", Basis::Ttm),
    item!("OPER_REV_TTM", "revenue", Basis::Ttm),
];

/// TTM parent net profit: four single quarters (alternative 0), or the published TTM.
fn parent_profit_ttm(i: &Inputs, alt: usize) -> Option<crate::data::Matrix> {
    match alt {
        0 => i.fin("net_profit_parent", Basis::Ttm),
        _ => i.fin("net_profit_parent_ttm", Basis::Latest),
    }
}
