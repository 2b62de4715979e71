//! Checks of single values: durations, distributions, integers, numbers, times of day.
//!
//! Each takes the full key so its error can name it; each message says what is allowed.

use std::ops::RangeInclusive;

use toml::Value;

use super::{Ctx, Res};
use crate::kernel::SimTime;
use crate::scenario::duration::{format_duration, parse_duration};
use crate::scenario::raw::RawDuration;
use crate::scenario::DurationDist;

/// Whether a duration (or every draw of a distribution) may be zero where it is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Zero {
    Allowed,
    Refused,
}

/// The distributions, as listed in messages.
const DISTS: &str = "constant, exponential, weibull, lognormal, uniform, empirical";

/// A present value, or an error saying what to write.
pub(super) fn required<'a, T>(ctx: &Ctx<'_>, key: &str, value: Option<&'a T>, help: &str) -> Res<&'a T> {
    value.ok_or_else(|| ctx.err(key, format!("{key} is missing; {help}")))
}

/// A duration written as a string.
pub(super) fn duration(ctx: &Ctx<'_>, key: &str, raw: &RawDuration, zero: Zero) -> Res<SimTime> {
    let t = parse_duration(&raw.0).map_err(|e| ctx.err(key, e))?;
    refuse_zero(ctx, key, t, zero)?;
    Ok(t)
}

/// An optional duration, with its default.
pub(super) fn duration_or(
    ctx: &Ctx<'_>,
    key: &str,
    raw: Option<&RawDuration>,
    default: SimTime,
    zero: Zero,
) -> Res<SimTime> {
    raw.map_or(Ok(default), |r| duration(ctx, key, r, zero))
}

fn refuse_zero(ctx: &Ctx<'_>, key: &str, t: SimTime, zero: Zero) -> Res<()> {
    if zero == Zero::Refused && t == SimTime::ZERO {
        return Err(ctx.err(
            key,
            "must be longer than zero (durations under half a microsecond round to zero)",
        ));
    }
    Ok(())
}

/// A duration inside a distribution table, which is a plain TOML value.
fn duration_value(ctx: &Ctx<'_>, key: &str, value: &Value, zero: Zero) -> Res<SimTime> {
    match value {
        Value::String(s) => duration(ctx, key, &RawDuration(s.clone()), zero),
        Value::Integer(_) | Value::Float(_) => Err(ctx.err(
            key,
            format!("a duration needs a unit, e.g. \"30s\"; got the bare number {value}"),
        )),
        other => Err(ctx.err(
            key,
            format!("expected a duration string like \"30s\"; got a {}", other.type_str()),
        )),
    }
}

/// A distribution of durations: a bare duration string (constant) or a `{ dist = ..., ... }` table.
/// With [`Zero::Refused`] no draw may be zero: a constant or every empirical value of zero, or a
/// uniform ending at zero, is refused.
pub(super) fn dist(ctx: &Ctx<'_>, key: &str, value: &Value, zero: Zero) -> Res<DurationDist> {
    match value {
        Value::String(_) | Value::Integer(_) | Value::Float(_) => {
            duration_value(ctx, key, value, zero).map(DurationDist::Constant)
        }
        Value::Table(table) => dist_table(ctx, key, table, zero),
        other => Err(ctx.err(
            key,
            format!(
                "expected a duration like \"5m\" or a distribution like {{ dist = \"exponential\", mean = \"30d\" }}; got a {}",
                other.type_str()
            ),
        )),
    }
}

fn dist_table(ctx: &Ctx<'_>, key: &str, table: &toml::Table, zero: Zero) -> Res<DurationDist> {
    let dist_key = format!("{key}.dist");
    let name = match table.get("dist") {
        Some(Value::String(name)) => name.as_str(),
        Some(other) => {
            return Err(ctx.err(
                &dist_key,
                format!("expected a string, one of {DISTS}; got a {}", other.type_str()),
            ))
        }
        None => return Err(ctx.err(&dist_key, format!("a distribution table needs `dist`, one of {DISTS}"))),
    };
    let params: &[&str] = match name {
        "constant" => &["value"],
        "exponential" => &["mean"],
        "weibull" => &["shape", "scale"],
        "lognormal" => &["median", "sigma"],
        "uniform" => &["min", "max"],
        "empirical" => &["values"],
        _ => return Err(ctx.err(&dist_key, format!("unknown distribution {name:?}; use one of {DISTS}"))),
    };
    let takes = format!(
        "{name} takes {}",
        params
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    );
    if let Some(extra) = table
        .keys()
        .find(|k| k.as_str() != "dist" && !params.contains(&k.as_str()))
    {
        return Err(ctx.err(
            &format!("{key}.{extra}"),
            format!("`{extra}` is not a parameter of {name}; {takes}"),
        ));
    }
    let param = |p: &str| -> Res<(String, &Value)> {
        let param_key = format!("{key}.{p}");
        match table.get(p) {
            Some(v) => Ok((param_key, v)),
            None => Err(ctx.err(
                &param_key,
                format!("{name} needs `{p}`; {takes}, e.g. {}", example(name)),
            )),
        }
    };
    let positive_secs = |p: &str| -> Res<f64> {
        let (k, v) = param(p)?;
        duration_value(ctx, &k, v, Zero::Refused).map(SimTime::as_secs_f64)
    };
    let positive_number = |p: &str| -> Res<f64> {
        let (k, v) = param(p)?;
        let x = number_value(ctx, &k, v)?;
        if x > 0.0 {
            Ok(x)
        } else {
            Err(ctx.err(&k, format!("must be more than zero; got {x}")))
        }
    };
    Ok(match name {
        "constant" => {
            let (k, v) = param("value")?;
            DurationDist::Constant(duration_value(ctx, &k, v, zero)?)
        }
        "exponential" => DurationDist::Exponential {
            mean_s: positive_secs("mean")?,
        },
        "weibull" => DurationDist::Weibull {
            shape: positive_number("shape")?,
            scale_s: positive_secs("scale")?,
        },
        "lognormal" => DurationDist::LogNormal {
            median_s: positive_secs("median")?,
            sigma: positive_number("sigma")?,
        },
        "uniform" => {
            let (min_key, min) = param("min")?;
            let (max_key, max) = param("max")?;
            let min = duration_value(ctx, &min_key, min, Zero::Allowed)?;
            let max = duration_value(ctx, &max_key, max, zero)?;
            if min > max {
                return Err(ctx.err(
                    &min_key,
                    format!(
                        "min ({}) is more than max ({}); need min <= max",
                        format_duration(min),
                        format_duration(max)
                    ),
                ));
            }
            DurationDist::Uniform {
                min_s: min.as_secs_f64(),
                max_s: max.as_secs_f64(),
            }
        }
        _ => empirical(ctx, key, param("values")?, zero)?,
    })
}

fn example(dist: &str) -> &'static str {
    match dist {
        "constant" => "{ dist = \"constant\", value = \"5m\" }",
        "exponential" => "{ dist = \"exponential\", mean = \"30d\" }",
        "weibull" => "{ dist = \"weibull\", shape = 1.5, scale = \"30d\" }",
        "lognormal" => "{ dist = \"lognormal\", median = \"1h\", sigma = 1.0 }",
        "uniform" => "{ dist = \"uniform\", min = \"1m\", max = \"10m\" }",
        _ => "{ dist = \"empirical\", values = [\"40m\", \"2h\", \"5h\"] }",
    }
}

fn empirical(ctx: &Ctx<'_>, key: &str, (values_key, values): (String, &Value), zero: Zero) -> Res<DurationDist> {
    let Value::Array(items) = values else {
        return Err(ctx.err(
            &values_key,
            format!("expected an array of durations, e.g. {}", example("empirical")),
        ));
    };
    if items.is_empty() {
        return Err(ctx.err(&values_key, "needs at least one value, e.g. values = [\"40m\", \"2h\"]"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(duration_value(ctx, &format!("{values_key}[{i}]"), item, Zero::Allowed)?);
    }
    if zero == Zero::Refused && out.iter().all(|&t| t == SimTime::ZERO) {
        return Err(ctx.err(
            &values_key,
            format!("at least one value must be longer than zero (in {key})"),
        ));
    }
    Ok(DurationDist::Empirical(out))
}

/// A TOML integer or float, as a finite `f64`.
fn number_value(ctx: &Ctx<'_>, key: &str, value: &Value) -> Res<f64> {
    let x = match value {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        other => return Err(ctx.err(key, format!("expected a number; got a {}", other.type_str()))),
    };
    finite(ctx, key, x)
}

/// A number that is neither NaN nor infinite (TOML allows both).
pub(super) fn finite(ctx: &Ctx<'_>, key: &str, x: f64) -> Res<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(ctx.err(key, format!("must be a finite number; got {x}")))
    }
}

/// A finite number > 0.
pub(super) fn positive(ctx: &Ctx<'_>, key: &str, x: f64) -> Res<f64> {
    if finite(ctx, key, x)? > 0.0 {
        Ok(x)
    } else {
        Err(ctx.err(key, format!("must be more than zero; got {x}")))
    }
}

/// A price [USD/h]: finite and ≥ 0.
pub(super) fn price(ctx: &Ctx<'_>, key: &str, x: f64) -> Res<f64> {
    if finite(ctx, key, x)? >= 0.0 {
        Ok(x)
    } else {
        Err(ctx.err(key, format!("a price cannot be negative; got {x}")))
    }
}

/// A probability in [0, 1].
pub(super) fn probability(ctx: &Ctx<'_>, key: &str, x: f64) -> Res<f64> {
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(ctx.err(key, format!("must be between 0 and 1 (a share); got {x}")))
    }
}

/// A TOML integer (always `i64`) converted to `u32` within `range`; `note` explains the range.
pub(super) fn int_u32(ctx: &Ctx<'_>, key: &str, v: i64, range: RangeInclusive<u32>, note: &str) -> Res<u32> {
    let (lo, hi) = (*range.start(), *range.end());
    if let Ok(x) = u32::try_from(v) {
        if range.contains(&x) {
            return Ok(x);
        }
    }
    let message = if hi < u32::MAX {
        format!("must be between {lo} and {hi}{note}; got {v}")
    } else if v < 0 && lo == 0 {
        format!("cannot be negative; got {v}")
    } else if v < i64::from(lo) {
        format!("must be at least {lo}{note}; got {v}")
    } else {
        format!("is too large; the most is {hi}, got {v}")
    };
    Err(ctx.err(key, message))
}

/// A TOML integer converted to `u64`, at least `min`.
pub(super) fn int_u64(ctx: &Ctx<'_>, key: &str, v: i64, min: u64) -> Res<u64> {
    match u64::try_from(v) {
        Ok(x) if x >= min => Ok(x),
        _ if min == 0 => Err(ctx.err(key, format!("cannot be negative; got {v}"))),
        _ => Err(ctx.err(key, format!("must be at least {min}; got {v}"))),
    }
}

/// A time of day `"HH:MM"` as the span since 00:00.
pub(super) fn time_of_day(ctx: &Ctx<'_>, key: &str, s: &str) -> Res<SimTime> {
    let bad = || {
        ctx.err(
            key,
            format!("{s:?} is not a time of day; write \"HH:MM\" from \"00:00\" to \"23:59\", e.g. \"14:00\""),
        )
    };
    let (hh, mm) = s.split_once(':').ok_or_else(bad)?;
    let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hh) || !two_digits(mm) {
        return Err(bad());
    }
    let (h, m): (u64, u64) = (hh.parse().map_err(|_| bad())?, mm.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(SimTime::from_secs(h * 3600 + m * 60))
}

/// Refuses keys given in a table that do not belong to its `kind`/`fault`: `given` pairs each key
/// with whether it was written; `owner` names the choice (e.g. `fault = "zone_outage"`).
pub(super) fn only_keys(
    ctx: &Ctx<'_>,
    table_key: &str,
    given: &[(&str, bool)],
    owner: &str,
    allowed: &[&str],
) -> Res<()> {
    if let Some((extra, _)) = given.iter().find(|(k, present)| *present && !allowed.contains(k)) {
        let takes = if allowed.is_empty() {
            "it takes no other keys".to_string()
        } else {
            format!(
                "it takes {}",
                allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            )
        };
        return Err(ctx.err(
            &format!("{table_key}.{extra}"),
            format!("`{extra}` does not belong with {owner}; {takes}"),
        ));
    }
    Ok(())
}
