//! `primes` — embarrassingly parallel: count the primes below `size` by trial division.
//!
//! The range is cut into [`tasks`] equal slices: 65,536 at the default size (at least 16 numbers
//! a slice, so smaller sizes honestly get fewer: the largest power of two that allows it), enough
//! that T / ceil(T / j) >= 0.98 j for every j up to 1024. Larger numbers cost more to test, so
//! slices are uneven (one slice of 23 numbers holds few primes or several; the dearest costs 3.9x
//! the mean at the default size, the top of the range costs more than the bottom). Task i counts
//! slice `bit_reverse(i)`, so any contiguous run of tasks covers slices spread evenly over the
//! whole range: rayon's work stealing balances the tasks whatever their order, and the `threads`
//! backend's static partition (worker t takes tasks `t*T/j .. (t+1)*T/j`) now gives every worker
//! the same mix of cheap and dear slices, where contiguous slices left the worker with the top of
//! the range working longest. Counted in trial divisions at the default size, the dearest static
//! block is 1.001x the mean at j = 2, 1.013x at 16, 1.054x at 192 and 1.18x at 1024 (64 tasks a
//! worker: the slices' own scatter); version 1's was 1.24x at j = 2 and 1.39x at 16. The checksum
//! sums the tasks' counts tagged with their index, the same at every j. A good machine shows S(j) ~ j up to the physical core count on both backends.
//!
//! Version 2 (this decomposition): version 1 had 256 contiguous slices.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Counts primes below `size` by trial division.
pub struct Primes;

/// The most tasks: a power of two (for the bit reversal) with 65,536 / ceil(65,536 / j) >= 0.98 j
/// up to j = 1024.
pub const MAX_TASKS: u64 = 1 << 16;

/// The fewest numbers in one task.
pub const MIN_SLICE: u64 = 16;

/// The tasks of a run below `limit`: a power of two, at most [`MAX_TASKS`], with at least
/// [`MIN_SLICE`] numbers each where `limit` allows.
pub fn tasks(limit: u64) -> u64 {
    let most = (limit / MIN_SLICE).clamp(1, MAX_TASKS);
    1 << most.ilog2()
}

const PARAMS: &[ParamSpec] = &[ParamSpec::integer("size", "count primes below this number", 1_500_000, 2, 1 << 32)];

impl Workload for Primes {
    fn name(&self) -> &'static str {
        "primes"
    }
    fn kind(&self) -> Kind {
        Kind::Parallel
    }
    fn description(&self) -> &'static str {
        "count primes below size by trial division, 65,536 uneven tasks spread over the range"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(PrimesInstance { limit: params.integer("size") }))
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        usize::try_from(tasks(params.integer("size"))).ok()
    }
    fn version(&self) -> u32 {
        2
    }
}

struct PrimesInstance {
    limit: u64,
}

impl Instance for PrimesInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let limit = self.limit;
        let tasks = tasks(limit);
        let sum = team.map_reduce(
            tasks as usize,
            0u64,
            |task| Checksum::tagged(task as u64, count_in_task(limit, tasks, task as u64)),
            u64::wrapping_add,
        );
        Checksum::of_u64s([sum])
    }
}

/// The primes in task `task`'s slice: slice `bit_reverse(task)` of `tasks` (a power of two).
fn count_in_task(limit: u64, tasks: u64, task: u64) -> u64 {
    // Shifts, not divisions: two of those cost a task of 23 numbers about 2% more.
    let bits = tasks.ilog2();
    let slice = if bits > 0 { task.reverse_bits() >> (64 - bits) } else { 0 };
    let (lo, hi) = ((limit * slice) >> bits, (limit * (slice + 1)) >> bits);
    (lo..hi).filter(|&n| is_prime(n)).count() as u64
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
        for (size, limit) in [("size=20000", 20_000u64), ("size=2", 2), ("size=100", 100)] {
            let tasks = tasks(limit);
            let sum = (0..tasks).fold(0u64, |s, t| s.wrapping_add(Checksum::tagged(t, count_in_task(limit, tasks, t))));
            crate::builtin::assert_parallel_equals_serial(&Primes, size, Checksum::of_u64s([sum]));
        }
    }

    #[test]
    fn every_number_is_counted_once() {
        for limit in [2u64, 17, 100, 20_000, 1_500_000] {
            let tasks = tasks(limit);
            assert!(tasks.is_power_of_two() && tasks <= MAX_TASKS && (tasks == 1 || limit / tasks >= MIN_SLICE));
            let mut slices: Vec<u64> = (0..tasks).map(|t| t.reverse_bits() >> (64 - tasks.ilog2()).min(63)).collect();
            if tasks == 1 {
                slices = vec![0];
            }
            slices.sort_unstable();
            assert_eq!(slices, (0..tasks).collect::<Vec<_>>(), "a permutation at {limit}");
        }
        let limit = 100_000;
        let total: u64 = (0..tasks(limit)).map(|t| count_in_task(limit, tasks(limit), t)).sum();
        assert_eq!(total, 9592, "pi(100000)");
        assert_eq!(tasks(1_500_000), 65_536);
    }

    /// The `threads` backend's static blocks balance: with trial divisions as the cost, no
    /// worker's block costs more than 3% above the mean at j = 2..16, where the contiguous slices
    /// of version 1 left the dearest block 1.24x the mean at j = 2 and 1.39x at j = 16 (at the
    /// default size; version 2 there: 1.001 and 1.013, 1.054 at j = 192, 1.18 at j = 1024).
    #[test]
    fn static_blocks_are_balanced() {
        let limit = 400_000u64;
        let tasks = tasks(limit);
        let divisions = |n: u64| -> u64 {
            if n < 4 || n.is_multiple_of(2) {
                return 1;
            }
            let mut d = 3;
            while d * d <= n && !n.is_multiple_of(d) {
                d += 2;
            }
            d / 2
        };
        let cost: Vec<u64> = (0..tasks)
            .map(|t| {
                let slice = t.reverse_bits() >> (64 - tasks.ilog2());
                (limit * slice / tasks..limit * (slice + 1) / tasks).map(divisions).sum()
            })
            .collect();
        let total: u64 = cost.iter().sum();
        for j in 2..=16u64 {
            let worst = (0..j)
                .map(|t| cost[(t * tasks / j) as usize..((t + 1) * tasks / j) as usize].iter().sum::<u64>())
                .max()
                .unwrap();
            let ratio = worst as f64 / (total as f64 / j as f64);
            assert!(ratio < 1.03, "j = {j}: the dearest block is {ratio:.3}x the mean");
        }
    }
}
