//! `nines sweep`: a full grid over scenario keys (`--set KEY=V1,V2,…`), every point a scenario read
//! through [`crate::scenario::load_with_overrides`], so an override gets exactly the checks a file
//! does. All points are checked before any runs.

use std::path::Path;

use crate::scenario::{self, Scenario, ScenarioError};

/// One swept key and its values, as typed (TOML literals, or bare words taken as strings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    /// A dotted key path, e.g. `fleet.desired` or `zones[0].outage.duration.median`.
    pub key: String,
    /// Its values, in the order given.
    pub values: Vec<String>,
}

/// A `--set` argument that is not `KEY=V1,V2,…`.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    /// No `=`.
    #[error("--set {0}: expected KEY=V1,V2,… (e.g. --set fleet.desired=2,4,6)")]
    Form(String),
    /// A value list with an empty value or unbalanced brackets or quotes.
    #[error("--set {0}: {1}")]
    Values(String, &'static str),
    /// The same key twice.
    #[error("--set {0}: the key is given twice; list all its values in one --set")]
    Repeated(String),
}

/// Reads one `--set KEY=V1,V2,…`. Commas inside brackets, braces or quotes do not split, so a
/// value may be an inline table: `--set 'zones[0].outage.duration={ dist = "constant", value = "1h" },"3h"'`.
pub fn parse_set(arg: &str) -> Result<Axis, SetError> {
    let (key, list) = arg.split_once('=').ok_or_else(|| SetError::Form(arg.to_string()))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(SetError::Form(arg.to_string()));
    }
    let values = split_values(list).map_err(|why| SetError::Values(arg.to_string(), why))?;
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

/// Splits at top-level commas.
fn split_values(list: &str) -> Result<Vec<String>, &'static str> {
    let mut values = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for c in list.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                values.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        if depth < 0 {
            return Err("a closing bracket without an opening one");
        }
        current.push(c);
    }
    if quote.is_some() {
        return Err("a quote is not closed");
    }
    if depth != 0 {
        return Err("a bracket is not closed");
    }
    values.push(current);
    let values: Vec<String> = values.into_iter().map(|v| v.trim().to_string()).collect();
    if values.iter().any(|v| v.is_empty()) {
        return Err("an empty value");
    }
    Ok(values)
}

/// Every combination of the axes' values, the first axis varying slowest: each point is the list
/// of `(key, value)` overrides that makes it.
pub fn grid(axes: &[Axis]) -> Result<Vec<Vec<(String, String)>>, SetError> {
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].iter().any(|b| b.key == a.key) {
            return Err(SetError::Repeated(a.key.clone()));
        }
    }
    let mut points: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                a.values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((a.key.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

/// A grid point that the scenario reader refused.
#[derive(Debug, thiserror::Error)]
#[error("at {point}: {source}")]
pub struct PointError {
    /// The point's settings, e.g. `fleet.desired=0, load_balancer.cross_zone=false`.
    pub point: String,
    /// What the reader said (it names the key).
    pub source: ScenarioError,
}

/// Reads the scenario at every point, and applies `adjust` (e.g. `--trials`, `--seed`) to each.
/// The first point the reader refuses is the error; nothing has run by then.
pub fn load_grid(
    path: &Path,
    points: &[Vec<(String, String)>],
    adjust: impl Fn(&mut Scenario),
) -> Result<Vec<Scenario>, PointError> {
    points
        .iter()
        .map(|overrides| {
            let mut s = scenario::load_with_overrides(path, overrides).map_err(|source| PointError {
                point: describe(overrides),
                source,
            })?;
            adjust(&mut s);
            Ok(s)
        })
        .collect()
}

/// `key=value, key=value`.
pub fn describe(point: &[(String, String)]) -> String {
    point
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_at_top_level_commas() {
        let a = parse_set(r#"zones[0].outage.duration={ dist = "constant", value = "1h" },"3h", [1, 2]"#).unwrap();
        assert_eq!(a.key, "zones[0].outage.duration");
        assert_eq!(
            a.values,
            vec![r#"{ dist = "constant", value = "1h" }"#, r#""3h""#, "[1, 2]"]
        );
        assert_eq!(parse_set("fleet.desired=2,4,6").unwrap().values, vec!["2", "4", "6"]);
        assert_eq!(parse_set("name='a,b',c").unwrap().values, vec!["'a,b'", "c"]);
    }

    #[test]
    fn malformed_sets_are_refused() {
        assert!(matches!(parse_set("fleet.desired"), Err(SetError::Form(_))));
        assert!(matches!(parse_set("=1,2"), Err(SetError::Form(_))));
        assert!(matches!(parse_set("fleet.desired=2,,4"), Err(SetError::Values(..))));
        assert!(matches!(parse_set("x={ a = 1"), Err(SetError::Values(..))));
        assert!(matches!(parse_set("x=\"open"), Err(SetError::Values(..))));
    }

    #[test]
    fn the_grid_is_every_combination_first_key_slowest() {
        let axes = [parse_set("a=1,2").unwrap(), parse_set("b=x,y,z").unwrap()];
        let g = grid(&axes).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(describe(&g[0]), "a=1, b=x");
        assert_eq!(describe(&g[2]), "a=1, b=z");
        assert_eq!(describe(&g[3]), "a=2, b=x");
        assert!(matches!(
            grid(&[parse_set("a=1").unwrap(), parse_set("a=2").unwrap()]),
            Err(SetError::Repeated(_))
        ));
    }
}
