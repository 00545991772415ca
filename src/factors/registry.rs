//! The registry of the paper's 41 factors (Appendix 1): the five category tables chained in
//! the paper's order, lookup by code, and which of them a data set supports. One source of
//! truth for both `alphasweep data` (what a data set supports) and `alphasweep factors`
//! (what it computes).

use crate::data::Panel;
use crate::data::summary::CategorySupport;
pub use crate::factors::spec::{Alt, Category, FactorSpec, Input, Support};
use crate::factors::{basic, quality, risk, trade, value};

/// Every factor, in the paper's order.
pub fn all() -> impl Iterator<Item = &'static FactorSpec> {
    value::FACTORS.iter().chain(&basic::FACTORS).chain(&risk::FACTORS).chain(&trade::FACTORS).chain(&quality::FACTORS)
}

/// Looks a factor up by its paper code (case-insensitive).
pub fn find(code: &str) -> Option<&'static FactorSpec> {
    all().find(|f| f.code.eq_ignore_ascii_case(code))
}

/// Per paper category, which factors `panel` supports directly, through a derivation, or
/// not (with the missing inputs): the table `alphasweep data` prints.
pub fn support_table(panel: &Panel) -> Vec<CategorySupport> {
    Category::ALL
        .iter()
        .map(|&cat| {
            let mut cs =
                CategorySupport { category: cat.paper_name().into(), direct: vec![], derived: vec![], unavailable: vec![] };
            for spec in all().filter(|f| f.category == cat) {
                match support(spec, panel) {
                    Support::Direct(_) => cs.direct.push(spec.code.into()),
                    Support::Derived(..) => cs.derived.push(spec.code.into()),
                    Support::Missing(m) => cs.unavailable.push((spec.code.into(), m)),
                }
            }
            cs
        })
        .collect()
}

/// Which alternative of `spec` the panel can feed.
pub fn support(spec: &FactorSpec, panel: &Panel) -> Support {
    for (i, alt) in spec.alts.iter().enumerate() {
        if alt.inputs.iter().all(|inp| inp.present(panel)) {
            // An accounts item the loader approximated makes the factor derived too.
            let from_item = || {
                alt.inputs.iter().find_map(|inp| match inp {
                    Input::Fin(f) => panel.financials.as_ref()?.derived.get(*f).copied(),
                    _ => None,
                })
            };
            return match alt.derived.or_else(from_item) {
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
