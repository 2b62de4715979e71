use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// A point in simulated time, or a span of it, in whole microseconds since the trial began.
///
/// Integer time keeps event order exact: two events scheduled for the same instant really are
/// simultaneous, and ties are broken explicitly by the queue rather than by rounding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of every trial.
    pub const ZERO: SimTime = SimTime(0);
    /// Later than any event of any trial; used as "never".
    pub const NEVER: SimTime = SimTime(u64::MAX);
    /// One millisecond [µs].
    pub const MILLISECOND: SimTime = SimTime(1_000);
    /// One second [µs].
    pub const SECOND: SimTime = SimTime(1_000_000);
    /// One minute [µs].
    pub const MINUTE: SimTime = SimTime(60_000_000);
    /// One hour [µs].
    pub const HOUR: SimTime = SimTime(3_600_000_000);
    /// One day [µs].
    pub const DAY: SimTime = SimTime(86_400_000_000);

    /// From seconds, rounded to the nearest microsecond and saturating at [`SimTime::NEVER`].
    pub fn from_secs_f64(secs: f64) -> SimTime {
        // `as` saturates (and maps NaN to 0), so adding ½ and truncating rounds without `round()`,
        // which is a libm call on the hot path of every draw.
        SimTime((secs * 1e6 + 0.5) as u64)
    }

    /// Whole seconds.
    pub const fn from_secs(secs: u64) -> SimTime {
        SimTime(secs * 1_000_000)
    }

    /// This time in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// This time in minutes.
    pub fn as_minutes_f64(self) -> f64 {
        self.0 as f64 / 60e6
    }

    /// This time in hours.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / 3600e6
    }

    /// `self - earlier`, or zero when `earlier` is later.
    pub fn saturating_sub(self, earlier: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(earlier.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    /// Saturates, so that "never + anything" stays never.
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for SimTime {
    fn add_assign(&mut self, rhs: SimTime) {
        *self = *self + rhs;
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        self.saturating_sub(rhs)
    }
}

impl Mul<u64> for SimTime {
    type Output = SimTime;
    /// Saturates at [`SimTime::NEVER`].
    fn mul(self, rhs: u64) -> SimTime {
        SimTime(self.0.saturating_mul(rhs))
    }
}

impl fmt::Display for SimTime {
    /// Prints as seconds with microsecond precision, e.g. `93.250000s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}s", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        assert_eq!(SimTime::from_secs_f64(1.5), SimTime(1_500_000));
        assert_eq!(SimTime::from_secs(60), SimTime::MINUTE);
        assert_eq!(SimTime::HOUR.as_minutes_f64(), 60.0);
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::INFINITY), SimTime::NEVER);
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime::NEVER + SimTime::DAY, SimTime::NEVER);
        assert_eq!(SimTime::SECOND - SimTime::MINUTE, SimTime::ZERO);
        assert_eq!(format!("{}", SimTime(93_250_000)), "93.250000s");
    }
}
