//! One test per class of bad value (durations, distributions, numbers, names, syntax): each
//! asserts the key the error names and, where the key is written, its line.

use super::*;

// ---- durations

#[test]
fn bare_number_durations_need_a_unit() {
    check(
        "[simulation]\nhorizon = 30",
        "simulation.horizon",
        line(2),
        "a duration needs a unit, e.g. \"30s\"",
    );
    check(
        "[simulation]\nhorizon = 1.5",
        "simulation.horizon",
        line(2),
        "a duration needs a unit",
    );
    check(
        "[[inject]]\nat = 30\nfault = \"region_outage\"",
        "inject[0].at",
        line(2),
        "a duration needs a unit",
    );
    let outage = "[[zones]]\nname = \"c\"\noutage = { time_between = 30, duration = \"1h\" }";
    check(
        outage,
        "zones[2].outage.time_between",
        line(3),
        "a duration needs a unit",
    );
    let median = "[[zones]]\nname = \"c\"\n[zones.outage]\ntime_between = \"1d\"\nduration = { dist = \"lognormal\", median = 60, sigma = 1.0 }";
    check(
        median,
        "zones[2].outage.duration.median",
        line(5),
        "a duration needs a unit",
    );
}

#[test]
fn unknown_units_list_the_allowed_ones() {
    check(
        "[simulation]\nhorizon = \"1w\"",
        "simulation.horizon",
        line(2),
        "unknown unit \"w\"; use one of us, ms, s, m, h, d",
    );
}

#[test]
fn negative_and_zero_durations_are_refused_where_they_make_no_sense() {
    check(
        "[simulation]\nhorizon = \"-1d\"",
        "simulation.horizon",
        line(2),
        "negative",
    );
    check(
        "[simulation]\nhorizon = \"0s\"",
        "simulation.horizon",
        line(2),
        "longer than zero",
    );
    check(
        "[fleet.instance]\nlaunch_time = \"0s\"",
        "fleet.instance.launch_time",
        line(2),
        "longer than zero",
    );
    let zone = |o: &str| format!("[[zones]]\nname = \"c\"\noutage = {{ {o} }}");
    check(
        &zone("time_between = \"0s\", duration = \"1h\""),
        "zones[2].outage.time_between",
        line(3),
        "longer than zero",
    );
    check(
        &zone("time_between = \"1d\", duration = \"0ms\""),
        "zones[2].outage.duration",
        line(3),
        "longer than zero",
    );
    check(
        "[traffic]\nrate = 1.0\nservice_time = \"10ms\"\ntimeout = \"0s\"",
        "traffic.timeout",
        line(4),
        "longer than zero",
    );
    check(
        "[traffic]\nrate = 1.0\nservice_time = \"0s\"\ntimeout = \"1s\"",
        "traffic.service_time",
        line(3),
        "longer than zero",
    );
    check(
        "[slo]\nlatency_p99 = \"0s\"",
        "slo.latency_p99",
        line(2),
        "longer than zero",
    );
    for (fault, at) in [
        ("fault = \"zone_outage\"\nzone = \"a\"", line(5)),
        ("fault = \"region_outage\"", line(4)),
    ] {
        check(
            &format!("[[inject]]\nat = \"1d\"\n{fault}\nduration = \"0s\""),
            "inject[0].duration",
            at,
            "longer than zero",
        );
    }
    let e = refused("[fleet.spot]\nprice_per_hour = 0.03\nnotice = \"0s\"\nreclaim = { time_between = \"1d\" }");
    expect(&e, "fleet.spot.notice", line(3), "longer than zero");
}

#[test]
fn durations_that_may_be_zero() {
    let s = parse_str(&format!(
        "{BASE}health_check_grace_period = \"0s\"\n[load_balancer]\nderegistration_delay = \"0s\"\ndns_failover_delay = \"0s\"\n\
         [traffic]\nrate = 1.0\nservice_time = \"1ms\"\ntimeout = \"1s\"\nretry_backoff = \"0s\"\n\
         [[inject]]\nat = \"0s\"\nfault = \"instance_crash\""
    ));
    let s = s.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.fleet.health_check_grace_period, SimTime::ZERO);
    assert_eq!(s.load_balancer.deregistration_delay, SimTime::ZERO);
    assert_eq!(s.load_balancer.dns_failover_delay, SimTime::ZERO);
    assert_eq!(s.inject.first().map(|i| i.at), Some(SimTime::ZERO));
    let (s, _) = parse_unchecked(
        &format!(
            "{BASE}[fleet.spot]\nprice_per_hour = 0.03\nunavailable_for = \"0s\"\nreclaim = {{ time_between = \"1d\" }}\n\
             [[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"cpu\"\ntarget = 50\ninstance_warmup = \"0s\"\n\
             [traffic]\nrate = 1.0\nservice_time = \"1ms\"\ntimeout = \"1s\""
        ),
        "t.toml",
        "t",
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.fleet.spot.map(|sp| sp.unavailable_for), Some(SimTime::ZERO));
}

// ---- distributions

fn dist_error(d: &str) -> ScenarioError {
    refused(&format!(
        "[[zones]]\nname = \"c\"\n[zones.outage]\ntime_between = \"1d\"\nduration = {d}"
    ))
}

#[test]
fn distribution_parameters_must_be_positive() {
    let at = line(5);
    let k = "zones[2].outage.duration";
    expect(
        &dist_error("{ dist = \"exponential\", mean = \"0s\" }"),
        &format!("{k}.mean"),
        at,
        "longer than zero",
    );
    expect(
        &dist_error("{ dist = \"weibull\", shape = 0.0, scale = \"1d\" }"),
        &format!("{k}.shape"),
        at,
        "more than zero",
    );
    expect(
        &dist_error("{ dist = \"weibull\", shape = 1, scale = \"0s\" }"),
        &format!("{k}.scale"),
        at,
        "longer than zero",
    );
    expect(
        &dist_error("{ dist = \"lognormal\", median = \"0s\", sigma = 1 }"),
        &format!("{k}.median"),
        at,
        "longer than zero",
    );
    expect(
        &dist_error("{ dist = \"lognormal\", median = \"1h\", sigma = 0.0 }"),
        &format!("{k}.sigma"),
        at,
        "more than zero",
    );
    expect(
        &dist_error("{ dist = \"lognormal\", median = \"1h\", sigma = -1 }"),
        &format!("{k}.sigma"),
        at,
        "more than zero",
    );
    expect(
        &dist_error("{ dist = \"lognormal\", median = \"1h\", sigma = nan }"),
        &format!("{k}.sigma"),
        at,
        "finite",
    );
    expect(
        &dist_error("{ dist = \"weibull\", shape = inf, scale = \"1d\" }"),
        &format!("{k}.shape"),
        at,
        "finite",
    );
    expect(
        &dist_error("{ dist = \"weibull\", shape = \"2\", scale = \"1d\" }"),
        &format!("{k}.shape"),
        at,
        "expected a number",
    );
    expect(
        &dist_error("{ dist = \"constant\", value = \"0s\" }"),
        &format!("{k}.value"),
        at,
        "longer than zero",
    );
}

#[test]
fn uniform_needs_min_at_most_max_and_max_above_zero() {
    let k = "zones[2].outage.duration";
    expect(
        &dist_error("{ dist = \"uniform\", min = \"10m\", max = \"1m\" }"),
        &format!("{k}.min"),
        line(5),
        "need min <= max",
    );
    expect(
        &dist_error("{ dist = \"uniform\", min = \"0s\", max = \"0s\" }"),
        &format!("{k}.max"),
        line(5),
        "longer than zero",
    );
    expect(
        &dist_error("{ dist = \"uniform\", min = \"-1s\", max = \"1s\" }"),
        &format!("{k}.min"),
        line(5),
        "negative",
    );
}

#[test]
fn empirical_needs_values_and_one_above_zero() {
    let k = "zones[2].outage.duration.values";
    expect(
        &dist_error("{ dist = \"empirical\", values = [] }"),
        k,
        line(5),
        "at least one value",
    );
    expect(
        &dist_error("{ dist = \"empirical\", values = [\"0s\", \"0s\"] }"),
        k,
        line(5),
        "longer than zero",
    );
    expect(
        &dist_error("{ dist = \"empirical\", values = [\"1h\", \"-1h\"] }"),
        &format!("{k}[1]"),
        line(5),
        "negative",
    );
    expect(
        &dist_error("{ dist = \"empirical\", values = [\"1h\", 3] }"),
        &format!("{k}[1]"),
        line(5),
        "needs a unit",
    );
    expect(
        &dist_error("{ dist = \"empirical\", values = \"1h\" }"),
        k,
        line(5),
        "an array of durations",
    );
}

#[test]
fn distribution_keys_are_checked() {
    let k = "zones[2].outage.duration";
    expect(
        &dist_error("{ dist = \"gamma\", mean = \"1h\" }"),
        &format!("{k}.dist"),
        line(5),
        "unknown distribution \"gamma\"; use one of constant, exponential",
    );
    expect(
        &dist_error("{ mean = \"1h\" }"),
        &format!("{k}.dist"),
        line(5),
        "needs `dist`",
    );
    expect(
        &dist_error("{ dist = 3 }"),
        &format!("{k}.dist"),
        line(5),
        "expected a string",
    );
    expect(
        &dist_error("{ dist = \"exponential\", mean = \"1h\", sigma = 1.0 }"),
        &format!("{k}.sigma"),
        line(5),
        "exponential takes `mean`",
    );
    expect(
        &dist_error("{ dist = \"lognormal\", median = \"1h\" }"),
        &format!("{k}.sigma"),
        line(5),
        "lognormal needs `sigma`",
    );
    expect(
        &dist_error("true"),
        k,
        line(5),
        "expected a duration like \"5m\" or a distribution",
    );
}

// ---- unknown names

#[test]
fn unknown_keys_name_the_full_key_and_line() {
    check(
        "[fleet.instnce]\ntype = \"m5.large\"",
        "fleet.instnce",
        line(1),
        "unknown key `instnce`; allowed:",
    );
    check("instnce = {}", "fleet.instnce", line(1), "`instance`");
    check(
        "[[zones]]\nname = \"c\"\n[zones.outage]\ntime_between = \"1d\"\nduraton = \"1h\"",
        "zones[2].outage.duraton",
        line(5),
        "unknown key",
    );
    check(
        "[load_balancer.health_check]\nintervall = \"5s\"",
        "load_balancer.health_check.intervall",
        line(2),
        "`interval`",
    );
    check(
        "[simulation]\n\"odd key\" = 1",
        "simulation.\"odd key\"",
        line(2),
        "unknown key",
    );
}

#[test]
fn unknown_enum_strings_list_the_allowed_values() {
    for (extra, key, allowed) in [
        (
            "[[zones]]\nname = \"c\"\noutage = { time_between = \"1d\", duration = \"1h\", kind = \"flood\" }",
            "zones[2].outage.kind",
            "`isolation` or `power`",
        ),
        (
            "[load_balancer]\ntype = \"elb\"",
            "load_balancer.type",
            "`alb`, `nlb`, `clb`",
        ),
        (
            "[load_balancer]\nalgorithm = \"fastest\"",
            "load_balancer.algorithm",
            "`least_outstanding_requests`",
        ),
        (
            "health_check_type = \"alb\"",
            "fleet.health_check_type",
            "`elb` or `ec2`",
        ),
        (
            "suspended_processes = [\"Launch\", \"Reboot\"]",
            "fleet.suspended_processes[1]",
            "`AZRebalance`",
        ),
        (
            "[[fleet.failure_modes]]\nkind = \"melt\"",
            "fleet.failure_modes[0].kind",
            "`crash` or `hang`",
        ),
        (
            "[[fleet.scaling]]\nkind = \"step\"",
            "fleet.scaling[0].kind",
            "`target_tracking` or `scheduled`",
        ),
        (
            "[[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"memory\"",
            "fleet.scaling[0].metric",
            "`cpu` or `requests_per_target`",
        ),
        (
            "[traffic]\nmodel = \"exact\"",
            "traffic.model",
            "`requests`, `fluid`, `auto`",
        ),
        (
            "[traffic]\nshape = { kind = \"weekly\" }",
            "traffic.shape.kind",
            "`constant` or `diurnal`",
        ),
        (
            "[[inject]]\nfault = \"meteor\"",
            "inject[0].fault",
            "`zone_outage`, `region_outage`",
        ),
    ] {
        let e = refused(extra);
        assert_eq!(e.key.as_deref(), Some(key), "{e}");
        assert!(
            e.message.starts_with("unknown value") && e.message.contains(allowed),
            "{e}"
        );
        assert!(e.line.is_some(), "{e}");
    }
}

#[test]
fn toml_syntax_errors_have_a_line() {
    let e = refused("[slo\navailability = 0.9");
    assert_eq!(e.line, line(1), "{e}");
    assert!(e.message.starts_with("invalid TOML (line 8, column 5): "), "{e}");
    let e = refused("desired = 5");
    assert_eq!(e.line, line(1), "{e}");
    assert_eq!(e.message, "invalid TOML (line 8, column 1): duplicate key at `desired`");
}

// ---- probabilities and rates

#[test]
fn probabilities_are_shares() {
    check(
        "[slo]\nmax_error_rate = 1.0",
        "slo.max_error_rate",
        line(2),
        "less than 1",
    );
    check(
        "[slo]\nmax_error_rate = -0.1",
        "slo.max_error_rate",
        line(2),
        "at least 0",
    );
    check(
        "[slo]\navailability = 0.0",
        "slo.availability",
        line(2),
        "more than 0 and at most 1",
    );
    check("[slo]\navailability = 1.5", "slo.availability", line(2), "at most 1");
    check("[slo]\navailability = nan", "slo.availability", line(2), "at most 1");
    check(
        "[[inject]]\nat = \"1d\"\nfault = \"spot_reclaim\"\nfraction = 0.5",
        "inject[0].fault",
        line(3),
        "needs spot instances",
    );
    let spot = "[fleet.spot]\nprice_per_hour = 0.03\nreclaim = { time_between = \"1d\", fraction = 1.5 }\n";
    expect(
        &refused(spot),
        "fleet.spot.reclaim.fraction",
        line(3),
        "between 0 and 1",
    );
    let e = refused(&format!(
        "{spot}[[inject]]\nat = \"1d\"\nfault = \"spot_reclaim\"\nfraction = -0.5"
    ));
    expect(&e, "fleet.spot.reclaim.fraction", line(3), "between 0 and 1");
    let spot_ok = spot.replace("1.5", "0.5");
    let e = refused(&format!(
        "{spot_ok}[[inject]]\nat = \"1d\"\nfault = \"spot_reclaim\"\nfraction = -0.5"
    ));
    expect(&e, "inject[0].fraction", line(7), "between 0 and 1");
}

#[test]
fn traffic_values_are_checked() {
    let t = |body: &str| format!("[traffic]\nservice_time = \"1ms\"\ntimeout = \"1s\"\n{body}");
    check(&t("rate = 0.0"), "traffic.rate", line(4), "more than zero");
    check(&t("rate = -5"), "traffic.rate", line(4), "more than zero");
    check(&t("rate = inf"), "traffic.rate", line(4), "finite");
    check(&t("rate = nan"), "traffic.rate", line(4), "finite");
    check(
        "[traffic]\nservice_time = \"1ms\"\ntimeout = \"1s\"",
        "traffic.rate",
        line(1),
        "traffic.rate is missing",
    );
    let shape = |s: &str| t(&format!("rate = 1.0\nshape = {{ {s} }}"));
    check(
        &shape("kind = \"diurnal\", peak_to_trough = 0.5, peak_at = \"14:00\""),
        "traffic.shape.peak_to_trough",
        line(5),
        "at least 1",
    );
    check(
        &shape("kind = \"diurnal\", peak_to_trough = 2.0"),
        "traffic.shape.peak_at",
        line(5),
        "peak_at is missing",
    );
    check(
        &shape("kind = \"constant\", peak_to_trough = 2.0"),
        "traffic.shape.peak_to_trough",
        line(5),
        "does not belong with kind = \"constant\"",
    );
    for bad in ["24:00", "8:00", "12:60", "noon", "12:00:00", "١٢:00"] {
        check(
            &shape(&format!(
                "kind = \"diurnal\", peak_to_trough = 2.0, peak_at = \"{bad}\""
            )),
            "traffic.shape.peak_at",
            line(5),
            "\"HH:MM\" from \"00:00\" to \"23:59\"",
        );
    }
}

#[test]
fn prices_cannot_be_negative() {
    check(
        "[fleet.instance]\nprice_per_hour = -1.0",
        "fleet.instance.price_per_hour",
        line(2),
        "cannot be negative",
    );
    let e = refused("[fleet.spot]\nprice_per_hour = -0.01\nreclaim = { time_between = \"1d\" }");
    expect(&e, "fleet.spot.price_per_hour", line(2), "cannot be negative");
}
