//! Monte Carlo orchestration: many independent trials, in parallel, reduced in trial order.
//!
//! Trial `i` draws only from streams derived from `(seed, i)` (see [`crate::kernel::stream`]),
//! rows come back in trial order, and everything kept across trials adds up exactly (integer
//! sums and counts), so a run gives the same numbers whatever the thread count and however the
//! trials are split into blocks or shards.

pub mod compare;
pub mod rare;
mod shard;
mod stream;
pub mod sweep;

pub use compare::{run_paired, PairedDifference, PairingError};
pub use shard::{AutoShardError, Shard, ShardError, ShardSpec};
pub use stream::{BLOCK_TRIALS, WINDOW_TRIALS};

use std::ops::Range;

use hdrhistogram::Histogram;

use crate::cloud::traffic::latency_histogram;
use crate::cloud::TrialOutcome;
use crate::report::accumulate::MetricAccumulators;
use crate::scenario::Scenario;

use stream::Runner;

/// What a run measured, in mergeable form whose size does not grow with the number of trials:
/// every metric accumulated (exact sums, extremes and a histogram), and distributions pooled over
/// all trials (integer counts). Any split of the trials adds up to the same bits.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResults {
    /// The half-open trial index ranges covered, ascending.
    pub trial_ranges: Vec<(u64, u64)>,
    /// Every metric of `summary.json` over the trials.
    pub metrics: MetricAccumulators,
    /// Length of every incident of every trial [s].
    pub incident_seconds: Histogram<u64>,
    /// Latency of every answered request of every trial [µs]; `None` without `[traffic]`.
    pub latency_us: Option<Histogram<u64>>,
}

impl RunResults {
    /// No trials yet.
    pub fn new(scenario: &Scenario) -> Self {
        RunResults {
            trial_ranges: Vec::new(),
            metrics: MetricAccumulators::default(),
            incident_seconds: incident_histogram(),
            latency_us: scenario.traffic.as_ref().map(|_| latency_histogram()),
        }
    }

    /// Trials covered.
    pub fn trials(&self) -> u64 {
        self.trial_ranges.iter().map(|(a, b)| b - a).sum()
    }

    /// Folds rows of consecutive trials, following the ones folded last, into the metrics.
    fn record(&mut self, rows: &[TrialOutcome]) {
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return;
        };
        match self.trial_ranges.last_mut() {
            Some(range) if range.1 == first.trial => range.1 = last.trial + 1,
            _ => self.trial_ranges.push((first.trial, last.trial + 1)),
        }
        for o in rows {
            self.metrics.record(o);
        }
    }
}

/// An empty histogram for incident lengths: 1 s to 10 years at 2 significant digits (1 %
/// resolution is plenty for a chart, and keeps each worker's copy small).
pub fn incident_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 10 * 365 * 86_400, 2).expect("constant, valid bounds")
}

/// Runs `trials` of `scenario` on `threads` worker threads (all cores when `None`), as a stream
/// of blocks of [`BLOCK_TRIALS`] consecutive trials: their rows go to `rows` in trial order (to
/// stream `trials.csv`), are folded into the results and dropped. `progress` is called once per
/// finished trial (from any thread). An error from `rows` stops the run.
pub fn run_trials<E: From<rayon::ThreadPoolBuildError>>(
    scenario: &Scenario,
    trials: Range<u64>,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
    rows: &mut dyn FnMut(&[TrialOutcome]) -> Result<(), E>,
) -> Result<RunResults, E> {
    let scenarios = std::slice::from_ref(scenario);
    let runner = Runner::new(scenarios, threads)?;
    let mut results = RunResults::new(scenario);
    run_stream(&runner, &mut results, trials, progress, rows)?;
    runner.pool_histograms(0, &mut results);
    Ok(results)
}

/// Streams `trials` of the runner's one scenario: each block's rows go to `rows`, then into
/// `results`, on this thread while the workers run on.
fn run_stream<E>(
    runner: &Runner,
    results: &mut RunResults,
    trials: Range<u64>,
    progress: &(dyn Fn() + Sync),
    rows: &mut dyn FnMut(&[TrialOutcome]) -> Result<(), E>,
) -> Result<(), E> {
    runner.stream(trials, progress, &mut |block| {
        rows(&block[0])?;
        results.record(&block[0]);
        Ok(())
    })
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
/// does not depend on the thread count. Rows go to `rows` as in [`run_trials`].
pub fn run_until_ci<E: From<rayon::ThreadPoolBuildError>>(
    scenario: &Scenario,
    rel: f64,
    max_trials: u64,
    batch: u64,
    threads: Option<usize>,
    progress: &(dyn Fn() + Sync),
    rows: &mut dyn FnMut(&[TrialOutcome]) -> Result<(), E>,
) -> Result<(RunResults, Stopping), E> {
    let batch = batch.max(2);
    let scenarios = std::slice::from_ref(scenario);
    let runner = Runner::new(scenarios, threads)?;
    let mut results = RunResults::new(scenario);
    let mut done = 0;
    loop {
        let end = (done + batch).min(max_trials);
        run_stream(&runner, &mut results, done..end, progress, rows)?;
        done = end;
        // Availability is kept as unavailability (its shortfall), exactly what the target is on.
        let unavailability = &results.metrics.availability.moments;
        let mean = unavailability.mean();
        let relative = if mean > 0.0 {
            unavailability.ci95_half_width() / mean
        } else {
            f64::INFINITY
        };
        let met = relative <= rel;
        if met || done >= max_trials {
            runner.pool_histograms(0, &mut results);
            let stopping = Stopping {
                trials: done,
                unavailability: mean,
                relative_half_width: relative,
                met,
            };
            return Ok((results, stopping));
        }
    }
}
