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
    let (one, stop1) = run_until_ci(&s, 0.10, 100_000, 100, Some(1), &|| {}).unwrap();
    let (two, stop2) = run_until_ci(&s, 0.10, 100_000, 100, Some(2), &|| {}).unwrap();
    assert_eq!(stop1, stop2);
    assert_eq!(one.outcomes, two.outcomes);
    assert!(stop1.met && stop1.relative_half_width <= 0.10, "{stop1:?}");
    assert_eq!(stop1.trials % 100, 0, "whole batches");
    assert!(stop1.trials > 100, "one batch is not enough for ±10 % here: {stop1:?}");
    // And it stopped as soon as the target was met: one batch fewer would not have met it.
    let fewer: Vec<f64> = one.outcomes[..(stop1.trials - 100) as usize]
        .iter()
        .map(|o| 1.0 - o.availability)
        .collect();
    let m = nines::report::stats::MetricSummary::of(&fewer);
    assert!(m.ci95_half_width() / m.mean > 0.10);
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
    let (r, stop) = run_until_ci(&s, 0.1, 250, 100, None, &|| {}).unwrap();
    assert_eq!((stop.trials, stop.met, r.outcomes.len()), (250, false, 250));
}
