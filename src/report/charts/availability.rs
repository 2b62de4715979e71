//! Availability across trials: a histogram of per-trial downtime, with the mean, its 95 % CI and
//! the downtime the SLO allows.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::accumulate::MetricAccumulator;
use crate::report::Summary;

use super::style::{self, Axes, LegendEntry};
use super::{Chart, DrawError};

/// Bars of the histogram.
const BINS: usize = 50;

/// Per-trial downtime as a histogram, with the estimate and the SLO budget marked.
pub struct AvailabilityChart {
    scenario: String,
    /// What one trial covers: "year" or e.g. "60 d".
    per: String,
    /// Per-trial downtime [min], accumulated: bars come from its histogram (buckets 0.1 % wide,
    /// far narrower than a bar).
    downtime: MetricAccumulator,
    /// Mean downtime and its 95 % CI [min].
    mean: f64,
    ci95: (f64, f64),
    availability_mean: f64,
    /// The SLO's availability target and the downtime per trial it allows [min].
    budget: Option<(f64, f64)>,
}

impl AvailabilityChart {
    /// The chart of a run.
    pub fn new(summary: &Summary, downtime: &MetricAccumulator) -> Self {
        let m = &summary.metrics.downtime_minutes;
        let horizon_min = summary.run.horizon_seconds as f64 / 60.0;
        AvailabilityChart {
            scenario: summary.run.scenario.clone(),
            per: style::per_horizon(summary.run.horizon_seconds),
            downtime: downtime.clone(),
            mean: m.mean,
            ci95: (m.ci95_low, m.ci95_high),
            availability_mean: summary.metrics.availability.mean,
            budget: summary.slo.availability_target.map(|t| (t, (1.0 - t) * horizon_min)),
        }
    }

    /// The x range: the bulk of the trials (the top 0.5 % may be cut; the exceedance chart shows
    /// them), widened to show the SLO budget when it is near.
    fn x_range(&self) -> (f64, f64) {
        let n = self.downtime.count();
        let max = self.downtime.max.unwrap_or(0.0);
        let bulk = if n >= 200 { self.downtime.percentile(0.995) } else { max };
        let mut hi = style::nice_ceil(bulk.max(self.ci95.1) * 1.02);
        if let Some((_, budget)) = self.budget {
            if budget <= 1.6 * hi {
                hi = hi.max(style::nice_ceil(budget * 1.08));
            }
        }
        let min = self.downtime.min.unwrap_or(0.0);
        let lo = if min > 0.3 * hi { (min * 0.9).floor() } else { 0.0 };
        (lo, hi)
    }
}

impl Chart for AvailabilityChart {
    fn stem(&self) -> String {
        "availability".into()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let n = self.downtime.count();
        let title = format!(
            "{}: downtime per {} across {}",
            self.scenario,
            self.per,
            style::trials(n)
        );
        let Some(max) = self.downtime.max else {
            return style::empty(root, &title, "no trials");
        };
        if max <= 0.0 {
            return style::empty(
                root,
                &title,
                "no downtime in any trial: run more trials before you believe it",
            );
        }
        let (lo, hi) = self.x_range();
        let width = (hi - lo) / BINS as f64;
        let mut counts = [0u64; BINS];
        let mut beyond = 0u64;
        for b in self.downtime.histogram.buckets() {
            let d = b.value();
            if d > hi {
                beyond += b.count;
            } else {
                let i = (((d - lo) / width) as usize).min(BINS - 1);
                counts[i] += b.count;
            }
        }
        let share = |c: u64| 100.0 * c as f64 / n as f64;
        let top = counts.iter().map(|&c| share(c)).fold(0.0, f64::max);
        let y_hi = style::nice_ceil(top * 1.45).min(100.0).max(top);

        let mut chart = style::frame(root, &title).build_cartesian_2d(lo..hi, 0.0..y_hi)?;
        let x_desc = format!("downtime per {} (minutes)", self.per);
        style::mesh(
            &mut chart,
            &Axes {
                x_desc: &x_desc,
                y_desc: "share of trials (%)",
                x_fmt: &|x| style::compact(*x),
                y_fmt: &|y| style::number(*y, 2),
            },
        )?;

        // The CI behind the bars, at least 2 px wide so that a tight CI still shows.
        let px = (hi - lo) / chart.plotting_area().dim_in_pixel().0.max(1) as f64;
        let (c0, c1) = (self.ci95.0.min(self.mean - px), self.ci95.1.max(self.mean + px));
        chart.draw_series(std::iter::once(Rectangle::new(
            [(c0, 0.0), (c1, y_hi)],
            style::DARK.mix(0.14).filled(),
        )))?;
        chart.draw_series(counts.iter().enumerate().filter(|(_, &c)| c > 0).map(|(i, &c)| {
            let x0 = lo + width * i as f64;
            Rectangle::new([(x0, 0.0), (x0 + width, share(c))], style::BLUE.mix(0.8).filled())
        }))?;
        chart.draw_series(LineSeries::new(
            [(self.mean, 0.0), (self.mean, y_hi)],
            style::DARK.stroke_width(3),
        ))?;

        let mut entries = vec![
            LegendEntry::boxed(style::BLUE.mix(0.8), "trials with that much downtime"),
            LegendEntry::line(
                style::DARK.to_rgba(),
                format!(
                    "mean {} min (availability {:.4} %)",
                    style::number(self.mean, 1),
                    self.availability_mean * 100.0
                ),
            ),
            LegendEntry::boxed(
                style::DARK.mix(0.14),
                format!(
                    "95 % CI of the mean: {} to {} min",
                    style::number(self.ci95.0, 1),
                    style::number(self.ci95.1, 1)
                ),
            ),
        ];
        if let Some((target, budget)) = self.budget {
            let label = format!(
                "SLO {} % allows {} min per {}",
                style::number(target * 100.0, 4),
                style::number(budget, 1),
                self.per
            );
            if budget <= hi {
                chart.draw_series(DashedLineSeries::new(
                    [(budget, 0.0), (budget, y_hi)],
                    10,
                    6,
                    style::RED.stroke_width(3),
                ))?;
                entries.push(LegendEntry::line(style::RED.to_rgba(), label));
            } else {
                entries.push(LegendEntry::line(
                    style::RED.to_rgba(),
                    format!("{label} (off the chart, right)"),
                ));
            }
        }
        if beyond > 0 {
            entries.push(LegendEntry::boxed(
                WHITE.to_rgba(),
                format!(
                    "{} trials ({}) above {} min not shown",
                    beyond,
                    style::percent(beyond as f64 / n as f64),
                    style::compact(hi)
                ),
            ));
        }
        // On the side away from the mean, so that the legend does not hide it.
        let corner = if (self.mean - lo) / (hi - lo) > 0.5 {
            style::Corner::TopLeft
        } else {
            style::Corner::TopRight
        };
        style::legend_in(root, chart.plotting_area(), corner, &entries)?;
        Ok(())
    }
}
