//! Traffic against queueing theory. Each test derives its expected values in a comment and sizes
//! its tolerance from the number of requests it simulates.

mod common;

use common::{assert_close, scenario};
use nines::report::LatencySummary;
use nines::scenario::Scenario;

/// One zone, `desired` instances that never fail, and the given traffic and instance settings.
fn queue_scenario(
    desired: u32,
    concurrency: u32,
    queue_limit: u32,
    traffic: &str,
    horizon: &str,
    trials: u32,
) -> Scenario {
    scenario(&format!(
        r#"
        [simulation]
        horizon = "{horizon}"
        trials = {trials}
        seed = 3
        [[zones]]
        name = "a"
        [fleet]
        zones = ["a"]
        desired = {desired}
        [fleet.instance]
        concurrency = {concurrency}
        queue_limit = {queue_limit}
        [traffic]
        {traffic}
        "#
    ))
}

fn with_model(s: &Scenario, model: nines::scenario::TrafficModel) -> Scenario {
    let mut s = s.clone();
    if let Some(t) = s.traffic.as_mut() {
        t.model = model;
    }
    s
}

struct Measured {
    latency: LatencySummary,
    requests: u64,
    failed: u64,
    availability: f64,
}

fn measure(s: &Scenario) -> Measured {
    let (r, rows) = common::run_with_rows(s, 0..s.simulation.trials, None);
    let h = r.latency_us.expect("traffic gives a latency histogram");
    Measured {
        latency: LatencySummary::of(&h).expect("some requests answered"),
        requests: rows.iter().map(|o| o.requests).sum(),
        failed: rows.iter().map(|o| o.failed_requests).sum(),
        availability: rows.iter().map(|o| o.availability).sum::<f64>() / rows.len() as f64,
    }
}

/// Relative closeness.
fn assert_rel(what: &str, observed: f64, expected: f64, tol: f64) {
    let rel = (observed - expected).abs() / expected;
    eprintln!(
        "{what}: observed {observed:.4}, theory {expected:.4} ({:.2} %)",
        rel * 100.0
    );
    assert!(
        rel <= tol,
        "{what}: observed {observed} vs theory {expected}: {:.2} % > {:.2} %",
        rel * 100.0,
        tol * 100.0
    );
}

/// P(W > t) of M/M/c response time, and its quantile by bisection.
///
/// W = Wq + S. With probability 1 − C the request does not wait (W = S ~ Exp(μ)); otherwise the
/// wait is Exp(γ), γ = cμ − λ, independent of the service, so for γ ≠ μ
///   P(S + E > t) = (γ·e^{−μt} − μ·e^{−γt}) / (γ − μ).
fn mmc_tail(t: f64, c_wait: f64, mu: f64, gamma: f64) -> f64 {
    (1.0 - c_wait) * (-mu * t).exp() + c_wait * (gamma * (-mu * t).exp() - mu * (-gamma * t).exp()) / (gamma - mu)
}

fn mmc_quantile(q: f64, c_wait: f64, mu: f64, gamma: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 100.0 / mu.min(gamma));
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if 1.0 - mmc_tail(mid, c_wait, mu, gamma) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Erlang C by its textbook sum, independent of the library's recursion:
///   C = (a^c/c!)·(c/(c−a)) / (Σ_{k<c} a^k/k! + (a^c/c!)·(c/(c−a))).
fn erlang_c_by_sum(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    let top = term * c as f64 / (c as f64 - a);
    top / (sum + top)
}

/// M/M/1, λ = 50/s, E[S] = 10 ms (μ = 100/s): the response time is Exp(μ − λ = 50/s), so
/// mean = 20 ms, p50 = ln 2/50 = 13.86 ms, p90 = ln 10/50 = 46.05 ms, p99 = ln 100/50 = 92.10 ms.
/// 20 one-hour trials give 3.6 M requests; at ρ = 0.5 the response times decorrelate within a
/// few tens of ms, so the mean's relative SE is ~0.1 %: 2 % allows for that and HdrHistogram's
/// 0.1 % buckets; the fluid model's latency grid has 3 % bins, hence 2.5 % for it.
#[test]
fn mm1_latency_matches_closed_form_in_both_models() {
    let s = queue_scenario(
        1,
        1,
        100_000,
        r#"rate = 50.0
        service_time = { dist = "exponential", mean = "10ms" }
        timeout = "60s"
        model = "requests""#,
        "1h",
        20,
    );
    let theory = [("mean", 20.0), ("p50", 13.863), ("p90", 46.052), ("p99", 92.103)];
    for (model, tol) in [
        (nines::scenario::TrafficModel::Requests, 0.02),
        (nines::scenario::TrafficModel::Fluid, 0.025),
    ] {
        let m = measure(&with_model(&s, model));
        let l = m.latency;
        for (name, expected) in theory {
            let observed = match name {
                "mean" => l.mean,
                "p50" => l.p50,
                "p90" => l.p90,
                _ => l.p99,
            };
            assert_rel(&format!("{model:?} M/M/1 {name}"), observed, expected, tol);
        }
        assert_eq!(m.failed, 0);
    }
}

/// M/M/c with c = 8, E[S] = 20 ms (μ = 50/s), λ = 300/s: a = 6, C(8, 6) from Erlang C,
/// γ = cμ − λ = 100/s. Mean response = 1/μ + C/γ; percentiles from the mixture above.
#[test]
fn mmc_latency_matches_erlang_c_in_both_models() {
    let s = queue_scenario(
        1,
        8,
        100_000,
        r#"rate = 300.0
        service_time = { dist = "exponential", mean = "20ms" }
        timeout = "60s"
        model = "requests""#,
        "30m",
        20,
    );
    let c_wait = erlang_c_by_sum(8, 6.0);
    let (mu, gamma) = (50.0, 100.0);
    let mean = 1e3 * (1.0 / mu + c_wait / gamma);
    for (model, tol) in [
        (nines::scenario::TrafficModel::Requests, 0.02),
        (nines::scenario::TrafficModel::Fluid, 0.025),
    ] {
        let l = measure(&with_model(&s, model)).latency;
        assert_rel(&format!("{model:?} M/M/8 mean"), l.mean, mean, tol);
        for (q, observed) in [(0.5, l.p50), (0.9, l.p90), (0.99, l.p99)] {
            let expected = 1e3 * mmc_quantile(q, c_wait, mu, gamma);
            assert_rel(&format!("{model:?} M/M/8 p{}", q * 100.0), observed, expected, tol);
        }
    }
}

/// M/D/1 with S = 10 ms, λ = 60/s (ρ = 0.6): Pollaczek–Khinchine gives
/// Wq = ρ·S / (2(1 − ρ)) = 0.6·10/0.8 = 7.5 ms, so the mean response is 17.5 ms.
#[test]
fn md1_mean_wait_is_pollaczek_khinchine() {
    let s = queue_scenario(
        1,
        1,
        100_000,
        r#"rate = 60.0
        service_time = "10ms"
        timeout = "60s"
        model = "requests""#,
        "1h",
        20,
    );
    for model in [
        nines::scenario::TrafficModel::Requests,
        nines::scenario::TrafficModel::Fluid,
    ] {
        let l = measure(&with_model(&s, model)).latency;
        assert_rel(&format!("{model:?} M/D/1 mean response"), l.mean, 17.5, 0.02);
    }
}

/// Overload: 2 instances × 4 slots of Exp(10 ms) serve 800 req/s; 1,200 req/s arrive. With a
/// finite queue the excess is refused, so the failed share tends to 1 − 800/1200 = 1/3 (M/M/c/K
/// at ρ = 1.5 with K large loses 1 − 1/ρ). Every moment has a failing share above 5 %, so the
/// service is DOWN throughout: availability 0 in both models.
#[test]
fn overload_loses_the_excess_share() {
    let s = queue_scenario(
        2,
        4,
        50,
        r#"rate = 1200.0
        service_time = { dist = "exponential", mean = "10ms" }
        timeout = "30s"
        model = "requests""#,
        "10m",
        10,
    );
    for (model, tol) in [
        (nines::scenario::TrafficModel::Requests, 0.02),
        (nines::scenario::TrafficModel::Fluid, 0.005),
    ] {
        let m = measure(&with_model(&s, model));
        assert_rel(
            &format!("{model:?} lost share"),
            m.failed as f64 / m.requests as f64,
            1.0 / 3.0,
            tol,
        );
        assert_eq!(m.availability, 0.0, "{model:?}");
    }
}

/// A hung instance stays in service until its checks fail: one of four instances hangs at
/// t = 2 min, health_check_type ec2 (never replaced), checks every I = 30 s, timeout T = 5 s,
/// unhealthy after u = 2 failures. The hang lands uniformly within a check interval, so it is
/// detected D = U(0, I) + (u − 1)·I + T later, E[D] = 15 + 30 + 5 = 50 s. Round robin sends it a
/// quarter of the 400 req/s meanwhile: E[failed] = 400 · ¼ · 50 = 5,000 per trial (plus the few
/// requests in flight at the hang). Per trial D has SD 30/√12 = 8.7 s → 866 requests; with 200
/// trials the SE of the mean is ~61.
#[test]
fn hung_instance_fails_its_share_until_detected() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "10m"
        trials = 200
        seed = 8
        [[zones]]
        name = "a"
        [load_balancer]
        algorithm = "round_robin"
        health_check = { interval = "30s", timeout = "5s", healthy_threshold = 3, unhealthy_threshold = 2 }
        [fleet]
        zones = ["a"]
        desired = 4
        health_check_type = "ec2"
        [fleet.instance]
        concurrency = 8
        [traffic]
        rate = 400.0
        service_time = { dist = "exponential", mean = "5ms" }
        timeout = "2s"
        model = "requests"
        [[inject]]
        at = "2m"
        fault = "instance_hang"
        count = 1
        "#,
    );
    let (_, rows) = common::run_with_rows(&s, 0..200, None);
    let failed: Vec<f64> = rows.iter().map(|o| o.failed_requests as f64).collect();
    let (mean, se) = common::mean_se(failed.into_iter());
    // In flight at the hang: λ/4 · E[S] ≈ 0.5 request, well inside the tolerance.
    assert_close("failed requests per trial", mean, se, 5_000.0, 4.0, 5.0);
}

/// Retries: with 1 of 4 instances crashed (refusing at once) and never taken out of service
/// within the horizon (checks every 300 s, 10 failures to mark it), random routing sends each
/// try to it independently with p = ¼. With r retries a request fails only if all r + 1 tries
/// do: success = 1 − p^(r+1). For r = 2: 1 − 1/64. 100 req/s × 10 min × 20 trials = 1.2 M
/// requests: the failure share 1/64 has SE √(p³(1−p³)/n) ≈ 1.1e-4, so 4 SE ≈ 3 % of it.
#[test]
fn retries_succeed_unless_every_try_fails() {
    for retries in [0u32, 2] {
        let s = scenario(&format!(
            r#"
            [simulation]
            horizon = "10m"
            trials = 20
            seed = 4
            [[zones]]
            name = "a"
            [load_balancer]
            algorithm = "random"
            health_check = {{ interval = "300s", timeout = "5s", healthy_threshold = 2, unhealthy_threshold = 10 }}
            [fleet]
            zones = ["a"]
            desired = 4
            suspended_processes = ["ReplaceUnhealthy"]
            [fleet.instance]
            concurrency = 8
            [traffic]
            rate = 100.0
            service_time = {{ dist = "exponential", mean = "5ms" }}
            timeout = "1s"
            model = "requests"
            retries = {retries}
            retry_backoff = "10ms"
            [[inject]]
            at = "0s"
            fault = "instance_crash"
            count = 1
            "#
        ));
        let m = measure(&s);
        let p = 0.25f64;
        let expected = p.powi(retries as i32 + 1);
        let n = m.requests as f64;
        let observed = m.failed as f64 / n;
        let se = (expected * (1.0 - expected) / n).sqrt();
        assert_close(
            &format!("failure share with {retries} retries"),
            observed,
            se,
            expected,
            4.0,
            0.0,
        );
    }
}

/// The two models on one scenario with failures: two zones, crashes and hangs, an injected zone
/// outage, diurnal traffic. Infrastructure draws come from their own streams, so availability is
/// identical; latency percentiles agree within 5 %.
#[test]
fn request_and_fluid_models_agree() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "1d"
        trials = 12
        seed = 21
        [[zones]]
        name = "a"
        [[zones]]
        name = "b"
        [load_balancer]
        health_check = { interval = "10s", timeout = "5s", healthy_threshold = 3, unhealthy_threshold = 2 }
        [fleet]
        zones = ["a", "b"]
        desired = 4
        health_check_type = "elb"
        [fleet.instance]
        concurrency = 8
        launch_time = "2m"
        [[fleet.failure_modes]]
        name = "crash"
        kind = "crash"
        time_between = { dist = "exponential", mean = "2d" }
        [[fleet.failure_modes]]
        name = "hang"
        kind = "hang"
        time_between = { dist = "exponential", mean = "3d" }
        [traffic]
        rate = 100.0
        shape = { kind = "diurnal", peak_to_trough = 3.0, peak_at = "14:00" }
        service_time = { dist = "lognormal", median = "20ms", sigma = 0.5 }
        timeout = "2s"
        model = "requests"
        [[inject]]
        at = "10h"
        fault = "zone_outage"
        zone = "a"
        duration = "2h"
        "#,
    );
    let req = measure(&s);
    let flu = measure(&with_model(&s, nines::scenario::TrafficModel::Fluid));
    assert_eq!(
        req.availability, flu.availability,
        "same infrastructure history, same availability"
    );
    assert_rel("p50 fluid vs requests", flu.latency.p50, req.latency.p50, 0.05);
    assert_rel("p99 fluid vs requests", flu.latency.p99, req.latency.p99, 0.05);
    assert_rel(
        "requests fluid vs requests",
        flu.requests as f64,
        req.requests as f64,
        0.01,
    );
}
