//! Reproducible random streams: one per `(master seed, trial, process)`.
//!
//! Trial `i` never shares a stream with trial `j`, so results do not depend on which thread or
//! shard ran a trial; and each random process (a zone's outages, a failure mode, launch times…)
//! draws from its own stream, so adding a process does not shift the draws of the others. That
//! keeps common random numbers sharp when designs are compared.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random generator used by every model: portable and stable across platforms and versions.
pub type Rng = ChaCha8Rng;

/// The stream of `process` in `trial` under `seed`.
///
/// The key mixes the seed with the process id; the trial index selects ChaCha's 64-bit stream.
pub fn stream(seed: u64, trial: u64, process: u64) -> Rng {
    let mut key = [0u8; 32];
    let mut state = seed ^ process.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(trial);
    rng
}

/// SplitMix64: a good 64-bit mixer, so that nearby seeds give unrelated keys.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = stream(42, 7, 3).next_u64();
        assert_eq!(a, stream(42, 7, 3).next_u64());
        assert_ne!(a, stream(42, 8, 3).next_u64());
        assert_ne!(a, stream(42, 7, 4).next_u64());
        assert_ne!(a, stream(43, 7, 3).next_u64());
    }

    #[test]
    fn pinned_value_guards_against_silent_changes() {
        // If this changes, every published result changes: bump the major version and say so.
        assert_eq!(stream(1, 0, 0).next_u64(), 17_254_111_457_321_727_320);
    }
}
