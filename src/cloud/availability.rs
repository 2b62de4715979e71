//! Where requests would go at this moment, what share of them would fail, and the UP/DOWN record.

use crate::kernel::SimTime;

/// The LB's targets in one zone, as counted for routing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ZoneTargets {
    /// Registered and healthy: the LB sends new requests here.
    pub in_service: u32,
    /// Of those, the ones that would answer (running, not hung, reachable).
    pub in_service_working: u32,
    /// Registered targets that have finished their initial checks (healthy or unhealthy): where
    /// the LB sends requests when it fails open. A target still in its initial checks gets
    /// nothing, as on AWS, where a target group of only `initial` targets answers 503.
    pub fail_open: u32,
    /// Of those, the ones that would answer.
    pub fail_open_working: u32,
}

impl ZoneTargets {
    /// The same targets as they answer now: all of them count when their zone can be reached;
    /// when it cannot, none of them answers. Masked, not branched: it runs for every zone after
    /// most events, and the mask compiles to fewer instructions than the copy in each branch.
    pub fn reached(self, reachable: bool) -> ZoneTargets {
        let answers = (reachable as u32).wrapping_neg();
        ZoneTargets {
            in_service_working: self.in_service_working & answers,
            fail_open_working: self.fail_open_working & answers,
            ..self
        }
    }

    /// `self + add - sub`, counter by counter (`sub` is part of `self + add`).
    pub fn moved(self, add: ZoneTargets, sub: ZoneTargets) -> ZoneTargets {
        ZoneTargets {
            in_service: self.in_service + add.in_service - sub.in_service,
            in_service_working: self.in_service_working + add.in_service_working - sub.in_service_working,
            fail_open: self.fail_open + add.fail_open - sub.fail_open,
            fail_open_working: self.fail_open_working + add.fail_open_working - sub.fail_open_working,
        }
    }
}

/// One LB node, as the clients see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Clients still resolve to it (up, or down for less than the DNS failover delay).
    pub listed: bool,
    /// It can accept and forward requests.
    pub up: bool,
}

/// The share of requests that would fail now, with clients spread evenly over listed nodes and
/// each node spreading evenly over its targets (cross-zone: all zones' targets; else its own).
///
/// `targets[z]` are zone `z`'s registered targets as if it were reachable; a node that is down
/// is a zone that cannot be reached, so none of its targets answers, whichever node sends to
/// them. A node with no healthy target fails open to its checked targets (see [`ZoneTargets`]);
/// with none at all, its share fails. `nodes[z]` and `targets[z]` are indexed by the group's zones.
#[inline]
pub fn failing_share(nodes: &[NodeView], targets: &[ZoneTargets], cross_zone: bool) -> f64 {
    // Cross-zone, every node spreads over the same targets: one ratio for all of them (the
    // divisions are what this function costs, and it runs after most events).
    let all = cross_zone.then(|| {
        let mut all = ZoneTargets::default();
        for (node, t) in nodes.iter().zip(targets) {
            all = all.moved(t.reached(node.up), ZoneTargets::default());
        }
        scope_failing(&all)
    });
    let (mut listed, mut failing) = (0u32, 0.0);
    for (node, own) in nodes.iter().zip(targets) {
        if !node.listed {
            continue;
        }
        listed += 1;
        failing += if !node.up {
            1.0
        } else {
            all.unwrap_or_else(|| scope_failing(own))
        };
    }
    if listed == 0 {
        1.0
    } else {
        failing / listed as f64
    }
}

/// The share of a node's requests that fail when it spreads them over `scope`.
fn scope_failing(scope: &ZoneTargets) -> f64 {
    if scope.in_service > 0 {
        1.0 - scope.in_service_working as f64 / scope.in_service as f64
    } else if scope.fail_open > 0 {
        1.0 - scope.fail_open_working as f64 / scope.fail_open as f64
    } else {
        1.0
    }
}

/// The UP/DOWN history of one trial, and the time integral of the failing share.
#[derive(Clone, Debug, Default)]
pub struct DowntimeRecord {
    down_since: Option<SimTime>,
    last_change: SimTime,
    share: f64,
    /// Σ share × duration [share·µs], for the expected request success ratio.
    share_integral: f64,
    /// Total time DOWN.
    pub downtime: SimTime,
    /// Separate DOWN periods.
    pub incidents: u64,
    /// The longest DOWN period.
    pub longest: SimTime,
    /// Every DOWN period's length, in order.
    pub durations: Vec<SimTime>,
}

impl DowntimeRecord {
    /// Notes the failing share from `now` on; DOWN while it exceeds `max_error_rate`.
    /// Returns `Some(true)` when the service just went DOWN, `Some(false)` when it came back UP.
    pub fn observe(&mut self, now: SimTime, share: f64, max_error_rate: f64) -> Option<bool> {
        self.share_integral += self.share * (now - self.last_change).0 as f64;
        self.last_change = now;
        self.share = share;
        let down = share > max_error_rate;
        match (self.down_since, down) {
            (None, true) => {
                self.down_since = Some(now);
                self.incidents += 1;
                Some(true)
            }
            (Some(since), false) => {
                self.close(since, now);
                Some(false)
            }
            _ => None,
        }
    }

    /// Empties the record for the next trial, keeping its allocation.
    pub fn reset(&mut self) {
        let mut durations = std::mem::take(&mut self.durations);
        durations.clear();
        *self = DowntimeRecord {
            durations,
            ..DowntimeRecord::default()
        };
    }

    /// Closes the record at the end of the trial.
    pub fn finish(&mut self, horizon: SimTime) {
        self.share_integral += self.share * (horizon - self.last_change).0 as f64;
        self.last_change = horizon;
        if let Some(since) = self.down_since {
            self.close(since, horizon);
        }
    }

    /// Time-average of the failing share over `[0, horizon]` (after [`finish`](Self::finish)).
    pub fn mean_failing_share(&self, horizon: SimTime) -> f64 {
        self.share_integral / horizon.0 as f64
    }

    fn close(&mut self, since: SimTime, now: SimTime) {
        let d = now - since;
        self.downtime += d;
        self.longest = self.longest.max(d);
        self.durations.push(d);
        self.down_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UP: NodeView = NodeView { listed: true, up: true };
    const DARK: NodeView = NodeView {
        listed: true,
        up: false,
    };
    const GONE: NodeView = NodeView {
        listed: false,
        up: false,
    };

    fn healthy(n: u32) -> ZoneTargets {
        ZoneTargets {
            in_service: n,
            in_service_working: n,
            fail_open: n,
            fail_open_working: n,
        }
    }

    #[test]
    fn one_dead_target_of_four_fails_a_quarter() {
        let t = ZoneTargets {
            in_service: 4,
            in_service_working: 3,
            fail_open: 4,
            fail_open_working: 3,
        };
        assert_eq!(failing_share(&[UP], &[t], true), 0.25);
    }

    #[test]
    fn dark_node_fails_its_share_until_dns_moves_clients() {
        // Zone b is dark: its node fails the half of the clients that still resolve to it, and
        // the live node, cross-zone, spreads over all four targets of which two answer.
        let t = [healthy(2), healthy(2)];
        assert_eq!(failing_share(&[UP, DARK], &t, true), 0.5 * 0.5 + 0.5 * 1.0);
        // Once DNS has moved the clients, only the live node's spread is left.
        assert_eq!(failing_share(&[UP, GONE], &t, true), 0.5);
        assert_eq!(failing_share(&[GONE, GONE], &t, true), 1.0);
        // Without cross-zone the live node keeps to its own healthy zone.
        assert_eq!(failing_share(&[UP, GONE], &t, false), 0.0);
    }

    #[test]
    fn cross_zone_off_keeps_a_node_to_its_zone() {
        // Zone b has no targets: with cross-zone its node borrows zone a's; without, its share fails.
        let t = [healthy(2), ZoneTargets::default()];
        assert_eq!(failing_share(&[UP, UP], &t, true), 0.0);
        assert_eq!(failing_share(&[UP, UP], &t, false), 0.5);
    }

    #[test]
    fn fails_open_to_registered_targets() {
        // No healthy target: the LB routes to all registered ones, of which 1 of 2 answers.
        let t = ZoneTargets {
            in_service: 0,
            in_service_working: 0,
            fail_open: 2,
            fail_open_working: 1,
        };
        assert_eq!(failing_share(&[UP], &[t], true), 0.5);
    }

    #[test]
    fn downtime_record_counts_periods_and_integrates_share() {
        let mut r = DowntimeRecord::default();
        let m = SimTime::MINUTE;
        assert_eq!(r.observe(SimTime::ZERO, 0.0, 0.05), None);
        assert_eq!(r.observe(m * 10, 0.5, 0.05), Some(true));
        assert_eq!(r.observe(m * 20, 0.04, 0.05), Some(false));
        assert_eq!(r.observe(m * 30, 1.0, 0.05), Some(true));
        r.finish(m * 40);
        assert_eq!(r.downtime, m * 20);
        assert_eq!(r.incidents, 2);
        assert_eq!(r.longest, m * 10);
        assert_eq!(r.durations, [m * 10, m * 10]);
        // (0.5·10 + 0.04·10 + 1.0·10) / 40
        assert!((r.mean_failing_share(m * 40) - 15.4 / 40.0).abs() < 1e-12);
        r.reset();
        assert_eq!((r.incidents, r.durations.len()), (0, 0));
    }
}
