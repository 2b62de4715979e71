//! `simulation.method` and `failure_bias`, and what failure biasing refuses (each refusal names
//! the key that stands in its way).

use super::*;
use crate::scenario::Method;

/// A crash mode and the method: lines 8–12 of `BASE + BIASED`; more text starts at line 13.
const BIASED: &str = "\
[[fleet.failure_modes]]
kind = \"crash\"
time_between = { dist = \"exponential\", mean = \"30d\" }
[simulation]
method = \"failure_biasing\"
";

fn ok(text: &str) -> Scenario {
    parse_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn monte_carlo_is_the_default_and_failure_biasing_is_chosen_by_name() {
    assert_eq!(ok(BASE).simulation.method, Method::MonteCarlo);
    let s = ok(&format!("{BASE}{BIASED}"));
    assert_eq!(s.simulation.method, Method::FailureBiasing { bias: None });
    let s = ok(&format!("{BASE}{BIASED}failure_bias = 40.0\n"));
    assert_eq!(s.simulation.method, Method::FailureBiasing { bias: Some(40.0) });
    let s = ok(&format!("{BASE}[simulation]\nmethod = \"monte_carlo\"\n"));
    assert_eq!(s.simulation.method, Method::MonteCarlo);
}

#[test]
fn failure_bias_needs_the_method_and_at_least_one() {
    check(
        "[simulation]\nfailure_bias = 10.0",
        "simulation.failure_bias",
        line(2),
        "applies only with method = \"failure_biasing\"",
    );
    expect(
        &refused(&format!("{BIASED}failure_bias = 0.5")),
        "simulation.failure_bias",
        line(6),
        "must be at least 1",
    );
    check(
        "[simulation]\nmethod = \"rare\"",
        "simulation.method",
        line(2),
        "allowed: `monte_carlo` or `failure_biasing`",
    );
}

#[test]
fn failure_biasing_needs_memoryless_failure_clocks() {
    let weibull = BIASED.replace(
        "{ dist = \"exponential\", mean = \"30d\" }",
        "{ dist = \"weibull\", shape = 1.2, scale = \"30d\" }",
    );
    expect(
        &refused(&weibull),
        "fleet.failure_modes[0].time_between",
        line(3),
        "must be exponential with method = \"failure_biasing\"",
    );
    let zone = BASE.replace(
        "name = \"b\"\n",
        "name = \"b\"\noutage = { time_between = \"30d\", duration = \"1h\" }\n",
    );
    expect(
        &refused_text(&format!("{zone}{BIASED}")),
        "zones[1].outage.time_between",
        Some(5),
        "got constant",
    );
}

#[test]
fn failure_biasing_needs_a_group_that_repairs_everything() {
    expect(
        &refused(&BIASED.replace("crash", "hang")),
        "fleet.failure_modes[0].kind",
        line(2),
        "a hung instance is never replaced with fleet.health_check_type = \"ec2\"",
    );
    expect(
        &refused(&format!(
            "suspended_processes = [\"AZRebalance\", \"ReplaceUnhealthy\"]\n{BIASED}"
        )),
        "fleet.suspended_processes",
        line(1),
        "with ReplaceUnhealthy suspended",
    );
    check(
        "[simulation]\nmethod = \"failure_biasing\"",
        "simulation.method",
        line(2),
        "nothing to bias",
    );
}
