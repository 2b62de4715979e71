use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// Counts finished trials from any worker for a progress bar with trials/s and ETA on a terminal.
///
/// Workers only bump an atomic counter; a separate thread redraws the bar ten times a second, so
/// the bar costs the trials nothing.
pub struct TrialProgress {
    done: AtomicU64,
    finished: AtomicBool,
    bar: ProgressBar,
}

impl TrialProgress {
    /// A bar for `total` trials; hidden when `quiet` or when stderr is not a terminal.
    pub fn new(total: u64, quiet: bool) -> Self {
        Self::counting(total, quiet, "trials")
    }

    /// A bar for `total` regenerative cycles of failure biasing.
    pub fn cycles(total: u64, quiet: bool) -> Self {
        Self::counting(total, quiet, "cycles")
    }

    fn counting(total: u64, quiet: bool, unit: &'static str) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(total);
            let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{rate}}  ETA {{eta}}");
            if let Ok(style) = ProgressStyle::with_template(&template) {
                // indicatif prints rates with four decimals; whole trials per second read better.
                bar.set_style(
                    style.with_key("rate", move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0} {unit}/s", state.per_sec());
                    }),
                );
            }
            bar
        };
        TrialProgress {
            done: AtomicU64::new(0),
            finished: AtomicBool::new(false),
            bar,
        }
    }

    /// Called by workers once per finished trial.
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs `work` while a thread keeps the bar up to date, then clears the bar.
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        if self.bar.is_hidden() {
            return work();
        }
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !self.finished.load(Ordering::Relaxed) {
                    self.bar.set_position(self.done.load(Ordering::Relaxed));
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            let result = work();
            self.finished.store(true, Ordering::Relaxed);
            result
        })
    }
}

impl Drop for TrialProgress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
