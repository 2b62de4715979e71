//! Incident durations pooled over all trials: a histogram on a log scale of minutes, since a
//! minute-long health-check blip and a five-hour zone outage belong on the same picture.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::{Distributions, Summary};

use super::style::{self, Axes, LegendEntry};
use super::{Chart, DrawError};

/// Bars of the histogram at most.
const BINS: usize = 40;

/// How long incidents last, over all trials.
pub struct IncidentChart {
    scenario: String,
    trials: u64,
    /// `(incident length [s], how many)`, ascending.
    lengths: Vec<(u64, u64)>,
}

impl IncidentChart {
    /// The chart of a run.
    pub fn new(summary: &Summary, distributions: &Distributions) -> Self {
        IncidentChart {
            scenario: summary.run.scenario.clone(),
            trials: summary.trials,
            lengths: distributions.incident_seconds.clone(),
        }
    }

    fn total(&self) -> u64 {
        self.lengths.iter().map(|&(_, c)| c).sum()
    }

    /// The `q` quantile of incident length [s]: the smallest length with at least `q` of the
    /// incidents at or below it.
    pub fn quantile(&self, q: f64) -> f64 {
        let want = (q * self.total() as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for &(v, c) in &self.lengths {
            seen += c;
            if seen >= want {
                return v as f64;
            }
        }
        self.lengths.last().map(|&(v, _)| v as f64).unwrap_or(0.0)
    }
}

/// Minutes on the log axis: at least a second.
fn log_minutes(seconds: f64) -> f64 {
    (seconds.max(1.0) / 60.0).log10()
}

impl Chart for IncidentChart {
    fn stem(&self) -> String {
        "incident-durations".into()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let total = self.total();
        let title = format!(
            "{}: how long incidents last ({} incidents in {})",
            self.scenario,
            style::thousands(total as f64),
            style::trials(self.trials)
        );
        let (Some(first), Some(last)) = (self.lengths.first(), self.lengths.last()) else {
            return style::empty(root, &title, "no incidents in any trial");
        };
        let (mut lo, mut hi) = (log_minutes(first.0 as f64), log_minutes(last.0 as f64));
        // At least a factor of 3 wide, with a margin on both sides.
        let pad = ((0.48 - (hi - lo)) / 2.0).max(0.0) + 0.04;
        lo -= pad;
        hi += pad;
        let width = (hi - lo) / BINS as f64;
        let mut counts = [0u64; BINS];
        for &(v, c) in &self.lengths {
            let i = (((log_minutes(v as f64) - lo) / width) as usize).min(BINS - 1);
            counts[i] += c;
        }
        // Counts on a log scale: the rare long incidents matter as much as the many short ones.
        let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
        let (y_lo, y_hi) = (0.5f64.log10(), (top * 4.0).log10());
        let y_ticks: Vec<f64> = style::log_ticks(1.0, top * 4.0).iter().map(|t| t.log10()).collect();
        let ticks: Vec<f64> = style::log_ticks(10f64.powf(lo), 10f64.powf(hi))
            .iter()
            .map(|t| t.log10())
            .collect();

        let mut chart = style::frame(root, &title)
            .build_cartesian_2d(style::ticked(lo..hi, ticks), style::ticked(y_lo..y_hi, y_ticks))?;
        style::mesh(
            &mut chart,
            &Axes {
                x_desc: "incident duration (minutes, log scale)",
                y_desc: "incidents (log scale)",
                x_fmt: &|x| style::number(10f64.powf(*x), 3),
                y_fmt: &|y| style::compact(10f64.powf(*y)),
            },
        )?;
        chart.draw_series(counts.iter().enumerate().filter(|(_, &c)| c > 0).map(|(i, &c)| {
            let x0 = lo + width * i as f64;
            Rectangle::new(
                [(x0, y_lo), (x0 + width, (c as f64).log10())],
                style::BLUE.mix(0.8).filled(),
            )
        }))?;

        let mut entries = vec![LegendEntry::boxed(style::BLUE.mix(0.8), "incidents of that length")];
        for (q, name, color) in [(0.5, "median", style::DARK), (0.95, "95th percentile", style::ORANGE)] {
            let secs = self.quantile(q);
            let x = log_minutes(secs);
            chart.draw_series(LineSeries::new([(x, y_lo), (x, y_hi)], color.stroke_width(3)))?;
            entries.push(LegendEntry::line(
                color.to_rgba(),
                format!("{name}: {}", style::duration(secs)),
            ));
        }
        let longest = last.0 as f64;
        entries.push(LegendEntry::boxed(
            WHITE.to_rgba(),
            format!("longest: {}", style::duration(longest)),
        ));
        style::legend_in(root, chart.plotting_area(), style::Corner::TopRight, &entries)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_count_incidents() {
        let c = IncidentChart {
            scenario: "t".into(),
            trials: 1,
            lengths: vec![(60, 3), (120, 1), (3600, 1)],
        };
        // Five incidents: the median is the third (60 s), the 95th percentile the fifth.
        assert_eq!(c.quantile(0.5), 60.0);
        assert_eq!(c.quantile(0.8), 120.0);
        assert_eq!(c.quantile(0.95), 3600.0);
    }
}
