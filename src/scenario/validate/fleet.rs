//! `[load_balancer]` and `[fleet]` (instances, failure modes, spot, scaling).

use super::values::{dist, duration_or, int_u32, only_keys, positive, price, probability, required, time_of_day, Zero};

/// Groups are simulated instance by instance, so a typo such as `desired = 4000000000` must not
/// start four billion of them: this bounds desired, min, max and scheduled sizes.
const MAX_GROUP_SIZE: u32 = 10_000;
const GROUP_SIZE_NOTE: &str = " (nines simulates groups of up to 10,000 instances)";
/// Each instance keeps one slot per concurrent request in the request model.
const MAX_CONCURRENCY: u32 = 100_000;
use super::*;
use crate::scenario::duration::format_duration;
use crate::scenario::raw::{
    RawAlgorithm, RawFailureKind, RawFleet, RawHealthCheckType, RawInstance, RawLbType, RawLoadBalancer, RawMetric,
    RawProcess, RawScaling, RawScalingKind, RawSpot,
};
use crate::scenario::{
    Algorithm, FailureKind, FailureMode, Fleet, HealthCheck, HealthCheckType, InstanceSpec, LoadBalancer,
    LoadBalancerType, ScalingMetric, ScalingPolicy, Spot, SpotReclaim, SuspendedProcesses,
};

pub(super) fn load_balancer(ctx: &Ctx<'_>, raw: Option<&RawLoadBalancer>) -> Res<LoadBalancer> {
    let lb_type = match raw.and_then(|r| r.lb_type) {
        None | Some(RawLbType::Alb) => LoadBalancerType::Alb,
        Some(RawLbType::Nlb) => LoadBalancerType::Nlb,
        Some(RawLbType::Clb) => LoadBalancerType::Clb,
    };
    let (defaults, type_name) = match lb_type {
        LoadBalancerType::Alb => (&ALB_DEFAULTS, "alb"),
        LoadBalancerType::Nlb => (&NLB_DEFAULTS, "nlb"),
        LoadBalancerType::Clb => (&CLB_DEFAULTS, "clb"),
    };
    let algorithm = match raw.and_then(|r| r.algorithm) {
        None => defaults.algorithm,
        Some(RawAlgorithm::RoundRobin) => Algorithm::RoundRobin,
        Some(RawAlgorithm::LeastOutstandingRequests) => Algorithm::LeastOutstandingRequests,
        Some(RawAlgorithm::Random) => Algorithm::Random,
    };
    let deregistration_delay = duration_or(
        ctx,
        "load_balancer.deregistration_delay",
        raw.and_then(|r| r.deregistration_delay.as_ref()),
        DEFAULT_DEREGISTRATION_DELAY,
        Zero::Allowed,
    )?;
    if deregistration_delay > MAX_DEREGISTRATION_DELAY {
        return Err(ctx.err(
            "load_balancer.deregistration_delay",
            format!(
                "must be at most 3600s (AWS's limit); got {}",
                format_duration(deregistration_delay)
            ),
        ));
    }
    Ok(LoadBalancer {
        lb_type,
        algorithm,
        cross_zone: raw.and_then(|r| r.cross_zone).unwrap_or(defaults.cross_zone),
        deregistration_delay,
        dns_failover_delay: duration_or(
            ctx,
            "load_balancer.dns_failover_delay",
            raw.and_then(|r| r.dns_failover_delay.as_ref()),
            DEFAULT_DNS_FAILOVER_DELAY,
            Zero::Allowed,
        )?,
        health_check: health_check(ctx, raw, defaults, type_name)?,
        price_per_hour: raw
            .and_then(|r| r.price_per_hour)
            .map_or(Ok(DEFAULT_LB_PRICE_PER_HOUR), |p| {
                price(ctx, "load_balancer.price_per_hour", p)
            })?,
    })
}

fn health_check(
    ctx: &Ctx<'_>,
    raw: Option<&RawLoadBalancer>,
    defaults: &LbDefaults,
    type_name: &str,
) -> Res<HealthCheck> {
    let raw = raw.and_then(|r| r.health_check.as_ref());
    let interval_key = "load_balancer.health_check.interval";
    let timeout_key = "load_balancer.health_check.timeout";
    let interval = duration_or(
        ctx,
        interval_key,
        raw.and_then(|h| h.interval.as_ref()),
        defaults.interval,
        Zero::Refused,
    )?;
    let timeout = duration_or(
        ctx,
        timeout_key,
        raw.and_then(|h| h.timeout.as_ref()),
        defaults.timeout,
        Zero::Refused,
    )?;
    let in_range = |key: &str, t: SimTime, (lo, hi): (SimTime, SimTime)| {
        if t < lo || t > hi {
            // In seconds, as AWS gives these limits.
            let range = format!("{}s to {}s", lo.as_secs_f64(), hi.as_secs_f64());
            return Err(ctx.err(
                key,
                format!("must be from {range} (AWS's range); got {}", format_duration(t)),
            ));
        }
        Ok(())
    };
    in_range(interval_key, interval, HEALTH_CHECK_INTERVAL_RANGE)?;
    in_range(timeout_key, timeout, HEALTH_CHECK_TIMEOUT_RANGE)?;
    if timeout >= interval {
        let default_note = format!(", the {type_name} default");
        let given = |is_given: bool| if is_given { "" } else { default_note.as_str() };
        let timeout_given = raw.is_some_and(|h| h.timeout.is_some());
        let interval_given = raw.is_some_and(|h| h.interval.is_some());
        return Err(ctx.err(
            if timeout_given { timeout_key } else { interval_key },
            format!(
                "timeout ({}{}) must be less than interval ({}{})",
                format_duration(timeout),
                given(timeout_given),
                format_duration(interval),
                given(interval_given),
            ),
        ));
    }
    let threshold = |name: &str, value: Option<i64>, default: u32| {
        value.map_or(Ok(default), |v| {
            let key = format!("load_balancer.health_check.{name}");
            int_u32(ctx, &key, v, HEALTH_CHECK_THRESHOLD_RANGE, " (AWS's range)")
        })
    };
    Ok(HealthCheck {
        interval,
        timeout,
        healthy_threshold: threshold(
            "healthy_threshold",
            raw.and_then(|h| h.healthy_threshold),
            defaults.healthy_threshold,
        )?,
        unhealthy_threshold: threshold(
            "unhealthy_threshold",
            raw.and_then(|h| h.unhealthy_threshold),
            defaults.unhealthy_threshold,
        )?,
    })
}

pub(super) fn fleet(ctx: &Ctx<'_>, raw: Option<&RawFleet>, zones: &[Zone]) -> Res<Fleet> {
    let Some(raw) = raw else {
        return Err(ctx.err(
            "fleet",
            "[fleet] is missing; a scenario needs one Auto Scaling group, e.g. [fleet] zones = [\"a\"] desired = 2",
        ));
    };
    let desired_raw = required(
        ctx,
        "fleet.desired",
        raw.desired.as_ref(),
        "say how many instances the group runs, e.g. desired = 4",
    )?;
    let count = |key: &str, v: i64| int_u32(ctx, key, v, 0..=MAX_GROUP_SIZE, GROUP_SIZE_NOTE);
    let desired = count("fleet.desired", *desired_raw)?;
    let min = raw.min.map_or(Ok(desired), |v| count("fleet.min", v))?;
    let max = raw.max.map_or(Ok(desired), |v| count("fleet.max", v))?;
    if min > desired {
        let key = if raw.min.is_some() {
            "fleet.min"
        } else {
            "fleet.desired"
        };
        return Err(ctx.err(
            key,
            format!("min ({min}) is greater than desired ({desired}); need min <= desired <= max"),
        ));
    }
    if desired > max {
        let key = if raw.max.is_some() {
            "fleet.max"
        } else {
            "fleet.desired"
        };
        return Err(ctx.err(
            key,
            format!("desired ({desired}) is greater than max ({max}); need min <= desired <= max"),
        ));
    }
    let health_check_type = match raw.health_check_type {
        None => DEFAULT_HEALTH_CHECK_TYPE,
        Some(RawHealthCheckType::Ec2) => HealthCheckType::Ec2,
        Some(RawHealthCheckType::Elb) => HealthCheckType::Elb,
    };
    let mut failure_modes = Vec::new();
    for (i, mode) in raw.failure_modes.as_deref().unwrap_or_default().iter().enumerate() {
        let key = format!("fleet.failure_modes[{i}]");
        let kind_key = format!("{key}.kind");
        let kind = match required(
            ctx,
            &kind_key,
            mode.kind.as_ref(),
            "use kind = \"crash\" or kind = \"hang\"",
        )? {
            RawFailureKind::Crash => FailureKind::Crash,
            RawFailureKind::Hang => FailureKind::Hang,
        };
        let time_between_key = format!("{key}.time_between");
        let time_between = required(
            ctx,
            &time_between_key,
            mode.time_between.as_ref(),
            "say how long an instance runs before this failure, e.g. time_between = { dist = \"exponential\", mean = \"60d\" }",
        )?;
        failure_modes.push(FailureMode {
            name: mode
                .name
                .clone()
                .unwrap_or_else(|| mode.kind.map_or("", |k| k.as_str()).to_string()),
            time_between: dist(ctx, &time_between_key, time_between, Zero::Refused)?,
            kind,
        });
    }
    let mut scaling = Vec::new();
    for (i, policy) in raw.scaling.as_deref().unwrap_or_default().iter().enumerate() {
        scaling.push(scaling_policy(ctx, &format!("fleet.scaling[{i}]"), policy)?);
    }
    Ok(Fleet {
        zones: fleet_zones(ctx, raw.zones.as_deref(), zones)?,
        desired,
        min,
        max,
        health_check_type,
        health_check_grace_period: duration_or(
            ctx,
            "fleet.health_check_grace_period",
            raw.health_check_grace_period.as_ref(),
            DEFAULT_GRACE_PERIOD,
            Zero::Allowed,
        )?,
        suspended: suspended(raw.suspended_processes.as_deref().unwrap_or_default()),
        instance: instance(ctx, raw.instance.as_ref())?,
        failure_modes,
        spot: raw.spot.as_ref().map(|s| spot(ctx, s)).transpose()?,
        scaling,
    })
}

/// The group's zones, in the file's order. Without `fleet.zones` the group spans every declared
/// zone (an Auto Scaling group needs at least one subnet, and all of them is the obvious reading).
fn fleet_zones(ctx: &Ctx<'_>, names: Option<&[String]>, zones: &[Zone]) -> Res<Vec<ZoneId>> {
    let Some(names) = names else {
        return Ok((0..zones.len()).collect());
    };
    if names.is_empty() {
        return Err(ctx.err("fleet.zones", "the group needs at least one zone, e.g. zones = [\"a\"]"));
    }
    let mut ids = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let key = format!("fleet.zones[{i}]");
        let id = zone_id(ctx, &key, name, zones)?;
        if ids.contains(&id) {
            return Err(ctx.err(&key, format!("zone {name:?} is listed twice; list each zone once")));
        }
        ids.push(id);
    }
    Ok(ids)
}

fn suspended(names: &[RawProcess]) -> SuspendedProcesses {
    let mut s = SuspendedProcesses::default();
    for name in names {
        match name {
            RawProcess::Launch => s.launch = true,
            RawProcess::Terminate => s.terminate = true,
            RawProcess::HealthCheck => s.health_check = true,
            RawProcess::ReplaceUnhealthy => s.replace_unhealthy = true,
            RawProcess::AzRebalance => s.az_rebalance = true,
            RawProcess::AlarmNotification => s.alarm_notification = true,
            RawProcess::ScheduledActions => s.scheduled_actions = true,
            RawProcess::AddToLoadBalancer => s.add_to_load_balancer = true,
        }
    }
    s
}

fn instance(ctx: &Ctx<'_>, raw: Option<&RawInstance>) -> Res<InstanceSpec> {
    let instance_type = match raw.and_then(|r| r.instance_type.as_ref()) {
        Some(t) if t.trim().is_empty() => {
            return Err(ctx.err(
                "fleet.instance.type",
                "the instance type cannot be empty, e.g. type = \"m5.large\"",
            ))
        }
        Some(t) => t.clone(),
        None => DEFAULT_INSTANCE_TYPE.to_string(),
    };
    let launch_time = match raw.and_then(|r| r.launch_time.as_ref()) {
        Some(v) => dist(ctx, "fleet.instance.launch_time", v, Zero::Refused)?,
        None => crate::scenario::DurationDist::Constant(DEFAULT_LAUNCH_TIME),
    };
    Ok(InstanceSpec {
        instance_type,
        concurrency: raw.and_then(|r| r.concurrency).map_or(Ok(DEFAULT_CONCURRENCY), |c| {
            int_u32(
                ctx,
                "fleet.instance.concurrency",
                c,
                1..=MAX_CONCURRENCY,
                " (requests served at once per instance)",
            )
        })?,
        queue_limit: raw.and_then(|r| r.queue_limit).map_or(Ok(DEFAULT_QUEUE_LIMIT), |q| {
            int_u32(ctx, "fleet.instance.queue_limit", q, 0..=u32::MAX, "")
        })?,
        launch_time,
        price_per_hour: raw
            .and_then(|r| r.price_per_hour)
            .map_or(Ok(DEFAULT_INSTANCE_PRICE_PER_HOUR), |p| {
                price(ctx, "fleet.instance.price_per_hour", p)
            })?,
    })
}

fn spot(ctx: &Ctx<'_>, raw: &RawSpot) -> Res<Spot> {
    let price_per_hour = required(
        ctx,
        "fleet.spot.price_per_hour",
        raw.price_per_hour.as_ref(),
        "give the spot price, e.g. price_per_hour = 0.035",
    )?;
    let reclaim = required(
        ctx,
        "fleet.spot.reclaim",
        raw.reclaim.as_ref(),
        "say how often a zone's spot pool is reclaimed, e.g. reclaim = { time_between = { dist = \"exponential\", mean = \"20d\" } }",
    )?;
    let time_between = required(
        ctx,
        "fleet.spot.reclaim.time_between",
        reclaim.time_between.as_ref(),
        "e.g. time_between = { dist = \"exponential\", mean = \"20d\" }",
    )?;
    Ok(Spot {
        on_demand_base: raw.on_demand_base.map_or(Ok(DEFAULT_ON_DEMAND_BASE), |v| {
            int_u32(ctx, "fleet.spot.on_demand_base", v, 0..=u32::MAX, "")
        })?,
        on_demand_percentage_above_base: raw.on_demand_percentage_above_base.map_or(
            Ok(DEFAULT_ON_DEMAND_PERCENTAGE_ABOVE_BASE),
            |v| {
                int_u32(
                    ctx,
                    "fleet.spot.on_demand_percentage_above_base",
                    v,
                    0..=100,
                    " (a percentage)",
                )
            },
        )?,
        price_per_hour: price(ctx, "fleet.spot.price_per_hour", *price_per_hour)?,
        notice: duration_or(
            ctx,
            "fleet.spot.notice",
            raw.notice.as_ref(),
            DEFAULT_SPOT_NOTICE,
            Zero::Refused,
        )?,
        capacity_rebalance: raw.capacity_rebalance.unwrap_or(DEFAULT_CAPACITY_REBALANCE),
        reclaim: SpotReclaim {
            time_between: dist(ctx, "fleet.spot.reclaim.time_between", time_between, Zero::Refused)?,
            fraction: reclaim.fraction.map_or(Ok(DEFAULT_RECLAIM_FRACTION), |f| {
                probability(ctx, "fleet.spot.reclaim.fraction", f)
            })?,
        },
        unavailable_for: duration_or(
            ctx,
            "fleet.spot.unavailable_for",
            raw.unavailable_for.as_ref(),
            DEFAULT_SPOT_UNAVAILABLE_FOR,
            Zero::Allowed,
        )?,
    })
}

/// Target tracking follows a metric of the traffic (cpu is the busy share of the offered load,
/// requests_per_target the offered load per instance): without `[traffic]` it is undefined, and a
/// policy that could never act must not be silently accepted.
pub(super) fn tracking_needs_traffic(ctx: &Ctx<'_>, fleet: &Fleet, traffic: bool) -> Res<()> {
    if traffic {
        return Ok(());
    }
    for (i, policy) in fleet.scaling.iter().enumerate() {
        if let ScalingPolicy::TargetTracking { metric, .. } = policy {
            let name = match metric {
                ScalingMetric::Cpu => "cpu",
                ScalingMetric::RequestsPerTarget => "requests_per_target",
            };
            return Err(ctx.err(
                &format!("fleet.scaling[{i}].metric"),
                format!(
                    "target tracking on {name} needs traffic to measure: add [traffic], \
                     or use a scheduled action (kind = \"scheduled\") instead"
                ),
            ));
        }
    }
    Ok(())
}

fn scaling_policy(ctx: &Ctx<'_>, key: &str, raw: &RawScaling) -> Res<ScalingPolicy> {
    let kind = required(
        ctx,
        &format!("{key}.kind"),
        raw.kind.as_ref(),
        "use kind = \"target_tracking\" or kind = \"scheduled\"",
    )?;
    let given = [
        ("metric", raw.metric.is_some()),
        ("target", raw.target.is_some()),
        ("instance_warmup", raw.instance_warmup.is_some()),
        ("disable_scale_in", raw.disable_scale_in.is_some()),
        ("at", raw.at.is_some()),
        ("desired", raw.desired.is_some()),
        ("min", raw.min.is_some()),
        ("max", raw.max.is_some()),
    ];
    match kind {
        RawScalingKind::TargetTracking => {
            let allowed = ["kind", "metric", "target", "instance_warmup", "disable_scale_in"];
            only_keys(ctx, key, &given, "kind = \"target_tracking\"", &allowed)?;
            let metric_key = format!("{key}.metric");
            let metric = match required(
                ctx,
                &metric_key,
                raw.metric.as_ref(),
                "use metric = \"cpu\" or metric = \"requests_per_target\"",
            )? {
                RawMetric::Cpu => ScalingMetric::Cpu,
                RawMetric::RequestsPerTarget => ScalingMetric::RequestsPerTarget,
            };
            let target_key = format!("{key}.target");
            let target = positive(
                ctx,
                &target_key,
                *required(ctx, &target_key, raw.target.as_ref(), "e.g. target = 60.0")?,
            )?;
            if metric == ScalingMetric::Cpu && target > 100.0 {
                return Err(ctx.err(
                    &target_key,
                    format!("a cpu target is a percentage, more than 0 and at most 100; got {target}"),
                ));
            }
            Ok(ScalingPolicy::TargetTracking {
                metric,
                target,
                instance_warmup: duration_or(
                    ctx,
                    &format!("{key}.instance_warmup"),
                    raw.instance_warmup.as_ref(),
                    DEFAULT_INSTANCE_WARMUP,
                    Zero::Allowed,
                )?,
                disable_scale_in: raw.disable_scale_in.unwrap_or(DEFAULT_DISABLE_SCALE_IN),
            })
        }
        RawScalingKind::Scheduled => {
            only_keys(
                ctx,
                key,
                &given,
                "kind = \"scheduled\"",
                &["kind", "at", "desired", "min", "max"],
            )?;
            let at_key = format!("{key}.at");
            let at = time_of_day(
                ctx,
                &at_key,
                required(ctx, &at_key, raw.at.as_ref(), "give a time of day, e.g. at = \"08:00\"")?,
            )?;
            let size = |name: &str, v: Option<i64>| {
                v.map(|v| int_u32(ctx, &format!("{key}.{name}"), v, 0..=MAX_GROUP_SIZE, GROUP_SIZE_NOTE))
                    .transpose()
            };
            let (desired, min, max) = (
                size("desired", raw.desired)?,
                size("min", raw.min)?,
                size("max", raw.max)?,
            );
            if desired.is_none() && min.is_none() && max.is_none() {
                return Err(ctx.err(key, "a scheduled action must set at least one of desired, min and max"));
            }
            let order = [("min", min), ("desired", desired), ("max", max)];
            for (i, (low_name, low)) in order.iter().enumerate() {
                for (high_name, high) in order.iter().skip(i + 1) {
                    if let (Some(low), Some(high)) = (low, high) {
                        if low > high {
                            return Err(ctx.err(
                                &format!("{key}.{low_name}"),
                                format!("{low_name} ({low}) is greater than {high_name} ({high}); need min <= desired <= max"),
                            ));
                        }
                    }
                }
            }
            Ok(ScalingPolicy::Scheduled { at, desired, min, max })
        }
    }
}
