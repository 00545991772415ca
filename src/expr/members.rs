//! Member rows: evaluated features on the index members' stock-days only, float32,
//! stock-major — the shape of the frame qlib's `D.features` returns for a market
//! (`(instrument, datetime)` rows × features), written without a `[date, stock]` matrix
//! per feature (Alpha158's 157 such matrices over 2010–2020 are 1.8 GB of f64; its member
//! rows are 0.4 GB of f32).

use rayon::prelude::*;

use crate::expr::plan::Plan;
use crate::expr::stock::{Input, by_stock};

/// Features evaluated on member stock-days ([`crate::expr::evaluate_members`]).
pub struct MemberRows {
    pub names: Vec<String>,
    /// Per row, its (date, stock) indices on the panel's axes: stock by stock, dates
    /// ascending within a stock.
    pub rows: Vec<(u32, u32)>,
    /// `[feature, row]`: one contiguous column of `rows.len()` values per feature (a
    /// pandas frame's float block, column by column); `NaN` where a feature has no value
    /// (non-finite results and values beyond float32's range included).
    pub values: Vec<f32>,
    /// Features the panel cannot feed, with the fields they lack.
    pub missing: Vec<(String, Vec<String>)>,
}

impl MemberRows {
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// Feature `f`'s column, one value per row.
    pub fn column(&self, f: usize) -> &[f32] {
        let n = self.rows.len();
        &self.values[f * n..(f + 1) * n]
    }

    /// Row `i`'s value of feature `f`.
    pub fn get(&self, i: usize, f: usize) -> f32 {
        self.values[f * self.rows.len() + i]
    }
}

impl Plan {
    /// Every expression on the cells of `mask` (`[date, stock]`, true for a member): each
    /// stock's member days are evaluated in [`stretches`] (each as [`Plan::eval_spans`]
    /// evaluates a span: from the plan's reach before it), stocks in parallel, each writing
    /// its own rows of every column directly.
    pub(super) fn eval_members(
        &self,
        fields: &[Input],
        mask: &[bool],
        names: Vec<String>,
        missing: Vec<(String, Vec<String>)>,
    ) -> MemberRows {
        let (nd, ns) = fields.first().map_or((0, 0), Input::shape);
        let nf = self.n_outputs();
        // Per stock, its member days (one pass over the mask, date by date).
        let mut days: Vec<Vec<usize>> = vec![vec![]; ns];
        for (d, row) in mask.chunks_exact(ns.max(1)).enumerate() {
            for (ds, _) in days.iter_mut().zip(row).filter(|(_, m)| **m) {
                ds.push(d);
            }
        }
        let rows: Vec<(u32, u32)> =
            days.iter().enumerate().flat_map(|(s, ds)| ds.iter().map(move |&d| (d as u32, s as u32))).collect();
        // Zeroed: fresh pages, mapped in parallel before the stocks write them. Each stock's
        // part of every column, cut out in order.
        let mut values = vec![0.0f32; rows.len() * nf];
        crate::memory::populate(&mut values);
        let mut parts: Vec<Vec<&mut [f32]>> = (0..ns).map(|_| Vec::with_capacity(nf)).collect();
        for column in values.chunks_mut(rows.len().max(1)) {
            let mut rest = column;
            for (part, ds) in parts.iter_mut().zip(&days) {
                let (mine, tail) = rest.split_at_mut(ds.len());
                part.push(mine);
                rest = tail;
            }
        }
        let by_stock = by_stock(fields);
        parts.par_iter_mut().enumerate().filter(|(s, _)| !days[*s].is_empty()).for_each(|(s, cols)| {
            let f32_or_nan = |v: f64| {
                let x = v as f32;
                if x.is_finite() { x } else { f32::NAN }
            };
            // Rows written so far: each stretch's rows follow the previous stretch's.
            let mut at = 0;
            for ds in stretches(&days[s], self.reach) {
                let (first, last) = (ds[0], ds[ds.len() - 1]);
                let one_spell = last - first + 1 == ds.len();
                // Each feature's values written as they are computed (then freed).
                let (lo, _) = self.days_evaluated(nd, (first, last));
                self.eval_stock_into(&by_stock, nd, s, (first, last), &mut |f, v| {
                    let col = &mut cols[f][at..at + ds.len()];
                    if one_spell {
                        // A straight run of days.
                        for (cell, &x) in col.iter_mut().zip(&v[first - lo..=last - lo]) {
                            *cell = f32_or_nan(x);
                        }
                    } else {
                        for (cell, &d) in col.iter_mut().zip(ds) {
                            *cell = f32_or_nan(v[d - lo]);
                        }
                    }
                });
                at += ds.len();
            }
        });
        MemberRows { names, rows, values, missing }
    }
}

/// A stock's member days (ascending) cut into stretches evaluated apart: a new stretch
/// starts where the days its first member day reads (`reach` before it) all lie after the
/// previous member day, so the days between are not evaluated. One stretch when `reach` is
/// `None` (the whole history is evaluated anyway).
fn stretches(days: &[usize], reach: Option<usize>) -> Vec<&[usize]> {
    let Some(r) = reach else { return vec![days] };
    let mut out = vec![];
    let mut from = 0;
    for i in 1..days.len() {
        if days[i].saturating_sub(r) > days[i - 1] + 1 {
            out.push(&days[from..i]);
            from = i;
        }
    }
    out.push(&days[from..]);
    out
}

#[cfg(test)]
mod tests {
    use crate::data::panel::Spell;
    use crate::expr::{evaluate, evaluate_members, feature};

    #[test]
    fn member_rows_are_the_panel_values_on_member_days() {
        let mut p = crate::factors::tests::panel();
        let (a, b) = (p.stocks[0].clone(), p.stocks[1].clone());
        let spell = |code: &str, from: usize, to: usize| Spell { code: code.into(), start: p.dates[from], end: p.dates[to] };
        // Stock A in two spells (days 5..=10 and 17..=20: evaluated apart, the second from
        // day 13, as the plan reads 4 days back), B from day 3.
        p.universe = Some(vec![spell(&a, 5, 10), spell(&a, 17, 20), spell(&b, 3, 24)]);
        let feats = [
            feature("m", "Mean($close, 5)/$close", false).unwrap(),
            feature("s", "Std($close, 3)", false).unwrap(),
            feature("r", "Ref($close, 2) - $open", false).unwrap(),
            feature("inf", "$close/($close-$close)", false).unwrap(),
            feature("vw", "$vwap", false).unwrap(),
        ];
        let panel = evaluate(&p, &feats).unwrap();
        let rows = evaluate_members(&p, &feats).unwrap();
        assert_eq!(rows.names, panel.names);
        assert_eq!(rows.missing, panel.missing);
        // Stock-major member days: A's 6 + 4, then B's 22.
        let mut want = vec![];
        want.extend((5..=10).chain(17..=20).map(|d| (d as u32, 0)));
        want.extend((3..=24).map(|d| (d as u32, 1)));
        assert_eq!(rows.rows, want);
        let mut finite = 0;
        for (i, &(d, s)) in rows.rows.iter().enumerate() {
            for (f, m) in panel.values.iter().enumerate() {
                let (x, y) = (rows.get(i, f), m.get(d as usize, s as usize));
                assert!(x.is_nan() && y.is_nan() || x == y as f32, "{} at ({d}, {s}): {x} vs {y}", rows.names[f]);
                finite += x.is_finite() as usize;
            }
        }
        // The division by zero is NaN, every other feature has values.
        assert!(rows.names.iter().position(|n| n == "inf").is_some_and(|f| rows.column(f).iter().all(|x| x.is_nan())));
        assert!(finite >= 3 * rows.n_rows() - 4, "{finite} finite values");
    }

    #[test]
    fn stretches_start_where_the_reach_leaves_a_gap() {
        let days = [3, 4, 5, 9, 10, 20, 21];
        // Day 9 reads back to 6 (right after 5): one stretch; day 20 reads back to 17.
        assert_eq!(super::stretches(&days, Some(3)), vec![&days[..5], &days[5..]]);
        assert_eq!(super::stretches(&days, Some(2)), vec![&days[..3], &days[3..5], &days[5..]]);
        assert_eq!(super::stretches(&days, Some(20)), vec![&days[..]]);
        assert_eq!(super::stretches(&days, None), vec![&days[..]]);
    }
}
