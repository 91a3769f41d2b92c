//! `synthetic` — a known serial fraction by construction: Amdahl's law made executable.
//!
//! A run spins `b * size` units of dependent integer work on the team's leader alone, then
//! `(1 - b) * size` units split into [`tasks`] tasks over the team: 720,720 at the default size
//! (the least common multiple of 1..=16, so the split is exact at every j up to 16, and
//! T / ceil(T / j) >= 0.98 j for every j up to 1024), fewer for sizes that would give a task
//! fewer than 64 units (a multiple of 5,040 = lcm(1..=10) where there are at least that many).
//! Task i spins `floor((i+1) P / T) - floor(i P / T)` of the P parallel units (computed in
//! floating point, so within a unit of it), so the total is exactly P and any contiguous run of
//! tasks differs from its share by a unit or two. The
//! tasks' results are folded in the workers ([`Team::map_reduce`]), with no serial tail. One unit is one step of
//! Marsaglia's xorshift64 generator (shifts 13, 7, 17; "Xorshift RNGs", J. Stat. Softw. 8(14),
//! 2003): a few register-only cycles that each need the last, which the compiler cannot fold into
//! fewer steps (a linear congruential step can be, and one forced through memory with `black_box`
//! scales worse than real compute on some virtual CPUs). A good machine shows S(j) = 1/(b + (1-b)/j) up to the physical core count.
//!
//! With `skew` above 1 the last quarter of the tasks (from `floor(3T/4)`) each spin `skew` times
//! the units of the others, the total still P: a **load imbalance of known size** on the
//! `threads` backend, whose worker t takes the contiguous block of tasks `t*T/j .. (t+1)*T/j`.
//! With `skew = 3` and `b = 0` the blocks hold 1/3 and 2/3 of the work at j = 2, and 1/6, 1/6,
//! 1/6 and 1/2 at j = 4; rayon's work stealing evens them out. At `skew = 1` (the default) the
//! tasks and the checksum are those of version 2.
//!
//! With `slow` above 0, the last task alone spins `round(slow P)` of the P units, in a function of
//! its own ([`slow_task`]), and the other tasks share the rest as above: **one slow task per call**,
//! a load imbalance of known size on either backend whenever `slow > 1/j` (work stealing cannot
//! split one task), and a named function to blame for it. (The last, not the first: rayon runs
//! a stretch of tasks on one worker as a sequence it cannot steal from, so tasks queued behind
//! a slow first task would run alone after it too.) The serial part runs in
//! [`serial_part`], so a profile names it. At `slow = 0` (the default) the tasks and the checksum
//! are those of version 2.
//!
//! The instance knows its ideal duration ([`Instance::modeled_ns`]): one unit is one nanosecond,
//! `b*size + (1-b)*size/j` in all. A fake clock uses it, so a whole run with this workload is
//! exact and deterministic in tests.
//!
//! Version 2 (this decomposition): version 1 had 5,040 tasks of `round((1-b) size / 5040)` units.

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Serial spin then parallel spin, with the serial fraction as a parameter.
pub struct Synthetic;

/// Tasks of the parallel part at the default size: lcm(1..=16).
pub const MAX_TASKS: u64 = 720_720;

/// The fewest units in one task, where the size allows.
pub const MIN_UNITS: u64 = 64;

/// The tasks of a parallel part of `units` units: [`MAX_TASKS`] when each gets at least
/// [`MIN_UNITS`], else as many as allow that, rounded down to a multiple of 5,040 (or of 1 below
/// 5,040), at least 1.
pub fn tasks(units: u64) -> u64 {
    let most = (units / MIN_UNITS).clamp(1, MAX_TASKS);
    if most >= 5040 { most - most % 5040 } else { most }
}

const PARAMS: &[ParamSpec] = &[
    ParamSpec::integer("size", "units of spin work in all (one xorshift step each)", 80_000_000, 1, 1 << 44),
    ParamSpec::float("b", "the serial fraction B (0..1)", 0.1, 0.0, 1.0),
    ParamSpec::float(
        "skew",
        "the last quarter of the tasks each cost skew times the others (load imbalance)",
        1.0,
        1.0,
        1000.0,
    ),
    ParamSpec::float(
        "slow",
        "share of the parallel units in one slow task, the last (0: none; load imbalance beyond 1/j)",
        0.0,
        0.0,
        1.0,
    ),
];

impl Workload for Synthetic {
    fn name(&self) -> &'static str {
        "synthetic"
    }
    fn kind(&self) -> Kind {
        Kind::Synthetic
    }
    fn description(&self) -> &'static str {
        "serial spin of b*size units, then (1-b)*size units in 720720 tasks: S(j) = 1/(b+(1-b)/j)"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        let (serial_units, parallel_units) = split(params);
        Ok(Box::new(SyntheticInstance {
            serial_units,
            parallel_units,
            tasks: tasks(parallel_units),
            skew: params.float("skew"),
            slow: params.float("slow"),
            size: params.integer("size") as f64,
            b: params.float("b"),
        }))
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        usize::try_from(tasks(split(params).1)).ok()
    }
    fn version(&self) -> u32 {
        2
    }
}

/// The serial and the parallel units of a run: `round(b size)` and the rest.
fn split(params: &Params) -> (u64, u64) {
    let size = params.integer("size");
    let serial = ((params.float("b") * size as f64).round() as u64).min(size);
    (serial, size - serial)
}

/// The units of task `task` of `tasks` sharing `units`: `at(i+1) - at(i)`, where `at(i)` is
/// `i P / T` rounded down (in floating point: a task of 100 units cannot afford two integer
/// divisions, which cost it a third more; `at(T)` is P itself, so the tasks' units sum to exactly
/// P, and `at` never decreases, so none is negative).
fn units_of(units: u64, tasks: u64, task: u64) -> u64 {
    let per_task = units as f64 / tasks as f64;
    let at = |i: u64| if i >= tasks { units } else { ((i as f64 * per_task) as u64).min(units) };
    at(task + 1) - at(task)
}

/// [`units_of`] with the tasks from `floor(3T/4)` weighing `skew` times the others: `at(i)` is
/// `P W(i) / W(T)` rounded down, `W(i)` the weight of the tasks before `i`.
fn skewed_units_of(units: u64, tasks: u64, skew: f64, task: u64) -> u64 {
    let heavy_from = (3 * tasks / 4) as f64;
    let weight_before = |i: u64| {
        let i = i as f64;
        i.min(heavy_from) + skew * (i - heavy_from).max(0.0)
    };
    let per_weight = units as f64 / weight_before(tasks);
    let at = |i: u64| if i >= tasks { units } else { ((weight_before(i) * per_weight) as u64).min(units) };
    at(task + 1) - at(task)
}

struct SyntheticInstance {
    serial_units: u64,
    parallel_units: u64,
    tasks: u64,
    skew: f64,
    slow: f64,
    size: f64,
    b: f64,
}

impl Instance for SyntheticInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let (serial_units, units, tasks, skew) = (self.serial_units, self.parallel_units, self.tasks, self.skew);
        let slow = slow_units(units, tasks, self.slow);
        // One parallel region for the whole run, as an OpenMP program would write it: the serial
        // part on the team's leader, then the parallel part as a nested map. Starting the pool
        // from outside after a long serial phase costs rayon a few milliseconds of wake-up at
        // j = 2 on a small VM (measured: 79.6 ms instead of 74.4), which would read as serial code.
        team.install(|| {
            let serial = serial_part(serial_units);
            let parallel = team.map_reduce(
                tasks as usize,
                0u64,
                |task| {
                    let task = task as u64;
                    Checksum::tagged(task, run_task(units, tasks, skew, slow, task))
                },
                u64::wrapping_add,
            );
            Checksum::of_u64s([serial, parallel])
        })
    }

    /// On ideal processors that share the work evenly (as work stealing does, whatever `skew`),
    /// but for the slow task, which one processor runs alone.
    fn modeled_ns(&self, threads: usize) -> Option<u64> {
        let threads = threads.max(1) as f64;
        let parallel = (1.0 - self.b) * self.size;
        let slow = slow_units(self.parallel_units, self.tasks, self.slow).map_or(0.0, |u| u as f64);
        Some((self.size * self.b + (parallel / threads).max(slow)).round() as u64)
    }
}

/// The units of the slow task (the last) of a parallel part of `units` in `tasks` tasks: `None`
/// at `slow = 0` or with a single task.
fn slow_units(units: u64, tasks: u64, slow: f64) -> Option<u64> {
    (slow > 0.0 && tasks > 1).then(|| ((slow * units as f64).round() as u64).min(units))
}

/// Runs task `task` of `tasks` sharing `units`: without a slow task, its units of the split by
/// `skew`; with one of `slow` units, the last task runs those in [`slow_task`] and the others
/// split the rest.
fn run_task(units: u64, tasks: u64, skew: f64, slow: Option<u64>, task: u64) -> u64 {
    let split = |units: u64, tasks: u64, task: u64| {
        if skew == 1.0 { units_of(units, tasks, task) } else { skewed_units_of(units, tasks, skew, task) }
    };
    match slow {
        None => spin(task, split(units, tasks, task)),
        Some(slow) if task + 1 == tasks => slow_task(task, slow),
        Some(slow) => spin(task, split(units - slow, tasks - 1, task)),
    }
}

/// The serial part: `units` steps on the leader alone (a function of its own, so that a profile
/// names it).
#[inline(never)]
pub fn serial_part(units: u64) -> u64 {
    spin(u64::MAX, units)
}

/// The slow task (`slow` above 0): a function of its own, so that a profile names it.
#[inline(never)]
pub fn slow_task(seed: u64, units: u64) -> u64 {
    spin(seed, units)
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

    /// `slow = 0.6`: the last task holds 60% of the parallel units in `slow_task`, the other
    /// tasks share the rest; the model runs it alone.
    #[test]
    fn one_slow_task() {
        let params = "size=100000,b=0.2,slow=0.6";
        let p = Params::parse(&Synthetic, params).unwrap();
        let (serial_units, units) = split(&p);
        let tasks = super::tasks(units);
        let slow = slow_units(units, tasks, 0.6).unwrap();
        assert_eq!(slow, 48_000);
        let rest: u64 = (0..tasks - 1).map(|t| units_of(units - slow, tasks - 1, t)).sum();
        assert_eq!(slow + rest, units);
        let sum = (0..tasks)
            .fold(0u64, |s, t| s.wrapping_add(Checksum::tagged(t, run_task(units, tasks, 1.0, Some(slow), t))));
        let last = tasks - 1;
        assert_eq!(run_task(units, tasks, 1.0, Some(slow), last), spin(last, slow));
        crate::builtin::assert_parallel_equals_serial(
            &Synthetic,
            params,
            Checksum::of_u64s([spin(u64::MAX, serial_units), sum]),
        );
        let instance = Synthetic.prepare(&p).unwrap();
        assert_eq!(instance.modeled_ns(1), Some(100_000));
        assert_eq!(instance.modeled_ns(4), Some(20_000 + 48_000));
        assert_eq!(slow_units(units, 1, 0.6), None);
    }

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
        for (params, size, serial_units) in
            [("size=10000,b=0.25", 10_000u64, 2_500u64), ("size=700000,b=0.1", 700_000, 70_000)]
        {
            let units = size - serial_units;
            let tasks = tasks(units);
            let serial = spin(u64::MAX, serial_units);
            let sum =
                (0..tasks).fold(0u64, |s, t| s.wrapping_add(Checksum::tagged(t, spin(t, units_of(units, tasks, t)))));
            crate::builtin::assert_parallel_equals_serial(&Synthetic, params, Checksum::of_u64s([serial, sum]));
        }
    }

    /// `skew = 3`: the last quarter of the tasks weighs three times the rest, so the `threads`
    /// backend's static blocks hold 1/3 and 2/3 of the work at j = 2 and 1/6, 1/6, 1/6 and 1/2
    /// at j = 4 (within a unit); the total is P, and `skew = 1` is the unskewed split.
    #[test]
    fn skew_weighs_the_last_quarter() {
        let (units, tasks) = (6_000_000u64, 720_720u64);
        let block = |skew: f64, j: u64, t: u64| {
            (t * tasks / j..(t + 1) * tasks / j).map(|i| skewed_units_of(units, tasks, skew, i)).sum::<u64>()
        };
        assert_eq!((0..tasks).map(|i| skewed_units_of(units, tasks, 3.0, i)).sum::<u64>(), units);
        assert!((0..tasks).all(|i| skewed_units_of(units, tasks, 1.0, i) == units_of(units, tasks, i)));
        for (j, shares) in [(2, vec![1.0 / 3.0, 2.0 / 3.0]), (4, vec![1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, 0.5])] {
            for (t, share) in shares.into_iter().enumerate() {
                let got = block(3.0, j, t as u64) as f64;
                assert!((got - share * units as f64).abs() <= 2.0, "j = {j}, block {t}: {got}");
            }
        }
        let params = "size=100000,b=0.2,skew=3";
        let p = Params::parse(&Synthetic, params).unwrap();
        let (serial_units, units) = split(&p);
        let tasks = super::tasks(units);
        let sum = (0..tasks)
            .fold(0u64, |s, t| s.wrapping_add(Checksum::tagged(t, spin(t, skewed_units_of(units, tasks, 3.0, t)))));
        crate::builtin::assert_parallel_equals_serial(
            &Synthetic,
            params,
            Checksum::of_u64s([spin(u64::MAX, serial_units), sum]),
        );
    }

    /// The default size has 720,720 tasks, so every j up to 16 gets exactly T / j of them, and
    /// the work is exactly `size` units however it is split.
    #[test]
    fn default_split_is_exact_up_to_16() {
        let params = Params::parse(&Synthetic, "").unwrap();
        let (serial, units) = split(&params);
        assert_eq!(serial + units, 80_000_000);
        let tasks = tasks(units);
        assert_eq!(tasks, MAX_TASKS);
        assert_eq!((0..tasks).map(|t| units_of(units, tasks, t)).sum::<u64>(), units);
        for j in 1..=16 {
            assert_eq!(tasks % j, 0, "j = {j}");
            // Each thread's contiguous block holds its share within one unit.
            let share = |t: u64| (t * tasks / j..(t + 1) * tasks / j).map(|i| units_of(units, tasks, i)).sum::<u64>();
            let (lo, hi) = (0..j).map(share).fold((u64::MAX, 0), |(lo, hi), s| (lo.min(s), hi.max(s)));
            assert!(hi - lo <= 2, "j = {j}: blocks of {lo}..{hi} units");
        }
        assert_eq!(super::tasks(64 * 5040 + 100), 5040);
        assert_eq!(super::tasks(1000), 15);
        assert_eq!(super::tasks(0), 1);
    }
}
