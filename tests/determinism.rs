//! Same scenario and seed ⇒ identical results, whatever the thread count and however the trials
//! are sharded. Checked end to end through the `nines` binary, byte for byte.

use std::process::Command;

mod common;

use common::{nines, read, run_shards};

fn scenario() -> String {
    format!("{}/scenarios/multi-az.toml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn threads_do_not_change_results() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("t1"), tmp.path().join("t2"));
    let s = scenario();
    nines(&[
        "run",
        &s,
        "--trials",
        "400",
        "--threads",
        "1",
        "--quiet",
        "--out",
        one.to_str().unwrap(),
    ]);
    nines(&[
        "run",
        &s,
        "--trials",
        "400",
        "--threads",
        "2",
        "--quiet",
        "--out",
        two.to_str().unwrap(),
    ]);
    assert_eq!(read(&one, "summary.json"), read(&two, "summary.json"));
    assert_eq!(read(&one, "trials.csv"), read(&two, "trials.csv"));
    assert_eq!(read(&one, "distributions.json"), read(&two, "distributions.json"));
}

#[test]
fn merged_shards_equal_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario();
    let whole = tmp.path().join("whole");
    nines(&[
        "run",
        &s,
        "--trials",
        "301",
        "--quiet",
        "--out",
        whole.to_str().unwrap(),
    ]);
    let shards = run_shards(tmp.path(), &s, 3, &["--trials", "301", "--threads", "1"]);
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    // Out of order on purpose: merge sorts by trial.
    for d in shards.iter().rev() {
        args.push(d.to_str().unwrap());
    }
    args.extend(["--out", merged.to_str().unwrap(), "--quiet"]);
    nines(&args);
    assert_eq!(read(&whole, "summary.json"), read(&merged, "summary.json"));
    assert_eq!(read(&whole, "trials.csv"), read(&merged, "trials.csv"));
    assert_eq!(read(&whole, "distributions.json"), read(&merged, "distributions.json"));
}

#[test]
fn merge_refuses_missing_or_mismatched_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    nines(&[
        "run",
        &s,
        "--trials",
        "50",
        "--shard",
        "1/2",
        "--quiet",
        "--out",
        a.to_str().unwrap(),
    ]);
    nines(&[
        "run",
        &s,
        "--trials",
        "50",
        "--seed",
        "9",
        "--shard",
        "2/2",
        "--quiet",
        "--out",
        b.to_str().unwrap(),
    ]);
    let out = tmp.path().join("m");
    for dirs in [vec![&a], vec![&a, &b]] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nines"));
        cmd.arg("merge").args(dirs).arg("--out").arg(&out);
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(!out.exists());
    }
}

#[test]
fn a_trace_replays_the_trials_downtime() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drill");
    let s = format!("{}/scenarios/az-outage-drill.toml", env!("CARGO_MANIFEST_DIR"));
    nines(&[
        "run",
        &s,
        "--trials",
        "20",
        "--trace",
        "3",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    // Recompute the downtime of trial 3 from its trace: the sum of service_down → service_up spans.
    let mut down_since: Option<f64> = None;
    let mut total = 0.0;
    let mut rdr = csv::Reader::from_path(dir.join("trace-3.csv")).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let t: f64 = rec[0].parse().unwrap();
        match &rec[1] {
            "service_down" => down_since = Some(t),
            "service_up" => total += t - down_since.take().expect("up after down"),
            _ => {}
        }
    }
    if let Some(since) = down_since {
        total += 60.0 * 86_400.0 - since;
    }
    let mut rows = csv::Reader::from_path(dir.join("trials.csv")).unwrap();
    let headers = rows.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "downtime_minutes").unwrap();
    let row = rows.records().map(|r| r.unwrap()).find(|r| &r[0] == "3").unwrap();
    let expected: f64 = row[col].parse().unwrap();
    assert!(
        (total / 60.0 - expected).abs() < 1e-6,
        "trace {} min vs trials.csv {expected} min",
        total / 60.0
    );
    assert!(
        expected >= 1.0,
        "the drill's 4-hour outage costs at least the DNS failover minute"
    );
}

/// With request-level traffic (and its latency histogram) too.
#[test]
fn traffic_results_do_not_depend_on_threads_or_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("traffic.toml");
    std::fs::write(
        &file,
        r#"
        [simulation]
        horizon = "2h"
        trials = 9
        seed = 5
        [[zones]]
        name = "a"
        [[zones]]
        name = "b"
        [fleet]
        zones = ["a", "b"]
        desired = 4
        health_check_type = "elb"
        [[fleet.failure_modes]]
        name = "crash"
        kind = "crash"
        time_between = { dist = "exponential", mean = "6h" }
        [traffic]
        rate = 50.0
        service_time = { dist = "lognormal", median = "20ms", sigma = 0.5 }
        timeout = "1s"
        model = "requests"
        retries = 1
        retry_backoff = { dist = "uniform", min = "10ms", max = "50ms" }
        "#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let dir = |name: &str| tmp.path().join(name);
    nines(&[
        "run",
        f,
        "--threads",
        "1",
        "--quiet",
        "--out",
        dir("t1").to_str().unwrap(),
    ]);
    nines(&[
        "run",
        f,
        "--threads",
        "2",
        "--quiet",
        "--out",
        dir("t2").to_str().unwrap(),
    ]);
    let shards = run_shards(tmp.path(), f, 2, &[]);
    let merged = dir("merged");
    nines(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--quiet",
    ]);
    for file in ["summary.json", "trials.csv", "distributions.json"] {
        assert_eq!(read(&dir("t1"), file), read(&dir("t2"), file), "{file}: threads");
        assert_eq!(read(&dir("t1"), file), read(&merged, file), "{file}: shards");
    }
    assert!(read(&merged, "summary.json").contains("\"traffic_model\": \"requests\""));
    assert!(read(&merged, "distributions.json").contains("latency_us"));
}
