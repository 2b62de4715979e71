//! Failure biasing: every random failure clock of the world is drawn through [`ClockBias`], which
//! draws as the scenario says in plain trials and β times faster in a busy period of the
//! regenerative estimator (`crate::montecarlo::rare`). [`FailureBiasing`] holds the processes'
//! rates in the all-working state and chooses each one's β.

use std::sync::Arc;

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
#[derive(Clone, Debug, Default)]
pub(super) struct ClockBias {
    /// Each clock's speed-up β during a busy period; `None` in plain trials.
    speedups: Option<Arc<Speedups>>,
    /// The clock whose failure starts the busy period: it fires at once when drawn.
    first: Option<Clock>,
}

impl ClockBias {
    /// Biased clocks for a busy period that `first` starts at time 0.
    pub(super) fn busy_period(speedups: Arc<Speedups>, first: Clock) -> ClockBias {
        ClockBias {
            speedups: Some(speedups),
            first: Some(first),
        }
    }

    /// Time until `clock`, whose law is `dist`, fires. In plain trials this is exactly one draw of
    /// `dist`, so plain runs give what they gave before biasing existed.
    #[inline]
    pub(super) fn time_to_failure(&mut self, clock: Clock, dist: &DurationDist, rng: &mut Rng) -> SimTime {
        match &self.speedups {
            None => dist.sample(rng),
            Some(speedups) => {
                let speedup = speedups.of(clock);
                self.biased(clock, dist, rng, speedup)
            }
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

/// Per random failure process: its true rate and its speed-up β in a busy period.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Speedups {
    /// Per zone: (outage rate [1/s], β); rate 0 without outages.
    zones: Vec<(f64, f64)>,
    /// The region's (outage rate [1/s], β).
    region: (f64, f64),
    /// Per failure mode: (rate per running instance [1/s], β).
    modes: Vec<(f64, f64)>,
}

impl Speedups {
    /// β of `clock`.
    pub(super) fn of(&self, clock: Clock) -> f64 {
        match clock {
            Clock::ZoneOutage(z) => self.zones[z].1,
            Clock::RegionOutage => self.region.1,
            Clock::FailureMode { mode, .. } => self.modes[mode].1,
        }
    }
}

/// The random failure processes of a scenario as they run in its all-working state, and how
/// much each is sped up in a busy period.
#[derive(Clone, Debug)]
pub struct FailureBiasing {
    speedups: Arc<Speedups>,
    /// The same, named, for reports.
    processes: Vec<BiasedProcess>,
    /// Every process that can end the all-working state, with its rate there [1/s].
    starters: Vec<(Starter, f64)>,
    /// Instances of the all-working state.
    instances: u32,
    /// Λ: the total failure rate in the all-working state [1/s].
    total_rate: f64,
}

/// A process that can end the all-working state: a failure mode counts once for the fleet.
#[derive(Clone, Copy, Debug)]
enum Starter {
    Zone(ZoneId),
    Region,
    Mode(usize),
}

/// One failure process as reported: what it is, its rate and its speed-up.
#[derive(Clone, Debug, PartialEq)]
pub struct BiasedProcess {
    /// E.g. `zone a outage`, `region outage`, `failure mode crash (per instance)`.
    pub name: String,
    /// True rate [1/s] (per instance for failure modes).
    pub rate: f64,
    /// β: how many times faster it runs in a busy period.
    pub bias: f64,
}

impl FailureBiasing {
    /// The processes of `s`, which must have passed the checks of `method = "failure_biasing"`
    /// (exponential failure clocks). Every clock runs `simulation.failure_bias` times faster when
    /// the file sets it; else the speed-ups are balanced (see `balanced` below).
    pub fn new(s: &Scenario) -> FailureBiasing {
        let rate = |d: &DurationDist| 1.0 / d.mean_secs();
        let zones: Vec<f64> = s
            .zones
            .iter()
            .map(|z| z.outage.as_ref().map_or(0.0, |o| rate(&o.time_between)))
            .collect();
        let region = s.region.outage.as_ref().map_or(0.0, |o| rate(&o.time_between));
        let modes: Vec<f64> = s.fleet.failure_modes.iter().map(|m| rate(&m.time_between)).collect();
        let instances = s.fleet.desired;
        let total_rate = zones.iter().sum::<f64>() + region + instances as f64 * modes.iter().sum::<f64>();
        let bias: Box<dyn Fn(f64) -> f64> = match s.simulation.method {
            Method::FailureBiasing { bias: Some(b) } => Box::new(move |_| b),
            _ => Box::new(balanced(s, &zones, region, &modes)),
        };
        let speedups = Speedups {
            zones: zones.iter().map(|&r| (r, bias(r))).collect(),
            region: (region, bias(region)),
            // A failure mode is one process across the fleet: its instances share its rate.
            modes: modes.iter().map(|&r| (r, bias(r * instances as f64))).collect(),
        };
        let processes = named(s, &speedups);
        let starters = (zones.iter().enumerate())
            .map(|(z, &r)| (Starter::Zone(z), r))
            .chain([(Starter::Region, region)])
            .chain(
                modes
                    .iter()
                    .enumerate()
                    .map(|(m, &r)| (Starter::Mode(m), r * instances as f64)),
            )
            .filter(|&(_, rate)| rate > 0.0)
            .collect();
        FailureBiasing {
            speedups: Arc::new(speedups),
            processes,
            starters,
            instances,
            total_rate,
        }
    }

    /// Λ, the total failure rate in the all-working state [1/s]: the time spent there between
    /// busy periods is exponential with mean 1/Λ.
    pub fn total_rate(&self) -> f64 {
        self.total_rate
    }

    /// Every process that can fail, with its rate and speed-up.
    pub fn processes(&self) -> &[BiasedProcess] {
        &self.processes
    }

    pub(super) fn speedups(&self) -> Arc<Speedups> {
        self.speedups.clone()
    }

    /// The failure that ends a stay in the all-working state, and ln of its likelihood ratio.
    /// Truly each process fails first with probability rate / Λ (the first of independent
    /// exponential clocks); here every process is equally likely, so that cycles start as often
    /// with a rare process as with a frequent one, and the ratio (rate / Λ) / (1 / p) for p
    /// processes corrects for it. Within a failure mode every instance is equally likely either way.
    pub(super) fn choose_first(&self, rng: &mut Rng) -> (Clock, f64) {
        let (process, rate) = self.starters[rng.random_range(0..self.starters.len())];
        let log_ratio = (rate / self.total_rate * self.starters.len() as f64).ln();
        let clock = match process {
            Starter::Zone(z) => Clock::ZoneOutage(z),
            Starter::Region => Clock::RegionOutage,
            Starter::Mode(mode) => Clock::FailureMode {
                id: rng.random_range(0..self.instances),
                mode,
            },
        };
        (clock, log_ratio)
    }

    /// Σ (β − 1)·λ over the failure clocks that run [1/s], given which zones are in a random
    /// outage, whether the region is, and how many instances are working: the rate at which the
    /// likelihood ratio's exponent grows.
    pub(super) fn excess_rate(&self, zone_dark: impl Fn(ZoneId) -> bool, region_dark: bool, working: u32) -> f64 {
        let p = &self.speedups;
        let excess = |&(rate, bias): &(f64, f64)| (bias - 1.0) * rate;
        let zones: f64 = (p.zones.iter().enumerate())
            .filter(|&(z, _)| !zone_dark(z))
            .map(|(_, z)| excess(z))
            .sum();
        let region = if region_dark { 0.0 } else { excess(&p.region) };
        zones + region + working as f64 * p.modes.iter().map(excess).sum::<f64>()
    }
}

/// The processes of `speedups`, named as in `s`.
fn named(s: &Scenario, p: &Speedups) -> Vec<BiasedProcess> {
    let process = |name: String, (rate, bias): (f64, f64)| BiasedProcess { name, rate, bias };
    let zones = (s.zones.iter().zip(&p.zones))
        .filter(|(_, z)| z.0 > 0.0)
        .map(|(zone, &z)| process(format!("zone {} outage", zone.name), z));
    let region = (p.region.0 > 0.0).then(|| process("region outage".into(), p.region));
    let modes = (s.fleet.failure_modes.iter().zip(&p.modes))
        .map(|(mode, &m)| process(format!("failure mode {} (per instance)", mode.name), m));
    zones.chain(region).chain(modes).collect()
}

/// Balanced speed-ups: in a busy period every failure process (a zone's outages, the region's,
/// a failure mode across the fleet) fails at one common rate θ (processes already faster keep
/// their own), so each is as likely as any other to fail next, as in Shahabuddin's balanced
/// failure biasing, rare processes included. θ is set so that, over the longest typical repair
/// r_max, about one further failure happens: p·θ·r_max = 1 for p processes, so that each step of
/// a busy period goes to a further failure or back to repair with even odds at worst. One
/// speed-up for all would have to choose between too few overlaps during short repairs and,
/// during long ones, so many biased failures that the likelihood ratios degenerate.
///
/// Repair times here are estimates of how long the world takes back to all-working after one
/// failure; they only steer efficiency, never the estimate.
fn balanced(s: &Scenario, zone_rates: &[f64], region_rate: f64, mode_rates: &[f64]) -> impl Fn(f64) -> f64 {
    let longest = repair_times(s).into_iter().fold(0.0, f64::max);
    let processes = zone_rates.iter().filter(|&&r| r > 0.0).count() + usize::from(region_rate > 0.0) + mode_rates.len();
    let theta = 1.0 / (processes as f64 * longest);
    move |process_rate: f64| {
        if process_rate > 0.0 {
            (theta / process_rate).max(1.0)
        } else {
            1.0
        }
    }
}

/// The mean time back to all-working after each single failure: of zone and region outages
/// (in declaration order), then of each failure mode.
fn repair_times(s: &Scenario) -> Vec<f64> {
    let fleet = &s.fleet;
    let hc = s.load_balancer.health_check;
    let secs = |t: SimTime| t.as_secs_f64();
    // A new instance: launched, then ready, then healthy and past its grace period.
    let replacement = fleet.instance.launch_time.mean_secs()
        + secs(fleet.health_check_grace_period).max(secs(hc.interval) * hc.healthy_threshold as f64);
    // Instances behind a dark node need `healthy_threshold` passes when it is back.
    let readmission = secs(hc.interval) * hc.healthy_threshold as f64;
    let zones = s.zones.iter().filter_map(|z| z.outage.as_ref()).map(|o| {
        o.duration.mean_secs()
            + match o.kind {
                OutageKind::Isolation => readmission,
                // Lost instances come back by AZRebalance.
                OutageKind::Power => replacement,
            }
    });
    let region = s.region.outage.iter().map(|o| o.duration.mean_secs() + readmission);
    let modes = fleet.failure_modes.iter().map(|mode| {
        let detection = match (mode.kind, fleet.health_check_type) {
            (FailureKind::Crash, _) => secs(STATUS_CHECK_DELAY),
            // `unhealthy_threshold` failed checks, the first half an interval in on average.
            (FailureKind::Hang, HealthCheckType::Elb) => {
                secs(hc.interval) * (hc.unhealthy_threshold as f64 - 0.5) + secs(hc.timeout)
            }
            // Refused by the scenario checks: a hang is never repaired.
            (FailureKind::Hang, HealthCheckType::Ec2) => f64::INFINITY,
        };
        detection + replacement
    });
    zones.chain(region).chain(modes).collect()
}
