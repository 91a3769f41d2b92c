//! The result fingerprint a workload run returns, identical for every thread count.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A 64-bit fingerprint of a run's result. Two runs of the same instance must return equal
/// checksums whatever the thread count or backend; the runner checks this at every `j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Checksum(pub u64);

impl Checksum {
    /// Combines values in the order given (order matters: a fixed reduction order is the point).
    pub fn of_u64s(values: impl IntoIterator<Item = u64>) -> Checksum {
        Checksum(values.into_iter().fold(SEED, mix))
    }

    /// One task's value hashed with its task index, for folding with `u64::wrapping_add`
    /// ([`crate::Team::map_reduce`]): the sum of the tagged values of every task is the same
    /// whatever order they are added in, yet a task lost, run twice or given another's value
    /// changes it. Fold the sum into a checksum with [`Checksum::of_u64s`].
    pub fn tagged(task: u64, value: u64) -> u64 {
        mix(mix(SEED, task), value)
    }

    /// Combines the exact bit patterns of floats, in order: equal only when bit for bit equal.
    pub fn of_f64s(values: impl IntoIterator<Item = f64>) -> Checksum {
        Checksum::of_u64s(values.into_iter().map(f64::to_bits))
    }
}

/// The state before any value.
pub(crate) const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// One step of a SplitMix64-style hash combine (Steele, Lea & Flood, OOPSLA 2014).
pub(crate) fn mix(state: u64, value: u64) -> u64 {
    let mut z = state.rotate_left(5) ^ value;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Checksum {
    /// The hash of `value` under a fixed hasher ([`FixedHasher`]): the same in every process, on
    /// every machine and with every build, unlike std's randomly keyed hashers.
    pub fn of_hash<T: Hash + ?Sized>(value: &T) -> Checksum {
        let mut hasher = FixedHasher::default();
        value.hash(&mut hasher);
        Checksum(hasher.finish())
    }
}

/// A [`Hasher`] with no keys and no randomness: SplitMix64-style combining of the bytes written,
/// eight at a time (the same mixing as [`Checksum::of_u64s`]). Not for hash tables fed by
/// adversaries; for fingerprints of results.
#[derive(Debug, Clone)]
pub struct FixedHasher {
    state: u64,
    /// Bytes written since the last full word, little-endian, and how many.
    pending: u64,
    pending_len: u32,
}

impl Default for FixedHasher {
    fn default() -> Self {
        FixedHasher { state: SEED, pending: 0, pending_len: 0 }
    }
}

impl Hasher for FixedHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.pending |= u64::from(byte) << (8 * self.pending_len);
            self.pending_len += 1;
            if self.pending_len == 8 {
                self.state = mix(self.state, self.pending);
                (self.pending, self.pending_len) = (0, 0);
            }
        }
    }

    fn write_u64(&mut self, value: u64) {
        if self.pending_len == 0 {
            self.state = mix(self.state, value);
        } else {
            self.write(&value.to_le_bytes());
        }
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        if self.pending_len == 0 {
            self.state
        } else {
            mix(self.state, self.pending ^ u64::from(self.pending_len) << 56)
        }
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_matters_and_equal_inputs_agree() {
        assert_eq!(Checksum::of_u64s([1, 2, 3]), Checksum::of_u64s([1, 2, 3]));
        assert_ne!(Checksum::of_u64s([1, 2, 3]), Checksum::of_u64s([3, 2, 1]));
        assert_ne!(Checksum::of_f64s([0.0]), Checksum::of_f64s([-0.0]));
    }

    #[test]
    fn the_fixed_hash_is_fixed() {
        // Pinned: a fixed hasher gives the same value in every process and build.
        assert_eq!(Checksum::of_hash(&0u64), Checksum::of_u64s([0]));
        assert_eq!(Checksum::of_hash(&vec![1u64, 2, 3]), Checksum::of_hash(&vec![1u64, 2, 3]));
        assert_ne!(Checksum::of_hash(&vec![1u64, 2, 3]), Checksum::of_hash(&vec![3u64, 2, 1]));
        assert_ne!(Checksum::of_hash("ab"), Checksum::of_hash("ab\0"));
        assert_ne!(Checksum::of_hash(&[1u8][..]), Checksum::of_hash(&[1u8, 0][..]));
    }
}
