//! Combining panels from several sources (e.g. qlib prices + baostock valuation) onto the
//! union of their dates and stocks. Where several sources give a field, the preferred source
//! wins cell by cell and the others fill its gaps; how far they disagree is measured.

use std::collections::BTreeMap;

use crate::data::date::Date;
use crate::data::matrix::Matrix;
use crate::data::panel::Panel;
use crate::error::{Error, Result};

/// How two sources' values of one field compare where both are finite.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Disagreement {
    pub field: String,
    /// The source that won, and the one compared with it.
    pub winner: String,
    pub other: String,
    /// Stock-days where both are finite.
    pub overlap: usize,
    /// Relative difference |a − b| / max(|a|, |b|): median and maximum.
    pub median_rel: f64,
    pub max_rel: f64,
    /// Stock-days with a relative difference above 1e-4.
    pub over_1e4: usize,
}

/// Merges named panels. `prefer` maps a field to the source name whose values win; other
/// fields take the first source (in the given order) that has them.
pub fn merge(parts: Vec<(String, Panel)>, prefer: &BTreeMap<String, String>) -> Result<(Panel, Vec<Disagreement>)> {
    for (field, src) in prefer {
        if !parts.iter().any(|(n, _)| n == src) {
            let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
            return Err(Error::Config(format!(
                "prefer.{field} = \"{src}\": no source named `{src}` (sources: {})",
                names.join(", ")
            )));
        }
        if !parts.iter().any(|(_, p)| p.fields.contains_key(field)) {
            return Err(Error::Config(format!("prefer.{field}: no source has a field named `{field}`")));
        }
    }
    if parts.len() == 1 {
        return Ok((parts.into_iter().next().expect("one part").1, Vec::new()));
    }
    let mut dates: Vec<Date> = parts.iter().flat_map(|p| p.1.dates.iter().copied()).collect();
    dates.sort();
    dates.dedup();
    let mut stocks: Vec<String> = parts.iter().flat_map(|p| p.1.stocks.iter().cloned()).collect();
    stocks.sort();
    stocks.dedup();
    let (nd, ns) = (dates.len(), stocks.len());

    let mut out = Panel { dates: dates.clone(), stocks: stocks.clone(), ..Panel::default() };
    let mut report = Vec::new();
    // Each part's fields on the union axes.
    let mut remapped: Vec<(String, BTreeMap<String, Matrix>)> = Vec::new();
    for (name, p) in &parts {
        let dmap: Vec<Option<usize>> = p.dates.iter().map(|d| dates.binary_search(d).ok()).collect();
        let smap: Vec<Option<usize>> = p.stocks.iter().map(|s| stocks.binary_search(s).ok()).collect();
        let fields = p.fields.iter().map(|(f, m)| (f.clone(), m.remap(nd, ns, &dmap, &smap))).collect();
        remapped.push((name.clone(), fields));
        for (code, s) in &p.indices {
            out.indices.entry(code.clone()).or_insert_with(|| {
                let mut t = s.clone();
                for v in t.fields.values_mut() {
                    let mut nv = vec![f64::NAN; nd];
                    for (i, x) in v.iter().enumerate() {
                        if let Some(j) = dmap[i] {
                            nv[j] = *x;
                        }
                    }
                    *v = nv;
                }
                t
            });
        }
        if out.universe.is_none() {
            out.universe = p.universe.clone();
            out.universe_until = p.universe_until;
        }
        out.financials = crate::data::assemble::join_financials(out.financials.take(), p.financials.clone());
        out.warnings.extend(p.warnings.iter().map(|w| format!("[{name}] {w}")));
        for (c, i) in &p.industry {
            out.industry.entry(c.clone()).or_insert_with(|| i.clone());
        }
        out.provenance.extend(p.provenance.iter().map(|l| format!("[{name}] {l}")));
    }

    let all_fields: std::collections::BTreeSet<String> = remapped.iter().flat_map(|r| r.1.keys().cloned()).collect();
    for f in all_fields {
        let mut order: Vec<usize> = (0..remapped.len()).filter(|&i| remapped[i].1.contains_key(&f)).collect();
        if let Some(p) = prefer.get(&f) {
            order.sort_by_key(|&i| remapped[i].0 != *p);
        }
        let winner = order[0];
        let mut m = remapped[winner].1.remove(&f).expect("field present");
        for &i in &order[1..] {
            let other = &remapped[i].1[&f];
            report.push(compare(&f, &remapped[winner].0, &remapped[i].0, &m, other));
            for (a, b) in m.data.iter_mut().zip(&other.data) {
                if a.is_nan() {
                    *a = *b;
                }
            }
        }
        out.fields.insert(f, m);
    }
    Ok((out, report))
}

fn compare(field: &str, winner: &str, other: &str, a: &Matrix, b: &Matrix) -> Disagreement {
    let mut rel: Vec<f64> = a
        .data
        .iter()
        .zip(&b.data)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| {
            let scale = x.abs().max(y.abs());
            if scale == 0.0 { 0.0 } else { (x - y).abs() / scale }
        })
        .collect();
    rel.sort_by(f64::total_cmp);
    Disagreement {
        field: field.into(),
        winner: winner.into(),
        other: other.into(),
        overlap: rel.len(),
        median_rel: rel.get(rel.len() / 2).copied().unwrap_or(f64::NAN),
        max_rel: rel.last().copied().unwrap_or(f64::NAN),
        over_1e4: rel.iter().filter(|r| **r > 1e-4).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(dates: &[&str], stocks: &[&str], close: Vec<f64>) -> Panel {
        let mut p = Panel {
            dates: dates.iter().map(|d| d.parse().unwrap()).collect(),
            stocks: stocks.iter().map(|s| s.to_string()).collect(),
            ..Panel::default()
        };
        p.fields.insert("close".into(), Matrix { n_dates: dates.len(), n_stocks: stocks.len(), data: close });
        p
    }

    #[test]
    fn preferred_source_wins_and_others_fill_gaps() {
        // a: 2 days x 1 stock; b: days 2-3, two stocks, disagreeing on day 2 by 1%.
        let a = panel(&["2020-01-02", "2020-01-03"], &["SH600000"], vec![10.0, 11.0]);
        let b = panel(&["2020-01-03", "2020-01-06"], &["SH600000", "SZ000001"], vec![11.11, 5.0, 12.0, 6.0]);
        let prefer = BTreeMap::from([("close".to_string(), "b".to_string())]);
        let (m, rep) = merge(vec![("a".into(), a), ("b".into(), b)], &prefer).unwrap();
        assert_eq!(m.dates.len(), 3);
        let c = &m.fields["close"];
        assert_eq!(c.row(0)[0], 10.0); // only a has day 1
        assert_eq!(c.row(1), &[11.11, 5.0]); // b wins day 2
        assert_eq!(c.row(2), &[12.0, 6.0]);
        assert_eq!(rep.len(), 1);
        assert_eq!((rep[0].winner.as_str(), rep[0].overlap, rep[0].over_1e4), ("b", 1, 1));
        assert!((rep[0].max_rel - 0.11 / 11.11).abs() < 1e-12);
    }

    #[test]
    fn unknown_preference_is_a_config_error() {
        let a = panel(&["2020-01-02"], &["SH600000"], vec![1.0]);
        let prefer = BTreeMap::from([("close".to_string(), "nope".to_string())]);
        let e = merge(vec![("a".into(), a)], &prefer).unwrap_err().to_string();
        assert!(e.contains("no source named `nope`"), "{e}");
    }
}
