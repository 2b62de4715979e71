//! `--set KEY=VALUE` overrides, applied to the text before it is read.
//!
//! Editing the document (rather than the parsed structs) means an override goes through exactly
//! the same checks as the file, and `toml_edit` keeps the rest of the text as it was, so lines in
//! later messages still match the file for keys the overrides did not touch.

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::locate::{format_path, line_at, parse_path, Seg};
use crate::scenario::ScenarioError;

/// Returns `text` with each `(dotted.key, value)` set. A value that is not a TOML value literal is
/// taken as a string, so `fleet.health_check_type=elb` works without quotes.
pub(super) fn apply(text: &str, overrides: &[(String, String)], source: &str) -> Result<String, ScenarioError> {
    if overrides.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| ScenarioError {
        source: source.to_string(),
        key: None,
        line: e.span().map(|s| line_at(text, s.start)),
        message: format!("cannot apply the overrides: {}", e.message().trim()),
    })?;
    for (key, literal) in overrides {
        let fail = |message: String| ScenarioError {
            source: source.to_string(),
            key: Some(key.clone()),
            line: None,
            message,
        };
        let segs = parse_path(key.trim()).map_err(fail)?;
        set(&mut doc, &segs, parse_value(literal)).map_err(|m| fail(format!("cannot set {}: {m}", key.trim())))?;
    }
    Ok(doc.to_string())
}

/// A TOML value literal, or else the text itself as a string.
fn parse_value(literal: &str) -> Value {
    match literal.trim().parse::<Value>() {
        Ok(mut value) => {
            value.decor_mut().clear();
            value
        }
        Err(_) => Value::from(literal.trim()),
    }
}

/// Where the walk down a key path is: documents, `[[arrays]]` and inline arrays hand out different
/// types.
enum Cursor<'a> {
    Item(&'a mut Item),
    Table(&'a mut Table),
    Value(&'a mut Value),
}

impl<'a> Cursor<'a> {
    fn is_inline(&self) -> bool {
        matches!(self, Cursor::Value(_) | Cursor::Item(Item::Value(_)))
    }

    fn table_like(self) -> Option<&'a mut dyn TableLike> {
        match self {
            Cursor::Item(item) => item.as_table_like_mut(),
            Cursor::Table(table) => Some(table),
            Cursor::Value(value) => value.as_inline_table_mut().map(|t| t as &mut dyn TableLike),
        }
    }
}

fn set(doc: &mut DocumentMut, segs: &[Seg], value: Value) -> Result<(), String> {
    let Some((last, parents)) = segs.split_last() else {
        return Err("the key is empty".to_string());
    };
    let mut cursor = Cursor::Item(doc.as_item_mut());
    for (depth, seg) in parents.iter().enumerate() {
        let here = segs.get(..depth).map(format_path).unwrap_or_default();
        cursor = step(cursor, seg, &here)?;
    }
    let here = format_path(parents);
    match last {
        Seg::Key(key) => {
            let table = cursor.table_like().ok_or_else(|| not_a_table(&here))?;
            table.insert(key, Item::Value(value));
        }
        Seg::Index(i) => match cursor {
            Cursor::Item(Item::ArrayOfTables(tables)) => {
                let len = tables.len();
                let slot = tables.get_mut(*i).ok_or_else(|| past_the_end(&here, *i, len))?;
                let Value::InlineTable(new) = value else {
                    return Err(format!(
                        "each entry of {here} is a table; give an inline table, e.g. {{ name = \"a\" }}"
                    ));
                };
                *slot = new.into_table();
            }
            Cursor::Item(Item::Value(Value::Array(items))) | Cursor::Value(Value::Array(items)) => {
                let len = items.len();
                let slot = items.get_mut(*i).ok_or_else(|| past_the_end(&here, *i, len))?;
                *slot = value;
            }
            _ => return Err(format!("{here} is not an array")),
        },
    }
    Ok(())
}

/// One step down, creating missing tables (but never array entries).
fn step<'a>(cursor: Cursor<'a>, seg: &Seg, here: &str) -> Result<Cursor<'a>, String> {
    match seg {
        Seg::Key(key) => {
            let inline = cursor.is_inline();
            let table = cursor.table_like().ok_or_else(|| not_a_table(here))?;
            if table.get(key).is_none() {
                table.insert(key, new_table(inline));
            }
            table.get_mut(key).map(Cursor::Item).ok_or_else(|| not_a_table(here))
        }
        Seg::Index(i) => match cursor {
            Cursor::Item(Item::ArrayOfTables(tables)) => {
                let len = tables.len();
                tables
                    .get_mut(*i)
                    .map(Cursor::Table)
                    .ok_or_else(|| past_the_end(here, *i, len))
            }
            Cursor::Item(Item::Value(Value::Array(items))) | Cursor::Value(Value::Array(items)) => {
                let len = items.len();
                items
                    .get_mut(*i)
                    .map(Cursor::Value)
                    .ok_or_else(|| past_the_end(here, *i, len))
            }
            _ => Err(format!("{here} is not an array")),
        },
    }
}

/// A table to hold a new key: inline inside inline tables, otherwise a `[table]` whose header is
/// only written if it gets keys of its own.
fn new_table(inline: bool) -> Item {
    if inline {
        Item::Value(Value::InlineTable(InlineTable::new()))
    } else {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    }
}

fn not_a_table(here: &str) -> String {
    if here.is_empty() {
        "the document is not a table".to_string()
    } else {
        format!("{here} is not a table, so it has no keys")
    }
}

fn past_the_end(here: &str, index: usize, len: usize) -> String {
    match len {
        0 => format!("{here}[{index}] does not exist: {here} is empty"),
        1 => format!("{here}[{index}] does not exist: {here} has 1 entry, [0]"),
        _ => format!(
            "{here}[{index}] does not exist: {here} has {len} entries, [0] to [{}]",
            len - 1
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
[[zones]]
name = \"a\"
[zones.outage]
time_between = \"30d\"
duration = { dist = \"lognormal\", median = \"1h\", sigma = 1.0 }

[[zones]]
name = \"b\"

[fleet]
zones = [\"a\", \"b\"]
desired = 4
";

    fn set_all(pairs: &[(&str, &str)]) -> Result<String, ScenarioError> {
        let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        apply(TEXT, &owned, "t.toml")
    }

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap_or_default()
    }

    #[test]
    fn no_overrides_keep_the_text() {
        assert_eq!(set_all(&[]).ok().as_deref(), Some(TEXT));
    }

    #[test]
    fn values_replace_and_keep_lines() {
        let out = set_all(&[("fleet.desired", "6"), ("zones[0].outage.duration.median", "\"2h\"")]).unwrap_or_default();
        let t = table(&out);
        assert_eq!(t["fleet"]["desired"].as_integer(), Some(6));
        assert_eq!(t["zones"][0]["outage"]["duration"]["median"].as_str(), Some("2h"));
        assert_eq!(out.lines().count(), TEXT.lines().count());
        assert!(out.contains("desired = 6\n"), "{out}");
    }

    #[test]
    fn whole_values_and_bare_strings() {
        let out = set_all(&[
            ("zones[0].outage.duration", "{ dist = \"exponential\", mean = \"30d\" }"),
            ("fleet.health_check_type", "elb"),
            ("fleet.zones[1]", "\"a\""),
            ("zones[1]", "{ name = \"c\" }"),
        ])
        .unwrap_or_default();
        let t = table(&out);
        assert_eq!(
            t["zones"][0]["outage"]["duration"]["dist"].as_str(),
            Some("exponential")
        );
        assert_eq!(t["fleet"]["health_check_type"].as_str(), Some("elb"));
        assert_eq!(t["fleet"]["zones"][1].as_str(), Some("a"));
        assert_eq!(t["zones"][1]["name"].as_str(), Some("c"));
    }

    #[test]
    fn missing_tables_are_created() {
        let out = set_all(&[
            ("simulation.trials", "10"),
            ("fleet.instance.concurrency", "2"),
            ("zones[1].outage.time_between", "\"1d\""),
            ("zones[0].outage.duration.x.y", "1"),
        ])
        .unwrap_or_default();
        let t = table(&out);
        assert_eq!(t["simulation"]["trials"].as_integer(), Some(10));
        assert_eq!(t["fleet"]["instance"]["concurrency"].as_integer(), Some(2));
        assert_eq!(t["zones"][1]["outage"]["time_between"].as_str(), Some("1d"));
        assert_eq!(t["zones"][0]["outage"]["duration"]["x"]["y"].as_integer(), Some(1));
    }

    #[test]
    fn bad_paths_name_the_key() {
        for (key, value, expect) in [
            (
                "zones[2].name",
                "\"c\"",
                "zones[2] does not exist: zones has 2 entries, [0] to [1]",
            ),
            ("fleet.zones[5]", "\"a\"", "fleet.zones[5] does not exist"),
            ("fleet.desired.x", "1", "fleet.desired is not a table"),
            ("fleet[0]", "1", "fleet is not an array"),
            ("zones[0]", "3", "each entry of zones is a table"),
            ("fleet..desired", "1", "is not a key path"),
            ("", "1", "is not a key path"),
        ] {
            let e = set_all(&[(key, value)]).err();
            assert_eq!(e.as_ref().and_then(|e| e.key.as_deref()), Some(key));
            let message = e.map(|e| e.message).unwrap_or_default();
            assert!(message.contains(expect), "{key}: {message}");
        }
    }
}
