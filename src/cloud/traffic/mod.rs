//! Request traffic: how the load balancer spreads it, and what users feel.
//!
//! Two models share one routing picture (built in [`World::observe_traffic`]):
//! - [`requests`]: every request is simulated — Poisson arrival, a client's pick of LB node, the
//!   node's routing algorithm, a FIFO wait for one of the instance's `concurrency` slots, service.
//! - [`fluid`]: between infrastructure events traffic is a flow split by the same routing;
//!   failures and latency come from queueing theory, integrated exactly over the day's shape.
//!
//! Time-based availability uses the fluid picture in both models (dead targets, dark nodes and
//! load beyond capacity at the offered rate), so the two models agree on it exactly and the
//! request model adds what only requests can show: retries, queueing noise, timeouts.

mod fluid;
pub mod queueing;
mod requests;
pub mod shape;

use std::collections::VecDeque;
use std::sync::Arc;

use hdrhistogram::Histogram;

use crate::kernel::{stream, Rng, SimTime, Timer, TimerSlot};
use crate::scenario::{Fault, Scenario, Traffic, TrafficModel};

use super::fleet::InstanceId;
use super::world::{process, Event, World, NORMAL};
use shape::LoadShape;

pub use fluid::LatencyTemplates;

/// `auto` simulates every request when a trial has at most this many.
pub const AUTO_REQUESTS_LIMIT: f64 = 5e6;

/// The traffic model a scenario runs with, `auto` resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolvedModel {
    /// Every request simulated.
    Requests,
    /// Flows and queueing theory.
    Fluid,
}

impl ResolvedModel {
    /// `requests` for explicit requests, or `auto` with few enough expected requests per trial.
    pub fn of(scenario: &Scenario, traffic: &Traffic) -> ResolvedModel {
        match traffic.model {
            TrafficModel::Requests => ResolvedModel::Requests,
            TrafficModel::Fluid => ResolvedModel::Fluid,
            TrafficModel::Auto => {
                let expected = traffic.rate * scenario.simulation.horizon.as_secs_f64();
                if expected <= AUTO_REQUESTS_LIMIT {
                    ResolvedModel::Requests
                } else {
                    ResolvedModel::Fluid
                }
            }
        }
    }

    /// The name used in `summary.json`.
    pub fn name(self) -> &'static str {
        match self {
            ResolvedModel::Requests => "requests",
            ResolvedModel::Fluid => "fluid",
        }
    }
}

/// A new histogram for latencies: 1 µs to 1 hour at 3 significant digits.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("constant, valid bounds")
}

/// One try of a request.
#[derive(Clone, Copy, Debug)]
pub(super) struct Attempt {
    /// When the request first arrived (latency counts from here).
    pub first: SimTime,
    /// When this try was sent (its timeout counts from here).
    pub sent: SimTime,
    /// 0 for the first try.
    pub number: u8,
}

/// An instance's request-serving state (request model).
#[derive(Clone, Debug, Default)]
pub(super) struct Server {
    /// One entry per concurrency slot.
    pub slots: Vec<Option<Attempt>>,
    pub free: Vec<u16>,
    pub queue: VecDeque<Attempt>,
    /// Tries sent while it could not answer (hung, unreachable), waiting for their timeout.
    pub held: VecDeque<Attempt>,
    /// Requests in service or waiting, as least-outstanding-requests sees them.
    pub outstanding: u32,
    pub timer: Option<TimerSlot>,
}

/// Where traffic goes now: the routing picture shared by both models.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Flows {
    /// Share of all client traffic that fails structurally (dark node, no target, dead target).
    pub dead: f64,
    /// Share of all client traffic reaching each working target.
    pub working: Vec<(InstanceId, f64)>,
}

/// Per-trial traffic state.
pub(super) struct TrafficState {
    pub model: ResolvedModel,
    pub shape: LoadShape,
    /// Product of the active traffic spikes' multipliers.
    pub spike: f64,
    pub active_spikes: Vec<bool>,
    /// Capacity of one working instance [req/s]: concurrency / E[service].
    pub capacity: f64,
    pub arrivals: Rng,
    pub service: Rng,
    pub routing: Rng,
    pub retry: Rng,
    /// Logical requests (a retried request counts once) and those that failed.
    pub requests: u64,
    pub failed: u64,
    /// Latency of answered requests this trial [µs].
    pub latency: Histogram<u64>,
    /// Per LB node (by the group's zone order): the targets it routes to now.
    pub routes: Vec<Vec<InstanceId>>,
    pub round_robin: Vec<usize>,
    pub servers: Vec<Server>,
    pub flows: Flows,
    /// Scratch of the overload threshold's computation.
    pub order: Vec<f64>,
    pub arrival_timer: Timer,
    pub crossing_timer: Timer,
    pub fluid: fluid::FluidState,
    pub templates: Arc<LatencyTemplates>,
    /// (sin, cos) of how far the daily wave's phase advances in one fluid piece (an hour):
    /// constant, so computed once.
    pub piece_step: (f64, f64),
}

impl TrafficState {
    /// The latency [µs] at quantile `q` of the trial's answered requests; `None` when none was.
    pub fn latency_at_quantile(&self, q: f64) -> Option<u64> {
        match self.model {
            ResolvedModel::Fluid => self.fluid.latency_at_quantile(&self.templates, &self.latency, q),
            ResolvedModel::Requests => (!self.latency.is_empty()).then(|| self.latency.value_at_quantile(q)),
        }
    }

    /// Adds the latency of the trial's answered requests to `pooled`.
    pub fn add_latency_to(&self, pooled: &mut Histogram<u64>) {
        match self.model {
            ResolvedModel::Fluid => self.fluid.add_latency_to(&self.templates, pooled),
            // Same bounds on both sides, so adding cannot fail.
            ResolvedModel::Requests => {
                let _ = pooled.add(&self.latency);
            }
        }
    }

    pub fn new(scenario: &Scenario, traffic: &Traffic, templates: Arc<LatencyTemplates>) -> Self {
        let groups = scenario.fleet.zones.len();
        let concurrency = scenario.fleet.instance.concurrency;
        let mean_service = traffic.service_time.mean_secs();
        TrafficState {
            model: ResolvedModel::of(scenario, traffic),
            shape: LoadShape::new(traffic.rate, traffic.shape),
            spike: 1.0,
            active_spikes: vec![false; scenario.inject.len()],
            capacity: concurrency as f64 / mean_service.max(1e-12),
            arrivals: stream(0, 0, 0),
            service: stream(0, 0, 0),
            routing: stream(0, 0, 0),
            retry: stream(0, 0, 0),
            requests: 0,
            failed: 0,
            latency: latency_histogram(),
            routes: vec![Vec::new(); groups],
            round_robin: vec![0; groups],
            servers: Vec::new(),
            flows: Flows::default(),
            order: Vec::new(),
            arrival_timer: Timer::default(),
            crossing_timer: Timer::default(),
            fluid: fluid::FluidState::default(),
            templates,
            piece_step: LoadShape::new(traffic.rate, traffic.shape)
                .phase_step(fluid::PIECE)
                .sin_cos(),
        }
    }
}

impl World<'_> {
    /// Starts a trial's traffic: fresh streams and counters, the first arrival.
    pub(super) fn reset_traffic(&mut self, trial: u64) {
        let seed = self.scenario.simulation.seed;
        let arrival_timer = self.queue.new_timer();
        let crossing_timer = self.queue.new_timer();
        let Some(t) = self.traffic.as_mut() else { return };
        t.arrivals = stream(seed, trial, process::ARRIVALS);
        t.service = stream(seed, trial, process::SERVICE_TIMES);
        t.routing = stream(seed, trial, process::ROUTING);
        t.retry = stream(seed, trial, process::RETRIES);
        t.spike = 1.0;
        t.active_spikes.iter_mut().for_each(|a| *a = false);
        t.requests = 0;
        t.failed = 0;
        if t.model == ResolvedModel::Requests {
            // The fluid model never records here (see `FluidState::bins`).
            t.latency.reset();
        }
        t.round_robin.iter_mut().for_each(|r| *r = 0);
        t.flows = Flows::default();
        t.arrival_timer = arrival_timer;
        t.crossing_timer = crossing_timer;
        t.fluid.reset();
        for s in &mut t.servers {
            s.timer = None;
        }
        if t.model == ResolvedModel::Requests {
            self.schedule_next_arrival(SimTime::ZERO);
        }
    }

    /// The load curve crossed the overload threshold: the failing share changes, so observe.
    pub(in crate::cloud) fn load_crossing(&mut self) {
        self.routing_changed = true;
    }

    /// A traffic spike starts or ends: the offered rate changes by its multiplier.
    pub(super) fn traffic_spike(&mut self, now: SimTime, index: usize, active: bool) {
        let Some(t) = self.traffic.as_mut() else { return };
        t.active_spikes[index] = active;
        t.spike = self
            .scenario
            .inject
            .iter()
            .zip(&t.active_spikes)
            .filter(|(_, &on)| on)
            .map(|(i, _)| match i.fault {
                Fault::TrafficSpike { multiplier, .. } => multiplier,
                _ => 1.0,
            })
            .product();
        self.routing_changed = true;
        if active {
            if let Fault::TrafficSpike { duration, .. } = self.scenario.inject[index].fault {
                self.queue
                    .schedule(now + duration, NORMAL, Event::TrafficSpikeEnds { index: index as u16 });
            }
        }
        if self
            .traffic
            .as_ref()
            .is_some_and(|t| t.model == ResolvedModel::Requests)
        {
            // The thinning bound changed: redraw the next arrival (memoryless, so this is exact).
            self.schedule_next_arrival(now);
        }
    }

    /// Rebuilds each LB node's target list and the flow split, and returns the failing share of
    /// offered traffic now (dead targets, dark nodes, and load beyond capacity).
    pub(super) fn observe_traffic(&mut self, now: SimTime) -> f64 {
        let cross_zone = self.scenario.load_balancer.cross_zone;
        let max_error_rate = self.scenario.slo.max_error_rate;
        let Some(t) = self.traffic.as_mut() else { return 0.0 };
        // In-service targets per scope (the node's zone, or every zone across zones), else the
        // fail-open pool (checked targets): one pass for the in-service ones, which is all there
        // is to do unless a scope has none. Across zones every node has the same list.
        for r in &mut t.routes {
            r.clear();
        }
        let scope_of = |gz: usize| if cross_zone { 0 } else { gz };
        for &id in &self.live {
            let inst = &self.instances[id as usize];
            if inst.in_service() {
                t.routes[scope_of(inst.group_zone)].push(id);
            }
        }
        let scopes = if cross_zone { 1 } else { self.nodes.len() };
        for scope in 0..scopes {
            if t.routes[scope].is_empty() {
                for &id in &self.live {
                    let inst = &self.instances[id as usize];
                    if inst.fails_open_to() && scope_of(inst.group_zone) == scope {
                        t.routes[scope].push(id);
                    }
                }
            }
        }
        if cross_zone {
            let (first, rest) = t.routes.split_at_mut(1);
            for r in rest {
                r.clone_from(&first[0]);
            }
        }
        // The flow split.
        let listed = self.nodes.iter().filter(|n| n.listed).count();
        t.flows.dead = 0.0;
        t.flows.working.clear();
        if listed == 0 {
            t.flows.dead = 1.0;
        }
        // Across zones every node has the same route, so after the first node that sends
        // anywhere the working targets are already listed, in route order; without cross-zone a
        // target is in its own zone's route only. Either way no search for a target's entry.
        let mut listed_already = false;
        for (gz, node) in self.nodes.iter().enumerate() {
            if !node.listed {
                continue;
            }
            let share = 1.0 / listed as f64;
            let route = &t.routes[gz];
            if !node.up || route.is_empty() {
                t.flows.dead += share;
                continue;
            }
            let each = share / route.len() as f64;
            let mut k = 0;
            for &id in route {
                let inst = &self.instances[id as usize];
                if inst.is_working() && self.nodes[inst.group_zone].up {
                    if listed_already {
                        debug_assert_eq!(t.flows.working[k].0, id);
                        t.flows.working[k].1 += each;
                    } else {
                        t.flows.working.push((id, each));
                    }
                    k += 1;
                } else {
                    t.flows.dead += each;
                }
            }
            listed_already = cross_zone;
        }
        // DOWN from overload: the offered rate beyond which the failing share exceeds the SLO's
        // error rate; schedule the moment the daily curve crosses it.
        let threshold = overload_threshold(&t.flows, t.capacity, max_error_rate, &mut t.order);
        // No target can be over capacity when none could be at the day's peak: the failing share
        // is then the structural one, exactly what `failing_share_at` would give (its excess is
        // zero), without the rate's cosine. Most routings are like that.
        let peak = t.shape.max_rate() * t.spike;
        let share = if t.spike > 0.0 && t.flows.working.iter().all(|&(_, w)| w * peak <= t.capacity) {
            t.flows.dead.min(1.0)
        } else {
            let probe = now + SimTime::MILLISECOND;
            failing_share_at(&t.flows, t.capacity, t.shape.rate(probe) * t.spike)
        };
        let crossing = threshold
            .and_then(|level| t.shape.next_crossing(now, level / t.spike))
            .filter(|&at| at <= self.scenario.simulation.horizon);
        self.queue
            .move_timer(t.crossing_timer, crossing, NORMAL, Event::LoadCrossing);
        share
    }
}

/// The failing share at offered rate `rate`: structural, plus each working target's excess over
/// its capacity.
fn failing_share_at(flows: &Flows, capacity: f64, rate: f64) -> f64 {
    if rate <= 0.0 {
        return flows.dead;
    }
    let excess: f64 = flows.working.iter().map(|&(_, w)| (w * rate - capacity).max(0.0)).sum();
    (flows.dead + excess / rate).min(1.0)
}

/// The offered rate above which the failing share exceeds `max_error_rate`, if any. `order` is
/// scratch, kept so that this runs without allocating.
fn overload_threshold(flows: &Flows, capacity: f64, max_error_rate: f64, order: &mut Vec<f64>) -> Option<f64> {
    let budget = max_error_rate - flows.dead;
    if budget < 0.0 || flows.working.is_empty() {
        return None;
    }
    // Targets saturate in order of the rate at which they do: capacity / w.
    order.clear();
    order.extend(flows.working.iter().map(|&(_, w)| w));
    order.sort_unstable_by(|a, b| b.total_cmp(a));
    let (mut w_sum, mut cap_sum) = (0.0, 0.0);
    for (k, &w) in order.iter().enumerate() {
        w_sum += w;
        cap_sum += capacity;
        // With targets 0..=k saturated: share = dead + w_sum − cap_sum / rate.
        if w_sum > budget {
            let rate = cap_sum / (w_sum - budget);
            let next = order.get(k + 1).map_or(f64::INFINITY, |&w2| capacity / w2);
            if rate <= next {
                return Some(rate.max(capacity / w));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flows(dead: f64, w: &[f64]) -> Flows {
        Flows {
            dead,
            working: w.iter().enumerate().map(|(i, &w)| (i as InstanceId, w)).collect(),
        }
    }

    #[test]
    fn overload_share_is_the_excess() {
        // Two targets with half the traffic each, 100 req/s capacity each; offered 300 req/s:
        // each gets 150, 50 beyond capacity → 100/300 fail.
        let f = flows(0.0, &[0.5, 0.5]);
        assert!((failing_share_at(&f, 100.0, 300.0) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(failing_share_at(&f, 100.0, 150.0), 0.0);
    }

    #[test]
    fn threshold_gives_exactly_the_budget() {
        let f = flows(0.02, &[0.49, 0.49]);
        let rate = overload_threshold(&f, 100.0, 0.05, &mut Vec::new()).unwrap();
        assert!((failing_share_at(&f, 100.0, rate) - 0.05).abs() < 1e-9);
        assert!(failing_share_at(&f, 100.0, rate * 1.01) > 0.05);
        assert_eq!(
            overload_threshold(&flows(0.2, &[0.8]), 100.0, 0.05, &mut Vec::new()),
            None
        );
    }
}
