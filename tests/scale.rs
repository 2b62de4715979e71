//! Runs that stop at a confidence target.

mod common;

use nines::montecarlo::run_until_ci;

/// The k-of-n zones of tests/theory.rs (unavailability 1/880): stop when the 95 % CI half-width
/// is within 10 % of the estimate. The stop must come at the same batch for 1 and 2 threads
/// (batches are fixed, results depend only on trial indices), the outcomes must be identical,
/// and the CI must meet the target.
#[test]
fn until_ci_stops_at_the_same_trial_count_whatever_the_threads() {
    let s = common::scenario(
        r#"
        [simulation]
        horizon = "365d"
        seed = 5
        [[zones]]
        name = "a"
        outage = { time_between = { dist = "exponential", mean = "10d" }, duration = { dist = "exponential", mean = "1d" } }
        [[zones]]
        name = "b"
        outage = { time_between = { dist = "exponential", mean = "15d" }, duration = { dist = "exponential", mean = "1d" } }
        [[zones]]
        name = "c"
        outage = { time_between = { dist = "exponential", mean = "8d" }, duration = { dist = "exponential", mean = "2d" } }
        [load_balancer]
        dns_failover_delay = "0s"
        [fleet]
        zones = ["a", "b", "c"]
        desired = 3
        [slo]
        max_error_rate = 0.99
        "#,
    );
    let until = |threads| {
        let mut rows = Vec::new();
        let (results, stop) = run_until_ci(&s, 0.10, 100_000, 100, Some(threads), &|| {}, &mut |chunk| {
            rows.extend_from_slice(chunk);
            Ok::<(), rayon::ThreadPoolBuildError>(())
        })
        .unwrap();
        (results, stop, rows)
    };
    let (one, stop1, rows1) = until(1);
    let (two, stop2, rows2) = until(2);
    assert_eq!(stop1, stop2);
    assert_eq!(one, two);
    assert_eq!(rows1, rows2);
    assert_eq!(rows1.len() as u64, stop1.trials, "every trial's row, once");
    assert!(stop1.met && stop1.relative_half_width <= 0.10, "{stop1:?}");
    assert_eq!(stop1.trials % 100, 0, "whole batches");
    assert!(stop1.trials > 100, "one batch is not enough for ±10 % here: {stop1:?}");
    // And it stopped as soon as the target was met: one batch fewer would not have met it.
    let mut fewer = nines::report::accumulate::MetricAccumulator::shortfall();
    for o in &rows1[..(stop1.trials - 100) as usize] {
        fewer.record(o.availability);
    }
    let m = fewer.moments;
    assert!(m.ci95_half_width() / m.mean() > 0.10);
}

/// No downtime at all: the target can never be met, so the run stops at `max_trials`.
#[test]
fn until_ci_gives_up_at_max_trials() {
    let s = common::scenario(
        r#"
        [simulation]
        horizon = "30d"
        [[zones]]
        name = "a"
        [fleet]
        zones = ["a"]
        desired = 2
        "#,
    );
    let (r, stop) = run_until_ci(&s, 0.1, 250, 100, None, &|| {}, &mut |_| {
        Ok::<(), rayon::ThreadPoolBuildError>(())
    })
    .unwrap();
    assert_eq!((stop.trials, stop.met, r.trials()), (250, false, 250));
}

/// `--shard auto` under each scheduler's conventions picks the right trials, and merging the
/// shards equals one run.
#[test]
fn shard_auto_follows_each_scheduler_and_merges_exactly() {
    use std::process::Command;
    let tmp = tempfile::tempdir().unwrap();
    let scenario = format!("{}/scenarios/az-outage-drill.toml", env!("CARGO_MANIFEST_DIR"));
    let run = |env: &[(&str, &str)], extra: &[&str], out: &std::path::Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nines"));
        cmd.args([
            "run",
            &scenario,
            "--trials",
            "90",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra);
        for var in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_COUNT",
            "SLURM_ARRAY_TASK_MIN",
            "SLURM_ARRAY_TASK_MAX",
            "JOB_COMPLETION_INDEX",
            "AWS_BATCH_JOB_ARRAY_INDEX",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied());
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{env:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    let whole = tmp.path().join("whole");
    run(&[], &[], &whole);
    let read = |dir: &std::path::Path, f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    // Three schedulers, three shards each: Slurm (1-based array 1-3), Kubernetes (0-based index,
    // count by flag), AWS Batch (0-based index, count by flag).
    type Conv = fn(u64) -> Vec<(&'static str, String)>;
    let conventions: [(&str, Conv, &[&str]); 3] = [
        (
            "slurm",
            |k| {
                vec![
                    ("SLURM_ARRAY_TASK_ID", (k + 1).to_string()),
                    ("SLURM_ARRAY_TASK_MIN", "1".into()),
                    ("SLURM_ARRAY_TASK_MAX", "3".into()),
                ]
            },
            &[],
        ),
        (
            "k8s",
            |k| vec![("JOB_COMPLETION_INDEX", k.to_string())],
            &["--shard-count", "3"],
        ),
        (
            "batch",
            |k| vec![("AWS_BATCH_JOB_ARRAY_INDEX", k.to_string())],
            &["--shard-count", "3"],
        ),
    ];
    for (name, env_of, extra) in conventions {
        let mut dirs = Vec::new();
        for k in 0..3u64 {
            let dir = tmp.path().join(format!("{name}-{k}"));
            let env: Vec<(&str, String)> = env_of(k);
            let env: Vec<(&str, &str)> = env.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let mut args = vec!["--shard", "auto"];
            args.extend_from_slice(extra);
            run(&env, &args, &dir);
            // Shard k of 3 holds trials 30k..30(k+1).
            let rows = read(&dir, "trials.csv");
            let first = rows.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
            assert_eq!(first, (30 * k).to_string(), "{name} shard {k}");
            dirs.push(dir);
        }
        let merged = tmp.path().join(format!("{name}-merged"));
        let o = Command::new(env!("CARGO_BIN_EXE_nines"))
            .arg("merge")
            .args(&dirs)
            .args(["--out", merged.to_str().unwrap(), "--quiet"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for f in ["summary.json", "trials.csv", "distributions.json"] {
            assert_eq!(read(&whole, f), read(&merged, f), "{name}: {f}");
        }
    }
    // Without any scheduler variable, --shard auto is a usage error.
    let o = Command::new(env!("CARGO_BIN_EXE_nines"))
        .args(["run", &scenario, "--shard", "auto", "--out"])
        .arg(tmp.path().join("none"))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SLURM_ARRAY_TASK_ID"));
}
