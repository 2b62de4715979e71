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
#[error("--shard {0:?}: expected K/N with 1 <= K <= N, e.g. 2/8, or auto (from Slurm, Kubernetes or AWS Batch)")]
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

/// What `--shard` says: a fixed `K/N`, or `auto` (read from the job scheduler's environment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    /// `K/N`.
    Fixed(Shard),
    /// `auto`: see [`Shard::from_env`].
    Auto,
}

impl FromStr for ShardSpec {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            Ok(ShardSpec::Auto)
        } else {
            s.parse().map(ShardSpec::Fixed)
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Why `--shard auto` could not tell which shard this is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AutoShardError {
    /// None of the schedulers' variables is set.
    #[error(
        "--shard auto: no job-array index found; set by Slurm (SLURM_ARRAY_TASK_ID), Kubernetes Indexed Jobs \
         (JOB_COMPLETION_INDEX) or AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX)"
    )]
    NoIndex,
    /// An index was found but not how many shards there are.
    #[error("--shard auto: {0} gives the index but not the number of shards; pass --shard-count N")]
    NoCount(&'static str),
    /// A variable is set but is not a whole number.
    #[error("--shard auto: {0}={1:?} is not a whole number")]
    NotANumber(&'static str, String),
    /// The index does not fit the count.
    #[error("--shard auto: index {index} (from {var}) is outside 0..{count}")]
    OutOfRange {
        /// The variable the index came from.
        var: &'static str,
        /// The 0-based position it gave.
        index: u64,
        /// The number of shards.
        count: u64,
    },
}

impl Shard {
    /// The whole run as one shard.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// The shard of a job-array task, from the scheduler's environment (`get` reads a variable):
    ///
    /// - Slurm: `SLURM_ARRAY_TASK_ID`, with `SLURM_ARRAY_TASK_COUNT`, or `SLURM_ARRAY_TASK_MIN`
    ///   and `SLURM_ARRAY_TASK_MAX` (array indices may start at any number; the shard is the
    ///   position in `MIN..=MAX`).
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (0-based), with `count` from the flag.
    /// - AWS Batch array jobs: `AWS_BATCH_JOB_ARRAY_INDEX` (0-based), with `count` from the flag.
    ///
    /// `count` (`--shard-count`) overrides the count the scheduler gives.
    pub fn from_env(get: impl Fn(&str) -> Option<String>, count: Option<u64>) -> Result<Shard, AutoShardError> {
        let num = |var: &'static str| -> Result<Option<u64>, AutoShardError> {
            match get(var) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| AutoShardError::NotANumber(var, v)),
            }
        };
        let (var, position, found_count) = if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?;
            let max = num("SLURM_ARRAY_TASK_MAX")?;
            let slurm_count = match (num("SLURM_ARRAY_TASK_COUNT")?, min, max) {
                (Some(c), _, _) => Some(c),
                (None, Some(lo), Some(hi)) if hi >= lo => Some(hi - lo + 1),
                _ => None,
            };
            ("SLURM_ARRAY_TASK_ID", id.saturating_sub(min.unwrap_or(0)), slurm_count)
        } else if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            ("JOB_COMPLETION_INDEX", i, None)
        } else if let Some(i) = num("AWS_BATCH_JOB_ARRAY_INDEX")? {
            ("AWS_BATCH_JOB_ARRAY_INDEX", i, None)
        } else {
            return Err(AutoShardError::NoIndex);
        };
        let count = count.or(found_count).ok_or(AutoShardError::NoCount(var))?;
        if count == 0 || position >= count {
            return Err(AutoShardError::OutOfRange {
                var,
                index: position,
                count,
            });
        }
        Ok(Shard {
            index: position + 1,
            count,
        })
    }

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

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn shard_auto_reads_each_scheduler() {
        // Slurm with a count, 1-based array (--array=1-4): task 3 is the third shard.
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
        ]);
        assert_eq!(Shard::from_env(slurm, None), Ok(Shard { index: 3, count: 4 }));
        let slurm = env(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "5")]);
        assert_eq!(Shard::from_env(slurm, None), Ok(Shard { index: 1, count: 5 }));
        // Kubernetes and AWS Batch: 0-based, count by flag.
        assert_eq!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "7")]), Some(8)),
            Ok(Shard { index: 8, count: 8 })
        );
        assert_eq!(
            Shard::from_env(env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "0")]), Some(2)),
            Ok(Shard { index: 1, count: 2 })
        );
    }

    #[test]
    fn shard_auto_explains_what_is_missing() {
        assert_eq!(Shard::from_env(env(&[]), Some(3)), Err(AutoShardError::NoIndex));
        assert_eq!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "1")]), None),
            Err(AutoShardError::NoCount("JOB_COMPLETION_INDEX"))
        );
        assert!(matches!(
            Shard::from_env(env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "4")]), Some(4)),
            Err(AutoShardError::OutOfRange { .. })
        ));
        assert!(matches!(
            Shard::from_env(env(&[("SLURM_ARRAY_TASK_ID", "x")]), Some(4)),
            Err(AutoShardError::NotANumber(..))
        ));
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!("2/8".parse::<Shard>().unwrap(), Shard { index: 2, count: 8 });
        for bad in ["0/3", "4/3", "1/0", "x/2", "3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
