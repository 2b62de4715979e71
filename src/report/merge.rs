//! `nines merge`: shard outputs in, the single run they add up to out.
//!
//! The shards' accumulated metrics and histograms (`distributions.json`) add up exactly, so the
//! merged summary is computed from them alone; `trials.csv` is concatenated in trial order a line
//! at a time. Nothing holds all the trials' rows.

use std::collections::hash_map::{Entry, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::files::{read_run, OutputError, PartialFile, TRIALS_FILE};
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
    /// A shard's `trials.csv` does not hold the trials its `summary.json` says.
    #[error("{0}: {1}")]
    Rows(PathBuf, String),
    /// The merged `trials.csv` could not be written.
    #[error(transparent)]
    Write(OutputError),
}

/// Shards that add up to one run: its summary and distributions, and where its rows are.
pub struct MergedRun {
    /// The merged `summary.json`.
    pub summary: Summary,
    /// The merged `distributions.json`.
    pub distributions: Distributions,
    /// Every shard's trial ranges as `(start, end, shard)`, ascending and contiguous.
    pieces: Vec<(u64, u64, usize)>,
    dirs: Vec<PathBuf>,
}

/// Reads shard folders' `summary.json` and `distributions.json` and checks that they are the
/// shards of one run, every trial exactly once. Nothing is written.
pub fn merge_runs(dirs: &[PathBuf]) -> Result<MergedRun, MergeError> {
    let mut first: Option<(Summary, &Path)> = None;
    let mut distributions = Distributions::default();
    let mut pieces = Vec::new();
    for (shard, dir) in dirs.iter().enumerate() {
        let (summary, shard_distributions) = read_run(dir)?;
        distributions.add(&shard_distributions);
        pieces.extend(summary.trial_ranges.iter().map(|&(a, b)| (a, b, shard)));
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
    }
    let Some((first, _)) = first else {
        return Err(MergeError::Missing(0, 0));
    };
    pieces.retain(|&(a, b, _)| a < b);
    pieces.sort_unstable();
    let mut expected = 0;
    for &(start, end, _) in &pieces {
        if start < expected {
            return Err(MergeError::Overlap(start));
        }
        if start > expected {
            return Err(MergeError::Missing(expected, start));
        }
        expected = end;
    }
    if expected != first.run.trials_total {
        return Err(MergeError::Missing(expected, first.run.trials_total));
    }
    let latency = distributions.latency_histogram().as_ref().and_then(LatencySummary::of);
    let ranges = if expected > 0 { vec![(0, expected)] } else { Vec::new() };
    let summary = Summary::build(first.run.clone(), &first.slo, ranges, &distributions.metrics, latency);
    Ok(MergedRun {
        summary,
        distributions,
        pieces,
        dirs: dirs.to_vec(),
    })
}

/// A shard's `trials.csv`, read a line at a time.
struct ShardRows {
    path: PathBuf,
    lines: BufReader<File>,
    line: String,
}

impl ShardRows {
    fn open(dir: &Path) -> Result<Self, MergeError> {
        let path = dir.join(TRIALS_FILE);
        let file = File::open(&path).map_err(|source| OutputError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(ShardRows {
            path,
            lines: BufReader::new(file),
            line: String::new(),
        })
    }

    /// Reads the next line (with its newline) into `line`; false at the end.
    fn advance(&mut self) -> Result<bool, MergeError> {
        self.line.clear();
        let n = self.lines.read_line(&mut self.line).map_err(|source| OutputError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(n > 0)
    }

    fn bad(&self, why: impl Into<String>) -> MergeError {
        MergeError::Rows(self.path.clone(), why.into())
    }
}

impl MergedRun {
    /// Writes `out/trials.csv`: every shard's rows in trial order, copied line by line, each line
    /// checked to be the trial expected there. On a bad shard nothing is left behind (not even
    /// `out`, when this made it).
    pub fn write_trials(&self, out: &Path) -> Result<(), MergeError> {
        let existed = out.exists();
        let written = self.concatenate(out);
        if written.is_err() && !existed {
            // Only an empty folder is removed: the partial file went when it was dropped.
            let _ = std::fs::remove_dir(out);
        }
        written
    }

    fn concatenate(&self, out: &Path) -> Result<(), MergeError> {
        let path = out.join(TRIALS_FILE);
        let mut file = PartialFile::create(&path).map_err(MergeError::Write)?;
        let write_err = |source| {
            MergeError::Write(OutputError::Io {
                path: path.clone(),
                source,
            })
        };
        let mut last_piece = HashMap::new();
        for (i, &(.., shard)) in self.pieces.iter().enumerate() {
            last_piece.insert(shard, i);
        }
        let mut header: Option<String> = None;
        let mut open: HashMap<usize, ShardRows> = HashMap::new();
        for (i, &(start, end, shard)) in self.pieces.iter().enumerate() {
            let rows = match open.entry(shard) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let mut rows = ShardRows::open(&self.dirs[shard])?;
                    if !rows.advance()? {
                        return Err(rows.bad("no header"));
                    }
                    match &header {
                        None => {
                            file.write_all(rows.line.as_bytes()).map_err(write_err)?;
                            header = Some(rows.line.clone());
                        }
                        Some(h) if *h != rows.line => return Err(rows.bad("its columns differ from the other shards'")),
                        Some(_) => {}
                    }
                    e.insert(rows)
                }
            };
            for trial in start..end {
                if !rows.advance()? {
                    return Err(rows.bad(format!("ends before trial {trial}")));
                }
                let index = rows.line.split(',').next().unwrap_or_default();
                if index != trial.to_string() {
                    return Err(rows.bad(format!("trial {trial} expected, found {index:?}")));
                }
                file.write_all(rows.line.as_bytes()).map_err(write_err)?;
            }
            if last_piece[&shard] == i {
                if rows.advance()? {
                    return Err(rows.bad(format!("holds rows beyond trial {}", end - 1)));
                }
                open.remove(&shard);
            }
        }
        file.commit().map_err(MergeError::Write)
    }
}
