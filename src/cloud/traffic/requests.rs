//! The request model: every request is an event.

use rand::Rng as _;
use rand_distr::{Distribution, Exp};

use crate::kernel::SimTime;
use crate::scenario::Algorithm;

use super::super::fleet::{Condition, InstanceId};
use super::super::world::{Event, World, NORMAL};
use super::{Attempt, ResolvedModel, Server};

/// How a try failed, which decides when the client learns of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// Refused at once: connection reset, full queue, no target (503).
    Now,
    /// No answer: the client gives up at the try's timeout.
    AtTimeout,
}

impl World<'_> {
    /// Draws the next candidate arrival of the thinned Poisson process at the current peak rate.
    pub(in crate::cloud) fn schedule_next_arrival(&mut self, now: SimTime) {
        let Some(t) = self.traffic.as_mut() else { return };
        let peak = t.shape.max_rate() * t.spike;
        if peak <= 0.0 {
            return;
        }
        let gap = Exp::new(peak)
            .map(|e| e.sample(&mut t.arrivals))
            .unwrap_or(f64::INFINITY);
        let at = now + SimTime::from_secs_f64(gap).max(SimTime(1));
        let timer = t.arrival_timer;
        if at <= self.scenario.simulation.horizon {
            self.queue.set_timer(timer, at, NORMAL, Event::RequestArrives);
        } else {
            self.queue.clear_timer(timer);
        }
    }

    /// A candidate arrival: accepted with probability rate(now) / peak rate (thinning).
    pub(in crate::cloud) fn request_arrives(&mut self, now: SimTime) {
        self.schedule_next_arrival(now);
        let Some(t) = self.traffic.as_mut() else { return };
        if t.shape.amplitude > 0.0 {
            let keep = t.shape.rate(now) / t.shape.max_rate();
            if t.arrivals.random::<f64>() >= keep {
                return;
            }
        }
        t.requests += 1;
        self.send(
            now,
            Attempt {
                first: now,
                sent: now,
                number: 0,
            },
        );
    }

    /// A client retries a failed request.
    pub(in crate::cloud) fn request_retry(&mut self, now: SimTime, first: SimTime, number: u8) {
        self.send(
            now,
            Attempt {
                first,
                sent: now,
                number,
            },
        );
    }

    /// A client sends a try: it picks an LB node, the node picks a target.
    fn send(&mut self, now: SimTime, attempt: Attempt) {
        let algorithm = self.scenario.load_balancer.algorithm;
        let Some(t) = self.traffic.as_mut() else { return };
        let listed = self.nodes.iter().filter(|n| n.listed).count();
        if listed == 0 {
            return self.try_failed(now, attempt, Failure::AtTimeout);
        }
        let pick = t.routing.random_range(0..listed);
        let Some(gz) = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.listed)
            .nth(pick)
            .map(|(i, _)| i)
        else {
            return;
        };
        if !self.nodes[gz].up {
            return self.try_failed(now, attempt, Failure::AtTimeout);
        }
        let route = &t.routes[gz];
        if route.is_empty() {
            return self.try_failed(now, attempt, Failure::Now);
        }
        let id = match algorithm {
            Algorithm::RoundRobin => {
                let i = t.round_robin[gz] % route.len();
                t.round_robin[gz] = i + 1;
                route[i]
            }
            Algorithm::Random => route[t.routing.random_range(0..route.len())],
            Algorithm::LeastOutstandingRequests => {
                // Ties go round-robin, so equal targets share evenly.
                let start = t.round_robin[gz] % route.len();
                t.round_robin[gz] = start + 1;
                let outstanding = |k: usize| {
                    let id = route[(start + k) % route.len()];
                    t.servers.get(id as usize).map_or(0, |s| s.outstanding)
                };
                let best = (0..route.len()).min_by_key(|&k| outstanding(k)).unwrap_or(0);
                route[(start + best) % route.len()]
            }
        };
        let inst = &self.instances[id as usize];
        if !(inst.is_working() && self.nodes[inst.group_zone].up) {
            if inst.condition == Condition::Crashed && self.nodes[inst.group_zone].up {
                // Connection refused: the LB answers 502 at once, and the target holds nothing,
                // so least-outstanding-requests keeps choosing it (the "black hole").
                return self.try_failed(now, attempt, Failure::Now);
            }
            // Hung or unreachable: the try sits there, outstanding, until it times out.
            return self.hold(now, id, attempt);
        }
        self.enqueue(now, id, attempt);
    }

    /// A try to a target that will never answer: outstanding until its timeout.
    fn hold(&mut self, now: SimTime, id: InstanceId, attempt: Attempt) {
        let timeout = self.scenario.traffic.as_ref().map_or(SimTime::ZERO, |t| t.timeout);
        self.ensure_server(id);
        let Some(t) = self.traffic.as_mut() else { return };
        let server = &mut t.servers[id as usize];
        server.outstanding += 1;
        server.held.push_back(attempt);
        let at = (attempt.sent + timeout).max(now);
        self.queue.schedule(at, NORMAL, Event::HeldTryTimesOut { id });
    }

    /// The oldest held try of a target times out (all share one timeout, so they leave in order).
    pub(in crate::cloud) fn held_try_times_out(&mut self, now: SimTime, id: InstanceId) {
        let Some(t) = self.traffic.as_mut() else { return };
        let Some(server) = t.servers.get_mut(id as usize) else {
            return;
        };
        let Some(attempt) = server.held.pop_front() else { return };
        server.outstanding = server.outstanding.saturating_sub(1);
        self.try_failed(now, attempt, Failure::AtTimeout);
    }

    /// The try reaches a working instance: a free slot serves it, else it waits if there is room.
    fn enqueue(&mut self, now: SimTime, id: InstanceId, attempt: Attempt) {
        let queue_limit = self.scenario.fleet.instance.queue_limit as usize;
        self.ensure_server(id);
        let Some(t) = self.traffic.as_mut() else { return };
        let server = &mut t.servers[id as usize];
        if let Some(slot) = server.free.pop() {
            server.outstanding += 1;
            self.start_service(now, id, slot, attempt);
        } else if server.queue.len() < queue_limit {
            server.outstanding += 1;
            server.queue.push_back(attempt);
        } else {
            self.try_failed(now, attempt, Failure::Now);
        }
    }

    /// Sets up the instance's server on its first request of the trial.
    fn ensure_server(&mut self, id: InstanceId) {
        let concurrency = self.scenario.fleet.instance.concurrency as usize;
        if self.traffic.as_ref().is_some_and(|t| t.servers.len() <= id as usize) {
            if let Some(t) = self.traffic.as_mut() {
                t.servers.resize_with(id as usize + 1, Server::default);
            }
        }
        if self
            .traffic
            .as_ref()
            .is_some_and(|t| t.servers[id as usize].timer.is_none())
        {
            let timer = self.new_slot();
            if let Some(t) = self.traffic.as_mut() {
                let s = &mut t.servers[id as usize];
                s.timer = Some(timer);
                s.slots.clear();
                s.slots.resize(concurrency, None);
                s.free.clear();
                s.free.extend((0..concurrency as u16).rev());
                s.queue.clear();
                s.held.clear();
                s.outstanding = 0;
            }
        }
    }

    fn start_service(&mut self, now: SimTime, id: InstanceId, slot: u16, attempt: Attempt) {
        let Some(t) = self.traffic.as_mut() else { return };
        let service = self
            .scenario
            .traffic
            .as_ref()
            .map_or(SimTime::ZERO, |tr| tr.service_time.sample(&mut t.service));
        let server = &mut t.servers[id as usize];
        server.slots[slot as usize] = Some(attempt);
        if let Some(timer) = server.timer {
            self.queue
                .schedule_in(timer, now + service, NORMAL, Event::RequestDone { id, slot });
        }
    }

    /// An instance answers a try: a success if within the timeout; the slot takes the next waiter.
    pub(in crate::cloud) fn request_done(&mut self, now: SimTime, id: InstanceId, slot: u16) {
        let timeout = self.scenario.traffic.as_ref().map_or(SimTime::NEVER, |t| t.timeout);
        let Some(t) = self.traffic.as_mut() else { return };
        let server = &mut t.servers[id as usize];
        let Some(attempt) = server.slots[slot as usize].take() else {
            return;
        };
        server.outstanding = server.outstanding.saturating_sub(1);
        let next = server.queue.pop_front();
        match next {
            Some(waiting) => self.start_service(now, id, slot, waiting),
            None => {
                if let Some(t) = self.traffic.as_mut() {
                    t.servers[id as usize].free.push(slot);
                }
            }
        }
        if now - attempt.sent <= timeout {
            if let Some(t) = self.traffic.as_mut() {
                t.latency.saturating_record((now - attempt.first).0.max(1));
            }
        } else {
            // The client gave up at the timeout; the instance did the work anyway.
            self.try_failed(now, attempt, Failure::AtTimeout);
        }
    }

    /// An instance stops answering: every try it holds fails (at once when it crashed, at their
    /// timeouts when it hung or became unreachable).
    pub(in crate::cloud) fn drop_requests_of(&mut self, now: SimTime, id: InstanceId, crashed: bool) {
        let Some(t) = self.traffic.as_mut() else { return };
        if t.model != ResolvedModel::Requests {
            return;
        }
        let Some(server) = t.servers.get_mut(id as usize) else {
            return;
        };
        let Some(timer) = server.timer else { return };
        let mut dropped: Vec<Attempt> = server.slots.iter_mut().filter_map(|s| s.take()).collect();
        dropped.extend(server.queue.drain(..));
        server.free.clear();
        server.free.extend((0..server.slots.len() as u16).rev());
        server.outstanding = server.held.len() as u32;
        self.queue.cancel(timer);
        let how = if crashed { Failure::Now } else { Failure::AtTimeout };
        for attempt in dropped {
            self.try_failed(now, attempt, how);
        }
    }

    /// A try failed: the client retries after a backoff while it has retries left; otherwise
    /// the request has failed.
    fn try_failed(&mut self, now: SimTime, attempt: Attempt, how: Failure) {
        let Some(traffic) = self.scenario.traffic.as_ref() else {
            return;
        };
        let Some(t) = self.traffic.as_mut() else { return };
        if (attempt.number as u32) < traffic.retries {
            let learned = match how {
                Failure::Now => now,
                // A late answer arrives after the client already gave up; it cannot retry earlier
                // than now in the simulation, which makes such retries up to one service time late.
                Failure::AtTimeout => (attempt.sent + traffic.timeout).max(now),
            };
            let at = learned + traffic.retry_backoff.sample(&mut t.retry);
            if at <= self.scenario.simulation.horizon {
                let number = attempt.number + 1;
                self.queue.schedule(
                    at,
                    NORMAL,
                    Event::RequestRetry {
                        waited_us: u32::try_from((at - attempt.first).0).unwrap_or(u32::MAX),
                        number,
                    },
                );
                return;
            }
        }
        t.failed += 1;
    }
}
