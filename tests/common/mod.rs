//! Helpers shared by the integration tests.
#![allow(dead_code)]

use nines::cloud::TrialOutcome;
use nines::montecarlo::{run_trials, RunResults};
use nines::scenario::{self, Scenario};
use rayon::ThreadPoolBuildError;

/// Parses a scenario given inline, or fails the test with the reader's message.
pub fn scenario(text: &str) -> Scenario {
    scenario::parse(text, "<test>", "test").unwrap_or_else(|e| panic!("test scenario is invalid: {e}"))
}

/// Runs every trial of `s` on all cores, and keeps every row (fine for a test's few trials).
pub fn run(s: &Scenario) -> Vec<TrialOutcome> {
    run_with_rows(s, 0..s.simulation.trials, None).1
}

/// Runs `trials` of `s` on `threads`, and returns the results with every row, in trial order.
pub fn run_with_rows(
    s: &Scenario,
    trials: std::ops::Range<u64>,
    threads: Option<usize>,
) -> (RunResults, Vec<TrialOutcome>) {
    let mut rows = Vec::new();
    let results = run_trials(s, trials, threads, &|| {}, &mut |chunk: &[TrialOutcome]| {
        rows.extend_from_slice(chunk);
        Ok::<(), ThreadPoolBuildError>(())
    })
    .expect("thread pool");
    (results, rows)
}

/// Sample mean and its standard error.
pub fn mean_se(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts `observed` is within `k` standard errors (plus an absolute model allowance) of `expected`.
pub fn assert_close(what: &str, observed: f64, se: f64, expected: f64, k: f64, allowance: f64) {
    let diff = (observed - expected).abs();
    eprintln!(
        "{what}: observed {observed:.6e}, theory {expected:.6e}, SE {se:.2e} ({:.2} SE)",
        diff / se
    );
    assert!(
        diff <= k * se + allowance,
        "{what}: observed {observed:.6e} vs theory {expected:.6e}: |diff| {diff:.3e} > {k}·SE ({se:.3e}) + {allowance:.1e}"
    );
}

/// Runs the `nines` binary, failing the test with its stderr if it does not succeed.
pub fn nines(args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nines"))
        .args(args)
        .output()
        .expect("run nines");
    assert!(
        out.status.success(),
        "nines {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `scenario` as `n` shards (`--shard k/n` plus `extra` arguments) into `root/shard{k}`,
/// and returns their folders in shard order, for a test to merge.
pub fn run_shards(root: &std::path::Path, scenario: &str, n: u32, extra: &[&str]) -> Vec<std::path::PathBuf> {
    (1..=n)
        .map(|k| {
            let dir = root.join(format!("shard{k}"));
            let shard = format!("{k}/{n}");
            let mut args = vec![
                "run",
                scenario,
                "--shard",
                &shard,
                "--quiet",
                "--out",
                dir.to_str().unwrap(),
            ];
            args.extend_from_slice(extra);
            nines(&args);
            dir
        })
        .collect()
}

/// A file of an output folder, as text.
pub fn read(dir: &std::path::Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}
