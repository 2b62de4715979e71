//! Zone and region outages, the LB node in each zone, and DNS failover away from dark nodes.

use crate::kernel::{SimTime, TimerSlot};
use crate::scenario::{OutageKind, ZoneId};

use super::biasing::Clock;
use super::world::{Event, World, NORMAL};

/// One availability zone's condition.
#[derive(Clone, Debug)]
pub(super) struct ZoneState {
    /// Isolation outages in progress (random and injected may overlap).
    pub isolation: u32,
    /// Power outages in progress.
    pub power: u32,
    /// Clients still resolve to this zone's LB node. Goes false `dns_failover_delay` after the
    /// node goes dark, true again as soon as it is back.
    pub dns_listed: bool,
    pub dns_timer: TimerSlot,
}

impl World<'_> {
    pub(super) fn reset_zones(&mut self) {
        self.zones.clear();
        for z in 0..self.scenario.zones.len() {
            let dns_timer = self.new_slot();
            self.zones.push(ZoneState {
                isolation: 0,
                power: 0,
                dns_listed: true,
                dns_timer,
            });
            if let Some(outage) = &self.scenario.zones[z].outage {
                let first =
                    self.bias
                        .time_to_failure(Clock::ZoneOutage(z), &outage.time_between, &mut self.streams.zones[z]);
                self.queue
                    .schedule(first, NORMAL, Event::ZoneOutageStarts { zone: z as u16 });
            }
        }
        if let Some(outage) = &self.scenario.region.outage {
            let first = self
                .bias
                .time_to_failure(Clock::RegionOutage, &outage.time_between, &mut self.streams.region);
            self.queue.schedule(first, NORMAL, Event::RegionOutageStarts);
        }
    }

    /// The zone's instances and LB node can be reached.
    pub(super) fn zone_reachable(&self, z: ZoneId) -> bool {
        let zone = &self.zones[z];
        zone.isolation == 0 && zone.power == 0 && self.region_outages_active == 0
    }

    /// The group may launch into the zone (no power outage there).
    pub(super) fn zone_launchable(&self, z: ZoneId) -> bool {
        self.zones[z].power == 0
    }

    pub(super) fn random_zone_outage_starts(&mut self, now: SimTime, z: ZoneId) {
        let Some(outage) = &self.scenario.zones[z].outage else {
            return;
        };
        let power = outage.kind == OutageKind::Power;
        let duration = outage.duration.sample(&mut self.streams.zones[z]);
        self.zone_outage_starts(now, z, power);
        self.queue.schedule(
            now + duration,
            NORMAL,
            Event::ZoneOutageEnds {
                zone: z as u16,
                power,
                random: true,
            },
        );
    }

    pub(super) fn zone_outage_starts(&mut self, now: SimTime, z: ZoneId, power: bool) {
        let was_reachable = self.zone_reachable(z);
        if power {
            self.zones[z].power += 1;
        } else {
            self.zones[z].isolation += 1;
        }
        self.outcome.zone_outages += 1;
        self.note(now, "zone_outage_start", Some(z), None, || {
            if power { "power" } else { "isolation" }.into()
        });
        if power {
            self.lose_instances_in_zone(now, z);
        }
        if was_reachable {
            self.zone_goes_dark(now, z);
        }
    }

    pub(super) fn zone_outage_ends(&mut self, now: SimTime, z: ZoneId, power: bool, random: bool) {
        let zone = &mut self.zones[z];
        if power {
            zone.power -= 1;
        } else {
            zone.isolation -= 1;
        }
        self.note(now, "zone_outage_end", Some(z), None, String::new);
        if self.zone_reachable(z) {
            self.zone_comes_back(now, z);
        }
        if power && self.zone_launchable(z) {
            // Launches that found no zone can now go here, and AZRebalance moves back instances
            // that were replaced elsewhere.
            self.reconcile_capacity(now);
            self.az_rebalance(now);
        }
        if random {
            if let Some(outage) = &self.scenario.zones[z].outage {
                let next =
                    self.bias
                        .time_to_failure(Clock::ZoneOutage(z), &outage.time_between, &mut self.streams.zones[z]);
                self.queue
                    .schedule(now + next, NORMAL, Event::ZoneOutageStarts { zone: z as u16 });
            }
        }
    }

    pub(super) fn random_region_outage_starts(&mut self, now: SimTime) {
        let Some(outage) = &self.scenario.region.outage else {
            return;
        };
        let duration = outage.duration.sample(&mut self.streams.region);
        self.region_outage_starts(now);
        self.queue
            .schedule(now + duration, NORMAL, Event::RegionOutageEnds { random: true });
    }

    pub(super) fn region_outage_starts(&mut self, now: SimTime) {
        let region_was_clear = self.region_outages_active == 0;
        self.region_outages_active += 1;
        self.outcome.region_outages += 1;
        self.note(now, "region_outage_start", None, None, String::new);
        for z in 0..self.zones.len() {
            let zone = &self.zones[z];
            if region_was_clear && zone.isolation == 0 && zone.power == 0 {
                self.zone_goes_dark(now, z);
            }
        }
    }

    pub(super) fn region_outage_ends(&mut self, now: SimTime, random: bool) {
        self.region_outages_active -= 1;
        self.note(now, "region_outage_end", None, None, String::new);
        for z in 0..self.zones.len() {
            if self.zone_reachable(z) {
                self.zone_comes_back(now, z);
            }
        }
        if random {
            if let Some(outage) = &self.scenario.region.outage {
                let next =
                    self.bias
                        .time_to_failure(Clock::RegionOutage, &outage.time_between, &mut self.streams.region);
                self.queue.schedule(now + next, NORMAL, Event::RegionOutageStarts);
            }
        }
    }

    /// The zone became unreachable: its node is dark (clients keep using it until DNS fails over)
    /// and its instances stop answering.
    fn zone_goes_dark(&mut self, now: SimTime, z: ZoneId) {
        self.routing_changed = true;
        let delay = self.scenario.load_balancer.dns_failover_delay;
        let slot = self.zones[z].dns_timer;
        if delay == SimTime::ZERO {
            self.zones[z].dns_listed = false;
        } else {
            self.queue
                .reschedule(slot, now + delay, NORMAL, Event::DnsFailover { zone: z as u16 });
        }
        self.refresh_targets_in_zone(now, z);
    }

    fn zone_comes_back(&mut self, now: SimTime, z: ZoneId) {
        self.routing_changed = true;
        let slot = self.zones[z].dns_timer;
        self.queue.cancel(slot);
        self.zones[z].dns_listed = true;
        self.refresh_targets_in_zone(now, z);
    }

    pub(super) fn dns_failover(&mut self, now: SimTime, z: ZoneId) {
        if !self.zone_reachable(z) {
            self.zones[z].dns_listed = false;
            self.routing_changed = true;
            self.note(now, "dns_failover", Some(z), None, String::new);
        }
    }
}
