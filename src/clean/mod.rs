//! Per-date cleaning of factor values (section 3.1.2 of the paper), each step a function of
//! one date's cross-section of universe members, run in parallel over dates:
//! 1. fill missing values (cross-sectional mean by default; median or industry mean),
//! 2. MAD winsorizing (median ± n · 1.4826 · MAD, n = 5),
//! 3. market-cap neutralization (OLS residual on log market cap, optionally with industry
//!    dummies),
//! 4. cross-sectional z-score.
//!
//! (Quarterly → daily upsampling happens before, in [`crate::factors::pit`].)

pub mod fill;
pub mod neutralize;
pub mod standardize;
pub mod winsorize;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Matrix;

pub use fill::Fill;
pub use neutralize::Neutralize;

/// How to scale the MAD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MadScale {
    /// × 1.4826, so that the band is n standard deviations for normal data (default).
    #[default]
    Normal,
    /// The raw median absolute deviation.
    Raw,
}

/// The cleaning options (the paper's choices by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    pub fill: Fill,
    /// Winsorize at median ± `mad_n` (scaled) MADs; 0 turns winsorizing off.
    pub mad_n: f64,
    pub mad_scale: MadScale,
    pub neutralize: Neutralize,
    /// Cross-sectional z-score at the end.
    pub standardize: bool,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            fill: Fill::Mean,
            mad_n: 5.0,
            mad_scale: MadScale::Normal,
            neutralize: Neutralize::MarketCap,
            standardize: true,
        }
    }
}

/// What cleaning did to one factor, counted over member stock-days.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CleanReport {
    /// Member stock-days.
    pub cells: usize,
    /// Missing before cleaning.
    pub missing: usize,
    /// Filled by step 1.
    pub filled: usize,
    /// Moved to a winsorizing bound by step 2.
    pub clipped: usize,
    /// Dates whose cross-section was empty (left `NaN`).
    pub degenerate_dates: usize,
    /// Dates whose cross-section was constant (one value, or all equal): set to 0.
    pub constant_dates: usize,
    /// Member stock-days left out of neutralization for lack of a market cap (set `NaN`).
    pub no_market_cap: usize,
}

impl CleanReport {
    fn add(mut self, o: CleanReport) -> CleanReport {
        self.cells += o.cells;
        self.missing += o.missing;
        self.filled += o.filled;
        self.clipped += o.clipped;
        self.degenerate_dates += o.degenerate_dates;
        self.constant_dates += o.constant_dates;
        self.no_market_cap += o.no_market_cap;
        self
    }
}

/// Per-date context shared by all factors: who is a member, their log market cap and
/// industry group.
pub struct CrossSections<'a> {
    /// `[date, stock]` membership, row-major.
    pub mask: &'a [bool],
    /// `[date, stock]` log market cap; `None` when the data has none (neutralization is then
    /// skipped, and the caller says so).
    pub log_cap: Option<&'a Matrix>,
    /// Industry group per stock (dense ids; stocks without a label share one group).
    pub industry: &'a [u32],
}

/// Cleans one factor (`[date, stock]`); non-members come out `NaN`.
pub fn clean_factor(raw: &Matrix, cs: &CrossSections, cfg: &CleanConfig) -> (Matrix, CleanReport) {
    let ns = raw.n_stocks;
    let mut out = raw.clone();
    let report = out
        .data
        .par_chunks_mut(ns.max(1))
        .enumerate()
        .map(|(d, row)| {
            let mask = &cs.mask[d * ns..(d + 1) * ns];
            let cap = cs.log_cap.map(|m| m.row(d));
            clean_row(row, mask, cap, cs.industry, cfg)
        })
        .reduce(CleanReport::default, CleanReport::add);
    (out, report)
}

/// Cleans one date's row in place (members only; others set `NaN`).
fn clean_row(row: &mut [f64], mask: &[bool], log_cap: Option<&[f64]>, industry: &[u32], cfg: &CleanConfig) -> CleanReport {
    let mut rep = CleanReport::default();
    for (v, m) in row.iter_mut().zip(mask) {
        if !*m {
            *v = f64::NAN;
        } else {
            rep.cells += 1;
            rep.missing += v.is_nan() as usize;
        }
    }
    if rep.cells == 0 {
        return rep;
    }
    if rep.missing == rep.cells {
        rep.degenerate_dates = 1;
        return rep;
    }
    rep.filled = fill::fill(row, mask, industry, cfg.fill);
    if cfg.mad_n > 0.0 {
        rep.clipped = winsorize::winsorize(row, mask, cfg.mad_n, cfg.mad_scale);
    }
    if cfg.neutralize != Neutralize::None
        && let Some(cap) = log_cap
    {
        rep.no_market_cap = neutralize::neutralize(row, mask, cap, industry, cfg.neutralize);
    }
    if cfg.standardize {
        match standardize::zscore(row, mask) {
            standardize::Spread::Varies => {}
            standardize::Spread::Constant => rep.constant_dates = 1,
            standardize::Spread::Empty => rep.degenerate_dates = 1,
        }
    }
    rep
}
