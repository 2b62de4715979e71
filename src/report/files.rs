//! Reading and writing a run's output folder.

use std::fs;
use std::path::{Path, PathBuf};

use crate::cloud::{TraceRecord, TrialOutcome};

use super::{Distributions, RareEventSummary, Summary};

/// The run's summary, as in the scenario contract.
pub const SUMMARY_FILE: &str = "summary.json";
/// One row per trial.
pub const TRIALS_FILE: &str = "trials.csv";
/// Histograms pooled over all trials, for charts and exact merges.
pub const DISTRIBUTIONS_FILE: &str = "distributions.json";

/// A failure to read or write an output folder.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // each variant is the file at fault and what went wrong with it
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{path}: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `summary.json`, `trials.csv` and `distributions.json` into `dir`, creating it.
pub fn write_run(
    dir: &Path,
    summary: &Summary,
    outcomes: &[TrialOutcome],
    distributions: &Distributions,
) -> Result<(), OutputError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    write_json(&dir.join(SUMMARY_FILE), summary)?;
    write_json(&dir.join(DISTRIBUTIONS_FILE), distributions)?;
    write_csv(&dir.join(TRIALS_FILE), outcomes)
}

/// Writes the `summary.json` of a failure-biasing run into `dir`, creating it: such a run has no
/// trials, so no `trials.csv` or distributions.
pub fn write_rare_summary(dir: &Path, summary: &RareEventSummary) -> Result<(), OutputError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    write_json(&dir.join(SUMMARY_FILE), summary)
}

fn json_err(path: &Path) -> impl FnOnce(serde_json::Error) -> OutputError + '_ {
    move |source| OutputError::Json {
        path: path.to_path_buf(),
        source,
    }
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), OutputError> {
    let json = serde_json::to_string_pretty(value).map_err(json_err(path))?;
    fs::write(path, json + "\n").map_err(io(path))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, OutputError> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(json_err(path))
}

/// Writes a trial's event log as CSV.
pub fn write_trace(path: &Path, records: &[TraceRecord]) -> Result<(), OutputError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    write_csv(path, records)
}

fn write_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<(), OutputError> {
    let csv_err = |source| OutputError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    for row in rows {
        w.serialize(row).map_err(csv_err)?;
    }
    w.flush().map_err(io(path))
}

/// Reads back what [`write_run`] wrote.
pub fn read_run(dir: &Path) -> Result<(Summary, Vec<TrialOutcome>, Distributions), OutputError> {
    let summary = read_json(&dir.join(SUMMARY_FILE))?;
    let distributions = read_json(&dir.join(DISTRIBUTIONS_FILE))?;
    let path = dir.join(TRIALS_FILE);
    let csv_err = |source| OutputError::Csv {
        path: path.clone(),
        source,
    };
    let mut r = csv::Reader::from_path(&path).map_err(csv_err)?;
    let rows = r
        .deserialize()
        .collect::<Result<Vec<TrialOutcome>, _>>()
        .map_err(csv_err)?;
    Ok((summary, rows, distributions))
}
