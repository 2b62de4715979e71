//! A mergeable log-linear histogram of `f64` values with a relative precision of 2^-10.
//!
//! Ordered by value, doubles are ordered by their bits; a bucket is 2^42 consecutive doubles,
//! i.e. a binade (`[2^e, 2^(e+1))`) cut into 1,024 equal parts, each 2^-10 (0.098 %) of the
//! binade's start wide. Zero has a bucket of its own. Each bucket keeps its count and the least
//! and greatest value recorded in it, so a bucket that saw a single value (zero, small counts)
//! gives it back exactly, and any value is estimated within half a bucket: 2^-11 ≈ 0.049 %.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Doubles per bucket: 2^42 of the 2^52 in a binade.
const BUCKET_SHIFT: u32 = 42;

/// What a bucket saw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    /// The least value recorded in it.
    pub min: f64,
    /// The greatest.
    pub max: f64,
    /// Values recorded in it.
    pub count: u64,
}

impl Bucket {
    /// The estimate of any value in the bucket: exact when it holds one value, else within half
    /// the bucket's width.
    pub fn value(&self) -> f64 {
        if self.min == self.max {
            self.min
        } else {
            self.min + (self.max - self.min) / 2.0
        }
    }
}

/// Buckets by key, ascending in value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogHistogram {
    buckets: BTreeMap<i64, Bucket>,
}

/// The bucket of `x`: its bits in value order (as `f64::total_cmp`), then the top bits.
fn key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    (bits ^ (((bits >> 63) as u64) >> 1) as i64) >> BUCKET_SHIFT
}

impl LogHistogram {
    /// Records one value.
    pub fn record(&mut self, x: f64) {
        self.merge_bucket(Bucket {
            min: x,
            max: x,
            count: 1,
        });
    }

    fn merge_bucket(&mut self, b: Bucket) {
        self.buckets
            .entry(key(b.min))
            .and_modify(|e| {
                e.min = e.min.min(b.min);
                e.max = e.max.max(b.max);
                e.count += b.count;
            })
            .or_insert(b);
    }

    /// Adds another histogram's buckets.
    pub fn add(&mut self, other: &LogHistogram) {
        for b in other.buckets.values() {
            self.merge_bucket(*b);
        }
    }

    /// The buckets that saw values, ascending.
    pub fn buckets(&self) -> impl DoubleEndedIterator<Item = &Bucket> + '_ {
        self.buckets.values()
    }

    /// Estimate of the `rank`-th smallest value (0-based); `None` past the last.
    pub fn order_statistic(&self, rank: u64) -> Option<f64> {
        let mut below = 0;
        for b in self.buckets.values() {
            below += b.count;
            if rank < below {
                return Some(b.value());
            }
        }
        None
    }
}

/// In files: `[min, max, count]` per bucket, ascending. The key is `min`'s, so reading back
/// gives the same buckets.
impl Serialize for LogHistogram {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.buckets.values().map(|b| (b.min, b.max, b.count)))
    }
}

impl<'de> Deserialize<'de> for LogHistogram {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let triples = Vec::<(f64, f64, u64)>::deserialize(deserializer)?;
        let mut h = LogHistogram::default();
        for (min, max, count) in triples {
            if key(min) != key(max) || min > max {
                return Err(serde::de::Error::custom(format!(
                    "histogram bucket [{min}, {max}] spans more than one bucket"
                )));
            }
            h.merge_bucket(Bucket { min, max, count });
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_a_tenth_of_a_percent_wide_and_ordered() {
        let mut h = LogHistogram::default();
        // 1.0 and 1.0009 share a bucket (width 2^-10 ≈ 0.000977); 1.001 starts the next.
        for x in [1.0009, 1.0, 1.001, 0.0, 1e-300, 3.0, 1e300] {
            h.record(x);
        }
        let b: Vec<(f64, f64, u64)> = h.buckets().map(|b| (b.min, b.max, b.count)).collect();
        assert_eq!(
            b,
            vec![
                (0.0, 0.0, 1),
                (1e-300, 1e-300, 1),
                (1.0, 1.0009, 2),
                (1.001, 1.001, 1),
                (3.0, 3.0, 1),
                (1e300, 1e300, 1)
            ]
        );
    }

    #[test]
    fn small_integers_are_exact_and_others_within_half_a_bucket() {
        let mut h = LogHistogram::default();
        for i in 0..2048u64 {
            h.record(i as f64);
        }
        for i in 0..2048u64 {
            assert_eq!(h.order_statistic(i), Some(i as f64));
        }
        assert_eq!(h.order_statistic(2048), None);
        let mut h = LogHistogram::default();
        let values: Vec<f64> = (0..10_000).map(|i| 1.0 + i as f64 * 1e-4).collect();
        for &v in &values {
            h.record(v);
        }
        for (rank, &v) in values.iter().enumerate() {
            let e = h.order_statistic(rank as u64).unwrap();
            assert!((e - v).abs() <= v * 2f64.powi(-11), "{v}: {e}");
        }
    }

    #[test]
    fn merging_and_reading_back_are_exact() {
        let values: Vec<f64> = (0..5000).map(|i| ((i * 7919) % 4999) as f64 * 0.37).collect();
        let mut whole = LogHistogram::default();
        values.iter().for_each(|&v| whole.record(v));
        let (mut a, mut b) = (LogHistogram::default(), LogHistogram::default());
        values[..1234].iter().for_each(|&v| a.record(v));
        values[1234..].iter().for_each(|&v| b.record(v));
        b.add(&a);
        assert_eq!(b, whole);
        let text = serde_json::to_string(&whole).unwrap();
        assert_eq!(serde_json::from_str::<LogHistogram>(&text).unwrap(), whole);
        assert!(serde_json::from_str::<LogHistogram>("[[1.0, 2.0, 3]]").is_err());
    }
}
