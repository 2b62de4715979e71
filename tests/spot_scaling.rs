//! Spot capacity, scaling policies and cost, against closed forms and exact timelines. Each test
//! derives its expected value in a comment; statistical tolerances are sized from the standard
//! error of the trials run.

mod common;

use common::{assert_close, mean_se, nines, read, run, scenario};
use nines::cloud::spot::on_demand_target;
use nines::cloud::{TraceRecord, World};
use nines::report::Summary;
use nines::scenario::Scenario;

/// The trace of trial `trial`, and the group's desired capacity at its end.
fn traced(s: &Scenario, trial: u64) -> (Vec<TraceRecord>, u32) {
    let mut world = World::new(s);
    let (_, trace) = world.run_trial_traced(trial);
    (trace, world.desired_capacity())
}

/// `(time [s], detail)` of every trace record of kind `event`.
fn events<'t>(trace: &'t [TraceRecord], event: &str) -> Vec<(f64, &'t str)> {
    trace
        .iter()
        .filter(|r| r.event == event)
        .map(|r| (r.time_s, r.detail.as_str()))
        .collect()
}

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

// ---- spot reclaims against renewal theory

/// A pool of n = 3 spot instances, all in one zone, reclaimed whole (fraction 1) at the events of
/// a Poisson process of mean m = 1 d. The service is DOWN from the notice (the instances are
/// deregistered at once, and nothing else is registered) until the first replacement passes its
/// health checks. Replacements are launched when the instances are gone (notice N later) without
/// capacity rebalancing, at the notice with it; each is ready L later, its first check goes out a
/// uniform phase U(0, I) after that, and it enters service h − 1 intervals after its first check.
/// The first of n to do so: E[min of n U(0, I)] = I/(n + 1). So
///
///   admission = I/(n + 1) + (h − 1)·I,
///   D = N + L + admission (without rebalancing),  D = L + admission (with it),
///
/// and by memorylessness of the reclaims, unavailability = D / (m + D).
/// With N = 120 s, L = 180 s, I = 10 s, h = 3, n = 3: admission = 2.5 + 20 = 22.5 s,
/// D = 322.5 s without and 202.5 s with rebalancing.
///
/// Second order: a reclaim that lands on the pending replacements (probability ~ 200 s / 1 d =
/// 0.23 % per cycle) restarts the recovery, ~220 s late on average: a bias of ~0.2 % of the
/// unavailability, inside the 0.5 % allowance.
#[test]
fn spot_pool_reclaimed_whole_matches_renewal_theory() {
    let text = |rebalance: bool| {
        format!(
            r#"
            [simulation]
            horizon = "365d"
            trials = 300
            seed = 21
            [[zones]]
            name = "a"
            [load_balancer]
            dns_failover_delay = "0s"
            health_check = {{ interval = "10s", timeout = "2s", healthy_threshold = 3, unhealthy_threshold = 2 }}
            [fleet]
            zones = ["a"]
            desired = 3
            health_check_grace_period = "0s"
            [fleet.instance]
            launch_time = "180s"
            [fleet.spot]
            on_demand_base = 0
            on_demand_percentage_above_base = 0
            price_per_hour = 0.03
            notice = "2m"
            capacity_rebalance = {rebalance}
            reclaim = {{ time_between = {{ dist = "exponential", mean = "1d" }}, fraction = 1.0 }}
            unavailable_for = "0s"
            [slo]
            max_error_rate = 0.5
            "#
        )
    };
    let m = DAY;
    let admission = 10.0 / 4.0 + 2.0 * 10.0;
    let mut unavailability = Vec::new();
    for (rebalance, d) in [(false, 120.0 + 180.0 + admission), (true, 180.0 + admission)] {
        let outcomes = run(&scenario(&text(rebalance)));
        let (u_hat, se) = mean_se(outcomes.iter().map(|o| 1.0 - o.availability));
        let expected = d / (m + d);
        assert_close(
            &format!("unavailability, capacity_rebalance = {rebalance}"),
            u_hat,
            se,
            expected,
            4.0,
            0.005 * expected,
        );
        assert!(se < 0.01 * expected, "too few cycles for a sharp test: se {se}");
        // Every reclaim takes the 3 instances: reclaims per trial ≈ 365 d / m · 3.
        let (per_trial, se_n) = mean_se(outcomes.iter().map(|o| o.spot_reclaims as f64));
        assert_close("instances reclaimed per trial", per_trial, se_n, 365.0 * 3.0, 4.0, 0.0);
        unavailability.push(outcomes);
    }
    // Same seed, same reclaim times (common random numbers): per trial, rebalancing saves exactly
    // the notice in each cycle, N / (m + D) of the horizon on average.
    let (saved, se) = mean_se(
        unavailability[0]
            .iter()
            .zip(&unavailability[1])
            .map(|(a, b)| b.availability - a.availability),
    );
    let expected = 120.0 / (m + 322.5);
    assert_close(
        "availability saved by capacity rebalancing",
        saved,
        se,
        expected,
        4.0,
        0.01 * expected,
    );
}

/// `fraction` = p takes each spot instance of the pool independently with probability p: a
/// reclaim of a pool of n takes Binomial(n, p) instances, p·n on average, variance n·p·(1 − p).
#[test]
fn reclaim_fraction_takes_p_n_instances_per_event() {
    // The random process: 8 spot instances in one zone, a reclaim every 10 days exactly over 95
    // days, so at days 10, 20, …, 90: 9 reclaims, each of all 8 instances back in service (the
    // previous one's replacements took minutes). Per trial: 9·8·p = 18 with p = 1/4, variance
    // 9·8·p·(1 − p) = 13.5.
    let s = scenario(
        r#"
        [simulation]
        horizon = "95d"
        trials = 1000
        seed = 3
        [[zones]]
        name = "a"
        [fleet]
        zones = ["a"]
        desired = 8
        [fleet.spot]
        price_per_hour = 0.03
        reclaim = { time_between = "10d", fraction = 0.25 }
        "#,
    );
    let outcomes = run(&s);
    let (taken, se) = mean_se(outcomes.iter().map(|o| o.spot_reclaims as f64));
    assert_close("instances reclaimed per trial (random)", taken, se, 18.0, 4.0, 0.0);
    assert!(
        (se - (13.5f64 / 1000.0).sqrt()).abs() < 0.2 * se,
        "binomial spread: se {se}"
    );

    // An injected reclaim in every pool (zone left out), of two zones with 5 spot instances each:
    // 10 instances at p = 0.3, so 3 per trial, variance 2.1. The random pools never strike.
    let s = scenario(
        r#"
        [simulation]
        horizon = "2d"
        trials = 2000
        seed = 4
        [[zones]]
        name = "a"
        [[zones]]
        name = "b"
        [fleet]
        zones = ["a", "b"]
        desired = 10
        [fleet.spot]
        price_per_hour = 0.03
        reclaim = { time_between = "1000d" }
        [[inject]]
        at = "1d"
        fault = "spot_reclaim"
        fraction = 0.3
        "#,
    );
    let outcomes = run(&s);
    let (taken, se) = mean_se(outcomes.iter().map(|o| o.spot_reclaims as f64));
    assert_close("instances reclaimed per trial (injected)", taken, se, 3.0, 4.0, 0.0);
}

/// After a reclaim the pool has no capacity for `unavailable_for`: the replacements go to the
/// other zone; when the pool has capacity again, AZRebalance launches into it first and scales in
/// from the fuller zone once the new instance is ready. The group's max is its size (4), and AWS
/// lets rebalancing exceed the max by 10 % or one instance: so one move at a time.
#[test]
fn reclaimed_capacity_goes_elsewhere_then_comes_back() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2d"
        trials = 1
        [[zones]]
        name = "a"
        [[zones]]
        name = "b"
        [fleet]
        zones = ["a", "b"]
        desired = 4
        [fleet.instance]
        launch_time = "3m"
        [fleet.spot]
        price_per_hour = 0.03
        notice = "2m"
        reclaim = { time_between = "1000d" }
        unavailable_for = "30m"
        [[inject]]
        at = "1d"
        fault = "spot_reclaim"
        zone = "a"
        "#,
    );
    let (trace, desired) = traced(&s, 0);
    let in_zone = |event: &str| -> Vec<(f64, String)> {
        trace
            .iter()
            .filter(|r| r.event == event)
            .map(|r| (r.time_s, r.zone.clone()))
            .collect()
    };
    let (a, b) = (|t: f64| (t, "a".to_string()), |t: f64| (t, "b".to_string()));
    // Zone a's two instances are gone at 1 d + 2 min; a has no spot capacity until 1 d + 30 min,
    // so both replacements go to b. At 1 d + 30 min AZRebalance launches one into a; it is ready
    // at 1 d + 33 min, when b gives one up and the next move starts; that one is ready at 36 min.
    assert_eq!(
        in_zone("instance_launch"),
        [
            b(DAY + 2.0 * MINUTE),
            b(DAY + 2.0 * MINUTE),
            a(DAY + 30.0 * MINUTE),
            a(DAY + 33.0 * MINUTE)
        ]
    );
    assert_eq!(
        in_zone("instance_draining"),
        [b(DAY + 33.0 * MINUTE), b(DAY + 36.0 * MINUTE)]
    );
    assert_eq!(desired, 4, "rebalancing does not change the desired capacity");
}

// ---- the mixed instances policy

/// AWS's documented example of the mixed instances policy: an on-demand base of 10 and 50 %
/// on-demand above it. A group of 10 is all on-demand; 20 is 10 + 50 % of 10 = 15 on-demand and
/// 5 spot; 30 is 10 + 10 = 20 and 10; 40 is 10 + 15 = 25 and 15. Fractions of an instance round
/// toward on-demand: base 1 and 25 % of 4 is 1 + ⌈0.75⌉ = 2; 30 % of 5 is ⌈1.5⌉ = 2; 33 % of 10 is
/// ⌈3.3⌉ = 4. And the edges: 0 % (all spot above the base), 100 % (no spot), a base larger than
/// the group (all on-demand).
#[test]
fn mixed_instances_split_matches_aws_examples() {
    for (base, percentage, capacity, on_demand) in [
        (10, 50, 10, 10),
        (10, 50, 20, 15),
        (10, 50, 30, 20),
        (10, 50, 40, 25),
        (1, 25, 4, 2),
        (0, 30, 5, 2),
        (0, 33, 10, 4),
        (2, 0, 8, 2),
        (0, 100, 8, 8),
        (12, 50, 8, 8),
    ] {
        assert_eq!(
            on_demand_target(base, percentage, capacity),
            on_demand,
            "base {base}, {percentage} %, {capacity} instances"
        );
    }
}

/// The group keeps the split as it grows. Base 2 and 50 %: 7 instances are 2 + ⌈2.5⌉ = 5
/// on-demand and 2 spot; at 01:00 a scheduled action makes it 12, which is 2 + 5 = 7 on-demand
/// and 5 spot, so of the 5 launched, 2 are on-demand and 3 spot. Over 2 h, billing each from its
/// launch request: on-demand 5·2 + 2·1 = 12 h, spot 2·2 + 3·1 = 7 h.
#[test]
fn scale_outs_keep_the_mixed_split() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "2h"
        trials = 1
        [[zones]]
        name = "a"
        [[zones]]
        name = "b"
        [fleet]
        zones = ["a", "b"]
        desired = 7
        max = 12
        [fleet.spot]
        on_demand_base = 2
        on_demand_percentage_above_base = 50
        price_per_hour = 0.03
        reclaim = { time_between = "1000d" }
        [[fleet.scaling]]
        kind = "scheduled"
        at = "01:00"
        desired = 12
        "#,
    );
    let (trace, desired) = traced(&s, 0);
    let markets: Vec<&str> = events(&trace, "instance_launch").iter().map(|e| e.1).collect();
    assert_eq!(markets, ["on-demand", "on-demand", "spot", "spot", "spot"]);
    assert_eq!(desired, 12);
    let o = &run(&s)[0];
    assert_eq!((o.on_demand_hours, o.spot_hours), (12.0, 7.0));
}

// ---- target tracking

/// A constant load, a step, and the instance arithmetic of the tests below: an instance serves
/// `concurrency / service time` = 10 / 100 ms = 100 req/s, so at a 50 % cpu target it carries
/// 50 req/s, and a load L needs ⌈L / 50⌉ instances.
fn tracking(load: f64, desired: u32, min: u32, max: u32, extra: &str) -> Scenario {
    scenario(&format!(
        r#"
        [simulation]
        horizon = "2d"
        trials = 4
        seed = 8
        [[zones]]
        name = "a"
        [[zones]]
        name = "b"
        [load_balancer]
        health_check = {{ interval = "30s", timeout = "5s", healthy_threshold = 3, unhealthy_threshold = 2 }}
        [fleet]
        zones = ["a", "b"]
        desired = {desired}
        min = {min}
        max = {max}
        [fleet.instance]
        concurrency = 10
        launch_time = "180s"
        [traffic]
        rate = {load}
        service_time = "100ms"
        timeout = "2s"
        model = "fluid"
        {extra}
        "#
    ))
}

const CPU_50: &str = r#"
        [[fleet.scaling]]
        kind = "target_tracking"
        metric = "cpu"
        target = 50.0
        "#;

/// 420 req/s needs ⌈420 / 50⌉ = 9 instances. From 2: each gets 210 req/s, cpu capped at 100 %,
/// so the first scale-out asks ⌈2·100/50⌉ = 4; once those are warm, 4 at 105 req/s are still at
/// 100 %: ⌈4·100/50⌉ = 8; once warm, 8 at 52.5 %: ⌈8·52.5/50⌉ = ⌈8.4⌉ = 9; then 9 at 46.7 % is
/// between 45 % and 50 %: no alarm, and it stays there for the rest of the two days.
#[test]
fn target_tracking_converges_to_the_needed_instances_and_stays() {
    let s = tracking(420.0, 2, 1, 20, CPU_50);
    for trial in 0..s.simulation.trials {
        let (trace, desired) = traced(&s, trial);
        let outs: Vec<&str> = events(&trace, "scale_out").iter().map(|e| e.1).collect();
        assert_eq!(
            outs,
            [
                "target tracking: desired 2 -> 4",
                "target tracking: desired 4 -> 8",
                "target tracking: desired 8 -> 9"
            ]
        );
        assert!(events(&trace, "scale_in").is_empty(), "no scale-in at 46.7 %");
        assert_eq!(desired, 9);
        let last = events(&trace, "scale_out")[2].0;
        assert!(last < HOUR, "converged within the hour: {last} s");
    }
    // Requests per target: 420 req/s at a target of 65 req/s per instance needs ⌈420/65⌉ = 7;
    // from 2 at 210 req/s each the first proposal is ⌈2·210/65⌉ = 7 at once, and 7 at 60 req/s is
    // between 58.5 and 65: quiet.
    let rpt = "[[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"requests_per_target\"\ntarget = 65.0\n";
    let (_, desired) = traced(&tracking(420.0, 2, 1, 20, rpt), 0);
    assert_eq!(desired, 7);
}

/// 190 req/s on 4 instances is 47.5 %: quiet. A traffic spike doubles it at t₀ = 1 d + 30 s:
/// 95 %, and ⌈4·95/50⌉ = ⌈7.6⌉ = 8. The points are taken at whole minutes; the first above the
/// target is at 1 d + 1 min, the third at 1 d + 3 min: the scale-out, and the 4 new instances are
/// ready L = 180 s later. When the spike ends (t₀ + 2 h), 190 req/s on 8 is 23.75 % < 45 %: the
/// 15th point below is at 1 d + 2 h + 15 min; the scale-in removes one instance at a time (10 %
/// of 8 rounds to less than one) and waits 15 more points each time: 7, 6, 5, then 4 (at 5 the
/// load is 38 %, and ⌈5·38/50⌉ = 4), at 15, 30, 45 and 60 minutes; at 4 it is quiet again.
#[test]
fn a_step_in_load_is_followed_after_three_points_plus_launch_and_undone_after_fifteen() {
    let spike = r#"
        [[inject]]
        at = "86430s"
        fault = "traffic_spike"
        multiplier = 2.0
        duration = "2h"
        "#;
    let s = tracking(190.0, 4, 2, 20, &format!("{CPU_50}{spike}"));
    for trial in 0..s.simulation.trials {
        let (trace, desired) = traced(&s, trial);
        let outs = events(&trace, "scale_out");
        assert_eq!(outs, [(DAY + 3.0 * MINUTE, "target tracking: desired 4 -> 8")]);
        let ready: Vec<f64> = events(&trace, "instance_ready").iter().map(|e| e.0).collect();
        assert_eq!(ready, [DAY + 3.0 * MINUTE + 180.0; 4], "ready one launch time later");
        let ins = events(&trace, "scale_in");
        let end = DAY + 30.0 + 2.0 * HOUR;
        let first_point_after = (end / MINUTE).ceil() * MINUTE;
        let expected: Vec<(f64, String)> = (0..4)
            .map(|k| {
                (
                    first_point_after + (14.0 + 15.0 * k as f64) * MINUTE,
                    format!("target tracking: desired {} -> {}", 8 - k, 7 - k),
                )
            })
            .collect();
        let ins: Vec<(f64, String)> = ins.iter().map(|(t, d)| (*t, d.to_string())).collect();
        assert_eq!(ins, expected);
        assert_eq!(desired, 4);
    }
}

/// Warm-up: 990 req/s needs ⌈990/50⌉ = 20. From 4 (100 %): ⌈4·100/50⌉ = 8 at the third point,
/// 3 min. The 4 new instances are ready at 6 min; for the 20-minute warm-up the metric is the
/// 4 old ones' (still at 100 %: 990/8 = 124 req/s each), so the proposal stays ⌈4·100/50⌉ = 8:
/// the scale-out in progress is not repeated although the alarm stays in ALARM. Their warm-up ends
/// at 26 min; the point at 26:00 still sees it warming (a point sees the state before any event
/// at its instant), so the next scale-out, to ⌈8·100/50⌉ = 16, is at 27 min. Those are ready at
/// 30 min and warm at 50 min: at 51 min 16 at 61.9 % ask ⌈16·61.875/50⌉ = ⌈19.8⌉ = 20, at 49.5 %.
/// With max = 12 the same load stops at 12 (asks for 16, gets the maximum).
#[test]
fn warmup_holds_the_next_scale_out_and_max_caps_it() {
    let warm20 =
        "[[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"cpu\"\ntarget = 50.0\ninstance_warmup = \"20m\"\n";
    let s = tracking(990.0, 4, 2, 30, warm20);
    let (trace, desired) = traced(&s, 0);
    assert_eq!(
        events(&trace, "scale_out"),
        [
            (3.0 * MINUTE, "target tracking: desired 4 -> 8"),
            (27.0 * MINUTE, "target tracking: desired 8 -> 16"),
            (51.0 * MINUTE, "target tracking: desired 16 -> 20"),
        ]
    );
    assert_eq!(desired, 20);
    let s = tracking(990.0, 4, 2, 12, warm20);
    let (trace, desired) = traced(&s, 0);
    assert_eq!(
        events(&trace, "scale_out"),
        [
            (3.0 * MINUTE, "target tracking: desired 4 -> 8"),
            (27.0 * MINUTE, "target tracking: desired 8 -> 12"),
        ]
    );
    assert_eq!(desired, 12);
}

/// The alarm can be in ALARM with nothing to do: 990 req/s on 4 instances at max = 4 (100 %
/// cpu). At 01:00 a scheduled action raises max to 12. The point at 01:00 was taken before the
/// action (a point sees the state before any event at its instant), so the policy acts at the
/// next point, 01:01: ⌈4·100/50⌉ = 8.
#[test]
fn a_scheduled_max_releases_a_waiting_scale_out_at_the_next_point() {
    let extra = format!("{CPU_50}\n[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"01:00\"\nmax = 12\n");
    let s = tracking(990.0, 4, 2, 4, &extra);
    let (trace, _) = traced(&s, 0);
    let outs = events(&trace, "scale_out");
    assert_eq!(outs.first(), Some(&(HOUR + MINUTE, "target tracking: desired 4 -> 8")));
    assert!(
        outs.iter().all(|(t, _)| *t > HOUR),
        "nothing before max was raised: {outs:?}"
    );
}

/// 10 req/s on 6 instances is 1.7 %: far below 45 %. Scale-in steps of one instance every 15
/// points (15, 30, 45 min) down to min = 3, and no further. With disable_scale_in, never.
#[test]
fn scale_in_stops_at_min_and_can_be_disabled() {
    let s = tracking(10.0, 6, 3, 10, CPU_50);
    let (trace, desired) = traced(&s, 0);
    let times: Vec<f64> = events(&trace, "scale_in").iter().map(|e| e.0).collect();
    assert_eq!(times, [15.0 * MINUTE, 30.0 * MINUTE, 45.0 * MINUTE]);
    assert_eq!(desired, 3);
    let disabled = format!("{CPU_50}disable_scale_in = true\n");
    let o = run(&tracking(10.0, 6, 3, 10, &disabled));
    assert!(o.iter().all(|o| o.scale_ins == 0 && o.scale_outs == 0));
}

// ---- scheduled actions

/// Actions at 08:00 (desired 6), 12:00 (min 7: desired follows to 7) and 20:00 (min 1, desired
/// 2), every day of a 3-day horizon: the clock starts at 00:00 on day 0.
#[test]
fn scheduled_actions_fire_at_their_time_every_day() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "3d"
        trials = 1
        [[zones]]
        name = "a"
        [fleet]
        zones = ["a"]
        desired = 2
        min = 1
        max = 10
        [[fleet.scaling]]
        kind = "scheduled"
        at = "08:00"
        desired = 6
        [[fleet.scaling]]
        kind = "scheduled"
        at = "12:00"
        min = 7
        [[fleet.scaling]]
        kind = "scheduled"
        at = "20:00"
        min = 1
        desired = 2
        "#,
    );
    let (trace, desired) = traced(&s, 0);
    let mut expected_outs = Vec::new();
    let mut expected_ins = Vec::new();
    for day in 0..3 {
        let d = day as f64 * DAY;
        expected_outs.push((d + 8.0 * HOUR, "scheduled action: desired 2 -> 6"));
        expected_outs.push((d + 12.0 * HOUR, "scheduled action: desired 6 -> 7"));
        expected_ins.push((d + 20.0 * HOUR, "scheduled action: desired 7 -> 2"));
    }
    assert_eq!(events(&trace, "scale_out"), expected_outs);
    assert_eq!(events(&trace, "scale_in"), expected_ins);
    assert_eq!(desired, 2);
    let o = &run(&s)[0];
    assert_eq!((o.scale_outs, o.scale_ins), (6, 3));

    // Suspended: nothing happens, and the 2 instances run the 72 hours.
    let suspended = scenario(
        r#"
        [simulation]
        horizon = "3d"
        trials = 1
        [[zones]]
        name = "a"
        [fleet]
        zones = ["a"]
        desired = 2
        max = 10
        suspended_processes = ["ScheduledActions"]
        [[fleet.scaling]]
        kind = "scheduled"
        at = "08:00"
        desired = 6
        "#,
    );
    let o = &run(&suspended)[0];
    assert_eq!((o.scale_outs, o.scale_ins, o.on_demand_hours), (0, 0, 2.0 * 72.0));
}

// ---- cost

/// 4 instances for 10 days, base 1 and 50 % on-demand: 1 + ⌈1.5⌉ = 3 on-demand and 1 spot, all
/// billed the whole 240 h; prices chosen to be exact in binary, so every product and sum is:
/// on-demand 3·240·0.125 = 90, spot 240·0.03125 = 7.5, load balancer 240·0.5 = 120; total 217.5.
#[test]
fn cost_of_a_fixed_group_is_hours_times_prices_exactly() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "10d"
        trials = 3
        [[zones]]
        name = "a"
        [load_balancer]
        price_per_hour = 0.5
        [fleet]
        zones = ["a"]
        desired = 4
        [fleet.instance]
        price_per_hour = 0.125
        [fleet.spot]
        on_demand_base = 1
        on_demand_percentage_above_base = 50
        price_per_hour = 0.03125
        reclaim = { time_between = "1000d" }
        "#,
    );
    for o in run(&s) {
        assert_eq!((o.on_demand_hours, o.spot_hours), (720.0, 240.0));
        assert_eq!(
            (o.on_demand_cost_usd, o.spot_cost_usd, o.load_balancer_cost_usd),
            (90.0, 7.5, 120.0)
        );
        assert_eq!(o.cost_usd, 217.5);
    }
}

/// The same group scaled by the clock: desired 4 at 00:00, 2 at 12:00, for 10 days. At desired 2
/// the split is 1 + ⌈0.5⌉ = 2 on-demand and 0 spot, so each noon one on-demand and the spot
/// instance are scaled in; they drain for the 300 s deregistration delay and are billed until
/// 12:05. Each midnight (days 1–9) one on-demand and one spot are launched again (billed from the
/// launch request); the action at the horizon itself (day 10, 00:00) launches two that bill
/// nothing. So per day 12 h 5 min of one extra on-demand and of the spot instance:
///   on-demand = 2·240 + 10·(12 + 5/60) h,   spot = 10·(12 + 5/60) h,
/// with 10 scale-ins (days 0–9) and 10 scale-outs (days 1–10; day 0 starts at 4 already).
#[test]
fn cost_follows_scheduled_capacity_and_draining() {
    let s = scenario(
        r#"
        [simulation]
        horizon = "10d"
        trials = 2
        [[zones]]
        name = "a"
        [load_balancer]
        price_per_hour = 0.5
        deregistration_delay = "300s"
        [fleet]
        zones = ["a"]
        desired = 4
        min = 1
        max = 4
        [fleet.instance]
        price_per_hour = 0.125
        launch_time = "3m"
        [fleet.spot]
        on_demand_base = 1
        on_demand_percentage_above_base = 50
        price_per_hour = 0.03125
        reclaim = { time_between = "1000d" }
        [[fleet.scaling]]
        kind = "scheduled"
        at = "00:00"
        desired = 4
        [[fleet.scaling]]
        kind = "scheduled"
        at = "12:00"
        desired = 2
        "#,
    );
    let extra = 10.0 * (12.0 + 5.0 / 60.0);
    let (on_demand, spot) = (2.0 * 240.0 + extra, extra);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b;
    for o in run(&s) {
        assert!(
            close(o.on_demand_hours, on_demand),
            "{} vs {on_demand}",
            o.on_demand_hours
        );
        assert!(close(o.spot_hours, spot), "{} vs {spot}", o.spot_hours);
        let cost = on_demand * 0.125 + spot * 0.03125 + 240.0 * 0.5;
        assert!(close(o.cost_usd, cost), "{} vs {cost}", o.cost_usd);
        assert_eq!(
            o.cost_usd,
            o.on_demand_cost_usd + o.spot_cost_usd + o.load_balancer_cost_usd
        );
        assert_eq!((o.scale_outs, o.scale_ins), (10, 10));
    }
}

// ---- determinism through the binary

/// Spot reclaims (per-pool streams) and target tracking (no randomness of its own, but driven by
/// every other stream) give the same files whatever the thread count and however the trials are
/// sharded.
#[test]
fn spot_and_scaling_are_deterministic_across_threads_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    for example in ["spot-heavy", "autoscaling-diurnal"] {
        let s = format!("{}/scenarios/{example}.toml", env!("CARGO_MANIFEST_DIR"));
        let dir = |name: &str| tmp.path().join(format!("{example}-{name}"));
        let run = |name: &str, extra: &[&str]| {
            let out = dir(name);
            let mut args = vec!["run", &s, "--trials", "60", "--quiet", "--out", out.to_str().unwrap()];
            args.extend(extra);
            nines(&args);
        };
        run("t1", &["--threads", "1"]);
        run("t2", &["--threads", "2"]);
        run("shard1", &["--shard", "1/2"]);
        run("shard2", &["--shard", "2/2"]);
        let merged = dir("merged");
        let (s2, s1) = (dir("shard2"), dir("shard1"));
        nines(&[
            "merge",
            s2.to_str().unwrap(),
            s1.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
            "--quiet",
        ]);
        for file in ["summary.json", "trials.csv", "distributions.json"] {
            let one = read(&dir("t1"), file);
            assert_eq!(one, read(&dir("t2"), file), "{example}: {file}, threads");
            assert_eq!(one, read(&merged, file), "{example}: {file}, shards");
        }
        let rows = read(&dir("t1"), "trials.csv");
        let header = rows.lines().next().unwrap_or_default();
        for column in [
            "on_demand_cost_usd",
            "spot_cost_usd",
            "load_balancer_cost_usd",
            "spot_hours",
        ] {
            assert!(header.contains(column), "trials.csv lacks {column}");
        }
        // summary.json carries cost_usd and its parts, which add up (means of sums are sums of
        // means, up to rounding).
        let summary: Summary = serde_json::from_str(&read(&dir("t1"), "summary.json")).expect("summary.json decodes");
        let m = &summary.metrics;
        let parts = m.on_demand_cost_usd.mean + m.spot_cost_usd.mean + m.load_balancer_cost_usd.mean;
        assert!(
            (m.cost_usd.mean - parts).abs() <= 1e-9 * m.cost_usd.mean,
            "{example}: cost parts"
        );
        let hours = m.on_demand_hours.mean + m.spot_hours.mean;
        assert!(
            (m.instance_hours.mean - hours).abs() <= 1e-9 * hours,
            "{example}: hours"
        );
        assert!(m.load_balancer_cost_usd.mean > 0.0 && m.on_demand_cost_usd.mean > 0.0);
        if example == "spot-heavy" {
            assert!(
                m.spot_cost_usd.mean > 0.0 && m.spot_reclaims.mean > 0.0,
                "{example}: spot"
            );
        } else {
            assert!(
                m.scale_outs.mean > 300.0 && m.scale_ins.mean > 300.0,
                "{example}: daily scaling"
            );
            assert_eq!(m.spot_hours.max, 0.0);
        }
    }
}
