//! Spot capacity: the mixed instances policy's split between on-demand and spot, one spot pool per
//! zone of the group, reclaims (random and injected), the interruption notice, and the pool's
//! unavailability after a reclaim.
//!
//! The story, as on AWS: EC2 reclaims capacity from a zone's spot pool. Each spot instance there is
//! taken with probability `fraction`; it gets a two-minute (`notice`) warning, the group
//! deregisters it from the load balancer at once, and it is gone when the notice runs out. With
//! capacity rebalancing the group launches the replacement at the notice; without it, when the
//! instance is gone. For `unavailable_for` after a reclaim the pool has no capacity: spot launches
//! go to another zone of the group, or wait until some pool has capacity again.

use rand::Rng as _;

use crate::kernel::{stream, SimTime, TimerSlot};
use crate::scenario::ZoneId;

use super::fleet::{InstanceId, Lifecycle};
use super::world::{process, Event, World, NORMAL};

/// How an instance is bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Market {
    /// Billed at `fleet.instance.price_per_hour`; never reclaimed.
    OnDemand,
    /// Billed at `fleet.spot.price_per_hour`; reclaimed with the zone's pool.
    Spot,
}

/// How many of a group of `capacity` instances the mixed instances policy makes on-demand: the
/// first `base` of them, and `percentage` % of the rest, rounded up (AWS rounds in favour of
/// on-demand when the percentage gives a fraction of an instance).
///
/// With base 10 and 50 %, a group of 10 is all on-demand, 20 is 15 on-demand and 5 spot, 40 is 25
/// and 15, as in AWS's documented example.
pub fn on_demand_target(base: u32, percentage: u32, capacity: u32) -> u32 {
    let base = base.min(capacity);
    let above = (capacity - base) as u64;
    // ceil(above × percentage / 100) in integers: no float rounding at the boundaries.
    let on_demand_above = (above * percentage.min(100) as u64).div_ceil(100);
    base + on_demand_above as u32
}

/// One zone's spot pool.
#[derive(Clone, Debug)]
pub(super) struct SpotPool {
    /// The pool has no capacity before this instant (set by a reclaim).
    pub unavailable_until: SimTime,
    /// The "capacity is back" event of the pool.
    pub timer: TimerSlot,
}

impl World<'_> {
    /// Starts a trial's spot pools: fresh streams, every pool available, each pool's first reclaim.
    pub(super) fn reset_spot(&mut self, trial: u64) {
        self.pools.clear();
        self.streams.spot.clear();
        let Some(spot) = &self.scenario.fleet.spot else { return };
        let seed = self.scenario.simulation.seed;
        for gz in 0..self.scenario.fleet.zones.len() {
            let timer = self.new_slot();
            self.pools.push(SpotPool {
                unavailable_until: SimTime::ZERO,
                timer,
            });
            let mut rng = stream(seed, trial, process::SPOT_RECLAIMS + gz as u64);
            let first = spot.reclaim.time_between.sample(&mut rng);
            self.streams.spot.push(rng);
            if first <= self.scenario.simulation.horizon {
                self.queue
                    .schedule(first, NORMAL, Event::SpotReclaim { zone: gz as u16 });
            }
        }
    }

    /// The market of the next instance the group launches: on-demand until the mixed instances
    /// policy's on-demand share of `desired` is met, spot after that.
    pub(super) fn market_for_launch(&self, desired: u32, on_demand: u32) -> Market {
        match &self.scenario.fleet.spot {
            Some(s) if on_demand >= on_demand_target(s.on_demand_base, s.on_demand_percentage_above_base, desired) => {
                Market::Spot
            }
            _ => Market::OnDemand,
        }
    }

    /// Whether a spot launch can go into the group's zone `gz` now.
    pub(super) fn spot_pool_has_capacity(&self, now: SimTime, gz: usize) -> bool {
        self.pools.get(gz).is_none_or(|p| now >= p.unavailable_until)
    }

    /// The random reclaim process of a zone's pool: this reclaim, then the next.
    pub(super) fn random_spot_reclaim(&mut self, now: SimTime, gz: usize) {
        let Some(spot) = &self.scenario.fleet.spot else { return };
        self.spot_reclaim(now, gz, spot.reclaim.fraction, false);
        let next = now + spot.reclaim.time_between.sample(&mut self.streams.spot[gz]);
        if next <= self.scenario.simulation.horizon {
            self.queue
                .schedule(next, NORMAL, Event::SpotReclaim { zone: gz as u16 });
        }
    }

    /// An injected `spot_reclaim`: in `zone`'s pool, or in every pool of the group. Its coin flips
    /// come from the injections' stream, so injecting one does not shift the random reclaims.
    pub(super) fn inject_spot_reclaim(&mut self, now: SimTime, zone: Option<ZoneId>, fraction: f64) {
        for gz in 0..self.scenario.fleet.zones.len() {
            if zone.is_none_or(|z| self.scenario.fleet.zones[gz] == z) {
                self.spot_reclaim(now, gz, fraction, true);
            }
        }
    }

    /// EC2 reclaims capacity from the pool of the group's zone `gz`: the pool has none for
    /// `unavailable_for`, and each spot instance there gets its notice with probability `fraction`.
    fn spot_reclaim(&mut self, now: SimTime, gz: usize, fraction: f64, injected: bool) {
        let Some(spot) = &self.scenario.fleet.spot else { return };
        let zone = self.scenario.fleet.zones[gz];
        // Unavailable first, so that replacements launched at the notices look elsewhere.
        let until = now + spot.unavailable_for;
        let pool = &mut self.pools[gz];
        pool.unavailable_until = pool.unavailable_until.max(until);
        if until > now {
            let (timer, at) = (pool.timer, pool.unavailable_until);
            self.queue
                .reschedule(timer, at, NORMAL, Event::SpotCapacityBack { zone: gz as u16 });
        }
        self.note(now, "spot_reclaim", Some(zone), None, || format!("fraction {fraction}"));
        self.scratch.clear();
        for i in 0..self.live.len() {
            let id = self.live[i];
            let inst = &self.instances[id as usize];
            // Instances already leaving (noticed, draining) or lost with the zone's power are not
            // EC2's to reclaim any more.
            if inst.market != Market::Spot || inst.group_zone != gz || inst.noticed || inst.leaving || inst.is_lost() {
                continue;
            }
            let taken = fraction >= 1.0 || {
                let rng = if injected {
                    &mut self.streams.inject
                } else {
                    &mut self.streams.spot[gz]
                };
                rng.random::<f64>() < fraction
            };
            if taken {
                self.scratch.push(id);
            }
        }
        for i in 0..self.scratch.len() {
            let id = self.scratch[i];
            self.spot_notice(now, id);
        }
    }

    /// A spot instance gets its interruption notice: deregistered at once, gone `notice` later.
    fn spot_notice(&mut self, now: SimTime, id: InstanceId) {
        let Some(spot) = &self.scenario.fleet.spot else { return };
        let (notice, rebalance) = (spot.notice, spot.capacity_rebalance);
        self.outcome.spot_reclaims += 1;
        let inst = &mut self.instances[id as usize];
        inst.noticed = true;
        // Whatever it was doing (booting, failure clocks) no longer matters: it is going.
        let (life, exit, zone) = (inst.life_timer, inst.exit_timer, inst.zone);
        self.queue.cancel(life);
        self.queue
            .reschedule(exit, now + notice, NORMAL, Event::SpotInstanceGone { id });
        self.note(now, "spot_notice", Some(zone), Some(id), String::new);
        self.deregister(now, id);
        if rebalance {
            // Capacity rebalancing: the group stops counting it and launches the replacement now.
            self.stop_counting(id);
            self.reconcile_capacity(now);
        }
    }

    /// The notice ran out: the instance is gone, and the group replaces it if it has not yet.
    pub(super) fn spot_instance_gone(&mut self, now: SimTime, id: InstanceId) {
        if self.instances[id as usize].lifecycle == Lifecycle::Terminated {
            return;
        }
        self.terminate(now, id);
        self.reconcile_capacity(now);
    }

    /// A pool's capacity is back: spot launches that found no pool go now, and the group moves
    /// instances back into the zone if it had to place them elsewhere.
    pub(super) fn spot_capacity_back(&mut self, now: SimTime, gz: usize) {
        let zone = self.scenario.fleet.zones[gz];
        self.note(now, "spot_capacity_back", Some(zone), None, String::new);
        self.reconcile_capacity(now);
        self.az_rebalance(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_then_percentage_rounded_towards_on_demand() {
        assert_eq!(on_demand_target(0, 0, 7), 0);
        assert_eq!(on_demand_target(0, 100, 7), 7);
        assert_eq!(on_demand_target(3, 0, 2), 2, "the base caps at the group's size");
        // 1 + ceil(3 × 25 %) = 1 + ceil(0.75) = 2.
        assert_eq!(on_demand_target(1, 25, 4), 2);
        // ceil(5 × 30 %) = ceil(1.5) = 2.
        assert_eq!(on_demand_target(0, 30, 5), 2);
        assert_eq!(on_demand_target(u32::MAX, 100, u32::MAX), u32::MAX, "no overflow");
    }
}
