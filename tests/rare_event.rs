//! Failure biasing (`method = "failure_biasing"`) against closed forms and against plain Monte
//! Carlo. Each test derives its expected value in a comment; the tolerance is the estimator's own
//! 95 % CI (twice its half-width, about 4 standard errors, like tests/theory.rs).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{mean_se, read, run, scenario};
use nines::montecarlo::rare::{run_cycles, CycleResults};

fn cycles(text: &str, threads: Option<usize>) -> CycleResults {
    let s = scenario(text);
    run_cycles(&s, 0..s.simulation.trials, threads, &|| {}).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts the estimate is within twice its 95 % half-width of `expected`, and sharp.
fn assert_within_ci(r: &CycleResults, expected: f64, sharpness: f64) {
    let e = &r.estimate;
    let u = e.unavailability;
    eprintln!(
        "unavailability {:.4e} ± {:.4e} ({:.1} %), theory {expected:.4e} ({:+.2} half-widths); β {:?}, {} cycles, \
         {} with downtime, {:.0} effective, largest weight {:.3}",
        u.mean,
        u.half_width,
        e.relative_half_width * 100.0,
        (u.mean - expected) / u.half_width,
        biases(r),
        e.cycles,
        e.cycles_with_downtime,
        e.effective_cycles,
        e.largest_weight_share
    );
    assert_eq!(e.warning, None);
    assert!(e.relative_half_width < sharpness, "too few cycles for a sharp test");
    assert!(
        (u.mean - expected).abs() <= 2.0 * u.half_width,
        "estimate {:.4e} ± {:.4e} vs theory {expected:.4e}",
        u.mean,
        u.half_width
    );
}

fn biases(r: &CycleResults) -> Vec<(String, f64)> {
    r.biasing.processes().iter().map(|p| (p.name.clone(), p.bias)).collect()
}

const DAY: f64 = 86_400.0;

/// Three zones with rare, independent isolation outages and no instance failures. Cross-zone
/// routing with `max_error_rate` 0.9: while any zone is up its node serves through its own
/// instance (failing share at most 2/3), so the service is DOWN exactly when all three are dark.
/// Each zone alternates exponential up times (mean m) with outages of mean r, whatever their
/// distribution; for independent alternating renewal processes in steady state
///
///   U = Π qᵢ,  qᵢ = rᵢ / (mᵢ + rᵢ).
///
/// m = 30 d for all; r = 200 min (exponential), 3 h·e^(0.5²/2) = 3.40 h (lognormal), 3 h
/// (constant): q = 4.608e-3, 4.699e-3, 4.149e-3 → U = 8.99e-8. The regenerative estimator has no
/// start-up transient, so the closed form is exact for it.
#[test]
fn three_zones_with_rare_outages_match_the_product_of_unavailabilities() {
    let r = cycles(
        r#"
        [simulation]
        method = "failure_biasing"
        trials = 40000
        seed = 7
        [[zones]]
        name = "a"
        outage = { time_between = { dist = "exponential", mean = "30d" }, duration = { dist = "exponential", mean = "200m" } }
        [[zones]]
        name = "b"
        outage = { time_between = { dist = "exponential", mean = "30d" }, duration = { dist = "lognormal", median = "3h", sigma = 0.5 } }
        [[zones]]
        name = "c"
        outage = { time_between = { dist = "exponential", mean = "30d" }, duration = "3h" }
        [load_balancer]
        dns_failover_delay = "0s"
        cross_zone = true
        [fleet]
        zones = ["a", "b", "c"]
        desired = 3
        health_check_type = "ec2"
        [slo]
        max_error_rate = 0.9
        "#,
        None,
    );
    let m = 30.0 * DAY;
    let q = |r: f64| r / (m + r);
    let expected = q(200.0 * 60.0) * q(3.0 * 3600.0 * (0.125f64).exp()) * q(3.0 * 3600.0);
    assert_within_ci(&r, expected, 0.1);
}

/// A k-of-n fleet: n = 3 instances in one zone behind a cross-zone ALB, exponential crashes (mean
/// m = 30 d), EC2 health checks, no grace period. With `max_error_rate` 0.7 the service is DOWN
/// exactly when no instance is working and in service: while one is, the failing share is at most
/// 2/3 (the other two crashed but still in service); with none, every request fails. Each instance
/// slot alternates independently:
///
/// - a crash is seen by EC2 status checks S = 60 s later; the group terminates the instance and
///   launches a replacement at once, ready L = 180 s later, when its failure clock starts;
/// - the new instance registers then; its first check goes out φ ~ U[0, I) later and it enters
///   service on its h-th pass, W = φ + (h−1)·I after ready (I = 30 s, h = 5);
/// - it may crash before that (X ~ Exp(m) from ready < W): the slot then stays down throughout.
///
/// So a slot's cycle lasts S + L + X and it is down for S + L + min(X, W): by renewal-reward
///
///   q = (S + L + E[min(X, W)]) / (S + L + m),
///   E[min(X, W)] = m − m·(m/I)·e^(−(h−1)I/m)·(1 − e^(−I/m))   (averaging over φ),
///
/// about 375 s / 30 d = 1.447e-4, and U = q³ = 3.0e-12: plain Monte Carlo would need ~10¹³
/// trial-years to see it.
#[test]
fn k_of_n_fleet_with_rare_crashes_matches_q_to_the_n() {
    let r = cycles(
        r#"
        [simulation]
        method = "failure_biasing"
        trials = 40000
        seed = 3
        [[zones]]
        name = "a"
        [load_balancer]
        cross_zone = true
        health_check = { interval = "30s", timeout = "5s", healthy_threshold = 5, unhealthy_threshold = 2 }
        [fleet]
        zones = ["a"]
        desired = 3
        health_check_type = "ec2"
        health_check_grace_period = "0s"
        [fleet.instance]
        launch_time = "180s"
        [[fleet.failure_modes]]
        kind = "crash"
        time_between = { dist = "exponential", mean = "30d" }
        [slo]
        max_error_rate = 0.7
        "#,
        None,
    );
    let (m, s, l, i, h) = (30.0 * DAY, 60.0, 180.0, 30.0, 5.0);
    let min_x_w = m - m * (m / i) * (-(h - 1.0) * i / m).exp() * (-(-i / m).exp_m1());
    let q = (s + l + min_x_w) / (s + l + m);
    assert_within_ci(&r, q.powi(3), 0.1);
}

/// Two zones, four instances, ELB health checks, a power-outage zone (its instances are replaced in
/// the other zone and moved back by AZRebalance), crashes and hangs, and DNS failover: no closed
/// form, but unavailability ~1e-3, which plain Monte Carlo sees easily. Both methods must agree
/// within their combined CIs (plain trials start all-working rather than in steady state; over a
/// year that bias is far below the CI).
#[test]
fn agrees_with_plain_monte_carlo_where_that_is_cheap() {
    let text = |method: &str, trials: u64| {
        format!(
            r#"
            [simulation]
            method = "{method}"
            trials = {trials}
            seed = 21
            [[zones]]
            name = "a"
            outage = {{ time_between = {{ dist = "exponential", mean = "10d" }}, duration = {{ dist = "lognormal", median = "4h", sigma = 0.5 }} }}
            [[zones]]
            name = "b"
            outage = {{ time_between = {{ dist = "exponential", mean = "15d" }}, duration = {{ dist = "exponential", mean = "3h" }}, kind = "power" }}
            [load_balancer]
            dns_failover_delay = "60s"
            health_check = {{ interval = "30s", timeout = "5s", healthy_threshold = 3, unhealthy_threshold = 2 }}
            [fleet]
            zones = ["a", "b"]
            desired = 4
            health_check_type = "elb"
            health_check_grace_period = "120s"
            [fleet.instance]
            launch_time = {{ dist = "lognormal", median = "3m", sigma = 0.3 }}
            [[fleet.failure_modes]]
            kind = "crash"
            time_between = {{ dist = "exponential", mean = "5d" }}
            [[fleet.failure_modes]]
            kind = "hang"
            time_between = {{ dist = "exponential", mean = "8d" }}
            [slo]
            max_error_rate = 0.3
            "#
        )
    };
    let started = std::time::Instant::now();
    let plain = run(&scenario(&text("monte_carlo", 2000)));
    let plain_time = started.elapsed();
    let (u_plain, se_plain) = mean_se(plain.iter().map(|o| 1.0 - o.availability));
    let started = std::time::Instant::now();
    let biased = cycles(&text("failure_biasing", 20000), None);
    let biased_time = started.elapsed();
    let u = biased.estimate.unavailability;
    let se_biased = u.half_width / 1.96;
    let combined = (se_plain * se_plain + se_biased * se_biased).sqrt();
    eprintln!(
        "plain {u_plain:.4e} ± {:.2e} ({plain_time:?}); failure biasing {:.4e} ± {:.2e} ({biased_time:?}, β {:?}, warning {:?}); {:+.2} combined SE",
        1.96 * se_plain,
        u.mean,
        u.half_width,
        biases(&biased),
        biased.estimate.warning,
        (u.mean - u_plain) / combined
    );
    assert_eq!(biased.estimate.warning, None);
    assert!((u.mean - u_plain).abs() <= 4.0 * combined);
}

/// Three zones (the `three_zones…` scenario with a shorter run): eligible for failure biasing.
const THREE_ZONES: &str = r#"
[simulation]
method = "failure_biasing"
trials = 6000
seed = 11
[[zones]]
name = "a"
outage = { time_between = { dist = "exponential", mean = "30d" }, duration = { dist = "exponential", mean = "200m" } }
[[zones]]
name = "b"
outage = { time_between = { dist = "exponential", mean = "30d" }, duration = { dist = "lognormal", median = "3h", sigma = 0.5 } }
[[zones]]
name = "c"
outage = { time_between = { dist = "exponential", mean = "30d" }, duration = "3h" }
[load_balancer]
dns_failover_delay = "0s"
[fleet]
zones = ["a", "b", "c"]
desired = 3
health_check_type = "elb"
[[fleet.failure_modes]]
kind = "hang"
time_between = { dist = "exponential", mean = "60d" }
[slo]
max_error_rate = 0.9
"#;

/// Runs `nines ARGS` on a scenario file written from `text`; returns the output and the run's
/// output folder (which may not exist).
fn nines_on(text: &str, args: &[&str], dir: &Path) -> (Output, PathBuf) {
    let file = dir.join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let mut command = Command::new(env!("CARGO_BIN_EXE_nines"));
    command.args(args.iter().map(|a| a.replace("SCENARIO", file.to_str().unwrap())));
    command.args(["--out", out.to_str().unwrap()]);
    (command.output().unwrap(), out)
}

#[test]
fn same_result_for_one_and_two_threads() {
    let s = scenario(THREE_ZONES);
    let one = run_cycles(&s, 0..4000, Some(1), &|| {}).unwrap();
    let two = run_cycles(&s, 0..4000, Some(2), &|| {}).unwrap();
    assert_eq!(one.cycles, two.cycles);
    assert_eq!(one.estimate, two.estimate);
    // Through the binary, with --until-ci: the same stop and the same summary.json.
    let tmp = tempfile::tempdir().unwrap();
    let summary = |threads: &str| {
        let dir = tmp.path().join(threads);
        std::fs::create_dir(&dir).unwrap();
        let args = [
            "run",
            "SCENARIO",
            "--quiet",
            "--until-ci",
            "0.3",
            "--batch",
            "1500",
            "--threads",
            threads,
        ];
        let (output, out) = nines_on(THREE_ZONES, &args, &dir);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        read(&out, "summary.json")
    };
    let (one, two) = (summary("1"), summary("2"));
    assert_eq!(one, two);
    assert!(one.contains("\"method\": \"failure_biasing\""), "{one}");
}

/// What failure biasing cannot simulate is refused like any bad scenario: exit 2, the key named,
/// nothing written, whether the file or `--method` asks for the method.
#[test]
fn what_the_method_cannot_handle_is_refused_by_key() {
    let tmp = tempfile::tempdir().unwrap();
    let refused = |text: &str, args: &[&str], needles: &[&str]| {
        let (output, out) = nines_on(text, args, tmp.path());
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(!out.exists(), "output written for a refused run");
        for n in needles {
            assert!(err.contains(n), "{err:?} does not name {n:?}");
        }
    };
    let run = ["run", "SCENARIO"];
    let with = |extra: &str| format!("{THREE_ZONES}{extra}");
    refused(
        &with("[traffic]\nrate = 10.0\nservice_time = \"20ms\"\ntimeout = \"1s\"\n"),
        &run,
        &["s.toml:26: traffic:", "does not simulate requests"],
    );
    refused(
        &with("[fleet.spot]\nprice_per_hour = 0.03\nreclaim = { time_between = \"10d\" }\n"),
        &run,
        &["fleet.spot", "cannot bias spot reclaims"],
    );
    refused(
        &with("[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"01:00\"\ndesired = 3\n"),
        &run,
        &["fleet.scaling", "returns to its starting size"],
    );
    refused(
        &with("[[inject]]\nat = \"1d\"\nfault = \"zone_outage\"\nzone = \"a\"\nduration = \"1h\"\n"),
        &run,
        &["inject", "faults at fixed times"],
    );
    let weibull = THREE_ZONES.replace(
        "{ dist = \"exponential\", mean = \"60d\" }",
        "{ dist = \"weibull\", shape = 1.5, scale = \"60d\" }",
    );
    refused(&weibull, &run, &["fleet.failure_modes[0].time_between", "got weibull"]);
    // The file asks for plain trials; --method asks for failure biasing.
    let plain = weibull.replace("method = \"failure_biasing\"", "method = \"monte_carlo\"");
    refused(
        &plain,
        &["run", "SCENARIO", "--method", "failure_biasing"],
        &["fleet.failure_modes[0].time_between"],
    );
    refused(
        &THREE_ZONES.replace("\"elb\"", "\"ec2\""),
        &run,
        &["fleet.failure_modes[0].kind", "a hung instance is never replaced"],
    );
    refused(
        &THREE_ZONES.replace("desired = 3", "desired = 3\nsuspended_processes = [\"Launch\"]"),
        &run,
        &["fleet.suspended_processes", "with Launch suspended"],
    );
    refused(THREE_ZONES, &["run", "SCENARIO", "--shard", "1/2"], &["--shard"]);
    let compare = ["compare", "SCENARIO", "SCENARIO"];
    refused(THREE_ZONES, &compare, &["compare and sweep do not pair"]);
}

/// A world that cannot return to all-working is an error, not an endless busy period. Zone b's
/// power outage loses its instance; the group replaces it in zone a and, with AZRebalance
/// suspended and nothing else that fails, never moves it back.
#[test]
fn a_world_that_never_regenerates_is_an_error() {
    let text = r#"
        [simulation]
        method = "failure_biasing"
        trials = 200
        [[zones]]
        name = "a"
        [[zones]]
        name = "b"
        outage = { time_between = { dist = "exponential", mean = "30d" }, duration = "2h", kind = "power" }
        [fleet]
        zones = ["a", "b"]
        desired = 2
        suspended_processes = ["AZRebalance"]
        "#;
    let tmp = tempfile::tempdir().unwrap();
    let (output, out) = nines_on(text, &["run", "SCENARIO"], tmp.path());
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(!out.exists());
    for needle in [
        "did not return to the all-working state within 3650 days",
        "zone a has 2 instance(s) of the group, 1 at the start, and AZRebalance is suspended",
    ] {
        assert!(err.contains(needle), "{err:?} does not say {needle:?}");
    }
}
