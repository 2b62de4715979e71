//! Summary statistics of per-trial values, as `summary.json` reports them.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean with its Student-t 95 % confidence interval, and the spread across trials.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    /// Mean across trials.
    pub mean: f64,
    /// Lower end of the 95 % CI of the mean (equals the mean with fewer than 2 trials).
    pub ci95_low: f64,
    /// Upper end of the 95 % CI of the mean.
    pub ci95_high: f64,
    /// Percentiles across trials (linear interpolation between order statistics, each
    /// estimated from a histogram within 2^-11 ≈ 0.05 %; see [`super::accumulate`]).
    pub p5: f64,
    /// Median across trials.
    pub p50: f64,
    /// 95th percentile across trials.
    pub p95: f64,
    /// Smallest value of any trial.
    pub min: f64,
    /// Largest value of any trial.
    pub max: f64,
    /// Sample standard deviation across trials.
    pub std_dev: f64,
}

impl MetricSummary {
    /// The summary of no trials: every field NaN (null in JSON).
    pub const EMPTY: MetricSummary = MetricSummary {
        mean: f64::NAN,
        ci95_low: f64::NAN,
        ci95_high: f64::NAN,
        p5: f64::NAN,
        p50: f64::NAN,
        p95: f64::NAN,
        min: f64::NAN,
        max: f64::NAN,
        std_dev: f64::NAN,
    };

    /// Half-width of the 95 % CI.
    pub fn ci95_half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

/// Availability as nines: −log₁₀(1 − A). Infinite when no downtime was seen.
pub fn nines(availability: f64) -> f64 {
    -(1.0 - availability).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        let mut acc = crate::report::accumulate::MetricAccumulator::linear();
        [1.0, 2.0, 3.0, 4.0, 5.0].iter().for_each(|&v| acc.record(v));
        // Small whole numbers have histogram buckets of their own: percentiles stay exact.
        let s = acc.summary();
        assert_eq!(s.mean, 3.0);
        assert_eq!(s.p50, 3.0);
        assert_eq!(s.p5, 1.2);
        assert_eq!((s.min, s.max), (1.0, 5.0));
        // sd = √2.5; t(4, 0.975) = 2.776445; half = 2.776445·√2.5/√5 = 1.963243.
        assert!(
            (s.ci95_half_width() - 1.963_243).abs() < 1e-5,
            "{}",
            s.ci95_half_width()
        );
    }

    #[test]
    fn t_quantile_approaches_normal() {
        assert!((t_quantile_975(1) - 12.706_205).abs() < 1e-5);
        assert!((t_quantile_975(100_000) - 1.959_99).abs() < 1e-4);
    }

    #[test]
    fn nines_of_three_nines() {
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
        assert!(nines(1.0).is_infinite());
    }
}
