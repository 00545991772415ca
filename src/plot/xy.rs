//! Plots over numeric or categorical x axes: strips of points per category (a metric against
//! each hyperparameter) and curves against a number (learning curves by epoch).

use std::path::Path;

use plotters::prelude::*;

use crate::error::Result;
use crate::plot::charts::{err, init};

/// One strip panel: its title, the category labels, and points `(category index, y)`.
pub struct Strip {
    pub title: String,
    pub categories: Vec<String>,
    pub points: Vec<(usize, f64)>,
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-9);
    (lo - pad, hi + pad)
}

/// A grid of strip panels sharing the y axis: every point, and each category's mean as a bar.
pub fn strips(path: &Path, title: &str, panels: &[Strip], y_label: &str) -> Result<()> {
    init();
    let cols = panels.len().clamp(1, 4);
    let rows = panels.len().div_ceil(cols).max(1);
    let root = BitMapBackend::new(path, (300 * cols as u32 + 40, 60 + 300 * rows as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let (top, body) = root.split_vertically(50);
    top.draw(&Text::new(title.to_string(), (10, 15), ("sans-serif", 20).into_font())).map_err(|e| err(path, e))?;
    let (lo, hi) = range(panels.iter().flat_map(|p| p.points.iter().map(|q| q.1)));
    for (area, p) in body.split_evenly((rows, cols)).iter().zip(panels) {
        let n = p.categories.len().max(1);
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(26)
            .y_label_area_size(62)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, lo..hi)
            .map_err(|e| err(path, e))?;
        chart
            .configure_mesh()
            .y_desc(y_label)
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    p.categories.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .disable_x_mesh()
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(|e| err(path, e))?;
        let means: Vec<(usize, f64)> = (0..n)
            .filter_map(|c| {
                let v: Vec<f64> = p.points.iter().filter(|q| q.0 == c && q.1.is_finite()).map(|q| q.1).collect();
                (!v.is_empty()).then(|| (c, v.iter().sum::<f64>() / v.len() as f64))
            })
            .collect();
        chart
            .draw_series(
                means.iter().map(|&(c, m)| {
                    Rectangle::new([(c as f64 - 0.3, m), (c as f64 + 0.3, m)], RGBColor(200, 60, 60).stroke_width(3))
                }),
            )
            .map_err(|e| err(path, e))?;
        // Points jittered deterministically across the strip.
        chart
            .draw_series(p.points.iter().enumerate().filter(|(_, q)| q.1.is_finite()).map(|(k, &(c, y))| {
                let jitter = ((k * 7919) % 41) as f64 / 40.0 * 0.4 - 0.2;
                Circle::new((c as f64 + jitter, y), 3, RGBColor(40, 80, 180).mix(0.6).filled())
            }))
            .map_err(|e| err(path, e))?;
    }
    root.present().map_err(|e| err(path, e))
}

/// Lines of `(x, y)` points, one per named series.
pub fn curves(path: &Path, title: &str, x_label: &str, y_label: &str, series: &[(String, Vec<(f64, f64)>)]) -> Result<()> {
    init();
    let root = BitMapBackend::new(path, (1000, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let (x0, x1) = range(series.iter().flat_map(|s| s.1.iter().map(|p| p.0)));
    let (y0, y1) = range(series.iter().flat_map(|s| s.1.iter().map(|p| p.1)));
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| err(path, e))?;
    chart.configure_mesh().x_desc(x_label).y_desc(y_label).label_style(("sans-serif", 12)).draw().map_err(|e| err(path, e))?;
    for (k, (name, pts)) in series.iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        let pts: Vec<(f64, f64)> = pts.iter().copied().filter(|p| p.1.is_finite()).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(|e| err(path, e))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(|e| err(path, e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| err(path, e))?;
    root.present().map_err(|e| err(path, e))
}
