//! Splitting one run's trials into shards that can run anywhere and be merged exactly.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`: a contiguous block of trial indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1..=count.
    pub index: u64,
    /// ≥ 1.
    pub count: u64,
}

/// A `--shard` value that is not `K/N` with 1 ≤ K ≤ N.
#[derive(Debug, thiserror::Error)]
#[error("--shard {0:?}: expected K/N with 1 <= K <= N, e.g. 2/8")]
pub struct ShardError(pub String);

impl FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ShardError(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole run as one shard.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// This shard's trials out of `total`: blocks differ in size by at most one.
    pub fn trials(&self, total: u64) -> Range<u64> {
        let bound = |k: u64| ((total as u128 * k as u128) / self.count as u128) as u64;
        bound(self.index - 1)..bound(self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_trials() {
        for total in [0u64, 1, 7, 1000, 1001] {
            for count in 1..=9u64 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.trials(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!("2/8".parse::<Shard>().unwrap(), Shard { index: 2, count: 8 });
        for bad in ["0/3", "4/3", "1/0", "x/2", "3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
