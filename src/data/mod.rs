//! Market data: the [`Panel`] model, its loaders (standard CSV, qlib, baostock), merging of
//! several sources, the synthetic market, and the summary `alphasweep data` prints.

pub mod accounts;
pub mod assemble;
pub mod baostock;
pub mod bar_rules;
pub mod code;
pub mod date;
pub mod fast_csv;
pub mod load;
pub mod long_table;
pub mod matrix;
pub mod membership;
pub mod merge;
pub mod panel;
pub mod qlib;
pub mod rows;
pub mod source;
pub mod standard;
pub mod summary;
pub mod synth;
pub mod table;

pub use date::Date;
pub use matrix::Matrix;
pub use panel::{Financials, IndexSeries, Panel, Report, Spell, field};
