//! `synthetic` — a known serial fraction by construction: Amdahl's law made executable.
//!
//! A run spins `b * size` units of dependent integer work on the team's leader alone, then
//! `(1 - b) * size` units split into 5,040 equal tasks over the team (5,040 is divisible by every j
//! from 1 to 10, and 12, 14, 15, 16, so the split is even at those j). One unit is one step of
//! Marsaglia's xorshift64 generator (shifts 13, 7, 17; "Xorshift RNGs", J. Stat. Softw. 8(14),
//! 2003): a few register-only cycles that each need the last, which the compiler cannot fold into
//! fewer steps (a linear congruential step can be, and one forced through memory with `black_box`
//! scales worse than real compute on some virtual CPUs). A good machine shows S(j) = 1/(b + (1-b)/j) up to the physical core count.
//!
//! The instance knows its ideal duration ([`Instance::modeled_ns`]): one unit is one nanosecond,
//! `b*size + (1-b)*size/j` in all. A fake clock uses it, so a whole run with this workload is
//! exact and deterministic in tests.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Serial spin then parallel spin, with the serial fraction as a parameter.
pub struct Synthetic;

/// Tasks of the parallel part.
pub const TASKS: u64 = 5040;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::integer("size", "units of spin work in all (one xorshift step each)", 80_000_000, 1, 1 << 44),
    ParamSpec::float("b", "the serial fraction B (0..1)", 0.1, 0.0, 1.0),
];

impl Workload for Synthetic {
    fn name(&self) -> &'static str {
        "synthetic"
    }
    fn kind(&self) -> Kind {
        Kind::Synthetic
    }
    fn description(&self) -> &'static str {
        "serial spin of b*size units, then (1-b)*size units in 5040 tasks: S(j) = 1/(b+(1-b)/j)"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        let size = params.integer("size") as f64;
        let b = params.float("b");
        Ok(Box::new(SyntheticInstance {
            serial_units: (b * size).round() as u64,
            units_per_task: ((1.0 - b) * size / TASKS as f64).round() as u64,
            size,
            b,
        }))
    }
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        Some(TASKS as usize)
    }
}

struct SyntheticInstance {
    serial_units: u64,
    units_per_task: u64,
    size: f64,
    b: f64,
}

impl Instance for SyntheticInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let (serial_units, units) = (self.serial_units, self.units_per_task);
        // One parallel region for the whole run, as an OpenMP program would write it: the serial
        // part on the team's leader, then the parallel part as a nested map. Starting the pool
        // from outside after a long serial phase costs rayon a few milliseconds of wake-up at
        // j = 2 on a small VM (measured: 79.6 ms instead of 74.4), which would read as serial code.
        team.install(|| {
            let serial = spin(u64::MAX, serial_units);
            let parallel = team.map(TASKS as usize, |task| spin(task as u64, units));
            Checksum::of_u64s(std::iter::once(serial).chain(parallel))
        })
    }

    fn modeled_ns(&self, threads: usize) -> Option<u64> {
        let threads = threads.max(1) as f64;
        Some((self.size * (self.b + (1.0 - self.b) / threads)).round() as u64)
    }
}

/// `units` dependent xorshift64 steps from `seed` (0 is replaced by 1, a fixed point otherwise).
pub fn spin(seed: u64, units: u64) -> u64 {
    let mut x = std::hint::black_box(seed) | 1;
    for _ in 0..std::hint::black_box(units) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_is_amdahls_law() {
        let params = Params::parse(&Synthetic, "size=1200000,b=0.25").unwrap();
        let instance = Synthetic.prepare(&params).unwrap();
        assert_eq!(instance.modeled_ns(1), Some(1_200_000));
        assert_eq!(instance.modeled_ns(2), Some(300_000 + 450_000));
        assert_eq!(instance.modeled_ns(4), Some(300_000 + 225_000));
    }

    #[test]
    fn parallel_equals_serial() {
        let serial = spin(u64::MAX, 2_500);
        let tasks = (0..TASKS).map(|t| spin(t, 1));
        let reference = Checksum::of_u64s(std::iter::once(serial).chain(tasks));
        crate::builtin::assert_parallel_equals_serial(&Synthetic, "size=10000,b=0.25", reference);
    }
}
