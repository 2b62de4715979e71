//! Charts for design reviews, each drawn once per backend and written as `<stem>.svg` and
//! `<stem>.png`, [`WIDTH`] × [`HEIGHT`] pixels.
//!
//! Every chart is a small struct holding the numbers it shows, with a [`Chart::draw`] that works on
//! any plotters backend; [`render`] draws it twice (SVG text for files and inline HTML, PNG for
//! slides). Text in PNGs is drawn with the bundled DejaVu Sans (`assets/`), so a machine without
//! system fonts draws the same pictures.
//!
//! | stem | chart |
//! |---|---|
//! | `availability` | per-trial downtime histogram; mean, its 95 % CI and the SLO budget marked |
//! | `downtime-exceedance` | share of trials whose downtime is at least x (log scale) |
//! | `timeline` | one representative trial: instances in service per zone, outages, DOWN periods |
//! | `incident-durations` | how long incidents last, pooled over all trials |
//! | `latency` | latency percentiles of answered requests (with traffic only) |
//! | `compare-nines`, `compare-cost-availability` | `nines compare` |
//! | `sweep-nines`, `sweep-downtime`, `sweep-cost` | `nines sweep` |

mod availability;
mod compare;
mod exceedance;
mod incidents;
mod latency;
pub(crate) mod style;
mod sweep;
mod timeline;

pub use availability::AvailabilityChart;
pub use compare::{CompareCostChart, CompareNinesChart, ComparedScenario};
pub use exceedance::ExceedanceChart;
pub use incidents::IncidentChart;
pub use latency::LatencyChart;
pub use style::{per_horizon, thousands};
pub use sweep::{SweepChart, SweepMetric, SweepPoint};
pub use timeline::{NearestTrial, Span, Timeline, TimelineChart};

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

/// Width of every chart [px].
pub const WIDTH: u32 = 1200;
/// Height of every chart [px].
pub const HEIGHT: u32 = 700;

/// What drawing can fail with, whatever the backend.
pub type DrawError = Box<dyn std::error::Error + Send + Sync>;

/// A chart that can be drawn on any plotters backend.
pub trait Chart: Sync {
    /// File name without the extension, e.g. `availability`.
    fn stem(&self) -> String;

    /// Draws the whole chart on `root` (already filled white).
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static;
}

/// A chart as written: its stem and its SVG text (for inlining into HTML).
#[derive(Clone, Debug)]
pub struct Rendered {
    /// File name without the extension; the files are `<stem>.svg` and `<stem>.png`.
    pub stem: String,
    /// The SVG document.
    pub svg: String,
}

/// A chart that could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RenderError {
    /// The file at fault.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

static FONT: Once = Once::new();

/// Makes the bundled DejaVu Sans plotters' `sans-serif`, once per process.
fn register_font() {
    FONT.call_once(|| {
        // The bytes are a valid TrueType font (checked by a unit test), so this cannot fail.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../../../assets/DejaVuSans.ttf"),
        );
    });
}

/// Draws `chart` into `dir/<stem>.svg` and `dir/<stem>.png`.
pub fn render<C: Chart>(chart: &C, dir: &Path) -> Result<Rendered, RenderError> {
    register_font();
    let stem = chart.stem();
    let svg_path = dir.join(format!("{stem}.svg"));
    let png_path = dir.join(format!("{stem}.png"));
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |e: DrawError| RenderError {
            path,
            message: format!("cannot draw the chart: {e}"),
        }
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw_on(chart, &root).map_err(fail(&svg_path))?;
    }
    fs::write(&svg_path, &svg).map_err(|e| RenderError {
        path: svg_path.clone(),
        message: e.to_string(),
    })?;

    let root = BitMapBackend::new(&png_path, (WIDTH, HEIGHT)).into_drawing_area();
    draw_on(chart, &root).map_err(fail(&png_path))?;
    Ok(Rendered { stem, svg })
}

fn draw_on<C: Chart, DB>(chart: &C, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    chart.draw(root)?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_is_a_valid_font() {
        let bytes: &'static [u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
        assert!(plotters::style::register_font("nines-test", FontStyle::Normal, bytes).is_ok());
    }
}
