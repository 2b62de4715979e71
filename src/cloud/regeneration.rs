//! Busy periods of the regenerative estimator (`crate::montecarlo::rare`): the world starts in
//! its regeneration state, one failure strikes at time 0, and the full model runs with biased
//! failure clocks until the world is back in that state.
//!
//! The regeneration state: every zone up and no region outage (so DNS lists every LB node);
//! the group at its starting placement; every instance in service, registered, healthy with no
//! failed check on record, working and past its grace period; nothing launching. With
//! exponential failure clocks (the scenario checks insist) the future from there does not depend
//! on the past, with one exception: the phases of the health checks. Each cycle draws them
//! afresh, uniform and independent, while in a long plain run they are those of the instances
//! that happen to be there. That is negligible: the first failure of a cycle comes after a stay
//! of mean 1/Λ (days) in the all-working state, so where it falls within each instance's check
//! interval (seconds) is uniform up to a relative error of order Λ·interval (below 10⁻⁴), and an
//! instance's phase is drawn uniform and independent when it registers in either run.

use crate::kernel::{stream, SimTime};
use crate::scenario::ZoneId;

use super::biasing::{Clock, ClockBias, FailureBiasing};
use super::fleet::{Condition, InstanceId, Lifecycle};
use super::world::{process, Event, World};

/// What one busy period measured, under the biased clocks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BusyPeriod {
    /// From the failure that started it to the return to the regeneration state [s].
    pub length_s: f64,
    /// Time DOWN within it [s].
    pub downtime_s: f64,
    /// DOWN periods within it.
    pub incidents: u32,
    /// Failures after the first.
    pub further_failures: u32,
    /// ln L, the likelihood ratio of its path: density under the true clocks over density under
    /// the biased ones, L = Π β_c⁻¹ over the further failures · exp(∫ Σ (β_c − 1)·λ_c dt), the
    /// sum over the clocks c running at t (rate λ_c, speed-up β_c), times the first failure's
    /// ratio (its true probability of coming first over the probability it was chosen with).
    pub log_likelihood_ratio: f64,
    /// Events processed (a cost measure).
    pub events: u32,
}

/// A busy period that did not return to the regeneration state.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "failure biasing: cycle {cycle} did not return to the all-working state within {limit_days:.0} days of \
     simulated time ({why}), so its cycles never end; use method = \"monte_carlo\" for this scenario"
)]
pub struct NoRegeneration {
    /// The cycle (its streams come from the seed and this index).
    pub cycle: u64,
    /// The limit of a busy period [d].
    pub limit_days: f64,
    /// What kept the world away when it gave up.
    pub why: String,
}

/// Why the world is not in its regeneration state.
enum Away {
    Region,
    Zone(ZoneId),
    Instance(InstanceId, &'static str),
    Placement { group_zone: usize, count: u32, start: u32 },
}

impl World<'_> {
    /// Runs busy period `cycle` with the speed-ups of `biasing`, at most the scenario's horizon
    /// long. Its draws come from streams of `(seed, cycle)` only, so cycles are independent and
    /// reproducible whatever thread runs them.
    pub fn run_busy_period(&mut self, cycle: u64, biasing: &FailureBiasing) -> Result<BusyPeriod, NoRegeneration> {
        let (first, log_ratio) = biasing.choose_first(&mut stream(
            self.scenario.simulation.seed,
            cycle,
            process::FIRST_FAILURE,
        ));
        self.bias = ClockBias::busy_period(biasing.speedups(), first);
        let result = self.busy_period(cycle, biasing, first);
        self.bias = ClockBias::default();
        result.map(|busy| BusyPeriod {
            log_likelihood_ratio: busy.log_likelihood_ratio + log_ratio,
            ..busy
        })
    }

    fn busy_period(
        &mut self,
        cycle: u64,
        biasing: &FailureBiasing,
        first: Clock,
    ) -> Result<BusyPeriod, NoRegeneration> {
        // Every clock is drawn afresh here, which memorylessness allows at the first failure.
        self.reset(cycle);
        let limit = self.scenario.simulation.horizon;
        let speedups = biasing.speedups();
        let mut busy = BusyPeriod::default();
        let (mut last, mut excess_rate) = (SimTime::ZERO, 0.0);
        let mut first_pending = true;
        let mut back_at = None;
        loop {
            let next = self.queue.pop();
            // The last conditions (grace periods, failed checks on record) lapse without an event.
            if let Some(back) = back_at.filter(|&b| next.is_none_or(|(at, _)| at > b)) {
                busy.log_likelihood_ratio += excess_rate * (back - last).as_secs_f64();
                self.record.finish(back);
                busy.length_s = back.as_secs_f64();
                busy.downtime_s = self.record.downtime.as_secs_f64();
                busy.incidents = self.record.incidents as u32;
                return Ok(busy);
            }
            let Some((now, event)) = next.filter(|&(at, _)| at <= limit) else {
                let why = self
                    .regeneration(limit)
                    .err()
                    .map_or_else(|| "nothing left to happen".to_string(), |away| self.describe(&away));
                return Err(NoRegeneration {
                    cycle,
                    limit_days: limit.as_secs_f64() / 86_400.0,
                    why,
                });
            };
            busy.log_likelihood_ratio += excess_rate * (now - last).as_secs_f64();
            last = now;
            if let Some(clock) = self.failing_clock(event) {
                if first_pending && clock == first {
                    first_pending = false;
                } else {
                    busy.log_likelihood_ratio -= speedups.of(clock).ln();
                    busy.further_failures += 1;
                }
            }
            busy.events += 1;
            self.handle(now, event);
            if self.routing_changed {
                self.observe(now);
            }
            excess_rate = self.excess_rate(biasing);
            back_at = self.regeneration(now).ok();
        }
    }

    /// The failure clock that `event` is, if it is one that fires.
    fn failing_clock(&self, event: Event) -> Option<Clock> {
        match event {
            Event::ZoneOutageStarts { zone } => Some(Clock::ZoneOutage(zone as ZoneId)),
            Event::RegionOutageStarts => Some(Clock::RegionOutage),
            // Only a working instance fails (a stale clock of a failed one does nothing).
            Event::InstanceFails { id, mode } if self.instances[id as usize].is_working() => Some(Clock::FailureMode {
                id,
                mode: mode as usize,
            }),
            _ => None,
        }
    }

    /// Σ (β − 1)·λ over the failure clocks running now. A zone's or the region's outage clock
    /// runs while its random outage is not in progress (the only outages with failure biasing);
    /// an instance's failure modes run from ready until it fails or goes.
    fn excess_rate(&self, biasing: &FailureBiasing) -> f64 {
        let working = self
            .live
            .iter()
            .filter(|&&id| self.instances[id as usize].is_working())
            .count() as u32;
        let zone_dark = |z: ZoneId| self.zones[z].isolation + self.zones[z].power > 0;
        biasing.excess_rate(zone_dark, self.region_outages_active > 0, working)
    }

    /// When the world is back in its regeneration state if nothing else happens (at `now` or
    /// later, when the last grace period or failed check on record lapses), or what keeps it away
    /// until some event.
    fn regeneration(&self, now: SimTime) -> Result<SimTime, Away> {
        if self.region_outages_active > 0 {
            return Err(Away::Region);
        }
        if let Some(z) = (0..self.zones.len()).find(|&z| self.zones[z].isolation + self.zones[z].power > 0) {
            return Err(Away::Zone(z));
        }
        let hc = self.scenario.load_balancer.health_check;
        let mut back = now;
        for &id in &self.live {
            let inst = &self.instances[id as usize];
            let problem = match (inst.lifecycle, inst.condition) {
                (Lifecycle::Pending, _) => Some("still launching"),
                (_, Condition::Crashed) => Some("crashed"),
                (_, Condition::Hung) => Some("hung"),
                (_, Condition::Lost) => Some("lost with its zone's power"),
                _ if inst.doomed || !inst.counted() => Some("on its way out"),
                _ if !inst.registered => Some("not registered with the load balancer"),
                _ => None,
            };
            if let Some(problem) = problem {
                return Err(Away::Instance(id, problem));
            }
            let clean = inst
                .health
                .clean_from(now, &hc)
                .ok_or(Away::Instance(id, "not healthy on the load balancer"))?;
            back = back.max(clean).max(inst.grace_until);
        }
        let fleet = &self.scenario.fleet;
        let zones = fleet.zones.len() as u32;
        for group_zone in 0..fleet.zones.len() {
            // The starting placement: even, the first zones one more where it does not divide.
            let start = fleet.desired / zones + u32::from((group_zone as u32) < fleet.desired % zones);
            let count = self
                .live
                .iter()
                .filter(|&&id| self.instances[id as usize].group_zone == group_zone)
                .count() as u32;
            if count != start {
                return Err(Away::Placement {
                    group_zone,
                    count,
                    start,
                });
            }
        }
        Ok(back)
    }

    fn describe(&self, away: &Away) -> String {
        let s = self.scenario;
        match *away {
            Away::Region => "a region outage is in progress".into(),
            Away::Zone(z) => format!("zone {} is in an outage", s.zones[z].name),
            Away::Instance(id, problem) => {
                let zone = &s.zones[self.instances[id as usize].zone].name;
                format!("instance i-{id} in zone {zone} is {problem}")
            }
            Away::Placement {
                group_zone,
                count,
                start,
            } => format!(
                "zone {} has {count} instance(s) of the group, {start} at the start{}",
                s.zones[s.fleet.zones[group_zone]].name,
                if s.fleet.suspended.az_rebalance {
                    ", and AZRebalance is suspended"
                } else {
                    ""
                }
            ),
        }
    }
}
