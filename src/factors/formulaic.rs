//! Formulaic features beside the paper's 41: `[factors] set = ["paper", "alpha158"]` picks
//! built-in sets, `[factors.expr] NAME = "qlib expression"` adds a user's own, and
//! `[factors] table = "features.csv.gz"` reads features made elsewhere. Expressions are
//! parsed and checked (no look-ahead) when the config is read, evaluated in one shared plan,
//! and cleaned and screened like any factor.

use serde::{Deserialize, Deserializer};

use std::path::Path;

use crate::data::Panel;
use crate::data::long_table::read_factor_table;
use crate::data::summary::CategorySupport;
use crate::error::{Error, Result, ResultExt};
use crate::expr::{self, Feature, sets};
use crate::factors::build::FactorConfig;
use crate::factors::compute::{FactorValues, Unavailable};

/// The set name of the paper's factors (all 41, or `[factors] list`).
pub const PAPER: &str = "paper";

/// `set = "alpha158"` or `set = ["paper", "alpha158"]`.
pub fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

pub fn default_sets() -> Vec<String> {
    vec![PAPER.to_string()]
}

/// The config's formulaic features with their origin (`alpha158`, `alpha360`, `expr`), in
/// order: the sets as listed, then `[factors.expr]` by name. Errors name the set or feature.
pub fn features(cfg: &FactorConfig) -> Result<Vec<(Feature, String)>> {
    let mut out: Vec<(Feature, String)> = vec![];
    for set in &cfg.set {
        if set.eq_ignore_ascii_case(PAPER) {
            continue;
        }
        let Some(list) = sets::builtin(set) else {
            return Err(Error::Config(format!(
                "[factors] set: unknown feature set `{set}` (known: {PAPER}, {})",
                sets::SETS.join(", ")
            )));
        };
        for (name, text) in list {
            out.push((expr::feature(&name, &text, false)?, set.to_ascii_lowercase()));
        }
    }
    for (name, text) in &cfg.expr {
        let f = expr::feature(name, text, false).map_err(|e| match e {
            Error::Config(m) => Error::Config(format!("[factors.expr] {m}")),
            other => other,
        })?;
        out.push((f, "expr".into()));
    }
    let mut names: Vec<&str> = out.iter().map(|(f, _)| f.name.as_str()).collect();
    if cfg.includes_paper() {
        names.extend(crate::factors::registry::all().map(|s| s.code));
    }
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Config(format!("[factors]: two features are named `{}`; rename one in [factors.expr]", w[0])));
    }
    Ok(out)
}

/// Evaluates the config's formulaic features on `panel` and appends them to `values`;
/// returns each appended name's origin. Features needing a field the panel lacks are
/// listed as unavailable with that field.
pub fn append(panel: &Panel, cfg: &FactorConfig, values: &mut FactorValues) -> Result<Vec<(String, String)>> {
    let feats = features(cfg)?;
    let mut appended = vec![];
    if let Some(path) = &cfg.table {
        let cols = read_factor_table(Path::new(path), panel, false).context(format!("[factors] table = {path}"))?;
        if cols.values.iter().all(|m| m.count_finite() == 0) {
            return Err(Error::Config(format!(
                "[factors] table {path}: no row has a date and code of the market data ({} rows skipped)",
                cols.skipped_rows
            )));
        }
        for (name, m) in cols.names.into_iter().zip(cols.values) {
            if values.names.contains(&name) || feats.iter().any(|(f, _)| f.name == name) {
                return Err(Error::Config(format!("[factors] table {path}: column `{name}` has the name of a computed feature")));
            }
            appended.push((name.clone(), "table".to_string()));
            values.names.push(name);
            values.values.push(m);
            values.derived.push(None);
        }
    }
    if feats.is_empty() {
        return Ok(appended);
    }
    let list: Vec<Feature> = feats.iter().map(|(f, _)| f.clone()).collect();
    let ev = expr::evaluate(panel, &list)?;
    let origin = |name: &str| feats.iter().find(|(f, _)| f.name == name).map_or(String::new(), |(_, o)| o.clone());
    for (name, m) in ev.names.into_iter().zip(ev.values) {
        appended.push((name.clone(), origin(&name)));
        values.names.push(name);
        values.values.push(m);
        values.derived.push(None);
    }
    for (name, lacks) in ev.missing {
        values.unavailable.push(Unavailable { code: name, missing: lacks });
    }
    Ok(appended)
}

/// What the panel supports of the config's formulaic features, one line per origin (the
/// table `alphasweep data` prints beside the paper's categories).
pub fn support(panel: &Panel, cfg: &FactorConfig) -> Result<Vec<CategorySupport>> {
    let mut out: Vec<CategorySupport> = vec![];
    let mut present: Vec<(String, bool)> = vec![];
    for (f, origin) in features(cfg)? {
        let i = match out.iter().position(|c| c.category == origin) {
            Some(i) => i,
            None => {
                out.push(CategorySupport { category: origin.clone(), direct: vec![], derived: vec![], unavailable: vec![] });
                out.len() - 1
            }
        };
        let mut used = vec![];
        f.expr.fields(&mut used);
        let mut lacks = vec![];
        for name in used {
            let known = match present.iter().find(|(n, _)| *n == name) {
                Some((_, p)) => *p,
                None => {
                    let p = expr::field_values(panel, &name)?.is_some();
                    present.push((name.clone(), p));
                    p
                }
            };
            if !known {
                lacks.push(format!("${name}"));
            }
        }
        if lacks.is_empty() { out[i].direct.push(f.name) } else { out[i].unavailable.push((f.name, lacks)) }
    }
    Ok(out)
}
