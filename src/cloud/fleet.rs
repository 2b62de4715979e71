//! The Auto Scaling group: placement, launch, instance failures, and replacement of what the
//! health checks find.

use rand::Rng as _;

use crate::kernel::{SimTime, TimerSlot};
use crate::scenario::{FailureKind, HealthCheckType, ZoneId};

use super::health::{TargetHealth, TargetStatus};
use super::world::{Event, World, FIRST, NORMAL};

/// Index into the world's instance table (ids are never reused within a trial).
pub type InstanceId = u32;

/// How long EC2 status checks take to report a stopped instance impaired.
const STATUS_CHECK_DELAY: SimTime = SimTime::MINUTE;

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
    pub lifecycle: Lifecycle,
    pub condition: Condition,
    pub registered: bool,
    pub health: TargetHealth,
    pub launched_at: SimTime,
    /// The group ignores health until then.
    pub grace_until: SimTime,
    /// The group has judged it unhealthy and will replace it.
    pub doomed: bool,
    /// Launch-ready and failure-mode timers.
    pub life_timer: TimerSlot,
    /// The next health-check flip.
    pub check_timer: TimerSlot,
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
}

impl World<'_> {
    /// The group's `desired` instances, running, registered and healthy, spread evenly over its
    /// zones (the first zones get one more where it does not divide).
    pub(super) fn place_initial_instances(&mut self) {
        let fleet = &self.scenario.fleet;
        for i in 0..fleet.desired as usize {
            let group_zone = i % fleet.zones.len();
            let id = self.add_instance(SimTime::ZERO, group_zone);
            let hc = self.scenario.load_balancer.health_check;
            let phase = self.draw_phase();
            let inst = &mut self.instances[id as usize];
            inst.lifecycle = Lifecycle::InService;
            inst.registered = true;
            inst.health = TargetHealth::already_healthy(SimTime::ZERO, phase, &hc);
            let zone = inst.zone;
            self.note(SimTime::ZERO, "target_healthy", Some(zone), Some(id), || {
                "in service at start".into()
            });
            self.start_failure_clocks(SimTime::ZERO, id);
        }
    }

    fn add_instance(&mut self, now: SimTime, group_zone: usize) -> InstanceId {
        let id = self.instances.len() as InstanceId;
        let life_timer = self.new_slot();
        let check_timer = self.new_slot();
        self.instances.push(Instance {
            zone: self.scenario.fleet.zones[group_zone],
            group_zone,
            lifecycle: Lifecycle::Pending,
            condition: Condition::Ok,
            registered: false,
            health: TargetHealth::registered(now, SimTime::ZERO, false),
            launched_at: now,
            grace_until: SimTime::ZERO,
            doomed: false,
            life_timer,
            check_timer,
        });
        self.live.push(id);
        id
    }

    fn draw_phase(&mut self) -> SimTime {
        let interval = self.scenario.load_balancer.health_check.interval;
        SimTime(self.streams.phases.random_range(0..interval.0))
    }

    /// Launches until the group has `desired` instances (counting pending ones), each into the
    /// group's zone with the fewest instances that is not in a power outage.
    pub(super) fn reconcile_capacity(&mut self, now: SimTime) {
        let fleet = &self.scenario.fleet;
        if fleet.suspended.launch {
            return;
        }
        while (self.live.len() as u32) < fleet.desired {
            let Some(group_zone) = self.least_populated_launchable_zone() else {
                return;
            };
            let id = self.add_instance(now, group_zone);
            let ready = now + fleet.instance.launch_time.sample(&mut self.streams.launch);
            let slot = self.instances[id as usize].life_timer;
            self.queue.schedule_in(slot, ready, NORMAL, Event::InstanceReady { id });
            self.note(
                now,
                "instance_launch",
                Some(self.instances[id as usize].zone),
                Some(id),
                String::new,
            );
        }
    }

    fn least_populated_launchable_zone(&self) -> Option<usize> {
        let zones = &self.scenario.fleet.zones;
        let count = |gz: usize| {
            self.live
                .iter()
                .filter(|&&id| self.instances[id as usize].group_zone == gz)
                .count()
        };
        (0..zones.len())
            .filter(|&gz| self.zone_launchable(zones[gz]))
            .min_by_key(|&gz| (count(gz), gz))
    }

    pub(super) fn instance_ready(&mut self, now: SimTime, id: InstanceId) {
        let phase = self.draw_phase();
        let s = self.scenario;
        let zone = self.instances[id as usize].zone;
        let reachable = self.zone_reachable(zone);
        let inst = &mut self.instances[id as usize];
        inst.lifecycle = Lifecycle::InService;
        inst.grace_until = now + s.fleet.health_check_grace_period;
        inst.registered = !s.fleet.suspended.add_to_load_balancer;
        inst.health = TargetHealth::registered(now, phase, inst.is_working() && reachable);
        self.note(
            now,
            "instance_ready",
            Some(self.instances[id as usize].zone),
            Some(id),
            String::new,
        );
        self.schedule_health_flip(id);
        self.start_failure_clocks(now, id);
    }

    /// Each failure mode is an independent clock per instance, started when it is ready. Only the
    /// first to strike matters (a failed instance stays failed until replaced), so only it becomes
    /// an event, and only if it falls within the horizon.
    fn start_failure_clocks(&mut self, now: SimTime, id: InstanceId) {
        let mut first: Option<(SimTime, usize)> = None;
        for (mode, fm) in self.scenario.fleet.failure_modes.iter().enumerate() {
            let at = now + fm.time_between.sample(&mut self.streams.failure_modes[mode]);
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
        inst.condition = match kind {
            FailureKind::Crash => Condition::Crashed,
            FailureKind::Hang => Condition::Hung,
        };
        let slot = inst.life_timer;
        let zone = inst.zone;
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
            inst.condition = Condition::Lost;
            self.routing_changed = true;
            let slot = inst.life_timer;
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
        let change = self.instances[id as usize].health.set_working(now, working, &hc);
        if let Some(status) = change {
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
        if let Some(status) = self.instances[id as usize].health.advance(now, &hc) {
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
    fn group_finds_unhealthy(&mut self, now: SimTime, id: InstanceId) {
        let suspended = self.scenario.fleet.suspended;
        let inst = &mut self.instances[id as usize];
        if suspended.health_check || inst.doomed || inst.lifecycle == Lifecycle::Terminated {
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

    fn terminate(&mut self, now: SimTime, id: InstanceId) {
        let inst = &mut self.instances[id as usize];
        inst.lifecycle = Lifecycle::Terminated;
        inst.registered = false;
        self.routing_changed = true;
        let (life, check, zone) = (inst.life_timer, inst.check_timer, inst.zone);
        self.queue.cancel(life);
        self.queue.cancel(check);
        if let Some(pos) = self.live.iter().position(|&x| x == id) {
            self.live.remove(pos);
        }
        self.bill(id, now);
        self.note(now, "instance_terminate", Some(zone), Some(id), String::new);
    }

    /// Adds the instance's hours from launch to `until`.
    pub(super) fn bill(&mut self, id: InstanceId, until: SimTime) {
        let hours = (until - self.instances[id as usize].launched_at).as_hours_f64();
        self.outcome.on_demand_hours += hours;
    }
}
