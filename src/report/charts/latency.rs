//! Latency of answered requests as a percentile plot: latency against percentile on a "nines"
//! axis (50 %, 90 %, 99 %, 99.9 % …), the usual way to read a latency histogram's tail.

use hdrhistogram::Histogram;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::Summary;

use super::style::{self, Axes, LegendEntry};
use super::{Chart, DrawError};

/// Points along the percentile axis.
const POINTS: usize = 400;

/// Latency percentiles over all answered requests of all trials.
pub struct LatencyChart {
    scenario: String,
    /// `(nines of the percentile, latency [ms])`, where nines = −log₁₀(1 − q).
    curve: Vec<(f64, f64)>,
    requests: u64,
    /// The SLO's p99 target [ms].
    target_p99_ms: Option<f64>,
}

impl LatencyChart {
    /// The chart of a run, from its latency histogram [µs].
    pub fn new(summary: &Summary, latency_us: &Histogram<u64>) -> Self {
        let requests = latency_us.len();
        // Percentiles beyond one request in `requests` say nothing.
        let max_nines = (requests.max(10) as f64).log10().min(5.0);
        let curve = (0..=POINTS)
            .map(|i| {
                let nines = max_nines * i as f64 / POINTS as f64;
                let q = 1.0 - 10f64.powf(-nines);
                (nines, latency_us.value_at_quantile(q) as f64 / 1000.0)
            })
            .collect();
        LatencyChart {
            scenario: summary.run.scenario.clone(),
            curve,
            requests,
            target_p99_ms: summary.slo.latency_p99_target_ms,
        }
    }
}

/// `0` → "0 %", `1` → "90 %", `2` → "99 %", `3` → "99.9 %".
fn percentile_label(nines: f64) -> String {
    let q = 100.0 * (1.0 - 10f64.powf(-nines));
    format!("{} %", style::number(q, 4))
}

impl Chart for LatencyChart {
    fn stem(&self) -> String {
        "latency".into()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let title = format!(
            "{}: latency of {} answered requests",
            self.scenario,
            style::count(self.requests as f64)
        );
        if self.requests == 0 {
            return style::empty(root, &title, "no request was answered");
        }
        let x_hi = self.curve.last().map(|p| p.0).unwrap_or(1.0).max(0.5);
        let top = self.curve.iter().map(|p| p.1).fold(0.0, f64::max);
        let y_hi = style::nice_ceil(top.max(self.target_p99_ms.unwrap_or(0.0)) * 1.15);
        let ticks: Vec<f64> = [std::f64::consts::LOG10_2, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
            .into_iter()
            .filter(|&t| t <= x_hi + 1e-9)
            .collect();
        let mut chart = style::frame(root, &title).build_cartesian_2d(style::ticked(0.0..x_hi, ticks), 0.0..y_hi)?;
        style::mesh(
            &mut chart,
            &Axes {
                x_desc: "percentile of answered requests",
                y_desc: "latency (ms)",
                x_fmt: &|x| percentile_label(*x),
                y_fmt: &|y| style::compact(*y),
            },
        )?;
        chart.draw_series(LineSeries::new(self.curve.iter().copied(), style::BLUE.stroke_width(3)))?;
        let mut entries = vec![LegendEntry::line(style::BLUE.to_rgba(), "latency at that percentile")];
        for nines in [std::f64::consts::LOG10_2, 1.0, 2.0, 3.0] {
            if nines > x_hi + 1e-9 {
                continue;
            }
            let Some(&(x, y)) = self
                .curve
                .iter()
                .min_by(|a, b| (a.0 - nines).abs().total_cmp(&(b.0 - nines).abs()))
            else {
                continue;
            };
            let label = format!(
                "p{}: {} ms",
                style::number(100.0 * (1.0 - 10f64.powf(-nines)), 1),
                style::number(y, 1)
            );
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y))
                    + Circle::new((0, 0), 6, style::DARK.filled())
                    + Text::new(label, (14, 6), style::text(style::NOTE_SIZE, style::INK)),
            ))?;
        }
        if let Some(target) = self.target_p99_ms {
            chart.draw_series(DashedLineSeries::new(
                [(0.0, target), (x_hi, target)],
                10,
                6,
                style::RED.stroke_width(3),
            ))?;
            entries.push(LegendEntry::line(
                style::RED.to_rgba(),
                format!("SLO: p99 within {} ms", style::number(target, 1)),
            ));
        }
        // Top left: the curve rises to the right.
        style::legend_in(root, chart.plotting_area(), style::Corner::TopLeft, &entries)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_axis_labels() {
        assert_eq!(percentile_label(0.0), "0 %");
        assert_eq!(percentile_label(1.0), "90 %");
        assert_eq!(percentile_label(3.0), "99.9 %");
    }
}
