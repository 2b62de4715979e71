//! Summary statistics of per-trial values.

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
    /// Percentiles across trials (linear interpolation between order statistics).
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

    /// Summarises `values`, given in trial order. Sums run in that order so that a merged run
    /// gives bit-identical results to a single one.
    pub fn of(values: &[f64]) -> MetricSummary {
        let n = values.len();
        if n == 0 {
            return MetricSummary {
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
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        let std_dev = var.sqrt();
        let half = if n > 1 {
            t_quantile_975(n - 1) * std_dev / (n as f64).sqrt()
        } else {
            0.0
        };
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        MetricSummary {
            mean,
            ci95_low: mean - half,
            ci95_high: mean + half,
            p5: percentile(&sorted, 0.05),
            p50: percentile(&sorted, 0.50),
            p95: percentile(&sorted, 0.95),
            min: sorted[0],
            max: sorted[n - 1],
            std_dev,
        }
    }

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

/// The `q` quantile of sorted values, interpolating linearly (Hyndman & Fan type 7, as numpy).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
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
        let s = MetricSummary::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
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
