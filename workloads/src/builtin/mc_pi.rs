//! `mc-pi` — embarrassingly parallel: estimate pi by Monte Carlo with a counter-based RNG.
//!
//! Sample k draws its point from SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom
//! number generators", OOPSLA 2014) applied to the counter `seed + 2k` and `seed + 2k + 1`, so the
//! random stream does not depend on how samples are split: tasks are fixed chunks of 65,536
//! samples, and the count of hits is identical at every j. A good machine shows S(j) ~ j.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Monte Carlo estimate of pi.
pub struct McPi;

const CHUNK: u64 = 1 << 16;

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
        "Monte Carlo pi: size points from a counter-based RNG in chunks of 65,536"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(McPiInstance { samples: params.integer("size"), seed: params.integer("seed") }))
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        usize::try_from(params.integer("size").div_ceil(CHUNK)).ok()
    }
}

struct McPiInstance {
    samples: u64,
    seed: u64,
}

impl Instance for McPiInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let (samples, seed) = (self.samples, self.seed);
        let chunks = samples.div_ceil(CHUNK) as usize;
        let hits = team.map(chunks, |c| {
            let lo = c as u64 * CHUNK;
            hits_in(seed, lo, (lo + CHUNK).min(samples))
        });
        Checksum::of_u64s([hits.iter().sum()])
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
        let serial = Checksum::of_u64s([hits_in(42, 0, 300_001)]);
        crate::builtin::assert_parallel_equals_serial(&McPi, "size=300001", serial);
    }
}
