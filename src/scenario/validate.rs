//! From text to a checked [`Scenario`]: overrides, TOML, the raw structs, then every check.
//!
//! The defaults below are the one place where a value the file leaves out is chosen. Most mirror
//! AWS's own defaults (SCENARIO.md: "where this page is silent, mirror what AWS does"); the rest
//! come from the example in SCENARIO.md section 2.

mod fleet;
mod locate;
mod method;
mod overrides;
mod traffic;
mod values;

#[cfg(test)]
mod tests;

use std::path::Path;

use toml::de::DeTable;

use self::locate::{column_at, line_at, Locator};
use self::values::{dist, duration_or, int_u64, required, Zero};
use super::raw::{RawOutage, RawOutageKind, RawScenario, RawSimulation, RawSlo, RawZone};
use super::{Fault, Method, Outage, OutageKind, Region, Scenario, ScenarioError, Simulation, Slo, Zone, ZoneId};
use crate::kernel::SimTime;

// ---- [simulation]: SCENARIO.md section 2 (a year of 1000 trials), seed 1 by choice.
const DEFAULT_HORIZON: SimTime = SimTime::from_secs(365 * 86_400);
const DEFAULT_TRIALS: u64 = 1000;
const DEFAULT_SEED: u64 = 1;

// ---- [load_balancer]: AWS's defaults for a new load balancer of each type.
/// What a load balancer type sets when the file does not.
struct LbDefaults {
    algorithm: super::Algorithm,
    cross_zone: bool,
    interval: SimTime,
    timeout: SimTime,
    healthy_threshold: u32,
    unhealthy_threshold: u32,
}
/// ALB target group: round robin, cross-zone always on, HTTP checks every 30 s, 5 s timeout, 5/2.
const ALB_DEFAULTS: LbDefaults = LbDefaults {
    algorithm: super::Algorithm::RoundRobin,
    cross_zone: true,
    interval: SimTime::from_secs(30),
    timeout: SimTime::from_secs(5),
    healthy_threshold: 5,
    unhealthy_threshold: 2,
};
/// NLB target group: a flow hash (modelled as random), cross-zone off, TCP checks 30 s / 10 s, 5/2.
const NLB_DEFAULTS: LbDefaults = LbDefaults {
    algorithm: super::Algorithm::Random,
    cross_zone: false,
    interval: SimTime::from_secs(30),
    timeout: SimTime::from_secs(10),
    healthy_threshold: 5,
    unhealthy_threshold: 2,
};
/// Classic LB (as created in the console): round robin, cross-zone on, 30 s / 5 s, 10/2.
const CLB_DEFAULTS: LbDefaults = LbDefaults {
    algorithm: super::Algorithm::RoundRobin,
    cross_zone: true,
    interval: SimTime::from_secs(30),
    timeout: SimTime::from_secs(5),
    healthy_threshold: 10,
    unhealthy_threshold: 2,
};
/// Target group deregistration delay (AWS default 300 s; AWS allows 0–3600 s).
const DEFAULT_DEREGISTRATION_DELAY: SimTime = SimTime::from_secs(300);
const MAX_DEREGISTRATION_DELAY: SimTime = SimTime::from_secs(3600);
/// ELB DNS records have a 60 s TTL, so clients keep a failed node about that long.
const DEFAULT_DNS_FAILOVER_DELAY: SimTime = SimTime::from_secs(60);
/// No LB cost unless the file gives one.
const DEFAULT_LB_PRICE_PER_HOUR: f64 = 0.0;
/// AWS's allowed ranges for target-group health checks.
const HEALTH_CHECK_INTERVAL_RANGE: (SimTime, SimTime) = (SimTime::from_secs(5), SimTime::from_secs(300));
const HEALTH_CHECK_TIMEOUT_RANGE: (SimTime, SimTime) = (SimTime::from_secs(2), SimTime::from_secs(120));
const HEALTH_CHECK_THRESHOLD_RANGE: std::ops::RangeInclusive<u32> = 2..=10;

// ---- [fleet]: AWS Auto Scaling defaults; min and max default to desired (a fixed-size group).
const DEFAULT_HEALTH_CHECK_TYPE: super::HealthCheckType = super::HealthCheckType::Ec2;
/// The console's default grace period for a new group.
const DEFAULT_GRACE_PERIOD: SimTime = SimTime::from_secs(300);
// [fleet.instance]: the instance type of SCENARIO.md section 2; a typical web server's concurrency
// and queue; a constant three-minute launch (EC2 boot plus application start); no cost unless given.
const DEFAULT_INSTANCE_TYPE: &str = "m5.large";
const DEFAULT_CONCURRENCY: u32 = 8;
const DEFAULT_QUEUE_LIMIT: u32 = 1000;
const DEFAULT_LAUNCH_TIME: SimTime = SimTime::from_secs(180);
const DEFAULT_INSTANCE_PRICE_PER_HOUR: f64 = 0.0;
// [[fleet.scaling]]: target tracking's default warm-up is 300 s and it scales in unless told not to.
const DEFAULT_INSTANCE_WARMUP: SimTime = SimTime::from_secs(300);
const DEFAULT_DISABLE_SCALE_IN: bool = false;
// [fleet.spot]: the mixed instances policy defaults (no on-demand base, 0 % on-demand above it);
// EC2's two-minute interruption notice; a reclaim takes every spot instance of the pool.
const DEFAULT_ON_DEMAND_BASE: u32 = 0;
const DEFAULT_ON_DEMAND_PERCENTAGE_ABOVE_BASE: u32 = 0;
const DEFAULT_SPOT_NOTICE: SimTime = SimTime::from_secs(120);
const DEFAULT_CAPACITY_REBALANCE: bool = false;
const DEFAULT_SPOT_UNAVAILABLE_FOR: SimTime = SimTime::from_secs(30 * 60);
const DEFAULT_RECLAIM_FRACTION: f64 = 1.0;

// ---- [[zones]], [traffic], [slo], [[inject]]: SCENARIO.md section 2.
const DEFAULT_OUTAGE_KIND: OutageKind = OutageKind::Isolation;
const DEFAULT_TRAFFIC_MODEL: super::TrafficModel = super::TrafficModel::Auto;
/// Clients do not retry unless told to; at most 10 retries keeps a request's fate bounded.
const DEFAULT_RETRIES: u32 = 0;
const MAX_RETRIES: u32 = 10;
const DEFAULT_RETRY_BACKOFF: SimTime = SimTime::ZERO;
const DEFAULT_MAX_ERROR_RATE: f64 = 0.05;
const DEFAULT_INJECT_COUNT: u32 = 1;
const DEFAULT_INJECT_FRACTION: f64 = 1.0;

type Res<T> = Result<T, ScenarioError>;

/// What every check needs to build an error: the source's name and where keys are in its text.
struct Ctx<'t> {
    source: &'t str,
    loc: Locator<'t>,
}

impl Ctx<'_> {
    /// An error about `key`, at its line when the key (or its table) is written in the text.
    fn err(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            source: self.source.to_string(),
            key: Some(key.to_string()),
            line: self.loc.line_of(key),
            message: message.into(),
        }
    }
}

/// Reads, overrides and checks the scenario file at `path`; its name defaults to the file stem.
pub(super) fn load(path: &Path, overrides: &[(String, String)]) -> Result<Scenario, ScenarioError> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ScenarioError::whole(&source, format!("cannot read {source}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        ScenarioError::whole(
            &source,
            "not a text file (it is not UTF-8); a scenario is a TOML text file",
        )
    })?;
    let default_name = path
        .file_stem()
        .map_or_else(|| "scenario".to_string(), |s| s.to_string_lossy().into_owned());
    parse(&text, &source, &default_name, overrides)
}

/// Overrides and checks scenario text.
pub(super) fn parse(
    text: &str,
    source: &str,
    default_name: &str,
    overrides: &[(String, String)],
) -> Result<Scenario, ScenarioError> {
    parse_unchecked(text, source, default_name, overrides).map(|(scenario, _)| scenario)
}

/// As [`parse`], also returning the text after overrides. (Named for the days when [`parse`]
/// refused features not yet simulated on top of it; every feature of the contract is now.)
fn parse_unchecked(
    text: &str,
    source: &str,
    default_name: &str,
    overrides: &[(String, String)],
) -> Result<(Scenario, String), ScenarioError> {
    if text.contains('\0') {
        return Err(ScenarioError::whole(
            source,
            "not a text file (it contains NUL bytes); a scenario is a TOML text file",
        ));
    }
    let document = DeTable::parse(text).map_err(|e| toml_error(source, text, &e, true))?;
    if document.get_ref().is_empty() {
        return Err(ScenarioError::whole(
            source,
            "the scenario is empty; it needs at least [[zones]] and [fleet]",
        ));
    }
    let text = overrides::apply(text, overrides, source)?;
    let raw: RawScenario = toml::from_str(&text).map_err(|e| toml_error(source, &text, &e, false))?;
    let ctx = Ctx {
        source,
        loc: Locator::new(&text),
    };
    let scenario = convert(&ctx, raw, default_name)?;
    Ok((scenario, text))
}

/// A toml error (syntax, or a serde error such as an unknown key or a wrong type) with the key it
/// is about, found from its span, and a message in plain words.
fn toml_error(source: &str, text: &str, e: &toml::de::Error, is_syntax: bool) -> ScenarioError {
    let span = e.span();
    let key = span.as_ref().and_then(|s| Locator::new(text).path_at(s.start));
    // The text the error points at, when it is short enough to quote (e.g. the duplicated key).
    let snippet = span
        .as_ref()
        .and_then(|s| text.get(s.clone()))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 40 && !t.contains('\n'));
    let mut message = humanize(e.message().trim(), snippet);
    // toml reads integers beyond 64 bits as i128 and leaves the refusal to serde, but TOML itself
    // does not allow them: report them as the TOML error they are.
    let too_big = e.message().contains("` as i128") || e.message().contains("` as u128");
    if too_big {
        message = format!(
            "{} does not fit in a TOML integer (from -9223372036854775808 to 9223372036854775807)",
            snippet.unwrap_or("the number")
        );
    }
    if is_syntax || too_big {
        // The line is in the location already; the column matters for a typo in a long line.
        if let Some(start) = span.as_ref().map(|s| s.start) {
            message = format!(
                "invalid TOML (line {}, column {}): {message}",
                line_at(text, start),
                column_at(text, start)
            );
        } else {
            message = format!("invalid TOML: {message}");
        }
        if let (Some(snippet), false) = (snippet, too_big) {
            message.push_str(&format!(" at `{snippet}`"));
        }
    }
    ScenarioError {
        source: source.to_string(),
        key,
        line: span.map(|s| line_at(text, s.start)),
        message,
    }
}

/// Rewrites serde's wording for people who write TOML rather than Rust. `snippet` is the text
/// the error points at.
fn humanize(message: &str, snippet: Option<&str>) -> String {
    let mut m = message.to_string();
    if m.starts_with("unknown field") || m.starts_with("unknown variant") {
        m = m
            .replacen("unknown field", "unknown key", 1)
            .replacen("unknown variant", "unknown value", 1);
        m = m
            .replacen(", expected one of ", "; allowed: ", 1)
            .replacen(", expected ", "; allowed: ", 1);
        m = m.replacen(", there are no fields", "; this table takes no keys", 1);
    }
    // toml hands dates and times to serde as maps, so "map" may be either; the text tells which.
    let map = match snippet {
        Some(t) if !t.starts_with(['{', '[']) => {
            "found a date/time (write times and durations in quotes, e.g. \"08:00\" or \"30s\")"
        }
        _ => "found a table",
    };
    for (from, to) in [
        ("invalid type: ", "wrong type: found "),
        ("found map", map),
        ("found sequence", "found an array"),
        ("found floating point", "found float"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected a table"),
        ("expected a borrowed string", "expected a string"),
    ] {
        m = m.replace(from, to);
    }
    // "expected struct RawFleet" and "expected enum RawModel" name our Rust types; say what TOML wants.
    if let Some(at) = m.find("expected struct ") {
        m.truncate(at);
        m.push_str("expected a table");
    } else if let Some(at) = m.find("expected enum ") {
        m.truncate(at);
        m.push_str("expected a string");
    }
    m
}

fn convert(ctx: &Ctx<'_>, raw: RawScenario, default_name: &str) -> Res<Scenario> {
    let name = match raw.name {
        Some(name) if name.trim().is_empty() => {
            return Err(ctx.err(
                "name",
                "the name cannot be empty; leave `name` out to use the file name",
            ))
        }
        Some(name) => name,
        None => default_name.to_string(),
    };
    let simulation = simulation(ctx, raw.simulation.as_ref())?;
    let zones = zones(ctx, raw.zones.as_deref())?;
    let region_outage = raw.region.as_ref().and_then(|r| r.outage.as_ref());
    let region = Region {
        outage: region_outage
            .map(|o| outage(ctx, "region.outage", o, true))
            .transpose()?,
    };
    let load_balancer = fleet::load_balancer(ctx, raw.load_balancer.as_ref())?;
    let fleet = fleet::fleet(ctx, raw.fleet.as_ref(), &zones)?;
    let traffic = raw.traffic.as_ref().map(|t| traffic::traffic(ctx, t)).transpose()?;
    fleet::tracking_needs_traffic(ctx, &fleet, traffic.is_some())?;
    let slo = slo(ctx, raw.slo.as_ref())?;
    let world = traffic::World {
        zones: &zones,
        horizon: simulation.horizon,
        traffic: traffic.is_some(),
        spot: fleet.spot.is_some(),
    };
    let inject = traffic::injections(ctx, raw.inject.as_deref().unwrap_or_default(), &world)?;
    let scenario = Scenario {
        name,
        description: raw.description,
        simulation,
        zones,
        region,
        load_balancer,
        fleet,
        traffic,
        slo,
        inject,
    };
    method::fits(ctx, &scenario)?;
    Ok(scenario)
}

fn simulation(ctx: &Ctx<'_>, raw: Option<&RawSimulation>) -> Res<Simulation> {
    let Some(raw) = raw else {
        return Ok(Simulation {
            horizon: DEFAULT_HORIZON,
            trials: DEFAULT_TRIALS,
            seed: DEFAULT_SEED,
            method: Method::MonteCarlo,
        });
    };
    Ok(Simulation {
        horizon: duration_or(
            ctx,
            "simulation.horizon",
            raw.horizon.as_ref(),
            DEFAULT_HORIZON,
            Zero::Refused,
        )?,
        trials: raw
            .trials
            .map_or(Ok(DEFAULT_TRIALS), |t| int_u64(ctx, "simulation.trials", t, 1))?,
        seed: raw
            .seed
            .map_or(Ok(DEFAULT_SEED), |s| int_u64(ctx, "simulation.seed", s, 0))?,
        method: method::method(ctx, raw)?,
    })
}

fn zones(ctx: &Ctx<'_>, raw: Option<&[RawZone]>) -> Res<Vec<Zone>> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Err(ctx.err(
            "zones",
            "there are no [[zones]]; declare at least one availability zone, e.g. [[zones]] name = \"a\"",
        ));
    }
    let mut zones: Vec<Zone> = Vec::with_capacity(raw.len());
    for (i, z) in raw.iter().enumerate() {
        let key = format!("zones[{i}]");
        let name = required(
            ctx,
            &format!("{key}.name"),
            z.name.as_ref(),
            "every zone needs a name, e.g. name = \"a\"",
        )?;
        if name.trim().is_empty() {
            return Err(ctx.err(&format!("{key}.name"), "a zone name cannot be empty"));
        }
        if let Some(first) = zones.iter().position(|other| other.name == *name) {
            return Err(ctx.err(
                &format!("{key}.name"),
                format!("zone {name:?} is declared twice (also zones[{first}]); zone names must be unique"),
            ));
        }
        let outage = z
            .outage
            .as_ref()
            .map(|o| outage(ctx, &format!("{key}.outage"), o, false))
            .transpose()?;
        zones.push(Zone {
            name: name.clone(),
            outage,
        });
    }
    Ok(zones)
}

/// A zone's or the region's recurring outage.
fn outage(ctx: &Ctx<'_>, key: &str, raw: &RawOutage, region: bool) -> Res<Outage> {
    let time_between = required(
        ctx,
        &format!("{key}.time_between"),
        raw.time_between.as_ref(),
        "say how long it stays up between outages, e.g. time_between = { dist = \"exponential\", mean = \"365d\" }",
    )?;
    let duration = required(
        ctx,
        &format!("{key}.duration"),
        raw.duration.as_ref(),
        "say how long an outage lasts, e.g. duration = { dist = \"lognormal\", median = \"1h\", sigma = 1.0 }",
    )?;
    let kind = match raw.kind {
        None => DEFAULT_OUTAGE_KIND,
        Some(RawOutageKind::Isolation) => OutageKind::Isolation,
        Some(RawOutageKind::Power) if region => {
            return Err(ctx.err(
                &format!("{key}.kind"),
                "a region outage is always an isolation outage (every zone unreachable at once); \
                 use kind = \"isolation\" or leave kind out",
            ))
        }
        Some(RawOutageKind::Power) => OutageKind::Power,
    };
    Ok(Outage {
        time_between: dist(ctx, &format!("{key}.time_between"), time_between, Zero::Refused)?,
        duration: dist(ctx, &format!("{key}.duration"), duration, Zero::Refused)?,
        kind,
    })
}

fn slo(ctx: &Ctx<'_>, raw: Option<&RawSlo>) -> Res<Slo> {
    let Some(raw) = raw else {
        return Ok(Slo {
            availability: None,
            latency_p99: None,
            max_error_rate: DEFAULT_MAX_ERROR_RATE,
        });
    };
    let availability = match raw.availability {
        Some(a) if !(a > 0.0 && a <= 1.0) => {
            return Err(ctx.err(
                "slo.availability",
                format!("must be more than 0 and at most 1, e.g. 0.9995; got {a}"),
            ))
        }
        other => other,
    };
    let latency_p99 = raw
        .latency_p99
        .as_ref()
        .map(|l| values::duration(ctx, "slo.latency_p99", l, Zero::Refused))
        .transpose()?;
    let max_error_rate = match raw.max_error_rate {
        None => DEFAULT_MAX_ERROR_RATE,
        Some(r) if (0.0..1.0).contains(&r) => r,
        Some(r) => {
            return Err(ctx.err(
                "slo.max_error_rate",
                format!("must be at least 0 and less than 1 (the share of failing requests at which the service is DOWN); got {r}"),
            ))
        }
    };
    Ok(Slo {
        availability,
        latency_p99,
        max_error_rate,
    })
}

/// The id of a zone named in `key`, which must be declared in `[[zones]]`.
fn zone_id(ctx: &Ctx<'_>, key: &str, name: &str, zones: &[Zone]) -> Res<ZoneId> {
    zones.iter().position(|z| z.name == name).ok_or_else(|| {
        let declared: Vec<String> = zones.iter().map(|z| format!("{:?}", z.name)).collect();
        ctx.err(
            key,
            format!(
                "zone {name:?} is not declared in [[zones]]; declared zones: {}",
                declared.join(", ")
            ),
        )
    })
}
