//! Paired runs: several scenarios (`nines compare`) or grid points (`nines sweep`) run over the
//! same trial indices with the same seed, so that trial `i` of each draws the same random streams
//! (common random numbers), and statistics of the per-trial differences.
//!
//! Pairing makes differences sharp: a zone outage that hits trial 17 of the baseline hits trial
//! 17 of the alternative too, so the noise of "which year was unlucky" cancels in the difference
//! and the paired CI is much narrower than comparing two independent means.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::stream::Runner;
use super::RunResults;
use crate::cloud::TrialOutcome;
use crate::report::accumulate::Moments;
use crate::scenario::Scenario;

/// Why scenarios cannot be run paired.
#[derive(Debug, thiserror::Error)]
pub enum PairingError {
    /// Paired runs need the same seed and trial count everywhere.
    #[error("scenario {index} has seed {seed} and {trials} trials; paired runs need those of the first ({seed0}, {trials0})")]
    Mismatch {
        /// The scenario at fault.
        index: usize,
        /// Its seed.
        seed: u64,
        /// Its trial count.
        trials: u64,
        /// The first scenario's seed.
        seed0: u64,
        /// The first scenario's trial count.
        trials0: u64,
    },
    /// The worker threads could not be started.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// Takes a block's rows of every scenario, side by side.
pub type PairedRows<'a, E> = dyn FnMut(&[Vec<TrialOutcome>]) -> Result<(), E> + 'a;

/// Runs trials `0..trials` of every scenario (all with the same seed and trial count) on
/// `threads` worker threads (all cores when `None`), side by side a block of trials at a time:
/// `rows` gets each block's rows of every scenario (in the order of `scenarios`, each in trial
/// order; the blocks in trial order) while they are in memory, to write them or to compare trial
/// `i` across scenarios.
///
/// Each worker runs a block for every scenario, and the blocks run in parallel, in one pool;
/// results come back in the order of `scenarios`, and do not depend on the thread count.
pub fn run_paired<E: From<PairingError>>(
    scenarios: &[Scenario],
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
    rows: &mut PairedRows<E>,
) -> Result<Vec<RunResults>, E> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let (seed0, trials0) = (first.simulation.seed, first.simulation.trials);
    for (index, s) in scenarios.iter().enumerate() {
        if (s.simulation.seed, s.simulation.trials) != (seed0, trials0) {
            return Err(PairingError::Mismatch {
                index,
                seed: s.simulation.seed,
                trials: s.simulation.trials,
                seed0,
                trials0,
            }
            .into());
        }
    }
    let runner = Runner::new(scenarios, threads).map_err(PairingError::from)?;
    let mut results: Vec<RunResults> = scenarios.iter().map(RunResults::new).collect();
    runner.stream::<E>(0..trials0, progress, &mut |block| {
        rows(block)?;
        for (r, d) in results.iter_mut().zip(block) {
            r.record(d);
        }
        Ok(())
    })?;
    for (i, r) in results.iter_mut().enumerate() {
        runner.pool_histograms(i, r);
    }
    Ok(results)
}

/// The mean of paired differences `other[i] − baseline[i]`, with its Student-t 95 % CI and the
/// two-sided p-value of the paired t-test of "no difference". The differences are accumulated
/// as the trials run ([`Moments`]: exact fixed-point sums), not kept.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PairedDifference {
    /// Mean of the per-trial differences.
    pub mean: f64,
    /// 95 % CI of the mean difference.
    pub ci95_low: f64,
    /// Upper end of the 95 % CI.
    pub ci95_high: f64,
    /// Sample standard deviation of the differences.
    pub std_dev: f64,
    /// Two-sided p-value of the paired t-test (1 when every difference is zero).
    pub p_value: f64,
    /// Pairs compared.
    pub pairs: u64,
}

impl PairedDifference {
    /// Statistics of the accumulated differences `d`.
    pub fn of(d: &Moments) -> PairedDifference {
        let n = d.count;
        if n == 0 {
            return PairedDifference {
                mean: f64::NAN,
                ci95_low: f64::NAN,
                ci95_high: f64::NAN,
                std_dev: f64::NAN,
                p_value: f64::NAN,
                pairs: 0,
            };
        }
        let mean = d.mean();
        let var = d.variance();
        let std_dev = var.sqrt();
        let se = std_dev / (n as f64).sqrt();
        let t_dist = (n > 1).then(|| StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()).flatten();
        let (half, p_value) = match t_dist {
            Some(t) if se > 0.0 => {
                let stat = mean / se;
                (
                    t.inverse_cdf(0.975) * se,
                    (2.0 * (1.0 - t.cdf(stat.abs()))).clamp(0.0, 1.0),
                )
            }
            // No spread: either identical (no evidence of a difference) or the same difference in
            // every pair (as certain as it gets).
            _ => (0.0, if mean == 0.0 { 1.0 } else { 0.0 }),
        };
        PairedDifference {
            mean,
            ci95_low: mean - half,
            ci95_high: mean + half,
            std_dev,
            p_value,
            pairs: n,
        }
    }

    /// The difference is statistically significant at the 5 % level: its 95 % CI excludes 0.
    pub fn significant(&self) -> bool {
        self.p_value < 0.05
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::accumulate::LINEAR_BITS;

    fn diff(baseline: &[f64], other: &[f64]) -> PairedDifference {
        let mut d = Moments::new(LINEAR_BITS);
        baseline.iter().zip(other).for_each(|(b, o)| d.record(o - b));
        PairedDifference::of(&d)
    }

    #[test]
    fn a_known_paired_t_test() {
        // d = 1, 2, 3, 4, 5: mean 3, sd √2.5, se √0.5; t = 3/√0.5 = 4.2426 on 4 df:
        // two-sided p = 0.01324; CI half-width 2.776445·√0.5 = 1.963243.
        let base = [10.0, 10.0, 10.0, 10.0, 10.0];
        let other = [11.0, 12.0, 13.0, 14.0, 15.0];
        let d = diff(&base, &other);
        assert_eq!(d.mean, 3.0);
        assert!((d.ci95_high - d.mean - 1.963_243).abs() < 1e-5, "{d:?}");
        assert!((d.p_value - 0.013_24).abs() < 1e-4, "{d:?}");
        assert!(d.significant());
    }

    #[test]
    fn pairing_cancels_shared_noise() {
        // Large shared noise, a small constant effect: unpaired means could not tell, pairs can.
        let base: Vec<f64> = (0..100).map(|i| ((i * 7919) % 101) as f64 * 10.0).collect();
        let other: Vec<f64> = base.iter().map(|b| b + 0.5).collect();
        let d = diff(&base, &other);
        assert_eq!((d.mean, d.std_dev, d.p_value), (0.5, 0.0, 0.0));
        assert!(d.significant());
    }

    #[test]
    fn identical_runs_are_not_different() {
        let d = diff(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]);
        assert_eq!((d.mean, d.p_value), (0.0, 1.0));
        assert!(!d.significant());
    }

    #[test]
    fn mismatched_seeds_are_refused() {
        let text = "[simulation]\nhorizon = \"1d\"\ntrials = 3\n[[zones]]\nname = \"a\"\n[fleet]\nzones = [\"a\"]\ndesired = 1\n";
        let a = crate::scenario::parse(text, "<t>", "a").unwrap();
        let mut b = a.clone();
        b.simulation.seed += 1;
        let r = run_paired::<PairingError>(&[a, b], Some(1), &|| {}, &mut |_| Ok(()));
        assert!(matches!(r, Err(PairingError::Mismatch { index: 1, .. })));
    }
}
