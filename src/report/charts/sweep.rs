//! `nines sweep`: a metric against the first swept key, with its 95 % CI as a band, one line per
//! combination of the other keys, and the cheapest point that meets the SLO marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::stats::nines;
use crate::report::Summary;

use super::compare::truncate;
use super::style::{self, Axes, LegendEntry};
use super::{Chart, DrawError};

/// One point of a sweep: the value of each swept key, and what the run found.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// The value of each swept key, as given on the command line.
    pub values: Vec<String>,
    /// The point's summary.
    pub summary: Summary,
}

/// The metric a sweep chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepMetric {
    /// Availability in nines (with the SLO target).
    Nines,
    /// Downtime per trial [min].
    Downtime,
    /// Cost per trial [USD].
    Cost,
}

impl SweepMetric {
    /// Every metric, in the report's order.
    pub const ALL: [SweepMetric; 3] = [SweepMetric::Nines, SweepMetric::Downtime, SweepMetric::Cost];

    fn name(self) -> &'static str {
        match self {
            SweepMetric::Nines => "nines",
            SweepMetric::Downtime => "downtime",
            SweepMetric::Cost => "cost",
        }
    }

    /// Mean and 95 % CI; infinite nines (no downtime seen) as `f64::INFINITY`.
    fn of(self, s: &Summary) -> (f64, f64, f64) {
        let m = &s.metrics;
        let inf = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
        match self {
            SweepMetric::Nines => (inf(m.nines.mean), inf(m.nines.ci95_low), inf(m.nines.ci95_high)),
            SweepMetric::Downtime => (
                m.downtime_minutes.mean,
                m.downtime_minutes.ci95_low,
                m.downtime_minutes.ci95_high,
            ),
            SweepMetric::Cost => (m.cost_usd.mean, m.cost_usd.ci95_low, m.cost_usd.ci95_high),
        }
    }
}

/// A metric against the first swept key.
pub struct SweepChart {
    /// The scenario's name.
    pub scenario: String,
    /// The swept keys, in the order given.
    pub keys: Vec<String>,
    /// Every grid point.
    pub points: Vec<SweepPoint>,
    /// What to show.
    pub metric: SweepMetric,
    /// Index of the cheapest point that meets the availability SLO.
    pub cheapest: Option<usize>,
}

impl SweepChart {
    /// The x position of each point: the first key's value when every value is a number, else
    /// the value's position in the order given.
    fn xs(&self) -> (Vec<f64>, Option<Vec<String>>) {
        let numbers: Option<Vec<f64>> = self.points.iter().map(|p| p.values[0].trim().parse().ok()).collect();
        if let Some(xs) = numbers {
            return (xs, None);
        }
        let mut labels: Vec<String> = Vec::new();
        let xs = self
            .points
            .iter()
            .map(|p| match labels.iter().position(|l| *l == p.values[0]) {
                Some(i) => i as f64,
                None => {
                    labels.push(p.values[0].clone());
                    (labels.len() - 1) as f64
                }
            })
            .collect();
        (xs, Some(labels))
    }

    /// Points grouped by the values of the other keys: `(label, point indices)`.
    fn series(&self) -> Vec<(String, Vec<usize>)> {
        let mut out: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, p) in self.points.iter().enumerate() {
            let label = self.keys[1..]
                .iter()
                .zip(&p.values[1..])
                .map(|(k, v)| format!("{k}={}", unquote(v)))
                .collect::<Vec<_>>()
                .join(", ");
            match out.iter_mut().find(|(l, _)| *l == label) {
                Some((_, members)) => members.push(i),
                None => out.push((label, vec![i])),
            }
        }
        out
    }
}

impl Chart for SweepChart {
    fn stem(&self) -> String {
        format!("sweep-{}", self.metric.name())
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let Some(first) = self.points.first() else {
            return style::empty(root, &self.scenario, "no points");
        };
        let per = style::per_horizon(first.summary.run.horizon_seconds);
        let (what, y_desc) = match self.metric {
            SweepMetric::Nines => ("availability", "nines: −log₁₀(1 − availability)".to_string()),
            SweepMetric::Downtime => ("downtime", format!("downtime per {per} (minutes)")),
            SweepMetric::Cost => ("cost", format!("cost per {per} (USD)")),
        };
        let title = format!("{}: {what} against {}", self.scenario, self.keys[0]);
        let values: Vec<(f64, f64, f64)> = self.points.iter().map(|p| self.metric.of(&p.summary)).collect();
        let target = match self.metric {
            SweepMetric::Nines => first.summary.slo.availability_target,
            _ => None,
        };
        let finite_max = values
            .iter()
            .flat_map(|&(m, l, h)| [m, l, h])
            .chain(target.map(nines))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let y_hi = match self.metric {
            SweepMetric::Nines => (finite_max * 1.15 + 0.3).ceil(),
            _ => style::nice_ceil(finite_max * 1.15),
        };
        let clip = |v: f64| v.min(y_hi);

        let (xs, labels) = self.xs();
        let (x_lo, x_hi) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
        let pad = ((x_hi - x_lo) * 0.06).max(0.5);
        let x_range = (x_lo - pad)..(x_hi + pad);
        let ticks: Vec<f64> = match &labels {
            Some(l) => (0..l.len()).map(|i| i as f64).collect(),
            None => {
                let mut t = xs.clone();
                t.sort_by(f64::total_cmp);
                t.dedup();
                if t.len() > 12 {
                    style::linear_ticks(x_lo, x_hi, 10)
                } else {
                    t
                }
            }
        };
        let x_fmt = |x: &f64| match &labels {
            Some(l) => l
                .get(x.round() as usize)
                .map(|s| truncate(unquote(s), 14))
                .unwrap_or_default(),
            None => style::compact(*x),
        };
        let mut chart =
            style::frame(root, &title).build_cartesian_2d(style::ticked(x_range.clone(), ticks), 0.0..y_hi)?;
        style::mesh(
            &mut chart,
            &Axes {
                x_desc: &self.keys[0],
                y_desc: &y_desc,
                x_fmt: &x_fmt,
                y_fmt: &|y| style::compact(*y),
            },
        )?;

        let series = self.series();
        let mut entries = Vec::new();
        for (s, (label, members)) in series.iter().enumerate() {
            let color = style::series_color(s);
            let mut idx = members.clone();
            idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
            // The CI band: along the upper ends, back along the lower ends.
            let band: Vec<(f64, f64)> = idx
                .iter()
                .map(|&i| (xs[i], clip(values[i].2)))
                .chain(idx.iter().rev().map(|&i| (xs[i], clip(values[i].1))))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.18).filled())))?;
            chart.draw_series(LineSeries::new(
                idx.iter().map(|&i| (xs[i], clip(values[i].0))),
                color.stroke_width(3),
            ))?;
            chart.draw_series(
                idx.iter()
                    .map(|&i| Circle::new((xs[i], clip(values[i].0)), 6, color.filled())),
            )?;
            let name = if label.is_empty() {
                "mean".to_string()
            } else {
                label.clone()
            };
            entries.push(LegendEntry::line(color.to_rgba(), name));
        }
        entries.push(LegendEntry::boxed(style::MUTED.mix(0.25), "95 % CI of the mean"));
        if values.iter().any(|v| v.0.is_infinite()) {
            entries.push(LegendEntry::boxed(WHITE.to_rgba(), "at the top: no downtime seen (∞)"));
        }
        if let Some(t) = target {
            let y = nines(t);
            chart.draw_series(DashedLineSeries::new(
                [(x_range.start, y), (x_range.end, y)],
                10,
                6,
                style::RED.stroke_width(3),
            ))?;
            entries.push(LegendEntry::line(
                style::RED.to_rgba(),
                format!("SLO {} %", style::number(t * 100.0, 4)),
            ));
        }
        if let Some(c) = self.cheapest {
            let at = (xs[c], clip(values[c].0));
            chart.draw_series(std::iter::once(Circle::new(at, 14, style::GREEN.stroke_width(4))))?;
            let settings = self
                .keys
                .iter()
                .zip(&self.points[c].values)
                .map(|(k, v)| format!("{k}={}", unquote(v)))
                .collect::<Vec<_>>()
                .join(", ");
            entries.push(LegendEntry::line(
                style::GREEN.to_rgba(),
                format!("cheapest meeting the SLO: {}", truncate(&settings, 40)),
            ));
        }
        // Away from the lines: below them when they rise to the right, above when they fall.
        let rising = values.last().map(|v| clip(v.0)) > values.first().map(|v| clip(v.0));
        let corner = if rising {
            style::Corner::BottomRight
        } else {
            style::Corner::TopRight
        };
        style::legend_in(root, chart.plotting_area(), corner, &entries)?;
        Ok(())
    }
}

/// A value as typed, without the quotes of a TOML string.
fn unquote(v: &str) -> &str {
    v.trim().trim_matches(|c| c == '"' || c == '\'')
}
