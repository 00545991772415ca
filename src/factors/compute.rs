//! Computing a set of factors from a panel (in parallel, one factor per task).

use rayon::prelude::*;

use crate::data::{Matrix, Panel};
use crate::error::{Error, Result};
use crate::factors::inputs::Inputs;
use crate::factors::pit::Upsample;
use crate::factors::registry::{self, FactorSpec, Support, support};

/// A factor the data cannot feed, and the inputs it lacks.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Unavailable {
    pub code: String,
    pub missing: Vec<String>,
}

/// Raw factor values on the panel's axes.
pub struct FactorValues {
    /// Paper codes, in computation order.
    pub names: Vec<String>,
    /// One `[date, stock]` matrix per name (raw: in the factor's own unit).
    pub values: Vec<Matrix>,
    /// Per name: how it was derived, when not from its definition.
    pub derived: Vec<Option<&'static str>>,
    pub unavailable: Vec<Unavailable>,
    /// True when quarterly items were back-filled the paper's way (look-ahead).
    pub look_ahead: bool,
}

impl FactorValues {
    /// No factors.
    pub fn empty() -> FactorValues {
        FactorValues { names: vec![], values: vec![], derived: vec![], unavailable: vec![], look_ahead: false }
    }
}

/// Resolves factor codes (empty = all 41) to registry entries; unknown codes are errors.
pub fn resolve(codes: &[String]) -> Result<Vec<&'static FactorSpec>> {
    if codes.is_empty() {
        return Ok(registry::all().collect());
    }
    codes
        .iter()
        .map(|c| {
            registry::find(c).ok_or_else(|| {
                Error::Config(format!(
                    "unknown factor `{c}` (known: {})",
                    registry::all().map(|f| f.code).collect::<Vec<_>>().join(", ")
                ))
            })
        })
        .collect()
}

/// Computes `codes` (empty = all) on `panel`. Factors the data cannot feed are listed in
/// `unavailable`, never silently dropped or zero.
pub fn compute_factors(panel: &Panel, codes: &[String], upsample: Upsample, risk_free: f64) -> Result<FactorValues> {
    compute_with(&Inputs::new(panel, upsample, risk_free), codes, upsample)
}

/// [`compute_factors`] on inputs already built (with the same `upsample`).
pub fn compute_with(inputs: &Inputs, codes: &[String], upsample: Upsample) -> Result<FactorValues> {
    let panel = inputs.panel;
    let specs = resolve(codes)?;
    let mut unavailable = Vec::new();
    let mut todo = Vec::new();
    for spec in specs {
        match support(spec, panel) {
            Support::Direct(alt) => todo.push((spec, alt, None)),
            Support::Derived(alt, how) => todo.push((spec, alt, Some(how))),
            Support::Missing(missing) => unavailable.push(Unavailable { code: spec.code.into(), missing }),
        }
    }
    let computed: Vec<(String, Option<Matrix>, Option<&'static str>)> =
        todo.par_iter().map(|(spec, alt, how)| (spec.code.to_string(), (spec.compute)(inputs, *alt), *how)).collect();
    let mut out = FactorValues {
        names: vec![],
        values: vec![],
        derived: vec![],
        unavailable,
        look_ahead: upsample == Upsample::PaperBackfill && inputs.quarterly.is_some(),
    };
    for (name, m, how) in computed {
        match m {
            Some(m) => {
                out.names.push(name);
                out.values.push(m);
                out.derived.push(how);
            }
            None => out.unavailable.push(Unavailable { code: name, missing: vec!["an input with no finite values".into()] }),
        }
    }
    Ok(out)
}
