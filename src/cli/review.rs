//! What `run`, `merge`, `compare` and `sweep` share: summarising a run the way `run` does, and
//! writing a run folder's charts and report.

use std::path::Path;

use nines::montecarlo::RunResults;
use nines::report::{self, Distributions, ReportInput, RunInfo, Summary};
use nines::scenario::{self, Scenario};

use super::CliError;

/// A run's summary and pooled distributions, exactly as `nines run` computes them (so that a
/// comparison's numbers equal separate runs').
pub fn summarise(s: &Scenario, results: &RunResults) -> (Summary, Distributions) {
    (Summary::of_run(s, results), Distributions::of(results))
}

/// Draws the charts and writes `report.html` into a run folder that already holds its
/// `summary.json` and `trials.csv`.
pub fn write_report(
    dir: &Path,
    scenario: Option<&Scenario>,
    summary: &Summary,
    distributions: &Distributions,
) -> Result<(), CliError> {
    let input = ReportInput {
        scenario,
        summary,
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

/// `compare` and `sweep` pair plain trials (common random numbers); a scenario that asks for
/// failure biasing would otherwise be run plainly without a word.
pub fn plain_trials_only(s: &Scenario, what: &str) -> Result<(), CliError> {
    if s.simulation.method == scenario::Method::MonteCarlo {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "{what}: simulation.method = \"failure_biasing\" runs regenerative cycles, which compare and sweep do not \
         pair; run it with `nines run`, or set method = \"monte_carlo\" here"
    )))
}

/// The file stem of a scenario path, for default output folders.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}
