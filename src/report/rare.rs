//! `summary.json` and the table of a failure-biasing run (`method = "failure_biasing"`).
//!
//! A run of cycles has no trials, so there are no per-trial percentiles, `trials.csv` or charts:
//! only the estimates with their CIs, and what the likelihood ratios say about trusting them.
//! Field names follow the plain `summary.json` wherever they mean the same thing.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::montecarlo::rare::CycleResults;
use crate::scenario::Scenario;

use super::summary::{NinesSummary, RunInfo, SloVerdict};

/// An estimate with its 95 % CI.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The estimate.
    pub mean: f64,
    /// Lower end of the 95 % CI.
    pub ci95_low: f64,
    /// Upper end of the 95 % CI.
    pub ci95_high: f64,
}

/// The metrics of a failure-biasing run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RareEventMetrics {
    /// Long-run share of time UP.
    pub availability: Interval,
    /// 1 − availability, the quantity the method estimates (its CI is cut at 0).
    pub unavailability: Interval,
    /// −log₁₀(unavailability).
    pub nines: NinesSummary,
    /// Expected minutes DOWN per `simulation.horizon`, as in plain runs.
    pub downtime_minutes: Interval,
    /// Expected separate DOWN periods per `simulation.horizon`.
    pub incidents: Interval,
}

/// One failure process and how much it was sped up in busy periods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessBias {
    /// E.g. `zone a outage`, `failure mode crash (per instance)`.
    pub process: String,
    /// Its true rate [per year].
    pub per_year: f64,
    /// β: how many times faster it ran in busy periods.
    pub bias: f64,
}

/// How the cycles went: what to look at before trusting the CI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleDiagnostics {
    /// Mean cycle length, all-working stay plus busy period [h].
    pub mean_cycle_hours: f64,
    /// Cycles whose busy period had any downtime.
    pub cycles_with_downtime: u64,
    /// How many equally weighted cycles their downtime weights (downtime × likelihood ratio) are
    /// worth: (Σ w)² / Σ w².
    pub effective_cycles: f64,
    /// The largest single downtime weight over their sum.
    pub largest_weight_share: f64,
    /// Events the kernel processed per cycle, on average (a cost measure).
    pub events_per_cycle: f64,
}

/// The whole of `summary.json` for `method = "failure_biasing"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RareEventSummary {
    /// The scenario's name.
    pub scenario: String,
    /// As in the plain summary: identifies the checked scenario.
    pub scenario_fingerprint: String,
    /// The master seed.
    pub seed: u64,
    /// `failure_biasing`.
    pub method: String,
    /// Regenerative cycles run (cycle i draws from streams of the seed and i).
    pub cycles: u64,
    /// The period `downtime_minutes` and `incidents` are per [s].
    pub horizon_seconds: u64,
    /// Always `none`: the method estimates time-based availability.
    pub traffic_model: String,
    /// The estimates with their 95 % CIs.
    pub metrics: RareEventMetrics,
    /// Half-width of the unavailability's 95 % CI over the estimate; null without downtime.
    pub relative_half_width: Option<f64>,
    /// Why the CI cannot be trusted, when the likelihood ratios say so; else null.
    pub likelihood_ratio_warning: Option<String>,
    /// How far to trust the CI.
    pub diagnostics: CycleDiagnostics,
    /// Every failure process with its speed-up.
    pub failure_biasing: Vec<ProcessBias>,
    /// The SLO targets and whether the estimate meets them (latency is never judged here).
    pub slo: SloVerdict,
}

impl RareEventSummary {
    /// The summary of `results`, cycles of `scenario`.
    pub fn build(scenario: &Scenario, results: &CycleResults) -> RareEventSummary {
        let e = &results.estimate;
        let horizon_s = scenario.simulation.horizon.as_secs_f64();
        let u = e.unavailability;
        let low = (u.mean - u.half_width).max(0.0);
        let high = u.mean + u.half_width;
        let unavailability = Interval {
            mean: u.mean,
            ci95_low: low,
            ci95_high: high,
        };
        let availability = Interval {
            mean: 1.0 - u.mean,
            ci95_low: 1.0 - high,
            ci95_high: 1.0 - low,
        };
        let finite = |x: f64| x.is_finite().then_some(x);
        let per_horizon = |x: f64, unit: f64| x * horizon_s / unit;
        let incidents = e.incident_rate;
        let metrics = RareEventMetrics {
            availability,
            unavailability,
            nines: NinesSummary::of(availability.mean, availability.ci95_low, availability.ci95_high),
            downtime_minutes: Interval {
                mean: per_horizon(u.mean, 60.0),
                ci95_low: per_horizon(low, 60.0),
                ci95_high: per_horizon(high, 60.0),
            },
            incidents: Interval {
                mean: per_horizon(incidents.mean, 1.0),
                ci95_low: per_horizon((incidents.mean - incidents.half_width).max(0.0), 1.0),
                ci95_high: per_horizon(incidents.mean + incidents.half_width, 1.0),
            },
        };
        let verdict = SloVerdict::targets(scenario);
        let slo = SloVerdict {
            availability_met: verdict.availability_target.map(|t| availability.mean >= t),
            availability_met_at_95: verdict.availability_target.map(|t| availability.ci95_low >= t),
            ..verdict
        };
        let run = RunInfo::of(scenario);
        let events: u64 = results.cycles.iter().map(|c| c.events as u64).sum();
        let year_s = 365.0 * 86_400.0;
        RareEventSummary {
            scenario: run.scenario,
            scenario_fingerprint: run.scenario_fingerprint,
            seed: run.seed,
            method: "failure_biasing".into(),
            cycles: e.cycles,
            horizon_seconds: run.horizon_seconds,
            traffic_model: run.traffic_model,
            metrics,
            relative_half_width: finite(e.relative_half_width),
            likelihood_ratio_warning: e.warning.clone(),
            diagnostics: CycleDiagnostics {
                mean_cycle_hours: e.mean_cycle_s / 3600.0,
                cycles_with_downtime: e.cycles_with_downtime,
                effective_cycles: e.effective_cycles,
                largest_weight_share: e.largest_weight_share,
                events_per_cycle: events as f64 / e.cycles.max(1) as f64,
            },
            failure_biasing: (results.biasing.processes().iter())
                .map(|p| ProcessBias {
                    process: p.name.clone(),
                    per_year: p.rate * year_s,
                    bias: p.bias,
                })
                .collect(),
            slo,
        }
    }
}

/// The terminal table of a failure-biasing run.
pub fn render_rare_table(s: &RareEventSummary) -> String {
    let m = &s.metrics;
    let days = s.horizon_seconds as f64 / 86_400.0;
    let per = if (days - 365.0).abs() < 1e-9 {
        "year".to_string()
    } else {
        format!("{days:.0} d")
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — failure biasing, {} regenerative cycles, seed {}",
        s.scenario, s.cycles, s.seed
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<26} {:>16}   {:<32}", "metric", "estimate", "95% CI");
    // Enough decimals to show the first two digits of the unavailability.
    let decimals = (-m.unavailability.mean.log10()).ceil().clamp(2.0, 14.0) as usize;
    let pct = |x: f64| format!("{:.*}%", decimals, x * 100.0);
    row(&mut out, "availability", &m.availability, pct);
    let sci = |x: f64| format!("{x:.3e}");
    let _ = writeln!(
        out,
        "  {:<26} {:>16}   {:<32} ±{}",
        "unavailability",
        sci(m.unavailability.mean),
        format!(
            "[{}, {}]",
            sci(m.unavailability.ci95_low),
            sci(m.unavailability.ci95_high)
        ),
        s.relative_half_width
            .map_or_else(|| "∞".to_string(), |r| format!("{:.1} %", r * 100.0))
    );
    let nines = |x: Option<f64>| x.map_or_else(|| "∞".to_string(), |v| format!("{v:.2}"));
    let _ = writeln!(
        out,
        "  {:<26} {:>16}   [{}, {}]",
        "nines",
        nines(m.nines.mean),
        nines(m.nines.ci95_low),
        nines(m.nines.ci95_high)
    );
    row(&mut out, &format!("downtime (min per {per})"), &m.downtime_minutes, sci);
    row(&mut out, &format!("incidents (per {per})"), &m.incidents, sci);
    let _ = writeln!(out);
    let d = &s.diagnostics;
    let _ = writeln!(
        out,
        "  {} cycles with downtime, worth {:.0} equally weighted; largest weight {:.1} %; mean cycle {:.1} h",
        d.cycles_with_downtime,
        d.effective_cycles,
        d.largest_weight_share * 100.0,
        d.mean_cycle_hours
    );
    let biases: Vec<String> = (s.failure_biasing.iter())
        .map(|p| format!("{} ×{:.1}", p.process, p.bias))
        .collect();
    let _ = writeln!(out, "  sped up in busy periods: {}", biases.join(", "));
    if let Some(w) = &s.likelihood_ratio_warning {
        let _ = writeln!(out, "  WARNING: {w}");
    }
    if let Some(target) = s.slo.availability_target {
        let verdict = match (s.slo.availability_met, s.slo.availability_met_at_95) {
            (_, Some(true)) => "met (the whole 95% CI is above the target)",
            (Some(true), _) => "met on the mean, but the 95% CI reaches below the target",
            _ => "NOT met",
        };
        let _ = writeln!(out, "  SLO availability {}: {verdict}", pct(target));
    }
    out
}

fn row(out: &mut String, name: &str, m: &Interval, fmt: impl Fn(f64) -> String) {
    let _ = writeln!(
        out,
        "  {:<26} {:>16}   {:<32}",
        name,
        fmt(m.mean),
        format!("[{}, {}]", fmt(m.ci95_low), fmt(m.ci95_high))
    );
}
