//! Scaling policies: target tracking and scheduled actions.
//!
//! **Target tracking** follows AWS: the metric is a one-minute point, taken at every whole minute
//! of simulated time from the state at that instant; the group scales out when 3 consecutive
//! points are above the target, and in when 15 consecutive points are below 90 % of it.
//!
//! The metric must not cost an event per minute of a year. Between two changes of the routing (or
//! of which instances are warm) the metric is a fixed, increasing function of the offered rate,
//! and the rate is known in closed form ([`LoadShape`]). So the metric is above the target exactly
//! when the rate is above one level, and below 90 % of it exactly when the rate is below another;
//! a run of points changes only at the first minute after the rate crosses a level. Runs are
//! therefore kept as "the first point of the current run" and advanced in bulk, crossing by
//! crossing ([`World::scaling_advance`]). Likewise an action changes the desired capacity only
//! when the rate is beyond a third level (the proposal ceil(n × metric / target) exceeds the
//! desired capacity only above it). The only event is a tick at the first minute where a run has
//! its length and the rate is beyond that level ([`World::scaling_plan`]): one per action, plus
//! one where a run breaks before it acts. A day of diurnal traffic costs a tick per action.
//!
//! **Scheduled actions** set the group's desired, minimum and maximum capacity at a time of day,
//! every simulated day (the clock starts at 00:00 on day 0).

use crate::kernel::{SimTime, Timer};
use crate::scenario::{ScalingMetric, ScalingPolicy, Scenario};

use super::fleet::InstanceId;
use super::traffic::shape::{Level, LoadShape};
use super::world::{Event, World, NORMAL};

/// The metric's resolution: one point per minute (AWS's detailed monitoring).
const POINT: SimTime = SimTime::MINUTE;
/// Consecutive points above the target before a scale-out (AWS's scale-out alarm: 3 of 3).
const SCALE_OUT_POINTS: u64 = 3;
/// Consecutive points below [`SCALE_IN_SHARE`] of the target before a scale-in (15 of 15).
const SCALE_IN_POINTS: u64 = 15;
/// The scale-in alarm's threshold, as a share of the target.
const SCALE_IN_SHARE: f64 = 0.9;
/// A scale-in removes at most this percentage of the desired capacity (at least one instance):
/// AWS scales in "conservatively" without saying by how much; this is our reading.
const SCALE_IN_STEP_PERCENT: u32 = 10;
/// A proposal of n + 1e-9 instances is n: float noise must not add an instance.
const CEIL_SLACK: f64 = 1e-9;

/// Where the metric stands at a minute point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Point {
    /// Above the target.
    High,
    /// Below 90 % of the target.
    Low,
    /// In between, or no data (no warm instance carries traffic).
    Quiet,
}

/// One target-tracking policy's alarms.
#[derive(Clone, Debug)]
pub(super) struct Tracker {
    metric: ScalingMetric,
    /// In the metric's unit: percent for cpu, req/s for requests_per_target.
    target: f64,
    warmup: SimTime,
    disable_scale_in: bool,
    /// The first point of the current run of points above the target.
    high_since: Option<SimTime>,
    /// The first point of the current run of points below 90 % of the target.
    low_since: Option<SimTime>,
    /// With the current routing: the offered rate before spikes [req/s] above which the metric
    /// is above the target (+∞: it cannot be), and below which it is below 90 % of it (−∞).
    high: Level,
    low: Level,
    /// Every point before `steady_until` (from the first untaken point on) is `steady`: the
    /// rate crosses neither level before then.
    steady: Point,
    steady_until: SimTime,
}

/// A policy's levels as base rates (before spikes) [req/s]: see [`World::levels`].
#[derive(Clone, Copy, Debug)]
struct Levels {
    /// The metric is above the target above this rate.
    high: Level,
    /// The metric is below 90 % of the target below this rate.
    low: Level,
    /// A scale-out would raise the desired capacity above this rate.
    out: Level,
    /// A scale-in would cut the desired capacity below this rate.
    scale_in: Level,
}

impl Levels {
    /// No data: no alarm can be in ALARM.
    const NONE: Levels = Levels {
        high: Level::NEVER_ABOVE,
        low: Level::NEVER_BELOW,
        out: Level::NEVER_ABOVE,
        scale_in: Level::NEVER_BELOW,
    };
}

/// Levels placed on the load curve lately. Target tracking cycles through a handful of routings
/// and desired capacities, so the same levels come back day after day, and placing one costs an
/// `acos`. A level depends only on its rate and the curve, so entries stay good across trials.
#[derive(Clone, Debug, Default)]
struct LevelMemo {
    slots: [Option<Level>; LevelMemo::SLOTS],
}

impl LevelMemo {
    const SLOTS: usize = 32;

    fn level(&mut self, shape: &LoadShape, rate: f64) -> Level {
        let bits = rate.to_bits();
        let slot = (bits ^ (bits >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) as usize >> (usize::BITS - 5);
        match self.slots[slot] {
            Some(level) if level.rate.to_bits() == bits => level,
            _ => {
                let level = shape.level(rate);
                self.slots[slot] = Some(level);
                level
            }
        }
    }
}

/// Whole [`Levels`] worked out lately, by everything they depend on besides the scenario: the
/// policy, the warm instances' shares in routing order, the desired capacity and the spike. A plan
/// follows every routing change, warm-up end and scale-out, yet the group cycles through a few
/// states, so most plans find their levels here instead of inverting the metric four times. The
/// key is exact (the shares bit for bit, in the order they are summed), so a hit returns the very
/// levels a computation would.
#[derive(Clone, Debug, Default)]
struct LevelsMemo {
    slots: [LevelsEntry; LevelsMemo::SLOTS],
}

#[derive(Clone, Debug)]
struct LevelsEntry {
    policy: usize,
    desired: u32,
    spike: u64,
    shares: Vec<f64>,
    levels: Levels,
}

impl LevelsMemo {
    const SLOTS: usize = 32;

    fn slot(policy: usize, desired: u32, spike: f64, shares: &[f64]) -> usize {
        let mix = |h: u64, bits: u64| (h ^ bits ^ (bits >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let h = mix((policy as u64) << 32 | desired as u64, spike.to_bits());
        let h = shares.iter().fold(h, |h, w| mix(h, w.to_bits()));
        (h >> (u64::BITS - 5)) as usize
    }
}

impl Default for LevelsEntry {
    /// An empty slot: no policy has this number.
    fn default() -> Self {
        LevelsEntry {
            policy: usize::MAX,
            desired: 0,
            spike: 0,
            shares: Vec::new(),
            levels: Levels::NONE,
        }
    }
}

impl LevelsEntry {
    fn is_for(&self, policy: usize, desired: u32, spike: f64, shares: &[f64]) -> bool {
        self.policy == policy
            && self.desired == desired
            && self.spike == spike.to_bits()
            && self.shares.len() == shares.len()
            && self.shares.iter().zip(shares).all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

/// The group's scaling state for one trial.
#[derive(Clone, Debug, Default)]
pub(super) struct Scaling {
    pub trackers: Vec<Tracker>,
    /// The tick at which a run of points may reach its length.
    pub timer: Timer,
    /// The first minute point not yet taken.
    next_point: SimTime,
    /// Scratch: the shares of the warm instances (no allocation per evaluation).
    shares: Vec<f64>,
    memo: LevelMemo,
    levels_memo: LevelsMemo,
}

impl Scaling {
    /// The target-tracking policies of `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        let trackers = scenario
            .fleet
            .scaling
            .iter()
            .filter_map(|p| match *p {
                ScalingPolicy::TargetTracking {
                    metric,
                    target,
                    instance_warmup,
                    disable_scale_in,
                } => Some(Tracker {
                    metric,
                    target,
                    warmup: instance_warmup,
                    disable_scale_in,
                    high_since: None,
                    low_since: None,
                    high: Level::NEVER_ABOVE,
                    low: Level::NEVER_BELOW,
                    steady: Point::Quiet,
                    steady_until: SimTime::ZERO,
                }),
                ScalingPolicy::Scheduled { .. } => None,
            })
            .collect();
        Scaling {
            trackers,
            ..Scaling::default()
        }
    }
}

impl Tracker {
    /// The point at `t`.
    fn point(&self, shape: &LoadShape, t: SimTime) -> Point {
        if shape.above(t, &self.high) {
            Point::High
        } else if shape.below(t, &self.low) {
            Point::Low
        } else {
            Point::Quiet
        }
    }

    /// The point at `from` and the first point after it that may differ (the first minute after
    /// the rate crosses one of the levels).
    fn stretch(&self, shape: &LoadShape, from: SimTime) -> (Point, SimTime) {
        let until = [&self.high, &self.low]
            .into_iter()
            .filter_map(|level| shape.next_crossing_of(from, level))
            .min()
            .map_or(SimTime::NEVER, point_at_or_after);
        (self.point(shape, from), until)
    }

    /// Takes consecutive points, all `point`, the first at `first`.
    fn take(&mut self, point: Point, first: SimTime) {
        match point {
            Point::High => {
                self.high_since.get_or_insert(first);
                self.low_since = None;
            }
            Point::Low => {
                self.low_since.get_or_insert(first);
                self.high_since = None;
            }
            Point::Quiet => {
                self.high_since = None;
                self.low_since = None;
            }
        }
    }
}

/// Points in a run from `since` to `point`, both included.
fn run_length(since: Option<SimTime>, point: SimTime) -> u64 {
    since.map_or(0, |s| (point - s).0 / POINT.0 + 1)
}

/// The first minute point at or after `t`.
fn point_at_or_after(t: SimTime) -> SimTime {
    // Rounding up by adding first is half the instructions of `div_ceil`, and hot: every plan
    // rounds a few crossings, which lie days from overflowing.
    SimTime(t.0.saturating_add(POINT.0 - 1) / POINT.0 * POINT.0)
}

/// The first minute point at or after `from` where the base rate is above `level` (or below it,
/// with `above` false), if the load curve ever takes it there: `from` itself, or the first point
/// after the rate crosses `level`.
fn first_point(shape: &LoadShape, from: SimTime, level: &Level, above: bool) -> Option<SimTime> {
    let beyond = if above {
        shape.above(from, level)
    } else {
        shape.below(from, level)
    };
    if beyond {
        return Some(from);
    }
    shape.next_crossing_of(from, level).map(point_at_or_after)
}

/// ceil(x) of a count of instances, forgiving float noise.
fn ceil_count(x: f64) -> u32 {
    let c = (x - CEIL_SLACK).ceil();
    if c <= 0.0 {
        0
    } else if c >= u32::MAX as f64 {
        u32::MAX
    } else {
        c as u32
    }
}

/// The offered rate [req/s] at which the average cpu of instances with traffic shares `sorted`
/// (largest first, summing to `sum`) reaches `level` %, each at `capacity` [req/s]: an instance
/// is busy min(1, w·rate / capacity). +∞ when the average cannot exceed `level`.
fn rate_for_cpu(level: f64, sorted: &[f64], sum: f64, capacity: f64) -> f64 {
    let n = sorted.len();
    let need = level / 100.0 * n as f64; // Σ min(1, wᵢ·rate / capacity) at the level
    if n == 0 || need >= n as f64 {
        return f64::INFINITY;
    }
    if need <= 0.0 {
        return 0.0;
    }
    let mut rest = sum;
    // With the k largest shares saturated: k + rate·Σ_{j≥k} wⱼ / capacity = need.
    for k in 0..n {
        let rate = (need - k as f64) * capacity / rest;
        let unsaturated = rate * sorted[k] <= capacity;
        let saturated = k == 0 || rate * sorted[k - 1] >= capacity;
        if unsaturated && saturated {
            return rate;
        }
        rest -= sorted[k];
        if rest <= 0.0 {
            break;
        }
    }
    f64::INFINITY
}

impl World<'_> {
    /// Starts a trial's scaling: no runs, the first scheduled actions.
    pub(super) fn reset_scaling(&mut self) {
        let timer = self.queue.new_timer();
        let s = &mut self.scaling;
        s.timer = timer;
        s.next_point = POINT;
        for t in &mut s.trackers {
            t.high_since = None;
            t.low_since = None;
            t.high = Level::NEVER_ABOVE;
            t.low = Level::NEVER_BELOW;
            t.steady = Point::Quiet;
            t.steady_until = SimTime::ZERO;
        }
        let horizon = self.scenario.simulation.horizon;
        for (index, policy) in self.scenario.fleet.scaling.iter().enumerate() {
            if let ScalingPolicy::Scheduled { at, .. } = *policy {
                if at <= horizon {
                    self.queue
                        .schedule(at, NORMAL, Event::ScheduledAction { index: index as u16 });
                }
            }
        }
    }

    /// Takes every minute point up to `now` (inclusive) with the levels of the routing that held
    /// until now, in bulk between crossings of the levels. Call before the routing changes.
    #[inline]
    pub(super) fn scaling_advance(&mut self, now: SimTime) {
        // Checked inline: it runs after most events, most worlds have no target tracking, and
        // most calls follow another at the same instant and have nothing to take.
        if !self.scaling.trackers.is_empty() && self.scaling.next_point <= now {
            self.take_points(now);
        }
    }

    /// [`scaling_advance`](Self::scaling_advance) when there are points up to `now` to take.
    fn take_points(&mut self, now: SimTime) {
        let Some(t) = self.traffic.as_ref() else { return };
        let s = &mut self.scaling;
        let last = SimTime(now.0 / POINT.0 * POINT.0);
        for tracker in &mut s.trackers {
            let mut at = s.next_point;
            // The common case: no crossing since the last plan, so the cached stretch covers it.
            let (mut point, mut until) = (tracker.steady, tracker.steady_until);
            if at >= until {
                (point, until) = tracker.stretch(&t.shape, at);
            }
            loop {
                tracker.take(point, at);
                if until > last {
                    break;
                }
                at = until;
                (point, until) = tracker.stretch(&t.shape, at);
            }
            (tracker.steady, tracker.steady_until) = (point, until);
        }
        s.next_point = last + POINT;
    }

    /// Recomputes each policy's levels for the current routing, warm instances and desired
    /// capacity, and schedules the tick at the first minute point where an action would change
    /// the desired capacity. Call after any of them changed.
    #[inline]
    pub(super) fn scaling_plan(&mut self, now: SimTime) {
        // Checked inline, as in `scaling_advance`: without target tracking there is no tick.
        if !self.scaling.trackers.is_empty() {
            self.plan_tick(now);
        }
    }

    /// [`scaling_plan`](Self::scaling_plan) when there is target tracking.
    fn plan_tick(&mut self, now: SimTime) {
        // Points up to now are taken with the levels that held until now (a no-op when the caller
        // already did), so that every tick planned here is after now.
        self.scaling_advance(now);
        let suspended = self.scenario.fleet.suspended;
        let group = self.group;
        let can_out = !suspended.alarm_notification && group.desired < group.max;
        let can_in = !suspended.alarm_notification && group.desired > group.min;
        let next = self.scaling.next_point;
        let mut out_tick = SimTime::NEVER;
        // Scale-in needs every policy that scales in to agree: the latest of their earliest ticks.
        let mut in_tick = if can_in { SimTime::ZERO } else { SimTime::NEVER };
        let mut any_scales_in = false;
        for k in 0..self.scaling.trackers.len() {
            let Some(slot) = self.levels(now, k) else { return };
            let Some(t) = self.traffic.as_ref() else { return };
            let shape = &t.shape;
            let levels = &self.scaling.levels_memo.slots[slot].levels;
            let tracker = &mut self.scaling.trackers[k];
            tracker.high = levels.high;
            tracker.low = levels.low;
            // The points from `next` on: as they stand, and where the rate next crosses a level.
            let up = shape.next_crossing_of(next, &levels.high).map(point_at_or_after);
            let down = shape.next_crossing_of(next, &levels.low).map(point_at_or_after);
            tracker.steady = tracker.point(shape, next);
            tracker.steady_until = match (up, down) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => SimTime::NEVER,
            };
            if can_out {
                let high_now = tracker.steady == Point::High;
                let start = tracker.high_since.or(if high_now { Some(next) } else { up });
                let fire = start.and_then(|s| {
                    first_point(shape, (s + POINT * (SCALE_OUT_POINTS - 1)).max(next), &levels.out, true)
                });
                out_tick = out_tick.min(fire.unwrap_or(SimTime::NEVER));
            }
            if !tracker.disable_scale_in {
                any_scales_in = true;
                if can_in {
                    let low_now = tracker.steady == Point::Low;
                    let start = tracker.low_since.or(if low_now { Some(next) } else { down });
                    let fire = start.and_then(|s| {
                        first_point(
                            shape,
                            (s + POINT * (SCALE_IN_POINTS - 1)).max(next),
                            &levels.scale_in,
                            false,
                        )
                    });
                    in_tick = in_tick.max(fire.unwrap_or(SimTime::NEVER));
                }
            }
        }
        if !any_scales_in {
            in_tick = SimTime::NEVER;
        }
        let tick = Some(out_tick.min(in_tick)).filter(|&t| t <= self.scenario.simulation.horizon);
        self.queue
            .move_timer(self.scaling.timer, tick, NORMAL, Event::ScalingTick);
    }

    /// Policy `k`'s levels: the base rates (before spikes) at which its metric crosses the
    /// target and 90 % of it, and beyond which a scale-out or scale-in would change the desired
    /// capacity, given the current routing, warm instances and desired capacity. They are left
    /// in the memo, whose slot is returned (no copy of four levels per plan); `None` without
    /// traffic.
    fn levels(&mut self, now: SimTime, k: usize) -> Option<usize> {
        let t = self.traffic.as_ref()?;
        let tracker = &self.scaling.trackers[k];
        let (metric, target, warmup) = (tracker.metric, tracker.target, tracker.warmup);
        let shares = &mut self.scaling.shares;
        shares.clear();
        for &(id, w) in &t.flows.working {
            if self.instances[id as usize].is_warm(now, warmup) {
                shares.push(w);
            }
        }
        let desired = self.group.desired;
        let slot = LevelsMemo::slot(k, desired, t.spike, shares);
        let entry = &mut self.scaling.levels_memo.slots[slot];
        if entry.is_for(k, desired, t.spike, shares) {
            return Some(slot);
        }
        // Keyed by the shares as gathered, before the sort below.
        entry.policy = k;
        entry.desired = desired;
        entry.spike = t.spike.to_bits();
        entry.shares.clone_from(shares);
        if shares.is_empty() || t.spike <= 0.0 {
            entry.levels = Levels::NONE;
            return Some(slot);
        }
        let n = shares.len() as f64;
        let sum: f64 = shares.iter().sum();
        if metric == ScalingMetric::Cpu && shares.iter().any(|&w| w != shares[0]) {
            // Uneven shares saturate one by one: the inverse walks them largest first.
            shares.sort_unstable_by(|a, b| b.total_cmp(a));
        }
        let shares = &*shares;
        let rate = |level: f64| {
            let r = match metric {
                ScalingMetric::Cpu => rate_for_cpu(level, shares, sum, t.capacity),
                ScalingMetric::RequestsPerTarget if sum > 0.0 => level * n / sum,
                ScalingMetric::RequestsPerTarget => f64::INFINITY,
            };
            r / t.spike
        };
        let desired = desired as f64;
        // ceil(n·m / target) > desired ⇔ m > target·desired / n; ceil(n·m / target) < desired ⇔
        // m ≤ target·(desired − 1) / n. A sliver of margin keeps the levels and the proposal
        // (computed with `CEIL_SLACK`) on the same side of a boundary.
        let rates = [
            rate(target),
            rate(SCALE_IN_SHARE * target),
            rate(target * (desired / n).max(1.0)) * (1.0 + 1e-9),
            rate(target * ((desired - 1.0) / n).min(SCALE_IN_SHARE)) * (1.0 - 1e-9),
        ];
        let memo = &mut self.scaling.memo;
        let [high, low, out, scale_in] = rates.map(|r| memo.level(&t.shape, r));
        entry.levels = Levels {
            high,
            low,
            out,
            scale_in,
        };
        Some(slot)
    }

    /// Policy `k`'s metric now, and the number of warm instances it averages over.
    fn metric_now(&mut self, now: SimTime, k: usize) -> Option<(f64, u32)> {
        let t = self.traffic.as_ref()?;
        let tracker = &self.scaling.trackers[k];
        let rate = t.shape.rate(now) * t.spike;
        let (mut n, mut sum) = (0u32, 0.0);
        for &(id, w) in &t.flows.working {
            if self.instances[id as usize].is_warm(now, tracker.warmup) {
                n += 1;
                sum += match tracker.metric {
                    ScalingMetric::Cpu => 100.0 * (w * rate / t.capacity).min(1.0),
                    ScalingMetric::RequestsPerTarget => w * rate,
                };
            }
        }
        (n > 0).then(|| (sum / n as f64, n))
    }

    /// A run of points may have reached its length with the rate where an action changes the
    /// desired capacity: scale out (3 points above target; the alarm stays in ALARM, and AWS
    /// invokes the policy again each minute, so the run goes on) or in (every policy that scales
    /// in has 15 points below 90 % of its target; the runs then start again, so that the next
    /// step of a scale-in waits another 15 minutes).
    pub(super) fn scaling_tick(&mut self, now: SimTime) {
        self.scaling_advance(now);
        let point = self.scaling.next_point - POINT;
        let group = self.group;
        let mut out: Option<u32> = None;
        let mut in_ready = false;
        let mut in_blocked = false;
        let mut in_proposal = 0u32;
        for k in 0..self.scaling.trackers.len() {
            let tracker = &self.scaling.trackers[k];
            let high = run_length(tracker.high_since, point);
            let low = run_length(tracker.low_since, point);
            let (target, scales_in) = (tracker.target, !tracker.disable_scale_in);
            // ceil(in-service × metric / target), over the warm instances; warming and pending
            // ones are in the desired capacity already, so a scale-out is not repeated for them.
            let proposal = self.metric_now(now, k).map(|(m, n)| ceil_count(n as f64 * m / target));
            if high >= SCALE_OUT_POINTS {
                if let Some(p) = proposal {
                    out = Some(out.map_or(p, |o| o.max(p)));
                }
            }
            if scales_in {
                in_ready = true;
                in_blocked |= low < SCALE_IN_POINTS;
                // No policy may be pushed above its target: the largest proposal wins.
                in_proposal = in_proposal.max(proposal.unwrap_or(u32::MAX));
            }
        }
        if !self.scenario.fleet.suspended.alarm_notification {
            let step = ((group.desired as u64 * SCALE_IN_STEP_PERCENT as u64 / 100) as u32).max(1);
            if let Some(p) = out.map(|p| p.min(group.max)).filter(|&p| p > group.desired) {
                self.set_desired(now, p, "target tracking");
            } else if in_ready && !in_blocked {
                let to = in_proposal.max(group.desired.saturating_sub(step)).max(group.min);
                if to < group.desired {
                    self.set_desired(now, to, "target tracking");
                    for tracker in &mut self.scaling.trackers {
                        tracker.low_since = None;
                    }
                }
            }
        }
        if !self.routing_changed {
            // Otherwise the world observes the new routing right after this event, and plans then.
            self.scaling_plan(now);
        }
    }

    /// An instance's warm-up is over: it counts toward the metric from now on.
    pub(super) fn warmup_ends(&mut self, now: SimTime, id: InstanceId) {
        if self.instances[id as usize].counted() {
            self.scaling_plan(now);
        }
    }

    /// Scheduled action `index` of `[[fleet.scaling]]` fires, and is set for the same time
    /// tomorrow. Its min and max apply first; desired is then kept within them (an action whose
    /// min is above the group's max raises the max with it, and the other way round).
    pub(super) fn scheduled_action(&mut self, now: SimTime, index: usize) {
        let next = now + SimTime::DAY;
        if next <= self.scenario.simulation.horizon {
            self.queue
                .schedule(next, NORMAL, Event::ScheduledAction { index: index as u16 });
        }
        let ScalingPolicy::Scheduled { desired, min, max, .. } = self.scenario.fleet.scaling[index] else {
            return;
        };
        if self.scenario.fleet.suspended.scheduled_actions {
            self.note(now, "scheduled_action", None, None, || "suspended".into());
            return;
        }
        let g = &mut self.group;
        if let Some(min) = min {
            g.min = min;
            g.max = g.max.max(min);
        }
        if let Some(max) = max {
            g.max = max;
            g.min = g.min.min(max);
        }
        let to = desired.unwrap_or(g.desired).clamp(g.min, g.max);
        self.note(now, "scheduled_action", None, None, || {
            format!("min {:?} max {:?} desired {:?}", min, max, desired)
        });
        self.set_desired(now, to, "scheduled action");
        if !self.routing_changed {
            self.scaling_plan(now);
        }
    }

    /// Sets the group's desired capacity and brings the group to it. A raise counts as a
    /// scale-out, a cut as a scale-in.
    fn set_desired(&mut self, now: SimTime, to: u32, why: &'static str) {
        let from = self.group.desired;
        if to == from {
            return;
        }
        if to > from {
            self.outcome.scale_outs += 1;
        } else {
            self.outcome.scale_ins += 1;
        }
        self.group.desired = to;
        let event = if to > from { "scale_out" } else { "scale_in" };
        self.note(now, event, None, None, || format!("{why}: desired {from} -> {to}"));
        self.reconcile_capacity(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_level_with_even_and_uneven_shares() {
        // Four instances of 100 req/s with a quarter each: 60 % at 240 req/s.
        let even = [0.25; 4];
        assert!((rate_for_cpu(60.0, &even, 1.0, 100.0) - 240.0).abs() < 1e-9);
        // Shares 0.5 and 0.25 twice: the big one saturates at 200 req/s (then 100 + 50 + 50 = 66.7 %);
        // 75 % = (1 + 2·0.25·r/100)/3 → r = 250.
        let uneven = [0.5, 0.25, 0.25];
        assert!((rate_for_cpu(75.0, &uneven, 1.0, 100.0) - 250.0).abs() < 1e-9);
        // Below the saturation point: 50 % = (0.5 + 0.25 + 0.25)·r/100/3 → r = 150.
        assert!((rate_for_cpu(50.0, &uneven, 1.0, 100.0) - 150.0).abs() < 1e-9);
        assert_eq!(
            rate_for_cpu(100.0, &even, 1.0, 100.0),
            f64::INFINITY,
            "cpu cannot exceed 100 %"
        );
    }

    #[test]
    fn points_and_runs() {
        assert_eq!(point_at_or_after(SimTime(1)), POINT);
        assert_eq!(point_at_or_after(POINT), POINT);
        assert_eq!(run_length(None, POINT), 0);
        assert_eq!(run_length(Some(POINT), POINT * 3), 3);
        assert_eq!(ceil_count(8.4), 9);
        assert_eq!(ceil_count(4.000_000_000_1), 4);
        assert_eq!(ceil_count(-1.0), 0);
    }
}
