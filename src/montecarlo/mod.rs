//! Monte Carlo orchestration: many independent trials, in parallel, reduced in trial order.
//!
//! Trial `i` draws only from streams derived from `(seed, i)` (see [`crate::kernel::stream`]), and
//! results are collected by index, so a run gives the same numbers whatever the thread count and
//! however the trials are split into shards.

mod shard;

pub use shard::{Shard, ShardError};

use std::ops::Range;

use rayon::prelude::*;

use crate::cloud::{TrialOutcome, World};
use crate::scenario::Scenario;

/// Runs `trials` of `scenario` on `threads` worker threads (all cores when `None`), calling
/// `progress` once per finished trial (from any thread). Outcomes come back in trial order.
pub fn run_trials(
    scenario: &Scenario,
    trials: Range<u64>,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<TrialOutcome>, rayon::ThreadPoolBuildError> {
    let work = || -> Vec<TrialOutcome> {
        trials
            .clone()
            .into_par_iter()
            .map_init(
                || World::new(scenario),
                |world, trial| {
                    let outcome = world.run_trial(trial);
                    progress();
                    outcome
                },
            )
            .collect()
    };
    match threads {
        None => Ok(work()),
        Some(n) => Ok(rayon::ThreadPoolBuilder::new().num_threads(n).build()?.install(work)),
    }
}
