//! Duration strings: a decimal number with a unit, e.g. `"250ms"`, `"1.5h"`, `"7d"`.
//!
//! The number is read as an exact decimal (not through `f64`), so `"0.1s"` is exactly 100 000 µs
//! and long horizons keep every microsecond.

use crate::kernel::SimTime;

/// Each unit with its length [µs]. A year is 365 days, as in SCENARIO.md.
const UNITS: [(&str, u64); 7] = [
    ("us", 1),
    ("ms", 1_000),
    ("s", 1_000_000),
    ("m", 60_000_000),
    ("h", 3_600_000_000),
    ("d", 86_400_000_000),
    ("y", 365 * 86_400_000_000),
];

/// How the allowed units are listed in messages.
const UNIT_LIST: &str = "us, ms, s, m, h, d (days), y (365 days)";

/// Fractional digits beyond this cannot change the rounded microsecond count (a year is < 10^14 µs),
/// so they are dropped; this also keeps the arithmetic inside `u128`.
const MAX_FRACTION_DIGITS: usize = 18;

/// Integer digits beyond this always overflow (10^20 µs is already more than `u64::MAX`).
const MAX_INTEGER_DIGITS: usize = 20;

/// Parses a duration such as `"30s"`, `"1.5h"` or `"250ms"` into simulated time, rounded to the
/// nearest microsecond.
///
/// Units: `us`, `ms`, `s`, `m`, `h`, `d`, `y` (365 days). Zero is accepted; callers decide whether it
/// makes sense. The error is a sentence for a human, without the key (the caller adds it).
pub fn parse_duration(s: &str) -> Result<SimTime, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err(format!(
            "a duration cannot be empty; write a number with a unit, e.g. \"30s\" (units: {UNIT_LIST})"
        ));
    }
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    let unit = unit.trim_start();
    if number.is_empty() {
        return Err(not_a_number(s, text));
    }
    if unit.is_empty() {
        return Err(format!(
            "a duration needs a unit, e.g. \"30s\"; got {s:?} (units: {UNIT_LIST})"
        ));
    }
    let Some(&(_, unit_us)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!("{s:?} has an unknown unit {unit:?}; use one of {UNIT_LIST}"));
    };
    let (int_digits, frac_digits) = split_decimal(number)
        .ok_or_else(|| format!("{s:?} is not a number with a unit; write e.g. \"30s\" or \"1.5h\""))?;
    to_micros(int_digits, frac_digits, unit_us)
        .map(SimTime)
        .ok_or_else(|| format!("{s:?} is too long; a duration must be shorter than about 584 000 years"))
}

/// Explains why a string that does not start with a digit is not a duration.
fn not_a_number(original: &str, text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned.starts_with("nan") || unsigned.starts_with("inf") {
        format!("{original:?} is not a finite number; write a number with a unit, e.g. \"30s\"")
    } else if text.starts_with('-') {
        format!("{original:?} is negative; a duration must be zero or more")
    } else {
        format!(
            "{original:?} is not a duration; write a number with a unit, e.g. \"30s\" or \"1.5h\" (units: {UNIT_LIST})"
        )
    }
}

/// Splits `"12.5"` into `("12", "5")`. Like TOML floats, a point needs digits on both sides.
fn split_decimal(number: &str) -> Option<(&str, &str)> {
    let (int_digits, frac_digits) = match number.split_once('.') {
        Some((i, f)) if !i.is_empty() && !f.is_empty() && !f.contains('.') => (i, f),
        Some(_) => return None,
        None => (number, ""),
    };
    Some((int_digits, frac_digits))
}

/// `int.frac × unit_us`, rounded half up to whole microseconds; `None` when it does not fit below
/// [`SimTime::NEVER`] (which means "never", so it cannot be a duration).
fn to_micros(int_digits: &str, frac_digits: &str, unit_us: u64) -> Option<u64> {
    let int_digits = int_digits.trim_start_matches('0');
    if int_digits.len() > MAX_INTEGER_DIGITS {
        return None;
    }
    let frac_digits = frac_digits.get(..MAX_FRACTION_DIGITS).unwrap_or(frac_digits);
    let scale = 10u128.checked_pow(u32::try_from(frac_digits.len()).ok()?)?;
    let mut mantissa: u128 = 0;
    for digit in int_digits.bytes().chain(frac_digits.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(u128::from(digit - b'0'))?;
    }
    // When the product overflows u128 the quotient is > 10^20 µs anyway, so `None` is right.
    let product = mantissa.checked_mul(u128::from(unit_us))?;
    let micros = (product + scale / 2) / scale;
    u64::try_from(micros).ok().filter(|&us| us < u64::MAX)
}

/// Writes a duration the way a user would, for messages: `"30s"`, `"1.5h"`, `"250ms"`, `"7d"`.
pub(crate) fn format_duration(t: SimTime) -> String {
    let us = t.0;
    if us == 0 {
        return "0s".to_string();
    }
    // The largest unit that gives at most three decimals, so the text is short but exact.
    for &(name, unit_us) in UNITS.iter().rev() {
        let exact_in_millis = u128::from(us) * 1000 % u128::from(unit_us) == 0;
        if us >= unit_us && exact_in_millis {
            let whole = us / unit_us;
            let rest = us % unit_us;
            if rest == 0 {
                return format!("{whole}{name}");
            }
            let frac = format!("{:03}", u128::from(rest) * 1000 / u128::from(unit_us));
            return format!("{whole}.{}{name}", frac.trim_end_matches('0'));
        }
    }
    format!("{us}us")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(s: &str) -> u64 {
        match parse_duration(s) {
            Ok(t) => t.0,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn err(s: &str) -> String {
        match parse_duration(s) {
            Ok(t) => panic!("{s:?} should be refused, got {t:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn every_unit() {
        assert_eq!(us("7us"), 7);
        assert_eq!(us("250ms"), 250_000);
        assert_eq!(us("30s"), 30_000_000);
        assert_eq!(us("5m"), 300_000_000);
        assert_eq!(us("2h"), 7_200_000_000);
        assert_eq!(us("7d"), 7 * 86_400_000_000);
        assert_eq!(us("1y"), 365 * 86_400_000_000);
    }

    #[test]
    fn decimals_are_exact_and_rounded_to_the_microsecond() {
        assert_eq!(us("1.5h"), 5_400_000_000);
        assert_eq!(us("0.1s"), 100_000);
        assert_eq!(us("0.0000005s"), 1, "half a microsecond rounds up");
        assert_eq!(us("0.0000004s"), 0);
        assert_eq!(
            us("1.000000000000000000000000001s"),
            1_000_000,
            "extra digits are harmless"
        );
        assert_eq!(us("007s"), 7_000_000);
    }

    #[test]
    fn zero_and_whitespace_are_accepted() {
        assert_eq!(us("0s"), 0);
        assert_eq!(us("0.0ms"), 0);
        assert_eq!(us(" 5 s "), 5_000_000);
    }

    #[test]
    fn a_bare_number_needs_a_unit() {
        let e = err("30");
        assert!(e.contains("a duration needs a unit, e.g. \"30s\""), "{e}");
        assert!(err("1.5").contains("needs a unit"));
    }

    #[test]
    fn unknown_units_list_the_allowed_ones() {
        for bad in ["5 min", "5sec", "5S", "5w", "5µs", "5e3s"] {
            let e = err(bad);
            assert!(
                e.contains("unknown unit") && e.contains("us, ms, s, m, h, d"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn negative_nan_and_infinite_are_refused() {
        assert!(err("-5s").contains("negative"));
        assert!(err("-0s").contains("negative"));
        assert!(err("NaNs").contains("not a finite number"));
        assert!(err("infh").contains("not a finite number"));
        assert!(err("-inf s").contains("not a finite number"));
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in ["", "  ", "s", ".5s", "5.s", "1.2.3s", "+5s", "five s", "1_000s"] {
            let e = err(bad);
            assert!(!e.is_empty(), "{bad}");
        }
        assert!(err("").contains("cannot be empty"));
    }

    #[test]
    fn overflow_is_refused_not_wrapped() {
        assert!(err("584943y").contains("too long"));
        assert!(err("99999999999999999999999999999999999999999999y").contains("too long"));
        assert!(
            err("18446744073709551615us").contains("too long"),
            "u64::MAX means never"
        );
        assert_eq!(us("18446744073709551614us"), u64::MAX - 1);
        assert_eq!(us("500000y"), 500_000 * 365 * 86_400_000_000);
    }

    #[test]
    fn format_is_short_and_round_trips() {
        for s in ["0s", "30s", "1.5h", "250ms", "7d", "1y", "2.5s", "7us", "90m", "1.001s"] {
            let t = SimTime(us(s));
            assert_eq!(
                parse_duration(&format_duration(t)),
                Ok(t),
                "{s} -> {}",
                format_duration(t)
            );
        }
        assert_eq!(format_duration(SimTime::from_secs(30)), "30s");
        assert_eq!(format_duration(SimTime(5_400_000_000)), "1.5h");
        assert_eq!(format_duration(SimTime(1_234_567)), "1234.567ms");
        assert_eq!(format_duration(SimTime(999)), "999us");
    }
}
