//! Key paths (`zones[1].outage.duration`) and where they are in the text.
//!
//! The checks in `validate` work on parsed values, which have no positions. To give a line anyway,
//! the text is parsed a second time into toml's spanned tree, and a key path is looked up there.
//! The reverse lookup (byte offset → key path) names the key of a serde error, whose only position
//! is a byte span.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// Splits `zones[0].outage.duration` into its steps. Keys are bare TOML keys (letters, digits,
/// `_`, `-`); each may be followed by any number of `[index]`.
pub(super) fn parse_path(path: &str) -> Result<Vec<Seg>, String> {
    let bad = |why: &str| format!("{path:?} is not a key path ({why}); write e.g. fleet.desired or zones[0].name");
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() {
            return Err(bad("empty key"));
        }
        if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(bad("keys are made of letters, digits, _ and -"));
        }
        segs.push(Seg::Key(key.to_string()));
        while !rest.is_empty() {
            let Some((index, after)) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
                return Err(bad("an index is written [0]"));
            };
            let index = index
                .trim()
                .parse::<usize>()
                .map_err(|_| bad("an index is a whole number, e.g. [0]"))?;
            segs.push(Seg::Index(index));
            rest = after;
        }
    }
    Ok(segs)
}

/// Writes a path back as a user would: `zones[1].outage.duration`. Keys that are not bare TOML keys
/// are quoted, as TOML would need them.
pub(super) fn format_path(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                let bare = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if bare {
                    out.push_str(key);
                } else {
                    out.push_str(&format!("{key:?}"));
                }
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The 1-based line of a byte offset (offsets past the end count as the last line).
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes().iter().take(end).filter(|&&b| b == b'\n').count() + 1
}

/// The 1-based column (in characters) of a byte offset.
pub(super) fn column_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    let line_start = text
        .as_bytes()
        .iter()
        .take(end)
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    // Count the bytes that start a character, so a split multi-byte character cannot panic.
    text.as_bytes()
        .get(line_start..end)
        .map_or(0, |bytes| bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count())
        + 1
}

/// Finds keys in one scenario text.
pub(super) struct Locator<'t> {
    text: &'t str,
    /// `None` when the text does not parse; then nothing has a line.
    root: Option<Spanned<DeTable<'t>>>,
}

impl<'t> Locator<'t> {
    /// Parses `text` for spans; text that does not parse simply has no lines.
    pub(super) fn new(text: &'t str) -> Locator<'t> {
        Locator {
            text,
            root: DeTable::parse(text).ok(),
        }
    }

    /// The line of `path`: of its key where the key is written, else of the deepest enclosing
    /// table that is (so a missing key points at its table), else `None`.
    pub(super) fn line_of(&self, path: &str) -> Option<usize> {
        let segs = parse_path(path).ok()?;
        let root = self.root.as_ref()?;
        let mut span = None;
        // `None` stands for the root table, which is not a `DeValue`.
        let mut here: Option<&DeValue<'t>> = None;
        for seg in &segs {
            let next = match (seg, here) {
                (Seg::Key(key), None) => find_key(root.get_ref(), key),
                (Seg::Key(key), Some(DeValue::Table(t))) => find_key(t, key),
                (Seg::Index(i), Some(DeValue::Array(items))) => items.get(*i).map(|v| (v.span(), v)),
                _ => None,
            };
            let Some((found_span, value)) = next else { break };
            span = Some(found_span);
            here = Some(value.get_ref());
        }
        span.map(|s| line_at(self.text, s.start))
    }

    /// The key path whose key or value covers byte `offset`, the deepest one first.
    pub(super) fn path_at(&self, offset: usize) -> Option<String> {
        let root = self.root.as_ref()?;
        let mut prefix = Vec::new();
        search_table(root.get_ref(), offset, &mut prefix).map(|segs| format_path(&segs))
    }
}

/// The span of `key` in `table` (where the key is written) and its value.
fn find_key<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<(Range<usize>, &'a Spanned<DeValue<'i>>)> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(k, v)| (k.span(), v))
}

/// Whether a span covers `offset`; an empty span covers its own position.
fn covers(span: &Range<usize>, offset: usize) -> bool {
    span.contains(&offset) || (span.is_empty() && span.start == offset)
}

fn search_table(table: &DeTable<'_>, offset: usize, prefix: &mut Vec<Seg>) -> Option<Vec<Seg>> {
    for (key, value) in table.iter() {
        prefix.push(Seg::Key(key.get_ref().to_string()));
        // Children first: a `[table]` header's span does not cover its body, and an inline table's
        // span covers all its keys, so the deepest match is the one that names the key.
        if let Some(found) = search_value(value, offset, prefix) {
            return Some(found);
        }
        if covers(&key.span(), offset) || covers(&value.span(), offset) {
            return Some(prefix.clone());
        }
        prefix.pop();
    }
    None
}

fn search_value(value: &Spanned<DeValue<'_>>, offset: usize, prefix: &mut Vec<Seg>) -> Option<Vec<Seg>> {
    match value.get_ref() {
        DeValue::Table(t) => search_table(t, offset, prefix),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(Seg::Index(i));
                if let Some(found) = search_value(item, offset, prefix) {
                    return Some(found);
                }
                if covers(&item.span(), offset) {
                    return Some(prefix.clone());
                }
                prefix.pop();
            }
            None
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
name = \"x\"
[[zones]]
name = \"a\"
[[zones]]
name = \"b\"
[zones.outage]
time_between = \"1d\"
duration = { dist = \"lognormal\", median = \"1h\", sigma = 1.0 }
[fleet]
zones = [\"a\",
  \"b\"]
instance.type = \"m5.large\"
";

    #[test]
    fn paths_round_trip() {
        let segs = parse_path("zones[1].outage.duration.median").unwrap_or_default();
        assert_eq!(segs.len(), 5);
        assert_eq!(segs.get(1), Some(&Seg::Index(1)));
        assert_eq!(format_path(&segs), "zones[1].outage.duration.median");
        assert_eq!(
            format_path(&[Seg::Key("a b".into()), Seg::Key("c".into())]),
            "\"a b\".c"
        );
    }

    #[test]
    fn bad_paths_are_refused() {
        for bad in ["", "a..b", ".a", "a.", "a[", "a[x]", "a[-1]", "a]b", "a b", "[0]"] {
            assert!(parse_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lines_of_keys() {
        let loc = Locator::new(TEXT);
        assert_eq!(loc.line_of("name"), Some(1));
        assert_eq!(loc.line_of("zones[0]"), Some(2));
        assert_eq!(loc.line_of("zones[1].name"), Some(5));
        assert_eq!(loc.line_of("zones[1].outage"), Some(6));
        assert_eq!(loc.line_of("zones[1].outage.duration.sigma"), Some(8));
        assert_eq!(loc.line_of("fleet.zones[1]"), Some(11));
        assert_eq!(loc.line_of("fleet.instance.type"), Some(12));
    }

    #[test]
    fn missing_keys_point_at_their_table_or_nowhere() {
        let loc = Locator::new(TEXT);
        assert_eq!(loc.line_of("zones[1].outage.kind"), Some(6));
        assert_eq!(loc.line_of("zones[5].name"), Some(2), "the [[zones]] array");
        assert_eq!(loc.line_of("slo.availability"), None);
        assert_eq!(loc.line_of("not a path"), None);
        assert_eq!(Locator::new("a = [").line_of("a"), None);
    }

    #[test]
    fn paths_at_offsets() {
        let loc = Locator::new(TEXT);
        let at = |needle: &str| TEXT.find(needle).and_then(|o| loc.path_at(o));
        assert_eq!(at("sigma").as_deref(), Some("zones[1].outage.duration.sigma"));
        assert_eq!(at("\"lognormal\"").as_deref(), Some("zones[1].outage.duration.dist"));
        assert_eq!(at("\"b\"]").as_deref(), Some("fleet.zones[1]"));
        assert_eq!(at("\"m5.large\"").as_deref(), Some("fleet.instance.type"));
        assert_eq!(loc.path_at(0).as_deref(), Some("name"));
        assert_eq!(loc.path_at(10_000), None);
    }

    #[test]
    fn line_at_counts_newlines() {
        assert_eq!(column_at("ab\nçd", 5), 2);
        assert_eq!(column_at("ab\nçd", 4), 2, "inside a character");
        assert_eq!(column_at("ab", 0), 1);
        assert_eq!(column_at("ab", 99), 3);
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 99), 3);
    }
}
