//! Tests of scenario reading, by theme. The fixtures and helpers they share are here.

mod accepted;
mod fuzz;
mod method;
mod refused_sections;
mod refused_values;

use super::*;

/// Two zones and a group: lines 1–7. Extra text starts at line 8, still inside `[fleet]`.
pub(super) const BASE: &str = "\
[[zones]]
name = \"a\"
[[zones]]
name = \"b\"
[fleet]
zones = [\"a\", \"b\"]
desired = 4
";

/// The line of `extra` that a key on its n-th line (1-based) lands on.
pub(super) const fn line(n: usize) -> Option<usize> {
    Some(7 + n)
}

pub(super) fn parse_str(text: &str) -> Result<Scenario, ScenarioError> {
    parse(text, "t.toml", "t", &[])
}

/// Parses `BASE + extra`, which must be refused.
pub(super) fn refused(extra: &str) -> ScenarioError {
    refused_text(&format!("{BASE}{extra}"))
}

pub(super) fn refused_text(text: &str) -> ScenarioError {
    match parse_str(text) {
        Ok(s) => panic!("should be refused:\n{text}\ngot {s:?}"),
        Err(e) => e,
    }
}

/// Asserts the key, the line and a fragment of the message.
#[track_caller]
pub(super) fn expect(e: &ScenarioError, key: &str, line: Option<usize>, fragment: &str) {
    assert_eq!(e.key.as_deref(), Some(key), "{e}");
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.contains(fragment), "{e}\nshould contain: {fragment}");
    assert_eq!(e.source, "t.toml");
}

#[track_caller]
pub(super) fn check(extra: &str, key: &str, line: Option<usize>, fragment: &str) {
    expect(&refused(extra), key, line, fragment);
}

/// The example of SCENARIO.md section 2 without `[fleet.spot]` and `[[fleet.scaling]]`, which
/// [`SPOT_AND_SCALING`] adds back.
pub(super) const EXAMPLE: &str = r#"
name = "web tier, two zones"            # shown in reports
description = "optional free text"

[simulation]
horizon = "365d"        # simulated time per trial
trials = 1000           # independent trials
seed = 42               # master seed; trial i uses its own stream derived from (seed, i)

[[zones]]               # one table per availability zone; at least one
name = "a"
[zones.outage]          # optional; none = the zone never fails
time_between = { dist = "exponential", mean = "365d" }
duration = { dist = "lognormal", median = "1h", sigma = 1.0 }
kind = "isolation"      # isolation | power (section 3)

[[zones]]
name = "b"              # inline form works too:
outage = { time_between = { dist = "exponential", mean = "365d" }, duration = "2h" }

[region]                                 # optional: outages that take every zone down at once
outage = { time_between = { dist = "exponential", mean = "5y" }, duration = "3h" }

[load_balancer]
type = "alb"                             # alb | nlb | clb (sets defaults below as AWS does)
algorithm = "round_robin"                # round_robin | least_outstanding_requests | random
cross_zone = true
deregistration_delay = "300s"
dns_failover_delay = "60s"               # how long clients keep using an LB node in a failed zone
health_check = { interval = "30s", timeout = "5s", healthy_threshold = 5, unhealthy_threshold = 2 }

[fleet]                                  # one Auto Scaling group
zones = ["a", "b"]
desired = 4
min = 2
max = 12
health_check_type = "elb"                # elb | ec2
health_check_grace_period = "300s"
suspended_processes = []                 # AWS names: Launch, Terminate, HealthCheck,
                                         # ReplaceUnhealthy, AZRebalance, AlarmNotification, ScheduledActions
[fleet.instance]
type = "m5.large"
concurrency = 8                          # requests served at once; more wait in a FIFO queue
queue_limit = 1000                       # waiting requests beyond this are refused at once
launch_time = { dist = "lognormal", median = "3m", sigma = 0.3 }   # launch request -> ready to serve
price_per_hour = 0.096

[[fleet.failure_modes]]                  # zero or more, each an independent process per instance
name = "crash"
time_between = { dist = "exponential", mean = "60d" }
kind = "crash"                           # crash: instance stops; EC2 status checks and LB checks see it
                                         # hang: instance runs but serves nothing; only LB checks see it
[[fleet.failure_modes]]
name = "app hang"
time_between = { dist = "weibull", shape = 1.2, scale = "30d" }
kind = "hang"

[traffic]                                # optional; without it only time-based availability is reported
rate = 400.0                             # mean requests per second
shape = { kind = "diurnal", peak_to_trough = 3.0, peak_at = "14:00" }   # or omitted = constant
service_time = { dist = "lognormal", median = "20ms", sigma = 0.5 }     # at an idle instance
timeout = "2s"                           # a request not answered by then has failed
model = "auto"                           # requests | fluid | auto (see section 3)

[slo]
availability = 0.9995                    # target, reported as met or not
latency_p99 = "300ms"                    # target, reported as met or not
max_error_rate = 0.05                    # the service counts as DOWN at any moment when more than
                                         # this share of requests would fail

[[inject]]                               # deterministic faults, in every trial, on top of the random ones
at = "30d"
fault = "zone_outage"                    # zone_outage | region_outage | instance_crash | instance_hang
zone = "a"                               #   | spot_reclaim | traffic_spike
duration = "4h"                          # zone_outage, region_outage, traffic_spike
"#;

/// The spot and scaling sections of the example, as SCENARIO.md writes them.
pub(super) const SPOT_AND_SCALING: &str = r#"
[fleet.spot]
on_demand_base = 1
on_demand_percentage_above_base = 25
price_per_hour = 0.035
notice = "2m"
capacity_rebalance = false
reclaim = { time_between = { dist = "exponential", mean = "20d" }, fraction = 1.0 }
unavailable_for = "30m"

[[fleet.scaling]]
kind = "target_tracking"
metric = "cpu"
target = 60.0
instance_warmup = "300s"

[[fleet.scaling]]
kind = "scheduled"
at = "08:00"
desired = 8
"#;
