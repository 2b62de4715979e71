use crate::kernel::{stream, EventQueue, Priority, Rng, SimTime, TimerSlot};
use crate::scenario::{Fault, Scenario, ZoneId};

use super::availability::{failing_share, DowntimeRecord, NodeView, ZoneTargets};
use super::biasing::ClockBias;
use super::fleet::{Counts, GroupSize, Instance, InstanceId};
use super::scaling::Scaling;
use super::spot::SpotPool;
use super::trace::TraceRecord;
use super::traffic::{LatencyTemplates, TrafficState};
use super::zones::ZoneState;
use super::TrialOutcome;
use std::sync::Arc;

/// Every kind of event in the world. Payloads are ids, never references.
#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    /// A zone's random outage process: the next outage begins.
    ZoneOutageStarts { zone: u16 },
    /// An outage of `zone` ends; `random` ones schedule the next.
    ZoneOutageEnds { zone: u16, power: bool, random: bool },
    /// The region's random outage process: the next outage begins.
    RegionOutageStarts,
    /// A region outage ends; `random` ones schedule the next.
    RegionOutageEnds { random: bool },
    /// `[[inject]]` number `index` fires.
    Injection { index: u16 },
    /// Clients stop resolving to a dark zone's LB node.
    DnsFailover { zone: u16 },
    /// A launched instance is ready: it registers with the LB and starts to fail.
    InstanceReady { id: InstanceId },
    /// Failure mode `mode` strikes an instance.
    InstanceFails { id: InstanceId, mode: u16 },
    /// A target's health-check status flips (computed by [`super::health`]).
    TargetHealthFlip { id: InstanceId },
    /// EC2 status checks report an instance impaired (a minute after it stopped).
    StatusCheckFails { id: InstanceId },
    /// An unhealthy instance's grace period is over: the group may now replace it.
    GracePeriodEnds { id: InstanceId },
    /// The next candidate request arrival (request model).
    RequestArrives,
    /// A client retries a failed request that first arrived `waited_us` before (saturating:
    /// latency is recorded up to an hour, below `u32::MAX` µs). Not a `SimTime`, so that every
    /// event fits in 8 bytes and a queue entry in 32.
    RequestRetry { waited_us: u32, number: u8 },
    /// An instance finishes serving the request in one of its concurrency slots.
    RequestDone { id: InstanceId, slot: u16 },
    /// The oldest try held by a target that cannot answer times out.
    HeldTryTimesOut { id: InstanceId },
    /// The daily load curve crosses the rate at which overload errors exceed the SLO's budget.
    LoadCrossing,
    /// An injected traffic spike ends.
    TrafficSpikeEnds { index: u16 },
    /// The random reclaim process of the spot pool of the group's zone `zone` strikes.
    SpotReclaim { zone: u16 },
    /// A noticed spot instance's notice runs out: it is gone.
    SpotInstanceGone { id: InstanceId },
    /// The spot pool of the group's zone `zone` has capacity again after a reclaim.
    SpotCapacityBack { zone: u16 },
    /// A new instance's warm-up ends: target tracking counts it from now on.
    WarmupEnds { id: InstanceId },
    /// Target tracking: at this minute a run of metric points may have its length with the rate
    /// where an action changes the desired capacity.
    ScalingTick,
    /// `[[fleet.scaling]]` number `index`, a scheduled action, fires (every day).
    ScheduledAction { index: u16 },
}

const _: () = assert!(std::mem::size_of::<Event>() == 8);

/// Health-check flips run before other events at the same instant (a check sent at the instant
/// of a change saw the condition before it).
pub(super) const FIRST: Priority = Priority(0);
pub(super) const NORMAL: Priority = Priority(1);

/// Sub-stream ids: one random process each (see [`crate::kernel::stream`]).
pub(super) mod process {
    pub const REGION_OUTAGES: u64 = 1;
    pub const LAUNCH_TIMES: u64 = 2;
    pub const CHECK_PHASES: u64 = 3;
    pub const INJECTIONS: u64 = 4;
    pub const ZONE_OUTAGES: u64 = 0x1_0000;
    pub const FAILURE_MODES: u64 = 0x2_0000;
    pub const ARRIVALS: u64 = 5;
    pub const SERVICE_TIMES: u64 = 6;
    pub const ROUTING: u64 = 7;
    pub const RETRIES: u64 = 8;
    /// Plus the index of the group's zone: each zone's spot pool reclaims on its own.
    pub const SPOT_RECLAIMS: u64 = 0x3_0000;
    /// Which failure starts a busy period of failure biasing.
    pub const FIRST_FAILURE: u64 = 9;
}

/// Random streams of one trial.
pub(super) struct Streams {
    pub region: Rng,
    pub launch: Rng,
    pub phases: Rng,
    pub inject: Rng,
    pub zones: Vec<Rng>,
    pub failure_modes: Vec<Rng>,
    /// Per group zone: its spot pool's reclaims (empty without `[fleet.spot]`).
    pub spot: Vec<Rng>,
}

/// One simulated deployment. Build it once per worker and call [`World::run_trial`] for each
/// trial: the buffers are reused, so the inner loop does not allocate.
pub struct World<'s> {
    pub(super) scenario: &'s Scenario,
    pub(super) queue: EventQueue<Event>,
    pub(super) streams: Streams,
    pub(super) zones: Vec<ZoneState>,
    pub(super) region_outages_active: u32,
    pub(super) instances: Vec<Instance>,
    /// Instances not yet terminated, in launch order.
    pub(super) live: Vec<InstanceId>,
    /// The group's desired capacity and limits now.
    pub(super) group: GroupSize,
    /// Per group zone: its spot pool (empty without `[fleet.spot]`).
    pub(super) pools: Vec<SpotPool>,
    pub(super) scaling: Scaling,
    pub(super) record: DowntimeRecord,
    pub(super) outcome: TrialOutcome,
    /// Scratch for routing and choices, kept to avoid allocating per event.
    pub(super) nodes: Vec<NodeView>,
    /// Per group zone: its registered targets as if the zone were reachable, kept in step with
    /// every change of an instance's registration, condition or health status (see
    /// [`World::retarget`]), so that routing needs no pass over the instances.
    pub(super) zone_targets: Vec<ZoneTargets>,
    pub(super) scratch: Vec<InstanceId>,
    /// Counted instances per group zone (scratch of placement and termination choices).
    pub(super) zone_counts: Vec<u32>,
    /// Per group zone: the instances that count toward the group's capacity, kept in step by
    /// launch, scale-in and termination (see `World::tally`).
    pub(super) counted: Vec<Counts>,
    /// AZRebalance's planned departures per group zone (scratch).
    pub(super) rebalance_scratch: Vec<u32>,
    /// Request traffic, when the scenario has `[traffic]`.
    pub(super) traffic: Option<TrafficState>,
    /// Something that routing depends on changed since the failing share was last computed.
    pub(super) routing_changed: bool,
    pub(super) trace: Option<Vec<TraceRecord>>,
    /// How failure clocks are drawn: biased only in busy periods (see [`super::regeneration`]).
    pub(super) bias: ClockBias,
}

impl<'s> World<'s> {
    /// A world for `scenario`, ready to run trials.
    pub fn new(scenario: &'s Scenario) -> Self {
        let templates = scenario
            .traffic
            .as_ref()
            .map(|t| Arc::new(LatencyTemplates::new(scenario, t)));
        Self::with_templates(scenario, templates)
    }

    /// As [`new`](Self::new), sharing the fluid model's latency templates with other workers.
    pub fn with_templates(scenario: &'s Scenario, templates: Option<Arc<LatencyTemplates>>) -> Self {
        let seed = scenario.simulation.seed;
        World {
            scenario,
            queue: EventQueue::new(),
            streams: Streams {
                region: stream(seed, 0, process::REGION_OUTAGES),
                launch: stream(seed, 0, process::LAUNCH_TIMES),
                phases: stream(seed, 0, process::CHECK_PHASES),
                inject: stream(seed, 0, process::INJECTIONS),
                zones: Vec::with_capacity(scenario.zones.len()),
                failure_modes: Vec::with_capacity(scenario.fleet.failure_modes.len()),
                spot: Vec::with_capacity(scenario.fleet.zones.len()),
            },
            zones: Vec::with_capacity(scenario.zones.len()),
            region_outages_active: 0,
            instances: Vec::new(),
            live: Vec::new(),
            group: GroupSize {
                desired: scenario.fleet.desired,
                min: scenario.fleet.min,
                max: scenario.fleet.max,
                rebalancing: 0,
            },
            pools: Vec::with_capacity(scenario.fleet.zones.len()),
            scaling: Scaling::new(scenario),
            record: DowntimeRecord::default(),
            outcome: TrialOutcome::default(),
            nodes: vec![NodeView { listed: true, up: true }; scenario.fleet.zones.len()],
            zone_targets: vec![ZoneTargets::default(); scenario.fleet.zones.len()],
            scratch: Vec::new(),
            zone_counts: Vec::with_capacity(scenario.fleet.zones.len()),
            counted: vec![Counts::default(); scenario.fleet.zones.len()],
            rebalance_scratch: Vec::with_capacity(scenario.fleet.zones.len()),
            traffic: scenario
                .traffic
                .as_ref()
                .zip(templates)
                .map(|(t, l)| TrafficState::new(scenario, t, l)),
            routing_changed: true,
            trace: None,
            bias: ClockBias::default(),
        }
    }

    /// Plays trial `trial` to the horizon and returns what it measured.
    pub fn run_trial(&mut self, trial: u64) -> TrialOutcome {
        self.reset(trial);
        let horizon = self.scenario.simulation.horizon;
        while let Some((now, event)) = self.queue.pop() {
            if now > horizon {
                break;
            }
            self.outcome.events += 1;
            self.handle(now, event);
            if self.routing_changed {
                self.observe(now);
            }
        }
        self.finish(trial)
    }

    /// As [`run_trial`](Self::run_trial), also returning the trial's event log.
    pub fn run_trial_traced(&mut self, trial: u64) -> (TrialOutcome, Vec<TraceRecord>) {
        self.trace = Some(Vec::new());
        let outcome = self.run_trial(trial);
        (outcome, self.trace.take().unwrap_or_default())
    }

    /// Adds the latency of the answered requests of the trial run last [µs] to `pooled` (a
    /// histogram made by [`latency_histogram`](super::traffic::latency_histogram)); nothing
    /// without traffic.
    pub fn add_trial_latency(&self, pooled: &mut hdrhistogram::Histogram<u64>) {
        if let Some(t) = &self.traffic {
            t.add_latency_to(pooled);
        }
    }

    /// The length of every DOWN period of the trial run last, in order.
    pub fn incident_durations(&self) -> &[SimTime] {
        &self.record.durations
    }

    /// The group's desired capacity at the end of the trial run last (scaling policies and
    /// scheduled actions move it; without them it is `fleet.desired`).
    pub fn desired_capacity(&self) -> u32 {
        self.group.desired
    }

    /// The one place where events are dispatched.
    pub(super) fn handle(&mut self, now: SimTime, event: Event) {
        match event {
            Event::ZoneOutageStarts { zone } => self.random_zone_outage_starts(now, zone as ZoneId),
            Event::ZoneOutageEnds { zone, power, random } => self.zone_outage_ends(now, zone as ZoneId, power, random),
            Event::RegionOutageStarts => self.random_region_outage_starts(now),
            Event::RegionOutageEnds { random } => self.region_outage_ends(now, random),
            Event::Injection { index } => self.inject(now, index as usize),
            Event::DnsFailover { zone } => self.dns_failover(now, zone as ZoneId),
            Event::InstanceReady { id } => self.instance_ready(now, id),
            Event::InstanceFails { id, mode } => self.instance_fails(now, id, mode as usize),
            Event::TargetHealthFlip { id } => self.target_health_flip(now, id),
            Event::StatusCheckFails { id } => self.status_check_fails(now, id),
            Event::GracePeriodEnds { id } => self.grace_period_ends(now, id),
            Event::RequestArrives => self.request_arrives(now),
            Event::RequestRetry { waited_us, number } => {
                self.request_retry(now, now - SimTime(u64::from(waited_us)), number)
            }
            Event::RequestDone { id, slot } => self.request_done(now, id, slot),
            Event::HeldTryTimesOut { id } => self.held_try_times_out(now, id),
            Event::LoadCrossing => self.load_crossing(),
            Event::TrafficSpikeEnds { index } => self.traffic_spike(now, index as usize, false),
            Event::SpotReclaim { zone } => self.random_spot_reclaim(now, zone as usize),
            Event::SpotInstanceGone { id } => self.spot_instance_gone(now, id),
            Event::SpotCapacityBack { zone } => self.spot_capacity_back(now, zone as usize),
            Event::WarmupEnds { id } => self.warmup_ends(now, id),
            Event::ScalingTick => self.scaling_tick(now),
            Event::ScheduledAction { index } => self.scheduled_action(now, index as usize),
        }
    }

    pub(super) fn reset(&mut self, trial: u64) {
        let s = self.scenario;
        let seed = s.simulation.seed;
        self.queue.reset();
        self.streams.region = stream(seed, trial, process::REGION_OUTAGES);
        self.streams.launch = stream(seed, trial, process::LAUNCH_TIMES);
        self.streams.phases = stream(seed, trial, process::CHECK_PHASES);
        self.streams.inject = stream(seed, trial, process::INJECTIONS);
        self.streams.zones.clear();
        self.streams
            .zones
            .extend((0..s.zones.len() as u64).map(|z| stream(seed, trial, process::ZONE_OUTAGES + z)));
        self.streams.failure_modes.clear();
        self.streams
            .failure_modes
            .extend((0..s.fleet.failure_modes.len() as u64).map(|m| stream(seed, trial, process::FAILURE_MODES + m)));
        self.region_outages_active = 0;
        self.instances.clear();
        self.live.clear();
        self.record.reset();
        self.outcome = TrialOutcome {
            trial,
            ..TrialOutcome::default()
        };
        if let Some(trace) = &mut self.trace {
            trace.clear();
        }

        self.reset_zones();
        self.reset_spot(trial);
        self.reset_scaling();
        self.reset_traffic(trial);
        for (index, injection) in s.inject.iter().enumerate() {
            self.queue
                .schedule(injection.at, NORMAL, Event::Injection { index: index as u16 });
        }
        self.place_initial_instances();
        self.observe(SimTime::ZERO);
    }

    fn inject(&mut self, now: SimTime, index: usize) {
        let fault = self.scenario.inject[index].fault.clone();
        self.note(now, "inject", None, None, || format!("{fault:?}"));
        match fault {
            Fault::ZoneOutage { zone, duration, kind } => {
                let power = kind == crate::scenario::OutageKind::Power;
                self.zone_outage_starts(now, zone, power);
                self.queue.schedule(
                    now + duration,
                    NORMAL,
                    Event::ZoneOutageEnds {
                        zone: zone as u16,
                        power,
                        random: false,
                    },
                );
            }
            Fault::RegionOutage { duration } => {
                self.region_outage_starts(now);
                self.queue
                    .schedule(now + duration, NORMAL, Event::RegionOutageEnds { random: false });
            }
            Fault::InstanceCrash { zone, count } => {
                self.fail_chosen_instances(now, zone, count, crate::scenario::FailureKind::Crash)
            }
            Fault::InstanceHang { zone, count } => {
                self.fail_chosen_instances(now, zone, count, crate::scenario::FailureKind::Hang)
            }
            Fault::TrafficSpike { .. } => self.traffic_spike(now, index, true),
            Fault::SpotReclaim { zone, fraction } => self.inject_spot_reclaim(now, zone, fraction),
        }
    }

    /// Recomputes the failing share after an event and updates the UP/DOWN record.
    // Always inline: it runs after most events, and as a call it saved and restored registers
    // each time (LLVM's own choice was to call it).
    #[inline(always)]
    pub(super) fn observe(&mut self, now: SimTime) {
        self.routing_changed = false;
        // Metric points up to now saw the routing that held until now.
        self.scaling_advance(now);
        let s = self.scenario;
        for (gz, &z) in s.fleet.zones.iter().enumerate() {
            let up = self.zone_reachable(z);
            self.nodes[gz] = NodeView {
                listed: up || self.zones[z].dns_listed,
                up,
            };
        }
        debug_assert_eq!(self.zone_targets, self.count_targets());
        let share = if self.traffic.is_some() {
            let share = self.observe_traffic(now);
            self.fluid_follow_routing(now);
            share
        } else {
            failing_share(&self.nodes, &self.zone_targets, s.load_balancer.cross_zone)
        };
        if let Some(down) = self.record.observe(now, share, s.slo.max_error_rate) {
            let event = if down { "service_down" } else { "service_up" };
            self.note(now, event, None, None, || format!("failing share {share:.4}"));
        }
        self.scaling_plan(now);
    }

    fn finish(&mut self, trial: u64) -> TrialOutcome {
        let s = self.scenario;
        let horizon = s.simulation.horizon;
        self.record.finish(horizon);
        self.finish_fluid(horizon);
        for i in 0..self.live.len() {
            let id = self.live[i];
            self.bill(id, horizon);
        }
        let o = &mut self.outcome;
        o.trial = trial;
        o.availability = 1.0 - self.record.downtime.0 as f64 / horizon.0 as f64;
        o.downtime_minutes = self.record.downtime.as_minutes_f64();
        o.incidents = self.record.incidents;
        o.longest_incident_minutes = self.record.longest.as_minutes_f64();
        o.request_success_ratio = 1.0 - self.record.mean_failing_share(horizon);
        if let Some(t) = &self.traffic {
            o.requests = t.requests;
            o.failed_requests = t.failed;
            o.request_success_ratio = if t.requests > 0 {
                1.0 - t.failed as f64 / t.requests as f64
            } else {
                1.0
            };
            o.latency_p50_ms = t.latency_at_quantile(0.5).map(|us| us as f64 / 1e3);
            o.latency_p99_ms = t.latency_at_quantile(0.99).map(|us| us as f64 / 1e3);
        }
        // Each part priced on its own, then added: the parts in trials.csv add up to the total.
        o.on_demand_cost_usd = o.on_demand_hours * s.fleet.instance.price_per_hour;
        o.spot_cost_usd = o.spot_hours * s.fleet.spot.as_ref().map_or(0.0, |sp| sp.price_per_hour);
        o.load_balancer_cost_usd = horizon.as_hours_f64() * s.load_balancer.price_per_hour;
        o.cost_usd = o.on_demand_cost_usd + o.spot_cost_usd + o.load_balancer_cost_usd;
        std::mem::take(&mut self.outcome)
    }

    /// Adds a line to the trace when tracing; free otherwise.
    #[inline]
    pub(super) fn note(
        &mut self,
        now: SimTime,
        event: &'static str,
        zone: Option<ZoneId>,
        instance: Option<InstanceId>,
        detail: impl FnOnce() -> String,
    ) {
        if self.trace.is_some() {
            self.note_traced(now, event, zone, instance, detail());
        }
    }

    #[cold]
    fn note_traced(
        &mut self,
        now: SimTime,
        event: &'static str,
        zone: Option<ZoneId>,
        instance: Option<InstanceId>,
        detail: String,
    ) {
        if let Some(trace) = &mut self.trace {
            trace.push(TraceRecord {
                time_s: now.as_secs_f64(),
                event: event.to_string(),
                zone: zone.map(|z| self.scenario.zones[z].name.clone()).unwrap_or_default(),
                instance: instance.map(|i| format!("i-{i}")).unwrap_or_default(),
                detail,
            });
        }
    }

    /// A new cancellation slot in the queue.
    pub(super) fn new_slot(&mut self) -> TimerSlot {
        self.queue.new_slot()
    }
}
