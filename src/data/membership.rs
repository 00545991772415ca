//! Index membership from a change history (`announce_date, change_date, code, name,
//! change`, as in the shared `csi300_changes_2005_2022.csv`): replaying the `in`/`out` rows
//! gives spells. A stock joins on its `change_date` (inclusive) and leaves the day before
//! the `change_date` of its `out`. The history is authoritative up to its last change; after
//! that, another membership source (qlib's list) takes over where one is given.
//! [`compare`] measures two membership sources against each other for `alphasweep data`.

use std::collections::BTreeMap;

use csv::ByteRecord;

use crate::data::code;
use crate::data::date::Date;
use crate::data::panel::Spell;
use crate::data::table::Table;
use crate::error::{Error, Result};

/// The end of a spell still open at the end of a history (no later change known).
pub const OPEN_END: Date = Date(i32::MAX / 2);

/// A replayed change history.
#[derive(Clone, Debug)]
pub struct History {
    pub spells: Vec<Spell>,
    /// The last change date: the history says nothing after it.
    pub until: Date,
    /// Changes that did not fit (an `in` for a member, an `out` for a non-member).
    pub warnings: Vec<String>,
}

/// Reads and replays a change history CSV.
pub fn read_changes<R: std::io::Read>(mut t: Table<R>) -> Result<History> {
    let date_col = t.require(&["change_date", "effective_date", "变更日期"])?;
    let code_col = t.require(&["code", "成份证券代码"])?;
    let dir_col = t.require(&["change", "direction", "变动方式"])?;
    let ann_col = t.column(&["announce_date", "公告日期"]);
    let mut rows: Vec<(Date, bool, String, u64)> = Vec::new();
    let mut rec = ByteRecord::new();
    while t.next(&mut rec)? {
        let date = t.date(&rec, date_col)?;
        if let Some(a) = ann_col
            && t.date(&rec, a)? > date
        {
            return Err(t.bad(&rec, a, format!("announced after the change takes effect ({date})")));
        }
        let raw = t.text(&rec, code_col)?;
        let code = code::normalize(raw).ok_or_else(|| t.bad(&rec, code_col, format!("`{raw}` is not a stock code")))?;
        let joins = match t.text(&rec, dir_col)?.to_ascii_lowercase().as_str() {
            "in" | "takein" | "add" | "调入" => true,
            "out" | "dropout" | "remove" | "调出" => false,
            other => return Err(t.bad(&rec, dir_col, format!("`{other}` is not `in` or `out`"))),
        };
        rows.push((date, joins, code, Table::<R>::line(&rec)));
    }
    if rows.is_empty() {
        return Err(Error::Empty { file: t.file.clone() });
    }
    // Outs before ins on one date, so a same-day swap replays cleanly.
    rows.sort_by_key(|r| (r.0, r.1));
    let mut open: BTreeMap<String, Date> = BTreeMap::new();
    let mut spells = Vec::new();
    let mut warnings = Vec::new();
    for (date, joins, code, line) in rows {
        match (joins, open.remove(&code)) {
            (true, None) => {
                open.insert(code, date);
            }
            (true, Some(start)) => {
                warnings.push(format!("{}:{line}: {code} joins on {date} but is already a member", t.file));
                open.insert(code, start);
            }
            (false, Some(start)) => spells.push(Spell { code, start, end: date.add_days(-1) }),
            (false, None) => warnings.push(format!("{}:{line}: {code} leaves on {date} but is not a member", t.file)),
        }
    }
    // Found by the fuzzer: a history whose every row removes a non-member has no spell.
    let until = spells.iter().map(|s| s.end.add_days(1)).chain(open.values().copied()).max().ok_or_else(|| {
        Error::format(&t.file, "no stock ever joins: every row removes a stock that is not a member (`change` = out)")
    })?;
    spells.extend(open.into_iter().map(|(code, start)| Spell { code, start, end: OPEN_END }));
    spells.sort();
    Ok(History { spells, until, warnings })
}

/// The history's spells up to `history.until`, then `other`'s spells from the day after.
pub fn combine(history: &History, other: &[Spell]) -> Vec<Spell> {
    let cut = history.until;
    let mut out: Vec<Spell> = history.spells.iter().map(|s| Spell { end: s.end.min(cut), ..s.clone() }).collect();
    out.extend(other.iter().filter(|s| s.end > cut).map(|s| Spell { start: s.start.max(cut.add_days(1)), ..s.clone() }));
    out.sort();
    out
}

/// Two membership sources over the dates both cover.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub first: String,
    pub last: String,
    /// Members per day: minimum, median, maximum.
    pub per_day_a: [usize; 3],
    pub per_day_b: [usize; 3],
    /// Days on which the two member sets differ.
    pub days_differ: usize,
    /// Codes that are members on some day in one source and on no day in the other.
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

/// Compares `a` and `b` on the `dates` in `[from, to]`.
pub fn compare(dates: &[Date], (na, a): (&str, &[Spell]), (nb, b): (&str, &[Spell]), from: Date, to: Date) -> Option<Comparison> {
    let days: Vec<Date> = dates.iter().copied().filter(|d| *d >= from && *d <= to).collect();
    let (first, last) = (*days.first()?, *days.last()?);
    let members = |sp: &[Spell], d: Date| -> Vec<String> {
        let mut v: Vec<String> = sp.iter().filter(|s| s.start <= d && d <= s.end).map(|s| s.code.clone()).collect();
        v.sort();
        v
    };
    let (mut ca, mut cb, mut differ) = (Vec::new(), Vec::new(), 0);
    let (mut ever_a, mut ever_b) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for &d in &days {
        let (ma, mb) = (members(a, d), members(b, d));
        differ += (ma != mb) as usize;
        ca.push(ma.len());
        cb.push(mb.len());
        ever_a.extend(ma);
        ever_b.extend(mb);
    }
    let spread = |mut v: Vec<usize>| {
        v.sort_unstable();
        [v[0], v[v.len() / 2], v[v.len() - 1]]
    };
    Some(Comparison {
        a: na.into(),
        b: nb.into(),
        first: first.to_string(),
        last: last.to_string(),
        per_day_a: spread(ca),
        per_day_b: spread(cb),
        days_differ: differ,
        only_a: ever_a.difference(&ever_b).cloned().collect(),
        only_b: ever_b.difference(&ever_a).cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    const CHANGES: &str = "announce_date,change_date,code,name,change\n\
        2005-04-05,2005-04-08,600256,a,in\n2005-04-05,2005-04-08,000002,b,in\n\
        2005-06-20,2005-07-01,600256,a,out\n2005-06-20,2005-07-01,600519,c,in\n";

    #[test]
    fn replay_gives_inclusive_spells_and_the_last_change() {
        let h = read_changes(Table::new("changes.csv", CHANGES.as_bytes()).unwrap()).unwrap();
        assert_eq!(h.until, d("2005-07-01"));
        assert!(h.warnings.is_empty());
        let s = |c: &str| h.spells.iter().find(|s| s.code == c).unwrap().clone();
        assert_eq!((s("SH600256").start, s("SH600256").end), (d("2005-04-08"), d("2005-06-30")));
        assert_eq!((s("SH600519").start, s("SH600519").end), (d("2005-07-01"), OPEN_END));
        // After the history, another source's spells take over.
        let other = vec![Spell { code: "SZ000001".into(), start: d("2005-01-01"), end: d("2006-01-01") }];
        let c = combine(&h, &other);
        assert!(c.iter().any(|s| s.code == "SZ000001" && s.start == d("2005-07-02")));
        assert!(c.iter().all(|s| s.code == "SZ000001" || s.end <= d("2005-07-01")));
    }

    #[test]
    fn bad_direction_names_file_line_and_column() {
        let text = "change_date,code,change\n2005-04-08,600256,maybe\n";
        let e = read_changes(Table::new("changes.csv", text.as_bytes()).unwrap()).unwrap_err().to_string();
        assert_eq!(e, "changes.csv:2: column `change`: `maybe` is not `in` or `out`");
    }

    /// Found by the fuzzer: only removals of non-members panicked (no spell to end at).
    #[test]
    fn a_history_without_members_is_an_error_not_a_panic() {
        let text = "change_date,code,change\n2005-04-08,600256,out\n";
        let e = read_changes(Table::new("changes.csv", text.as_bytes()).unwrap()).unwrap_err().to_string();
        assert!(e.starts_with("changes.csv: no stock ever joins"), "{e}");
    }

    #[test]
    fn comparison_counts_members_and_differences() {
        let a = vec![Spell { code: "SH600000".into(), start: d("2020-01-01"), end: d("2020-12-31") }];
        let b = vec![
            Spell { code: "SH600000".into(), start: d("2020-01-03"), end: d("2020-12-31") },
            Spell { code: "SZ000001".into(), start: d("2020-01-01"), end: d("2020-12-31") },
        ];
        let dates = [d("2020-01-02"), d("2020-01-03")];
        let c = compare(&dates, ("x", &a), ("y", &b), d("2020-01-01"), d("2020-12-31")).unwrap();
        assert_eq!((c.per_day_a, c.per_day_b, c.days_differ), ([1, 1, 1], [1, 2, 2], 2));
        assert_eq!((c.only_a.len(), c.only_b.clone()), (0, vec!["SZ000001".to_string()]));
    }
}
