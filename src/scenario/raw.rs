//! The scenario file as written: serde structs that mirror SCENARIO.md section 2 key for key.
//!
//! Every table denies unknown keys, so a misspelt key is an error rather than a silent default.
//! Nearly every field is optional here, even where the scenario needs it: the checks in
//! `validate` can then say what is missing in a sentence that names the key, instead of serde's
//! "missing field". For the same reason integers are read as `i64` (TOML's own type) and converted
//! with range checks later, durations stay strings until their key is known, and distributions are
//! kept as plain TOML values and read by hand.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub simulation: Option<RawSimulation>,
    pub zones: Option<Vec<RawZone>>,
    pub region: Option<RawRegion>,
    pub load_balancer: Option<RawLoadBalancer>,
    pub fleet: Option<RawFleet>,
    pub traffic: Option<RawTraffic>,
    pub slo: Option<RawSlo>,
    pub inject: Option<Vec<RawInject>>,
}

/// `[simulation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSimulation {
    pub horizon: Option<RawDuration>,
    pub trials: Option<i64>,
    pub seed: Option<i64>,
    pub method: Option<RawMethod>,
    pub failure_bias: Option<f64>,
}

/// `[[zones]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawZone {
    pub name: Option<String>,
    pub outage: Option<RawOutage>,
}

/// `zones.outage` and `region.outage`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutage {
    pub time_between: Option<toml::Value>,
    pub duration: Option<toml::Value>,
    pub kind: Option<RawOutageKind>,
}

/// `[region]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRegion {
    pub outage: Option<RawOutage>,
}

/// `[load_balancer]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLoadBalancer {
    #[serde(rename = "type")]
    pub lb_type: Option<RawLbType>,
    pub algorithm: Option<RawAlgorithm>,
    pub cross_zone: Option<bool>,
    pub deregistration_delay: Option<RawDuration>,
    pub dns_failover_delay: Option<RawDuration>,
    pub health_check: Option<RawHealthCheck>,
    /// An extension to SCENARIO.md: the LB's own hourly price.
    pub price_per_hour: Option<f64>,
}

/// `load_balancer.health_check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHealthCheck {
    pub interval: Option<RawDuration>,
    pub timeout: Option<RawDuration>,
    pub healthy_threshold: Option<i64>,
    pub unhealthy_threshold: Option<i64>,
}

/// `[fleet]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFleet {
    pub zones: Option<Vec<String>>,
    pub desired: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub health_check_type: Option<RawHealthCheckType>,
    pub health_check_grace_period: Option<RawDuration>,
    pub suspended_processes: Option<Vec<RawProcess>>,
    pub instance: Option<RawInstance>,
    pub failure_modes: Option<Vec<RawFailureMode>>,
    pub spot: Option<RawSpot>,
    pub scaling: Option<Vec<RawScaling>>,
}

/// `[fleet.instance]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInstance {
    #[serde(rename = "type")]
    pub instance_type: Option<String>,
    pub concurrency: Option<i64>,
    pub queue_limit: Option<i64>,
    pub launch_time: Option<toml::Value>,
    pub price_per_hour: Option<f64>,
}

/// `[[fleet.failure_modes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFailureMode {
    pub name: Option<String>,
    pub time_between: Option<toml::Value>,
    pub kind: Option<RawFailureKind>,
}

/// `[fleet.spot]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpot {
    pub on_demand_base: Option<i64>,
    pub on_demand_percentage_above_base: Option<i64>,
    pub price_per_hour: Option<f64>,
    pub notice: Option<RawDuration>,
    pub capacity_rebalance: Option<bool>,
    pub reclaim: Option<RawReclaim>,
    pub unavailable_for: Option<RawDuration>,
}

/// `fleet.spot.reclaim`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReclaim {
    pub time_between: Option<toml::Value>,
    pub fraction: Option<f64>,
}

/// `[[fleet.scaling]]`: the keys of both kinds; `validate` refuses those of the other kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScaling {
    pub kind: Option<RawScalingKind>,
    pub metric: Option<RawMetric>,
    pub target: Option<f64>,
    pub instance_warmup: Option<RawDuration>,
    pub disable_scale_in: Option<bool>,
    pub at: Option<String>,
    pub desired: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// `[traffic]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTraffic {
    pub rate: Option<f64>,
    pub shape: Option<RawShape>,
    pub service_time: Option<toml::Value>,
    pub timeout: Option<RawDuration>,
    pub model: Option<RawModel>,
    /// Extension: client retries after a failed attempt.
    pub retries: Option<i64>,
    /// Extension: wait before each retry (a distribution).
    pub retry_backoff: Option<toml::Value>,
}

/// `traffic.shape`: the keys of every kind; `validate` refuses those of the other kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShape {
    pub kind: Option<RawShapeKind>,
    pub peak_to_trough: Option<f64>,
    pub peak_at: Option<String>,
}

/// `[slo]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSlo {
    pub availability: Option<f64>,
    pub latency_p99: Option<RawDuration>,
    pub max_error_rate: Option<f64>,
}

/// `[[inject]]`: the keys of every fault; `validate` refuses those that do not belong to the fault.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInject {
    pub at: Option<RawDuration>,
    pub fault: Option<RawFault>,
    pub zone: Option<String>,
    pub duration: Option<RawDuration>,
    pub count: Option<i64>,
    pub fraction: Option<f64>,
    pub multiplier: Option<f64>,
    /// Extension: isolation | power, for `zone_outage` only.
    pub kind: Option<RawOutageKind>,
}

/// A duration as written; parsed once its key is known, so errors can name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RawDuration(pub String);

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor)
    }
}

/// Accepts strings only; a number gets the message SCENARIO.md asks for rather than a type error.
struct DurationVisitor;

impl DurationVisitor {
    fn bare_number<E: de::Error>(number: impl fmt::Display) -> E {
        E::custom(format!(
            "a duration needs a unit, e.g. \"30s\"; got the bare number {number}"
        ))
    }
}

impl Visitor<'_> for DurationVisitor {
    type Value = RawDuration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration string with a unit, e.g. \"30s\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDuration, E> {
        Ok(RawDuration(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDuration, E> {
        Err(Self::bare_number(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDuration, E> {
        Err(Self::bare_number(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDuration, E> {
        Err(Self::bare_number(v))
    }
}

/// Declares a string enum of the file, with its allowed spellings, and how each reads in messages.
macro_rules! raw_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
        pub(super) enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The spelling used in the file.
            #[allow(dead_code)]
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }
    };
}

raw_enum!(
    /// `simulation.method`.
    RawMethod { MonteCarlo = "monte_carlo", FailureBiasing = "failure_biasing" }
);
raw_enum!(
    /// `kind` of an outage.
    RawOutageKind { Isolation = "isolation", Power = "power" }
);
raw_enum!(
    /// `load_balancer.type`.
    RawLbType { Alb = "alb", Nlb = "nlb", Clb = "clb" }
);
raw_enum!(
    /// `load_balancer.algorithm`.
    RawAlgorithm {
        RoundRobin = "round_robin",
        LeastOutstandingRequests = "least_outstanding_requests",
        Random = "random",
    }
);
raw_enum!(
    /// `fleet.health_check_type`.
    RawHealthCheckType { Elb = "elb", Ec2 = "ec2" }
);
raw_enum!(
    /// AWS's names of the Auto Scaling processes that can be suspended.
    RawProcess {
        Launch = "Launch",
        Terminate = "Terminate",
        HealthCheck = "HealthCheck",
        ReplaceUnhealthy = "ReplaceUnhealthy",
        AzRebalance = "AZRebalance",
        AlarmNotification = "AlarmNotification",
        ScheduledActions = "ScheduledActions",
        AddToLoadBalancer = "AddToLoadBalancer",
    }
);
raw_enum!(
    /// `fleet.failure_modes.kind`.
    RawFailureKind { Crash = "crash", Hang = "hang" }
);
raw_enum!(
    /// `fleet.scaling.kind`.
    RawScalingKind { TargetTracking = "target_tracking", Scheduled = "scheduled" }
);
raw_enum!(
    /// `fleet.scaling.metric`.
    RawMetric { Cpu = "cpu", RequestsPerTarget = "requests_per_target" }
);
raw_enum!(
    /// `traffic.shape.kind`.
    RawShapeKind { Constant = "constant", Diurnal = "diurnal" }
);
raw_enum!(
    /// `traffic.model`.
    RawModel { Requests = "requests", Fluid = "fluid", Auto = "auto" }
);
raw_enum!(
    /// `inject.fault`.
    RawFault {
        ZoneOutage = "zone_outage",
        RegionOutage = "region_outage",
        InstanceCrash = "instance_crash",
        InstanceHang = "instance_hang",
        SpotReclaim = "spot_reclaim",
        TrafficSpike = "traffic_spike",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Result<RawScenario, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn unknown_keys_are_refused_at_every_level() {
        for text in [
            "nmae = \"x\"",
            "[simulation]\nhorizn = \"1d\"",
            "[[zones]]\nname = \"a\"\nzone = \"b\"",
            "[[zones]]\nname = \"a\"\noutage = { time_between = \"1d\", duraton = \"1h\" }",
            "[region.outage]\nkid = \"power\"",
            "[load_balancer.health_check]\nintervall = \"5s\"",
            "[fleet]\ninstnce = {}",
            "[fleet.instance]\nprice = 1.0",
            "[[fleet.failure_modes]]\nmtbf = \"1d\"",
            "[fleet.spot]\nreclaim = { fractoin = 1.0 }",
            "[[fleet.scaling]]\ntarget_value = 60.0",
            "[traffic]\nshape = { kind = \"constant\", peak = 2.0 }",
            "[slo]\np99 = \"1s\"",
            "[[inject]]\nwhen = \"1d\"",
        ] {
            let e = raw(text).err().map(|e| e.message().to_string()).unwrap_or_default();
            assert!(e.starts_with("unknown field"), "{text:?}: {e}");
        }
    }

    #[test]
    fn durations_must_be_strings() {
        let e = raw("[simulation]\nhorizon = 30")
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default();
        assert!(e.contains("a duration needs a unit, e.g. \"30s\""), "{e}");
        let e = raw("[simulation]\nhorizon = 2.5")
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default();
        assert!(e.contains("a duration needs a unit"), "{e}");
        let e = raw("[simulation]\nhorizon = true")
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default();
        assert!(e.contains("a duration string with a unit"), "{e}");
    }

    #[test]
    fn enums_list_their_spellings() {
        let e = raw("[load_balancer]\ntype = \"elb\"")
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default();
        assert!(e.contains("`alb`, `nlb`, `clb`"), "{e}");
        let e = raw("[fleet]\nsuspended_processes = [\"Launch\", \"launch\"]")
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default();
        assert!(e.contains("AZRebalance"), "{e}");
        assert_eq!(RawFault::TrafficSpike.as_str(), "traffic_spike");
    }

    #[test]
    fn everything_is_optional_at_this_stage() {
        let r = raw("").ok();
        assert!(r.is_some_and(|r| r.zones.is_none() && r.fleet.is_none()));
    }
}
