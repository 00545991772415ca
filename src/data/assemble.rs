//! What loading does around the merge of sources: reading the sources that are not daily
//! bars (baostock quarterly tables, qlib point-in-time accounts, a membership change
//! history), combining membership sources, and after the merge: accounts made into the
//! factor library's items, adjusted-only prices, membership clipped to the days a stock
//! has data, and warnings for sources that end on different dates.

use std::collections::BTreeMap;
use std::path::Path;

use crate::data::Date;
use crate::data::accounts::{self, baostock_tables, qlib_pit};
use crate::data::baostock;
use crate::data::membership::{self, History};
use crate::data::panel::{Financials, Panel, Spell, field};
use crate::data::source::Source;
use crate::data::table::Table;
use crate::error::{Error, Result, first_few};

/// A panel holding only the accounts of baostock's quarterly tables at `src` (`file`: one
/// table; `None`: every table found).
pub fn accounts_panel(src: &Source, file: Option<String>) -> Result<Panel> {
    let (fin, info) = baostock_tables::read_tables(src, file.map(|f| vec![f]))?;
    let mut p = Panel::default();
    p.provenance.push(format!(
        "baostock accounts: {} ({} reports of {} stocks{})",
        info.files.join(", "),
        fin.reports.len(),
        fin.reports.iter().map(|r| r.code.as_str()).collect::<std::collections::BTreeSet<_>>().len(),
        if info.repeated_rows > 0 { format!("; {} identical repeated rows dropped", info.repeated_rows) } else { String::new() }
    ));
    if !info.unknown_fields.is_empty() {
        p.warnings.push(format!(
            "{}: columns that are not baostock quarterly fields, kept under their own names: {}",
            src.root().display(),
            info.unknown_fields.join(", ")
        ));
    }
    p.financials = Some(fin);
    Ok(p)
}

/// baostock's quarterly tables: a folder or archive of them, or one table file.
pub fn read_accounts(path: &Path) -> Result<Panel> {
    let (src, file) = Source::open_file_or_dir(path)?;
    accounts_panel(&src, file)
}

/// qlib's point-in-time layout: a folder or archive of per-stock CSVs.
pub fn read_qlib_pit(path: &Path) -> Result<Panel> {
    let src = Source::open(path)?;
    let (fin, info) = qlib_pit::read_pit(&src)?;
    let mut p = Panel::default();
    p.provenance.push(format!(
        "qlib point-in-time accounts: {} ({} files, {} reports, fields {})",
        path.display(),
        info.files,
        fin.reports.len(),
        fin.fields.join(", ")
    ));
    if info.revisions > 0 {
        p.warnings.push(format!(
            "{}: {} revised values not used (the first announced value of each report field is kept)",
            path.display(),
            info.revisions
        ));
    }
    if !info.unknown_fields.is_empty() {
        p.warnings.push(format!(
            "{}: fields that are not baostock quarterly fields, kept under their own names: {}",
            path.display(),
            info.unknown_fields.join(", ")
        ));
    }
    p.financials = Some(fin);
    Ok(p)
}

/// A membership change history CSV.
pub fn read_index_changes(path: &Path) -> Result<Panel> {
    let (src, file) = Source::open_file_or_dir(path)?;
    let file =
        file.ok_or_else(|| Error::format(path.display(), "index_changes wants the change history CSV file, not a folder"))?;
    let History { spells, until, warnings } = membership::read_changes(Table::new(src.display(&file), src.stream(&file)?)?)?;
    let mut p = Panel { universe_until: Some(until), warnings, ..Panel::default() };
    p.provenance.push(format!(
        "membership history: {} ({} spells of {} codes, last change {until})",
        path.display(),
        spells.len(),
        spells.iter().map(|s| s.code.as_str()).collect::<std::collections::BTreeSet<_>>().len()
    ));
    p.universe = Some(spells);
    Ok(p)
}

/// A membership source: (source name, spells).
pub type Universe = (String, Vec<Spell>);

/// Two membership sources to compare, over `[from, to]`.
pub type UniversePair = (Universe, Universe, Date, Date);

/// Takes every part's membership out before the merge and combines them: a change history
/// rules up to its last change, the first other source after it (or, alone, the history's
/// open spells run on). Returns the combined spells and the pairs to compare, with the
/// dates both cover.
pub fn take_universes(parts: &mut [(String, Panel)]) -> (Option<Vec<Spell>>, Vec<UniversePair>) {
    let mut lists: Vec<(String, Vec<Spell>, Option<Date>)> = Vec::new();
    for (name, p) in parts.iter_mut() {
        if let Some(u) = p.universe.take() {
            lists.push((name.clone(), u, p.universe_until.take()));
        }
    }
    let history = lists.iter().find(|l| l.2.is_some());
    let other = lists.iter().find(|l| l.2.is_none());
    let combined = match (history, other) {
        (Some((_, h, Some(until))), Some((_, o, _))) => {
            Some(membership::combine(&History { spells: h.clone(), until: *until, warnings: vec![] }, o))
        }
        (Some((_, h, _)), None) => Some(h.clone()),
        (None, Some((_, o, _))) => Some(o.clone()),
        _ => None,
    };
    let mut pairs = Vec::new();
    for i in 0..lists.len() {
        for j in i + 1..lists.len() {
            let to = [lists[i].2, lists[j].2].into_iter().flatten().min().unwrap_or(membership::OPEN_END);
            let from = Date(i32::MIN / 2);
            pairs.push(((lists[i].0.clone(), lists[i].1.clone()), (lists[j].0.clone(), lists[j].1.clone()), from, to));
        }
    }
    (combined, pairs)
}

/// After the merge: the combined membership (clipped to each stock's data), the accounts'
/// derived items, and adjusted-only prices.
pub fn finish_merged(panel: &mut Panel, universe: Option<Vec<Spell>>) {
    if let Some(fin) = panel.financials.as_mut() {
        accounts::derive::derive_items(fin);
    }
    if let Some(w) = baostock::fill_prices_from_adjusted(panel) {
        panel.warnings.push(w);
    }
    panel.universe = universe;
    if let Some(w) = clip_universe_to_data(panel) {
        panel.warnings.push(w);
    }
}

/// Ends every membership spell at the stock's last day with a price (from any source) and
/// starts it at its first: a member-day with no data at all gets no factor row, no
/// prediction and no position. Returns a warning if member-days were removed.
pub fn clip_universe_to_data(panel: &mut Panel) -> Option<String> {
    let close = panel.fields.get(field::CLOSE)?;
    let span: BTreeMap<&str, (Date, Date)> = close
        .first_last(f64::is_finite)
        .iter()
        .enumerate()
        .filter_map(|(s, x)| x.map(|(a, b)| (panel.stocks[s].as_str(), (panel.dates[a], panel.dates[b]))))
        .collect();
    let (first, last) = (*panel.dates.first()?, *panel.dates.last()?);
    let spells = panel.universe.as_mut()?;
    let (mut ended, mut never) = (BTreeMap::new(), 0usize);
    let mut kept = Vec::with_capacity(spells.len());
    for sp in spells.drain(..) {
        // Only the part of a spell inside the calendar matters.
        if sp.end < first || sp.start > last {
            kept.push(sp);
            continue;
        }
        match span.get(sp.code.as_str()) {
            None => never += 1,
            Some(&(a, b)) => {
                if sp.end.min(last) > b {
                    ended.insert(sp.code.clone(), b);
                }
                let clipped = Spell { start: sp.start.max(a), end: sp.end.min(b), ..sp };
                if clipped.start <= clipped.end {
                    kept.push(clipped);
                }
            }
        }
    }
    *spells = kept;
    if ended.is_empty() && never == 0 {
        return None;
    }
    let shown = first_few(ended.iter().map(|(c, d)| format!("{c} after {d}")));
    Some(format!(
        "membership ends where a stock's data ends (no source has bars after): {} members cut{}{}",
        ended.len(),
        if shown.is_empty() { String::new() } else { format!(" ({shown})") },
        if never > 0 { format!("; {never} membership spells dropped: no source has any bar for them") } else { String::new() }
    ))
}

/// A warning when the sources' fields end on different dates: which fields stop where.
pub fn end_dates_warning(parts: &[(String, Panel)]) -> Vec<String> {
    let mut ends: Vec<(String, Date, Vec<String>)> = Vec::new();
    for (name, p) in parts {
        let mut by_end: BTreeMap<Date, Vec<String>> = BTreeMap::new();
        for (f, m) in &p.fields {
            let ns = m.n_stocks;
            if let Some(d) = (0..m.n_dates).rev().find(|&d| m.data[d * ns..(d + 1) * ns].iter().any(|v| v.is_finite())) {
                by_end.entry(p.dates[d]).or_default().push(f.clone());
            }
        }
        for (d, fs) in by_end {
            ends.push((name.clone(), d, fs));
        }
    }
    let distinct: std::collections::BTreeSet<Date> = ends.iter().map(|e| e.1).collect();
    if distinct.len() < 2 {
        return vec![];
    }
    let parts: Vec<String> = ends.iter().map(|(n, d, fs)| format!("{n} ({}) to {d}", fs.join(", "))).collect();
    vec![format!("sources end on different dates: {}; after a field's end its factors have no value (no fill)", parts.join("; "))]
}

/// Accounts of several sources joined on (code, period).
pub fn join_financials(a: Option<Financials>, b: Option<Financials>) -> Option<Financials> {
    match (a, b) {
        (Some(a), Some(b)) => Some(accounts::join(a, b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Matrix;

    /// A member whose only source ends keeps no member-days after its last bar; one with no
    /// bar at all keeps none.
    #[test]
    fn membership_stops_where_the_data_stops() {
        let dates: Vec<Date> =
            ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"].iter().map(|s| s.parse().unwrap()).collect();
        let mut p = Panel {
            dates: dates.clone(),
            stocks: vec!["SH600000".into(), "SH600001".into(), "SH600002".into()],
            ..Panel::default()
        };
        let n = f64::NAN;
        p.fields.insert(
            field::CLOSE.into(),
            Matrix { n_dates: 4, n_stocks: 3, data: vec![1.0, 2.0, n, 1.0, n, n, 1.0, n, n, 1.0, n, n] },
        );
        let all = |c: &str| Spell { code: c.into(), start: dates[0], end: membership::OPEN_END };
        p.universe = Some(vec![all("SH600000"), all("SH600001"), all("SH600002")]);
        let w = clip_universe_to_data(&mut p).unwrap();
        assert!(w.contains("1 members cut (SH600001 after 2020-01-02)") && w.contains("1 membership spells dropped"), "{w}");
        assert_eq!(p.universe_mask(), vec![true, true, false, true, false, false, true, false, false, true, false, false]);
    }
}
