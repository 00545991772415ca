//! The paper's factor library. For now: the catalog of all 41 factors with the inputs each
//! needs, used to tell which factors a data set can support.

pub mod catalog;
