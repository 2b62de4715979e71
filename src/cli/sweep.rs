//! `nines sweep SCENARIO --set KEY=V1,V2,… [--set …]`: the scenario at every point of the grid,
//! on the same trials, and the cheapest point that meets the availability SLO.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use nines::montecarlo::run_paired;
use nines::montecarlo::sweep::{self, Axis};
use nines::report::charts::{self, SweepChart, SweepMetric, SweepPoint};
use nines::report::Summary;
use nines::scenario;
use rayon::prelude::*;
use serde::Serialize;

use super::args::SweepArgs;
use super::commands::say;
use super::compare::{summary_columns, summary_values};
use super::progress::TrialProgress;
use super::review::{stem, summarise};
use super::CliError;

/// One row per grid point.
pub const SWEEP_FILE: &str = "sweep.csv";

#[derive(Serialize)]
struct JsonPoint<'a> {
    settings: Vec<(&'a str, &'a str)>,
    meets_slo: Option<bool>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct JsonSweep<'a> {
    scenario: &'a str,
    trials: u64,
    seed: u64,
    keys: Vec<&'a str>,
    /// Index into `points` of the cheapest point that meets the availability SLO.
    cheapest_meeting_slo: Option<usize>,
    points: Vec<JsonPoint<'a>>,
}

/// Keys that every point must share: common random numbers need one seed and trial count.
const SHARED: [&str; 2] = ["simulation.seed", "simulation.trials"];

pub fn sweep(args: SweepArgs) -> Result<(), CliError> {
    let axes = args
        .set
        .iter()
        .map(|a| sweep::parse_set(a))
        .collect::<Result<Vec<Axis>, _>>()
        .map_err(CliError::usage)?;
    if let Some(a) = axes.iter().find(|a| SHARED.contains(&a.key.as_str())) {
        return Err(CliError::usage(format!(
            "--set {}: every sweep point runs the same seed and trials (common random numbers); use --seed or --trials",
            a.key
        )));
    }
    let points = sweep::grid(&axes).map_err(CliError::usage)?;
    let base = scenario::load(&args.scenario)?;
    let trials = args.paired.trials.unwrap_or(base.simulation.trials);
    let seed = args.paired.seed.unwrap_or(base.simulation.seed);
    // Every point is read and checked before anything runs or is written.
    let scenarios = sweep::load_grid(&args.scenario, &points, |s| {
        s.simulation.trials = trials;
        s.simulation.seed = seed;
    })
    .map_err(CliError::usage)?;
    for s in &scenarios {
        super::review::plain_trials_only(s, &args.scenario.display().to_string())?;
    }
    let out = args
        .paired
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(format!("sweep-{}", stem(&args.scenario))));

    let progress = TrialProgress::new(trials * scenarios.len() as u64, args.print.quiet || args.print.json);
    let started = Instant::now();
    let results = progress.run(|| {
        run_paired(
            &scenarios,
            args.paired.threads.map(usize::from),
            &|| progress.tick(),
            &mut |_: &[Vec<nines::cloud::TrialOutcome>]| -> Result<(), CliError> { Ok(()) },
        )
    })?;
    let summaries: Vec<Summary> = results.iter().zip(&scenarios).map(|(r, s)| summarise(s, r).0).collect();
    drop(progress);
    let elapsed = started.elapsed();

    let keys: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    let points: Vec<SweepPoint> = points
        .iter()
        .zip(summaries)
        .map(|(p, summary)| SweepPoint {
            values: p.iter().map(|(_, v)| v.clone()).collect(),
            summary,
        })
        .collect();
    let cheapest = cheapest(&points);

    std::fs::create_dir_all(&out).map_err(|e| CliError::failed(format!("{}: {e}", out.display())))?;
    write_csv(&out.join(SWEEP_FILE), &keys, &points, cheapest)?;
    SweepMetric::ALL
        .par_iter()
        .map(|&metric| {
            let chart = SweepChart {
                scenario: base.name.clone(),
                keys: keys.clone(),
                points: points.clone(),
                metric,
                cheapest,
            };
            charts::render(&chart, &out).map(|_| ())
        })
        .collect::<Result<Vec<()>, _>>()
        .map_err(CliError::failed)?;

    if args.print.json {
        let doc = JsonSweep {
            scenario: &base.name,
            trials,
            seed,
            keys: keys.iter().map(String::as_str).collect(),
            cheapest_meeting_slo: cheapest,
            points: points
                .iter()
                .map(|p| JsonPoint {
                    settings: keys
                        .iter()
                        .map(String::as_str)
                        .zip(p.values.iter().map(String::as_str))
                        .collect(),
                    meets_slo: p.summary.slo.availability_met,
                    summary: &p.summary,
                })
                .collect(),
        };
        say(&serde_json::to_string_pretty(&doc).map_err(CliError::failed)?);
    } else if !args.print.quiet {
        say(&render(&base.name, &keys, &points, cheapest));
        say(&format!(
            "  {} points × {} trials in {:.2} s; wrote {}",
            points.len(),
            trials,
            elapsed.as_secs_f64(),
            out.display()
        ));
    }
    Ok(())
}

/// The cheapest point (by mean cost) whose mean availability meets its SLO target; the first
/// of equals.
fn cheapest(points: &[SweepPoint]) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.summary.slo.availability_met == Some(true))
        .min_by(|(i, a), (j, b)| {
            a.summary
                .metrics
                .cost_usd
                .mean
                .total_cmp(&b.summary.metrics.cost_usd.mean)
                .then(i.cmp(j))
        })
        .map(|(i, _)| i)
}

fn render(name: &str, keys: &[String], points: &[SweepPoint], cheapest: Option<usize>) -> String {
    let mut out = String::new();
    let Some(first) = points.first() else {
        return out;
    };
    let per = charts::per_horizon(first.summary.run.horizon_seconds);
    let _ = writeln!(
        out,
        "Sweep of {name}: {} points × {} trials × {per}, seed {} (common random numbers)\n",
        points.len(),
        first.summary.trials,
        first.summary.run.seed
    );
    let widths: Vec<usize> = keys
        .iter()
        .enumerate()
        .map(|(k, key)| {
            points
                .iter()
                .map(|p| p.values[k].chars().count())
                .chain([key.chars().count()])
                .max()
                .unwrap_or(8)
                + 2
        })
        .collect();
    let _ = write!(out, "  ");
    for (key, w) in keys.iter().zip(&widths) {
        let _ = write!(out, "{key:<w$}");
    }
    let _ = writeln!(
        out,
        "{:>12} {:>7} {:>24} {:>22}   SLO",
        "availability",
        "nines",
        format!("downtime (min per {per})"),
        format!("cost (USD per {per})")
    );
    for (i, p) in points.iter().enumerate() {
        let m = &p.summary.metrics;
        let _ = write!(out, "  ");
        for (v, w) in p.values.iter().zip(&widths) {
            let _ = write!(out, "{v:<w$}");
        }
        let slo = match p.summary.slo.availability_met {
            None => "no target",
            Some(true) if cheapest == Some(i) => "met  ← cheapest",
            Some(true) => "met",
            Some(false) => "NOT met",
        };
        let _ = writeln!(
            out,
            "{:>11.4}% {:>7} {:>24} {:>22}   {slo}",
            m.availability.mean * 100.0,
            m.nines.mean.map(|v| format!("{v:.2}")).unwrap_or_else(|| "∞".into()),
            format!(
                "{:.1} ±{:.1}",
                m.downtime_minutes.mean,
                m.downtime_minutes.ci95_half_width()
            ),
            format!("{:.2}", m.cost_usd.mean)
        );
    }
    out.push('\n');
    match (cheapest, first.summary.slo.availability_target) {
        (Some(c), _) => {
            let p = &points[c];
            let settings: Vec<String> = keys.iter().zip(&p.values).map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "  cheapest point that meets the availability SLO (mean ≥ target): {} at {:.2} USD per {per}",
                settings.join(", "),
                p.summary.metrics.cost_usd.mean
            );
        }
        (None, Some(_)) => {
            let _ = writeln!(out, "  no point meets the availability SLO");
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "  the scenario has no availability target (slo.availability): no cheapest point to pick"
            );
        }
    }
    out
}

/// `sweep.csv`: the swept keys' values, then the point's metrics (as in `comparison.csv`).
fn write_csv(path: &Path, keys: &[String], points: &[SweepPoint], cheapest: Option<usize>) -> Result<(), CliError> {
    let fail = |e: csv::Error| CliError::failed(format!("{}: {e}", path.display()));
    let mut w = csv::Writer::from_path(path).map_err(fail)?;
    let mut header: Vec<String> = keys.to_vec();
    header.extend(summary_columns());
    header.push("cheapest_meeting_slo".into());
    w.write_record(&header).map_err(fail)?;
    for (i, p) in points.iter().enumerate() {
        let mut row = p.values.clone();
        row.extend(summary_values(&p.summary));
        row.push((cheapest == Some(i)).to_string());
        w.write_record(&row).map_err(fail)?;
    }
    w.flush()
        .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))
}
