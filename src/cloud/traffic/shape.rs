//! The offered load over time: a constant rate, or a daily sinusoid, times any traffic spikes.

use std::f64::consts::TAU;

use crate::kernel::SimTime;
use crate::scenario::TrafficShape;

const DAY_S: f64 = 86_400.0;

/// Requests per second as a function of time, in closed form so it can be integrated exactly.
#[derive(Clone, Copy, Debug)]
pub struct LoadShape {
    /// Mean rate [req/s].
    pub mean: f64,
    /// Relative amplitude a of `1 + a·cos(2π(t − peak)/day)`; 0 for constant traffic.
    pub amplitude: f64,
    /// Time of day of the peak [s].
    pub peak_s: f64,
}

/// A rate compared with the curve again and again (a scaling alarm's threshold, say). Where the
/// curve crosses it costs an `acos`, so it is worked out once, here, as the two microseconds of
/// the day at which the curve rises through it and falls through it; after that, comparing and
/// finding the next crossing are integer arithmetic on the time of day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    /// The rate [req/s].
    pub rate: f64,
    side: Side,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    /// The curve is above the level all the time.
    Above,
    /// The curve is below it all the time (or touches it only at an instant).
    Below,
    /// Constant traffic exactly at the level: neither above nor below it.
    On,
    /// The curve is above it from the microsecond of the day after `rises` to `falls` inclusive
    /// (cyclically), and below it otherwise.
    Crossing { rises: u64, falls: u64 },
}

impl Level {
    /// +∞: the curve is never above it.
    pub const NEVER_ABOVE: Level = Level {
        rate: f64::INFINITY,
        side: Side::Below,
    };
    /// −∞: the curve is never below it.
    pub const NEVER_BELOW: Level = Level {
        rate: f64::NEG_INFINITY,
        side: Side::Above,
    };
}

/// The microsecond of the day at `secs`, which is within a day of day 0 (a peak's time of day
/// give or take half a day); no `rem_euclid`, which is a libm call.
fn time_of_day_us(secs: f64) -> u64 {
    let secs = if secs < 0.0 {
        secs + DAY_S
    } else if secs >= DAY_S {
        secs - DAY_S
    } else {
        secs
    };
    SimTime::from_secs_f64(secs).0 % SimTime::DAY.0
}

impl LoadShape {
    /// The shape of `[traffic]`. A peak-to-trough ratio p gives amplitude (p − 1)/(p + 1), so
    /// that max/min = p and the daily mean is `rate`.
    pub fn new(rate: f64, shape: TrafficShape) -> Self {
        match shape {
            TrafficShape::Constant => LoadShape {
                mean: rate,
                amplitude: 0.0,
                peak_s: 0.0,
            },
            TrafficShape::Diurnal {
                peak_to_trough,
                peak_at,
            } => LoadShape {
                mean: rate,
                amplitude: (peak_to_trough - 1.0) / (peak_to_trough + 1.0),
                peak_s: peak_at.as_secs_f64(),
            },
        }
    }

    fn phase(&self, t_s: f64) -> f64 {
        TAU * (t_s - self.peak_s) / DAY_S
    }

    /// Rate at `t` [req/s].
    pub fn rate(&self, t: SimTime) -> f64 {
        self.mean * (1.0 + self.amplitude * self.phase(t.as_secs_f64()).cos())
    }

    /// The highest rate of the day [req/s].
    pub fn max_rate(&self) -> f64 {
        self.mean * (1.0 + self.amplitude)
    }

    /// sin and cos of the daily wave's phase at `t`: [`integral`](Self::integral) needs the sine
    /// at each end, so adjacent intervals can share it (and step it by rotation).
    pub fn sine_cosine(&self, t: SimTime) -> (f64, f64) {
        self.phase(t.as_secs_f64()).sin_cos()
    }

    /// How far the wave's phase advances in `span` [rad].
    pub fn phase_step(&self, span: SimTime) -> f64 {
        TAU * span.as_secs_f64() / DAY_S
    }

    /// [`integral`](Self::integral) over `[t0, t1]` given [`sine`](Self::sine) at each end.
    pub fn integral_with_sines(&self, t0: SimTime, t1: SimTime, sine_0: f64, sine_1: f64) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        self.integral_of_span((t1 - t0).as_secs_f64(), sine_0, sine_1)
    }

    /// [`integral_with_sines`](Self::integral_with_sines) over an interval of `span_s` seconds,
    /// for a caller that knows the length already.
    pub fn integral_of_span(&self, span_s: f64, sine_0: f64, sine_1: f64) -> f64 {
        let wave = self.amplitude * DAY_S / TAU * (sine_1 - sine_0);
        self.mean * (span_s + wave)
    }

    /// Expected requests in `[t0, t1]`: ∫ rate dt.
    pub fn integral(&self, t0: SimTime, t1: SimTime) -> f64 {
        let (a, b) = (t0.as_secs_f64(), t1.as_secs_f64());
        if b <= a {
            return 0.0;
        }
        let wave = if self.amplitude == 0.0 {
            0.0
        } else {
            self.amplitude * DAY_S / TAU * (self.phase(b).sin() - self.phase(a).sin())
        };
        self.mean * ((b - a) + wave)
    }

    /// `rate` as a [`Level`] of this curve.
    pub fn level(&self, rate: f64) -> Level {
        let side = if self.amplitude == 0.0 {
            match self.mean.partial_cmp(&rate) {
                Some(std::cmp::Ordering::Greater) => Side::Above,
                Some(std::cmp::Ordering::Equal) => Side::On,
                _ => Side::Below,
            }
        } else {
            let k = (rate / self.mean - 1.0) / self.amplitude;
            if k < -1.0 {
                Side::Above
            } else if k.is_nan() || k >= 1.0 {
                Side::Below
            } else {
                // rate(t) > level ⇔ cos φ > k ⇔ φ within ±acos k of the peak's phase.
                let half = k.acos() * DAY_S / TAU;
                let rises = time_of_day_us(self.peak_s - half);
                let falls = time_of_day_us(self.peak_s + half);
                match (rises == falls, half < DAY_S / 4.0) {
                    (true, true) => Side::Below,  // above for less than a microsecond a day
                    (true, false) => Side::Above, // below for less than a microsecond a day
                    (false, _) => Side::Crossing { rises, falls },
                }
            }
        };
        Level { rate, side }
    }

    /// Whether the rate at `t` is above `level` (as placed on the curve, to the microsecond).
    pub fn above(&self, t: SimTime, level: &Level) -> bool {
        match level.side {
            Side::Above => true,
            Side::Below | Side::On => false,
            Side::Crossing { rises, falls } => {
                let day = t.0 % SimTime::DAY.0;
                if rises < falls {
                    rises < day && day <= falls
                } else {
                    rises < day || day <= falls
                }
            }
        }
    }

    /// Whether the rate at `t` is below `level`: not above it, but for constant traffic exactly
    /// at the level (a sinusoid equals it only at the crossings themselves).
    pub fn below(&self, t: SimTime, level: &Level) -> bool {
        level.side != Side::On && !self.above(t, level)
    }

    /// The first time after `t` at which the rate crosses `level` (either way), if it ever does.
    pub fn next_crossing(&self, t: SimTime, level: f64) -> Option<SimTime> {
        self.next_crossing_of(t, &self.level(level))
    }

    /// [`next_crossing`](Self::next_crossing) of a level placed on the curve before: the first
    /// microsecond after `t` on the new side.
    pub fn next_crossing_of(&self, t: SimTime, level: &Level) -> Option<SimTime> {
        let Side::Crossing { rises, falls } = level.side else {
            return None;
        };
        let midnight = t.0 - t.0 % SimTime::DAY.0;
        let after = |edge: u64| {
            let at = midnight + edge + 1;
            if at > t.0 {
                at
            } else {
                at + SimTime::DAY.0
            }
        };
        Some(SimTime(after(rises).min(after(falls))))
    }

    /// ∫ max(0, w·rate − cap) dt over `[t0, t1]`: the requests beyond a capacity `cap` [req/s]
    /// of a target that gets the share `w` of the traffic.
    pub fn excess_integral(&self, t0: SimTime, t1: SimTime, w: f64, cap: f64) -> f64 {
        if w <= 0.0 || t1 <= t0 {
            return 0.0;
        }
        if w * self.max_rate() <= cap {
            return 0.0;
        }
        let level = cap / w;
        let mut total = 0.0;
        let mut a = t0;
        while a < t1 {
            let b = self.next_crossing(a, level).map_or(t1, |c| c.min(t1));
            let mid = SimTime(a.0 + (b.0 - a.0) / 2);
            if self.rate(mid) > level {
                total += w * self.integral(a, b) - cap * (b - a).as_secs_f64();
            }
            a = b;
        }
        total.max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diurnal() -> LoadShape {
        LoadShape::new(
            100.0,
            TrafficShape::Diurnal {
                peak_to_trough: 3.0,
                peak_at: SimTime::from_secs(14 * 3600),
            },
        )
    }

    #[test]
    fn peak_and_trough_and_daily_mean() {
        let s = diurnal();
        assert!((s.rate(SimTime::from_secs(14 * 3600)) - 150.0).abs() < 1e-9);
        assert!((s.rate(SimTime::from_secs(2 * 3600)) - 50.0).abs() < 1e-9);
        // Over whole days the mean rate is `rate`.
        assert!((s.integral(SimTime::ZERO, SimTime::DAY * 3) - 100.0 * 3.0 * DAY_S).abs() < 1e-3);
    }

    #[test]
    fn integral_from_shared_sines_is_the_integral() {
        let s = diurnal();
        let (a, b) = (SimTime::from_secs(5_000), SimTime::from_secs(50_000));
        let from_sines = s.integral_with_sines(a, b, s.sine_cosine(a).0, s.sine_cosine(b).0);
        assert!((from_sines - s.integral(a, b)).abs() < 1e-9 * s.integral(a, b));
    }

    #[test]
    fn integral_matches_midpoint_sum() {
        let s = diurnal();
        let (a, b) = (SimTime::from_secs(5_000), SimTime::from_secs(50_000));
        let n = 100_000;
        let dt = (b - a).as_secs_f64() / n as f64;
        let sum: f64 = (0..n)
            .map(|i| s.rate(SimTime::from_secs_f64(a.as_secs_f64() + (i as f64 + 0.5) * dt)) * dt)
            .sum();
        assert!((s.integral(a, b) - sum).abs() < 1e-3 * sum);
    }

    #[test]
    fn crossings_are_where_the_rate_equals_the_level() {
        let s = diurnal();
        let mut t = SimTime::ZERO;
        for _ in 0..6 {
            t = s.next_crossing(t, 120.0).unwrap();
            assert!((s.rate(t) - 120.0).abs() < 1e-3, "{}", s.rate(t));
        }
        assert!(t < SimTime::DAY * 4);
        assert_eq!(s.next_crossing(SimTime::ZERO, 200.0), None);
    }

    #[test]
    fn levels_decide_as_the_rate_does() {
        // Comparing with a placed level agrees with comparing rates, away from the crossings
        // themselves (a microsecond there is ~4e-9 req/s of this curve's slope).
        let s = diurnal();
        let rates = [
            49.0,
            50.0,
            75.0,
            100.0,
            120.0,
            149.9,
            150.0,
            151.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for rate in rates {
            let level = s.level(rate);
            for i in 0..2_000 {
                let t = SimTime::from_secs(i * 173);
                let r = s.rate(t);
                if (r - rate).abs() > 1e-6 {
                    assert_eq!(s.above(t, &level), r > rate, "{rate} at {t:?}");
                    assert_eq!(s.below(t, &level), r < rate, "{rate} at {t:?}");
                }
            }
            // Each crossing is the first microsecond on the new side, and nothing changes before.
            let mut t = SimTime::from_secs(1234);
            for _ in 0..5 {
                let Some(c) = s.next_crossing_of(t, &level) else { break };
                assert!(c > t);
                assert_ne!(s.above(c, &level), s.above(c - SimTime(1), &level), "{rate} at {c:?}");
                assert_eq!(
                    s.above(t, &level),
                    s.above(c - SimTime(1), &level),
                    "{rate} before {c:?}"
                );
                t = c;
            }
        }
        let flat = LoadShape::new(100.0, TrafficShape::Constant);
        let (low, on, high) = (flat.level(99.0), flat.level(100.0), flat.level(101.0));
        assert!(flat.above(SimTime::ZERO, &low) && !flat.below(SimTime::ZERO, &low));
        assert!(!flat.above(SimTime::ZERO, &on) && !flat.below(SimTime::ZERO, &on));
        assert!(!flat.above(SimTime::ZERO, &high) && flat.below(SimTime::ZERO, &high));
        assert_eq!(flat.next_crossing_of(SimTime::ZERO, &on), None);
    }

    #[test]
    fn excess_matches_brute_force() {
        let s = diurnal();
        let (a, b) = (SimTime::ZERO, SimTime::DAY * 2);
        let (w, cap) = (0.5, 60.0); // the target is over capacity when rate > 120
        let n = 200_000;
        let dt = (b - a).as_secs_f64() / n as f64;
        let brute: f64 = (0..n)
            .map(|i| (w * s.rate(SimTime::from_secs_f64((i as f64 + 0.5) * dt)) - cap).max(0.0) * dt)
            .sum();
        let exact = s.excess_integral(a, b, w, cap);
        assert!((exact - brute).abs() < 1e-3 * brute, "{exact} vs {brute}");
    }
}
