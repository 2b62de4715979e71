//! No input makes the reader panic: arbitrary text, mutations of a valid scenario, and arbitrary
//! overrides.

use proptest::prelude::*;

use super::*;

/// Values that stress the checks: wrong types, extremes, non-finite numbers, odd strings.
const NASTY_VALUES: &[&str] = &[
    "-1",
    "0",
    "1",
    "-9223372036854775808",
    "9223372036854775807",
    "4294967296",
    "nan",
    "inf",
    "-inf",
    "0.0",
    "1e308",
    "\"\"",
    "\"x\"",
    "\"-5s\"",
    "\"0s\"",
    "\"1e3s\"",
    "\"99999999999999y\"",
    "\"24:00\"",
    "true",
    "[]",
    "[1, \"a\"]",
    "{}",
    "{ dist = \"weibull\", shape = 1e-300, scale = \"1y\" }",
    "{ dist = \"empirical\", values = [] }",
    "{ dist = \"uniform\", min = \"1s\", max = \"0s\" }",
    "1979-05-27T07:32:00Z",
    "\"zone_outage\"",
    "\"a\"",
];

/// A valid scenario that uses every section (with the unsupported ones, so their checks run too).
fn full_text() -> String {
    format!("{EXAMPLE}{SPOT_AND_SCALING}[[inject]]\nat = \"1d\"\nfault = \"traffic_spike\"\nmultiplier = 2.0\nduration = \"1h\"\n")
}

/// Replaces the `n`-th value written after ` = ` (in a line or inside an inline table) with
/// `value`.
fn replace_value(text: &str, n: usize, value: &str) -> String {
    let starts: Vec<usize> = text.match_indices(" = ").map(|(i, _)| i + 3).collect();
    let Some(&start) = starts.get(n % starts.len().max(1)) else {
        return text.to_string();
    };
    let rest = text.get(start..).unwrap_or_default();
    let end = start + value_len(rest);
    format!(
        "{}{value}{}",
        text.get(..start).unwrap_or_default(),
        text.get(end..).unwrap_or_default()
    )
}

/// The length of the TOML value at the start of `rest` (brackets balanced, strings not parsed:
/// good enough for the fixture, which has no brackets inside strings).
fn value_len(rest: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            ',' | '}' | ']' | '\n' | '#' if depth == 0 => return rest.get(..i).map_or(i, |v| v.trim_end().len()),
            _ => {}
        }
    }
    rest.len()
}

#[test]
fn every_value_replaced_by_every_nasty_value_never_panics() {
    let text = full_text();
    let count = text.matches(" = ").count();
    assert!(count > 80, "the fixture has {count} values");
    for n in 0..count {
        for value in NASTY_VALUES {
            let mutated = replace_value(&text, n, value);
            let _ = parse_str(&mutated);
            let _ = parse_unchecked(&mutated, "t.toml", "t", &[]);
        }
    }
}

#[test]
fn deleting_any_one_character_never_panics() {
    let text = full_text();
    for (at, _) in text.char_indices() {
        let mutated: String = text.char_indices().filter(|&(i, _)| i != at).map(|(_, c)| c).collect();
        let _ = parse_unchecked(&mutated, "t.toml", "t", &[]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse_str(&text);
    }

    #[test]
    fn toml_like_text_never_panics(text in "[\\[\\]a-z_=\"{}.,:0-9 \n#-]{0,300}") {
        let _ = parse_str(&text);
        let _ = parse_str(&format!("{BASE}{text}"));
    }

    #[test]
    fn deleting_a_character_never_panics(at in any::<prop::sample::Index>()) {
        let text = full_text();
        let chars: Vec<char> = text.chars().collect();
        let cut = at.index(chars.len());
        let mutated: String = chars.iter().enumerate().filter(|&(i, _)| i != cut).map(|(_, c)| c).collect();
        let _ = parse_str(&mutated);
        let _ = parse_unchecked(&mutated, "t.toml", "t", &[]);
    }

    #[test]
    fn replacing_a_value_never_panics(n in 0usize..400, value in prop::sample::select(NASTY_VALUES)) {
        let mutated = replace_value(&full_text(), n, value);
        let _ = parse_str(&mutated);
        let _ = parse_unchecked(&mutated, "t.toml", "t", &[]);
    }

    #[test]
    fn arbitrary_overrides_never_panic(
        key in "[a-z_]{1,12}(\\[[0-9]{1,2}\\])?(\\.[a-z_]{1,12}(\\[[0-9]\\])?){0,3}",
        value in prop_oneof![prop::sample::select(NASTY_VALUES).prop_map(str::to_string), any::<String>()],
    ) {
        let pairs = [(key, value)];
        let _ = parse(&full_text(), "t.toml", "t", &pairs);
        let _ = parse(BASE, "t.toml", "t", &pairs);
    }
}
