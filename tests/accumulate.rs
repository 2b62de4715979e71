//! Statistics accumulated as trials finish (flat memory): any split of the trials — threads,
//! blocks, shards — adds up to the same bits, and the summary they give matches a direct
//! computation over every row within the documented precision.

mod common;

use common::{nines, read, run_shards, run_with_rows};
use nines::cloud::TrialOutcome;
use nines::montecarlo::{Shard, WINDOW_TRIALS};
use nines::report::stats::MetricSummary;
use nines::report::{Distributions, RunInfo, SloVerdict, Summary};

/// Zone outages, crashes and hangs, replacements: every metric varies from trial to trial.
const SCENARIO: &str = r#"
name = "accumulate"
[simulation]
horizon = "30d"
seed = 17
[[zones]]
name = "a"
outage = { time_between = { dist = "exponential", mean = "60d" }, duration = { dist = "lognormal", median = "1h", sigma = 1.0 } }
[[zones]]
name = "b"
outage = { time_between = { dist = "exponential", mean = "90d" }, duration = "2h" }
[fleet]
zones = ["a", "b"]
desired = 2
health_check_type = "elb"
[fleet.instance]
launch_time = { dist = "lognormal", median = "3m", sigma = 0.3 }
price_per_hour = 0.1
[[fleet.failure_modes]]
name = "crash"
time_between = { dist = "exponential", mean = "20d" }
kind = "crash"
[[fleet.failure_modes]]
name = "hang"
time_between = { dist = "weibull", shape = 1.2, scale = "25d" }
kind = "hang"
[slo]
availability = 0.999
"#;

/// More than three windows of the stream (its reorder buffer wraps around), and not a whole
/// number of blocks.
const TRIALS: u64 = 3 * WINDOW_TRIALS + 17;

#[test]
fn shards_and_threads_add_up_to_one_run_bit_for_bit() {
    let s = common::scenario(SCENARIO);
    let (whole, rows) = run_with_rows(&s, 0..TRIALS, Some(2));
    assert_eq!(rows.len() as u64, TRIALS);
    assert!(
        rows.iter().enumerate().all(|(i, r)| r.trial == i as u64),
        "rows in trial order"
    );
    let (one_thread, _) = run_with_rows(&s, 0..TRIALS, Some(1));
    assert_eq!(whole, one_thread, "threads");

    // Shard boundaries (4101, 8203) fall inside blocks; merge them in the wrong order on purpose.
    let mut merged = Distributions::default();
    let mut ranges = Vec::new();
    for index in (1..=3).rev() {
        let trials = Shard { index, count: 3 }.trials(TRIALS);
        let (part, _) = run_with_rows(&s, trials, Some(1));
        ranges.extend(part.trial_ranges.iter().copied());
        merged.add(&Distributions::of(&part));
    }
    let one = Distributions::of(&whole);
    assert_eq!(merged, one);
    assert_eq!(
        serde_json::to_string(&merged).unwrap(),
        serde_json::to_string(&one).unwrap(),
        "the files are the same bytes"
    );
    ranges.sort_unstable();
    assert_eq!(ranges, vec![(0, 4101), (4101, 8203), (8203, TRIALS)]);
    let from_shards = Summary::build(
        RunInfo::of(&s),
        &SloVerdict::targets(&s),
        whole.trial_ranges.clone(),
        &merged.metrics,
        None,
    );
    assert_eq!(from_shards, Summary::of_run(&s, &whole));

    // And reading the file form back changes nothing.
    let back: Distributions = serde_json::from_str(&serde_json::to_string(&one).unwrap()).unwrap();
    assert_eq!(back, one);
}

/// The exact type-7 percentile of sorted values (what `summary.json` gave when it kept every row).
fn type7(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Checks one metric of the summary against the rows: min and max exact; mean and standard
/// deviation to the fixed-point resolution (far below a double's rounding here); percentiles
/// within 2^-11 of the value, or of `1 − value` for shares close to 1 (`shortfall`).
fn check(name: &str, got: &MetricSummary, values: &[f64], shortfall: bool) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(
        (got.min, got.max),
        (sorted[0], sorted[sorted.len() - 1]),
        "{name}: extremes"
    );
    let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol;
    assert!(
        close(got.mean, mean, 1e-12 * mean.abs().max(1.0)),
        "{name}: mean {} vs {mean}",
        got.mean
    );
    assert!(
        close(got.std_dev, sd, 1e-9 * sd + 1e-12),
        "{name}: sd {} vs {sd}",
        got.std_dev
    );
    let half = got.ci95_half_width();
    let expected_half = nines::report::stats::t_quantile_975(values.len() - 1) * sd / n.sqrt();
    assert!(close(half, expected_half, 1e-9 * expected_half + 1e-12), "{name}: CI");
    for (q, p) in [(0.05, got.p5), (0.5, got.p50), (0.95, got.p95)] {
        let exact = type7(&sorted, q);
        let scale = if shortfall { 1.0 - exact } else { exact.abs() };
        assert!(
            close(p, exact, scale * 2f64.powi(-11) + 1e-12),
            "{name}: p{} {p} vs {exact}",
            q * 100.0
        );
    }
}

#[test]
fn the_summary_matches_a_direct_computation_over_the_rows() {
    let s = common::scenario(SCENARIO);
    let (results, rows) = run_with_rows(&s, 0..TRIALS, None);
    let m = Summary::of_run(&s, &results).metrics;
    let col = |f: fn(&TrialOutcome) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    check("availability", &m.availability, &col(|o| o.availability), true);
    check(
        "request_success_ratio",
        &m.request_success_ratio,
        &col(|o| o.request_success_ratio),
        true,
    );
    check(
        "downtime_minutes",
        &m.downtime_minutes,
        &col(|o| o.downtime_minutes),
        false,
    );
    check("incidents", &m.incidents, &col(|o| o.incidents as f64), false);
    check(
        "longest_incident_minutes",
        &m.longest_incident_minutes,
        &col(|o| o.longest_incident_minutes),
        false,
    );
    check("cost_usd", &m.cost_usd, &col(|o| o.cost_usd), false);
    check(
        "instance_hours",
        &m.instance_hours,
        &col(|o| o.on_demand_hours + o.spot_hours),
        false,
    );
    check(
        "instance_failures",
        &m.instance_failures,
        &col(|o| o.instance_failures as f64),
        false,
    );
    check("replacements", &m.replacements, &col(|o| o.replacements as f64), false);
    check("zone_outages", &m.zone_outages, &col(|o| o.zone_outages as f64), false);
    // The run has downtime to speak of, so the checks above are not about zeros only.
    assert!(m.downtime_minutes.p50 > 0.0 && m.availability.p5 < 1.0, "{m:?}");
}

#[test]
fn streamed_and_merged_files_equal_one_run_across_windows() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let f = file.to_str().unwrap();
    let trials = (2 * WINDOW_TRIALS + 5).to_string();
    let dir = |name: &str| tmp.path().join(name);
    nines(&[
        "run",
        f,
        "--trials",
        &trials,
        "--quiet",
        "--out",
        dir("whole").to_str().unwrap(),
    ]);
    let shards = run_shards(tmp.path(), f, 3, &["--trials", &trials, "--threads", "1"]);
    let merged = dir("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap(), "--quiet"]);
    nines(&args);
    for name in ["summary.json", "distributions.json", "trials.csv"] {
        assert!(read(&dir("whole"), name) == read(&dir("merged"), name), "{name}");
    }
    assert_eq!(
        read(&dir("whole"), "trials.csv").lines().count() as u64,
        2 * WINDOW_TRIALS + 6
    );
    for d in ["whole", "shard1", "merged"] {
        let partial = std::fs::read_dir(dir(d))
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().ends_with(".partial"));
        assert!(!partial, "{d}: a partial file is left");
    }
}

/// A run that cannot finish its trials.csv fails (exit 1) and leaves no partial file.
#[test]
fn a_failed_run_leaves_no_trials_csv_that_looks_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = tmp.path().join("out");
    // A folder where the finished file should go: the rename at the end fails.
    std::fs::create_dir_all(out.join("trials.csv")).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_nines"))
        .args(["run", file.to_str().unwrap(), "--trials", "50", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.join("trials.csv.partial").exists());
    assert!(!out.join("summary.json").exists());
}
