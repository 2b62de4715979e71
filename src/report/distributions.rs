//! Pooled distributions (histograms over all trials) as a file, so that shards merge exactly.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::montecarlo::incident_histogram;

/// `distributions.json`: each histogram as `(bucket value, count)` pairs. Re-recording a bucket's
/// value lands in the same bucket, so reading back and adding gives exactly the merged histogram.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distributions {
    /// Incident lengths over all trials [s].
    pub incident_seconds: Vec<(u64, u64)>,
}

impl Distributions {
    /// The file form of the run's histograms.
    pub fn of(incident_seconds: &Histogram<u64>) -> Distributions {
        Distributions {
            incident_seconds: pairs(incident_seconds),
        }
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
        let mut h = self.incident_histogram();
        let _ = h.add(other.incident_histogram());
        self.incident_seconds = pairs(&h);
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
        let mut d = Distributions::of(&a);
        d.add(&Distributions::of(&b));
        assert_eq!(d, Distributions::of(&both));
        assert_eq!(d.incident_histogram().len(), 12);
    }
}
