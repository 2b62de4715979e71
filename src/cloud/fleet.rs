//! The Auto Scaling group: placement, launch, instance failures, replacement of what the health
//! checks find, and the group's capacity: launching up to `desired`, scaling in (with the load
//! balancer's deregistration delay) down to it, and AZRebalance.

use rand::Rng as _;

use crate::kernel::{SimTime, TimerSlot};
use crate::scenario::{FailureKind, HealthCheckType, ScalingPolicy, ZoneId};

use super::availability::ZoneTargets;
use super::biasing::Clock;
use super::health::{TargetHealth, TargetStatus};
use super::spot::Market;
use super::world::{Event, World, FIRST, NORMAL};

/// Index into the world's instance table (ids are never reused within a trial).
pub type InstanceId = u32;

/// How long EC2 status checks take to report a stopped instance impaired.
pub(super) const STATUS_CHECK_DELAY: SimTime = SimTime::MINUTE;

/// Where an instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lifecycle {
    /// Launch requested; not yet ready.
    Pending,
    /// Ready: registered with the LB and exposed to its failure modes.
    InService,
    Terminated,
}

/// What is wrong with an instance, as distinct from what the LB thinks of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::cloud) enum Condition {
    Ok,
    Crashed,
    Hung,
    /// Lost with its zone's power.
    Lost,
}

#[derive(Clone, Debug)]
pub(in crate::cloud) struct Instance {
    pub zone: ZoneId,
    /// Position of `zone` in the group's zone list.
    pub group_zone: usize,
    pub market: Market,
    pub lifecycle: Lifecycle,
    pub condition: Condition,
    pub registered: bool,
    pub health: TargetHealth,
    pub launched_at: SimTime,
    /// When it became ready (its warm-up counts from here); meaningless while pending.
    pub ready_at: SimTime,
    /// One of the group's instances at time zero: ready long before, so already warm.
    pub initial: bool,
    /// The group ignores health until then.
    pub grace_until: SimTime,
    /// The group has judged it unhealthy and will replace it.
    pub doomed: bool,
    /// A spot instance under its interruption notice.
    pub noticed: bool,
    /// No longer part of the group's capacity: scaled in, or noticed with capacity rebalancing
    /// (its replacement is already on the way).
    pub leaving: bool,
    /// Launched by AZRebalance; an instance elsewhere is terminated once it is ready.
    pub rebalancing: bool,
    /// Launch-ready and failure-mode timers.
    pub life_timer: TimerSlot,
    /// The next health-check flip.
    pub check_timer: TimerSlot,
    /// The end of its spot notice (apart from `life_timer`, which a power loss reschedules).
    pub exit_timer: TimerSlot,
}

impl Instance {
    /// Running and able to serve, ignoring whether its zone can be reached.
    pub fn is_working(&self) -> bool {
        self.lifecycle == Lifecycle::InService && self.condition == Condition::Ok
    }

    /// The LB sends it new requests.
    pub fn in_service(&self) -> bool {
        self.registered && self.health.status() == TargetStatus::Healthy
    }

    /// In the pool the LB fails open to when a zone has no healthy target: registered and
    /// checked at least once.
    pub fn fails_open_to(&self) -> bool {
        self.registered && self.health.status() != TargetStatus::Initial
    }

    /// Lost with its zone's power.
    pub fn is_lost(&self) -> bool {
        self.condition == Condition::Lost
    }

    /// Part of the group's capacity: not terminated and not on its way out.
    pub fn counted(&self) -> bool {
        self.lifecycle != Lifecycle::Terminated && !self.leaving
    }

    /// What it adds to its zone's [`ZoneTargets`] when the zone is reachable.
    pub fn as_target(&self) -> ZoneTargets {
        if !self.registered {
            return ZoneTargets::default();
        }
        let working = self.is_working() as u32;
        let checked = self.fails_open_to() as u32;
        let in_service = self.in_service() as u32;
        ZoneTargets {
            in_service,
            in_service_working: in_service & working,
            fail_open: checked,
            fail_open_working: checked & working,
        }
    }

    /// Ready for at least `warmup` (or there from the start), so target tracking counts it.
    pub fn is_warm(&self, now: SimTime, warmup: SimTime) -> bool {
        self.initial || (self.lifecycle == Lifecycle::InService && now >= self.ready_at + warmup)
    }
}

/// The group's size limits and target, as scaling policies and scheduled actions set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::cloud) struct GroupSize {
    pub desired: u32,
    pub min: u32,
    pub max: u32,
    /// Instances AZRebalance has launched that are not yet ready; the group keeps that many extra
    /// instances until they are.
    pub rebalancing: u32,
}

/// Counted instances of the group, by market.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts {
    total: u32,
    on_demand: u32,
}

impl World<'_> {
    /// The group's `desired` instances, running, registered and healthy, spread evenly over its
    /// zones (the first zones get one more where it does not divide).
    /// The mixed instances policy's on-demand share comes first, so with a base of 1 the first
    /// zone's first instance is the on-demand one.
    pub(super) fn place_initial_instances(&mut self) {
        let fleet = &self.scenario.fleet;
        self.group = GroupSize {
            desired: fleet.desired,
            min: fleet.min,
            max: fleet.max,
            rebalancing: 0,
        };
        self.zone_targets.fill(ZoneTargets::default());
        self.counted.fill(Counts::default());
        let mut on_demand = 0;
        for i in 0..fleet.desired as usize {
            let group_zone = i % fleet.zones.len();
            let market = self.market_for_launch(fleet.desired, on_demand);
            on_demand += (market == Market::OnDemand) as u32;
            let id = self.add_instance(SimTime::ZERO, group_zone, market);
            let hc = self.scenario.load_balancer.health_check;
            let phase = self.draw_phase();
            let inst = &mut self.instances[id as usize];
            inst.lifecycle = Lifecycle::InService;
            inst.initial = true;
            inst.registered = true;
            inst.health = TargetHealth::already_healthy(SimTime::ZERO, phase, &hc);
            let zone = inst.zone;
            self.retarget(id, ZoneTargets::default());
            self.note(SimTime::ZERO, "target_healthy", Some(zone), Some(id), || {
                "in service at start".into()
            });
            self.start_failure_clocks(SimTime::ZERO, id);
        }
    }

    fn add_instance(&mut self, now: SimTime, group_zone: usize, market: Market) -> InstanceId {
        let id = self.instances.len() as InstanceId;
        let life_timer = self.new_slot();
        let check_timer = self.new_slot();
        let exit_timer = self.new_slot();
        self.instances.push(Instance {
            zone: self.scenario.fleet.zones[group_zone],
            group_zone,
            market,
            lifecycle: Lifecycle::Pending,
            condition: Condition::Ok,
            registered: false,
            health: TargetHealth::registered(now, SimTime::ZERO, false),
            launched_at: now,
            ready_at: SimTime::NEVER,
            initial: false,
            grace_until: SimTime::ZERO,
            doomed: false,
            noticed: false,
            leaving: false,
            rebalancing: false,
            life_timer,
            check_timer,
            exit_timer,
        });
        self.live.push(id);
        self.tally(id, true);
        id
    }

    /// The instance starts (`joins`) or stops counting toward the group's capacity: every change
    /// of [`Instance::counted`] goes through here.
    fn tally(&mut self, id: InstanceId, joins: bool) {
        let inst = &self.instances[id as usize];
        let c = &mut self.counted[inst.group_zone];
        let on_demand = (inst.market == Market::OnDemand) as u32;
        if joins {
            c.total += 1;
            c.on_demand += on_demand;
        } else {
            c.total -= 1;
            c.on_demand -= on_demand;
        }
    }

    fn draw_phase(&mut self) -> SimTime {
        let interval = self.scenario.load_balancer.health_check.interval;
        SimTime(self.streams.phases.random_range(0..interval.0))
    }

    /// Brings the group to its desired capacity: launches while it has fewer (counting pending
    /// instances), each into the group's zone with the fewest instances that can take it; then
    /// scales in while it has more (beyond what AZRebalance is waiting for).
    pub(super) fn reconcile_capacity(&mut self, now: SimTime) {
        let suspended = self.scenario.fleet.suspended;
        let desired = self.group.desired;
        let mut counts = self.counts();
        while !suspended.launch && counts.total < desired {
            let market = self.market_for_launch(desired, counts.on_demand);
            let Some(group_zone) = self.least_populated_zone_for(now, market, None) else {
                // Nowhere to launch: a power outage's end or a spot pool's recovery retries.
                break;
            };
            self.launch(now, group_zone, market);
            counts.total += 1;
            counts.on_demand += (market == Market::OnDemand) as u32;
        }
        while !suspended.terminate && counts.total > desired.saturating_add(self.group.rebalancing) {
            let Some(id) = self.termination_victim(None) else { break };
            self.scale_in_instance(now, id);
            counts.total -= 1;
        }
    }

    /// Requests an instance; it is ready `launch_time` later.
    fn launch(&mut self, now: SimTime, group_zone: usize, market: Market) -> InstanceId {
        let id = self.add_instance(now, group_zone, market);
        let ready = now
            + self
                .scenario
                .fleet
                .instance
                .launch_time
                .sample(&mut self.streams.launch);
        let slot = self.instances[id as usize].life_timer;
        self.queue.schedule_in(slot, ready, NORMAL, Event::InstanceReady { id });
        self.note(
            now,
            "instance_launch",
            Some(self.instances[id as usize].zone),
            Some(id),
            || {
                match market {
                    Market::OnDemand => "on-demand",
                    Market::Spot => "spot",
                }
                .into()
            },
        );
        id
    }

    fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for zone in &self.counted {
            c.total += zone.total;
            c.on_demand += zone.on_demand;
        }
        c
    }

    /// Counted instances per group zone, into `self.zone_counts`.
    fn count_zones(&mut self) {
        self.zone_counts.clear();
        self.zone_counts.extend(self.counted.iter().map(|c| c.total));
        debug_assert_eq!(self.counted, self.recount());
    }

    /// What [`tally`](Self::tally) keeps up to date, from scratch.
    fn recount(&self) -> Vec<Counts> {
        let mut counted = vec![Counts::default(); self.scenario.fleet.zones.len()];
        for &id in &self.live {
            let inst = &self.instances[id as usize];
            if inst.counted() {
                counted[inst.group_zone].total += 1;
                counted[inst.group_zone].on_demand += (inst.market == Market::OnDemand) as u32;
            }
        }
        counted
    }

    /// The group's zone with the fewest instances (pending ones count) that can take a launch of
    /// `market` now, other than `except`: not in a power outage and, for spot, with pool
    /// capacity. Ties go to the zone listed first.
    fn least_populated_zone_for(&mut self, now: SimTime, market: Market, except: Option<usize>) -> Option<usize> {
        self.count_zones();
        self.least_populated_counted_zone(now, market, except)
    }

    /// As [`least_populated_zone_for`](Self::least_populated_zone_for), from `self.zone_counts`
    /// as they are.
    fn least_populated_counted_zone(&self, now: SimTime, market: Market, except: Option<usize>) -> Option<usize> {
        let zones = &self.scenario.fleet.zones;
        (0..zones.len())
            .filter(|&gz| Some(gz) != except && self.zone_launchable(zones[gz]))
            .filter(|&gz| market == Market::OnDemand || self.spot_pool_has_capacity(now, gz))
            .min_by_key(|&gz| (self.zone_counts[gz], gz))
    }

    /// The instance a scale-in removes, after AWS's default termination policy: from the zone
    /// with the most instances (ties: the zone listed last), an instance of the market that is
    /// above its share of `desired` when that zone has one, and of those the newest (AWS's next
    /// criteria, the oldest launch template and the next billing hour, do not separate instances
    /// of one launch template billed by the second). `skip` passes over the newest instances of
    /// each zone that are already chosen (AZRebalance plans several moves at once).
    fn termination_victim(&mut self, skip: Option<&[u32]>) -> Option<InstanceId> {
        self.count_zones();
        if let Some(skip) = skip {
            for (count, skipped) in self.zone_counts.iter_mut().zip(skip) {
                *count = count.saturating_sub(*skipped);
            }
        }
        let zone = (0..self.zone_counts.len())
            .filter(|&gz| self.zone_counts[gz] > 0)
            .max_by_key(|&gz| (self.zone_counts[gz], gz))?;
        let preferred = self.market_above_share();
        let skip_in_zone = skip.map_or(0, |s| s[zone]) as usize;
        let newest = |market: Option<Market>| {
            self.live
                .iter()
                .rev()
                .copied()
                .filter(|&id| {
                    let inst = &self.instances[id as usize];
                    inst.counted() && inst.group_zone == zone && market.is_none_or(|m| inst.market == m)
                })
                .nth(skip_in_zone)
        };
        preferred.and_then(|m| newest(Some(m))).or_else(|| newest(None))
    }

    /// The market with more instances than its share of the desired capacity (spot on a tie).
    fn market_above_share(&self) -> Option<Market> {
        let spot = self.scenario.fleet.spot.as_ref()?;
        let desired = self.group.desired;
        let on_demand_share =
            super::spot::on_demand_target(spot.on_demand_base, spot.on_demand_percentage_above_base, desired);
        let counts = self.counts();
        let on_demand_over = counts.on_demand as i64 - on_demand_share as i64;
        let spot_over = (counts.total - counts.on_demand) as i64 - (desired - on_demand_share) as i64;
        if spot_over > 0 && spot_over >= on_demand_over {
            Some(Market::Spot)
        } else if on_demand_over > 0 {
            Some(Market::OnDemand)
        } else {
            None
        }
    }

    /// Scale-in: the instance leaves the group's capacity and is deregistered at once (no new
    /// requests), then drains for the deregistration delay and is terminated. Nothing in the
    /// world can reach it while it drains (it is neither counted nor routed to; requests it
    /// already holds finish on their own), so it leaves the group now and is billed to the end of
    /// the delay: the same result without an event per scale-in.
    fn scale_in_instance(&mut self, now: SimTime, id: InstanceId) {
        self.stop_counting(id);
        let delay = self.scenario.load_balancer.deregistration_delay;
        let inst = &self.instances[id as usize];
        // One that never took traffic (pending, never registered) has nothing to drain.
        let drains = inst.lifecycle != Lifecycle::Pending && inst.registered;
        let until = if drains {
            (now + delay).min(self.scenario.simulation.horizon)
        } else {
            now
        };
        let zone = inst.zone;
        self.note(now, "instance_draining", Some(zone), Some(id), || {
            format!("billed until {until}")
        });
        self.deregister(now, id);
        self.terminate_billed_until(now, id, until);
    }

    /// The instance no longer counts toward the group's capacity (and, if AZRebalance launched it,
    /// no longer holds an instance elsewhere in the group).
    pub(super) fn stop_counting(&mut self, id: InstanceId) {
        if self.instances[id as usize].counted() {
            self.tally(id, false);
        }
        let inst = &mut self.instances[id as usize];
        inst.leaving = true;
        if std::mem::take(&mut inst.rebalancing) {
            self.group.rebalancing = self.group.rebalancing.saturating_sub(1);
        }
    }

    /// The LB stops sending the instance new requests, at once.
    pub(super) fn deregister(&mut self, now: SimTime, id: InstanceId) {
        let inst = &mut self.instances[id as usize];
        if !inst.registered {
            return;
        }
        let before = inst.as_target();
        inst.registered = false;
        let (check, zone) = (inst.check_timer, inst.zone);
        self.retarget(id, before);
        self.queue.cancel(check);
        self.routing_changed = true;
        self.note(now, "target_deregistered", Some(zone), Some(id), String::new);
    }

    /// AZRebalance: while one zone has at least two instances more than another that can take a
    /// launch, launch into the emptier zone first; when the new instance is ready, the group is
    /// above its desired capacity and scales in from the fuller zone. The group may exceed its
    /// maximum meanwhile by 10 % (at least one instance), as AWS allows.
    pub(super) fn az_rebalance(&mut self, now: SimTime) {
        let suspended = self.scenario.fleet.suspended;
        if suspended.az_rebalance || suspended.launch || suspended.terminate {
            return;
        }
        let allowance = (self.group.max / 10).max(1);
        let mut total = self.counts().total;
        // Moves planned in this call, per zone: the victims that will leave and the launches that
        // arrive, so that several moves at once balance rather than overshoot.
        let mut leaving = std::mem::take(&mut self.rebalance_scratch);
        leaving.clear();
        leaving.resize(self.scenario.fleet.zones.len(), 0);
        while total < self.group.max.saturating_add(allowance) {
            let Some(victim) = self.termination_victim(Some(&leaving)) else {
                break;
            };
            let (from, market) = {
                let v = &self.instances[victim as usize];
                (v.group_zone, v.market)
            };
            // `termination_victim` left the counts with this call's planned departures taken off.
            let Some(to) = self.least_populated_counted_zone(now, market, Some(from)) else {
                break;
            };
            let (from_count, to_count) = (self.zone_counts[from], self.zone_counts[to]);
            if from_count < to_count + 2 {
                break;
            }
            let id = self.launch(now, to, market);
            self.instances[id as usize].rebalancing = true;
            self.group.rebalancing += 1;
            leaving[from] += 1;
            total += 1;
            let zone = self.instances[id as usize].zone;
            self.note(now, "az_rebalance", Some(zone), Some(id), || {
                format!("replaces i-{victim}")
            });
        }
        self.rebalance_scratch = leaving;
    }

    pub(super) fn instance_ready(&mut self, now: SimTime, id: InstanceId) {
        let phase = self.draw_phase();
        let s = self.scenario;
        let zone = self.instances[id as usize].zone;
        let reachable = self.zone_reachable(zone);
        let inst = &mut self.instances[id as usize];
        let before = inst.as_target();
        inst.lifecycle = Lifecycle::InService;
        inst.ready_at = now;
        inst.grace_until = now + s.fleet.health_check_grace_period;
        inst.registered = !s.fleet.suspended.add_to_load_balancer;
        inst.health = TargetHealth::registered(now, phase, inst.is_working() && reachable);
        let rebalanced = std::mem::take(&mut inst.rebalancing);
        self.retarget(id, before);
        self.note(
            now,
            "instance_ready",
            Some(self.instances[id as usize].zone),
            Some(id),
            String::new,
        );
        self.schedule_health_flip(id);
        self.start_failure_clocks(now, id);
        // Target tracking stops ignoring it after each policy's warm-up: one event per distinct
        // warm-up, and only where there is one.
        let mut last = SimTime::ZERO;
        for policy in &s.fleet.scaling {
            if let ScalingPolicy::TargetTracking { instance_warmup, .. } = *policy {
                if instance_warmup > SimTime::ZERO && instance_warmup != last {
                    self.queue
                        .schedule(now + instance_warmup, NORMAL, Event::WarmupEnds { id });
                    last = instance_warmup;
                }
            }
        }
        if rebalanced {
            // AZRebalance's new instance is ready: now the fuller zone gives one up, and the next
            // move (held back by the over-max allowance) may start.
            self.group.rebalancing = self.group.rebalancing.saturating_sub(1);
            self.reconcile_capacity(now);
            self.az_rebalance(now);
        }
    }

    /// Each failure mode is an independent clock per instance, started when it is ready. Only the
    /// first to strike matters (a failed instance stays failed until replaced), so only it becomes
    /// an event, and only if it falls within the horizon.
    fn start_failure_clocks(&mut self, now: SimTime, id: InstanceId) {
        let mut first: Option<(SimTime, usize)> = None;
        for (mode, fm) in self.scenario.fleet.failure_modes.iter().enumerate() {
            let at = now
                + self.bias.time_to_failure(
                    Clock::FailureMode { id, mode },
                    &fm.time_between,
                    &mut self.streams.failure_modes[mode],
                );
            if first.is_none_or(|(t, _)| at < t) {
                first = Some((at, mode));
            }
        }
        if let Some((at, mode)) = first {
            if at <= self.scenario.simulation.horizon {
                let slot = self.instances[id as usize].life_timer;
                self.queue
                    .schedule_in(slot, at, NORMAL, Event::InstanceFails { id, mode: mode as u16 });
            }
        }
    }

    pub(super) fn instance_fails(&mut self, now: SimTime, id: InstanceId, mode: usize) {
        let kind = self.scenario.fleet.failure_modes[mode].kind;
        self.fail_instance(now, id, kind);
    }

    /// Crashes or hangs a working instance. Once failed, an instance stays so until replaced.
    pub(super) fn fail_instance(&mut self, now: SimTime, id: InstanceId, kind: FailureKind) {
        let inst = &mut self.instances[id as usize];
        if !inst.is_working() {
            return;
        }
        let before = inst.as_target();
        inst.condition = match kind {
            FailureKind::Crash => Condition::Crashed,
            FailureKind::Hang => Condition::Hung,
        };
        let slot = inst.life_timer;
        let zone = inst.zone;
        self.retarget(id, before);
        self.queue.cancel(slot);
        self.outcome.instance_failures += 1;
        self.note(
            now,
            if kind == FailureKind::Crash {
                "instance_crash"
            } else {
                "instance_hang"
            },
            Some(zone),
            Some(id),
            String::new,
        );
        if kind == FailureKind::Crash {
            self.queue
                .schedule_in(slot, now + STATUS_CHECK_DELAY, NORMAL, Event::StatusCheckFails { id });
        }
        self.refresh_target(now, id);
    }

    /// `count` working instances (in `zone`, when given), chosen at random, fail.
    pub(super) fn fail_chosen_instances(&mut self, now: SimTime, zone: Option<ZoneId>, count: u32, kind: FailureKind) {
        self.scratch.clear();
        for &id in &self.live {
            let inst = &self.instances[id as usize];
            if inst.is_working() && zone.is_none_or(|z| inst.zone == z) {
                self.scratch.push(id);
            }
        }
        let n = (count as usize).min(self.scratch.len());
        for i in 0..n {
            let j = self.streams.inject.random_range(i..self.scratch.len());
            self.scratch.swap(i, j);
            let id = self.scratch[i];
            self.fail_instance(now, id, kind);
        }
    }

    /// A power outage takes every instance in the zone, pending ones too.
    pub(super) fn lose_instances_in_zone(&mut self, now: SimTime, z: ZoneId) {
        for i in 0..self.live.len() {
            let id = self.live[i];
            let inst = &mut self.instances[id as usize];
            if inst.zone != z || inst.condition == Condition::Lost {
                continue;
            }
            let before = inst.as_target();
            inst.condition = Condition::Lost;
            self.routing_changed = true;
            let slot = inst.life_timer;
            self.retarget(id, before);
            self.queue
                .reschedule(slot, now + STATUS_CHECK_DELAY, NORMAL, Event::StatusCheckFails { id });
        }
    }

    /// Re-evaluates whether the LB's checks of this instance pass, and reschedules its flip.
    pub(super) fn refresh_target(&mut self, now: SimTime, id: InstanceId) {
        let hc = self.scenario.load_balancer.health_check;
        let inst = &self.instances[id as usize];
        if !inst.registered {
            return;
        }
        let reachable = self.zone_reachable(inst.zone);
        let working = inst.is_working() && reachable;
        let crashed = inst.condition == Condition::Crashed && reachable;
        self.routing_changed = true;
        if !working {
            self.drop_requests_of(now, id, crashed);
        }
        let inst = &mut self.instances[id as usize];
        let before = inst.as_target();
        let change = inst.health.set_working(now, working, &hc);
        if let Some(status) = change {
            self.retarget(id, before);
            self.target_status_changed(now, id, status);
        }
        self.schedule_health_flip(id);
    }

    pub(super) fn refresh_targets_in_zone(&mut self, now: SimTime, z: ZoneId) {
        for i in 0..self.live.len() {
            let id = self.live[i];
            if self.instances[id as usize].zone == z {
                self.refresh_target(now, id);
            }
        }
    }

    fn schedule_health_flip(&mut self, id: InstanceId) {
        let hc = self.scenario.load_balancer.health_check;
        let inst = &self.instances[id as usize];
        let slot = inst.check_timer;
        match inst.health.next_flip(&hc) {
            Some(at) if inst.registered => self.queue.reschedule(slot, at, FIRST, Event::TargetHealthFlip { id }),
            _ => self.queue.cancel(slot),
        }
    }

    pub(super) fn target_health_flip(&mut self, now: SimTime, id: InstanceId) {
        let hc = self.scenario.load_balancer.health_check;
        let inst = &mut self.instances[id as usize];
        let before = inst.as_target();
        if let Some(status) = inst.health.advance(now, &hc) {
            self.retarget(id, before);
            self.target_status_changed(now, id, status);
        }
        if self.instances[id as usize].lifecycle != Lifecycle::Terminated {
            self.schedule_health_flip(id);
        }
    }

    fn target_status_changed(&mut self, now: SimTime, id: InstanceId, status: TargetStatus) {
        self.routing_changed = true;
        let zone = self.instances[id as usize].zone;
        let event = match status {
            TargetStatus::Healthy => "target_healthy",
            TargetStatus::Unhealthy => "target_unhealthy",
            TargetStatus::Initial => "target_initial",
        };
        self.note(now, event, Some(zone), Some(id), String::new);
        if status == TargetStatus::Unhealthy && self.scenario.fleet.health_check_type == HealthCheckType::Elb {
            self.group_finds_unhealthy(now, id);
        }
    }

    pub(super) fn status_check_fails(&mut self, now: SimTime, id: InstanceId) {
        let inst = &self.instances[id as usize];
        if inst.lifecycle != Lifecycle::Terminated && matches!(inst.condition, Condition::Crashed | Condition::Lost) {
            self.group_finds_unhealthy(now, id);
        }
    }

    /// The group has seen the instance unhealthy: it replaces it, once its grace period is over.
    /// An instance already on its way out (noticed spot, draining) is left to go.
    fn group_finds_unhealthy(&mut self, now: SimTime, id: InstanceId) {
        let suspended = self.scenario.fleet.suspended;
        let inst = &mut self.instances[id as usize];
        if suspended.health_check
            || inst.doomed
            || inst.noticed
            || inst.leaving
            || inst.lifecycle == Lifecycle::Terminated
        {
            return;
        }
        inst.doomed = true;
        if now < inst.grace_until {
            let at = inst.grace_until;
            self.queue.schedule(at, NORMAL, Event::GracePeriodEnds { id });
        } else {
            self.replace(now, id);
        }
    }

    pub(super) fn grace_period_ends(&mut self, now: SimTime, id: InstanceId) {
        if self.instances[id as usize].lifecycle != Lifecycle::Terminated {
            self.replace(now, id);
        }
    }

    /// AWS's ReplaceUnhealthy: terminate, then launch to restore the desired capacity.
    fn replace(&mut self, now: SimTime, id: InstanceId) {
        let suspended = self.scenario.fleet.suspended;
        if suspended.replace_unhealthy || suspended.terminate {
            return;
        }
        self.outcome.replacements += 1;
        self.terminate(now, id);
        self.reconcile_capacity(now);
    }

    pub(super) fn terminate(&mut self, now: SimTime, id: InstanceId) {
        self.terminate_billed_until(now, id, now);
    }

    /// Terminates the instance now, billing it until `until` (≥ now: the end of draining).
    fn terminate_billed_until(&mut self, now: SimTime, id: InstanceId, until: SimTime) {
        if self.instances[id as usize].counted() {
            self.tally(id, false);
        }
        let inst = &mut self.instances[id as usize];
        let before = inst.as_target();
        inst.lifecycle = Lifecycle::Terminated;
        // One already deregistered (drained, noticed) changes nothing the LB sees.
        self.routing_changed |= std::mem::take(&mut inst.registered);
        if std::mem::take(&mut inst.rebalancing) {
            self.group.rebalancing = self.group.rebalancing.saturating_sub(1);
        }
        let (life, check, exit, zone) = (inst.life_timer, inst.check_timer, inst.exit_timer, inst.zone);
        self.retarget(id, before);
        self.queue.cancel(life);
        self.queue.cancel(check);
        self.queue.cancel(exit);
        self.live.retain(|&x| x != id);
        self.bill(id, until);
        self.note(now, "instance_terminate", Some(zone), Some(id), String::new);
    }

    /// Moves the instance's share of its zone's [`ZoneTargets`] from `before` (its
    /// [`Instance::as_target`] before a change) to what it is now. Every change of registration,
    /// condition, lifecycle or health status goes through here.
    #[inline]
    fn retarget(&mut self, id: InstanceId, before: ZoneTargets) {
        let inst = &self.instances[id as usize];
        let t = &mut self.zone_targets[inst.group_zone];
        *t = t.moved(inst.as_target(), before);
    }

    /// The routing counts from scratch (what [`retarget`](Self::retarget) keeps up to date).
    pub(super) fn count_targets(&self) -> Vec<ZoneTargets> {
        let mut targets = vec![ZoneTargets::default(); self.scenario.fleet.zones.len()];
        for &id in &self.live {
            let inst = &self.instances[id as usize];
            let t = &mut targets[inst.group_zone];
            *t = t.moved(inst.as_target(), ZoneTargets::default());
        }
        targets
    }

    /// Adds the instance's hours from its launch request to `until`, to its market's account.
    pub(super) fn bill(&mut self, id: InstanceId, until: SimTime) {
        let inst = &self.instances[id as usize];
        let hours = (until - inst.launched_at).as_hours_f64();
        match inst.market {
            Market::OnDemand => self.outcome.on_demand_hours += hours,
            Market::Spot => self.outcome.spot_hours += hours,
        }
    }
}
