//! Failure biasing: every random failure clock of the world is drawn through [`ClockBias`], which
//! draws as the scenario says in plain trials and β times faster in a busy period of the
//! regenerative estimator (`crate::montecarlo::rare`). [`FailureBiasing`] holds the clocks'
//! rates in the all-working state and chooses β.

use rand::Rng as _;

use crate::kernel::{Rng, SimTime};
use crate::scenario::{DurationDist, FailureKind, HealthCheckType, Method, OutageKind, Scenario, ZoneId};

use super::fleet::{InstanceId, STATUS_CHECK_DELAY};

/// One random failure clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Clock {
    /// The zone's next random outage.
    ZoneOutage(ZoneId),
    /// The region's next random outage.
    RegionOutage,
    /// Failure mode `mode` of instance `id`.
    FailureMode { id: InstanceId, mode: usize },
}

/// How failure clocks are drawn right now.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ClockBias {
    /// β during a busy period; `None` in plain trials.
    speedup: Option<f64>,
    /// The clock whose failure starts the busy period: it fires at once when drawn.
    first: Option<Clock>,
}

impl ClockBias {
    /// Biased clocks for a busy period that `first` starts at time 0.
    pub(super) fn busy_period(speedup: f64, first: Clock) -> ClockBias {
        ClockBias {
            speedup: Some(speedup),
            first: Some(first),
        }
    }

    /// Time until `clock`, whose law is `dist`, fires. In plain trials this is exactly one draw of
    /// `dist`, so plain runs give what they gave before biasing existed.
    #[inline]
    pub(super) fn time_to_failure(&mut self, clock: Clock, dist: &DurationDist, rng: &mut Rng) -> SimTime {
        match self.speedup {
            None => dist.sample(rng),
            Some(speedup) => self.biased(clock, dist, rng, speedup),
        }
    }

    #[cold]
    fn biased(&mut self, clock: Clock, dist: &DurationDist, rng: &mut Rng, speedup: f64) -> SimTime {
        if self.first == Some(clock) {
            self.first = None;
            return SimTime::ZERO;
        }
        // Dividing an exponential draw by β is a draw at β times the rate; the scenario checks
        // admit only exponential failure clocks with failure biasing.
        SimTime::from_secs_f64(dist.sample(rng).as_secs_f64() / speedup)
    }
}

/// The random failure processes of a scenario as they run in its all-working state, and the
/// bias β of its busy periods.
#[derive(Clone, Debug)]
pub struct FailureBiasing {
    /// Per zone: its outage rate [1/s] (0 without outages).
    zone_rates: Vec<f64>,
    /// The region's outage rate [1/s].
    region_rate: f64,
    /// Per failure mode: its rate per running instance [1/s].
    mode_rates: Vec<f64>,
    /// Instances of the all-working state.
    instances: u32,
    /// Λ: the total failure rate in the all-working state [1/s].
    total_rate: f64,
    bias: f64,
}

impl FailureBiasing {
    /// The processes of `s`, which must have passed the checks of `method = "failure_biasing"`
    /// (exponential failure clocks), with β from `simulation.failure_bias` or else chosen.
    pub fn new(s: &Scenario) -> FailureBiasing {
        let rate = |d: &DurationDist| 1.0 / d.mean_secs();
        let zone_rates: Vec<f64> = s
            .zones
            .iter()
            .map(|z| z.outage.as_ref().map_or(0.0, |o| rate(&o.time_between)))
            .collect();
        let region_rate = s.region.outage.as_ref().map_or(0.0, |o| rate(&o.time_between));
        let mode_rates: Vec<f64> = s.fleet.failure_modes.iter().map(|m| rate(&m.time_between)).collect();
        let instances = s.fleet.desired;
        let total_rate =
            zone_rates.iter().sum::<f64>() + region_rate + instances as f64 * mode_rates.iter().sum::<f64>();
        let bias = match s.simulation.method {
            Method::FailureBiasing { bias: Some(b) } => b,
            _ => balanced_bias(s, &zone_rates, region_rate, &mode_rates),
        };
        FailureBiasing {
            zone_rates,
            region_rate,
            mode_rates,
            instances,
            total_rate,
            bias,
        }
    }

    /// Λ, the total failure rate in the all-working state [1/s]: the time spent there between
    /// busy periods is exponential with mean 1/Λ.
    pub fn total_rate(&self) -> f64 {
        self.total_rate
    }

    /// β: how many times faster failure clocks run in a busy period.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    /// The failure that ends a stay in the all-working state: each process with probability
    /// its rate / Λ, as the first of independent exponential clocks.
    pub(super) fn choose_first(&self, rng: &mut Rng) -> Clock {
        let mut left = rng.random::<f64>() * self.total_rate;
        for (z, &r) in self.zone_rates.iter().enumerate() {
            if left < r {
                return Clock::ZoneOutage(z);
            }
            left -= r;
        }
        if left < self.region_rate {
            return Clock::RegionOutage;
        }
        left -= self.region_rate;
        let per_instance: f64 = self.mode_rates.iter().sum();
        let id = ((left / per_instance) as u32).min(self.instances - 1);
        left -= id as f64 * per_instance;
        // Rounding can leave `left` a hair above the last rate: it belongs to the last mode.
        let mode = self
            .mode_rates
            .iter()
            .scan(0.0, |below, &r| {
                *below += r;
                Some(*below)
            })
            .position(|below| left < below)
            .unwrap_or(self.mode_rates.len() - 1);
        Clock::FailureMode { id, mode }
    }

    /// The total true rate of the failure clocks that run [1/s], given which zones are in a
    /// random outage, whether the region is, and how many instances are working.
    pub(super) fn running_rate(&self, zone_dark: impl Fn(ZoneId) -> bool, region_dark: bool, working: u32) -> f64 {
        let zones: f64 = (self.zone_rates.iter().enumerate())
            .filter(|&(z, _)| !zone_dark(z))
            .map(|(_, r)| r)
            .sum();
        let region = if region_dark { 0.0 } else { self.region_rate };
        zones + region + working as f64 * self.mode_rates.iter().sum::<f64>()
    }
}

/// β such that, while one failure is being repaired, a further failure is about as likely as the
/// repair finishing: Λ·β·r̄ = 1 with r̄ the mean time back to all-working after a single failure
/// (rate-weighted over the processes), so each step of a busy period goes one way or the other
/// with even odds (the "balanced" choice of Shahabuddin's balanced failure biasing). At least 1:
/// processes already as frequent as their repairs need no help.
fn balanced_bias(s: &Scenario, zone_rates: &[f64], region_rate: f64, mode_rates: &[f64]) -> f64 {
    let fleet = &s.fleet;
    let hc = s.load_balancer.health_check;
    let secs = |t: SimTime| t.as_secs_f64();
    // A new instance: launched, then ready, then healthy and past its grace period.
    let replacement = fleet.instance.launch_time.mean_secs()
        + secs(fleet.health_check_grace_period).max(secs(hc.interval) * hc.healthy_threshold as f64);
    // Instances behind a dark node need `healthy_threshold` passes when it is back.
    let readmission = secs(hc.interval) * hc.healthy_threshold as f64;
    let mut failures_per_repair = 0.0;
    for (zone, &rate) in s.zones.iter().zip(zone_rates) {
        if let Some(o) = &zone.outage {
            let back = match o.kind {
                OutageKind::Isolation => readmission,
                // Lost instances come back by AZRebalance, one launch at a time.
                OutageKind::Power => replacement,
            };
            failures_per_repair += rate * (o.duration.mean_secs() + back);
        }
    }
    if let Some(o) = &s.region.outage {
        failures_per_repair += region_rate * (o.duration.mean_secs() + readmission);
    }
    for (mode, &rate) in fleet.failure_modes.iter().zip(mode_rates) {
        let detection = match (mode.kind, fleet.health_check_type) {
            (FailureKind::Crash, _) => secs(STATUS_CHECK_DELAY),
            // A hang is seen by `unhealthy_threshold` failed checks, half an interval in on average.
            (FailureKind::Hang, HealthCheckType::Elb) => {
                secs(hc.interval) * (hc.unhealthy_threshold as f64 - 0.5) + secs(hc.timeout)
            }
            // Refused by the scenario checks: a hang is never repaired.
            (FailureKind::Hang, HealthCheckType::Ec2) => f64::INFINITY,
        };
        failures_per_repair += fleet.desired as f64 * rate * (detection + replacement);
    }
    (1.0 / failures_per_repair).max(1.0)
}
