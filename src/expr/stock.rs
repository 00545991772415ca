//! One stock's evaluation: its inputs (the fields transposed to `[stock, date]`), the days
//! evaluated for a span of member days (the plan's reach before it), and its values,
//! returned or handed on expression by expression as they are computed.

use rayon::prelude::*;

use crate::data::Matrix;
use crate::expr::apply::r32;
use crate::expr::plan::Plan;

impl Plan {
    /// Every expression on stock `s` (of `nd` days in `by_stock`) for the days of `span`
    /// (first, last), from [`Plan::reach`] days before it (the stock's whole history when
    /// that is `None`): the first day evaluated and the values from it, per expression.
    pub(super) fn eval_stock(&self, by_stock: &[Vec<f64>], nd: usize, s: usize, span: (usize, usize)) -> (usize, Vec<Vec<f64>>) {
        let mut out = vec![];
        let lo = self.eval_stock_with(by_stock, nd, s, span, |refs, start| out = self.eval_from(refs, start));
        (lo, out)
    }

    /// [`Plan::eval_stock`] with each expression's values handed to `sink` as they are
    /// computed ([`Plan::eval_with`]), from the first day of [`Plan::days_evaluated`].
    pub(super) fn eval_stock_into(&self, by_stock: &[Vec<f64>], nd: usize, s: usize, span: (usize, usize), sink: &mut Sink) {
        self.eval_stock_with(by_stock, nd, s, span, |refs, start| {
            self.eval_with(refs, start, Some(sink));
        });
    }

    /// The days (first, last) evaluated for a stock of `nd` days to have values on `span`:
    /// from [`Plan::reach`] days before it, or its whole history.
    pub(super) fn days_evaluated(&self, nd: usize, span: (usize, usize)) -> (usize, usize) {
        match self.reach {
            Some(r) => (span.0.saturating_sub(r), span.1),
            None => (0, nd - 1),
        }
    }

    /// Stock `s`'s inputs over `span` and its reach, and the day its history starts, given
    /// to `eval`; returns the first day evaluated.
    fn eval_stock_with(
        &self,
        by_stock: &[Vec<f64>],
        nd: usize,
        s: usize,
        span: (usize, usize),
        eval: impl FnOnce(&[&[f64]], usize),
    ) -> usize {
        let whole: Vec<&[f64]> = by_stock.iter().map(|t| &t[s * nd..(s + 1) * nd]).collect();
        let (lo, hi) = self.days_evaluated(nd, span);
        let refs: Vec<&[f64]> = whole.iter().map(|x| &x[lo..=hi]).collect();
        eval(&refs, first_value(&whole).saturating_sub(lo));
        lo
    }
}

/// What receives each expression's values as they are computed: `(expression, values)`.
pub(super) type Sink<'a> = dyn FnMut(usize, &[f64]) + 'a;

/// A field's `[date, stock]` values as a plan reads them: a panel matrix, the cell-by-cell
/// product of two (an adjusted price: raw × adjustment factor, formed as the fields are
/// transposed rather than stored), or a matrix computed for the plan.
pub enum Input<'a> {
    Of(&'a Matrix),
    Product(&'a Matrix, &'a Matrix),
    Owned(Matrix),
}

impl Input<'_> {
    /// (dates, stocks).
    pub fn shape(&self) -> (usize, usize) {
        let m = match self {
            Input::Of(m) | Input::Product(m, _) => m,
            Input::Owned(m) => m,
        };
        (m.n_dates, m.n_stocks)
    }

    /// The values as one matrix.
    pub fn into_matrix(self) -> Matrix {
        match self {
            Input::Of(m) => m.clone(),
            Input::Product(a, b) => a.zip_with(b, |x, k| x * k),
            Input::Owned(m) => m,
        }
    }
}

/// Side of the tiles in which the fields are transposed.
const TILE: usize = 32;

/// Each field rounded to float32 and transposed to `[stock, date]` (one stock's days
/// contiguous), in tiles so that reads and writes both stay in cache.
pub(super) fn by_stock(fields: &[Input]) -> Vec<Vec<f64>> {
    fields
        .par_iter()
        .map(|input| {
            let (nd, ns) = input.shape();
            let mut t = vec![0.0; nd * ns];
            crate::memory::populate(&mut t);
            // Fields are float32 (qlib's bins; numpy's arithmetic on them stays float32).
            match input {
                Input::Of(m) => transpose(nd, ns, &mut t, |i| r32(m.data[i])),
                Input::Owned(m) => transpose(nd, ns, &mut t, |i| r32(m.data[i])),
                Input::Product(a, b) => transpose(nd, ns, &mut t, |i| r32(a.data[i] * b.data[i])),
            }
            t
        })
        .collect()
}

/// `t[s * nd + d] = cell(d * ns + s)` in tiles.
fn transpose(nd: usize, ns: usize, t: &mut [f64], cell: impl Fn(usize) -> f64) {
    for d0 in (0..nd).step_by(TILE) {
        for s0 in (0..ns).step_by(TILE) {
            for s in s0..(s0 + TILE).min(ns) {
                for d in d0..(d0 + TILE).min(nd) {
                    t[s * nd + d] = cell(d * ns + s);
                }
            }
        }
    }
}

/// The first day any of `inputs` has a value (their length when none has).
pub(super) fn first_value(inputs: &[&[f64]]) -> usize {
    let len = inputs.first().map_or(0, |x| x.len());
    inputs.iter().filter_map(|x| x.iter().position(|v| !v.is_nan())).min().unwrap_or(len)
}
