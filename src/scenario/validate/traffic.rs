//! `[traffic]` and `[[inject]]`.

use super::values::{dist, duration, int_u32, only_keys, positive, probability, required, time_of_day, Zero};
use super::*;
use crate::scenario::duration::format_duration;
use crate::scenario::raw::{RawFault, RawInject, RawModel, RawShapeKind, RawTraffic};
use crate::scenario::{DurationDist, Injection, Traffic, TrafficModel, TrafficShape};

/// What the checks of `[[inject]]` need to know about the rest of the scenario.
pub(super) struct World<'a> {
    pub zones: &'a [Zone],
    pub horizon: SimTime,
    /// Whether `[traffic]` is given (a traffic spike needs it).
    pub traffic: bool,
    /// Whether `[fleet.spot]` is given (a spot reclaim needs it).
    pub spot: bool,
}

pub(super) fn traffic(ctx: &Ctx<'_>, raw: &RawTraffic) -> Res<Traffic> {
    let rate = required(
        ctx,
        "traffic.rate",
        raw.rate.as_ref(),
        "give the mean requests per second, e.g. rate = 400.0",
    )?;
    let rate = positive(ctx, "traffic.rate", *rate)?;
    let shape = match &raw.shape {
        None => TrafficShape::Constant,
        Some(shape) => {
            let kind = required(
                ctx,
                "traffic.shape.kind",
                shape.kind.as_ref(),
                "use kind = \"constant\" or kind = \"diurnal\"",
            )?;
            let given = [
                ("peak_to_trough", shape.peak_to_trough.is_some()),
                ("peak_at", shape.peak_at.is_some()),
            ];
            match kind {
                RawShapeKind::Constant => {
                    only_keys(ctx, "traffic.shape", &given, "kind = \"constant\"", &["kind"])?;
                    TrafficShape::Constant
                }
                RawShapeKind::Diurnal => {
                    let ratio_key = "traffic.shape.peak_to_trough";
                    let ratio = *required(
                        ctx,
                        ratio_key,
                        shape.peak_to_trough.as_ref(),
                        "e.g. peak_to_trough = 3.0",
                    )?;
                    if !(ratio.is_finite() && ratio >= 1.0) {
                        return Err(ctx.err(
                            ratio_key,
                            format!("must be a finite number of at least 1 (peak rate / trough rate); got {ratio}"),
                        ));
                    }
                    let peak_key = "traffic.shape.peak_at";
                    let peak_at = required(
                        ctx,
                        peak_key,
                        shape.peak_at.as_ref(),
                        "give the time of day of the peak, e.g. peak_at = \"14:00\"",
                    )?;
                    TrafficShape::Diurnal {
                        peak_to_trough: ratio,
                        peak_at: time_of_day(ctx, peak_key, peak_at)?,
                    }
                }
            }
        }
    };
    let service_time = required(
        ctx,
        "traffic.service_time",
        raw.service_time.as_ref(),
        "say how long a request takes at an idle instance, e.g. service_time = { dist = \"lognormal\", median = \"20ms\", sigma = 0.5 }",
    )?;
    let timeout = required(
        ctx,
        "traffic.timeout",
        raw.timeout.as_ref(),
        "say when a request has failed, e.g. timeout = \"2s\"",
    )?;
    Ok(Traffic {
        rate,
        shape,
        service_time: dist(ctx, "traffic.service_time", service_time, Zero::Refused)?,
        timeout: duration(ctx, "traffic.timeout", timeout, Zero::Refused)?,
        model: match raw.model {
            None => DEFAULT_TRAFFIC_MODEL,
            Some(RawModel::Requests) => TrafficModel::Requests,
            Some(RawModel::Fluid) => TrafficModel::Fluid,
            Some(RawModel::Auto) => TrafficModel::Auto,
        },
        retries: raw.retries.map_or(Ok(DEFAULT_RETRIES), |r| {
            int_u32(ctx, "traffic.retries", r, 0..=MAX_RETRIES, "")
        })?,
        retry_backoff: match &raw.retry_backoff {
            Some(v) => dist(ctx, "traffic.retry_backoff", v, Zero::Allowed)?,
            None => DurationDist::Constant(DEFAULT_RETRY_BACKOFF),
        },
    })
}

pub(super) fn injections(ctx: &Ctx<'_>, raw: &[RawInject], world: &World<'_>) -> Res<Vec<Injection>> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| injection(ctx, &format!("inject[{i}]"), r, world))
        .collect()
}

fn injection(ctx: &Ctx<'_>, key: &str, raw: &RawInject, world: &World<'_>) -> Res<Injection> {
    let at_key = format!("{key}.at");
    let at = duration(
        ctx,
        &at_key,
        required(
            ctx,
            &at_key,
            raw.at.as_ref(),
            "say when the fault happens, e.g. at = \"30d\"",
        )?,
        Zero::Allowed,
    )?;
    if at >= world.horizon {
        return Err(ctx.err(
            &at_key,
            format!(
                "at ({}) is not before the end of the simulation (horizon {}); it would never happen",
                format_duration(at),
                format_duration(world.horizon)
            ),
        ));
    }
    let fault_key = format!("{key}.fault");
    let fault = *required(
        ctx,
        &fault_key,
        raw.fault.as_ref(),
        "say what happens: fault = one of zone_outage, region_outage, instance_crash, instance_hang, spot_reclaim, traffic_spike",
    )?;
    let given = [
        ("zone", raw.zone.is_some()),
        ("duration", raw.duration.is_some()),
        ("count", raw.count.is_some()),
        ("fraction", raw.fraction.is_some()),
        ("multiplier", raw.multiplier.is_some()),
        ("kind", raw.kind.is_some()),
    ];
    let owner = format!("fault = \"{}\"", fault.as_str());
    let allowed: &[&str] = match fault {
        RawFault::ZoneOutage => &["at", "fault", "zone", "duration", "kind"],
        RawFault::RegionOutage => &["at", "fault", "duration"],
        RawFault::InstanceCrash | RawFault::InstanceHang => &["at", "fault", "zone", "count"],
        RawFault::SpotReclaim => &["at", "fault", "zone", "fraction"],
        RawFault::TrafficSpike => &["at", "fault", "multiplier", "duration"],
    };
    only_keys(ctx, key, &given, &owner, allowed)?;

    let zone_key = format!("{key}.zone");
    let zone = raw
        .zone
        .as_ref()
        .map(|z| zone_id(ctx, &zone_key, z, world.zones))
        .transpose()?;
    let duration_key = format!("{key}.duration");
    let fault_duration = || -> Res<SimTime> {
        let d = required(
            ctx,
            &duration_key,
            raw.duration.as_ref(),
            &format!("{owner} needs a duration, e.g. duration = \"4h\""),
        )?;
        duration(ctx, &duration_key, d, Zero::Refused)
    };
    let count = || {
        raw.count.map_or(Ok(DEFAULT_INJECT_COUNT), |c| {
            int_u32(ctx, &format!("{key}.count"), c, 1..=u32::MAX, "")
        })
    };
    let fault = match fault {
        RawFault::ZoneOutage => Fault::ZoneOutage {
            zone: *required(
                ctx,
                &zone_key,
                zone.as_ref(),
                &format!("{owner} needs the zone, e.g. zone = \"a\""),
            )?,
            duration: fault_duration()?,
            kind: match raw.kind {
                None => DEFAULT_OUTAGE_KIND,
                Some(RawOutageKind::Isolation) => OutageKind::Isolation,
                Some(RawOutageKind::Power) => OutageKind::Power,
            },
        },
        RawFault::RegionOutage => Fault::RegionOutage {
            duration: fault_duration()?,
        },
        RawFault::InstanceCrash => Fault::InstanceCrash { zone, count: count()? },
        RawFault::InstanceHang => Fault::InstanceHang { zone, count: count()? },
        RawFault::SpotReclaim => {
            if !world.spot {
                return Err(ctx.err(
                    &fault_key,
                    "a spot_reclaim needs spot instances; add [fleet.spot] or remove this fault",
                ));
            }
            let fraction = raw.fraction.map_or(Ok(DEFAULT_INJECT_FRACTION), |f| {
                probability(ctx, &format!("{key}.fraction"), f)
            })?;
            Fault::SpotReclaim { zone, fraction }
        }
        RawFault::TrafficSpike => {
            if !world.traffic {
                return Err(ctx.err(
                    &fault_key,
                    "a traffic_spike needs traffic; add [traffic] or remove this fault",
                ));
            }
            let multiplier_key = format!("{key}.multiplier");
            let multiplier = *required(
                ctx,
                &multiplier_key,
                raw.multiplier.as_ref(),
                "e.g. multiplier = 3.0 (three times the normal rate)",
            )?;
            Fault::TrafficSpike {
                multiplier: positive(ctx, &multiplier_key, multiplier)?,
                duration: fault_duration()?,
            }
        }
    };
    Ok(Injection { at, fault })
}
