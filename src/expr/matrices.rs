//! Evaluation into `[date, stock]` matrices, one per expression: the form the cleaning and
//! the model read (a stock's per-day results are transposed into the matrices in blocks).

use rayon::prelude::*;

use crate::data::Matrix;
use crate::expr::plan::Plan;
use crate::expr::stock::{Input, by_stock};

impl Plan {
    /// Every expression on every stock: `fields[slot]` is field `slot`'s `[date, stock]`
    /// matrix; one `[date, stock]` matrix per expression comes back.
    pub fn eval(&self, fields: &[&Matrix]) -> Vec<Matrix> {
        let (nd, ns) = fields.first().map_or((0, 0), |m| (m.n_dates, m.n_stocks));
        self.eval_spans(fields, &vec![(nd > 0).then(|| (0, nd - 1)); ns])
    }

    /// [`Plan::eval`] for the days `spans[s]` of each stock only (first and last date index,
    /// inclusive; `None`: no day), say its index membership: a stock is evaluated from
    /// [`Plan::reach`] days before its span (from its first day when that is `None`) to the
    /// span's end, and only the span's days are written (others are `NaN`). The values are
    /// those of a whole-history evaluation (the windows on the span's days see the same
    /// days), up to the rounding of running sums.
    pub fn eval_spans(&self, fields: &[&Matrix], spans: &[Option<(usize, usize)>]) -> Vec<Matrix> {
        let inputs: Vec<Input> = fields.iter().map(|m| Input::Of(m)).collect();
        self.eval_spans_with(&inputs, spans, |v| v)
    }

    /// [`Plan::eval_spans`] on the fields as compiled, every non-finite value (a division by
    /// 0) written as `NaN`.
    pub(super) fn eval_inputs_finite(&self, fields: &[Input], spans: &[Option<(usize, usize)>]) -> Vec<Matrix> {
        self.eval_spans_with(fields, spans, |v| if v.is_finite() { v } else { f64::NAN })
    }

    /// [`Plan::eval_spans`], each value passed through `write` on its way into the outputs.
    fn eval_spans_with(
        &self,
        fields: &[Input],
        spans: &[Option<(usize, usize)>],
        write: impl Fn(f64) -> f64 + Sync,
    ) -> Vec<Matrix> {
        let (nd, ns) = fields.first().map_or((0, 0), Input::shape);
        if nd == 0 || ns == 0 {
            return (0..self.n_outputs()).map(|_| Matrix::nan(nd, ns)).collect();
        }
        // Zeroed allocations are fresh pages, mapped ahead (in parallel) and not written
        // here: the scatter below writes every cell (NaN off the spans).
        let mut out: Vec<Matrix> =
            (0..self.n_outputs()).map(|_| Matrix { n_dates: nd, n_stocks: ns, data: vec![0.0; nd * ns] }).collect();
        out.iter_mut().for_each(|m| crate::memory::populate(&mut m.data));
        let by_stock = by_stock(fields);
        // Stocks in groups: each group's columns are scattered before the next is computed,
        // so memory beyond the output is one group's worth.
        let stocks: Vec<usize> = (0..ns).collect();
        for group in stocks.chunks(GROUP.max(rayon::current_num_threads() * 8)) {
            // Per stock: the first day evaluated, the span, the values from that day.
            type Col = Option<(usize, (usize, usize), Vec<Vec<f64>>)>;
            let cols: Vec<Col> = group
                .par_iter()
                .map(|&s| {
                    let span = spans[s]?;
                    let (lo, vals) = self.eval_stock(&by_stock, nd, s, span);
                    Some((lo, span, vals))
                })
                .collect();
            // A blocked transpose into each output: per block of days, stock by stock (its
            // values are contiguous); the block's part of the rows (SCATTER_DAYS x GROUP
            // values) stays in cache while the group fills it.
            let s0 = group[0];
            out.par_iter_mut().enumerate().for_each(|(r, m)| {
                // Per stock: its first day evaluated, its span, this output's values.
                type Series<'a> = Option<(usize, usize, usize, &'a [f64])>;
                let series: Vec<Series> =
                    cols.iter().map(|c| c.as_ref().map(|(lo, (a, b), vals)| (*lo, *a, *b, vals[r].as_slice()))).collect();
                for from in (0..nd).step_by(SCATTER_DAYS) {
                    let to = (from + SCATTER_DAYS).min(nd);
                    let rows = &mut m.data[from * ns..to * ns];
                    for (k, col) in series.iter().enumerate() {
                        let cells = rows[s0 + k..].iter_mut().step_by(ns);
                        match *col {
                            Some((lo, a, b, vals)) => cells
                                .zip(from..to)
                                .for_each(|(cell, d)| *cell = if (a..=b).contains(&d) { write(vals[d - lo]) } else { f64::NAN }),
                            None => cells.for_each(|cell| *cell = f64::NAN),
                        }
                    }
                }
            });
        }
        out
    }
}

/// Stocks evaluated between two scatters into the outputs, at least (a row segment of 64
/// values is 8 cache lines; many threads get 8 stocks each).
const GROUP: usize = 64;

/// Days per block of the scatter (a block's segments of one output: 32 KB).
const SCATTER_DAYS: usize = 64;
