//! The fluid model: between infrastructure events, traffic is a flow split by the routing, and
//! what it meets is computed from queueing theory instead of simulated request by request.
//!
//! Per segment of constant routing: offered requests are ∫ rate (exact for the daily sinusoid);
//! structural failures are the dead share of them; overload losses are ∫ max(0, w·rate − cap)
//! per target (exact); latency and timeouts come from each target's M/G/c queue at its load,
//! evaluated per hour of the segment and mixed by request counts. Retries raise the offered load
//! by 1 + p + … + p^r at a per-try failure probability p found by fixed-point iteration, and a
//! request fails when all its r + 1 tries do.

use std::sync::OnceLock;

use hdrhistogram::Histogram;

use crate::kernel::SimTime;
use crate::scenario::{DurationDist, Scenario, Traffic};

use super::super::world::World;
use super::queueing::Wait;
use super::shape::LoadShape;
use super::Flows;

/// Utilisation buckets for latency: a target at utilisation ρ < 1 uses bucket ⌊ρ·BUCKETS⌋;
/// bucket `BUCKETS` holds saturated targets.
const BUCKETS: usize = 256;
/// Latency bins between `GRID_MIN_S` and the timeout, log-spaced.
const GRID: usize = 400;
const GRID_MIN_S: f64 = 1e-5;
/// Service-time quantile points used to convolve service with the queueing wait.
const SERVICE_POINTS: usize = 200;
/// Latency is evaluated at this granularity within a segment of diurnal traffic.
pub(super) const PIECE: SimTime = SimTime::HOUR;

/// Latency distributions by utilisation bucket, computed on first use and shared by every worker
/// of a run (they depend only on the scenario).
pub struct LatencyTemplates {
    /// Bin edges [s], `GRID + 1` of them, the last one the timeout.
    edges: Vec<f64>,
    /// Per bucket: the probability mass of each bin, and the share beyond the timeout.
    buckets: Vec<OnceLock<(Vec<f64>, f64)>>,
    service: DurationDist,
    service_points: Vec<f64>,
    concurrency: u32,
    queue_limit: u32,
    capacity: f64,
}

impl LatencyTemplates {
    /// Templates for the scenario's instances and traffic (filled lazily).
    pub fn new(scenario: &Scenario, traffic: &Traffic) -> Self {
        let timeout = traffic.timeout.as_secs_f64();
        let lo = GRID_MIN_S.min(timeout / 10.0);
        let edges = (0..=GRID)
            .map(|k| lo * (timeout / lo).powf(k as f64 / GRID as f64))
            .collect();
        let service = traffic.service_time.clone();
        let service_points = (0..SERVICE_POINTS)
            .map(|j| service.quantile_secs((j as f64 + 0.5) / SERVICE_POINTS as f64))
            .collect();
        let concurrency = scenario.fleet.instance.concurrency;
        LatencyTemplates {
            edges,
            buckets: (0..=BUCKETS).map(|_| OnceLock::new()).collect(),
            capacity: concurrency as f64 / service.mean_secs().max(1e-12),
            service,
            service_points,
            concurrency,
            queue_limit: scenario.fleet.instance.queue_limit,
        }
    }

    fn bucket_of(&self, load: f64) -> usize {
        let rho = load / self.capacity;
        if rho >= 1.0 {
            BUCKETS
        } else {
            // Through u32: a cheaper saturating conversion than to usize, and as exact here.
            ((rho * BUCKETS as f64) as u32 as usize).min(BUCKETS - 1)
        }
    }

    /// The bin masses and beyond-timeout share of bucket `b`.
    fn template(&self, b: usize) -> &(Vec<f64>, f64) {
        self.buckets[b].get_or_init(|| self.compute(b))
    }

    fn compute(&self, b: usize) -> (Vec<f64>, f64) {
        let mean_s = self.service.mean_secs();
        // Wait: none with prob 1 − p, else exponential with mean θ; a saturated target's served
        // requests wait for the whole queue ahead of them.
        let (p_wait, theta, fixed) = if b == BUCKETS {
            (0.0, 1.0, self.queue_limit as f64 / self.capacity)
        } else {
            let lambda = (b as f64 + 0.5) / BUCKETS as f64 * self.capacity;
            let w = Wait::mgc(self.concurrency, lambda, mean_s, self.service.scv()).unwrap_or(Wait {
                p_wait: 1.0,
                mean_given_wait: f64::INFINITY,
            });
            (w.p_wait, w.mean_given_wait, 0.0)
        };
        let cdf = |x: f64| -> f64 {
            let x = x - fixed;
            let served = self.service.cdf_secs(x);
            if p_wait == 0.0 {
                return served;
            }
            let waited: f64 = self
                .service_points
                .iter()
                .map(|&s| if x > s { 1.0 - (-(x - s) / theta).exp() } else { 0.0 })
                .sum::<f64>()
                / SERVICE_POINTS as f64;
            (1.0 - p_wait) * served + p_wait * waited
        };
        let values: Vec<f64> = self.edges.iter().map(|&x| cdf(x)).collect();
        let masses = values.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect();
        let beyond = (1.0 - values[GRID]).max(0.0);
        // Anything below the first edge is counted in the first bin.
        let mut masses: Vec<f64> = masses;
        masses[0] += values[0];
        (masses, beyond)
    }

    /// Representative latency of bin `k` [µs]: the geometric mid-point.
    fn bin_value_us(&self, k: usize) -> u64 {
        ((self.edges[k] * self.edges[k + 1]).sqrt() * 1e6).round().max(1.0) as u64
    }
}

/// Accumulators of one trial's fluid traffic.
#[derive(Clone, Debug, Default)]
pub struct FluidState {
    segment_start: SimTime,
    flows: Flows,
    spike: f64,
    /// Logical requests and failed ones (fractional; rounded at the end of the trial).
    requests: f64,
    failed: f64,
    /// Answered requests per utilisation bucket (turned into latency bins at the end).
    answered: Vec<f64>,
    /// Answered requests per latency bin, once the trial is finished. A few hundred bins are all
    /// the fluid model can produce, so the trial keeps these instead of a full histogram: no
    /// clearing, scanning or merging of tens of thousands of histogram counts per trial.
    bins: Vec<u64>,
    /// Scratch: the distinct shares of the segment's working targets, and their counts.
    shares: Vec<(f64, f64)>,
    /// Scratch: the segment's pieces.
    pieces: Vec<Piece>,
    /// The wave's (sin, cos) at `segment_start`, once known (the previous segment's end).
    start_sines: Option<(f64, f64)>,
}

impl FluidState {
    pub(super) fn reset(&mut self) {
        self.segment_start = SimTime::ZERO;
        self.start_sines = None;
        self.flows = Flows::default();
        self.spike = 1.0;
        self.requests = 0.0;
        self.failed = 0.0;
        self.answered.clear();
        self.answered.resize(BUCKETS + 1, 0.0);
        self.bins.clear();
    }

    /// The latency [µs] at quantile `q` of the trial's answered requests, exactly as
    /// `value_at_quantile` of `like` would give it had they been recorded there; `None` when no
    /// request was answered.
    pub(super) fn latency_at_quantile(
        &self,
        templates: &LatencyTemplates,
        like: &Histogram<u64>,
        q: f64,
    ) -> Option<u64> {
        let total: u64 = self.bins.iter().sum();
        if total == 0 {
            return None;
        }
        // Bins are in increasing latency, so the first bin to reach the count lies in the
        // histogram bucket that would reach it first.
        let target = ((q.min(1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        let k = self.bins.iter().position(|&n| {
            seen += n;
            seen >= target
        })?;
        Some(like.highest_equivalent(templates.bin_value_us(k)))
    }

    /// Records the trial's answered requests into `pooled`.
    pub(super) fn add_latency_to(&self, templates: &LatencyTemplates, pooled: &mut Histogram<u64>) {
        for (k, &n) in self.bins.iter().enumerate() {
            if n > 0 {
                pooled.saturating_record_n(templates.bin_value_us(k), n);
            }
        }
    }
}

/// One evaluation of a stretch of time at a given load scale.
#[derive(Default)]
struct Tally {
    tries: f64,
    failed_tries: f64,
}

impl World<'_> {
    /// Closes the fluid segment that ends `now` and opens one with the current flows.
    pub(in crate::cloud) fn fluid_segment(&mut self, now: SimTime) {
        let Some(traffic) = self.scenario.traffic.as_ref() else {
            return;
        };
        let Some(t) = self.traffic.as_mut() else { return };
        if t.model != super::ResolvedModel::Fluid {
            return;
        }
        let (a, b) = (t.fluid.segment_start, now);
        if b > a {
            let spike = t.fluid.spike;
            // The wave's sine at each end, once: the previous segment ended where this one starts.
            let start = t.fluid.start_sines.unwrap_or_else(|| t.shape.sine_cosine(a));
            let end = t.shape.sine_cosine(b);
            t.fluid.start_sines = Some(end);
            let requests = t.shape.integral_with_sines(a, b, start.0, end.0);
            let offered = spike * requests;
            // Targets with the same share behave the same: evaluate each share once. The scratch
            // keeps its allocation from segment to segment.
            let shares = &mut t.fluid.shares;
            shares.clear();
            for &(_, w) in &t.fluid.flows.working {
                match shares.iter_mut().find(|(s, _)| *s == w) {
                    Some((_, n)) => *n += 1.0,
                    None => shares.push((w, 1.0)),
                }
            }
            pieces(&t.shape, (a, start), (b, end), t.piece_step, &mut t.fluid.pieces);
            let segment = Segment {
                a,
                b,
                requests,
                dead: t.fluid.flows.dead,
                shares: &t.fluid.shares,
                pieces: &t.fluid.pieces,
            };
            let failed_share = |tally: Tally| {
                if tally.tries > 0.0 {
                    (tally.failed_tries / tally.tries).min(1.0)
                } else {
                    0.0
                }
            };
            // The share of requests whose every try fails: p^(r + 1) at a per-try share p.
            let all_fail = if traffic.retries == 0 {
                // No retries: one evaluation gives both the failing share and the latency; p^1 is
                // p itself, without a `powi` call.
                failed_share(evaluate(
                    &t.shape,
                    &segment,
                    &t.templates,
                    spike,
                    Some(&mut t.fluid.answered),
                ))
            } else {
                // Fixed point of the retry load: tries per request m = 1 + p + … + p^r.
                let mut m = 1.0;
                let mut p = 0.0;
                for _ in 0..4 {
                    p = failed_share(evaluate(&t.shape, &segment, &t.templates, spike * m, None));
                    m = (0..=traffic.retries).map(|k| p.powi(k as i32)).sum();
                }
                evaluate(&t.shape, &segment, &t.templates, spike * m, Some(&mut t.fluid.answered));
                p.powi(traffic.retries as i32 + 1)
            };
            t.fluid.requests += offered;
            t.fluid.failed += offered * all_fail;
        }
        t.fluid.segment_start = now;
    }

    /// Follows the routing just computed: a segment ends only where the flows or the spike
    /// change. Most events change neither (a relaunch into a dark zone, a target nobody routes to
    /// going unhealthy), and a segment with the same flows simply goes on.
    pub(in crate::cloud) fn fluid_follow_routing(&mut self, now: SimTime) {
        let Some(t) = self.traffic.as_ref() else { return };
        if t.model != super::ResolvedModel::Fluid || (t.fluid.flows == t.flows && t.fluid.spike == t.spike) {
            return;
        }
        self.fluid_segment(now);
        let Some(t) = self.traffic.as_mut() else { return };
        // Field by field: a derived `clone_from` would allocate a new Vec each time.
        t.fluid.flows.dead = t.flows.dead;
        t.fluid.flows.working.clone_from(&t.flows.working);
        t.fluid.spike = t.spike;
    }

    /// Ends the trial's fluid traffic: counts, and answered requests into the latency histogram.
    pub(in crate::cloud) fn finish_fluid(&mut self, horizon: SimTime) {
        self.fluid_segment(horizon);
        let Some(t) = self.traffic.as_mut() else { return };
        if t.model != super::ResolvedModel::Fluid {
            return;
        }
        t.requests = t.fluid.requests.round() as u64;
        t.failed = (t.fluid.failed.round() as u64).min(t.requests);
        let mut bins = [0.0; GRID];
        for (bucket, &n) in t.fluid.answered.iter().enumerate() {
            if n > 0.0 {
                let (masses, _) = t.templates.template(bucket);
                for (bin, m) in bins.iter_mut().zip(masses) {
                    *bin += n * m;
                }
            }
        }
        t.fluid.bins.extend(bins.iter().map(|n| n.round() as u64));
    }
}

/// A segment of constant routing, as the evaluation needs it.
struct Segment<'a> {
    /// It covers `[a, b]`.
    a: SimTime,
    b: SimTime,
    /// ∫ rate over it, before spikes [requests].
    requests: f64,
    /// Share of the traffic that fails structurally.
    dead: f64,
    /// Distinct shares of the working targets, with how many targets have each.
    shares: &'a [(f64, f64)],
    /// Its stretches of nearly constant load (see [`pieces`]).
    pieces: &'a [Piece],
}

/// A stretch of a segment at nearly constant load, for latency and timeouts.
#[derive(Clone, Copy, Debug, Default)]
struct Piece {
    /// Its length [s].
    len_s: f64,
    /// ∫ rate over it, before spikes [requests].
    requests: f64,
    /// How many times it recurs within the segment (whole days repeat exactly).
    repeat: f64,
}

/// Tries and failed tries in the segment with the offered rate scaled by `scale`; with
/// `answered`, also adds the answered tries to the latency bins.
fn evaluate(
    shape: &LoadShape,
    segment: &Segment<'_>,
    templates: &LatencyTemplates,
    scale: f64,
    mut answered: Option<&mut Vec<f64>>,
) -> Tally {
    let (a, b) = (segment.a, segment.b);
    let tries = scale * segment.requests;
    let mut tally = Tally {
        tries,
        failed_tries: segment.dead * tries,
    };
    let capacity = templates.capacity;
    for &(w, count) in segment.shares {
        tally.failed_tries += count * shape.excess_integral(a, b, w * scale, capacity);
        for piece in segment.pieces {
            let load = w * scale * piece.requests / piece.len_s;
            let bucket = templates.bucket_of(load);
            // min(load, capacity) by a comparison: the same for every load (NaN gives the capacity
            // either way), in fewer instructions than `f64::min`.
            let served = if load < capacity { load } else { capacity } * piece.len_s * count * piece.repeat;
            let (_, beyond) = templates.template(bucket);
            tally.failed_tries += served * beyond;
            if let Some(by_bucket) = answered.as_deref_mut() {
                by_bucket[bucket] += served * (1.0 - beyond);
            }
        }
    }
    tally.failed_tries = tally.failed_tries.min(tally.tries);
    tally
}

/// Splits `[a, b]` into pieces of constant-enough load: one piece for constant traffic, hours for
/// diurnal traffic. Whole days repeat exactly, so a long segment costs at most two days of
/// pieces, the first day's with `repeat` > 1. The wave's (sin, cos) at each end are given, and
/// whole pieces advance its phase by the same step, whose (sin, cos) is `step`: so the sines
/// follow by rotation, sin(φ + δ) = sin φ·cos δ + cos φ·sin δ, without a libm call per piece.
fn pieces(
    shape: &LoadShape,
    (a, at_a): (SimTime, (f64, f64)),
    (b, at_b): (SimTime, (f64, f64)),
    (step_sin, step_cos): (f64, f64),
    out: &mut Vec<Piece>,
) {
    out.clear();
    if shape.amplitude == 0.0 {
        if b > a {
            out.push(Piece {
                len_s: (b - a).as_secs_f64(),
                requests: shape.integral(a, b),
                repeat: 1.0,
            });
        }
        return;
    }
    let piece_s = PIECE.as_secs_f64();
    // Whole days later the wave is where it was at `a`.
    let mut add = |from: SimTime, to: SimTime, repeat: f64, at_to: (f64, f64)| {
        let mut p = from;
        let (mut sin_p, mut cos_p) = at_a;
        // Whole pieces, all of the same length.
        while p + PIECE < to {
            let (sin_q, cos_q) = (sin_p * step_cos + cos_p * step_sin, cos_p * step_cos - sin_p * step_sin);
            out.push(Piece {
                len_s: piece_s,
                requests: shape.integral_of_span(piece_s, sin_p, sin_q),
                repeat,
            });
            (p, sin_p, cos_p) = (p + PIECE, sin_q, cos_q);
        }
        // The rest, up to `to`.
        if p < to {
            let len_s = (to - p).as_secs_f64();
            out.push(Piece {
                len_s,
                requests: shape.integral_of_span(len_s, sin_p, at_to.0),
                repeat,
            });
        }
    };
    let whole_days = (b - a).0 / SimTime::DAY.0;
    if whole_days >= 2 {
        add(a, a + SimTime::DAY, whole_days as f64, at_a);
        add(a + SimTime::DAY * whole_days, b, 1.0, at_b);
    } else {
        add(a, b, 1.0, at_b);
    }
}
