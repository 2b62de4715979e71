//! Rare-event availability: the regenerative estimator with failure biasing (Shahabuddin 1994;
//! Goyal, Heidelberger, Shahabuddin et al.), on the full world model.
//!
//! A good multi-zone design is DOWN so rarely (10⁻⁷ of the time) that plain trials almost never
//! see it. This method cuts time into cycles at the world's regeneration state, where everything
//! works (see `crate::cloud` `regeneration`). The stay there is exponential with the known total
//! failure rate Λ, so it is not simulated; only the busy period after the first failure is, with
//! the full model (health checks, replacement, DNS failover, AZRebalance, exactly as plain
//! trials) and every failure clock running β times faster, so that the overlapping failures that
//! cause downtime happen often. Weighting each busy period by its likelihood ratio keeps the
//! estimate unbiased ([`Estimate`] has the formulas).
//!
//! Cycle `i` draws only from streams of `(seed, i)` and results are reduced in cycle order, so a
//! run gives the same numbers whatever the thread count.

mod estimate;

pub use estimate::{Estimate, Ratio};

use std::ops::Range;

use rayon::prelude::*;

use crate::cloud::{BusyPeriod, FailureBiasing, NoRegeneration, World};
use crate::kernel::SimTime;
use crate::scenario::Scenario;

/// The longest a busy period may run before the world counts as unable to return to
/// all-working: far beyond any repair, so only a world that is stuck reaches it.
pub const BUSY_PERIOD_LIMIT: SimTime = SimTime(10 * 365 * SimTime::DAY.0);

/// Why a run of cycles could not finish.
#[derive(Debug, thiserror::Error)]
pub enum RareEventError {
    /// The worker threads could not start.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// A busy period did not end: the method does not fit the scenario.
    #[error(transparent)]
    NoRegeneration(#[from] NoRegeneration),
}

/// What a run of failure biasing found.
pub struct CycleResults {
    /// The failure processes and β the cycles ran with.
    pub biasing: FailureBiasing,
    /// One busy period per cycle, in cycle order.
    pub cycles: Vec<BusyPeriod>,
    /// The estimate from all of them.
    pub estimate: Estimate,
}

/// Runs cycles `cycles` of `scenario` (which passed the checks of `method = "failure_biasing"`)
/// on `threads` worker threads (all cores when `None`), calling `progress` once per cycle.
pub fn run_cycles(
    scenario: &Scenario,
    cycles: Range<u64>,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<CycleResults, RareEventError> {
    let biasing = FailureBiasing::new(scenario);
    let busy = busy_periods(scenario, &biasing, cycles, threads, progress)?;
    let estimate = Estimate::of(&busy, biasing.total_rate());
    Ok(CycleResults {
        biasing,
        cycles: busy,
        estimate,
    })
}

/// Runs fixed batches of cycles — `0..batch`, `batch..2·batch`, … — until the 95 % CI half-width
/// of the unavailability is at most `rel` of the estimate and the likelihood ratios look sound,
/// or `max_cycles` have run. Returns whether the target was met. Batches are fixed and each
/// cycle depends only on its index, so where it stops does not depend on the thread count.
pub fn run_cycles_until_ci(
    scenario: &Scenario,
    rel: f64,
    max_cycles: u64,
    batch: u64,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<(CycleResults, bool), RareEventError> {
    let biasing = FailureBiasing::new(scenario);
    let batch = batch.max(2);
    let mut all = Vec::new();
    loop {
        let done = all.len() as u64;
        let end = (done + batch).min(max_cycles);
        all.extend(busy_periods(scenario, &biasing, done..end, threads, progress)?);
        let estimate = Estimate::of(&all, biasing.total_rate());
        let met = estimate.relative_half_width <= rel && estimate.warning.is_none();
        if met || end >= max_cycles {
            let results = CycleResults {
                biasing,
                cycles: all,
                estimate,
            };
            return Ok((results, met));
        }
    }
}

fn busy_periods(
    scenario: &Scenario,
    biasing: &FailureBiasing,
    cycles: Range<u64>,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<BusyPeriod>, RareEventError> {
    // The world stops a busy period at its horizon.
    let mut limited = scenario.clone();
    limited.simulation.horizon = BUSY_PERIOD_LIMIT;
    let work = || -> Vec<Result<BusyPeriod, NoRegeneration>> {
        // Indexed by offset (rayon indexes usize ranges), in parts large enough to amortise the
        // world each part builds.
        (0..(cycles.end - cycles.start) as usize)
            .into_par_iter()
            .with_min_len(256)
            .map_init(
                || World::new(&limited),
                |world, offset| {
                    let busy = world.run_busy_period(cycles.start + offset as u64, biasing);
                    progress();
                    busy
                },
            )
            .collect()
    };
    let results = match threads {
        None => work(),
        Some(n) => rayon::ThreadPoolBuilder::new().num_threads(n).build()?.install(work),
    };
    // The first failing cycle in cycle order, whatever thread met it first.
    Ok(results.into_iter().collect::<Result<_, _>>()?)
}
