//! `summary.json`: what a run (or a merge of shards) found, computed only from the accumulated
//! metrics (which add up exactly), so that merging shards reproduces a single run exactly.
//!
//! Field names are the JSON keys of the contract's `summary.json`; their meaning is documented
//! there and in the README, so only additions carry docs here.
#![allow(missing_docs)]

use serde::{Deserialize, Serialize};

use crate::montecarlo::RunResults;
use crate::scenario::Scenario;

use super::accumulate::MetricAccumulators;
use super::stats::{nines, MetricSummary};

/// Facts about the run that do not depend on its results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The scenario's name.
    pub scenario: String,
    /// Identifies the checked scenario (after `--trials`/`--seed`/`--set` overrides); shards merge
    /// only when theirs agree.
    pub scenario_fingerprint: String,
    pub seed: u64,
    /// Trials of the whole run, of which this summary may cover a part.
    pub trials_total: u64,
    pub horizon_seconds: u64,
    /// `requests`, `fluid`, or `none` without `[traffic]`.
    pub traffic_model: String,
}

impl RunInfo {
    /// The run facts of `scenario`.
    pub fn of(scenario: &Scenario) -> RunInfo {
        let traffic_model = scenario
            .traffic
            .as_ref()
            .map(|t| crate::cloud::traffic::ResolvedModel::of(scenario, t).name())
            .unwrap_or("none");
        RunInfo {
            scenario: scenario.name.clone(),
            scenario_fingerprint: fingerprint(scenario),
            seed: scenario.simulation.seed,
            trials_total: scenario.simulation.trials,
            horizon_seconds: scenario.simulation.horizon.0 / 1_000_000,
            traffic_model: traffic_model.into(),
        }
    }
}

/// FNV-1a of the checked scenario's debug form: stable within a build of nines.
fn fingerprint(scenario: &Scenario) -> String {
    let text = format!("{scenario:?}");
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Availability expressed in nines, with the CI carried over from availability's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NinesSummary {
    /// −log₁₀(1 − mean availability); null when no downtime was seen.
    pub mean: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
}

impl NinesSummary {
    /// The nines of an availability estimate and its 95 % CI (`None` where the availability is 1).
    pub fn of(mean: f64, ci95_low: f64, ci95_high: f64) -> NinesSummary {
        let finite = |x: f64| x.is_finite().then_some(x);
        NinesSummary {
            mean: finite(nines(mean)),
            ci95_low: finite(nines(ci95_low)),
            ci95_high: finite(nines(ci95_high.min(1.0))),
        }
    }
}

/// Latency of answered requests over all trials.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub mean: f64,
}

impl LatencySummary {
    /// Percentiles and mean of a latency histogram [µs], in ms; `None` when it is empty.
    pub fn of(h: &hdrhistogram::Histogram<u64>) -> Option<LatencySummary> {
        if h.is_empty() {
            return None;
        }
        let ms = |us: f64| us / 1e3;
        Some(LatencySummary {
            p50: ms(h.value_at_quantile(0.5) as f64),
            p90: ms(h.value_at_quantile(0.9) as f64),
            p99: ms(h.value_at_quantile(0.99) as f64),
            p999: ms(h.value_at_quantile(0.999) as f64),
            mean: ms(h.mean()),
        })
    }
}

/// The metrics block of `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub availability: MetricSummary,
    pub nines: NinesSummary,
    pub request_success_ratio: MetricSummary,
    pub downtime_minutes: MetricSummary,
    pub incidents: MetricSummary,
    pub longest_incident_minutes: MetricSummary,
    pub cost_usd: MetricSummary,
    /// The parts of `cost_usd` [USD]: on-demand hours × the instance price, spot hours × the
    /// spot price, and the horizon × the load balancer's price.
    pub on_demand_cost_usd: MetricSummary,
    pub spot_cost_usd: MetricSummary,
    pub load_balancer_cost_usd: MetricSummary,
    pub instance_hours: MetricSummary,
    /// The parts of `instance_hours` [h], by market.
    pub on_demand_hours: MetricSummary,
    pub spot_hours: MetricSummary,
    /// Spot instances that got an interruption notice, per trial.
    pub spot_reclaims: MetricSummary,
    /// Raises and cuts of the desired capacity by scaling policies and scheduled actions, per trial.
    pub scale_outs: MetricSummary,
    pub scale_ins: MetricSummary,
    pub zone_outages: MetricSummary,
    pub instance_failures: MetricSummary,
    pub replacements: MetricSummary,
    /// Null without `[traffic]`.
    pub latency_ms: Option<LatencySummary>,
}

/// The SLO targets and whether the run meets them (null where there is no target).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SloVerdict {
    pub availability_target: Option<f64>,
    /// Mean availability ≥ target.
    pub availability_met: Option<bool>,
    /// The whole 95 % CI of availability is ≥ target: met with confidence.
    pub availability_met_at_95: Option<bool>,
    pub latency_p99_target_ms: Option<f64>,
    pub latency_p99_met: Option<bool>,
    /// DOWN when more than this share of requests would fail.
    pub max_error_rate: f64,
}

/// The whole of `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    #[serde(flatten)]
    pub run: RunInfo,
    /// Trials summarised here.
    pub trials: u64,
    /// The half-open trial index ranges covered (one for a run, several after a merge).
    pub trial_ranges: Vec<(u64, u64)>,
    pub metrics: Metrics,
    pub slo: SloVerdict,
}

impl Summary {
    /// The summary of a run of `scenario`, exactly as `nines run` writes it.
    pub fn of_run(scenario: &Scenario, results: &RunResults) -> Summary {
        Summary::build(
            RunInfo::of(scenario),
            &SloVerdict::targets(scenario),
            results.trial_ranges.clone(),
            &results.metrics,
            results.latency_us.as_ref().and_then(LatencySummary::of),
        )
    }

    /// Summarises the trials of `trial_ranges`, accumulated in `m`, under the SLO targets of
    /// `slo`.
    pub fn build(
        run: RunInfo,
        slo: &SloVerdict,
        trial_ranges: Vec<(u64, u64)>,
        m: &MetricAccumulators,
        latency_ms: Option<LatencySummary>,
    ) -> Summary {
        let availability = m.availability.summary();
        let metrics = Metrics {
            availability,
            nines: NinesSummary::of(availability.mean, availability.ci95_low, availability.ci95_high),
            request_success_ratio: m.request_success_ratio.summary(),
            downtime_minutes: m.downtime_minutes.summary(),
            incidents: m.incidents.summary(),
            longest_incident_minutes: m.longest_incident_minutes.summary(),
            cost_usd: m.cost_usd.summary(),
            on_demand_cost_usd: m.on_demand_cost_usd.summary(),
            spot_cost_usd: m.spot_cost_usd.summary(),
            load_balancer_cost_usd: m.load_balancer_cost_usd.summary(),
            instance_hours: m.instance_hours.summary(),
            on_demand_hours: m.on_demand_hours.summary(),
            spot_hours: m.spot_hours.summary(),
            spot_reclaims: m.spot_reclaims.summary(),
            scale_outs: m.scale_outs.summary(),
            scale_ins: m.scale_ins.summary(),
            zone_outages: m.zone_outages.summary(),
            instance_failures: m.instance_failures.summary(),
            replacements: m.replacements.summary(),
            latency_ms,
        };
        let slo = SloVerdict {
            availability_met: slo.availability_target.map(|t| metrics.availability.mean >= t),
            availability_met_at_95: slo.availability_target.map(|t| metrics.availability.ci95_low >= t),
            latency_p99_met: match (slo.latency_p99_target_ms, latency_ms) {
                (Some(t), Some(l)) => Some(l.p99 <= t),
                _ => None,
            },
            ..slo.clone()
        };
        Summary {
            trials: trial_ranges.iter().map(|(a, b)| b - a).sum(),
            trial_ranges,
            run,
            metrics,
            slo,
        }
    }
}

impl SloVerdict {
    /// The targets of `scenario`, not yet judged.
    pub fn targets(scenario: &Scenario) -> SloVerdict {
        SloVerdict {
            availability_target: scenario.slo.availability,
            availability_met: None,
            availability_met_at_95: None,
            latency_p99_target_ms: scenario.slo.latency_p99.map(|t| t.as_secs_f64() * 1e3),
            latency_p99_met: None,
            max_error_rate: scenario.slo.max_error_rate,
        }
    }
}
