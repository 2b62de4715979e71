//! Checked distributions of durations, and how to draw from them.

use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

use crate::kernel::SimTime;

/// A distribution of non-negative durations. Parameters are checked when the scenario is read
/// (positive, finite), so sampling never fails.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationDist {
    /// Always `value`.
    Constant(SimTime),
    /// Memoryless, with the given mean [s].
    Exponential {
        /// Mean [s].
        mean_s: f64,
    },
    /// `scale · (−ln U)^(1/shape)`; scale [s].
    Weibull {
        /// Shape k: < 1 infant mortality, > 1 wear-out.
        shape: f64,
        /// Scale λ [s].
        scale_s: f64,
    },
    /// `median · exp(sigma · Z)`; median [s].
    LogNormal {
        /// Median [s].
        median_s: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Uniform on `[min, max]` [s].
    Uniform {
        /// Lower end [s].
        min_s: f64,
        /// Upper end [s].
        max_s: f64,
    },
    /// Resamples the given observations with equal weight.
    Empirical(Vec<SimTime>),
}

impl DurationDist {
    /// One draw.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimTime {
        match self {
            DurationDist::Constant(t) => *t,
            // Exp1 is a ziggurat sampler: a log only in its rare tail, where inversion pays one
            // per draw. Failure clocks and outage gaps are the most frequent draws of a trial.
            DurationDist::Exponential { mean_s } => {
                let e: f64 = Exp1.sample(rng);
                SimTime::from_secs_f64(mean_s * e)
            }
            DurationDist::Weibull { shape, scale_s } => {
                // E^(1/k) for a unit exponential E; exp(ln E / k) costs half of libm's exact pow.
                let e: f64 = Exp1.sample(rng);
                SimTime::from_secs_f64(scale_s * (e.ln() / shape).exp())
            }
            DurationDist::LogNormal { median_s, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                SimTime::from_secs_f64(median_s * (sigma * z).exp())
            }
            DurationDist::Uniform { min_s, max_s } => {
                SimTime::from_secs_f64(min_s + (max_s - min_s) * rng.random::<f64>())
            }
            DurationDist::Empirical(values) => values[rng.random_range(0..values.len())],
        }
    }

    /// The mean [s], from the closed form of each family.
    pub fn mean_secs(&self) -> f64 {
        match self {
            DurationDist::Constant(t) => t.as_secs_f64(),
            DurationDist::Exponential { mean_s } => *mean_s,
            DurationDist::Weibull { shape, scale_s } => scale_s * statrs::function::gamma::gamma(1.0 + 1.0 / shape),
            DurationDist::LogNormal { median_s, sigma } => median_s * (sigma * sigma / 2.0).exp(),
            DurationDist::Uniform { min_s, max_s } => (min_s + max_s) / 2.0,
            DurationDist::Empirical(values) => {
                values.iter().map(|v| v.as_secs_f64()).sum::<f64>() / values.len() as f64
            }
        }
    }

    /// The `p` quantile [s] (inverse CDF), for `p` in (0, 1).
    pub fn quantile_secs(&self, p: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal};
        match self {
            DurationDist::Constant(t) => t.as_secs_f64(),
            DurationDist::Exponential { mean_s } => -mean_s * (1.0 - p).ln(),
            DurationDist::Weibull { shape, scale_s } => scale_s * (-(1.0 - p).ln()).powf(1.0 / shape),
            DurationDist::LogNormal { median_s, sigma } => {
                let z = Normal::new(0.0, 1.0).map(|n| n.inverse_cdf(p)).unwrap_or(0.0);
                median_s * (sigma * z).exp()
            }
            DurationDist::Uniform { min_s, max_s } => min_s + (max_s - min_s) * p,
            DurationDist::Empirical(values) => {
                // Equal weights: the value whose share of the sorted sample covers p.
                let mut sorted: Vec<f64> = values.iter().map(|v| v.as_secs_f64()).collect();
                sorted.sort_by(f64::total_cmp);
                let i = ((p * sorted.len() as f64) as usize).min(sorted.len() - 1);
                sorted[i]
            }
        }
    }

    /// P(X ≤ x) for `x` [s].
    pub fn cdf_secs(&self, x: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal};
        if x < 0.0 {
            return 0.0;
        }
        match self {
            DurationDist::Constant(t) => (x >= t.as_secs_f64()) as u8 as f64,
            DurationDist::Exponential { mean_s } => 1.0 - (-x / mean_s).exp(),
            DurationDist::Weibull { shape, scale_s } => 1.0 - (-(x / scale_s).powf(*shape)).exp(),
            DurationDist::LogNormal { median_s, sigma } => {
                if x <= 0.0 {
                    return 0.0;
                }
                Normal::new(0.0, 1.0)
                    .map(|n| n.cdf((x / median_s).ln() / sigma))
                    .unwrap_or(0.5)
            }
            DurationDist::Uniform { min_s, max_s } => {
                if max_s > min_s {
                    ((x - min_s) / (max_s - min_s)).clamp(0.0, 1.0)
                } else {
                    (x >= *min_s) as u8 as f64
                }
            }
            DurationDist::Empirical(values) => {
                values.iter().filter(|v| v.as_secs_f64() <= x).count() as f64 / values.len() as f64
            }
        }
    }

    /// The squared coefficient of variation, Var/Mean², from the closed forms.
    pub fn scv(&self) -> f64 {
        let m = self.mean_secs();
        let var = match self {
            DurationDist::Constant(_) => 0.0,
            DurationDist::Exponential { mean_s } => mean_s * mean_s,
            DurationDist::Weibull { shape, scale_s } => {
                let g = statrs::function::gamma::gamma;
                scale_s * scale_s * (g(1.0 + 2.0 / shape) - g(1.0 + 1.0 / shape).powi(2))
            }
            DurationDist::LogNormal { sigma, .. } => m * m * ((sigma * sigma).exp() - 1.0),
            DurationDist::Uniform { min_s, max_s } => (max_s - min_s).powi(2) / 12.0,
            DurationDist::Empirical(values) => {
                values.iter().map(|v| (v.as_secs_f64() - m).powi(2)).sum::<f64>() / values.len() as f64
            }
        };
        if m > 0.0 {
            var / (m * m)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// The sample mean of n draws is within 5 standard errors of the closed-form mean.
    fn check_mean(d: DurationDist, sd_s: f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 200_000;
        let mean = (0..n).map(|_| d.sample(&mut rng).as_secs_f64()).sum::<f64>() / n as f64;
        let se = sd_s / (n as f64).sqrt();
        assert!(
            (mean - d.mean_secs()).abs() < 5.0 * se,
            "{d:?}: sample mean {mean}, expected {}",
            d.mean_secs()
        );
    }

    #[test]
    fn sample_means_match_closed_forms() {
        // Standard deviations from the closed forms, to size the tolerance.
        check_mean(DurationDist::Exponential { mean_s: 100.0 }, 100.0);
        // Weibull k=2, λ=10: mean = 10·Γ(1.5) ≈ 8.862, var = 100·(Γ(2) − Γ(1.5)²) ≈ 21.46.
        check_mean(
            DurationDist::Weibull {
                shape: 2.0,
                scale_s: 10.0,
            },
            21.46f64.sqrt(),
        );
        // Lognormal m=60, σ=0.5: var = m²·e^{σ²}·(e^{σ²} − 1) ≈ 1082.
        check_mean(
            DurationDist::LogNormal {
                median_s: 60.0,
                sigma: 0.5,
            },
            1082f64.sqrt(),
        );
        // Uniform on [10, 70]: sd = 60/√12.
        check_mean(
            DurationDist::Uniform {
                min_s: 10.0,
                max_s: 70.0,
            },
            60.0 / 12f64.sqrt(),
        );
        // Empirical {1, 2, 6}: mean 3, sd = √(14/3).
        check_mean(
            DurationDist::Empirical(vec![
                SimTime::from_secs(1),
                SimTime::from_secs(2),
                SimTime::from_secs(6),
            ]),
            (14.0f64 / 3.0).sqrt(),
        );
    }

    #[test]
    fn quantiles_invert_the_cdf() {
        let e = DurationDist::Exponential { mean_s: 10.0 };
        assert!((e.quantile_secs(0.5) - 10.0 * 2f64.ln()).abs() < 1e-12);
        let l = DurationDist::LogNormal {
            median_s: 20.0,
            sigma: 0.5,
        };
        assert!((l.quantile_secs(0.5) - 20.0).abs() < 1e-9);
        // z(0.975) = 1.959964
        assert!((l.quantile_secs(0.975) - 20.0 * (0.5f64 * 1.959_964).exp()).abs() < 1e-4);
        assert_eq!(
            DurationDist::Uniform { min_s: 1.0, max_s: 3.0 }.quantile_secs(0.25),
            1.5
        );
        assert!((e.scv() - 1.0).abs() < 1e-12);
        assert_eq!(DurationDist::Constant(SimTime::SECOND).scv(), 0.0);
    }

    #[test]
    fn constant_is_constant() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let d = DurationDist::Constant(SimTime::MINUTE);
        assert!((0..10).all(|_| d.sample(&mut rng) == SimTime::MINUTE));
        assert_eq!(d.mean_secs(), 60.0);
    }
}
