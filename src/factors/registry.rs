//! The registry of the paper's 41 factors (Appendix 1): code, category, unit, the input sets
//! that can feed each one, and its compute function. One source of truth for both
//! `alphasweep data` (what a data set supports) and `alphasweep factors` (what it computes).

use crate::data::{Matrix, Panel};
use crate::factors::inputs::Inputs;
use crate::factors::{basic, quality, risk, trade, value};

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

/// One way of computing a factor: the inputs it needs, and a note when it is a derivation
/// rather than the definition (e.g. float shares = volume / turnover).
pub struct Alt {
    pub inputs: &'static [Input],
    pub derived: Option<&'static str>,
}

/// A factor: its paper code, category, unit, input alternatives (tried in order) and the
/// function computing it with alternative `i`.
pub struct FactorSpec {
    pub code: &'static str,
    pub category: Category,
    pub unit: &'static str,
    pub alts: &'static [Alt],
    pub compute: fn(&Inputs, usize) -> Option<Matrix>,
}

/// Whether a data set supports a factor.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Support {
    /// Alternative `alt` works and is a definition.
    Direct(usize),
    /// Alternative `alt` works, through the derivation described.
    Derived(usize, &'static str),
    /// No alternative works; the first one's missing inputs.
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

/// Every factor, in the paper's order.
pub fn all() -> impl Iterator<Item = &'static FactorSpec> {
    value::FACTORS.iter().chain(&basic::FACTORS).chain(&risk::FACTORS).chain(&trade::FACTORS).chain(&quality::FACTORS)
}

/// Looks a factor up by its paper code (case-insensitive).
pub fn find(code: &str) -> Option<&'static FactorSpec> {
    all().find(|f| f.code.eq_ignore_ascii_case(code))
}

/// Which alternative of `spec` the panel can feed.
pub fn support(spec: &FactorSpec, panel: &Panel) -> Support {
    for (i, alt) in spec.alts.iter().enumerate() {
        if alt.inputs.iter().all(|inp| inp.present(panel)) {
            return match alt.derived {
                None => Support::Direct(i),
                Some(how) => Support::Derived(i, how),
            };
        }
    }
    Support::Missing(spec.alts[0].inputs.iter().filter(|i| !i.present(panel)).map(|i| i.name()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::*;

    #[test]
    fn registry_has_the_papers_41_factors() {
        let count = |c: Category| all().filter(|f| f.category == c).count();
        assert_eq!([count(Value), count(Basic), count(Risk), count(Trade), count(Quality)], [6, 13, 4, 4, 14]);
        let mut codes: Vec<_> = all().map(|f| f.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 41);
        assert!(find("s_fa_roe").is_some());
    }
}
