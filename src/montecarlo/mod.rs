//! Monte Carlo orchestration: many independent trials, in parallel, reduced in trial order.
//!
//! Trial `i` draws only from streams derived from `(seed, i)` (see [`crate::kernel::stream`]), and
//! results are collected by index, so a run gives the same numbers whatever the thread count and
//! however the trials are split into shards.

pub mod compare;
pub mod rare;
mod shard;
pub mod sweep;

pub use compare::{run_paired, PairedDifference, PairingError};
pub use shard::{AutoShardError, Shard, ShardError, ShardSpec};

use std::ops::Range;

use hdrhistogram::Histogram;
use rayon::prelude::*;

use std::sync::Arc;

use crate::cloud::traffic::{latency_histogram, LatencyTemplates};
use crate::cloud::{TrialOutcome, World};
use crate::scenario::Scenario;

/// What a run measured: one outcome per trial, in trial order, and distributions pooled over
/// all trials in mergeable form (integer counts, so any split of the trials adds up exactly).
pub struct RunResults {
    /// One outcome per trial, in trial order.
    pub outcomes: Vec<TrialOutcome>,
    /// Length of every incident of every trial [s].
    pub incident_seconds: Histogram<u64>,
    /// Latency of every answered request of every trial [µs]; `None` without `[traffic]`.
    pub latency_us: Option<Histogram<u64>>,
}

/// An empty histogram for incident lengths: 1 s to 10 years at 2 significant digits (1 %
/// resolution is plenty for a chart, and keeps each worker's copy small).
pub fn incident_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 10 * 365 * 86_400, 2).expect("constant, valid bounds")
}

struct Partial<'s> {
    world: World<'s>,
    outcomes: Vec<TrialOutcome>,
    incident_seconds: Histogram<u64>,
    latency_us: Option<Histogram<u64>>,
}

/// Runs `trials` of `scenario` on `threads` worker threads (all cores when `None`), calling
/// `progress` once per finished trial (from any thread).
pub fn run_trials(
    scenario: &Scenario,
    trials: Range<u64>,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<RunResults, rayon::ThreadPoolBuildError> {
    let templates = scenario
        .traffic
        .as_ref()
        .map(|t| Arc::new(LatencyTemplates::new(scenario, t)));
    let work = || -> RunResults {
        // Indexed by offset (rayon indexes usize ranges) so that parts can be kept large enough
        // to amortise the world and histograms each part builds.
        let partials: Vec<Partial> = (0..(trials.end - trials.start) as usize)
            .into_par_iter()
            .with_min_len(64)
            .map(|offset| trials.start + offset as u64)
            .fold(
                || Partial {
                    world: World::with_templates(scenario, templates.clone()),
                    outcomes: Vec::new(),
                    incident_seconds: incident_histogram(),
                    latency_us: scenario.traffic.as_ref().map(|_| latency_histogram()),
                },
                |mut p, trial| {
                    p.outcomes.push(p.world.run_trial(trial));
                    if let (Some(pooled), Some(trial)) = (p.latency_us.as_mut(), p.world.trial_latency()) {
                        // Same bounds on both sides, so adding cannot fail.
                        let _ = pooled.add(trial);
                    }
                    for d in p.world.incident_durations() {
                        p.incident_seconds.saturating_record(d.as_secs_f64().ceil() as u64);
                    }
                    progress();
                    p
                },
            )
            .collect();
        let mut results = RunResults {
            outcomes: Vec::with_capacity(trials.clone().count()),
            incident_seconds: incident_histogram(),
            latency_us: scenario.traffic.as_ref().map(|_| latency_histogram()),
        };
        for mut p in partials {
            results.outcomes.append(&mut p.outcomes);
            // Same bounds on both sides, so adding cannot fail.
            let _ = results.incident_seconds.add(&p.incident_seconds);
            if let (Some(pooled), Some(part)) = (results.latency_us.as_mut(), p.latency_us.as_ref()) {
                let _ = pooled.add(part);
            }
        }
        // Rayon's fold keeps each part in order and collect keeps parts in order; sort anyway so
        // the order never depends on how the work was split.
        results.outcomes.sort_by_key(|o| o.trial);
        results
    };
    match threads {
        None => Ok(work()),
        Some(n) => Ok(rayon::ThreadPoolBuilder::new().num_threads(n).build()?.install(work)),
    }
}

/// How a run that stops at a confidence target ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stopping {
    /// Trials run (a whole number of batches, or `max_trials`).
    pub trials: u64,
    /// Mean unavailability (1 − availability) over those trials.
    pub unavailability: f64,
    /// Half-width of its 95 % CI, relative to it (infinite while no downtime was seen).
    pub relative_half_width: f64,
    /// The target was met (else `max_trials` was reached first).
    pub met: bool,
}

/// Runs trials in fixed batches — `0..batch`, `batch..2·batch`, … — until the 95 % CI
/// half-width of the mean unavailability is at most `rel` of the estimate, or `max_trials` have
/// run. Batches are fixed and each trial's result depends only on its index, so where it stops
/// does not depend on the thread count.
pub fn run_until_ci(
    scenario: &Scenario,
    rel: f64,
    max_trials: u64,
    batch: u64,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
) -> Result<(RunResults, Stopping), rayon::ThreadPoolBuildError> {
    let batch = batch.max(2);
    let mut all: Option<RunResults> = None;
    let mut done = 0;
    loop {
        let end = (done + batch).min(max_trials);
        let part = run_trials(scenario, done..end, threads, progress)?;
        done = end;
        let results = match all.take() {
            None => part,
            Some(mut acc) => {
                acc.outcomes.extend(part.outcomes);
                let _ = acc.incident_seconds.add(&part.incident_seconds);
                if let (Some(a), Some(b)) = (acc.latency_us.as_mut(), part.latency_us.as_ref()) {
                    let _ = a.add(b);
                }
                acc
            }
        };
        let unavailability: Vec<f64> = results.outcomes.iter().map(|o| 1.0 - o.availability).collect();
        let s = crate::report::stats::MetricSummary::of(&unavailability);
        let relative = if s.mean > 0.0 {
            s.ci95_half_width() / s.mean
        } else {
            f64::INFINITY
        };
        let met = relative <= rel;
        all = Some(results);
        if met || done >= max_trials {
            let stopping = Stopping {
                trials: done,
                unavailability: s.mean,
                relative_half_width: relative,
                met,
            };
            return Ok((all.expect("set just above"), stopping));
        }
    }
}
