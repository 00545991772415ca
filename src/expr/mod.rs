//! Formulaic features in qlib's expression language (`Mean($close, 5)/$close`): parsing
//! ([`parse`]), qlib's operators with pandas' window rules ([`rolling`], [`moments`],
//! [`order`]), shared-subexpression evaluation stock by stock ([`plan`]) into `[date, stock]`
//! matrices ([`matrices`]) or qlib's member rows ([`members`]), and the built-in Alpha158
//! and Alpha360 sets ([`sets`]). qlib's `$open $high $low $close $vwap` are adjusted prices
//! (raw × adjustment factor); every other panel field is read by its name.

pub mod apply;
pub mod ast;
pub mod extremes;
pub mod matrices;
pub mod members;
pub mod moments;
pub mod order;
pub mod parse;
pub mod plan;
pub mod rolling;
pub mod sets;
pub mod sliding;
pub mod stock;
#[cfg(test)]
mod tests;

use rayon::prelude::*;

use crate::data::{Matrix, Panel, field};
use crate::error::{Error, Result};
pub use ast::Expr;
pub use members::MemberRows;
pub use plan::Plan;
use stock::Input;

/// A named, parsed expression.
#[derive(Clone, Debug)]
pub struct Feature {
    pub name: String,
    /// The expression as written.
    pub text: String,
    pub expr: Expr,
}

/// Parses feature `name = text`. A feature that reads the future (`Ref(x, -1)`) is refused
/// unless it is a label.
pub fn feature(name: &str, text: &str, label: bool) -> Result<Feature> {
    let expr = parse::parse(text).map_err(|e| Error::Config(format!("feature `{name}`: {}", e.render(text))))?;
    let ahead = expr.lookahead();
    if ahead > 0 && !label {
        return Err(Error::Config(format!(
            "feature `{name}` = \"{text}\" reads {ahead} trading day(s) ahead (a negative Ref): the future is allowed only in a label"
        )));
    }
    Ok(Feature { name: name.to_string(), text: text.to_string(), expr })
}

/// qlib's field names and what they read.
pub const QLIB_FIELDS: [(&str, &str); 8] = [
    ("open", "adjusted open (raw x adj_factor)"),
    ("high", "adjusted high"),
    ("low", "adjusted low"),
    ("close", "adjusted close"),
    ("vwap", "adjusted average price: amount / volume x adj_factor"),
    ("volume", "shares traded"),
    ("factor", "the adjustment factor (adj_factor)"),
    ("change", "the daily change as the source gives it (pct_change)"),
];

/// The `[date, stock]` values of `$name` on `panel`: `Ok(None)` when the panel lacks the
/// data, an error when no field has that name.
pub fn field_values(panel: &Panel, name: &str) -> Result<Option<Matrix>> {
    Ok(field_input(panel, name)?.map(Input::into_matrix))
}

/// [`field_values`] as a plan reads them: the panel's matrices borrowed, adjusted prices
/// left as the product of two.
fn field_input<'p>(panel: &'p Panel, name: &str) -> Result<Option<Input<'p>>> {
    // A field with no value at all is not there.
    let plain = |f: &str| panel.fields.get(f).filter(|m| m.data.iter().any(|v| v.is_finite()));
    let factor = panel.fields.get(field::ADJ_FACTOR);
    Ok(match name {
        "open" | "high" | "low" | "close" => match factor {
            Some(k) => panel.fields.get(name).map(|m| Input::Product(m, k)),
            None => plain(name).map(Input::Of),
        },
        "vwap" => match (plain(field::AMOUNT), plain(field::VOLUME)) {
            (Some(a), Some(v)) => {
                let raw = a.zip_with(v, |a, v| if v > 0.0 { a / v } else { f64::NAN });
                Some(Input::Owned(match factor {
                    Some(f) => raw.zip_with(f, |p, f| p * f),
                    None => raw,
                }))
            }
            _ => None,
        },
        "factor" => plain(field::ADJ_FACTOR).map(Input::Of),
        "change" => plain(field::PCT_CHANGE).map(Input::Of),
        other if field::KNOWN.contains(&other) || panel.fields.contains_key(other) => plain(other).map(Input::Of),
        other => {
            let mut known: Vec<String> = QLIB_FIELDS.iter().map(|(f, _)| format!("${f}")).collect();
            known.extend(panel.fields.keys().map(|f| format!("${f}")));
            known.dedup();
            return Err(Error::Config(format!("unknown field `${other}` (known: {})", known.join(", "))));
        }
    })
}

/// Evaluated features on the panel's axes.
pub struct Evaluated {
    pub names: Vec<String>,
    /// `[date, stock]` per name; non-finite results (a division by 0) are `NaN`. With an
    /// index membership, only the days from a stock's first to its last day as a member are
    /// computed (what qlib's `D.features` on a market computes); other days are `NaN`.
    pub values: Vec<Matrix>,
    /// Features the panel cannot feed, with the fields they lack.
    pub missing: Vec<(String, Vec<String>)>,
    /// Distinct subexpressions evaluated (after sharing).
    pub nodes: usize,
}

/// Per stock, its first and last day as an index member (every day without a membership
/// list; `None` for a stock never a member).
pub fn member_spans(panel: &Panel) -> Vec<Option<(usize, usize)>> {
    let (nd, ns) = (panel.n_dates(), panel.n_stocks());
    if panel.universe.is_none() {
        return vec![(nd > 0).then(|| (0, nd - 1)); ns];
    }
    crate::data::matrix::first_last_per_column(&panel.universe_mask(), ns, |m| *m)
}

/// Features compiled into one plan with their input matrices: what [`evaluate`] and
/// [`evaluate_members`] share.
struct Compiled<'p> {
    names: Vec<String>,
    plan: Plan,
    /// `[date, stock]` per plan slot.
    inputs: Vec<Input<'p>>,
    missing: Vec<(String, Vec<String>)>,
}

/// Resolves the fields `features` read (those the panel lacks make a feature missing) and
/// compiles the rest into one shared plan.
fn compile<'p>(panel: &'p Panel, features: &[Feature]) -> Result<Compiled<'p>> {
    // Each field read once (in parallel), the error naming the first feature that reads it.
    let used: Vec<Vec<String>> = features
        .iter()
        .map(|f| {
            let mut used = vec![];
            f.expr.fields(&mut used);
            used
        })
        .collect();
    let mut first_reader: Vec<(String, &str)> = vec![];
    for (f, names) in features.iter().zip(&used) {
        for n in names {
            if !first_reader.iter().any(|(m, _)| m == n) {
                first_reader.push((n.clone(), &f.name));
            }
        }
    }
    let mut cache: Vec<(String, Option<Input>)> = first_reader
        .par_iter()
        .map(|(name, reader)| {
            let m = field_input(panel, name).map_err(|e| Error::Config(format!("feature `{reader}`: {e}")))?;
            Ok((name.clone(), m))
        })
        .collect::<Result<_>>()?;
    let mut ok = vec![];
    let mut missing = vec![];
    for (f, names) in features.iter().zip(&used) {
        let lacks: Vec<String> =
            names.iter().filter(|n| cache.iter().any(|(c, m)| c == *n && m.is_none())).map(|n| format!("${n}")).collect();
        if lacks.is_empty() { ok.push(f) } else { missing.push((f.name.clone(), lacks)) }
    }
    let exprs: Vec<&Expr> = ok.iter().map(|f| &f.expr).collect();
    let plan = Plan::new(&exprs);
    let mut inputs: Vec<Input> = plan
        .fields
        .iter()
        .map(|n| cache.iter_mut().find(|(c, _)| c == n).and_then(|(_, m)| m.take()).expect("field present once"))
        .collect();
    if inputs.is_empty() {
        // Expressions of numbers only.
        inputs.push(Input::Owned(Matrix::nan(panel.n_dates(), panel.n_stocks()).map(|_| 0.0)));
    }
    let names = ok.iter().map(|f| f.name.clone()).collect();
    Ok(Compiled { names, plan, inputs, missing })
}

/// Evaluates `features` on `panel`, all in one shared plan, in parallel over stocks.
/// Features that read a field the panel lacks are listed in `missing`.
pub fn evaluate(panel: &Panel, features: &[Feature]) -> Result<Evaluated> {
    let c = compile(panel, features)?;
    let values = c.plan.eval_inputs_finite(&c.inputs, &member_spans(panel));
    Ok(Evaluated { names: c.names, values, missing: c.missing, nodes: c.plan.len() })
}

/// Evaluates `features` on `panel` into [`MemberRows`]: the index members' stock-days only
/// (every stock-day without a membership list), float32, stock-major: what qlib's
/// `D.features` on a market returns. Values equal [`evaluate`]'s on those cells, up to the
/// rounding of running sums that start on other days (a stock's spells far apart are
/// evaluated apart).
pub fn evaluate_members(panel: &Panel, features: &[Feature]) -> Result<MemberRows> {
    let c = compile(panel, features)?;
    // Every stock-day without a membership list, as `member_spans` has it.
    let mask = match panel.universe {
        Some(_) => panel.universe_mask(),
        None => vec![true; panel.n_dates() * panel.n_stocks()],
    };
    Ok(c.plan.eval_members(&c.inputs, &mask, c.names, c.missing))
}
