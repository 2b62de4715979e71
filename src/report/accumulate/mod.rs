//! Statistics across trials, accumulated as trials finish, so that memory does not grow with the
//! number of trials, and merged exactly, so that any split of the trials (threads, blocks,
//! shards) gives the same bits.
//!
//! Per metric: exact fixed-point sums for the mean and its CI ([`Moments`]), the exact least and
//! greatest value, and a log-linear histogram for percentiles ([`LogHistogram`], within 2^-11 ≈
//! 0.05 %). Availability-like metrics (shares close to 1) are kept as their shortfall `1 − x`,
//! so that 99.999 % keeps its precision where it matters: in the 0.001 %.

mod histogram;
mod metrics;
mod moments;

pub use histogram::{Bucket, LogHistogram};
pub use metrics::MetricAccumulators;
pub use moments::{Moments, LINEAR_BITS, SHORTFALL_BITS};

use serde::{Deserialize, Serialize};

use super::stats::MetricSummary;

/// What a metric's sums and histogram are kept of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    /// The value itself.
    Value,
    /// `1 − value`, for shares close to 1.
    Shortfall,
}

/// One metric over trials: what [`MetricSummary`] needs, in bounded memory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricAccumulator {
    /// What `moments` and `histogram` are of.
    pub recorded: Recorded,
    /// Exact sums for the mean and its CI.
    pub moments: Moments,
    /// The least value of any trial (null before the first).
    pub min: Option<f64>,
    /// The greatest value of any trial.
    pub max: Option<f64>,
    /// For percentiles, within 2^-11 relative.
    pub histogram: LogHistogram,
}

impl MetricAccumulator {
    /// For minutes, hours, dollars and counts.
    pub fn linear() -> Self {
        Self::new(Recorded::Value, LINEAR_BITS)
    }

    /// For shares close to 1 (availability, request success ratio).
    pub fn shortfall() -> Self {
        Self::new(Recorded::Shortfall, SHORTFALL_BITS)
    }

    fn new(recorded: Recorded, bits: u32) -> Self {
        MetricAccumulator {
            recorded,
            moments: Moments::new(bits),
            min: None,
            max: None,
            histogram: LogHistogram::default(),
        }
    }

    /// The form kept of a value (and, being its own inverse, the value of a form kept).
    fn kept(&self, x: f64) -> f64 {
        match self.recorded {
            Recorded::Value => x,
            Recorded::Shortfall => 1.0 - x,
        }
    }

    /// Adds one trial's value.
    pub fn record(&mut self, x: f64) {
        let y = self.kept(x);
        self.moments.record(y);
        self.histogram.record(y);
        self.min = Some(self.min.map_or(x, |m| m.min(x)));
        self.max = Some(self.max.map_or(x, |m| m.max(x)));
    }

    /// Adds another part of the trials.
    pub fn add(&mut self, other: &MetricAccumulator) {
        assert_eq!(self.recorded, other.recorded, "same metric, same form");
        self.moments.add(&other.moments);
        self.histogram.add(&other.histogram);
        let pick = |a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        self.min = pick(self.min, other.min, f64::min);
        self.max = pick(self.max, other.max, f64::max);
    }

    /// Trials recorded.
    pub fn count(&self) -> u64 {
        self.moments.count
    }

    /// Estimate of the `rank`-th smallest value (0-based), within the histogram's precision;
    /// NaN without values.
    pub fn order_statistic(&self, rank: u64) -> f64 {
        let n = self.count();
        let (Some(min), Some(max)) = (self.min, self.max) else {
            return f64::NAN;
        };
        let estimate = match self.recorded {
            Recorded::Value => self.histogram.order_statistic(rank),
            Recorded::Shortfall => self.histogram.order_statistic(n - 1 - rank.min(n - 1)).map(|y| 1.0 - y),
        };
        estimate.map_or(f64::NAN, |x| x.clamp(min, max))
    }

    /// The `q` quantile, interpolating linearly between order statistics (Hyndman & Fan type 7,
    /// as numpy), each estimated within the histogram's precision.
    pub fn percentile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let pos = q * (n - 1) as f64;
        let (lo, hi) = (pos.floor(), pos.ceil());
        let (a, b) = (self.order_statistic(lo as u64), self.order_statistic(hi as u64));
        a + (b - a) * (pos - lo)
    }

    /// Mean with its Student-t 95 % CI, percentiles and extremes.
    pub fn summary(&self) -> MetricSummary {
        let (Some(min), Some(max)) = (self.min, self.max) else {
            return MetricSummary::EMPTY;
        };
        let half = self.moments.ci95_half_width();
        // Values that differ by less than the resolution share one fixed-point value, which may
        // lie a rounding outside them; the mean never does.
        let mean = self.kept(self.moments.mean()).clamp(min, max);
        MetricSummary {
            mean,
            ci95_low: mean - half,
            ci95_high: mean + half,
            p5: self.percentile(0.05),
            p50: self.percentile(0.50),
            p95: self.percentile(0.95),
            min,
            max,
            std_dev: self.moments.variance().sqrt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact percentile of sorted values, as `MetricSummary` reported it before histograms.
    fn type7(sorted: &[f64], q: f64) -> f64 {
        let pos = q * (sorted.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    }

    fn of(mut acc: MetricAccumulator, values: &[f64]) -> MetricAccumulator {
        values.iter().for_each(|&v| acc.record(v));
        acc
    }

    #[test]
    fn shortfalls_keep_the_precision_of_the_nines() {
        let xs = [0.999_9, 0.999_99, 1.0, 0.99, 0.999_999, 0.95, 0.999];
        let s = of(MetricAccumulator::shortfall(), &xs).summary();
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        assert_eq!((s.min, s.max), (0.95, 1.0));
        assert!((s.mean - mean).abs() < 1e-15, "{} vs {mean}", s.mean);
        assert!((s.std_dev - sd).abs() < 1e-12 * sd);
        for (q, p) in [(0.05, s.p5), (0.5, s.p50), (0.95, s.p95)] {
            let exact = type7(&sorted, q);
            assert!(
                (p - exact).abs() <= (1.0 - exact) * 2f64.powi(-11) + 1e-16,
                "p{q}: {p} vs {exact}"
            );
        }
    }

    #[test]
    fn nothing_recorded_is_nan() {
        let s = MetricAccumulator::linear().summary();
        assert!(s.mean.is_nan() && s.p50.is_nan() && s.min.is_nan());
    }
}
