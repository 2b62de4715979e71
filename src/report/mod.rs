//! Reporting: statistics across trials (accumulated as trials finish), `summary.json`,
//! `trials.csv`, the terminal table, and merging shards; `summary.json` and the table of
//! failure-biasing runs.

pub mod accumulate;
pub mod charts;
mod distributions;
mod files;
pub mod html;
mod merge;
mod rare;
pub mod stats;
mod summary;
mod table;

pub use distributions::Distributions;
pub use files::{
    read_run, scan_downtime, write_rare_summary, write_run, write_trace, OutputError, TrialsWriter, DISTRIBUTIONS_FILE,
    SUMMARY_FILE, TRIALS_FILE,
};
pub use html::{write_charts_and_report, ReportInput, REPORT_FILE};
pub use merge::{merge_runs, MergeError, MergedRun};
pub use rare::{render_rare_table, CycleDiagnostics, Interval, ProcessBias, RareEventMetrics, RareEventSummary};
pub use summary::{LatencySummary, Metrics, NinesSummary, RunInfo, SloVerdict, Summary};
pub use table::render_table;
