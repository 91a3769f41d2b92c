//! `primes` — embarrassingly parallel: count the primes below `size` by trial division.
//!
//! The range is cut into 256 equal slices, one task each. Larger numbers cost more to test, so the
//! tasks are uneven: rayon's work stealing balances them, while the `threads` backend's static
//! partition leaves the thread with the top slices working longest. A good machine shows
//! S(j) ~ j up to the physical core count, rayon a little ahead of threads.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Counts primes below `size` by trial division.
pub struct Primes;

const TASKS: u64 = 256;

const PARAMS: &[ParamSpec] = &[ParamSpec::integer("size", "count primes below this number", 1_500_000, 2, 1 << 32)];

impl Workload for Primes {
    fn name(&self) -> &'static str {
        "primes"
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &'static str {
        "count primes below size by trial division, 256 uneven tasks"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(PrimesInstance { limit: params.integer("size") }))
    }
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        Some(TASKS as usize)
    }
}

struct PrimesInstance {
    limit: u64,
}

impl Instance for PrimesInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let limit = self.limit;
        let counts = team.map(TASKS as usize, |task| {
            let (lo, hi) = (limit * task as u64 / TASKS, limit * (task as u64 + 1) / TASKS);
            (lo..hi).filter(|&n| is_prime(n)).count() as u64
        });
        Checksum::of_u64s(counts)
    }
}

/// Trial division by 2 and the odd numbers up to sqrt(n).
fn is_prime(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_division_agrees_with_known_counts() {
        assert_eq!((0..100).filter(|&n| is_prime(n)).count(), 25);
        assert_eq!((0..10_000).filter(|&n| is_prime(n)).count(), 1229);
    }

    #[test]
    fn parallel_equals_serial() {
        let limit = 20_000u64;
        let serial = (0..TASKS).map(|t| {
            let (lo, hi) = (limit * t / TASKS, limit * (t + 1) / TASKS);
            (lo..hi).filter(|&n| is_prime(n)).count() as u64
        });
        let serial = Checksum::of_u64s(serial);
        crate::builtin::assert_parallel_equals_serial(&Primes, "size=20000", serial);
    }
}
