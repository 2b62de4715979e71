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

/// A rate compared with the curve again and again (a scaling alarm's threshold, say): the phase
/// at which the curve crosses it costs an `acos`, so it is worked out once, here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    /// The rate [req/s].
    pub rate: f64,
    /// The curve is above `rate` within ±`base` of the peak's phase [rad] (when it `crosses`).
    base: f64,
    crosses: bool,
    /// When it never crosses: whether the curve is above `rate` all the time, or below it.
    always_above: bool,
    always_below: bool,
}

impl Level {
    /// +∞: the curve is never above it.
    pub const NEVER_ABOVE: Level = Level {
        rate: f64::INFINITY,
        base: 0.0,
        crosses: false,
        always_above: false,
        always_below: true,
    };
    /// −∞: the curve is never below it.
    pub const NEVER_BELOW: Level = Level {
        rate: f64::NEG_INFINITY,
        base: 0.0,
        crosses: false,
        always_above: true,
        always_below: false,
    };
}

/// ⌊x⌋ for |x| < 2⁵¹ (phases here are a few thousand turns at most): `f64::floor` is a libm
/// call on baseline x86-64 (no SSE4.1), and a cast to an integer carries saturation checks.
/// Adding and taking away 1.5·2⁵² rounds to the nearest integer exactly.
fn floor(x: f64) -> f64 {
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let nearest = (x + ROUND) - ROUND;
    if nearest > x {
        nearest - 1.0
    } else {
        nearest
    }
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
        let wave = self.amplitude * DAY_S / TAU * (sine_1 - sine_0);
        self.mean * ((t1 - t0).as_secs_f64() + wave)
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

    /// `rate` as a [`Level`] of this curve: where the curve crosses it, worked out once.
    pub fn level(&self, rate: f64) -> Level {
        if self.amplitude == 0.0 {
            return Level {
                rate,
                base: 0.0,
                crosses: false,
                always_above: self.mean > rate,
                always_below: self.mean < rate,
            };
        }
        let k = (rate / self.mean - 1.0) / self.amplitude;
        if (-1.0..1.0).contains(&k) {
            // rate(t) > level ⇔ cos φ > k ⇔ φ within ±acos k of the peak (mod 2π).
            Level {
                rate,
                base: k.acos(),
                crosses: true,
                always_above: false,
                always_below: false,
            }
        } else {
            Level {
                rate,
                base: 0.0,
                crosses: false,
                always_above: k < -1.0,
                always_below: k >= 1.0, // k = 1: below but for the instant of the peak
            }
        }
    }

    /// Whether the rate at `t` is above `level`: rate(t) > level.rate, decided from the phase
    /// alone (no cosine), consistently with [`next_crossing_of`](Self::next_crossing_of).
    pub fn above(&self, t: SimTime, level: &Level) -> bool {
        if !level.crosses {
            return level.always_above;
        }
        self.distance_from_peak(t) < level.base
    }

    /// Whether the rate at `t` is below `level`, as [`above`](Self::above) decides it.
    pub fn below(&self, t: SimTime, level: &Level) -> bool {
        if !level.crosses {
            return level.always_below;
        }
        self.distance_from_peak(t) > level.base
    }

    /// How far the phase at `t` is from the peak's, either way [rad, 0..=π].
    fn distance_from_peak(&self, t: SimTime) -> f64 {
        let phase = self.phase(t.as_secs_f64());
        (phase - TAU * floor(phase / TAU + 0.5)).abs()
    }

    /// The first time after `t` at which the rate crosses `level` (either way), if it ever does.
    pub fn next_crossing(&self, t: SimTime, level: f64) -> Option<SimTime> {
        self.next_crossing_of(t, &self.level(level))
    }

    /// [`next_crossing`](Self::next_crossing) of a level worked out before.
    pub fn next_crossing_of(&self, t: SimTime, level: &Level) -> Option<SimTime> {
        if !level.crosses {
            return None;
        }
        let base = level.base; // crossings at phase ±base + 2πj
        let phase = self.phase(t.as_secs_f64());
        let turns = floor(phase / TAU);
        let candidates = [-base, base, TAU - base, TAU + base];
        let next = candidates
            .iter()
            .map(|c| turns * TAU + c)
            .filter(|&p| p > phase + 1e-9)
            .fold(f64::INFINITY, f64::min);
        let secs = self.peak_s + next * DAY_S / TAU;
        // One microsecond past the crossing, so that the rate is on its new side there.
        Some(SimTime::from_secs_f64(secs) + SimTime(1))
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
        // The phase test must agree with comparing rates, away from the crossings themselves.
        let s = diurnal();
        for rate in [
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
        ] {
            let level = s.level(rate);
            for i in 0..2_000 {
                let t = SimTime::from_secs(i * 173);
                let r = s.rate(t);
                if (r - rate).abs() > 1e-6 {
                    assert_eq!(s.above(t, &level), r > rate, "{rate} at {t:?}");
                    assert_eq!(s.below(t, &level), r < rate, "{rate} at {t:?}");
                }
            }
            assert_eq!(
                s.next_crossing_of(SimTime::ZERO, &level),
                s.next_crossing(SimTime::ZERO, rate)
            );
        }
        let flat = LoadShape::new(100.0, TrafficShape::Constant);
        assert!(flat.above(SimTime::ZERO, &flat.level(99.0)) && !flat.above(SimTime::ZERO, &flat.level(100.0)));
        assert!(flat.below(SimTime::ZERO, &flat.level(101.0)) && !flat.below(SimTime::ZERO, &flat.level(100.0)));
        assert_eq!(floor(-0.5), -1.0);
        assert_eq!(floor(2.0), 2.0);
        assert_eq!(floor(-3.0), -3.0);
        for x in [
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            1e6 + 0.75,
            -1e6 - 0.25,
            123.0,
        ] {
            assert_eq!(floor(x), x.floor(), "{x}");
        }
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
