//! Trials as one continuous stream, with no barrier anywhere in a run. Each worker (one
//! long-lived task per pool thread, with its own worlds for the whole stream) claims the next
//! block of [`BLOCK_TRIALS`] consecutive trial indices from a shared counter, runs it for every
//! scenario and sends the block's rows to the calling thread, which puts blocks back in trial
//! order and hands them on. So the cores are busy until the last block, while the caller sees
//! rows exactly as if one thread had run every trial in order.
//!
//! Memory is bounded by a window: a worker runs a block only once it is less than
//! [`WINDOW_TRIALS`] ahead of the next block the caller takes, so however slow one trial is, at
//! most `WINDOW_TRIALS + BLOCK_TRIALS` rows per scenario are held (the window, waiting or in the
//! reorder buffer, and the block being handed on), whatever the number of trials.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use hdrhistogram::Histogram;

use crate::cloud::traffic::{latency_histogram, LatencyTemplates};
use crate::cloud::{TrialOutcome, World};
use crate::scenario::Scenario;

use super::compare::PairedRows;
use super::{incident_histogram, RunResults};

/// Trials per block. A block of the availability-only `multi-az.toml` (≈40 µs a trial) is over
/// a millisecond of work, so what a block costs besides its trials (a claim, a lock, a message,
/// a row vector per scenario: a few µs) stays under 1 %; and at the end of a run a core waits
/// for at most the other's last block.
pub const BLOCK_TRIALS: u64 = 32;

/// How far ahead of the caller the workers may run (in trials): the bound on memory, about a
/// megabyte of rows (some 200 bytes each) per scenario. While one block is held up by a slow
/// trial, the other workers run on through the rest of the window, some 4,000 trials' time.
pub const WINDOW_TRIALS: u64 = 4096;

const WINDOW_BLOCKS: u64 = WINDOW_TRIALS / BLOCK_TRIALS;

/// One block's rows of every scenario (in the order of the scenarios), each in trial order.
type Block = Vec<Vec<TrialOutcome>>;

/// A world of one scenario and the histograms it has pooled so far. A worker keeps one per
/// scenario for the whole stream, and the runner keeps them between streams, so that a world is
/// built once per worker thread, not once per block or per batch.
struct Worker<'s> {
    world: World<'s>,
    incident_seconds: Histogram<u64>,
    latency_us: Option<Histogram<u64>>,
}

impl Worker<'_> {
    /// Runs `trials` in order, pooling their distributions, and returns their rows.
    fn run(&mut self, trials: Range<u64>, progress: &(dyn Fn() + Sync)) -> Vec<TrialOutcome> {
        trials
            .map(|trial| {
                let row = self.world.run_trial(trial);
                if let Some(pooled) = self.latency_us.as_mut() {
                    self.world.add_trial_latency(pooled);
                }
                for d in self.world.incident_durations() {
                    self.incident_seconds.saturating_record(d.as_secs_f64().ceil() as u64);
                }
                progress();
                row
            })
            .collect()
    }
}

/// Streams trials of one or more scenarios on a thread pool.
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

    /// Runs `trials` of every scenario, and hands their rows to `consume` on this thread, a
    /// block at a time, in trial order: each call gets the same trials of every scenario, side
    /// by side. `progress` is called once per finished trial, from any thread. An error from
    /// `consume` stops the workers and is returned; a panic in a worker is passed on.
    ///
    /// The workers are the runner's pool, or without one the global pool (called from a rayon
    /// thread, that thread's pool, which then needs another thread free).
    pub fn stream<E>(
        &self,
        trials: Range<u64>,
        progress: &(dyn Fn() + Sync),
        consume: &mut PairedRows<E>,
    ) -> Result<(), E> {
        let gate = Gate::new(trials.end.saturating_sub(trials.start).div_ceil(BLOCK_TRIALS));
        let (tx, rx) = channel();
        // In place: this thread stays out of the pool, free to take the rows.
        let complete = match &self.pool {
            Some(pool) => pool.in_place_scope(|scope| {
                self.spawn_workers(scope, pool.current_num_threads(), &trials, &gate, tx, progress);
                reorder(&gate, rx, consume)
            }),
            None => rayon::in_place_scope(|scope| {
                self.spawn_workers(scope, rayon::current_num_threads(), &trials, &gate, tx, progress);
                reorder(&gate, rx, consume)
            }),
        }?;
        // Workers only stop early when this thread stops them or one panics, and the scope has
        // passed any panic on by now.
        assert!(complete, "the trial workers stopped before the last block");
        Ok(())
    }

    /// Spawns one worker per pool thread (no more than there are blocks), each with a sender of
    /// its own: once all of them are gone, so is the channel.
    fn spawn_workers<'a>(
        &'a self,
        scope: &rayon::Scope<'a>,
        threads: usize,
        trials: &'a Range<u64>,
        gate: &'a Gate,
        tx: Sender<(u64, Block)>,
        progress: &'a (dyn Fn() + Sync),
    ) {
        for _ in 0..(threads as u64).min(gate.blocks) {
            let tx = tx.clone();
            scope.spawn(move |_| self.work(trials, gate, tx, progress));
        }
    }

    /// One worker's life: claims blocks until none is left or the stream stops, runs each for
    /// every scenario and sends the rows to the calling thread.
    fn work(&self, trials: &Range<u64>, gate: &Gate, tx: Sender<(u64, Block)>, progress: &(dyn Fn() + Sync)) {
        let _stop = StopOnPanic(gate);
        // Checked out at the first block, so that a worker that finds none builds no world.
        let mut mine: Vec<Worker<'s>> = Vec::new();
        while let Some(b) = gate.claim() {
            if mine.is_empty() {
                mine = (0..self.scenarios.len()).map(|i| self.checkout(i)).collect();
            }
            let start = trials.start + b * BLOCK_TRIALS;
            let block = start..(start + BLOCK_TRIALS).min(trials.end);
            let rows = mine.iter_mut().map(|w| w.run(block.clone(), progress)).collect();
            if tx.send((b, rows)).is_err() {
                break; // The caller has stopped taking rows.
            }
        }
        for (idle, w) in self.idle.iter().zip(mine) {
            idle.lock().unwrap_or_else(|e| e.into_inner()).push(w);
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

/// Takes the blocks as they come and hands them to `consume` in block order. Returns whether
/// every block was handed on; `false` means the workers all left without sending one, which
/// only a worker's panic does (the scope passes that panic on).
fn reorder<E>(gate: &Gate, rx: Receiver<(u64, Block)>, consume: &mut PairedRows<E>) -> Result<bool, E> {
    // However this returns (an error, a panic in `consume`), workers waiting on the window go.
    let _stop = StopOnDrop(gate);
    // Every block sent and not taken is within the window of the next one, so a ring of one slot
    // per block of the window holds them all without two ever sharing a slot.
    let slots = gate.blocks.min(WINDOW_BLOCKS);
    let slot = |b: u64| (b % slots) as usize;
    let mut ring: Vec<Option<Block>> = (0..slots).map(|_| None).collect();
    for next in 0..gate.blocks {
        let rows = loop {
            if let Some(rows) = ring[slot(next)].take() {
                break rows;
            }
            let Ok((b, rows)) = rx.recv() else {
                return Ok(false);
            };
            debug_assert!(b >= next && b < next + WINDOW_BLOCKS && ring[slot(b)].is_none());
            ring[slot(b)] = Some(rows);
        };
        // Taken before it is handed on: the workers may move on while the rows are written.
        gate.taken(next + 1);
        consume(&rows)?;
    }
    Ok(true)
}

/// What the workers and the calling thread share: the next block to claim, and how far the
/// calling thread has got.
struct Gate {
    /// Blocks in the stream.
    blocks: u64,
    /// The next block to claim.
    next: AtomicU64,
    /// Blocks the calling thread has taken (those below this index).
    taken: Mutex<u64>,
    /// Signalled when `taken` moves or the stream stops.
    moved: Condvar,
    /// The stream stops early: the calling thread stopped taking rows, or a worker panicked.
    stopped: AtomicBool,
}

impl Gate {
    fn new(blocks: u64) -> Self {
        Gate {
            blocks,
            next: AtomicU64::new(0),
            taken: Mutex::new(0),
            moved: Condvar::new(),
            stopped: AtomicBool::new(false),
        }
    }

    /// The next block, once it is within the window of the calling thread; `None` when every
    /// block is claimed or the stream has stopped.
    fn claim(&self) -> Option<u64> {
        let b = self.next.fetch_add(1, Relaxed);
        if b >= self.blocks {
            return None;
        }
        // The block the caller waits for is never beyond the window, so this cannot deadlock.
        let mut taken = self.lock();
        while b >= *taken + WINDOW_BLOCKS && !self.stopped.load(Relaxed) {
            taken = self.moved.wait(taken).unwrap_or_else(|e| e.into_inner());
        }
        (!self.stopped.load(Relaxed)).then_some(b)
    }

    /// The calling thread has taken every block below `blocks`.
    fn taken(&self, blocks: u64) {
        *self.lock() = blocks;
        self.moved.notify_all();
    }

    /// No more claims; wakes the workers waiting on the window.
    fn stop(&self) {
        self.stopped.store(true, Relaxed);
        // Under the lock, so that a worker between its check and its wait is not missed.
        drop(self.lock());
        self.moved.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, u64> {
        self.taken.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Stops the stream when dropped (the calling thread's side).
struct StopOnDrop<'g>(&'g Gate);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Stops the stream if a worker panics: the block it held never comes, so the others must not
/// wait for the window to move past it, and the calling thread sees the channel close.
struct StopOnPanic<'g>(&'g Gate);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    /// One zone, one instance, a day: a trial takes microseconds.
    fn scenario() -> Scenario {
        let text = "[simulation]\nhorizon = \"1d\"\ntrials = 3\n[[zones]]\nname = \"a\"\n[fleet]\nzones = [\"a\"]\ndesired = 1\n";
        crate::scenario::parse(text, "<t>", "t").unwrap()
    }

    /// Runs `f` on a thread of its own, failing the test if it takes more than a minute (it
    /// hangs) instead of hanging the test run.
    fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(Duration::from_secs(60)).expect("the stream hangs")
    }

    #[test]
    fn blocks_come_in_trial_order_side_by_side() {
        let got = within_a_minute(|| {
            let scenarios = [scenario(), scenario()];
            let runner = Runner::new(&scenarios, Some(2)).unwrap();
            // Trials of uneven length, so that blocks finish out of order.
            let n = AtomicUsize::new(0);
            let jitter = || {
                if n.fetch_add(1, Relaxed) % 97 == 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            };
            let mut got = Vec::new();
            let trials = 5..(5 + 2 * WINDOW_TRIALS + 40);
            runner
                .stream::<()>(trials, &jitter, &mut |block| {
                    assert!(block[0].len() as u64 <= BLOCK_TRIALS);
                    assert_eq!(block[0], block[1], "the same trials of both scenarios");
                    got.extend(block[0].iter().map(|o| o.trial));
                    Ok(())
                })
                .unwrap();
            got
        });
        assert!(got.iter().copied().eq(5..(5 + 2 * WINDOW_TRIALS + 40)));
    }

    #[test]
    fn an_error_from_the_consumer_stops_the_run_and_is_returned() {
        let (result, calls, trials_run) = within_a_minute(|| {
            let scenarios = [scenario()];
            let runner = Runner::new(&scenarios, Some(2)).unwrap();
            let ran = AtomicUsize::new(0);
            let mut calls = 0;
            let result = runner.stream(
                0..100 * WINDOW_TRIALS,
                &|| {
                    ran.fetch_add(1, Relaxed);
                },
                &mut |_| {
                    calls += 1;
                    if calls == 3 {
                        // Once the workers have run up to the window, and wait on it.
                        while (ran.load(Relaxed) as u64) < WINDOW_TRIALS {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        Err("disk full")
                    } else {
                        Ok(())
                    }
                },
            );
            (result, calls, ran.into_inner() as u64)
        });
        assert_eq!(result, Err("disk full"));
        assert_eq!(calls, 3, "no rows after the error");
        // The workers stopped claiming: at most the window (and a block each) past the error.
        assert!(
            trials_run <= 3 * BLOCK_TRIALS + WINDOW_TRIALS + 2 * BLOCK_TRIALS,
            "{trials_run}"
        );
    }

    #[test]
    fn a_panic_in_a_worker_is_passed_on() {
        let panic = within_a_minute(|| {
            let scenarios = [scenario()];
            let runner = Runner::new(&scenarios, Some(2)).unwrap();
            let ran = AtomicUsize::new(0);
            // The other worker fills the window behind the lost block, and must not wait forever.
            let progress = || {
                if ran.fetch_add(1, Relaxed) == 100 {
                    panic!("trial 100 went wrong");
                }
            };
            catch_unwind(AssertUnwindSafe(|| {
                runner.stream::<()>(0..4 * WINDOW_TRIALS, &progress, &mut |_| Ok(()))
            }))
            .expect_err("the panic is passed on")
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
        });
        assert_eq!(panic.as_deref(), Some("trial 100 went wrong"));
    }

    #[test]
    fn a_panic_in_the_consumer_is_passed_on() {
        let panicked = within_a_minute(|| {
            let scenarios = [scenario()];
            let runner = Runner::new(&scenarios, Some(2)).unwrap();
            catch_unwind(AssertUnwindSafe(|| {
                runner.stream::<()>(0..4 * WINDOW_TRIALS, &|| {}, &mut |_| panic!("cannot take rows"))
            }))
            .is_err()
        });
        assert!(panicked);
    }

    #[test]
    fn worlds_are_kept_for_the_next_stream() {
        let scenarios = [scenario()];
        let runner = Runner::new(&scenarios, Some(2)).unwrap();
        for _ in 0..3 {
            runner.stream::<()>(0..WINDOW_TRIALS, &|| {}, &mut |_| Ok(())).unwrap();
        }
        let idle = runner.idle[0].lock().unwrap().len();
        assert!((1..=2).contains(&idle), "{idle} worlds for 2 threads");
    }
}
