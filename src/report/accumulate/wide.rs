//! A 256-bit unsigned integer with just the arithmetic that exact sums of squares need: a sum of
//! squared 86-bit fixed-point values over 2^41 trials, and `n·Σq² − (Σq)²`, overflow 128 bits.

use std::fmt;
use std::str::FromStr;

/// An unsigned 256-bit integer, `hi · 2^128 + lo`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct U256 {
    hi: u128,
    lo: u128,
}

const LOW_64: u128 = u64::MAX as u128;

impl U256 {
    /// The full product of two 128-bit numbers.
    pub fn product(a: u128, b: u128) -> U256 {
        let (a1, a0) = (a >> 64, a & LOW_64);
        let (b1, b0) = (b >> 64, b & LOW_64);
        let low = a0 * b0;
        // The two middle products share a weight; each is < 2^128, their sum may not be.
        let (middle, middle_carry) = (a1 * b0).overflowing_add(a0 * b1);
        let (lo, low_carry) = low.overflowing_add(middle << 64);
        let hi = a1 * b1 + (middle >> 64) + ((middle_carry as u128) << 64) + low_carry as u128;
        U256 { hi, lo }
    }

    /// `self · m`.
    pub fn times(self, m: u64) -> U256 {
        let lo = U256::product(self.lo, m as u128);
        let hi = U256::product(self.hi, m as u128);
        assert!(hi.hi == 0, "products stay below 2^256 for fewer than 2^41 trials");
        lo + U256 { hi: hi.lo, lo: 0 }
    }

    /// The nearest `f64` (up to one rounding of each half).
    pub fn to_f64(self) -> f64 {
        self.hi as f64 * 2f64.powi(128) + self.lo as f64
    }
}

impl std::ops::Add for U256 {
    type Output = U256;

    /// Panics past 2^256 (more than 2^41 trials: see [`super::Moments`]).
    fn add(self, other: U256) -> U256 {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        let hi = self
            .hi
            .checked_add(other.hi)
            .and_then(|h| h.checked_add(carry as u128))
            .expect("sums of squares stay below 2^256 for fewer than 2^41 trials");
        U256 { hi, lo }
    }
}

impl std::ops::Sub for U256 {
    type Output = U256;

    /// For `self ≥ other`.
    fn sub(self, other: U256) -> U256 {
        let (lo, borrow) = self.lo.overflowing_sub(other.lo);
        let hi = self
            .hi
            .checked_sub(other.hi)
            .and_then(|h| h.checked_sub(borrow as u128))
            .expect("subtrahend not above the minuend");
        U256 { hi, lo }
    }
}

/// Hexadecimal, 64 digits: exact and easy to read back.
impl fmt::Display for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}{:032x}", self.hi, self.lo)
    }
}

/// Text that is not 1 to 64 hexadecimal digits.
#[derive(Debug, thiserror::Error)]
#[error("expected up to 64 hexadecimal digits, got {0:?}")]
pub struct ParseU256Error(String);

impl FromStr for U256 {
    type Err = ParseU256Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseU256Error(s.to_string());
        if s.is_empty() || s.len() > 64 {
            return Err(bad());
        }
        let split = s.len().saturating_sub(32);
        let part = |t: &str| {
            if t.is_empty() {
                Ok(0)
            } else {
                u128::from_str_radix(t, 16).map_err(|_| bad())
            }
        };
        Ok(U256 {
            hi: part(&s[..split])?,
            lo: part(&s[split..])?,
        })
    }
}

impl serde::Serialize for U256 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for U256 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_match_128_bit_arithmetic_where_it_fits() {
        for (a, b) in [
            (0u128, 5u128),
            (3, 7),
            (u64::MAX as u128, u64::MAX as u128),
            (1 << 100, 1 << 27),
        ] {
            assert_eq!(U256::product(a, b), U256 { hi: 0, lo: a * b });
        }
    }

    #[test]
    fn products_beyond_128_bits() {
        // (2^128 − 1)² = 2^256 − 2^129 + 1.
        let p = U256::product(u128::MAX, u128::MAX);
        assert_eq!(
            p,
            U256 {
                hi: u128::MAX - 1,
                lo: 1
            }
        );
        // 2^64 · 2^64 = 2^128.
        assert_eq!(U256::product(1 << 64, 1 << 64), U256 { hi: 1, lo: 0 });
        // Carries from both middle products: (2^128 − 1)(2^64 + 1).
        let p = U256::product(u128::MAX, (1 << 64) + 1);
        let expected = U256::product(u128::MAX, 1 << 64) + U256 { hi: 0, lo: u128::MAX };
        assert_eq!(p, expected);
    }

    #[test]
    fn add_sub_and_times_carry() {
        let big = U256 { hi: 0, lo: u128::MAX };
        let two = big + big;
        assert_eq!(
            two,
            U256 {
                hi: 1,
                lo: u128::MAX - 1
            }
        );
        assert_eq!(two - big, big);
        assert_eq!(big.times(2), two);
        assert_eq!(
            U256 { hi: 3, lo: 5 }.times(1 << 40),
            U256 {
                hi: 3 << 40,
                lo: 5 << 40
            }
        );
        assert_eq!(two.to_f64(), 2f64.powi(129));
    }

    #[test]
    fn text_round_trips() {
        let x = U256::product(u128::MAX, 12_345);
        assert_eq!(x.to_string().parse::<U256>().unwrap(), x);
        assert_eq!("ff".parse::<U256>().unwrap(), U256 { hi: 0, lo: 255 });
        assert!("".parse::<U256>().is_err());
        assert!("xyz".parse::<U256>().is_err());
    }
}
