//! `nines merge`: shard outputs in, the single run they add up to out.

use std::path::{Path, PathBuf};

use crate::cloud::TrialOutcome;

use super::files::{read_run, OutputError};
use super::{Distributions, LatencySummary, Summary};

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A shard's files could not be read.
    #[error(transparent)]
    Read(#[from] OutputError),
    /// Two shards come from different runs.
    #[error("{0}: comes from a different scenario, seed or trial count than {1} ({2})")]
    Mismatch(PathBuf, PathBuf, &'static str),
    /// A trial is in two shards.
    #[error("trial {0} appears in more than one shard")]
    Overlap(u64),
    /// Some trials are in no shard.
    #[error("trials {0}..{1} are missing: merge every shard of the run")]
    Missing(u64, u64),
}

/// Reads shard folders and returns the summary and rows of the whole run, exactly as one run
/// would have produced them.
pub fn merge_runs(dirs: &[PathBuf]) -> Result<(Summary, Vec<TrialOutcome>, Distributions), MergeError> {
    let mut first: Option<(Summary, &Path)> = None;
    let mut rows: Vec<TrialOutcome> = Vec::new();
    let mut distributions = Distributions::default();
    for dir in dirs {
        let (summary, mut shard_rows, shard_distributions) = read_run(dir)?;
        distributions.add(&shard_distributions);
        if let Some((f, fdir)) = &first {
            let why = if f.run.scenario_fingerprint != summary.run.scenario_fingerprint {
                Some("scenario")
            } else if f.run.seed != summary.run.seed {
                Some("seed")
            } else if f.run.trials_total != summary.run.trials_total {
                Some("trials")
            } else {
                None
            };
            if let Some(why) = why {
                return Err(MergeError::Mismatch(dir.clone(), fdir.to_path_buf(), why));
            }
        } else {
            first = Some((summary, dir));
        }
        rows.append(&mut shard_rows);
    }
    let Some((first, _)) = first else {
        return Err(MergeError::Missing(0, 0));
    };
    rows.sort_by_key(|r| r.trial);
    let mut expected = 0;
    for r in &rows {
        if r.trial < expected {
            return Err(MergeError::Overlap(r.trial));
        }
        if r.trial > expected {
            return Err(MergeError::Missing(expected, r.trial));
        }
        expected += 1;
    }
    if expected != first.run.trials_total {
        return Err(MergeError::Missing(expected, first.run.trials_total));
    }
    let latency = distributions.latency_histogram().as_ref().and_then(LatencySummary::of);
    let summary = Summary::build(first.run.clone(), &first.slo, &rows, latency);
    Ok((summary, rows, distributions))
}
