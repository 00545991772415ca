//! The factor specification types: a factor's code, category, unit, the input sets that can
//! feed it (with the derivation each one uses) and its compute function. The category files
//! (`value`, `basic`, `risk`, `trade`, `quality`) hold tables of these; `registry` chains them.

use crate::data::{Matrix, Panel};
use crate::factors::inputs::Inputs;

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
    /// Total shares: the daily field, or the accounts' `total_shares` point-in-time.
    Shares,
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
            Input::Shares => "total_shares".into(),
        }
    }

    /// Whether `panel` has this input (a daily field with a finite value, or a financial item).
    pub fn present(self, panel: &Panel) -> bool {
        match self {
            Input::Daily(f) => panel.fields.get(f).is_some_and(|m| m.count_finite() > 0),
            Input::Fin(f) => panel.financials.as_ref().is_some_and(|fin| fin.fields.iter().any(|x| x == f)),
            Input::Shares => {
                Input::Daily(crate::data::field::TOTAL_SHARES).present(panel) || Input::Fin("total_shares").present(panel)
            }
        }
    }
}
