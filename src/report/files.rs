//! Reading and writing a run's output folder.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
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

/// Writes `summary.json` and `distributions.json` into `dir`, creating it. (`trials.csv` streams
/// through a [`TrialsWriter`] as the trials run.)
pub fn write_run(dir: &Path, summary: &Summary, distributions: &Distributions) -> Result<(), OutputError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    write_json(&dir.join(SUMMARY_FILE), summary)?;
    write_json(&dir.join(DISTRIBUTIONS_FILE), distributions)
}

/// A file written under a temporary name (`<name>.partial`) and renamed when complete, so that a
/// run that fails midway never leaves a file that looks whole. Dropped before
/// [`commit`](Self::commit), it removes the partial file.
pub struct PartialFile {
    path: PathBuf,
    partial: PathBuf,
    file: Option<BufWriter<File>>,
    committed: bool,
}

impl PartialFile {
    /// Starts `path` (creating its folder).
    pub fn create(path: &Path) -> Result<Self, OutputError> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        let partial = path.with_file_name(name);
        let file = File::create(&partial).map_err(io(&partial))?;
        Ok(PartialFile {
            path: path.to_path_buf(),
            partial,
            file: Some(BufWriter::new(file)),
            committed: false,
        })
    }

    /// Finishes the file and gives it its name.
    pub fn commit(mut self) -> Result<(), OutputError> {
        if let Some(file) = self.file.take() {
            file.into_inner().map_err(|e| io(&self.partial)(e.into_error()))?;
        }
        fs::rename(&self.partial, &self.path).map_err(io(&self.path))?;
        self.committed = true;
        Ok(())
    }

    fn file(&mut self) -> std::io::Result<&mut BufWriter<File>> {
        self.file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("the file is already committed"))
    }
}

impl Write for PartialFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file()?.flush()
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            drop(self.file.take());
            let _ = fs::remove_file(&self.partial);
        }
    }
}

/// `trials.csv`, written a block of rows at a time in trial order as the trials run.
pub struct TrialsWriter {
    path: PathBuf,
    csv: csv::Writer<PartialFile>,
}

impl TrialsWriter {
    /// Starts `dir/trials.csv` (creating `dir`).
    pub fn create(dir: &Path) -> Result<Self, OutputError> {
        let path = dir.join(TRIALS_FILE);
        let file = PartialFile::create(&path)?;
        Ok(TrialsWriter {
            // Every field is a number (or empty): never a delimiter or quote to look for.
            csv: csv::WriterBuilder::new()
                .quote_style(csv::QuoteStyle::Never)
                .from_writer(file),
            path,
        })
    }

    /// Appends rows (the next trials in order).
    pub fn write(&mut self, rows: &[TrialOutcome]) -> Result<(), OutputError> {
        for row in rows {
            self.csv.serialize(row).map_err(|source| OutputError::Csv {
                path: self.path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// Finishes `trials.csv`.
    pub fn finish(self) -> Result<(), OutputError> {
        let file = self.csv.into_inner().map_err(|e| OutputError::Io {
            path: self.path.clone(),
            source: e.into_error(),
        })?;
        file.commit()
    }
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
    let csv_err = |source| OutputError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_writer(PartialFile::create(path)?);
    for row in records {
        w.serialize(row).map_err(csv_err)?;
    }
    let file = w.into_inner().map_err(|e| OutputError::Io {
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    file.commit()
}

/// Reads back the `summary.json` and `distributions.json` that [`write_run`] wrote.
pub fn read_run(dir: &Path) -> Result<(Summary, Distributions), OutputError> {
    Ok((
        read_json(&dir.join(SUMMARY_FILE))?,
        read_json(&dir.join(DISTRIBUTIONS_FILE))?,
    ))
}

/// Streams `dir/trials.csv`, calling `each(trial, downtime_minutes)` per row in file order, without
/// holding the rows.
pub fn scan_downtime(dir: &Path, mut each: impl FnMut(u64, f64)) -> Result<(), OutputError> {
    let path = dir.join(TRIALS_FILE);
    let csv_err = |source| OutputError::Csv {
        path: path.clone(),
        source,
    };
    let mut r = csv::Reader::from_path(&path).map_err(csv_err)?;
    let column = r
        .byte_headers()
        .map_err(csv_err)?
        .iter()
        .position(|h| h == b"downtime_minutes");
    let bad = |what: &str| OutputError::Io {
        path: path.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string()),
    };
    let column = column.ok_or_else(|| bad("no downtime_minutes column"))?;
    let mut row = csv::ByteRecord::new();
    while r.read_byte_record(&mut row).map_err(csv_err)? {
        let field = |i: usize| std::str::from_utf8(row.get(i).unwrap_or_default()).unwrap_or_default();
        let trial = field(0).parse().map_err(|_| bad("a trial index is not a number"))?;
        let downtime = field(column).parse().map_err(|_| bad("a downtime is not a number"))?;
        each(trial, downtime);
    }
    Ok(())
}
