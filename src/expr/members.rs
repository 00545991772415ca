//! Member rows: evaluated features on the index members' stock-days only, float32,
//! stock-major — the shape of the frame qlib's `D.features` returns for a market
//! (`(instrument, datetime)` rows × features), written without a `[date, stock]` matrix
//! per feature (Alpha158's 157 such matrices over 2010–2020 are 1.8 GB of f64; its member
//! rows are 0.4 GB of f32).

use rayon::prelude::*;

use crate::data::Matrix;
use crate::expr::plan::{Plan, by_stock};

/// Features evaluated on member stock-days ([`crate::expr::evaluate_members`]).
pub struct MemberRows {
    pub names: Vec<String>,
    /// Per row, its (date, stock) indices on the panel's axes: stock by stock, dates
    /// ascending within a stock.
    pub rows: Vec<(u32, u32)>,
    /// `[row, feature]`, `names.len()` values per row; `NaN` where a feature has no value
    /// (non-finite results and values beyond float32's range included).
    pub values: Vec<f32>,
    /// Features the panel cannot feed, with the fields they lack.
    pub missing: Vec<(String, Vec<String>)>,
}

impl MemberRows {
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// Row `i`'s values, one per feature.
    pub fn row(&self, i: usize) -> &[f32] {
        let nf = self.names.len();
        &self.values[i * nf..(i + 1) * nf]
    }
}

impl Plan {
    /// Every expression on the cells of `mask` (`[date, stock]`, true for a member): each
    /// stock is evaluated over the span from its first to its last member day as
    /// [`Plan::eval_spans`] evaluates it, in parallel, and writes its own rows (one
    /// contiguous block) directly.
    pub(super) fn eval_members(
        &self,
        fields: &[&Matrix],
        mask: &[bool],
        names: Vec<String>,
        missing: Vec<(String, Vec<String>)>,
    ) -> MemberRows {
        let (nd, ns) = fields.first().map_or((0, 0), |m| (m.n_dates, m.n_stocks));
        let nf = self.n_outputs();
        // Per stock, its member days.
        let days: Vec<Vec<usize>> = (0..ns).map(|s| (0..nd).filter(|&d| mask[d * ns + s]).collect()).collect();
        let rows: Vec<(u32, u32)> =
            days.iter().enumerate().flat_map(|(s, ds)| ds.iter().map(move |&d| (d as u32, s as u32))).collect();
        // Zeroed: fresh pages, each touched first by the stock that writes it.
        let mut values = vec![0.0f32; rows.len() * nf];
        let mut blocks: Vec<(usize, &mut [f32])> = Vec::with_capacity(ns);
        let mut rest = values.as_mut_slice();
        for (s, ds) in days.iter().enumerate() {
            let (block, tail) = rest.split_at_mut(ds.len() * nf);
            if !ds.is_empty() {
                blocks.push((s, block));
            }
            rest = tail;
        }
        let by_stock = by_stock(fields);
        blocks.par_iter_mut().for_each(|(s, out)| {
            let ds = &days[*s];
            let (lo, vals) = self.eval_stock(&by_stock, nd, *s, (ds[0], ds[ds.len() - 1]));
            // Row by row: the stores run in order; the loads (one day of each feature)
            // come from one cache line per feature, which the next 7 rows read too.
            for (cells, &d) in out.chunks_exact_mut(nf).zip(ds) {
                for (cell, v) in cells.iter_mut().zip(&vals) {
                    let x = v[d - lo] as f32;
                    *cell = if x.is_finite() { x } else { f32::NAN };
                }
            }
        });
        MemberRows { names, rows, values, missing }
    }
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
        // Stock A in two spells (days 5..=10 and 15..=20), B from day 3.
        p.universe = Some(vec![spell(&a, 5, 10), spell(&a, 15, 20), spell(&b, 3, 24)]);
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
        // Stock-major member days: A's 6 + 6, then B's 22.
        let mut want = vec![];
        want.extend((5..=10).chain(15..=20).map(|d| (d as u32, 0)));
        want.extend((3..=24).map(|d| (d as u32, 1)));
        assert_eq!(rows.rows, want);
        let mut finite = 0;
        for (i, &(d, s)) in rows.rows.iter().enumerate() {
            for (f, m) in panel.values.iter().enumerate() {
                let (x, y) = (rows.row(i)[f], m.get(d as usize, s as usize));
                assert!(x.is_nan() && y.is_nan() || x == y as f32, "{} at ({d}, {s}): {x} vs {y}", rows.names[f]);
                finite += x.is_finite() as usize;
            }
        }
        // The division by zero is NaN, every other feature has values.
        assert!(rows.names.iter().position(|n| n == "inf").is_some_and(|f| (0..rows.n_rows()).all(|i| rows.row(i)[f].is_nan())));
        assert!(finite >= 3 * rows.n_rows() - 4, "{finite} finite values");
    }
}
