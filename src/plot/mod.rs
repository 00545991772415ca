//! Plots for people (plotters, PNG), used by every stage that draws: `charts` (heatmaps,
//! lines over dates, grouped bars) and `xy` (strips and curves over numbers). Text uses the
//! DejaVu Sans font compiled into the binary, so plots render on a bare machine.

pub mod charts;
pub mod xy;
