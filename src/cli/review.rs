//! What `run` and `merge` share: writing a run folder's charts and report.

use std::path::Path;

use nines::cloud::TrialOutcome;
use nines::report::{self, Distributions, ReportInput, RunInfo, Summary};
use nines::scenario::{self, Scenario};

use super::CliError;

/// Draws the charts and writes `report.html` into a run folder that already holds its
/// `summary.json` and `trials.csv`.
pub fn write_report(
    dir: &Path,
    scenario: Option<&Scenario>,
    summary: &Summary,
    outcomes: &[TrialOutcome],
    distributions: &Distributions,
) -> Result<(), CliError> {
    let input = ReportInput {
        scenario,
        summary,
        outcomes,
        distributions,
    };
    report::write_charts_and_report(dir, &input).map_err(CliError::failed)
}

/// `merge --scenario FILE`: the scenario the shards ran, with their seed and trial count, checked
/// against the shards' fingerprint (exit 2 when it is another scenario).
pub fn merged_scenario(path: &Path, merged: &Summary) -> Result<Scenario, CliError> {
    let mut s = scenario::load(path)?;
    s.simulation.seed = merged.run.seed;
    s.simulation.trials = merged.run.trials_total;
    if RunInfo::of(&s).scenario_fingerprint != merged.run.scenario_fingerprint {
        return Err(CliError::usage(format!(
            "--scenario {}: is not the scenario the shards ran (its settings differ)",
            path.display()
        )));
    }
    Ok(s)
}
