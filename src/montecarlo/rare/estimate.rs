//! The regenerative ratio estimator over weighted busy periods, its CI and its health.
//!
//! A cycle is a stay in the all-working state (exponential, mean 1/Λ, UP throughout, known
//! exactly so not simulated) followed by a busy period. By renewal-reward,
//!
//!   U = E[D] / (1/Λ + E[B]),
//!
//! D the downtime and B the length of a busy period under the true clocks. Busy periods are
//! simulated under biased clocks and weighted by their likelihood ratio L, which keeps both
//! expectations unbiased: E[D] = E_biased[D·L], E[B] = E_biased[B·L]. The same holds for
//! incidents N in place of D. The 95 % CI of the ratio comes from the delta method,
//! Var(Û) ≈ Var(D·L − U·B·L) / (n · (1/Λ + mean(B·L))²).

use crate::cloud::BusyPeriod;
use crate::report::stats::t_quantile_975;

/// Fewer effective cycles with downtime than this and the CI is not to be trusted.
const MIN_EFFECTIVE_CYCLES: f64 = 30.0;
/// More than this share of the summed downtime weight in one cycle, likewise.
const MAX_WEIGHT_SHARE: f64 = 0.5;

/// A ratio estimate with its 95 % CI half-width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ratio {
    /// The estimate.
    pub mean: f64,
    /// Half-width of its 95 % CI.
    pub half_width: f64,
}

/// What the cycles say about unavailability, and how far to trust it.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Cycles (busy periods) simulated.
    pub cycles: u64,
    /// Long-run share of time DOWN.
    pub unavailability: Ratio,
    /// DOWN periods per second.
    pub incident_rate: Ratio,
    /// Half-width of the unavailability's CI over the estimate (infinite without downtime).
    pub relative_half_width: f64,
    /// Mean cycle length, 1/Λ + mean(B·L) [s].
    pub mean_cycle_s: f64,
    /// Cycles with any downtime.
    pub cycles_with_downtime: u64,
    /// (Σ w)² / Σ w² over the downtime weights w = D·L: how many equally weighted cycles they
    /// are worth.
    pub effective_cycles: f64,
    /// The largest single D·L over their sum.
    pub largest_weight_share: f64,
    /// Set when the likelihood ratios have degenerated and the CI cannot be trusted.
    pub warning: Option<String>,
}

impl Estimate {
    /// The estimate from busy periods (in cycle order) of a world whose all-working state ends at
    /// rate `total_rate` [1/s].
    pub fn of(cycles: &[BusyPeriod], total_rate: f64) -> Estimate {
        let n = cycles.len();
        let weights: Vec<f64> = cycles.iter().map(|c| c.log_likelihood_ratio.exp()).collect();
        let downtime: Vec<f64> = cycles.iter().zip(&weights).map(|(c, w)| c.downtime_s * w).collect();
        let incidents: Vec<f64> = cycles
            .iter()
            .zip(&weights)
            .map(|(c, w)| c.incidents as f64 * w)
            .collect();
        let length: Vec<f64> = cycles.iter().zip(&weights).map(|(c, w)| c.length_s * w).collect();
        let mean_cycle_s = 1.0 / total_rate + mean(&length);
        let unavailability = ratio(&downtime, &length, mean_cycle_s);
        let incident_rate = ratio(&incidents, &length, mean_cycle_s);
        let relative_half_width = if unavailability.mean > 0.0 {
            unavailability.half_width / unavailability.mean
        } else {
            f64::INFINITY
        };
        let sum: f64 = downtime.iter().sum();
        let sum_sq: f64 = downtime.iter().map(|w| w * w).sum();
        let largest = downtime.iter().copied().fold(0.0, f64::max);
        let effective_cycles = if sum_sq > 0.0 { sum * sum / sum_sq } else { 0.0 };
        let largest_weight_share = if sum > 0.0 { largest / sum } else { 0.0 };
        let cycles_with_downtime = cycles.iter().filter(|c| c.downtime_s > 0.0).count() as u64;
        let warning = warning(
            n as u64,
            cycles_with_downtime,
            effective_cycles,
            largest_weight_share,
            weights.iter().all(|w| w.is_finite()),
        );
        Estimate {
            cycles: n as u64,
            unavailability,
            incident_rate,
            relative_half_width,
            mean_cycle_s,
            cycles_with_downtime,
            effective_cycles,
            largest_weight_share,
            warning,
        }
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// mean(a) / denominator with its delta-method CI; the denominator is 1/Λ + mean(x).
fn ratio(a: &[f64], x: &[f64], denominator: f64) -> Ratio {
    let n = a.len();
    let r = mean(a) / denominator;
    if n < 2 {
        return Ratio {
            mean: r,
            half_width: f64::INFINITY,
        };
    }
    // The constant 1/Λ has no variance, so the residual is a − r·x.
    let residual: Vec<f64> = a.iter().zip(x).map(|(a, x)| a - r * x).collect();
    let m = mean(&residual);
    let var = residual.iter().map(|e| (e - m) * (e - m)).sum::<f64>() / (n - 1) as f64;
    Ratio {
        mean: r,
        half_width: t_quantile_975(n - 1) * var.sqrt() / ((n as f64).sqrt() * denominator),
    }
}

fn warning(cycles: u64, with_downtime: u64, effective: f64, largest_share: f64, finite: bool) -> Option<String> {
    const ADVICE: &str = "run more cycles, or set simulation.failure_bias (lower when a few cycles carry huge \
                          likelihood ratios, higher when too few cycles see downtime)";
    if !finite {
        Some(format!(
            "a likelihood ratio overflowed: the busy periods are too long for the bias; {ADVICE}"
        ))
    } else if with_downtime == 0 {
        Some(format!(
            "none of the {cycles} cycles saw downtime, so the estimate 0 says nothing; {ADVICE}"
        ))
    } else if largest_share > MAX_WEIGHT_SHARE {
        Some(format!(
            "one cycle carries {:.0} % of the downtime weight: the likelihood ratios have degenerated and the CI \
             cannot be trusted; {ADVICE}",
            largest_share * 100.0
        ))
    } else if effective < MIN_EFFECTIVE_CYCLES {
        Some(format!(
            "the {with_downtime} cycles with downtime are worth only {effective:.1} equally weighted ones (the \
             likelihood ratios vary a lot), too few for the CI to be trusted; {ADVICE}"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(length_s: f64, downtime_s: f64, log_likelihood_ratio: f64) -> BusyPeriod {
        BusyPeriod {
            length_s,
            downtime_s,
            incidents: u32::from(downtime_s > 0.0),
            log_likelihood_ratio,
            ..BusyPeriod::default()
        }
    }

    #[test]
    fn unweighted_cycles_give_renewal_reward() {
        // Λ = 1/90 s: cycles of 90 s up, then 10 s busy with 5 s down → U = 5 / 100.
        let cycles = vec![cycle(10.0, 5.0, 0.0); 50];
        let e = Estimate::of(&cycles, 1.0 / 90.0);
        assert!((e.unavailability.mean - 0.05).abs() < 1e-15);
        assert!((e.mean_cycle_s - 100.0).abs() < 1e-12);
        // Identical cycles: no variance at all.
        assert!(e.unavailability.half_width.abs() < 1e-15);
        assert_eq!(e.cycles_with_downtime, 50);
        assert!((e.effective_cycles - 50.0).abs() < 1e-9);
        assert_eq!(e.warning, None);
    }

    #[test]
    fn weights_scale_the_rare_cycles() {
        // Half the cycles are down 100 s with weight 1/100: each stands for 1 s of expected downtime.
        let mut cycles = Vec::new();
        for i in 0..2000 {
            let down = if i % 2 == 0 { 100.0 } else { 0.0 };
            let log_w = if i % 2 == 0 { (0.01f64).ln() } else { 0.0 };
            cycles.push(cycle(0.0, down, log_w));
        }
        // E[D·L] = 0.5 s, cycle 1/Λ = 1000 s → U = 5e-4.
        let e = Estimate::of(&cycles, 1e-3);
        assert!((e.unavailability.mean - 5e-4).abs() < 1e-15);
        // Var(D·L) = 0.25, SE of the mean 0.5/√2000, over 1000 s.
        let se = 0.5 / 2000f64.sqrt() / 1000.0;
        assert!((e.unavailability.half_width / (t_quantile_975(1999) * se) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn one_dominant_weight_is_a_warning() {
        let mut cycles = vec![cycle(60.0, 1.0, 0.0); 99];
        cycles.push(cycle(60.0, 1.0, 10.0));
        let e = Estimate::of(&cycles, 1e-4);
        assert!(e.largest_weight_share > 0.99);
        assert!(e.warning.unwrap().contains("degenerated"));
        let none = Estimate::of(&vec![cycle(60.0, 0.0, 0.0); 10], 1e-4);
        assert!(none.warning.unwrap().contains("saw downtime"));
        assert_eq!(none.relative_half_width, f64::INFINITY);
    }
}
