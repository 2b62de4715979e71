//! Pooled distributions (histograms over all trials) as a file, so that shards merge exactly.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::cloud::traffic::latency_histogram;
use crate::montecarlo::{incident_histogram, RunResults};

use super::accumulate::MetricAccumulators;

/// `distributions.json`: what a run pooled over its trials, in a form that merges exactly. The
/// HdrHistograms are `(bucket value, count)` pairs: re-recording a bucket's value lands in the
/// same bucket, so reading back and adding gives exactly the merged histogram.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distributions {
    /// Incident lengths over all trials [s].
    pub incident_seconds: Vec<(u64, u64)>,
    /// Latency of answered requests over all trials [µs]; absent without `[traffic]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_us: Option<Vec<(u64, u64)>>,
    /// Per metric of `summary.json`: exact fixed-point sums, extremes and a log-linear histogram,
    /// from which the summary (and the downtime charts) are computed.
    pub metrics: MetricAccumulators,
}

impl Distributions {
    /// The file form of a run's results.
    pub fn of(results: &RunResults) -> Distributions {
        Distributions {
            incident_seconds: pairs(&results.incident_seconds),
            latency_us: results.latency_us.as_ref().map(pairs),
            metrics: results.metrics.clone(),
        }
    }

    /// Request latencies as a histogram again, when there was traffic.
    pub fn latency_histogram(&self) -> Option<Histogram<u64>> {
        self.latency_us.as_ref().map(|p| {
            let mut h = latency_histogram();
            for &(value, count) in p {
                let _ = h.record_n(value, count);
            }
            h
        })
    }

    /// Incident lengths as a histogram again.
    pub fn incident_histogram(&self) -> Histogram<u64> {
        let mut h = incident_histogram();
        for &(value, count) in &self.incident_seconds {
            let _ = h.record_n(value, count);
        }
        h
    }

    /// Adds another shard's distributions.
    pub fn add(&mut self, other: &Distributions) {
        self.metrics.add(&other.metrics);
        let mut h = self.incident_histogram();
        let _ = h.add(other.incident_histogram());
        self.incident_seconds = pairs(&h);
        self.latency_us = match (self.latency_histogram(), other.latency_histogram()) {
            (Some(mut a), Some(b)) => {
                let _ = a.add(b);
                Some(pairs(&a))
            }
            (a, b) => a.or(b).as_ref().map(pairs),
        };
    }
}

fn pairs(h: &Histogram<u64>) -> Vec<(u64, u64)> {
    h.iter_recorded()
        .map(|v| (v.value_iterated_to(), v.count_at_value()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_add_are_exact() {
        let mut a = incident_histogram();
        let mut b = incident_histogram();
        for v in [1u64, 60, 61, 3_600, 7_777, 86_400] {
            a.record(v).unwrap();
            b.record(v * 3).unwrap();
        }
        let mut both = a.clone();
        both.add(&b).unwrap();
        let of = |h: &Histogram<u64>| Distributions {
            incident_seconds: pairs(h),
            latency_us: Some(pairs(h)),
            metrics: MetricAccumulators::default(),
        };
        let mut d = of(&a);
        d.add(&of(&b));
        assert_eq!(d, of(&both));
        assert_eq!(d.incident_histogram().len(), 12);
    }
}
