//! `mc-pi` — embarrassingly parallel: estimate pi by Monte Carlo with a counter-based RNG.
//!
//! Sample k draws its point from SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom
//! number generators", OOPSLA 2014) applied to the counter `seed + 2k` and `seed + 2k + 1`, so the
//! random stream does not depend on how samples are split, and the count of hits is identical at
//! every j. The samples are cut into [`tasks`] equal chunks: 65,536 at the default size (at least
//! 256 samples a chunk, so smaller sizes get fewer), enough that T / ceil(T / j) >= 0.98 j for
//! every j up to 1024; the hits are summed in the workers ([`Team::map_reduce`]), with no serial
//! tail. A good machine shows S(j) ~ j.
//!
//! Version 2 (this decomposition): version 1 had chunks of 65,536 samples, 306 at the default
//! size, which capped S(16) at 0.956 x 16 by count alone.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Monte Carlo estimate of pi.
pub struct McPi;

/// The most chunks.
pub const MAX_TASKS: u64 = 1 << 16;

/// The fewest samples in one chunk.
pub const MIN_CHUNK: u64 = 256;

/// The chunks of a run of `samples`: at most [`MAX_TASKS`], at least [`MIN_CHUNK`] samples each
/// where `samples` allows.
pub fn tasks(samples: u64) -> u64 {
    (samples / MIN_CHUNK).clamp(1, MAX_TASKS)
}

const PARAMS: &[ParamSpec] = &[
    ParamSpec::integer("size", "random points to draw", 20_000_000, 1, 1 << 40),
    ParamSpec::integer("seed", "seed of the counter-based RNG", 42, 0, u32::MAX as u64),
];

impl Workload for McPi {
    fn name(&self) -> &'static str {
        "mc-pi"
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &'static str {
        "Monte Carlo pi: size points from a counter-based RNG in 65,536 equal chunks"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(McPiInstance { samples: params.integer("size"), seed: params.integer("seed") }))
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        usize::try_from(tasks(params.integer("size"))).ok()
    }
    fn version(&self) -> u32 {
        2
    }
}

struct McPiInstance {
    samples: u64,
    seed: u64,
}

impl Instance for McPiInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let (samples, seed) = (self.samples, self.seed);
        let tasks = tasks(samples);
        let hits = team.map_reduce(
            tasks as usize,
            0u64,
            |c| hits_in(seed, samples * c as u64 / tasks, samples * (c as u64 + 1) / tasks),
            |a, b| a + b,
        );
        Checksum::of_u64s([hits])
    }
}

/// Counts the samples in `lo..hi` that fall inside the unit quarter circle.
fn hits_in(seed: u64, lo: u64, hi: u64) -> u64 {
    (lo..hi)
        .filter(|k| {
            let x = unit(splitmix64(seed.wrapping_add(2 * k)));
            let y = unit(splitmix64(seed.wrapping_add(2 * k + 1)));
            x * x + y * y < 1.0
        })
        .count() as u64
}

/// SplitMix64's output function applied to a counter.
fn splitmix64(counter: u64) -> u64 {
    let mut z = counter.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The top 53 bits as a float in [0, 1).
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_is_close_to_pi() {
        let n = 1_000_000;
        let pi = 4.0 * hits_in(7, 0, n) as f64 / n as f64;
        // sd of the estimate is 4*sqrt(p(1-p)/n) ~ 0.0016; 5 sd.
        assert!((pi - std::f64::consts::PI).abs() < 0.01, "{pi}");
    }

    #[test]
    fn parallel_equals_serial() {
        for size in [300_001u64, 1, 255, 257] {
            let serial = Checksum::of_u64s([hits_in(42, 0, size)]);
            crate::builtin::assert_parallel_equals_serial(&McPi, &format!("size={size}"), serial);
        }
        assert_eq!(tasks(20_000_000), 65_536);
        assert_eq!(tasks(300_001), 1171);
    }
}
