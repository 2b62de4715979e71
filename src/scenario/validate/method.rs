//! `simulation.method`, and whether the scenario fits failure biasing.
//!
//! Failure biasing (`crate::montecarlo::rare`) cuts the run into cycles that each start in the
//! world's all-working state. That is a fresh start only when every failure clock is memoryless
//! and nothing in the world keeps time on its own (traffic, scaling, spot pools, injections), and
//! a cycle ends only when the group can repair everything. What breaks that is refused here, by
//! key, so that `nines check` says so before anything runs.

use super::values::finite;
use super::*;
use crate::scenario::raw::RawMethod;
use crate::scenario::{DurationDist, FailureKind, HealthCheckType};

const METHOD: &str = "method = \"failure_biasing\"";
const OR_PLAIN: &str = "or use method = \"monte_carlo\"";

pub(super) fn method(ctx: &Ctx<'_>, raw: &RawSimulation) -> Res<Method> {
    match (raw.method, raw.failure_bias) {
        (None | Some(RawMethod::MonteCarlo), None) => Ok(Method::MonteCarlo),
        (None | Some(RawMethod::MonteCarlo), Some(_)) => Err(ctx.err(
            "simulation.failure_bias",
            format!("applies only with {METHOD}; add it or leave failure_bias out"),
        )),
        (Some(RawMethod::FailureBiasing), bias) => {
            let key = "simulation.failure_bias";
            let bias = bias.map(|b| finite(ctx, key, b)).transpose()?;
            if let Some(b) = bias.filter(|&b| b < 1.0) {
                return Err(ctx.err(
                    key,
                    format!(
                        "must be at least 1 (failures run this many times faster in a cycle; below 1 \
                         they would be rarer still); got {b}"
                    ),
                ));
            }
            Ok(Method::FailureBiasing { bias })
        }
    }
}

/// Refuses, by key, what failure biasing cannot simulate; anything goes with plain Monte Carlo.
pub(super) fn fits(ctx: &Ctx<'_>, s: &Scenario) -> Res<()> {
    if s.simulation.method == Method::MonteCarlo {
        return Ok(());
    }
    let refuse = |key: &str, why: &str| Err(ctx.err(key, format!("{why}, {OR_PLAIN}")));
    if s.traffic.is_some() {
        return refuse(
            "traffic",
            &format!("{METHOD} estimates time-based availability and does not simulate requests; remove [traffic]"),
        );
    }
    if s.fleet.spot.is_some() {
        return refuse(
            "fleet.spot",
            &format!("{METHOD} cannot bias spot reclaims; remove [fleet.spot]"),
        );
    }
    if !s.fleet.scaling.is_empty() {
        return refuse(
            "fleet.scaling",
            &format!(
                "{METHOD} needs a group that returns to its starting size, and scaling policies follow \
                 the clock instead; remove [[fleet.scaling]]"
            ),
        );
    }
    if !s.inject.is_empty() {
        return refuse(
            "inject",
            &format!(
                "{METHOD} runs cycles that have no calendar, so faults at fixed times have no place; remove [[inject]]"
            ),
        );
    }
    if s.fleet.desired == 0 {
        return refuse(
            "fleet.desired",
            &format!("{METHOD} needs at least one instance (with none, the service is always DOWN)"),
        );
    }
    memoryless_clocks(ctx, s)?;
    let instances_can_fail = !s.fleet.failure_modes.is_empty()
        || s.fleet
            .zones
            .iter()
            .any(|&z| s.zones[z].outage.as_ref().is_some_and(|o| o.kind == OutageKind::Power));
    if instances_can_fail {
        group_repairs(ctx, s)?;
    }
    let anything_fails =
        s.zones.iter().any(|z| z.outage.is_some()) || s.region.outage.is_some() || !s.fleet.failure_modes.is_empty();
    if !anything_fails {
        return refuse(
            "simulation.method",
            &format!(
                "{METHOD} has nothing to bias: no zone or region outages and no failure modes (availability is 1)"
            ),
        );
    }
    Ok(())
}

/// Every failure clock must be exponential: then the all-working state is a fresh start whatever
/// happened before, which is what makes the cycles independent. Durations are not biased and may
/// have any distribution.
fn memoryless_clocks(ctx: &Ctx<'_>, s: &Scenario) -> Res<()> {
    let mut clocks: Vec<(String, &DurationDist)> = Vec::new();
    for (i, z) in s.zones.iter().enumerate() {
        if let Some(o) = &z.outage {
            clocks.push((format!("zones[{i}].outage.time_between"), &o.time_between));
        }
    }
    if let Some(o) = &s.region.outage {
        clocks.push(("region.outage.time_between".into(), &o.time_between));
    }
    for (i, m) in s.fleet.failure_modes.iter().enumerate() {
        clocks.push((format!("fleet.failure_modes[{i}].time_between"), &m.time_between));
    }
    for (key, dist) in clocks {
        if !matches!(dist, DurationDist::Exponential { .. }) {
            return Err(ctx.err(
                &key,
                format!(
                    "must be exponential with {METHOD} (the all-working state is a fresh start only when \
                     every failure clock is memoryless); got {}. Outage durations and launch times may \
                     have any distribution, {OR_PLAIN}",
                    family(dist)
                ),
            ));
        }
    }
    Ok(())
}

/// The group must be able to bring back every instance that fails or is lost, or a cycle never ends.
fn group_repairs(ctx: &Ctx<'_>, s: &Scenario) -> Res<()> {
    if s.fleet.health_check_type == HealthCheckType::Ec2 {
        if let Some(i) = s.fleet.failure_modes.iter().position(|m| m.kind == FailureKind::Hang) {
            return Err(ctx.err(
                &format!("fleet.failure_modes[{i}].kind"),
                format!(
                    "a hung instance is never replaced with fleet.health_check_type = \"ec2\", so the world \
                     never returns to all-working and a cycle of {METHOD} never ends; set \
                     health_check_type = \"elb\", {OR_PLAIN}"
                ),
            ));
        }
    }
    let p = s.fleet.suspended;
    let stopping: Vec<&str> = [
        (p.launch, "Launch"),
        (p.terminate, "Terminate"),
        (p.health_check, "HealthCheck"),
        (p.replace_unhealthy, "ReplaceUnhealthy"),
        (p.add_to_load_balancer, "AddToLoadBalancer"),
    ]
    .into_iter()
    .filter_map(|(suspended, name)| suspended.then_some(name))
    .collect();
    if !stopping.is_empty() {
        return Err(ctx.err(
            "fleet.suspended_processes",
            format!(
                "with {} suspended the group cannot bring back a failed or lost instance, so the world \
                 never returns to all-working and a cycle of {METHOD} never ends; resume it, {OR_PLAIN}",
                stopping.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The distribution's name as written in a scenario.
fn family(dist: &DurationDist) -> &'static str {
    match dist {
        DurationDist::Constant(_) => "constant",
        DurationDist::Exponential { .. } => "exponential",
        DurationDist::Weibull { .. } => "weibull",
        DurationDist::LogNormal { .. } => "lognormal",
        DurationDist::Uniform { .. } => "uniform",
        DurationDist::Empirical(_) => "empirical",
    }
}
