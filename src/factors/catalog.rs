//! The 41 factors of the paper's Appendix 1, by category, with the inputs each needs.
//!
//! Each factor lists alternative input sets: the first is the direct definition; later ones
//! are derivations (e.g. float shares = volume / turnover) that are marked as derived.

use crate::data::panel::{Panel, field};

/// The paper's five factor categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Category {
    Value,
    Basic,
    Risk,
    Trade,
    Quality,
}

impl Category {
    pub const ALL: [Category; 5] = [Category::Value, Category::Basic, Category::Risk, Category::Trade, Category::Quality];

    /// The paper's name (`value_factor`, …).
    pub fn paper_name(self) -> &'static str {
        match self {
            Category::Value => "value_factor",
            Category::Basic => "basic_factor",
            Category::Risk => "risk_factor",
            Category::Trade => "trade_factor",
            Category::Quality => "fa_factor",
        }
    }
}

/// One input: a daily field or a quarterly financial item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Daily(&'static str),
    Fin(&'static str),
}

/// A factor's code, category and alternative input sets.
pub struct FactorSpec {
    pub code: &'static str,
    pub category: Category,
    pub inputs: &'static [&'static [Input]],
}

use Category::*;
use Input::{Daily as D, Fin as F};

const OHLCV: &[Input] = &[D(field::OPEN), D(field::HIGH), D(field::LOW), D(field::CLOSE), D(field::VOLUME)];
const ADJ_CLOSE: &[&[Input]] = &[&[D(field::CLOSE), D(field::ADJ_FACTOR)], &[D(field::PCT_CHANGE)]];

macro_rules! fin1 {
    ($code:literal, $cat:expr, $($item:literal),+) => {
        FactorSpec { code: $code, category: $cat, inputs: &[&[$(F($item)),+]] }
    };
}

/// All 41 factors, in the paper's order.
pub const FACTORS: [FactorSpec; 41] = [
    FactorSpec { code: "S_VAL_PE", category: Value, inputs: &[&[D(field::PE_TTM)], &[D(field::CLOSE), D(field::TOTAL_SHARES), F("net_profit_parent")]] },
    FactorSpec { code: "S_VAL_PB_NEW", category: Value, inputs: &[&[D(field::PB_MRQ)], &[D(field::CLOSE), D(field::TOTAL_SHARES), F("equity")]] },
    FactorSpec { code: "S_VAL_PS", category: Value, inputs: &[&[D(field::PS_TTM)], &[D(field::CLOSE), D(field::TOTAL_SHARES), F("revenue")]] },
    FactorSpec { code: "S_DQ_TURN", category: Value, inputs: &[&[D(field::TURNOVER)], &[D(field::VOLUME), D(field::FLOAT_SHARES)]] },
    FactorSpec { code: "S_DQ_MV", category: Value, inputs: &[&[D(field::CLOSE), D(field::FLOAT_SHARES)], &[D(field::CLOSE), D(field::VOLUME), D(field::TURNOVER)]] },
    FactorSpec { code: "NET_ASSETS_TODAY", category: Value, inputs: &[&[F("equity")]] },
    fin1!("OPER_REV", Basic, "revenue"),
    fin1!("OPER_PROFIT", Basic, "oper_profit"),
    fin1!("TOT_PROFIT", Basic, "total_profit"),
    fin1!("LESS_SELLING_DISTRIBUT_EXP", Basic, "selling_exp"),
    fin1!("EBIT", Basic, "ebit"),
    fin1!("EBITDA", Basic, "ebitda"),
    fin1!("TOT_CUR_ASSETS", Basic, "cur_assets"),
    fin1!("TOT_CUR_LIAB", Basic, "cur_liab"),
    fin1!("TOT_ASSETS", Basic, "total_assets"),
    fin1!("FIX_ASSETS", Basic, "fixed_assets"),
    fin1!("NET_PROFIT_PARENT_COMP_TTM", Basic, "net_profit_parent"),
    fin1!("NET_CASH_FLOWS_OPER_ACT_TTM", Basic, "oper_cash_flow"),
    fin1!("OPER_REV_TTM", Basic, "revenue"),
    FactorSpec { code: "Variance20", category: Risk, inputs: ADJ_CLOSE },
    FactorSpec { code: "Kurtosis20", category: Risk, inputs: ADJ_CLOSE },
    FactorSpec { code: "Skewness20", category: Risk, inputs: ADJ_CLOSE },
    FactorSpec { code: "SharpeRatio20", category: Risk, inputs: ADJ_CLOSE },
    FactorSpec { code: "VOL20", category: Trade, inputs: &[&[D(field::TURNOVER)], &[D(field::VOLUME), D(field::FLOAT_SHARES)]] },
    FactorSpec { code: "VSTD20", category: Trade, inputs: &[&[D(field::VOLUME)]] },
    FactorSpec { code: "TVMA20", category: Trade, inputs: &[&[D(field::AMOUNT)], OHLCV] },
    FactorSpec { code: "WVAD", category: Trade, inputs: &[OHLCV] },
    fin1!("S_FA_FCFF", Quality, "fcff"),
    fin1!("S_FA_EPS_BASIC", Quality, "net_profit_parent", "total_shares"),
    fin1!("S_FA_BPS", Quality, "equity", "total_shares"),
    fin1!("S_FA_ORPS", Quality, "revenue", "total_shares"),
    fin1!("S_FA_NETPROFITMARGIN", Quality, "net_profit", "revenue"),
    fin1!("S_FA_GCTOGR", Quality, "total_oper_cost", "revenue"),
    fin1!("S_FA_ROE", Quality, "net_profit", "equity"),
    fin1!("S_FA_OPERATEINCOMETOEBT", Quality, "oper_net_income", "total_profit"),
    fin1!("S_FA_CATOASSETS", Quality, "cur_assets", "total_assets"),
    fin1!("S_FA_CURRENT", Quality, "cur_assets", "cur_liab"),
    fin1!("S_FA_QUICK", Quality, "cur_assets", "inventory", "cur_liab"),
    fin1!("S_FA_FATURN", Quality, "revenue", "fixed_assets"),
    fin1!("S_FA_OPTOLIQDEBT", Quality, "oper_profit", "cur_liab"),
    fin1!("S_FA_PROFITTOOP", Quality, "total_profit", "revenue"),
];

/// Whether a data set supports a factor.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Support {
    /// The direct inputs are present.
    Direct,
    /// Computable from a derivation (alternative input set `n`).
    Derived(usize),
    /// Not computable; the direct definition's missing inputs.
    Missing(Vec<String>),
}

impl Input {
    pub fn name(self) -> String {
        match self {
            Input::Daily(f) => f.to_string(),
            Input::Fin(f) => format!("financials.{f}"),
        }
    }

    fn present(self, panel: &Panel) -> bool {
        match self {
            Input::Daily(f) => panel.fields.get(f).is_some_and(|m| m.count_finite() > 0),
            Input::Fin(f) => panel.financials.as_ref().is_some_and(|fin| fin.fields.iter().any(|x| x == f)),
        }
    }
}

/// Which input set of `spec` the panel can feed.
pub fn support(spec: &FactorSpec, panel: &Panel) -> Support {
    for (i, set) in spec.inputs.iter().enumerate() {
        if set.iter().all(|inp| inp.present(panel)) {
            return if i == 0 { Support::Direct } else { Support::Derived(i) };
        }
    }
    Support::Missing(spec.inputs[0].iter().filter(|i| !i.present(panel)).map(|i| i.name()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_the_papers_counts() {
        let count = |c: Category| FACTORS.iter().filter(|f| f.category == c).count();
        assert_eq!([count(Value), count(Basic), count(Risk), count(Trade), count(Quality)], [6, 13, 4, 4, 14]);
        let mut codes: Vec<_> = FACTORS.iter().map(|f| f.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 41);
    }
}
