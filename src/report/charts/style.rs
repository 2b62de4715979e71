//! The look shared by every chart: fonts, colours, frames and axes, and tick helpers.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::DrawError;

/// The font family; the bundled DejaVu Sans in PNGs, the viewer's sans-serif in SVGs.
pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: f64 = 32.0;
pub const AXIS_SIZE: f64 = 24.0;
pub const TICK_SIZE: f64 = 20.0;
pub const NOTE_SIZE: f64 = 19.0;

/// Text and axes.
pub const INK: RGBColor = RGBColor(0x22, 0x2b, 0x36);
/// Secondary text.
pub const MUTED: RGBColor = RGBColor(0x5f, 0x6b, 0x7a);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xe4, 0xe7, 0xeb);
/// The data's main colour.
pub const BLUE: RGBColor = RGBColor(0x2f, 0x6f, 0xb0);
/// Targets, budgets and DOWN periods.
pub const RED: RGBColor = RGBColor(0xc8, 0x2a, 0x2a);
/// Estimates (mean and CI) drawn over the data.
pub const DARK: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
/// A second data colour.
pub const ORANGE: RGBColor = RGBColor(0xe0, 0x7b, 0x12);
pub const GREEN: RGBColor = RGBColor(0x2e, 0x8b, 0x57);

/// Colours for series (zones, sweep lines, scenarios), in order.
pub const SERIES: [RGBColor; 8] = [
    RGBColor(0x2f, 0x6f, 0xb0),
    RGBColor(0xe0, 0x7b, 0x12),
    RGBColor(0x2e, 0x8b, 0x57),
    RGBColor(0x8e, 0x5a, 0xa8),
    RGBColor(0x17, 0x9c, 0xa8),
    RGBColor(0xb5, 0x8b, 0x00),
    RGBColor(0xc2, 0x4f, 0x84),
    RGBColor(0x6b, 0x6b, 0x6b),
];

/// The colour of series `i`.
pub fn series_color(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

pub fn text(size: f64, color: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&color)
}

/// Text centred horizontally on its position, with its top there.
pub fn centered(size: f64, color: RGBColor) -> TextStyle<'static> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    text(size, color).pos(Pos::new(HPos::Center, VPos::Top))
}

/// The chart's frame: title on top, room for tick labels and axis names.
pub fn frame<'a, 'b, DB: DrawingBackend>(root: &'a DrawingArea<DB, Shift>, title: &str) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(root);
    b.caption(title, text(TITLE_SIZE, INK))
        .margin(20)
        .margin_right(40)
        .x_label_area_size(70)
        .y_label_area_size(100);
    b
}

/// An `f64` axis with ticks chosen by the chart (log axes, categories, round values), not by
/// plotters.
pub struct Ticked {
    range: RangedCoordf64,
    ticks: Vec<f64>,
}

/// The axis `range` with a tick (and grid line) at each of `ticks`.
pub fn ticked(range: Range<f64>, ticks: Vec<f64>) -> Ticked {
    Ticked {
        range: range.into(),
        ticks,
    }
}

impl Ranged for Ticked {
    // Tick labels always come from the chart's own formatter.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.range()
    }
}

/// Axis names and tick labels of a chart whose coordinates are `f64`.
pub struct Axes<'f> {
    pub x_desc: &'f str,
    pub y_desc: &'f str,
    pub x_fmt: &'f dyn Fn(&f64) -> String,
    pub y_fmt: &'f dyn Fn(&f64) -> String,
}

/// Draws the grid, axes, tick labels and axis names.
pub fn mesh<DB, X, Y>(chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>, axes: &Axes) -> Result<(), DrawError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .x_labels(10)
        .y_labels(8)
        .axis_desc_style(text(AXIS_SIZE, INK))
        .label_style(text(TICK_SIZE, INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .draw()?;
    Ok(())
}

/// A message in the middle of an empty chart.
pub fn empty<DB>(root: &DrawingArea<DB, Shift>, title: &str, message: &str) -> Result<(), DrawError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let area = root.titled(title, text(TITLE_SIZE, INK))?;
    let (w, h) = area.dim_in_pixel();
    let style = text(AXIS_SIZE, MUTED).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    ));
    area.draw_text(message, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// A legend entry: a colour swatch (filled box or line) and its text.
pub struct LegendEntry {
    pub color: RGBAColor,
    pub line: bool,
    pub label: String,
}

impl LegendEntry {
    pub fn boxed(color: RGBAColor, label: impl Into<String>) -> Self {
        LegendEntry {
            color,
            line: false,
            label: label.into(),
        }
    }

    pub fn line(color: RGBAColor, label: impl Into<String>) -> Self {
        LegendEntry {
            color,
            line: true,
            label: label.into(),
        }
    }
}

/// A corner of a chart's plotting area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// Draws a legend box in `corner` of `plot` (a chart's plotting area), inset a little.
pub fn legend_in<DB, CT>(
    root: &DrawingArea<DB, Shift>,
    plot: &DrawingArea<DB, CT>,
    corner: Corner,
    entries: &[LegendEntry],
) -> Result<(), DrawError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate,
{
    let (x, y) = plot.get_pixel_range();
    let (w, h) = legend_size(root, entries);
    let inset = 12;
    let left = match corner {
        Corner::TopLeft | Corner::BottomLeft => x.start + inset,
        Corner::TopRight | Corner::BottomRight => x.end - inset - w,
    };
    let top = match corner {
        Corner::TopLeft | Corner::TopRight => y.start + inset,
        Corner::BottomLeft | Corner::BottomRight => y.end - inset - h,
    };
    legend(root, (left + w, top), entries)
}

const LEGEND_ROW: i32 = 28;

/// Width and height of a legend box [px].
fn legend_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> (i32, i32) {
    let style = text(NOTE_SIZE, INK);
    let width = entries
        .iter()
        .map(|e| {
            area.estimate_text_size(&e.label, &style)
                .map(|(w, _)| w as i32)
                .unwrap_or(200)
        })
        .max()
        .unwrap_or(200)
        + 60;
    (width, LEGEND_ROW * entries.len() as i32 + 12)
}

/// Draws a legend box whose top-right corner is at `top_right` (pixels of `area`).
pub fn legend<DB>(
    area: &DrawingArea<DB, Shift>,
    top_right: (i32, i32),
    entries: &[LegendEntry],
) -> Result<(), DrawError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    if entries.is_empty() {
        return Ok(());
    }
    let row = LEGEND_ROW;
    let style = text(NOTE_SIZE, INK);
    let (width, height) = legend_size(area, entries);
    let (x, y) = (top_right.0 - width, top_right.1);
    area.draw(&Rectangle::new([(x, y), (x + width, y + height)], WHITE.filled()))?;
    area.draw(&Rectangle::new([(x, y), (x + width, y + height)], GRID.stroke_width(1)))?;
    for (i, e) in entries.iter().enumerate() {
        let cy = y + 8 + row * i as i32 + row / 2;
        if e.line {
            area.draw(&PathElement::new(
                vec![(x + 10, cy), (x + 38, cy)],
                e.color.stroke_width(3),
            ))?;
        } else {
            area.draw(&Rectangle::new([(x + 10, cy - 8), (x + 38, cy + 8)], e.color.filled()))?;
        }
        area.draw_text(&e.label, &style, (x + 48, cy - 9))?;
    }
    Ok(())
}

/// A number for a tick label: no trailing zeros, at most `decimals` decimals.
pub fn number(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A compact number for axis labels: `12,345` style from 1,000 up, else up to 2 decimals.
pub fn compact(x: f64) -> String {
    if x.abs() >= 1000.0 {
        thousands(x)
    } else if x.abs() >= 100.0 {
        number(x, 0)
    } else {
        number(x, 2)
    }
}

/// A count for people: `12,345`, `3.4 million`, `126 billion`.
pub fn count(x: f64) -> String {
    for (scale, name) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if x >= scale {
            let v = x / scale;
            return format!("{} {name}", number(v, if v < 10.0 { 1 } else { 0 }));
        }
    }
    thousands(x)
}

/// `1 trial`, `10,000 trials`.
pub fn trials(n: u64) -> String {
    if n == 1 {
        "1 trial".into()
    } else {
        format!("{} trials", thousands(n as f64))
    }
}

/// `1234567.8` → `1,234,568`.
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 && digits != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// A duration for people: `20 ms`, `45 s`, `12 min`, `3.5 h`, `2 d`.
pub fn duration(secs: f64) -> String {
    if secs < 1.0 {
        format!("{} ms", number(secs * 1000.0, 1))
    } else if secs < 90.0 {
        format!("{} s", number(secs, 1))
    } else if secs < 3600.0 {
        format!("{} min", number(secs / 60.0, 1))
    } else if secs < 48.0 * 3600.0 {
        format!("{} h", number(secs / 3600.0, 1))
    } else {
        format!("{} d", number(secs / 86_400.0, 1))
    }
}

/// Ticks for a log axis between `lo` and `hi` (> 0), as the values themselves: powers of ten,
/// and 2 and 5 times them (or every integer multiple) when the range holds few decades.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    let decades = (hi / lo).log10();
    let steps: &[f64] = if decades > 4.0 {
        &[1.0]
    } else if decades > 1.5 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    };
    let mut ticks = Vec::new();
    for k in lo.log10().floor() as i32..=hi.log10().ceil() as i32 {
        let p = 10f64.powi(k);
        for &m in steps {
            let v = m * p;
            if v >= lo * 0.999_999 && v <= hi * 1.000_001 {
                ticks.push(v);
            }
        }
    }
    ticks
}

/// About `n` ticks at round values (1, 2, 5 × 10^k apart) from `lo` to `hi`.
pub fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let p = 10f64.powf(raw.log10().floor());
    let want = n.max(1) as f64;
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .min_by(|a, b| ((hi - lo) / a - want).abs().total_cmp(&((hi - lo) / b - want).abs()))
        .unwrap_or(p);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A "nice" upper bound for an axis that should just contain `x` (1, 2, 2.5, 5 × 10^k).
pub fn nice_ceil(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= x * 0.999_999 {
            return m * p;
        }
    }
    10.0 * p
}

/// "year" for a 365-day horizon, else e.g. "60 d": what per-trial numbers are per.
pub fn per_horizon(horizon_seconds: u64) -> String {
    if horizon_seconds == 365 * 86_400 {
        "year".into()
    } else {
        duration(horizon_seconds as f64)
    }
}

/// A percentage for people: `5 %`, `0.1 %`, `0.01 %`.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    let decimals = if p >= 10.0 {
        0
    } else if p >= 1.0 {
        1
    } else {
        (-p.log10()).ceil() as usize + 1
    };
    format!("{} %", number(p, decimals.min(6)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(2.50, 2), "2.5");
        assert_eq!(number(3.0, 2), "3");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(count(126_141_675_349_430.0), "126 trillion");
        assert_eq!(count(3_400_000.0), "3.4 million");
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(0.02), "20 ms");
        assert_eq!(duration(4.0 * 3600.0), "4 h");
        assert_eq!(duration(30.0 * 60.0), "30 min");
        assert_eq!(percent(0.05), "5 %");
        assert_eq!(percent(0.001), "0.1 %");
        assert_eq!(percent(0.0001), "0.01 %");
    }

    #[test]
    fn log_ticks_cover_the_range() {
        let close = |a: Vec<f64>, b: &[f64]| {
            assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
            for (x, y) in a.iter().zip(b) {
                assert!((x / y - 1.0).abs() < 1e-12, "{a:?} vs {b:?}");
            }
        };
        close(
            log_ticks(0.01, 100.0),
            &[0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0],
        );
        close(log_ticks(1e-4, 1e2), &[1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]);
        let narrow = log_ticks(0.6, 1.3);
        assert!(narrow.len() >= 3, "{narrow:?}");
    }

    #[test]
    fn linear_ticks_are_round() {
        assert_eq!(linear_ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(linear_ticks(3.0, 47.0, 4), vec![10.0, 20.0, 30.0, 40.0]);
    }

    #[test]
    fn nice_ceil_rounds_up() {
        assert_eq!(nice_ceil(43.4), 50.0);
        assert_eq!(nice_ceil(100.0), 100.0);
        assert_eq!(nice_ceil(0.013), 0.015);
    }
}
