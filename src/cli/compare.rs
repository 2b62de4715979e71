//! `nines compare A.toml B.toml …`: every scenario on the same trials, side by side, each judged
//! against the first (the baseline) on the per-trial differences.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use nines::cloud::TrialOutcome;
use nines::montecarlo::{run_paired, PairedDifference};
use nines::report::accumulate::{Moments, LINEAR_BITS, SHORTFALL_BITS};
use nines::report::charts::{self, CompareCostChart, CompareNinesChart, ComparedScenario};
use nines::report::stats::MetricSummary;
use nines::report::{self, Distributions, Summary, TrialsWriter};
use nines::scenario::{self, Scenario};
use serde::Serialize;

use super::args::{CompareArgs, PairedArgs};
use super::commands::say;
use super::progress::TrialProgress;
use super::review::{self, stem, summarise};
use super::CliError;

/// One row per scenario, in the order given.
pub const COMPARISON_FILE: &str = "comparison.csv";

/// One scenario's run in a comparison.
struct Compared {
    file: PathBuf,
    folder: String,
    summary: Summary,
    distributions: Distributions,
}

/// A scenario's per-trial differences from the baseline, accumulated as the blocks of trials
/// come in (trial `i` of both is in the same block).
struct Differences {
    availability: Moments,
    downtime_minutes: Moments,
    cost_usd: Moments,
}

impl Differences {
    fn new() -> Self {
        Differences {
            availability: Moments::new(SHORTFALL_BITS),
            downtime_minutes: Moments::new(LINEAR_BITS),
            cost_usd: Moments::new(LINEAR_BITS),
        }
    }

    /// Adds the pairs of a block: the same trials of the baseline and of the other scenario.
    fn record(&mut self, baseline: &[TrialOutcome], other: &[TrialOutcome]) {
        for (b, o) in baseline.iter().zip(other) {
            debug_assert_eq!(b.trial, o.trial);
            self.availability.record(o.availability - b.availability);
            self.downtime_minutes.record(o.downtime_minutes - b.downtime_minutes);
            self.cost_usd.record(o.cost_usd - b.cost_usd);
        }
    }
}

/// A scenario's differences from the baseline, per trial pair.
#[derive(Clone, Copy, Debug, Serialize)]
struct VsBaseline {
    availability: PairedDifference,
    downtime_minutes: PairedDifference,
    cost_usd: PairedDifference,
}

impl VsBaseline {
    fn of(d: &Differences) -> Self {
        VsBaseline {
            availability: PairedDifference::of(&d.availability),
            downtime_minutes: PairedDifference::of(&d.downtime_minutes),
            cost_usd: PairedDifference::of(&d.cost_usd),
        }
    }
}

#[derive(Serialize)]
struct JsonScenario<'a> {
    file: String,
    folder: &'a str,
    rank_availability: usize,
    summary: &'a Summary,
    vs_baseline: Option<VsBaseline>,
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    trials: u64,
    seed: u64,
    baseline: &'a str,
    scenarios: Vec<JsonScenario<'a>>,
}

/// Reads every scenario and gives all of them the same seed and trial count (exit 2 on any
/// problem, before anything runs).
pub fn load_paired(paths: &[PathBuf], paired: &PairedArgs) -> Result<Vec<Scenario>, CliError> {
    let mut scenarios = paths.iter().map(|p| scenario::load(p)).collect::<Result<Vec<_>, _>>()?;
    for (s, path) in scenarios.iter().zip(paths) {
        super::review::plain_trials_only(s, &path.display().to_string())?;
    }
    let (trials, seed) = match scenarios.first() {
        Some(first) => (
            paired.trials.unwrap_or(first.simulation.trials),
            paired.seed.unwrap_or(first.simulation.seed),
        ),
        None => return Ok(scenarios),
    };
    for s in &mut scenarios {
        s.simulation.trials = trials;
        s.simulation.seed = seed;
    }
    Ok(scenarios)
}

/// Folder names for the scenarios' own runs: their file stems, made unique.
fn folders(paths: &[PathBuf]) -> Vec<String> {
    let mut seen = HashSet::new();
    paths
        .iter()
        .map(|p| {
            let base = stem(p);
            let mut name = base.clone();
            let mut k = 2;
            while !seen.insert(name.clone()) {
                name = format!("{base}-{k}");
                k += 1;
            }
            name
        })
        .collect()
}

pub fn compare(args: CompareArgs) -> Result<(), CliError> {
    let scenarios = load_paired(&args.scenarios, &args.paired)?;
    let trials = scenarios[0].simulation.trials;
    let seed = scenarios[0].simulation.seed;
    let out = args.paired.out.clone().unwrap_or_else(|| {
        let stems: Vec<String> = args.scenarios.iter().map(|p| stem(p)).collect();
        Path::new("results").join(format!("compare-{}", stems.join("-vs-")))
    });
    let folders = folders(&args.scenarios);

    // Each scenario's own folder gets its trials.csv as the blocks come in.
    let mut writers = folders
        .iter()
        .map(|f| TrialsWriter::create(&out.join(f)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut differences: Vec<Differences> = scenarios.iter().skip(1).map(|_| Differences::new()).collect();
    let progress = TrialProgress::new(trials * scenarios.len() as u64, args.print.quiet || args.print.json);
    let started = Instant::now();
    let results = progress.run(|| {
        run_paired(
            &scenarios,
            args.paired.threads.map(usize::from),
            &|| progress.tick(),
            &mut |rows: &[Vec<TrialOutcome>]| -> Result<(), CliError> {
                for (w, r) in writers.iter_mut().zip(rows) {
                    w.write(r)?;
                }
                for (d, r) in differences.iter_mut().zip(&rows[1..]) {
                    d.record(&rows[0], r);
                }
                Ok(())
            },
        )
    })?;
    drop(progress);
    let elapsed = started.elapsed();
    for w in writers {
        w.finish()?;
    }
    let runs: Vec<Compared> = results
        .iter()
        .zip(&scenarios)
        .zip(args.scenarios.iter().zip(&folders))
        .map(|((r, s), (file, folder))| {
            let (summary, distributions) = summarise(s, r);
            Compared {
                file: file.clone(),
                folder: folder.clone(),
                summary,
                distributions,
            }
        })
        .collect();
    drop(results);
    let vs: Vec<Option<VsBaseline>> = std::iter::once(None)
        .chain(differences.iter().map(|d| Some(VsBaseline::of(d))))
        .collect();
    let ranks = ranks(&runs);

    for (r, s) in runs.iter().zip(&scenarios) {
        let dir = out.join(&r.folder);
        report::write_run(&dir, &r.summary, &r.distributions)?;
        review::write_report(&dir, Some(s), &r.summary, &r.distributions)?;
    }
    write_csv(&out.join(COMPARISON_FILE), &runs, &vs, &ranks)?;
    write_charts(&out, &runs, &vs)?;

    if args.print.json {
        let doc = JsonComparison {
            trials,
            seed,
            baseline: &runs[0].summary.run.scenario,
            scenarios: runs
                .iter()
                .zip(&vs)
                .zip(&ranks)
                .map(|((r, v), &rank)| JsonScenario {
                    file: r.file.display().to_string(),
                    folder: &r.folder,
                    rank_availability: rank,
                    summary: &r.summary,
                    vs_baseline: *v,
                })
                .collect(),
        };
        say(&serde_json::to_string_pretty(&doc).map_err(CliError::failed)?);
    } else if !args.print.quiet {
        say(&render(&runs, &vs, &ranks));
        say(&format!(
            "  {} scenarios × {} trials in {:.2} s; wrote {}",
            runs.len(),
            trials,
            elapsed.as_secs_f64(),
            out.display()
        ));
    }
    Ok(())
}

/// 1 for the highest mean availability; ties share a rank.
fn ranks(runs: &[Compared]) -> Vec<usize> {
    let a: Vec<f64> = runs.iter().map(|r| r.summary.metrics.availability.mean).collect();
    a.iter().map(|x| 1 + a.iter().filter(|y| *y > x).count()).collect()
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// `+1.23 [+1.01, +1.45]` with `decimals`, after scaling by `scale`.
fn signed(d: &PairedDifference, scale: f64, decimals: usize) -> String {
    format!(
        "{:+.decimals$} [{:+.decimals$}, {:+.decimals$}]",
        d.mean * scale,
        d.ci95_low * scale,
        d.ci95_high * scale
    )
}

/// The side-by-side table: one column per scenario.
fn render(runs: &[Compared], vs: &[Option<VsBaseline>], ranks: &[usize]) -> String {
    let first = &runs[0].summary;
    let per = charts::per_horizon(first.run.horizon_seconds);
    let width = runs
        .iter()
        .map(|r| r.summary.run.scenario.chars().count() + 2)
        .chain([30])
        .max()
        .unwrap_or(30);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Comparison: {} paired trials × {per}, seed {} (common random numbers); baseline: {}\n",
        first.trials, first.run.seed, first.run.scenario
    );
    let mut line = |label: &str, cells: Vec<String>| {
        let mut text = format!("  {label:<30}");
        for c in cells {
            let _ = write!(text, "{c:<width$}");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line("", runs.iter().map(|r| r.summary.run.scenario.clone()).collect());
    let metric =
        |m: &MetricSummary, f: &dyn Fn(f64) -> String| format!("{} [{}, {}]", f(m.mean), f(m.ci95_low), f(m.ci95_high));
    let all = |f: &dyn Fn(&Summary) -> String| runs.iter().map(|r| f(&r.summary)).collect::<Vec<_>>();
    line(
        "availability",
        all(&|s| format!("{:.4}%", s.metrics.availability.mean * 100.0)),
    );
    line(
        "  95% CI",
        all(&|s| {
            format!(
                "[{:.4}, {:.4}]",
                s.metrics.availability.ci95_low * 100.0,
                s.metrics.availability.ci95_high * 100.0
            )
        }),
    );
    let nines = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "∞".into());
    line(
        "nines",
        all(&|s| {
            let n = &s.metrics.nines;
            format!("{} [{}, {}]", nines(n.mean), nines(n.ci95_low), nines(n.ci95_high))
        }),
    );
    line(
        &format!("downtime (min per {per})"),
        all(&|s| metric(&s.metrics.downtime_minutes, &|x| format!("{x:.1}"))),
    );
    line(
        &format!("incidents (per {per})"),
        all(&|s| metric(&s.metrics.incidents, &|x| format!("{x:.2}"))),
    );
    line(
        "request success ratio",
        all(&|s| format!("{:.4}%", s.metrics.request_success_ratio.mean * 100.0)),
    );
    if runs.iter().any(|r| r.summary.metrics.latency_ms.is_some()) {
        line(
            "latency p99 (ms)",
            all(&|s| {
                s.metrics
                    .latency_ms
                    .map(|l| format!("{:.1}", l.p99))
                    .unwrap_or_else(|| "—".into())
            }),
        );
    }
    line(
        &format!("cost (USD per {per})"),
        all(&|s| metric(&s.metrics.cost_usd, &|x| format!("{x:.2}"))),
    );
    line(
        "SLO availability",
        all(&|s| match (
            s.slo.availability_target,
            s.slo.availability_met,
            s.slo.availability_met_at_95,
        ) {
            (None, ..) => "no target".into(),
            (Some(t), _, Some(true)) => format!("{:.4}%: met", t * 100.0),
            (Some(t), Some(true), _) => format!("{:.4}%: met on the mean", t * 100.0),
            (Some(t), ..) => format!("{:.4}%: NOT met", t * 100.0),
        }),
    );
    line("rank by availability", ranks.iter().map(|r| r.to_string()).collect());
    let diff = |f: &dyn Fn(&VsBaseline) -> String| {
        vs.iter()
            .map(|v| v.as_ref().map(f).unwrap_or_else(|| "(baseline)".into()))
            .collect::<Vec<_>>()
    };
    line("Δ availability (pp)", diff(&|v| signed(&v.availability, 100.0, 4)));
    line(
        "  significant?",
        diff(&|v| {
            format!(
                "{}, {}",
                if v.availability.significant() { "yes" } else { "no" },
                p_text(v.availability.p_value)
            )
        }),
    );
    line("Δ downtime (min)", diff(&|v| signed(&v.downtime_minutes, 1.0, 1)));
    line("Δ cost (USD)", diff(&|v| signed(&v.cost_usd, 1.0, 2)));
    out.push_str(
        "\n  Δ: mean of the per-trial differences from the baseline over the same trials, with its 95% CI;\n  \
         significant: a paired t-test rejects \"no difference\" at the 5% level (the CI excludes 0).\n",
    );
    out
}

fn metric_columns(name: &str) -> Vec<String> {
    [
        "mean",
        "ci95_low",
        "ci95_high",
        "p5",
        "p50",
        "p95",
        "min",
        "max",
        "std_dev",
    ]
    .iter()
    .map(|f| format!("{name}_{f}"))
    .collect()
}

fn metric_values(m: &MetricSummary) -> Vec<String> {
    [
        m.mean,
        m.ci95_low,
        m.ci95_high,
        m.p5,
        m.p50,
        m.p95,
        m.min,
        m.max,
        m.std_dev,
    ]
    .iter()
    .map(|x| x.to_string())
    .collect()
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

const DIFF_FIELDS: [&str; 5] = ["mean", "ci95_low", "ci95_high", "p_value", "significant"];

fn diff_values(d: Option<&PairedDifference>) -> Vec<String> {
    match d {
        Some(d) => vec![
            d.mean.to_string(),
            d.ci95_low.to_string(),
            d.ci95_high.to_string(),
            d.p_value.to_string(),
            d.significant().to_string(),
        ],
        None => vec![String::new(); DIFF_FIELDS.len()],
    }
}

/// The metrics of `summary.json` as CSV columns, named `<metric>_<field>` after its keys.
pub fn summary_columns() -> Vec<String> {
    let mut header = Vec::new();
    for m in [
        "availability",
        "request_success_ratio",
        "downtime_minutes",
        "incidents",
        "longest_incident_minutes",
        "cost_usd",
    ] {
        header.extend(metric_columns(m));
    }
    header.extend(["nines_mean", "nines_ci95_low", "nines_ci95_high"].map(String::from));
    header.extend(["latency_ms_p50", "latency_ms_p99"].map(String::from));
    header.extend(
        [
            "slo_availability_target",
            "slo_availability_met",
            "slo_availability_met_at_95",
        ]
        .map(String::from),
    );
    header
}

/// The values of [`summary_columns`]: numbers as Rust prints them (shortest exact form), so they
/// read back bit for bit; empty where `summary.json` has null.
pub fn summary_values(s: &Summary) -> Vec<String> {
    let m = &s.metrics;
    let mut row = Vec::new();
    for ms in [
        &m.availability,
        &m.request_success_ratio,
        &m.downtime_minutes,
        &m.incidents,
        &m.longest_incident_minutes,
        &m.cost_usd,
    ] {
        row.extend(metric_values(ms));
    }
    row.extend([opt(m.nines.mean), opt(m.nines.ci95_low), opt(m.nines.ci95_high)]);
    row.extend([opt(m.latency_ms.map(|l| l.p50)), opt(m.latency_ms.map(|l| l.p99))]);
    row.extend([
        opt(s.slo.availability_target),
        opt(s.slo.availability_met),
        opt(s.slo.availability_met_at_95),
    ]);
    row
}

/// `comparison.csv`: one row per scenario; numbers exactly as in each run's `summary.json`.
fn write_csv(path: &Path, runs: &[Compared], vs: &[Option<VsBaseline>], ranks: &[usize]) -> Result<(), CliError> {
    const DIFFS: [&str; 3] = ["availability", "downtime_minutes", "cost_usd"];
    let mut header: Vec<String> = ["scenario", "file", "folder", "trials", "seed", "rank_availability"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(summary_columns());
    for d in DIFFS {
        header.extend(DIFF_FIELDS.iter().map(|f| format!("{d}_diff_{f}")));
    }

    let fail = |e: csv::Error| CliError::failed(format!("{}: {e}", path.display()));
    let mut w = csv::Writer::from_path(path).map_err(fail)?;
    w.write_record(&header).map_err(fail)?;
    for ((r, v), rank) in runs.iter().zip(vs).zip(ranks) {
        let s = &r.summary;
        let mut row = vec![
            s.run.scenario.clone(),
            r.file.display().to_string(),
            r.folder.clone(),
            s.trials.to_string(),
            s.run.seed.to_string(),
            rank.to_string(),
        ];
        row.extend(summary_values(s));
        row.extend(diff_values(v.as_ref().map(|v| &v.availability)));
        row.extend(diff_values(v.as_ref().map(|v| &v.downtime_minutes)));
        row.extend(diff_values(v.as_ref().map(|v| &v.cost_usd)));
        w.write_record(&row).map_err(fail)?;
    }
    w.flush()
        .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))
}

fn write_charts(out: &Path, runs: &[Compared], vs: &[Option<VsBaseline>]) -> Result<(), CliError> {
    let first = &runs[0].summary;
    let context = format!(
        "{} paired trials, seed {}",
        charts::thousands(first.trials as f64),
        first.run.seed
    );
    let base_nines = first.metrics.nines.mean;
    let scenarios: Vec<ComparedScenario> = runs
        .iter()
        .zip(vs)
        .map(|(r, v)| {
            let verdict = match v {
                None => "baseline".to_string(),
                Some(v) => {
                    let delta = match (r.summary.metrics.nines.mean, base_nines) {
                        (Some(a), Some(b)) => format!("{:+.2} nines, ", a - b),
                        _ => String::new(),
                    };
                    let sig = if v.availability.significant() {
                        "significant"
                    } else {
                        "not significant"
                    };
                    format!("{delta}{sig} ({})", p_text(v.availability.p_value))
                }
            };
            ComparedScenario::new(&r.summary, verdict)
        })
        .collect();
    let nines = CompareNinesChart {
        context: context.clone(),
        scenarios: scenarios.clone(),
        target: first.slo.availability_target,
    };
    let cost = CompareCostChart {
        context,
        scenarios,
        target: first.slo.availability_target,
        per: charts::per_horizon(first.run.horizon_seconds),
    };
    let (a, b) = rayon::join(|| charts::render(&nines, out), || charts::render(&cost, out));
    a.map_err(CliError::failed)?;
    b.map_err(CliError::failed)?;
    Ok(())
}
