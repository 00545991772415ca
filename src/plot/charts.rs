//! PNG plots: heatmaps, line charts over dates, grouped bars. Text uses the DejaVu Sans font
//! compiled into the binary (assets/fonts), so no system fonts are needed.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::data::Date;
use crate::error::{Error, Result};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static INIT: Once = Once::new();

pub(crate) fn init() {
    INIT.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The font is compiled in and known good; a failure here is a build defect.
            plotters::style::register_font("sans-serif", style, FONT).unwrap_or_else(|_| panic!("embedded font is invalid"));
        }
    });
}

pub(crate) fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::format(path.display(), format!("drawing plot: {e}"))
}

/// A correlation heatmap with the value in each cell (blue −1 … white 0 … red +1).
pub fn heatmap(path: &Path, title: &str, labels: &[String], m: &[Vec<f64>]) -> Result<()> {
    init();
    let n = labels.len().max(1);
    let cell = 46u32;
    // Room for row labels on the left and rotated column labels above the grid.
    let margin = 190u32;
    let top = 45 + 175u32;
    let size = (margin + cell * n as u32 + 30, top + cell * n as u32 + 20);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    root.draw(&Text::new(title.to_string(), (10, 10), ("sans-serif", 18).into_font())).map_err(|e| err(path, e))?;
    let x0 = margin as i32;
    let y0 = top as i32;
    for (i, row) in m.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let (x, y) = (x0 + (j as u32 * cell) as i32, y0 + (i as u32 * cell) as i32);
            let c = if v.is_nan() {
                RGBColor(220, 220, 220)
            } else if *v >= 0.0 {
                let k = (255.0 * (1.0 - v.min(1.0))) as u8;
                RGBColor(255, k, k)
            } else {
                let k = (255.0 * (1.0 + v.max(-1.0))) as u8;
                RGBColor(k, k, 255)
            };
            root.draw(&Rectangle::new([(x, y), (x + cell as i32, y + cell as i32)], c.filled())).map_err(|e| err(path, e))?;
            let txt = if v.is_nan() { "-".to_string() } else { format!("{v:.2}") };
            root.draw(&Text::new(txt, (x + 6, y + cell as i32 / 2 - 6), ("sans-serif", 12).into_font()))
                .map_err(|e| err(path, e))?;
        }
        let label = labels[i].chars().take(26).collect::<String>();
        root.draw(&Text::new(label, (8, y0 + (i as u32 * cell) as i32 + cell as i32 / 2 - 6), ("sans-serif", 12).into_font()))
            .map_err(|e| err(path, e))?;
    }
    for (j, l) in labels.iter().enumerate() {
        let label = l.chars().take(26).collect::<String>();
        let style = ("sans-serif", 12).into_font().transform(FontTransform::Rotate270);
        root.draw(&Text::new(label, (x0 + (j as u32 * cell) as i32 + cell as i32 / 2 - 6, y0 - 6), style))
            .map_err(|e| err(path, e))?;
    }
    root.present().map_err(|e| err(path, e))
}

/// Lines over a date axis; `series` are (name, values per date), NaN breaks nothing (skipped).
pub fn lines(path: &Path, title: &str, y_label: &str, dates: &[Date], series: &[(String, Vec<f64>)]) -> Result<()> {
    init();
    let root = BitMapBackend::new(path, (1000, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let finite = series.iter().flat_map(|s| s.1.iter().copied()).filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() && hi > lo { (lo, hi) } else { (-1.0, 1.0) };
    let pad = (hi - lo) * 0.05;
    let n = dates.len().max(2);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(0..n - 1, (lo - pad)..(hi + pad))
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .y_desc(y_label)
        .x_labels(8)
        .x_label_formatter(&|i| dates.get(*i).map(|d| d.to_string()[..7].to_string()).unwrap_or_default())
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(|e| err(path, e))?;
    for (k, (name, v)) in series.iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        let pts: Vec<(usize, f64)> = v.iter().enumerate().filter(|(_, y)| y.is_finite()).map(|(i, y)| (i, *y)).collect();
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(|e| err(path, e))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| err(path, e))?;
    root.present().map_err(|e| err(path, e))
}

/// A grid of small bar charts: for each (title, bar values), one panel with bars 1..=n.
pub fn bar_grid(path: &Path, title: &str, panels: &[(String, Vec<f64>)], y_label: &str) -> Result<()> {
    bar_grid_labeled(path, title, panels, y_label, &|i| format!("Q{}", i + 1))
}

/// [`bar_grid`] with `label(i)` under bar `i` (0-based).
pub fn bar_grid_labeled(
    path: &Path,
    title: &str,
    panels: &[(String, Vec<f64>)],
    y_label: &str,
    label: &dyn Fn(usize) -> String,
) -> Result<()> {
    init();
    let cols = 3usize;
    let rows = panels.len().div_ceil(cols).max(1);
    let root = BitMapBackend::new(path, (1050, 60 + 280 * rows as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let (top, body) = root.split_vertically(50);
    top.draw(&Text::new(title.to_string(), (10, 15), ("sans-serif", 20).into_font())).map_err(|e| err(path, e))?;
    for (area, (name, bars)) in body.split_evenly((rows, cols)).iter().zip(panels) {
        let m = bars.iter().copied().filter(|v| v.is_finite()).fold(0.0f64, |a, v| a.max(v.abs()));
        let m = if m > 0.0 { m * 1.15 } else { 1.0 };
        let mut chart = ChartBuilder::on(area)
            .caption(name, ("sans-serif", 14))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(64)
            .build_cartesian_2d(0.5..bars.len() as f64 + 0.5, -m..m)
            .map_err(|e| err(path, e))?;
        chart
            .configure_mesh()
            .y_desc(y_label)
            .x_labels(bars.len())
            .x_label_formatter(&|x| if *x >= 0.5 { label(x.round() as usize - 1) } else { String::new() })
            .disable_x_mesh()
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(|e| err(path, e))?;
        chart
            .draw_series(bars.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, v)| {
                let color = if *v >= 0.0 { RGBColor(200, 60, 60) } else { RGBColor(60, 90, 200) };
                let x = (i + 1) as f64;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, *v)], color.filled())
            }))
            .map_err(|e| err(path, e))?;
    }
    root.present().map_err(|e| err(path, e))
}
