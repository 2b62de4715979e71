use serde::{Deserialize, Serialize};

/// What one trial measured: one row of `trials.csv`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrialOutcome {
    /// Trial index; with the seed, it determines every draw of the trial.
    pub trial: u64,
    /// Share of the horizon during which the service was UP.
    pub availability: f64,
    /// Answered requests within the timeout / all requests. Without `[traffic]`, the time-average
    /// of the share of requests that would succeed.
    pub request_success_ratio: f64,
    /// Minutes DOWN.
    pub downtime_minutes: f64,
    /// Separate DOWN periods.
    pub incidents: u64,
    /// The longest DOWN period [min].
    pub longest_incident_minutes: f64,
    /// Requests sent (0 without `[traffic]`).
    pub requests: u64,
    /// Requests that failed or timed out (0 without `[traffic]`).
    pub failed_requests: u64,
    /// Median latency of this trial's answered requests [ms]; empty without `[traffic]`.
    pub latency_p50_ms: Option<f64>,
    /// 99th percentile latency of this trial's answered requests [ms]; empty without `[traffic]`.
    pub latency_p99_ms: Option<f64>,
    /// Total cost [USD]: on-demand plus spot plus load balancer.
    pub cost_usd: f64,
    /// On-demand instance-hours [h], from each launch request to termination.
    pub on_demand_hours: f64,
    /// Spot instance-hours [h], from each launch request to termination.
    pub spot_hours: f64,
    /// `on_demand_hours` × `fleet.instance.price_per_hour` [USD].
    pub on_demand_cost_usd: f64,
    /// `spot_hours` × `fleet.spot.price_per_hour` [USD].
    pub spot_cost_usd: f64,
    /// The horizon in hours × `load_balancer.price_per_hour` [USD].
    pub load_balancer_cost_usd: f64,
    /// Zone outages that began (random and injected).
    pub zone_outages: u64,
    /// Region outages that began (random and injected).
    pub region_outages: u64,
    /// Instances that crashed or hung (random and injected).
    pub instance_failures: u64,
    /// Instances the group terminated and replaced because they were unhealthy.
    pub replacements: u64,
    /// Spot instances that got an interruption notice (random and injected reclaims).
    pub spot_reclaims: u64,
    /// Raises of the desired capacity by a scaling policy or scheduled action.
    pub scale_outs: u64,
    /// Cuts of the desired capacity by a scaling policy or scheduled action.
    pub scale_ins: u64,
    /// Events the kernel processed (a cost measure, not a result).
    pub events: u64,
}
