//! Exact, mergeable sums for means and variances.
//!
//! Each value is rounded once to a multiple of `2^-bits` (its fixed-point form `q`), and the
//! count, `Σq` and `Σq²` are kept as integers. Integer addition is exact and does not depend on
//! order, so any split of the trials over threads, blocks or shards adds up to the same bits,
//! and the variance comes from `n·Σq² − (Σq)²` without cancellation.

use primitive_types::{U128, U256};
use serde::{Deserialize, Serialize};

use crate::report::stats::t_quantile_975;

/// Resolution of availability-like values, kept as their shortfall `1 − x ∈ [0, 1]`: 2^-64
/// (5.4 × 10⁻²⁰), far below the smallest unavailability a trial can show (1 µs in a year is
/// 3 × 10⁻¹⁴).
pub const SHORTFALL_BITS: u32 = 64;
/// Resolution of minutes, hours, dollars and counts: 2^-40 (9.1 × 10⁻¹³, about one rounding step
/// of a double near 4,000); magnitudes up to 2^46 (7 × 10¹³).
pub const LINEAR_BITS: u32 = 40;

/// `|q| < 2^86` keeps `Σq` within `i128` and `n·Σq²` within 256 bits for up to 2^41 trials.
const MAX_FIXED: i128 = (1 << 86) - 1;

/// `x²`, exactly: the square of a 128-bit number fits in 256 bits. (`U256`'s arithmetic panics
/// on overflow rather than wrap, so sums past the range above stop a run, not skew a variance.)
fn square(x: u128) -> U256 {
    // A 2-by-2-limb product: a fifth of a 4-by-4 one with its overflow checks.
    U128::from(x).full_mul(U128::from(x))
}

/// `2^bits`, exactly, without a call to `powi` (it runs for every metric of every trial).
fn power_of_two(bits: u32) -> f64 {
    if bits < 1024 {
        f64::from_bits((1023 + u64::from(bits)) << 52)
    } else {
        f64::INFINITY
    }
}

/// Count, sum and sum of squares of values in fixed point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Values are rounded to multiples of 2^-`resolution_bits`.
    pub resolution_bits: u32,
    /// Values recorded.
    pub count: u64,
    /// `Σq`, `q = round(x · 2^resolution_bits)`.
    pub sum: i128,
    /// `Σq²`, exact; in files a hexadecimal string, `"0x…"` (read with or without the `0x`: files
    /// from before it had none).
    pub sum_of_squares: U256,
}

impl Moments {
    /// No values yet, at a resolution of 2^-`bits`.
    pub fn new(bits: u32) -> Moments {
        Moments {
            resolution_bits: bits,
            count: 0,
            sum: 0,
            sum_of_squares: U256::zero(),
        }
    }

    fn fixed(&self, x: f64) -> i128 {
        // Scaling by a power of two is exact; `as` saturates (and maps NaN to 0), and the clamp
        // keeps the sums' headroom for values beyond any scenario's reach.
        ((x * power_of_two(self.resolution_bits)).round() as i128).clamp(-MAX_FIXED, MAX_FIXED)
    }

    /// Adds one value.
    pub fn record(&mut self, x: f64) {
        self.count += 1;
        // Many metrics are zero in most trials (spot, scaling, cost parts): nothing to add.
        if x == 0.0 {
            return;
        }
        let q = self.fixed(x);
        self.sum += q;
        self.sum_of_squares += square(q.unsigned_abs());
    }

    /// Adds the values of `other` (taken at the same resolution).
    pub fn add(&mut self, other: &Moments) {
        assert_eq!(
            self.resolution_bits, other.resolution_bits,
            "same metric, same resolution"
        );
        self.count += other.count;
        self.sum += other.sum;
        self.sum_of_squares += other.sum_of_squares;
    }

    fn scale(&self) -> f64 {
        2f64.powi(-(self.resolution_bits as i32))
    }

    /// The mean of the (rounded) values; NaN without values.
    pub fn mean(&self) -> f64 {
        self.sum as f64 / self.count as f64 * self.scale()
    }

    /// The sample variance (`n − 1` in the denominator); 0 for one value, NaN for none.
    pub fn variance(&self) -> f64 {
        match self.count {
            0 => f64::NAN,
            1 => 0.0,
            n => {
                // Never negative: n·Σq² ≥ (Σq)² for any integers (Cauchy–Schwarz).
                let spread = self.sum_of_squares * U256::from(n) - square(self.sum.unsigned_abs());
                // "Lossy" only as any float is: it rounds to the nearest double, once.
                spread.to_f64_lossy() / n as f64 / (n - 1) as f64 * self.scale() * self.scale()
            }
        }
    }

    /// Half-width of the Student-t 95 % CI of the mean; 0 for one value, NaN for none.
    pub fn ci95_half_width(&self) -> f64 {
        match self.count {
            0 => f64::NAN,
            1 => 0.0,
            n => t_quantile_975((n - 1) as usize) * self.variance().sqrt() / (n as f64).sqrt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(bits: u32, values: &[f64]) -> Moments {
        let mut m = Moments::new(bits);
        for &v in values {
            m.record(v);
        }
        m
    }

    #[test]
    fn powers_of_two_are_exact() {
        for bits in [0, 1, 40, 64, 1023] {
            assert_eq!(power_of_two(bits), 2f64.powi(bits as i32));
        }
        assert_eq!(power_of_two(1024), f64::INFINITY);
    }

    #[test]
    fn mean_and_variance_of_known_values() {
        let m = of(LINEAR_BITS, &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((m.mean(), m.variance()), (3.0, 2.5));
        assert_eq!(of(LINEAR_BITS, &[7.0]).variance(), 0.0);
        assert!(of(LINEAR_BITS, &[]).mean().is_nan());
    }

    #[test]
    fn any_split_and_order_gives_the_same_bits() {
        let values: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1013) as f64 * 0.001_37 + 1e-9)
            .collect();
        let whole = of(SHORTFALL_BITS, &values);
        let mut parts = of(SHORTFALL_BITS, &values[600..]);
        parts.add(&of(SHORTFALL_BITS, &values[..250]));
        parts.add(&of(SHORTFALL_BITS, &values[250..600]));
        assert_eq!(parts, whole);
        let mut reversed = values.clone();
        reversed.reverse();
        assert_eq!(of(SHORTFALL_BITS, &reversed), whole);
    }

    #[test]
    fn a_tiny_spread_on_a_large_value_survives() {
        // Naive f64 Σx² − (Σx)²/n loses everything here; the integer form does not.
        let values: Vec<f64> = (0..1000).map(|i| 1e6 + if i % 2 == 0 { 1e-3 } else { -1e-3 }).collect();
        let m = of(LINEAR_BITS, &values);
        let expected = 1e-6 * 1000.0 / 999.0;
        assert!((m.variance() - expected).abs() < 1e-6 * expected, "{}", m.variance());
    }

    #[test]
    fn the_spread_is_exact_at_the_top_of_the_range() {
        // Two values just below 2^86 / 2^40 = 2^46, 2^-7 apart, each taken 2^40 times: n = 2^41,
        // Σq just below 2^127 and n·Σq² near 2^254, where the spread n·Σq² − (Σq)² is 2^146:
        // 108 bits below, out of reach of any float, and right only if the sums are exact.
        let (a, b) = (2f64.powi(46) - 2f64.powi(-7), 2f64.powi(46) - 2f64.powi(-6));
        let mut m = of(LINEAR_BITS, &[a, b]);
        for _ in 0..40 {
            m.add(&m.clone());
        }
        assert_eq!(m.count, 1 << 41);
        // Sample variance of two equally frequent values: (n / (n − 1)) · ((a − b) / 2)².
        let n = m.count as f64;
        assert_eq!(m.variance(), n / (n - 1.0) * 2f64.powi(-16));
    }

    #[test]
    fn files_from_before_still_read() {
        // Σq² used to be written as 64 bare hexadecimal digits; one made of decimal digits only
        // must still read as hexadecimal (0x19 = 25), not as decimal.
        let old = format!(
            r#"{{"resolution_bits":40,"count":1,"sum":5,"sum_of_squares":"{:0>64}"}}"#,
            "19"
        );
        let m: Moments = serde_json::from_str(&old).unwrap();
        assert_eq!(m.sum_of_squares, U256::from(25u8));
    }

    #[test]
    fn serde_keeps_every_bit() {
        let m = of(SHORTFALL_BITS, &[0.25, 1.0, 3e-12]);
        let text = serde_json::to_string(&m).unwrap();
        // The form `nines merge` reads back and README describes: hexadecimal in a string.
        assert!(text.contains(r#""sum_of_squares":"0x"#), "{text}");
        assert_eq!(serde_json::from_str::<Moments>(&text).unwrap(), m);
    }
}
