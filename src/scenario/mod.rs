//! Scenario files: TOML in, a checked [`Scenario`] out.
//!
//! Reading happens in two stages. [`raw`] mirrors the file with serde, denying unknown keys; then
//! [`validate`] turns it into a [`Scenario`], refusing every impossible value with a
//! [`ScenarioError`] that names the key and, where it can, the line. After that, model code never
//! re-validates.

mod dist;
mod duration;
mod error;
mod model;
mod raw;
mod validate;

pub use dist::DurationDist;
pub use duration::parse_duration;
pub use error::ScenarioError;
pub use model::*;

use std::path::Path;

/// Reads and checks a scenario file. The scenario's name defaults to the file stem.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    validate::load(path, &[])
}

/// As [`load`], after setting each `(dotted.key, TOML value)` override, e.g.
/// `("fleet.desired", "6")` or `("zones[0].outage.duration.median", "\"2h\"")`.
pub fn load_with_overrides(path: &Path, overrides: &[(String, String)]) -> Result<Scenario, ScenarioError> {
    validate::load(path, overrides)
}

/// Checks scenario text. `source` names it in errors (a path, or e.g. `"<string>"`);
/// `default_name` is used when the text has no `name`.
pub fn parse(text: &str, source: &str, default_name: &str) -> Result<Scenario, ScenarioError> {
    validate::parse(text, source, default_name, &[])
}
