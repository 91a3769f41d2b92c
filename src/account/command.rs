//! The thread-time account of a **command** (`--cmd`): one polled run's parts, from its process
//! tree as `amdahl_workloads::poll` saw it, and its concurrency histogram.
//!
//! # The parts of a command
//! A command's thread-time is j x T(j) as for in-process work, with j the thread count it was
//! asked to use. A command's run has no parallel calls to trace, so its parts are read from how
//! many of its threads were on a CPU, moment by moment (the **concurrency histogram**: the wall
//! time with 0, 1, 2, ... of its threads on a CPU, sampled from their states at 200 Hz):
//! - **work** (useful + inflation): its on-CPU time, from the children's `getrusage` (complete,
//!   where the polls miss the last slices of a process that exits between two of them), less the
//!   poller's own CPU time; inflation is its growth over j = 1, as for in-process work;
//! - **serial**: the time with **at most one** of its threads on a CPU while it runs, but at least
//!   one — the other j - 1 slots idle while one runs. Its serial share of T(1) is that time over
//!   T(1). A command **waiting off its CPUs** (sleeping, reading a disk, waiting for a lock) with
//!   none of its threads on a CPU is **blocked, not serial**: the time at level 0 is never serial;
//! - **run-queue**: its threads' time runnable, waiting for a CPU (`schedstat`'s `run_delay`);
//! - **blocked** (off-CPU): the rest of j x T(j) — threads waiting, and the slots of threads the
//!   command did not run at that moment (between the serial part and j on a CPU).
//!
//! No imbalance, dispatch or merged part: from outside a process there are no task boundaries to
//! tell them from blocked time.
//!
//! At **j = 1** every moment has at most one thread on a CPU: the serial share of T(1) read at
//! j = 1 is the command's whole on-CPU time over T(1), and says nothing of its serial part; it is
//! read from j = 2 on (the account's sentence reads it at the largest j within the usable CPUs).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ProfileSample;
use amdahl_workloads::TreePoll;

/// One polled run's concurrency histogram, as the file keeps it (beside its `ProfileSample`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Concurrency {
    /// The round it was taken in.
    pub round: usize,
    /// The wall time with k of the command's threads on a CPU, at index k, in nanoseconds; sums to
    /// the polled wall time (spawn to the last poll).
    pub levels_ns: Vec<u64>,
    /// Polls taken.
    pub polls: u64,
    /// The longest time between two polls, in nanoseconds.
    pub longest_gap_ns: u64,
    /// On-CPU time the polls saw (the account's work comes from `getrusage`, which sees it all).
    pub polled_cpu_ns: u64,
    /// The poller's own CPU time, taken out of the run's CPU time; null where not readable.
    pub poller_cpu_ns: Option<u64>,
    /// The most threads of the command seen at one poll.
    pub most_threads: usize,
    /// The processes of the command seen.
    pub processes: usize,
}

impl Concurrency {
    /// The polled wall time.
    pub fn wall_ns(&self) -> u64 {
        self.levels_ns.iter().sum()
    }

    /// The share of the polled wall time at each level.
    pub fn shares(&self) -> Vec<f64> {
        let wall = self.wall_ns().max(1) as f64;
        self.levels_ns.iter().map(|&ns| ns as f64 / wall).collect()
    }
}

/// The parts of one polled run at `threads` taking `wall_ns` (the timed wall time) with
/// `cpu_ns` of on-CPU time from `getrusage` (the poller's included; `None`: the polls' own), in
/// round `round` (see the module docs).
pub fn of_poll(
    poll: &TreePoll,
    wall_ns: u64,
    cpu_ns: Option<u64>,
    threads: usize,
    round: usize,
) -> (ProfileSample, Concurrency) {
    let j = threads.max(1) as u64;
    let thread_time = j * wall_ns;
    let cpu = cpu_ns.map_or(poll.cpu_ns, |c| c.saturating_sub(poll.poller_cpu_ns.unwrap_or(0)));
    let work = cpu.min(thread_time);
    let run_queue = poll.run_queue_ns.min(thread_time - work);
    let serial_code = poll.concurrency_ns.get(1).copied().unwrap_or(0).min(wall_ns);
    let serial = ((j - 1) * serial_code).min(thread_time - work - run_queue);
    let blocked = thread_time - work - run_queue - serial;
    let sample = ProfileSample {
        round,
        wall_ns,
        calls: 0,
        work_cpu_ns: work,
        serial_code_ns: serial_code,
        serial_ns: serial,
        imbalance_ns: 0,
        dispatch_ns: 0,
        blocked_ns: blocked,
        run_queue_ns: Some(run_queue),
        merged_ns: 0,
        longest_tasks_ns: None,
    };
    let concurrency = Concurrency {
        round,
        levels_ns: poll.concurrency_ns.clone(),
        polls: poll.polls,
        longest_gap_ns: poll.longest_gap_ns,
        polled_cpu_ns: poll.cpu_ns,
        poller_cpu_ns: poll.poller_cpu_ns,
        most_threads: poll.most_threads,
        processes: poll.processes,
    };
    (sample, concurrency)
}

/// A point's concurrency histogram: the mean share of each level over its polled runs (levels
/// up to the highest any run reached); empty without runs.
pub fn mean_shares(runs: &[Concurrency]) -> Vec<f64> {
    let levels = runs.iter().map(|c| c.levels_ns.len()).max().unwrap_or(0);
    let mut mean = vec![0.0; levels];
    for run in runs {
        for (m, s) in mean.iter_mut().zip(run.shares()) {
            *m += s / runs.len() as f64;
        }
    }
    mean
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Reference, TimeParts};

    fn poll(levels: Vec<u64>, cpu: u64, rq: u64) -> TreePoll {
        TreePoll {
            wall_ns: levels.iter().sum(),
            polls: 10,
            longest_gap_ns: 6,
            cpu_ns: cpu,
            run_queue_ns: rq,
            most_threads: 3,
            processes: 3,
            concurrency_ns: levels,
            poller_cpu_ns: Some(4),
            samples: Default::default(),
        }
    }

    /// A script at j = 2 of 100: 10 of one thread spinning (serial), 5 of nothing on a CPU
    /// (sleeping: blocked), 85 of two spinners.
    #[test]
    fn a_spinning_serial_part_is_serial_and_a_sleeping_one_is_blocked() {
        let (s, c) = of_poll(&poll(vec![5, 10, 85], 180, 2), 100, Some(184), 2, 3);
        assert_eq!((s.work_cpu_ns, s.serial_code_ns, s.serial_ns, s.run_queue_ns), (180, 10, 10, Some(2)));
        assert_eq!(s.blocked_ns, 200 - 180 - 2 - 10, "the sleep and the rest off the CPUs");
        assert_eq!(s.parts_ns(), 200.0);
        assert_eq!((c.round, c.wall_ns(), c.polled_cpu_ns), (3, 100, 180));
        // The same script sleeping its serial part: no serial time at all.
        let (s, _) = of_poll(&poll(vec![15, 0, 85], 170, 0), 100, Some(174), 2, 0);
        assert_eq!((s.serial_code_ns, s.serial_ns, s.blocked_ns), (0, 0, 30));
    }

    #[test]
    fn parts_never_exceed_the_thread_time() {
        // More CPU than j x wall (a command running more threads than j) fills the thread-time.
        let (s, _) = of_poll(&poll(vec![0, 10, 0, 90], 280, 50), 100, Some(300), 2, 0);
        assert_eq!((s.work_cpu_ns, s.run_queue_ns, s.serial_ns, s.blocked_ns), (200, Some(0), 0, 0));
        assert_eq!(s.parts_ns(), 200.0);
        // Without getrusage the polls' CPU is the work.
        assert_eq!(of_poll(&poll(vec![0, 100], 90, 0), 100, None, 1, 0).0.work_cpu_ns, 90);
    }

    /// 10% serial of T(1) read at j = 2 and 4 from runs whose level-1 time is 10% of T(1).
    #[test]
    fn the_serial_share_of_t1_is_the_one_thread_time_over_t1() {
        let t1 = 1000;
        let run =
            |j: u64, wall: u64| of_poll(&poll(vec![0, 100, 0, wall - 100], 900, 0), wall, Some(900), j as usize, 0).0;
        for (j, wall) in [(2, 550), (4, 325)] {
            let parts = TimeParts::of(
                &[run(j, wall)],
                j as usize,
                Reference { useful_ns: Some(900.0), t1_ns: Some(t1 as f64), timed_ns: &[wall], first_round: 0 },
            )
            .unwrap();
            assert!((parts.serial_share_of_t1.unwrap().share - 0.1).abs() < 1e-12, "{j}");
            assert!((parts.total() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn the_mean_histogram_covers_every_level_reached() {
        let a = of_poll(&poll(vec![50, 50], 50, 0), 100, None, 1, 0).1;
        let b = of_poll(&poll(vec![0, 50, 50], 150, 0), 100, None, 2, 1).1;
        assert_eq!(mean_shares(&[a, b]), vec![0.25, 0.5, 0.25]);
        assert!(mean_shares(&[]).is_empty());
    }
}
