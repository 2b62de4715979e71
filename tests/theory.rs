//! The simulator against closed forms. Each test derives its expected value in a comment and
//! sizes its tolerance from the standard error of the trials it runs.

mod common;

use common::{assert_close, mean_se, run, scenario};

/// One instance slot whose instance hangs (exponential, mean M) and is replaced through ELB
/// health checks.
///
/// A hang lands uniformly within a check interval I, so the first failing check is sent I/2
/// later on average; the u-th lands (u−1)·I + T after that. The group replaces at once (grace 0),
/// the new instance is ready L later and registers; its first check goes out I/2 later on average
/// and it enters service on its h-th pass, (h−1)·I after the first. Until then the LB has no
/// healthy or failed-open target (an `initial` target gets nothing), so requests fail throughout:
///
///   D = I/2 + (u−1)·I + T + L + I/2 + (h−1)·I = (u+h−1)·I + T + L,   A = M / (M + D).
///
/// With I = 30 s, T = 5 s, u = 2, h = 10, L = 180 s: D = 11·30 + 5 + 180 = 515 s; M = 2 d.
/// (The hang clock starts at `ready`, so a hang during the ~285 s of initial checks shortens an
/// up period slightly; that bias is below 0.2 % of the unavailability, inside the allowance.)
#[test]
fn hang_replaced_through_elb_checks_matches_renewal_theory() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "365d"
        trials = 300
        seed = 11
        [[zones]]
        name = "a"
        [load_balancer]
        dns_failover_delay = "0s"
        health_check = { interval = "30s", timeout = "5s", healthy_threshold = 10, unhealthy_threshold = 2 }
        [fleet]
        zones = ["a"]
        desired = 1
        health_check_type = "elb"
        health_check_grace_period = "0s"
        [fleet.instance]
        launch_time = "180s"
        [[fleet.failure_modes]]
        name = "hang"
        kind = "hang"
        time_between = { dist = "exponential", mean = "2d" }
        [slo]
        max_error_rate = 0.5
        "#,
    );
    let outcomes = run(&s);
    let (u_hat, se) = mean_se(outcomes.iter().map(|o| 1.0 - o.availability));
    let m = 2.0 * 86_400.0;
    let d = 11.0 * 30.0 + 5.0 + 180.0;
    let expected = d / (m + d);
    // ~180 cycles per trial × 300 trials: SE ≈ 1 % of the estimate; 4 SE, plus 0.5 % for the bias above.
    assert_close("unavailability", u_hat, se, expected, 4.0, 0.005 * expected);
    assert!(se < 0.03 * expected, "too few cycles for a sharp test: se {se}");
}

/// Zones as k-of-n with k = 1: instances never fail, zones have independent isolation outages
/// (exponential up time m, exponential outage r), DNS moves clients at once, and cross-zone routing
/// reaches any surviving zone, so the service is DOWN exactly when every zone is dark. For
/// independent alternating renewal processes in steady state,
///
///   A = 1 − Π qᵢ,  qᵢ = rᵢ / (mᵢ + rᵢ).
///
/// With (m, r) = (10 d, 1 d), (15 d, 1 d), (8 d, 2 d): q = 1/11, 1/16, 1/5 → Π q = 1/880.
/// Trials start with every zone up, not in steady state; the transient lasts about a day of a
/// 365-day horizon, a bias under 0.5 % of the unavailability, which the allowance covers.
#[test]
fn independent_zone_outages_match_k_of_n() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "365d"
        trials = 2000
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
        cross_zone = true
        [fleet]
        zones = ["a", "b", "c"]
        desired = 3
        health_check_type = "ec2"
        [slo]
        max_error_rate = 0.99
        "#,
    );
    let outcomes = run(&s);
    let (u_hat, se) = mean_se(outcomes.iter().map(|o| 1.0 - o.availability));
    let expected = 1.0 / 880.0;
    assert_close("unavailability", u_hat, se, expected, 4.0, 0.005 * expected);
    assert!(se < 0.05 * expected, "too few trials for a sharp test: se {se}");
}

/// The same three zones, but DOWN as soon as any zone is dark (max_error_rate 0 and no cross-zone
/// routing, so a dark zone's clients fail until DNS moves them; the delay is 0, so any failing
/// share comes from the node itself): with DNS failover instant, a dark zone's share moves at once
/// and the service stays UP while any zone is up. This checks that the failover delay matters:
/// with a 10-minute delay each zone outage costs 10 minutes of DOWN, so
///
///   E[downtime per year] ≈ Σ (365 d / (mᵢ + rᵢ)) · 10 min  (outages that start while another zone is
///   already dark add nothing new only if they overlap; their share is tiny and ignored) plus the
///   all-dark time 365 d / 880.
#[test]
fn dns_failover_delay_costs_its_length_per_zone_outage() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "365d"
        trials = 1000
        seed = 9
        [[zones]]
        name = "a"
        outage = { time_between = { dist = "exponential", mean = "10d" }, duration = { dist = "exponential", mean = "1d" } }
        [[zones]]
        name = "b"
        outage = { time_between = { dist = "exponential", mean = "15d" }, duration = { dist = "exponential", mean = "1d" } }
        [load_balancer]
        dns_failover_delay = "10m"
        cross_zone = false
        [fleet]
        zones = ["a", "b"]
        desired = 2
        health_check_type = "ec2"
        [slo]
        max_error_rate = 0.0
        "#,
    );
    let outcomes = run(&s);
    let (down, se) = mean_se(outcomes.iter().map(|o| o.downtime_minutes));
    // Outages per year: 365/11 + 365/16 = 56.0; each costs min(10 min, outage) of DOWN while the
    // other zone is up. E[min(10 min, Exp(1 d))] = 1 d·(1 − e^(−10/1440)) = 9.965 min.
    // All-dark time: 365 d · (1/11)(1/16) = 2986 min; during it DOWN anyway, and the first
    // 10 minutes of a second outage inside it are not extra, so subtract P(other dark) of the
    // per-outage cost: a's outages find b dark with prob 1/16, b's find a dark with prob 1/11.
    let per_outage = 1440.0 * (1.0 - (-10.0f64 / 1440.0).exp());
    let from_a = 365.0 / 11.0 * per_outage * (1.0 - 1.0 / 16.0);
    let from_b = 365.0 / 16.0 * per_outage * (1.0 - 1.0 / 11.0);
    let all_dark = 365.0 * 1440.0 / (11.0 * 16.0);
    let expected = from_a + from_b + all_dark;
    assert_close("downtime minutes", down, se, expected, 4.0, 0.01 * expected);
}

/// An injected 4-hour isolation of the only zone, with no random failures: clients fail for
/// exactly the 4 hours. With EC2 health checks the instances are not replaced; the LB marked them
/// unhealthy during the outage and, when the zone returns, fails open to them (no target is
/// healthy), so they answer at once: the health-check re-admission time is zero and downtime is
/// exactly 240 minutes in one incident, in every trial.
#[test]
fn injected_zone_outage_gives_exactly_its_duration() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "60d"
        trials = 20
        [[zones]]
        name = "a"
        [fleet]
        zones = ["a"]
        desired = 2
        health_check_type = "ec2"
        [[inject]]
        at = "30d"
        fault = "zone_outage"
        zone = "a"
        duration = "4h"
        "#,
    );
    for o in run(&s) {
        assert_eq!(o.downtime_minutes, 240.0, "trial {}", o.trial);
        assert_eq!(o.incidents, 1);
        assert_eq!(o.zone_outages, 1);
    }
}

/// The same outage with ELB health checks: the group replaces the unreachable instances with new
/// ones in the same (isolated, but launchable) zone; when the zone returns, whatever instances are
/// there must first pass `healthy_threshold` checks unless some target already failed its checks
/// (then the LB fails open to it). Downtime is therefore at least 240 minutes and at most 240 min
/// plus grace + launch + h checks + I (here 5 + 3 + 5 + 0.5 min), and varies by trial.
#[test]
fn injected_zone_outage_with_elb_replacement_adds_bounded_readmission() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "60d"
        trials = 50
        [[zones]]
        name = "a"
        [load_balancer]
        health_check = { interval = "30s", timeout = "5s", healthy_threshold = 10, unhealthy_threshold = 2 }
        [fleet]
        zones = ["a"]
        desired = 2
        health_check_type = "elb"
        health_check_grace_period = "300s"
        [fleet.instance]
        launch_time = "3m"
        [[inject]]
        at = "30d"
        fault = "zone_outage"
        zone = "a"
        duration = "4h"
        "#,
    );
    for o in run(&s) {
        assert!(o.downtime_minutes >= 240.0, "trial {}: {}", o.trial, o.downtime_minutes);
        assert!(
            o.downtime_minutes <= 240.0 + 5.0 + 3.0 + 5.0 + 0.5 + 1e-9,
            "trial {}: {}",
            o.trial,
            o.downtime_minutes
        );
        assert!(o.replacements >= 2, "unreachable instances are replaced");
    }
}
