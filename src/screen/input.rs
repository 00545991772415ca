//! Reading a factor table onto a panel's axes: the reader lives with the data
//! (`data::long_table`), where the factor stage reads a user's own feature table too.

pub use crate::data::long_table::{FactorColumns, read_factor_table, read_factor_table_until};
