//! Traces of runs that did not happen: the ideal run of a fake clock ([`ideal_trace`]), and
//! seeded fork-join schedules whose every part is known ([`Schedule`]), for the property test of
//! the split.
//!
//! A [`Schedule`] is drawn on a fake clock of integer nanoseconds: stretches of serial code on
//! the leader, each followed by a parallel call in which every worker waits a dispatch, works its
//! tasks (some of the time off its CPU, blocked or waiting for one) with gaps between them, and
//! idles to the barrier; optionally a stretch of untracked work (the user's own rayon code) in
//! which each worker is on its CPU part of the time. It records the trace a team would have
//! recorded ([`Schedule::trace`]) and the parts the account should find ([`Schedule::truth`]).
//! Run-queue wait is placed where the split can tell it: in a worker's off-CPU work time, and
//! beyond it (in its untracked idle time, then its idle parts in proportion) only when it has no
//! blocked time left: the kernel does not say when a thread waited, so no split can do better.

use amdahl_workloads::{RunQueue, Trace, WorkerTrace};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::ProfileSample;

/// The trace of a run on ideal processors (what a fake clock reports): the leader runs
/// `serial_ns` of serial code alone, then one call in which every one of `threads` workers works
/// `parallel_ns / threads` on its CPU; nothing waits.
pub fn ideal_trace(threads: usize, serial_ns: u64, parallel_ns: u64) -> Trace {
    let threads = threads.max(1);
    let each = parallel_ns / threads as u64;
    let workers = (0..threads)
        .map(|i| WorkerTrace {
            task_ns: each,
            work_cpu_ns: each + if i == 0 { serial_ns } else { 0 },
            dispatch_ns: 0,
            imbalance_ns: 0,
            untracked_cpu_ns: 0,
            run_queue_ns: Some(0),
        })
        .collect();
    Trace {
        threads,
        leader: 0,
        wall_ns: serial_ns + each,
        outside_ns: serial_ns,
        untracked_ns: 0,
        calls: 1,
        workers,
        longest_tasks_ns: None,
        call_records: Vec::new(),
        run_queue: RunQueue::Measured,
        samples: Default::default(),
    }
}

/// A seeded fork-join run whose parts are known (see the module docs).
#[derive(Debug, Clone)]
pub struct Schedule {
    trace: Trace,
    truth: ProfileSample,
}

/// What one worker did in the schedule, summed.
#[derive(Debug, Clone, Copy, Default)]
struct Worker {
    task: u64,
    task_cpu: u64,
    blocked: u64,
    wait_in_work: u64,
    dispatch: u64,
    imbalance: u64,
    serial_idle: u64,
    untracked_cpu: u64,
}

impl Worker {
    /// `off` of its work off its CPU: part of it waiting for a CPU when the schedule `waits`,
    /// the rest blocked.
    fn off_cpu_in_work(&mut self, off: u64, waits: bool, rng: &mut Pcg64Mcg) {
        let wait = if waits && off > 0 { rng.random_range(0..=off) } else { 0 };
        self.wait_in_work += wait;
        self.blocked += off - wait;
    }
}

impl Schedule {
    /// A schedule of `threads` workers drawn from `seed`: 1 to 4 serial stretches and calls,
    /// blocking, run-queue waits and untracked work each present or not.
    pub fn draw(threads: usize, seed: u64) -> Schedule {
        let j = threads.max(1);
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let leader = rng.random_range(0..j);
        let mut workers = vec![Worker::default(); j];
        let (mut wall, mut outside, mut serial_code, mut calls) = (0u64, 0u64, 0u64, 0u64);
        let blocks = rng.random_bool(0.5);
        let waits = rng.random_bool(0.5);
        for _ in 0..rng.random_range(1..=4) {
            // Serial code on the leader, part of it off its CPU.
            let stretch = rng.random_range(0..5_000_000u64);
            let off = if blocks { rng.random_range(0..=stretch / 2) } else { 0 };
            let w = &mut workers[leader];
            w.task_cpu += stretch - off;
            w.off_cpu_in_work(off, waits, &mut rng);
            for (i, other) in workers.iter_mut().enumerate() {
                if i != leader {
                    other.serial_idle += stretch;
                }
            }
            outside += stretch;
            serial_code += stretch;
            wall += stretch;
            // A call: each worker's dispatch, tasks (with gaps) and the barrier after the slowest.
            calls += 1;
            let plans: Vec<(u64, u64, u64, u64)> = (0..j)
                .map(|_| {
                    let dispatch = rng.random_range(0..200_000u64);
                    let busy = if rng.random_bool(0.9) { rng.random_range(1..10_000_000u64) } else { 0 };
                    let gaps = if busy > 0 { rng.random_range(0..100_000u64) } else { 0 };
                    let off = if blocks { rng.random_range(0..=busy / 3) } else { 0 };
                    (dispatch, busy, gaps, off)
                })
                .collect();
            let call = plans.iter().map(|(d, b, g, _)| if *b > 0 { d + b + g } else { 0 }).max().unwrap_or(0);
            let tail = rng.random_range(0..50_000u64);
            for (w, (dispatch, busy, gaps, off)) in workers.iter_mut().zip(plans) {
                if busy == 0 {
                    w.imbalance += call;
                } else {
                    w.dispatch += dispatch + gaps;
                    w.imbalance += call - dispatch - busy - gaps;
                    w.task += busy;
                    w.task_cpu += busy - off;
                    w.off_cpu_in_work(off, waits, &mut rng);
                }
                w.dispatch += tail;
            }
            wall += call + tail;
        }
        // Untracked work: every worker on its CPU part of the stretch.
        let untracked = if rng.random_bool(0.3) { rng.random_range(1..3_000_000u64) } else { 0 };
        for w in &mut workers {
            w.untracked_cpu = rng.random_range(0..=untracked);
        }
        wall += untracked;
        outside += untracked;
        // Run-queue wait beyond the work, for workers with no blocked time left to hold it.
        let idle_waits: Vec<u64> = workers
            .iter()
            .map(|w| {
                let room = untracked - w.untracked_cpu + w.serial_idle + w.dispatch + w.imbalance;
                if waits && w.blocked == 0 && room > 0 && rng.random_bool(0.5) { rng.random_range(0..=room) } else { 0 }
            })
            .collect();
        let trace = Trace {
            threads: j,
            leader,
            wall_ns: wall,
            outside_ns: outside,
            untracked_ns: untracked,
            calls,
            workers: workers
                .iter()
                .zip(&idle_waits)
                .enumerate()
                .map(|(i, (w, idle_wait))| WorkerTrace {
                    task_ns: w.task,
                    // The leader's CPU clock runs through its untracked stretch as through its serial code.
                    work_cpu_ns: w.task_cpu + if i == leader { w.untracked_cpu } else { 0 },
                    dispatch_ns: w.dispatch,
                    imbalance_ns: w.imbalance,
                    untracked_cpu_ns: w.untracked_cpu,
                    run_queue_ns: Some(w.wait_in_work + idle_wait),
                })
                .collect(),
            longest_tasks_ns: None,
            call_records: Vec::new(),
            run_queue: RunQueue::Measured,
            samples: Default::default(),
        };
        // The truth: waits beyond the work come out of the untracked idle time, then out of each
        // idle part in proportion (rounded down, the remainder where room is left, in order).
        let mut truth = ProfileSample {
            round: 0,
            wall_ns: wall,
            calls,
            work_cpu_ns: 0,
            serial_code_ns: serial_code,
            serial_ns: 0,
            imbalance_ns: 0,
            dispatch_ns: 0,
            blocked_ns: 0,
            run_queue_ns: Some(0),
            merged_ns: 0,
            longest_tasks_ns: None,
        };
        for (w, &wait) in workers.iter().zip(&idle_waits) {
            let merged = untracked - w.untracked_cpu;
            let from_merged = wait.min(merged);
            let mut idle = [w.serial_idle, w.dispatch, w.imbalance];
            let (rest, total) = (wait - from_merged, idle.iter().sum::<u64>());
            let mut taken: Vec<u64> = idle
                .iter()
                .map(|&p| if total == 0 { 0 } else { (p as u128 * rest as u128 / total as u128) as u64 })
                .collect();
            let mut left = rest - taken.iter().sum::<u64>();
            for (part, took) in idle.iter_mut().zip(&mut taken) {
                let more = left.min(*part - *took);
                *took += more;
                left -= more;
                *part -= *took;
            }
            truth.work_cpu_ns += w.task_cpu + w.untracked_cpu;
            truth.blocked_ns += w.blocked;
            truth.merged_ns += merged - from_merged;
            truth.serial_ns += idle[0];
            truth.dispatch_ns += idle[1];
            truth.imbalance_ns += idle[2];
            *truth.run_queue_ns.as_mut().expect("measured") += w.wait_in_work + wait;
        }
        Schedule { trace, truth }
    }

    /// The trace a team would have recorded.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The parts the account should find (idle parts within a few nanoseconds of rounding).
    pub fn truth(&self) -> &ProfileSample {
        &self.truth
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::account::{Reference, TimeParts};

    #[test]
    fn the_ideal_run_is_all_work_and_serial_idling() {
        let s = ProfileSample::of(&ideal_trace(4, 100, 800), 0);
        assert_eq!((s.wall_ns, s.work_cpu_ns, s.serial_ns, s.serial_code_ns), (300, 900, 300, 100));
        assert_eq!(s.parts_ns(), 1200.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Over seeded schedules on a fake clock: every run's parts add up to its thread-time, the
        /// account's shares to 1 within 1%, and every part is the schedule's own (within the
        /// rounding: none, as the schedule rounds as the split does).
        #[test]
        fn the_split_finds_every_part_of_a_simulated_run(threads in 1usize..9, seed in any::<u64>()) {
            let schedule = Schedule::draw(threads, seed);
            let (got, want) = (ProfileSample::of(schedule.trace(), 0), schedule.truth());
            prop_assert_eq!(got.parts_ns(), (threads as u64 * got.wall_ns) as f64);
            prop_assert_eq!(want.parts_ns(), (threads as u64 * want.wall_ns) as f64);
            let slack = 0;
            for (name, g, w) in [
                ("work_cpu", got.work_cpu_ns, want.work_cpu_ns),
                ("serial_code", got.serial_code_ns, want.serial_code_ns),
                ("serial", got.serial_ns, want.serial_ns),
                ("imbalance", got.imbalance_ns, want.imbalance_ns),
                ("dispatch", got.dispatch_ns, want.dispatch_ns),
                ("blocked", got.blocked_ns, want.blocked_ns),
                ("run_queue", got.run_queue_ns.unwrap_or(0), want.run_queue_ns.unwrap_or(0)),
                ("merged", got.merged_ns, want.merged_ns),
            ] {
                prop_assert!(g.abs_diff(w) <= slack, "{}: {} against {}", name, g, w);
            }
            let parts = TimeParts::of(&[got.clone(), got], threads, Reference { useful_ns: Some(1.0), t1_ns: Some(1.0), timed_ns: &[], first_round: 0 });
            prop_assert!((parts.unwrap().total() - 1.0).abs() < 0.01);
        }
    }
}
