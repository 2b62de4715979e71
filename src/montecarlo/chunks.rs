//! Running trials a chunk at a time: each chunk's trials in parallel, its rows back in trial
//! order, and nothing kept from it but what the pooled histograms hold. Memory then depends on
//! the chunk size, not on the number of trials.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use hdrhistogram::Histogram;
use rayon::prelude::*;

use crate::cloud::traffic::{latency_histogram, LatencyTemplates};
use crate::cloud::{TrialOutcome, World};
use crate::scenario::Scenario;

use super::{incident_histogram, RunResults};

/// Trials per chunk: enough to keep both cores busy between the chunk's rows being written, few
/// enough that the rows (about 200 bytes each) stay under a megabyte.
pub const CHUNK_TRIALS: u64 = 4096;

/// A worker's world and the histograms it has pooled so far. Workers are kept between chunks,
/// so that a world is built once per worker, not once per chunk.
struct Worker<'s> {
    world: World<'s>,
    incident_seconds: Histogram<u64>,
    latency_us: Option<Histogram<u64>>,
}

/// Runs chunks of trials of one or more scenarios on a thread pool.
pub struct Runner<'s> {
    scenarios: &'s [Scenario],
    pool: Option<rayon::ThreadPool>,
    templates: Vec<Option<Arc<LatencyTemplates>>>,
    /// Per scenario, the workers not busy now.
    idle: Vec<Mutex<Vec<Worker<'s>>>>,
}

impl<'s> Runner<'s> {
    /// A runner on `threads` worker threads (the global pool, all cores, when `None`).
    pub fn new(scenarios: &'s [Scenario], threads: Option<usize>) -> Result<Self, rayon::ThreadPoolBuildError> {
        let pool = threads
            .map(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build())
            .transpose()?;
        let templates = scenarios
            .iter()
            .map(|s| s.traffic.as_ref().map(|t| Arc::new(LatencyTemplates::new(s, t))))
            .collect();
        Ok(Runner {
            scenarios,
            pool,
            templates,
            idle: scenarios.iter().map(|_| Mutex::new(Vec::new())).collect(),
        })
    }

    /// Runs `trials` (at most a chunk) of every scenario, in parallel, and returns each
    /// scenario's rows in trial order.
    pub fn chunk(&self, trials: Range<u64>, progress: &(dyn Fn() + Sync)) -> Vec<Vec<TrialOutcome>> {
        let work = || {
            (0..self.scenarios.len())
                .into_par_iter()
                .map(|i| self.scenario_chunk(i, trials.clone(), progress))
                .collect()
        };
        match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }

    fn checkout(&self, i: usize) -> Worker<'s> {
        let spare = self.idle[i].lock().unwrap_or_else(|e| e.into_inner()).pop();
        spare.unwrap_or_else(|| {
            let s = &self.scenarios[i];
            Worker {
                world: World::with_templates(s, self.templates[i].clone()),
                incident_seconds: incident_histogram(),
                latency_us: s.traffic.as_ref().map(|_| latency_histogram()),
            }
        })
    }

    fn scenario_chunk(&self, i: usize, trials: Range<u64>, progress: &(dyn Fn() + Sync)) -> Vec<TrialOutcome> {
        // Indexed by offset (rayon indexes usize ranges); parts of at least 64 trials keep the
        // checkout of a worker rare.
        let parts: Vec<(Worker, Vec<TrialOutcome>)> = (0..(trials.end - trials.start) as usize)
            .into_par_iter()
            .with_min_len(64)
            .map(|offset| trials.start + offset as u64)
            .fold(
                || (self.checkout(i), Vec::new()),
                |(mut w, mut rows), trial| {
                    rows.push(w.world.run_trial(trial));
                    if let Some(pooled) = w.latency_us.as_mut() {
                        w.world.add_trial_latency(pooled);
                    }
                    for d in w.world.incident_durations() {
                        w.incident_seconds.saturating_record(d.as_secs_f64().ceil() as u64);
                    }
                    progress();
                    (w, rows)
                },
            )
            .collect();
        let mut idle = self.idle[i].lock().unwrap_or_else(|e| e.into_inner());
        let mut rows = Vec::with_capacity(trials.end.saturating_sub(trials.start) as usize);
        for (worker, mut part) in parts {
            idle.push(worker);
            rows.append(&mut part);
        }
        // Rayon's fold keeps each part in order and collect keeps parts in order; sort anyway so
        // the order never depends on how the work was split.
        rows.sort_by_key(|o| o.trial);
        rows
    }

    /// Adds every worker's pooled histograms of scenario `i` into `results` (counts add up the
    /// same whichever worker ran which trial).
    pub fn pool_histograms(&self, i: usize, results: &mut RunResults) {
        for w in self.idle[i].lock().unwrap_or_else(|e| e.into_inner()).iter_mut() {
            // Same bounds on both sides, so adding cannot fail.
            let _ = results.incident_seconds.add(&w.incident_seconds);
            w.incident_seconds.reset();
            if let (Some(pooled), Some(part)) = (results.latency_us.as_mut(), w.latency_us.as_mut()) {
                let _ = pooled.add(&*part);
                part.reset();
            }
        }
    }
}

/// `trials` cut into chunks of [`CHUNK_TRIALS`] consecutive indices.
pub fn chunks(trials: Range<u64>) -> impl Iterator<Item = Range<u64>> {
    (trials.start..trials.end)
        .step_by(CHUNK_TRIALS as usize)
        .map(move |start| start..(start + CHUNK_TRIALS).min(trials.end))
}
