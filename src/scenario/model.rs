//! The checked scenario: every value here has been validated, so model code never re-checks.
//!
//! Each field is the scenario key of the same name in the contract (SCENARIO.md), so only
//! units, defaults and checked ranges are written down here. Durations are [`SimTime`] spans;
//! rates are per second.
#![allow(missing_docs)]

use crate::kernel::SimTime;

use super::DurationDist;

/// A whole scenario, as read from TOML and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Shown in reports; the file stem when the file gives none.
    pub name: String,
    pub description: Option<String>,
    pub simulation: Simulation,
    /// At least one; names unique.
    pub zones: Vec<Zone>,
    pub region: Region,
    pub load_balancer: LoadBalancer,
    pub fleet: Fleet,
    pub traffic: Option<Traffic>,
    pub slo: Slo,
    pub inject: Vec<Injection>,
}

/// `[simulation]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// Simulated time per trial (> 0). Default 365 d.
    pub horizon: SimTime,
    /// Independent trials (≥ 1). Default 1000.
    pub trials: u64,
    /// Master seed. Default 1.
    pub seed: u64,
    /// How availability is estimated. Default [`Method::MonteCarlo`].
    pub method: Method,
}

/// `simulation.method`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Independent trials of `horizon` each.
    MonteCarlo,
    /// Regenerative cycles with failure biasing (see `crate::montecarlo::rare`); `trials` counts
    /// cycles. Only scenarios whose failure processes it can bias pass the checks.
    FailureBiasing {
        /// `simulation.failure_bias` (≥ 1): how many times faster every failure clock runs
        /// while the world is away from its all-working state; `None` chooses it from the scenario.
        bias: Option<f64>,
    },
}

/// Index into [`Scenario::zones`].
pub type ZoneId = usize;

/// `[[zones]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    pub name: String,
    pub outage: Option<Outage>,
}

/// A recurring outage: up for `time_between`, then down for `duration`, and again.
#[derive(Clone, Debug, PartialEq)]
pub struct Outage {
    pub time_between: DurationDist,
    pub duration: DurationDist,
    pub kind: OutageKind,
}

/// What an outage does to a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutageKind {
    /// Instances keep running but nothing can reach them; the zone's LB node is down.
    Isolation,
    /// Instances are lost; nothing launches into the zone until it ends.
    Power,
}

/// `[region]`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Region {
    /// Takes every zone down at once, as an isolation outage.
    pub outage: Option<Outage>,
}

/// `load_balancer.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadBalancerType {
    Alb,
    Nlb,
    Clb,
}

/// `load_balancer.algorithm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    RoundRobin,
    LeastOutstandingRequests,
    Random,
}

/// `[load_balancer]`, with the type's AWS defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadBalancer {
    pub lb_type: LoadBalancerType,
    pub algorithm: Algorithm,
    pub cross_zone: bool,
    pub deregistration_delay: SimTime,
    /// How long clients keep sending to a failed zone's LB node.
    pub dns_failover_delay: SimTime,
    pub health_check: HealthCheck,
    /// [USD/h]; 0 when not given.
    pub price_per_hour: f64,
}

/// `load_balancer.health_check`. Checked: 5 s ≤ interval ≤ 300 s, 0 < timeout < interval,
/// thresholds in 2..=10.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    pub interval: SimTime,
    pub timeout: SimTime,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
}

/// `fleet.health_check_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthCheckType {
    /// EC2 status checks only: crashes are seen after a minute, hangs never.
    Ec2,
    /// EC2 status checks plus the load balancer's health checks.
    Elb,
}

/// The Auto Scaling processes that `suspended_processes` can name (AWS's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SuspendedProcesses {
    pub launch: bool,
    pub terminate: bool,
    pub health_check: bool,
    pub replace_unhealthy: bool,
    pub az_rebalance: bool,
    pub alarm_notification: bool,
    pub scheduled_actions: bool,
    pub add_to_load_balancer: bool,
}

/// `[fleet]`: one Auto Scaling group.
#[derive(Clone, Debug, PartialEq)]
pub struct Fleet {
    /// Non-empty, declared in `[[zones]]`, no repeats; order matters for initial placement.
    pub zones: Vec<ZoneId>,
    /// min ≤ desired ≤ max.
    pub desired: u32,
    pub min: u32,
    pub max: u32,
    pub health_check_type: HealthCheckType,
    pub health_check_grace_period: SimTime,
    pub suspended: SuspendedProcesses,
    pub instance: InstanceSpec,
    pub failure_modes: Vec<FailureMode>,
    pub spot: Option<Spot>,
    pub scaling: Vec<ScalingPolicy>,
}

/// `[fleet.instance]`.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceSpec {
    pub instance_type: String,
    /// Requests served at once (≥ 1).
    pub concurrency: u32,
    /// Requests that may wait for a slot; more are refused.
    pub queue_limit: u32,
    /// Launch request → ready to serve.
    pub launch_time: DurationDist,
    /// On-demand price [USD/h] (≥ 0).
    pub price_per_hour: f64,
}

/// `[[fleet.failure_modes]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureMode {
    pub name: String,
    /// Time from an instance becoming ready (or its previous failure mode's clock) to this failure.
    pub time_between: DurationDist,
    pub kind: FailureKind,
}

/// What a failure does to an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Stops: EC2 status checks and LB checks both see it.
    Crash,
    /// Runs but serves nothing: only LB checks see it.
    Hang,
}

/// `[fleet.spot]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Spot {
    pub on_demand_base: u32,
    /// 0..=100.
    pub on_demand_percentage_above_base: u32,
    /// [USD/h] (≥ 0).
    pub price_per_hour: f64,
    pub notice: SimTime,
    pub capacity_rebalance: bool,
    pub reclaim: SpotReclaim,
    pub unavailable_for: SimTime,
}

/// `fleet.spot.reclaim`: per zone pool.
#[derive(Clone, Debug, PartialEq)]
pub struct SpotReclaim {
    pub time_between: DurationDist,
    /// Probability that each spot instance of the pool is taken, in [0, 1].
    pub fraction: f64,
}

/// `[[fleet.scaling]]`.
#[derive(Clone, Debug, PartialEq)]
pub enum ScalingPolicy {
    TargetTracking {
        metric: ScalingMetric,
        /// In the metric's unit (> 0): percent for cpu, req/s for requests_per_target.
        target: f64,
        instance_warmup: SimTime,
        disable_scale_in: bool,
    },
    Scheduled {
        /// Time of day since 00:00 (< 24 h).
        at: SimTime,
        desired: Option<u32>,
        min: Option<u32>,
        max: Option<u32>,
    },
}

/// What target tracking follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalingMetric {
    /// Busy share of concurrency [%].
    Cpu,
    /// Requests per in-service instance [req/s].
    RequestsPerTarget,
}

/// `[traffic]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    /// Mean arrival rate [req/s] (> 0).
    pub rate: f64,
    pub shape: TrafficShape,
    /// Service time at an idle instance.
    pub service_time: DurationDist,
    /// A request not answered by then has failed (> 0).
    pub timeout: SimTime,
    pub model: TrafficModel,
    /// Client retries after a failed attempt (0..=10).
    pub retries: u32,
    /// Wait before each retry.
    pub retry_backoff: DurationDist,
}

/// `traffic.shape`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrafficShape {
    Constant,
    /// Sinusoid over the day whose mean is `rate`; `peak_to_trough` ≥ 1; `peak_at` time of day.
    Diurnal {
        peak_to_trough: f64,
        peak_at: SimTime,
    },
}

/// `traffic.model`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrafficModel {
    Requests,
    Fluid,
    Auto,
}

/// `[slo]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    /// Target availability in (0, 1], when given.
    pub availability: Option<f64>,
    pub latency_p99: Option<SimTime>,
    /// DOWN when more than this share of requests would fail; in [0, 1). Default 0.05.
    pub max_error_rate: f64,
}

/// `[[inject]]`: a deterministic fault, in every trial.
#[derive(Clone, Debug, PartialEq)]
pub struct Injection {
    /// When (< horizon).
    pub at: SimTime,
    pub fault: Fault,
}

/// What an injection does.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    ZoneOutage {
        zone: ZoneId,
        duration: SimTime,
        kind: OutageKind,
    },
    RegionOutage {
        duration: SimTime,
    },
    /// `count` ≥ 1 running instances, chosen at random (in `zone` when given), crash.
    InstanceCrash {
        zone: Option<ZoneId>,
        count: u32,
    },
    /// As `InstanceCrash`, but they hang.
    InstanceHang {
        zone: Option<ZoneId>,
        count: u32,
    },
    SpotReclaim {
        zone: Option<ZoneId>,
        fraction: f64,
    },
    TrafficSpike {
        multiplier: f64,
        duration: SimTime,
    },
}
