//! Downtime exceedance: "in X % of years downtime is Y minutes or more", the complementary CDF of
//! per-trial downtime on a log scale so that bad years stay visible.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::accumulate::MetricAccumulator;
use crate::report::Summary;

use super::style::{self, Axes, LegendEntry};
use super::{Chart, DrawError};

/// Points kept on the curve at most (10,000 trials would otherwise make a heavy SVG).
const MAX_POINTS: usize = 1500;

/// The share of trials whose downtime is at least x, for every x.
pub struct ExceedanceChart {
    scenario: String,
    per: String,
    /// Per-trial downtime [min], accumulated: the curve steps at each histogram bucket (0.1 %
    /// wide), exact at each bucket's least value.
    downtime: MetricAccumulator,
    /// The SLO's availability target and the downtime per trial it allows [min].
    budget: Option<(f64, f64)>,
}

impl ExceedanceChart {
    /// The chart of a run.
    pub fn new(summary: &Summary, downtime: &MetricAccumulator) -> Self {
        let horizon_min = summary.run.horizon_seconds as f64 / 60.0;
        ExceedanceChart {
            scenario: summary.run.scenario.clone(),
            per: style::per_horizon(summary.run.horizon_seconds),
            downtime: downtime.clone(),
            budget: summary.slo.availability_target.map(|t| (t, (1.0 - t) * horizon_min)),
        }
    }

    /// `(x, share of trials with downtime ≥ x)` at the least downtime of each histogram bucket
    /// (each distinct downtime, where buckets hold one value), thinned to at most about
    /// [`MAX_POINTS`] points where the curve hardly moves.
    pub fn curve(&self) -> Vec<(f64, f64)> {
        let n = self.downtime.count();
        let mut points: Vec<(f64, f64)> = Vec::new();
        let mut below = 0;
        for b in self.downtime.histogram.buckets() {
            points.push((b.min, (n - below) as f64 / n as f64));
            below += b.count;
        }
        if points.len() <= MAX_POINTS {
            return points;
        }
        let (x0, x1) = (points[0].0, points[points.len() - 1].0);
        let (dx, dlog) = (
            (x1 - x0) / MAX_POINTS as f64,
            (n as f64).log10() / MAX_POINTS as f64 * 2.0,
        );
        let mut kept = vec![points[0]];
        for &p in &points[1..points.len() - 1] {
            let last = kept[kept.len() - 1];
            if p.0 - last.0 >= dx || (last.1 / p.1).log10() >= dlog {
                kept.push(p);
            }
        }
        kept.push(points[points.len() - 1]);
        kept
    }
}

impl Chart for ExceedanceChart {
    fn stem(&self) -> String {
        "downtime-exceedance".into()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let n = self.downtime.count();
        // "a bad year", or "a bad trial" when a trial is not a year.
        let unit = if self.per == "year" { "year" } else { "trial" };
        let title = format!("{}: how bad is a bad {unit}?", self.scenario);
        let max = self.downtime.max.unwrap_or(0.0);
        if max <= 0.0 {
            return style::empty(
                root,
                &title,
                "no downtime in any trial: run more trials before you believe it",
            );
        }
        let curve = self.curve();
        let mut x_hi = style::nice_ceil(max * 1.02);
        if let Some((_, budget)) = self.budget {
            if budget <= 1.5 * x_hi {
                x_hi = x_hi.max(style::nice_ceil(budget * 1.05));
            }
        }
        // Log y: from 100 % down to below one trial in n.
        let y_lo = 10f64.powf((50.0 / n as f64).log10().floor());
        let ticks = style::log_ticks(y_lo, 100.0);
        let to_y = |share: f64| (share * 100.0).log10();
        let y_ticks: Vec<f64> = ticks.iter().map(|t| t.log10()).collect();
        let mut chart =
            style::frame(root, &title).build_cartesian_2d(0.0..x_hi, style::ticked(y_lo.log10()..2.0, y_ticks))?;
        let x_desc = format!("downtime per {} (minutes)", self.per);
        style::mesh(
            &mut chart,
            &Axes {
                x_desc: &x_desc,
                y_desc: &format!("share of {unit}s with at least that much downtime"),
                x_fmt: &|x| style::compact(*x),
                y_fmt: &|y| style::percent(10f64.powf(*y) / 100.0),
            },
        )?;

        // A step curve: the share stays until the next trial's downtime is passed.
        // P(D ≥ x) is the share at x_j on (x_{j-1}, x_j].
        let mut steps: Vec<(f64, f64)> = Vec::with_capacity(curve.len() * 2 + 1);
        let mut prev_x = 0.0;
        for &(x, share) in &curve {
            steps.push((prev_x, to_y(share)));
            steps.push((x, to_y(share)));
            prev_x = x;
        }
        chart.draw_series(LineSeries::new(steps, style::BLUE.stroke_width(3)))?;

        let mut entries = vec![LegendEntry::line(
            style::BLUE.to_rgba(),
            format!("share of {} with at least x minutes", style::trials(n)),
        )];
        // "1 year in 2, 20, 100": the median, p95 and p99 of downtime.
        for (q, years) in [(0.5, 2), (0.95, 20), (0.99, 100)] {
            if (n as f64) * (1.0 - q) < 1.0 {
                continue;
            }
            let x = self.downtime.percentile(q);
            let y = to_y(1.0 - q);
            let label = format!("1 {} in {years}: {} min or more", self.per, style::number(x, 1));
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y))
                    + Circle::new((0, 0), 6, style::DARK.filled())
                    + Text::new(label, (10, -26), style::text(style::NOTE_SIZE, style::INK)),
            ))?;
        }
        if let Some((target, budget)) = self.budget {
            // Buckets are 0.1 % wide: one that straddles the budget counts by its estimate.
            let over: u64 = self
                .downtime
                .histogram
                .buckets()
                .filter(|b| b.value() > budget)
                .map(|b| b.count)
                .sum();
            let exceeded = if over == 0 {
                "in no trial".to_string()
            } else {
                format!("in {} of trials", style::percent(over as f64 / n as f64))
            };
            let label = format!(
                "SLO {} % allows {} min: exceeded {exceeded}",
                style::number(target * 100.0, 4),
                style::number(budget, 1),
            );
            if budget <= x_hi {
                chart.draw_series(DashedLineSeries::new(
                    [(budget, y_lo.log10()), (budget, 2.0)],
                    10,
                    6,
                    style::RED.stroke_width(3),
                ))?;
                entries.push(LegendEntry::line(style::RED.to_rgba(), label));
            } else {
                entries.push(LegendEntry::line(
                    style::RED.to_rgba(),
                    format!("{label} (off the chart)"),
                ));
            }
        }
        style::legend_in(root, chart.plotting_area(), style::Corner::BottomLeft, &entries)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: Vec<f64>) -> ExceedanceChart {
        let mut downtime = MetricAccumulator::linear();
        values.iter().for_each(|&v| downtime.record(v));
        ExceedanceChart {
            scenario: "t".into(),
            per: "year".into(),
            downtime,
            budget: None,
        }
    }

    #[test]
    fn the_curve_is_the_share_at_least_x() {
        // Sorted 0, 0, 1, 3: P(D ≥ 0) = 1, P(D ≥ 1) = 1/2, P(D ≥ 3) = 1/4.
        let c = chart(vec![0.0, 0.0, 1.0, 3.0]).curve();
        assert_eq!(c, vec![(0.0, 1.0), (1.0, 0.5), (3.0, 0.25)]);
    }

    #[test]
    fn long_curves_are_thinned_but_keep_their_ends() {
        let values: Vec<f64> = (0..100_000).map(|i| i as f64 * 0.01).collect();
        let c = chart(values).curve();
        assert!(c.len() <= 3 * MAX_POINTS, "{}", c.len());
        assert_eq!(c[0], (0.0, 1.0));
        // The top bucket (0.1 % wide, so [999.5, 1000) here) holds the last 50 trials; with every
        // row kept the curve ended at one trial in 100,000.
        let last = c[c.len() - 1];
        assert_eq!(last, (999.5, 50.0 / 100_000.0));
    }
}
