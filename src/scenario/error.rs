//! The one error type of scenario reading.

use std::fmt;

/// Why a scenario was refused: where (file, key, line) and what to do about it.
///
/// Displays as `scenarios/x.toml:12: fleet.min: min (5) is greater than desired (4); need min <=
/// desired <= max`; the line and key parts are left out when unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file path, or a label such as `"<string>"` for text that came from elsewhere.
    pub source: String,
    /// The full dotted key as a user would write it, e.g. `zones[1].outage.duration.median`.
    pub key: Option<String>,
    /// 1-based line in the scenario text.
    pub line: Option<usize>,
    /// What is wrong, and what is allowed instead.
    pub message: String,
}

impl ScenarioError {
    /// An error about the scenario as a whole (no key, no line).
    pub(crate) fn whole(source: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            source: source.to_string(),
            key: None,
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

// `source` is a field here (the file), not a cause: scenario errors wrap no other error.
impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(key: Option<&str>, line: Option<usize>) -> ScenarioError {
        ScenarioError {
            source: "scenarios/x.toml".to_string(),
            key: key.map(str::to_string),
            line,
            message: "min (5) is greater than desired (4); need min <= desired <= max".to_string(),
        }
    }

    #[test]
    fn display_has_every_known_part() {
        assert_eq!(
            error(Some("fleet.min"), Some(12)).to_string(),
            "scenarios/x.toml:12: fleet.min: min (5) is greater than desired (4); need min <= desired <= max"
        );
    }

    #[test]
    fn display_leaves_out_unknown_parts() {
        let e = error(Some("fleet.min"), None);
        assert!(e.to_string().starts_with("scenarios/x.toml: fleet.min: min (5)"));
        assert!(error(None, Some(3))
            .to_string()
            .starts_with("scenarios/x.toml:3: min (5)"));
        assert!(error(None, None).to_string().starts_with("scenarios/x.toml: min (5)"));
    }

    #[test]
    fn is_a_std_error() {
        let e: Box<dyn std::error::Error> = Box::new(error(None, None));
        assert!(e.source().is_none());
    }
}
