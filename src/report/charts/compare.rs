//! `nines compare`: nines per scenario with 95 % CI whiskers, and cost against availability.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::stats::{nines, MetricSummary};
use crate::report::Summary;

use super::style::{self, Axes, LegendEntry};
use super::{Chart, DrawError};

/// What the comparison charts show of one scenario.
#[derive(Clone, Debug)]
pub struct ComparedScenario {
    /// The scenario's name.
    pub name: String,
    /// Availability's nines: mean and 95 % CI; `None` is infinite (no downtime seen).
    pub nines: (Option<f64>, Option<f64>, Option<f64>),
    /// Cost per trial [USD].
    pub cost: MetricSummary,
    /// The comparison with the baseline in a few words, e.g. "+0.96 nines, significant".
    pub verdict: String,
}

impl ComparedScenario {
    /// The chart's view of a scenario's summary.
    pub fn new(summary: &Summary, verdict: String) -> Self {
        let n = &summary.metrics.nines;
        ComparedScenario {
            name: summary.run.scenario.clone(),
            nines: (n.mean, n.ci95_low, n.ci95_high),
            cost: summary.metrics.cost_usd,
            verdict,
        }
    }
}

/// The top of a nines axis: room above the highest finite value; infinite values are drawn there.
fn nines_top(scenarios: &[ComparedScenario], target: Option<f64>) -> f64 {
    let highest = scenarios
        .iter()
        .flat_map(|s| [s.nines.0, s.nines.1, s.nines.2])
        .flatten()
        .chain(target)
        .fold(1.0, f64::max);
    (highest * 1.2 + 0.3).ceil()
}

fn target_entry(target: f64) -> LegendEntry {
    LegendEntry::line(
        style::RED.to_rgba(),
        format!(
            "SLO {} % = {} nines",
            style::number(target * 100.0, 4),
            style::number(nines(target), 2)
        ),
    )
}

/// Nines per scenario with their 95 % CIs, the baseline first.
pub struct CompareNinesChart {
    /// e.g. "10,000 paired trials, seed 42".
    pub context: String,
    /// In the order given; the first is the baseline.
    pub scenarios: Vec<ComparedScenario>,
    /// The baseline's availability target.
    pub target: Option<f64>,
}

impl Chart for CompareNinesChart {
    fn stem(&self) -> String {
        "compare-nines".into()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let k = self.scenarios.len();
        let title = format!("Availability in nines, {}", self.context);
        let y_hi = nines_top(&self.scenarios, self.target.map(nines));
        let ticks: Vec<f64> = (0..k).map(|i| i as f64).collect();
        // Room for the names under the axis: at most the width of a column.
        let chars = (1000 / k.max(1) / 11).max(8);
        let names: Vec<String> = self.scenarios.iter().map(|s| truncate(&s.name, chars)).collect();
        let mut chart =
            style::frame(root, &title).build_cartesian_2d(style::ticked(-0.5..k as f64 - 0.5, ticks), 0.0..y_hi)?;
        style::mesh(
            &mut chart,
            &Axes {
                x_desc: "scenario (the first is the baseline)",
                y_desc: "nines: −log₁₀(1 − availability)",
                x_fmt: &|x| names.get(x.round() as usize).cloned().unwrap_or_default(),
                y_fmt: &|y| style::number(*y, 1),
            },
        )?;
        let mut entries = vec![LegendEntry::line(style::DARK.to_rgba(), "mean with its 95 % CI")];
        if let Some(t) = self.target {
            let y = nines(t);
            chart.draw_series(DashedLineSeries::new(
                [(-0.5, y), (k as f64 - 0.5, y)],
                10,
                6,
                style::RED.stroke_width(3),
            ))?;
            entries.push(target_entry(t));
        }
        for (i, s) in self.scenarios.iter().enumerate() {
            let x = i as f64;
            let color = style::series_color(i);
            let (mean, lo, hi) = (
                s.nines.0.unwrap_or(y_hi),
                s.nines.1.unwrap_or(y_hi),
                s.nines.2.unwrap_or(y_hi),
            );
            chart.draw_series(
                [
                    vec![(x, lo), (x, hi)],
                    vec![(x - 0.02, lo), (x + 0.02, lo)],
                    vec![(x - 0.02, hi), (x + 0.02, hi)],
                ]
                .into_iter()
                .map(|p| PathElement::new(p, style::DARK.stroke_width(3))),
            )?;
            let value = s.nines.0.map(|v| style::number(v, 2)).unwrap_or_else(|| "∞".into());
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, mean))
                    + Circle::new((0, 0), 9, color.filled())
                    + Text::new(value, (0, -48), style::centered(style::AXIS_SIZE, style::INK))
                    + Text::new(
                        s.verdict.clone(),
                        (0, 20),
                        style::centered(style::NOTE_SIZE, style::MUTED),
                    ),
            ))?;
        }
        style::legend_in(root, chart.plotting_area(), style::Corner::BottomRight, &entries)?;
        Ok(())
    }
}

/// Cost against nines, one point per scenario, with 95 % CIs both ways.
pub struct CompareCostChart {
    /// e.g. "10,000 paired trials, seed 42".
    pub context: String,
    /// In the order given; the first is the baseline.
    pub scenarios: Vec<ComparedScenario>,
    /// The baseline's availability target.
    pub target: Option<f64>,
    /// What one trial covers: "year" or e.g. "60 d".
    pub per: String,
}

impl Chart for CompareCostChart {
    fn stem(&self) -> String {
        "compare-cost-availability".into()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let title = format!("Cost against availability, {}", self.context);
        let y_hi = nines_top(&self.scenarios, self.target.map(nines));
        let (lo, hi) = self
            .scenarios
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(s.cost.ci95_low), hi.max(s.cost.ci95_high))
            });
        let pad = ((hi - lo) * 0.25).max(hi.abs() * 0.1).max(1.0);
        let (x_lo, x_hi) = ((lo - pad).max(0.0), hi + pad);
        let mut chart = style::frame(root, &title).build_cartesian_2d(x_lo..x_hi, 0.0..y_hi)?;
        let x_desc = format!("cost per {} (USD)", self.per);
        style::mesh(
            &mut chart,
            &Axes {
                x_desc: &x_desc,
                y_desc: "nines: −log₁₀(1 − availability)",
                x_fmt: &|x| style::compact(*x),
                y_fmt: &|y| style::number(*y, 1),
            },
        )?;
        let mut entries = vec![LegendEntry::line(style::DARK.to_rgba(), "mean with its 95 % CIs")];
        if let Some(t) = self.target {
            let y = nines(t);
            chart.draw_series(DashedLineSeries::new(
                [(x_lo, y), (x_hi, y)],
                10,
                6,
                style::RED.stroke_width(3),
            ))?;
            entries.push(target_entry(t));
        }
        for (i, s) in self.scenarios.iter().enumerate() {
            let (mean, lo, hi) = (
                s.nines.0.unwrap_or(y_hi),
                s.nines.1.unwrap_or(y_hi),
                s.nines.2.unwrap_or(y_hi),
            );
            let c = s.cost.mean;
            chart.draw_series(
                [
                    vec![(c, lo), (c, hi)],
                    vec![(s.cost.ci95_low, mean), (s.cost.ci95_high, mean)],
                ]
                .into_iter()
                .map(|p| PathElement::new(p, style::DARK.stroke_width(2))),
            )?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((c, mean))
                    + Circle::new((0, 0), 9, style::series_color(i).filled())
                    + Text::new(s.name.clone(), (0, -40), style::centered(style::NOTE_SIZE, style::INK)),
            ))?;
        }
        style::legend_in(root, chart.plotting_area(), style::Corner::BottomRight, &entries)?;
        Ok(())
    }
}

/// At most `chars` characters, with an ellipsis when cut.
pub fn truncate(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        s.to_string()
    } else {
        let cut: String = s.chars().take(chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
