//! Output for people: PNG plots (plotters, with an embedded font so they render on a bare
//! machine). The HTML report joins later stages.

pub mod html;
pub mod plots;
pub mod xy;
