//! Load balancer health checks, computed rather than polled.
//!
//! The LB sends a check to a target every `interval` from a per-target phase. A check of a working
//! target passes when it is sent; a check of a broken one fails `timeout` later. Because the
//! target's condition only changes at events, every check between two events has the same outcome,
//! so we can apply them in bulk when the condition changes and compute the one instant at which the
//! target's status would flip. A target whose status cannot change costs no events at all.
//!
//! Convention for ties: a check sent at the very instant of a change sees the condition before it.

use crate::kernel::SimTime;
use crate::scenario::HealthCheck;

/// The LB's view of a target (AWS's target states, less `draining`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetStatus {
    /// Registered, not yet `healthy_threshold` passes in a row.
    Initial,
    /// In service: receives new requests.
    Healthy,
    /// `unhealthy_threshold` failures in a row; receives nothing unless the LB fails open.
    Unhealthy,
}

/// One target's health-check bookkeeping.
#[derive(Clone, Debug)]
pub struct TargetHealth {
    /// Send time of check number 0.
    first: SimTime,
    /// Index of the first check whose result has not been applied.
    next: u64,
    passes: u32,
    fails: u32,
    /// Whether checks sent now would pass; constant between calls to [`set_working`](Self::set_working).
    working: bool,
    /// The check `next` was sent while the target was broken and its failure has not landed yet.
    inflight_failure: bool,
    status: TargetStatus,
}

impl TargetHealth {
    /// A target registered at `now`, whose first check goes out `phase` later (`phase` < interval).
    pub fn registered(now: SimTime, phase: SimTime, working: bool) -> Self {
        TargetHealth {
            first: now + phase,
            next: 0,
            passes: 0,
            fails: 0,
            working,
            inflight_failure: false,
            status: TargetStatus::Initial,
        }
    }

    /// A target that has been healthy since long before `now` (the group's instances at time zero).
    pub fn already_healthy(now: SimTime, phase: SimTime, hc: &HealthCheck) -> Self {
        TargetHealth {
            passes: hc.healthy_threshold,
            status: TargetStatus::Healthy,
            ..Self::registered(now, phase, true)
        }
    }

    /// The LB's current view.
    pub fn status(&self) -> TargetStatus {
        self.status
    }

    /// Applies every check result that has landed by `now` (inclusive) and returns the new status
    /// if it changed.
    pub fn advance(&mut self, now: SimTime, hc: &HealthCheck) -> Option<TargetStatus> {
        let before = self.status;
        if self.inflight_failure {
            if self.send_time(self.next, hc) + hc.timeout > now {
                return None;
            }
            self.apply(1, false, hc);
            self.next += 1;
            self.inflight_failure = false;
        }
        let landing_delay = if self.working { SimTime::ZERO } else { hc.timeout };
        let landed = self.checks_sent_by(now - landing_delay, landing_delay <= now, hc);
        self.apply(landed, self.working, hc);
        self.next += landed;
        (self.status != before).then_some(self.status)
    }

    /// The target starts or stops working at `now`. Returns a status change caused by results
    /// that landed up to `now`, which the caller must act on.
    pub fn set_working(&mut self, now: SimTime, working: bool, hc: &HealthCheck) -> Option<TargetStatus> {
        let changed = self.advance(now, hc);
        if working != self.working {
            // A check already sent (at or before `now`) but not landed failed: it saw the old condition.
            self.inflight_failure = !self.working && self.send_time(self.next, hc) <= now;
            self.working = working;
        }
        changed
    }

    /// When the status will next change if the target's condition stays as it is; `None` if never.
    pub fn next_flip(&self, hc: &HealthCheck) -> Option<SimTime> {
        let mut k = self.next;
        let (mut passes, mut fails) = (self.passes, self.fails);
        if self.inflight_failure {
            passes = 0;
            fails += 1;
            if self.status != TargetStatus::Unhealthy && fails >= hc.unhealthy_threshold {
                return Some(self.send_time(k, hc) + hc.timeout);
            }
            k += 1;
        }
        if self.working {
            if self.status == TargetStatus::Healthy {
                return None;
            }
            let need = hc.healthy_threshold.saturating_sub(passes).max(1) as u64;
            Some(self.send_time(k + need - 1, hc))
        } else {
            if self.status == TargetStatus::Unhealthy {
                return None;
            }
            let need = hc.unhealthy_threshold.saturating_sub(fails).max(1) as u64;
            Some(self.send_time(k + need - 1, hc) + hc.timeout)
        }
    }

    /// From when the target's record holds no failed check, if it stays as it is: the state of a
    /// target healthy and working for long, from which the next failure is detected after the
    /// full `unhealthy_threshold`. `None` while it is not healthy and working, or while a failure
    /// in flight will mark it unhealthy: a status flip must come first.
    pub fn clean_from(&self, now: SimTime, hc: &HealthCheck) -> Option<SimTime> {
        let mut h = self.clone();
        h.advance(now, hc);
        if h.status != TargetStatus::Healthy || !h.working {
            return None;
        }
        if h.inflight_failure {
            // The failure lands; the check after it passes.
            return (h.fails + 1 < hc.unhealthy_threshold).then(|| h.send_time(h.next + 1, hc));
        }
        // Checks up to now are applied: the next one passes and clears a failure on record.
        Some(if h.fails > 0 { h.send_time(h.next, hc) } else { now })
    }

    fn send_time(&self, k: u64, hc: &HealthCheck) -> SimTime {
        self.first + SimTime(k.saturating_mul(hc.interval.0))
    }

    /// How many checks from `next` on were sent at or before `t`. `valid` is false when `t`
    /// underflowed (nothing can have landed).
    fn checks_sent_by(&self, t: SimTime, valid: bool, hc: &HealthCheck) -> u64 {
        let first_pending = self.send_time(self.next, hc);
        if !valid || first_pending > t {
            return 0;
        }
        (t.0 - first_pending.0) / hc.interval.0 + 1
    }

    fn apply(&mut self, n: u64, passed: bool, hc: &HealthCheck) {
        if n == 0 {
            return;
        }
        let n = n.min(u32::MAX as u64) as u32;
        if passed {
            self.fails = 0;
            self.passes = self.passes.saturating_add(n);
            if self.passes >= hc.healthy_threshold {
                self.status = TargetStatus::Healthy;
            }
        } else {
            self.passes = 0;
            self.fails = self.fails.saturating_add(n);
            if self.fails >= hc.unhealthy_threshold {
                self.status = TargetStatus::Unhealthy;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hc() -> HealthCheck {
        HealthCheck {
            interval: SimTime::from_secs(30),
            timeout: SimTime::from_secs(5),
            healthy_threshold: 3,
            unhealthy_threshold: 2,
        }
    }

    /// A brute-force poller: walks every check one by one. The computed checker must agree.
    fn poll(
        first: SimTime,
        changes: &[(SimTime, bool)],
        until: SimTime,
        hc: &HealthCheck,
    ) -> Vec<(SimTime, TargetStatus)> {
        let working_at = |t: SimTime| {
            // A check at the instant of a change sees the condition before it.
            changes
                .iter()
                .rev()
                .find(|(at, _)| *at < t)
                .map(|c| c.1)
                .unwrap_or(true)
        };
        let (mut passes, mut fails, mut status) = (0u32, 0u32, TargetStatus::Healthy);
        passes += hc.healthy_threshold;
        let mut flips = Vec::new();
        let mut s = first;
        while s <= until {
            let ok = working_at(s);
            let landed = if ok { s } else { s + hc.timeout };
            if landed <= until {
                let before = status;
                if ok {
                    fails = 0;
                    passes += 1;
                    if passes >= hc.healthy_threshold {
                        status = TargetStatus::Healthy;
                    }
                } else {
                    passes = 0;
                    fails += 1;
                    if fails >= hc.unhealthy_threshold {
                        status = TargetStatus::Unhealthy;
                    }
                }
                if status != before {
                    flips.push((landed, status));
                }
            }
            s += hc.interval;
        }
        flips
    }

    /// Drives the computed checker the way the world does: at each change, and at each flip.
    fn computed(
        first_phase: SimTime,
        changes: &[(SimTime, bool)],
        until: SimTime,
        hc: &HealthCheck,
    ) -> Vec<(SimTime, TargetStatus)> {
        let mut th = TargetHealth::already_healthy(SimTime::ZERO, first_phase, hc);
        let mut flips = Vec::new();
        let mut i = 0;
        loop {
            let next_change = changes.get(i).map(|c| c.0).unwrap_or(SimTime::NEVER);
            let flip = th.next_flip(hc).unwrap_or(SimTime::NEVER);
            if flip.min(next_change) > until {
                break;
            }
            if flip <= next_change {
                // Flips at the same instant as a change are applied first, like an earlier event.
                if let Some(s) = th.advance(flip, hc) {
                    flips.push((flip, s));
                }
            } else {
                if let Some(s) = th.set_working(next_change, changes[i].1, hc) {
                    flips.push((next_change, s));
                }
                i += 1;
            }
        }
        flips
    }

    #[test]
    fn hang_detected_after_unhealthy_threshold_failures() {
        let hc = hc();
        let mut th = TargetHealth::already_healthy(SimTime::ZERO, SimTime::from_secs(10), &hc);
        assert_eq!(th.next_flip(&hc), None, "a working healthy target schedules nothing");
        // Broken at 12 s: checks at 40 s and 70 s fail, the second lands at 75 s.
        th.set_working(SimTime::from_secs(12), false, &hc);
        assert_eq!(th.next_flip(&hc), Some(SimTime::from_secs(75)));
        assert_eq!(th.advance(SimTime::from_secs(75), &hc), Some(TargetStatus::Unhealthy));
        assert_eq!(th.next_flip(&hc), None);
    }

    #[test]
    fn a_year_of_quiet_costs_one_bulk_step() {
        let hc = hc();
        let mut th = TargetHealth::already_healthy(SimTime::ZERO, SimTime::from_secs(1), &hc);
        // No events for a year, then it breaks: the counters are right without polling.
        th.set_working(SimTime::DAY * 365, false, &hc);
        let flip = th.next_flip(&hc).unwrap();
        assert!(flip > SimTime::DAY * 365 && flip <= SimTime::DAY * 365 + SimTime::from_secs(65));
    }

    #[test]
    fn agrees_with_polling_on_many_histories() {
        use rand::{Rng, SeedableRng};
        let hc = hc();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..2000 {
            let phase = SimTime::from_secs(rng.random_range(0..30));
            let mut t = SimTime::ZERO;
            let mut working = true;
            let mut changes = Vec::new();
            for _ in 0..rng.random_range(1..8) {
                // Whole seconds make ties with check times common, which is the hard case.
                t += SimTime::from_secs(rng.random_range(1..200));
                working = !working;
                changes.push((t, working));
            }
            let until = t + SimTime::from_secs(400);
            assert_eq!(
                computed(phase, &changes, until, &hc),
                poll(phase, &changes, until, &hc),
                "changes {changes:?} phase {phase}"
            );
        }
    }
}
