//! One test per class of bad section content (the group, the load balancer, injections, scaling,
//! unsupported features, files): each asserts the key the error names and, where it is written,
//! its line.

use super::*;

// ---- the group

#[test]
fn min_desired_max_must_be_ordered() {
    let e = refused("min = 5");
    expect(
        &e,
        "fleet.min",
        line(1),
        "min (5) is greater than desired (4); need min <= desired <= max",
    );
    assert_eq!(
        e.to_string(),
        "t.toml:8: fleet.min: min (5) is greater than desired (4); need min <= desired <= max"
    );
    check("max = 3", "fleet.max", line(1), "desired (4) is greater than max (3)");
    check("min = 1\nmax = 2", "fleet.max", line(2), "need min <= desired <= max");
}

#[test]
fn zones_must_be_declared_unique_and_present() {
    let text = BASE.replace("[\"a\", \"b\"]", "[\"a\", \"c\"]");
    expect(
        &refused_text(&text),
        "fleet.zones[1]",
        Some(6),
        "zone \"c\" is not declared in [[zones]]; declared zones: \"a\", \"b\"",
    );
    let text = BASE.replace("[\"a\", \"b\"]", "[\"a\", \"a\"]");
    expect(&refused_text(&text), "fleet.zones[1]", Some(6), "listed twice");
    let text = BASE.replace("[\"a\", \"b\"]", "[]");
    expect(&refused_text(&text), "fleet.zones", Some(6), "at least one zone");
    let text = BASE.replace("name = \"b\"", "name = \"a\"");
    expect(
        &refused_text(&text),
        "zones[1].name",
        Some(4),
        "zone \"a\" is declared twice (also zones[0])",
    );
    check(
        "[[inject]]\nat = \"1d\"\nfault = \"zone_outage\"\nzone = \"z\"\nduration = \"1h\"",
        "inject[0].zone",
        line(4),
        "not declared",
    );
    check(
        "[[zones]]\nouttage = {}",
        "zones[2].outtage",
        line(2),
        "unknown key `outtage`; allowed: `name` or `outage`",
    );
    check(
        "[[zones]]\noutage = {}",
        "zones[2].name",
        line(1),
        "every zone needs a name",
    );
}

#[test]
fn zones_and_fleet_are_required() {
    let e = refused_text("[fleet]\ndesired = 2\n");
    expect(&e, "zones", None, "there are no [[zones]]");
    let e = refused_text("zones = []\n[fleet]\ndesired = 2\n");
    expect(&e, "zones", Some(1), "there are no [[zones]]");
    let e = refused_text("[[zones]]\nname = \"a\"\n");
    expect(&e, "fleet", None, "[fleet] is missing");
    let e = refused_text("[[zones]]\nname = \"a\"\n[fleet]\nmin = 1\n");
    expect(&e, "fleet.desired", Some(3), "fleet.desired is missing");
}

#[test]
fn integers_are_range_checked_never_wrapped() {
    check("min = -1", "fleet.min", line(1), "must be between 0 and 10000");
    let e = refused("[simulation]\ntrials = 99999999999999999999999");
    let fragment = "invalid TOML (line 9, column 10): 99999999999999999999999 does not fit in a TOML integer";
    expect(&e, "simulation.trials", line(2), fragment);
    check(
        "max = 5000000000",
        "fleet.max",
        line(1),
        "must be between 0 and 10000 (nines simulates groups of up to 10,000 instances); got 5000000000",
    );
    check("[simulation]\ntrials = 0", "simulation.trials", line(2), "at least 1");
    check("[simulation]\ntrials = -5", "simulation.trials", line(2), "at least 1");
    check(
        "[simulation]\nseed = -1",
        "simulation.seed",
        line(2),
        "cannot be negative",
    );
    check(
        "[fleet.instance]\nconcurrency = 0",
        "fleet.instance.concurrency",
        line(2),
        "must be between 1 and 100000",
    );
    check(
        "[fleet.instance]\nqueue_limit = -1",
        "fleet.instance.queue_limit",
        line(2),
        "cannot be negative",
    );
    check(
        "[traffic]\nrate = 1.0\nservice_time = \"1ms\"\ntimeout = \"1s\"\nretries = 11",
        "traffic.retries",
        line(5),
        "between 0 and 10",
    );
    check(
        "[[inject]]\nat = \"1d\"\nfault = \"instance_crash\"\ncount = 0",
        "inject[0].count",
        line(4),
        "at least 1",
    );
    let e = refused("[fleet.spot]\nprice_per_hour = 0.03\non_demand_percentage_above_base = 101\nreclaim = { time_between = \"1d\" }");
    expect(
        &e,
        "fleet.spot.on_demand_percentage_above_base",
        line(3),
        "between 0 and 100",
    );
}

#[test]
fn wrong_types_say_what_is_expected() {
    let text = BASE.replace("desired = 4", "desired = \"4\"");
    expect(
        &refused_text(&text),
        "fleet.desired",
        Some(7),
        "expected a whole number",
    );
    let text = BASE.replace("desired = 4", "desired = 4.5");
    expect(
        &refused_text(&text),
        "fleet.desired",
        Some(7),
        "expected a whole number",
    );
    check(
        "[traffic]\nrate = \"fast\"",
        "traffic.rate",
        line(2),
        "expected a number",
    );
    let e = refused_text("fleet = 3\n[[zones]]\nname = \"a\"\n");
    expect(&e, "fleet", Some(1), "expected a table");
    check(
        "[simulation]\nhorizon = 1979-05-27",
        "simulation.horizon",
        line(2),
        "found a date/time (write times and durations in quotes",
    );
    check(
        "[[zones]]\nname = {}",
        "zones[2].name",
        line(2),
        "found a table, expected a string",
    );
    check(
        "[[zones]]\nname = [\"a\"]",
        "zones[2].name",
        line(2),
        "found an array, expected a string",
    );
}

// ---- the load balancer

#[test]
fn health_check_thresholds_are_aws_s_range() {
    check(
        "[load_balancer]\nhealth_check = { healthy_threshold = 11 }",
        "load_balancer.health_check.healthy_threshold",
        line(2),
        "between 2 and 10 (AWS's range)",
    );
    check(
        "[load_balancer.health_check]\nunhealthy_threshold = 1",
        "load_balancer.health_check.unhealthy_threshold",
        line(2),
        "between 2 and 10",
    );
}

#[test]
fn health_check_timing_is_checked() {
    let hc = |body: &str| format!("[load_balancer.health_check]\n{body}");
    check(
        &hc("interval = \"10s\"\ntimeout = \"10s\""),
        "load_balancer.health_check.timeout",
        line(3),
        "must be less than interval",
    );
    check(
        &hc("interval = \"4s\""),
        "load_balancer.health_check.interval",
        line(2),
        "from 5s to 300s (AWS's range)",
    );
    check(
        &hc("interval = \"301s\""),
        "load_balancer.health_check.interval",
        line(2),
        "AWS's range",
    );
    check(
        &hc("timeout = \"1s\""),
        "load_balancer.health_check.timeout",
        line(2),
        "from 2s to 120s",
    );
    check(
        &hc("interval = \"0s\""),
        "load_balancer.health_check.interval",
        line(2),
        "longer than zero",
    );
    // NLB's default timeout (10 s) meets a short interval the user gave: the message says so.
    let e = refused("[load_balancer]\ntype = \"nlb\"\nhealth_check = { interval = \"10s\" }");
    expect(
        &e,
        "load_balancer.health_check.interval",
        line(3),
        "timeout (10s, the nlb default) must be less than interval (10s)",
    );
}

#[test]
fn load_balancer_values_are_checked() {
    check(
        "[load_balancer]\nprice_per_hour = -0.1",
        "load_balancer.price_per_hour",
        line(2),
        "cannot be negative",
    );
    check(
        "[load_balancer]\nderegistration_delay = \"2h\"",
        "load_balancer.deregistration_delay",
        line(2),
        "at most 3600s",
    );
}

// ---- injections

#[test]
fn injections_need_their_keys_and_only_theirs() {
    let inject = |body: &str| format!("[[inject]]\nat = \"1d\"\n{body}");
    check(
        &inject("fault = \"zone_outage\"\nzone = \"a\"\nduration = \"1h\"\ncount = 2"),
        "inject[0].count",
        line(6),
        "`count` does not belong with fault = \"zone_outage\"; it takes `at`, `fault`, `zone`, `duration`, `kind`",
    );
    check(
        &inject("fault = \"zone_outage\"\nduration = \"1h\""),
        "inject[0].zone",
        line(1),
        "needs the zone",
    );
    check(
        &inject("fault = \"zone_outage\"\nzone = \"a\""),
        "inject[0].duration",
        line(1),
        "needs a duration",
    );
    check(
        &inject("fault = \"region_outage\"\nzone = \"a\"\nduration = \"1h\""),
        "inject[0].zone",
        line(4),
        "does not belong",
    );
    check(
        &inject("fault = \"region_outage\""),
        "inject[0].duration",
        line(1),
        "needs a duration",
    );
    check(
        &inject("fault = \"instance_hang\"\nkind = \"power\""),
        "inject[0].kind",
        line(4),
        "does not belong",
    );
    check(
        &inject("fault = \"instance_crash\"\nduration = \"1h\""),
        "inject[0].duration",
        line(4),
        "does not belong",
    );
    check(&inject("zone = \"a\""), "inject[0].fault", line(1), "fault is missing");
    check(
        "[[inject]]\nfault = \"region_outage\"\nduration = \"1h\"",
        "inject[0].at",
        line(1),
        "at is missing",
    );
    check(
        &inject("fault = \"traffic_spike\"\nmultiplier = 2.0\nduration = \"1h\""),
        "inject[0].fault",
        line(3),
        "needs traffic",
    );
    let traffic = "[traffic]\nrate = 1.0\nservice_time = \"1ms\"\ntimeout = \"1s\"\n";
    check(
        &format!("{traffic}{}", inject("fault = \"traffic_spike\"\nduration = \"1h\"")),
        "inject[0].multiplier",
        line(5),
        "multiplier is missing",
    );
    check(
        &format!(
            "{traffic}{}",
            inject("fault = \"traffic_spike\"\nmultiplier = 0.0\nduration = \"1h\"")
        ),
        "inject[0].multiplier",
        line(8),
        "more than zero",
    );
}

#[test]
fn injections_must_happen_within_the_horizon() {
    check(
        "[simulation]\nhorizon = \"30d\"\n[[inject]]\nat = \"30d\"\nfault = \"region_outage\"\nduration = \"1h\"",
        "inject[0].at",
        line(4),
        "at (30d) is not before the end of the simulation (horizon 30d)",
    );
}

// ---- scaling

#[test]
fn scaling_policies_are_checked() {
    let e = refused("[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"08:00\"");
    expect(&e, "fleet.scaling[0]", line(1), "at least one of desired, min and max");
    let e = refused("[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"08:00\"\ndesired = 3\nmax = 2");
    expect(
        &e,
        "fleet.scaling[0].desired",
        line(4),
        "desired (3) is greater than max (2)",
    );
    let e = refused("[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"25:00\"\ndesired = 3");
    expect(&e, "fleet.scaling[0].at", line(3), "not a time of day");
    let e = refused("[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"08:00\"\ndesired = 3\ntarget = 50.0");
    expect(
        &e,
        "fleet.scaling[0].target",
        line(5),
        "does not belong with kind = \"scheduled\"",
    );
    let e = refused("[[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"cpu\"\ntarget = 150.0");
    expect(&e, "fleet.scaling[0].target", line(4), "at most 100");
    let e = refused("[[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"cpu\"\ntarget = 50.0\nat = \"08:00\"");
    expect(
        &e,
        "fleet.scaling[0].at",
        line(5),
        "does not belong with kind = \"target_tracking\"",
    );
    let e = refused("[[fleet.scaling]]\nkind = \"target_tracking\"\ntarget = 50.0");
    expect(&e, "fleet.scaling[0].metric", line(1), "metric is missing");
    let e = refused("[fleet.spot]\nprice_per_hour = 0.03");
    expect(&e, "fleet.spot.reclaim", line(1), "fleet.spot.reclaim is missing");
}

#[test]
fn region_outages_are_isolation_only() {
    check(
        "[region.outage]\ntime_between = \"5y\"\nduration = \"3h\"\nkind = \"power\"",
        "region.outage.kind",
        line(4),
        "always an isolation outage",
    );
    check(
        "[region]\noutage = { duration = \"3h\" }",
        "region.outage.time_between",
        line(2),
        "time_between is missing",
    );
}

// ---- spot and scaling need what they act on

#[test]
fn target_tracking_needs_traffic() {
    let tracking = "[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"08:00\"\ndesired = 6\n\
                    [[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"requests_per_target\"\ntarget = 100.0\n";
    check(
        tracking,
        "fleet.scaling[1].metric",
        line(7),
        "target tracking on requests_per_target needs traffic to measure",
    );
    let traffic = "[traffic]\nrate = 1.0\nservice_time = \"1ms\"\ntimeout = \"1s\"\n";
    assert!(parse_str(&format!("{BASE}{tracking}{traffic}")).is_ok());
    let scheduled_only = "[[fleet.scaling]]\nkind = \"scheduled\"\nat = \"08:00\"\ndesired = 6\n";
    assert!(
        parse_str(&format!("{BASE}{scheduled_only}")).is_ok(),
        "scheduled actions need no traffic"
    );
}

#[test]
fn spot_reclaims_need_spot_instances() {
    let spot = "[fleet.spot]\nprice_per_hour = 0.03\nreclaim = { time_between = \"20d\" }\n";
    let reclaim = "[[inject]]\nat = \"1d\"\nfault = \"region_outage\"\nduration = \"1h\"\n[[inject]]\nat = \"2d\"\nfault = \"spot_reclaim\"\n";
    assert!(parse_str(&format!("{BASE}{spot}{reclaim}")).is_ok());
    let e = refused(reclaim);
    expect(&e, "inject[1].fault", line(7), "needs spot instances");
}

// ---- files

#[test]
fn load_reports_unreadable_and_empty_files() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("missing.toml");
    let e = load(&path, &[]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        e.contains("cannot read") && e.contains("missing.toml") && e.contains("No such file"),
        "{e}"
    );

    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
        p
    };
    for (name, bytes) in [
        ("bin.toml", &b"name = \"\xff\xfe\""[..]),
        ("nul.toml", &b"name = \"a\"\n\0"[..]),
    ] {
        let e = load(&write(name, bytes), &[])
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.starts_with("not a text file"), "{name}: {e}");
    }
    for (name, text) in [
        ("empty.toml", ""),
        ("blank.toml", "  \n\n"),
        ("comments.toml", "# nothing\n  # here\n"),
    ] {
        let e = load(&write(name, text.as_bytes()), &[])
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert_eq!(
            e, "the scenario is empty; it needs at least [[zones]] and [fleet]",
            "{name}"
        );
    }
    let s = load(&write("web-tier.toml", BASE.as_bytes()), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "web-tier");
    let e = load(&write("bad.toml", b"[[zones]]\nname = 1\n"), &[])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.starts_with(&format!("{}:2: zones[0].name: ", dir.path().join("bad.toml").display())),
        "{e}"
    );
}

#[test]
fn empty_name_is_refused() {
    check_name("name = \"  \"\n");
}

fn check_name(prefix: &str) {
    expect(
        &refused_text(&format!("{prefix}{BASE}")),
        "name",
        Some(1),
        "cannot be empty",
    );
}
