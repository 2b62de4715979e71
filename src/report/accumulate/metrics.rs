//! One accumulator per metric of `summary.json`.

use serde::{Deserialize, Serialize};

use crate::cloud::TrialOutcome;

use super::MetricAccumulator;

/// Declares the struct and its record/add once per metric, so a metric cannot be added to one
/// and forgotten in another.
macro_rules! accumulators {
    ($($name:ident: $form:ident = $value:expr),* $(,)?) => {
        /// The metrics of `summary.json` (but nines, derived from availability, and latency,
        /// pooled over requests), accumulated over trials. Field names are `summary.json`'s keys.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[allow(missing_docs)]
        pub struct MetricAccumulators {
            $(pub $name: MetricAccumulator,)*
        }

        impl Default for MetricAccumulators {
            fn default() -> Self {
                MetricAccumulators {
                    $($name: MetricAccumulator::$form(),)*
                }
            }
        }

        impl MetricAccumulators {
            /// Adds one trial.
            pub fn record(&mut self, o: &TrialOutcome) {
                $(self.$name.record(($value)(o));)*
            }

            /// Adds another part of the trials.
            pub fn add(&mut self, other: &MetricAccumulators) {
                $(self.$name.add(&other.$name);)*
            }
        }
    };
}

accumulators! {
    availability: shortfall = |o: &TrialOutcome| o.availability,
    request_success_ratio: shortfall = |o: &TrialOutcome| o.request_success_ratio,
    downtime_minutes: linear = |o: &TrialOutcome| o.downtime_minutes,
    incidents: linear = |o: &TrialOutcome| o.incidents as f64,
    longest_incident_minutes: linear = |o: &TrialOutcome| o.longest_incident_minutes,
    cost_usd: linear = |o: &TrialOutcome| o.cost_usd,
    on_demand_cost_usd: linear = |o: &TrialOutcome| o.on_demand_cost_usd,
    spot_cost_usd: linear = |o: &TrialOutcome| o.spot_cost_usd,
    load_balancer_cost_usd: linear = |o: &TrialOutcome| o.load_balancer_cost_usd,
    instance_hours: linear = |o: &TrialOutcome| o.on_demand_hours + o.spot_hours,
    on_demand_hours: linear = |o: &TrialOutcome| o.on_demand_hours,
    spot_hours: linear = |o: &TrialOutcome| o.spot_hours,
    spot_reclaims: linear = |o: &TrialOutcome| o.spot_reclaims as f64,
    scale_outs: linear = |o: &TrialOutcome| o.scale_outs as f64,
    scale_ins: linear = |o: &TrialOutcome| o.scale_ins as f64,
    zone_outages: linear = |o: &TrialOutcome| o.zone_outages as f64,
    instance_failures: linear = |o: &TrialOutcome| o.instance_failures as f64,
    replacements: linear = |o: &TrialOutcome| o.replacements as f64,
}
