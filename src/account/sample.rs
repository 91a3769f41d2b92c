//! One profile run's thread-time, split into its parts: [`ProfileSample::of`] a team's [`Trace`].
//!
//! # The split
//! For each worker w of j, its window of T (the run's wall time on the leader) is cut into what it
//! did (see `amdahl_workloads::Trace` for how each is recorded). With O the leader's time outside
//! the parallel calls and M the untracked part of O (the user's own rayon code):
//! - its **work**: its tasks, and for the leader its code outside the calls but in M. On-CPU
//!   there is the work's CPU time (useful work and inflation, told apart only against j = 1 by
//!   `TimeParts`); off-CPU there is **blocked** time (locks, I/O, sleep);
//! - in M, its on-CPU time is work too; its off-CPU time is **merged** (idle or blocked, there is
//!   no telling);
//! - a worker other than the leader is idle for O - M: **serial**;
//! - in calls, **dispatch** and **imbalance** as traced.
//!
//! These add up to T for every worker by construction. Its **run-queue** wait (runnable, not
//! running), which the kernel gives for the whole window without saying when, is then taken out
//! of its off-CPU time in its work first (where waiting for a CPU looks like being blocked), then
//! out of its merged time, then out of its idle parts (serial, dispatch, imbalance) in proportion
//! — never more than those hold, so the parts of every worker still add up to T. Without
//! schedstat, run-queue wait stays in blocked.
//!
//! The parts are recorded in nanoseconds of thread-time per profile run (the file's `profile`
//! of each point): the measurement. Shares, intervals and the comparison with j = 1 are
//! `TimeParts`, which every reader recomputes from them.

use amdahl_workloads::{RunQueue, Trace, WorkerTrace};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One profile run's thread-time j x T split into parts, in nanoseconds. `work_cpu_ns +
/// serial_ns + imbalance_ns + dispatch_ns + blocked_ns + run_queue_ns + merged_ns` is j x
/// `wall_ns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ProfileSample {
    /// The round it was taken in (after that round's timed sample at the same j).
    pub round: usize,
    /// The run's wall time (its window on the leader).
    pub wall_ns: u64,
    /// The parallel calls the run made.
    pub calls: u64,
    /// On-CPU time of the work, every worker: useful work and its inflation together.
    pub work_cpu_ns: u64,
    /// The leader's time outside the parallel calls, untracked stretches excluded: the work's
    /// serial code (the serial view: over T(1)).
    pub serial_code_ns: u64,
    /// Thread-time of the other workers, idle while the leader ran the serial code.
    pub serial_ns: u64,
    /// Thread-time idle in calls after a worker's last task (or whole calls without one).
    pub imbalance_ns: u64,
    /// Thread-time in calls before a worker's first task, between its tasks and after the
    /// barrier: the team handing out work and assembling results.
    pub dispatch_ns: u64,
    /// Thread-time off-CPU in the work, not runnable: locks, I/O, sleep.
    pub blocked_ns: u64,
    /// Thread-time runnable but not running; null when not measured (then in `blocked_ns`).
    pub run_queue_ns: Option<u64>,
    /// Thread-time off-CPU in untracked stretches (the user's own rayon code): serial,
    /// imbalance, dispatch or blocked, not separable.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub merged_ns: u64,
    /// The sum over the parallel calls of each call's longest task: with `serial_code_ns`, the
    /// run's span (see `account::work_span`). Only a **span run** has it (the j = 1 profile run
    /// of a point's first round, which times every task and so is left out of the account);
    /// null for the other runs, a command's and older files'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_tasks_ns: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One worker's parts, before its run-queue wait is taken out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WorkerParts {
    cpu: u64,
    off_work: u64,
    merged: u64,
    serial: u64,
    dispatch: u64,
    imbalance: u64,
}

impl WorkerParts {
    /// Worker `w`'s window as the trace says, its parts adding up to `trace.wall_ns`.
    fn of(trace: &Trace, index: usize, w: &WorkerTrace) -> WorkerParts {
        let leader = index == trace.leader;
        let in_calls = trace.in_calls_ns();
        let serial_code = trace.outside_ns - trace.untracked_ns.min(trace.outside_ns);
        let untracked = trace.outside_ns - serial_code;
        // In calls: tasks, dispatch and imbalance (the recorder makes them add up; a trace built
        // otherwise is made to).
        let task = w.task_ns.min(in_calls);
        let dispatch = w.dispatch_ns.min(in_calls - task);
        let imbalance = in_calls - task - dispatch;
        let work_wall = task + if leader { serial_code } else { 0 };
        let untracked_cpu = w.untracked_cpu_ns.min(untracked);
        // The leader's CPU clock ran through its untracked stretches as through its serial code.
        let own = if leader { w.work_cpu_ns.saturating_sub(untracked_cpu) } else { w.work_cpu_ns };
        let work_cpu = own.min(work_wall);
        WorkerParts {
            cpu: work_cpu + untracked_cpu,
            off_work: work_wall - work_cpu,
            merged: untracked - untracked_cpu,
            serial: if leader { 0 } else { serial_code },
            dispatch,
            imbalance,
        }
    }

    /// Takes `wait` of run-queue time out of the off-CPU parts (see the module docs); returns
    /// what was taken.
    fn take_run_queue(&mut self, wait: u64) -> u64 {
        let from_work = wait.min(self.off_work);
        self.off_work -= from_work;
        let from_merged = (wait - from_work).min(self.merged);
        self.merged -= from_merged;
        let rest = wait - from_work - from_merged;
        let idle = self.serial + self.dispatch + self.imbalance;
        let from_idle = rest.min(idle);
        if from_idle > 0 {
            // In proportion, rounded down; the rounding's remainder is taken where room is left.
            let share = |part: u64| (part as u128 * from_idle as u128 / idle as u128) as u64;
            let mut taken = [share(self.serial), share(self.dispatch), share(self.imbalance)];
            let parts = [&mut self.serial, &mut self.dispatch, &mut self.imbalance];
            let mut left = from_idle - taken.iter().sum::<u64>();
            for (part, took) in parts.into_iter().zip(&mut taken) {
                let more = left.min(*part - *took);
                *took += more;
                left -= more;
                *part -= *took;
            }
        }
        from_work + from_merged + from_idle
    }
}

impl ProfileSample {
    /// The parts of the run `trace` recorded in round `round` (see the module docs).
    pub fn of(trace: &Trace, round: usize) -> ProfileSample {
        let measured = matches!(trace.run_queue, RunQueue::Measured);
        let mut sample = ProfileSample {
            round,
            wall_ns: trace.wall_ns,
            calls: trace.calls,
            work_cpu_ns: 0,
            serial_code_ns: trace.outside_ns - trace.untracked_ns.min(trace.outside_ns),
            serial_ns: 0,
            imbalance_ns: 0,
            dispatch_ns: 0,
            blocked_ns: 0,
            run_queue_ns: measured.then_some(0),
            merged_ns: 0,
            longest_tasks_ns: trace.longest_tasks_ns,
        };
        for (i, w) in trace.workers.iter().enumerate() {
            let mut parts = WorkerParts::of(trace, i, w);
            if let (Some(total), Some(wait)) = (sample.run_queue_ns.as_mut(), w.run_queue_ns) {
                *total += parts.take_run_queue(wait);
            }
            sample.work_cpu_ns += parts.cpu;
            sample.blocked_ns += parts.off_work;
            sample.merged_ns += parts.merged;
            sample.serial_ns += parts.serial;
            sample.dispatch_ns += parts.dispatch;
            sample.imbalance_ns += parts.imbalance;
        }
        sample
    }

    /// The thread-time the parts add up to (in floating point: a file's values may be anything).
    pub fn parts_ns(&self) -> f64 {
        [
            self.work_cpu_ns,
            self.serial_ns,
            self.imbalance_ns,
            self.dispatch_ns,
            self.blocked_ns,
            self.run_queue_ns.unwrap_or(0),
            self.merged_ns,
        ]
        .iter()
        .map(|&ns| ns as f64)
        .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amdahl_workloads::WorkerTrace;

    fn worker(task: u64, cpu: u64, dispatch: u64, imbalance: u64, wait: Option<u64>) -> WorkerTrace {
        WorkerTrace {
            task_ns: task,
            work_cpu_ns: cpu,
            dispatch_ns: dispatch,
            imbalance_ns: imbalance,
            untracked_cpu_ns: 0,
            run_queue_ns: wait,
        }
    }

    fn trace(wall: u64, outside: u64, workers: Vec<WorkerTrace>) -> Trace {
        Trace {
            threads: workers.len(),
            leader: 0,
            wall_ns: wall,
            outside_ns: outside,
            untracked_ns: 0,
            calls: 1,
            workers,
            longest_tasks_ns: None,
            call_records: Vec::new(),
            run_queue: RunQueue::Measured,
            samples: Default::default(),
        }
    }

    /// A run of 100: the leader's 10 of serial code, then a call of 90 in which worker 0 works
    /// 80 (72 on its CPU, 5 of it waiting for one) and worker 1 works 60 (all on its CPU) after a
    /// dispatch of 5.
    #[test]
    fn a_known_run_splits_into_its_parts() {
        let t = trace(100, 10, vec![worker(80, 82, 2, 8, Some(5)), worker(60, 60, 5, 25, Some(0))]);
        let s = ProfileSample::of(&t, 0);
        assert_eq!(s.work_cpu_ns, 82 + 60, "the leader's 10 of serial code on its CPU, and its tasks'");
        assert_eq!(s.serial_code_ns, 10);
        assert_eq!(s.serial_ns, 10);
        assert_eq!((s.dispatch_ns, s.imbalance_ns), (7, 33));
        // The leader's work was 90 long with 82 on its CPU: 8 off it, 5 of which it waited for one.
        assert_eq!((s.blocked_ns, s.run_queue_ns), (3, Some(5)));
        assert_eq!(s.parts_ns(), 200.0);
    }

    #[test]
    fn run_queue_wait_beyond_the_work_comes_out_of_idle_time_in_proportion() {
        let t = trace(100, 40, vec![worker(60, 100, 0, 0, Some(0)), worker(20, 20, 10, 30, Some(40))]);
        let s = ProfileSample::of(&t, 0);
        // Worker 1 waited 40 and never off its CPU in its tasks: the wait comes out of its 40 of
        // serial idle, 10 of dispatch and 30 of imbalance, half of each.
        assert_eq!(s.run_queue_ns, Some(40));
        assert_eq!((s.serial_ns, s.dispatch_ns, s.imbalance_ns, s.blocked_ns), (20, 5, 15, 0));
        assert_eq!(s.parts_ns(), 200.0);
        // More wait than the worker had off its CPU is cut to what it had.
        let t = trace(100, 0, vec![worker(100, 100, 0, 0, Some(500))]);
        assert_eq!(ProfileSample::of(&t, 0).run_queue_ns, Some(0));
    }

    #[test]
    fn without_schedstat_waiting_stays_in_blocked() {
        let mut t = trace(100, 0, vec![worker(100, 50, 0, 0, None)]);
        t.run_queue = RunQueue::Missing("no schedstat".into());
        let s = ProfileSample::of(&t, 0);
        assert_eq!((s.blocked_ns, s.run_queue_ns), (50, None));
        assert_eq!(s.parts_ns(), 100.0);
    }

    #[test]
    fn untracked_stretches_are_work_on_a_cpu_and_merged_off_it() {
        // 100 of run, all outside calls, 80 of it untracked: the leader's CPU ran 90 (20 of it
        // in its serial code, 70 in the untracked stretch), the other worker's 60 in the stretch.
        let mut t = trace(100, 100, vec![worker(0, 90, 0, 0, Some(0)), worker(0, 0, 0, 0, Some(0))]);
        t.untracked_ns = 80;
        t.workers[0].untracked_cpu_ns = 70;
        t.workers[1].untracked_cpu_ns = 60;
        let s = ProfileSample::of(&t, 0);
        assert_eq!(s.serial_code_ns, 20);
        assert_eq!(s.work_cpu_ns, 20 + 70 + 60);
        assert_eq!(s.merged_ns, 10 + 20);
        assert_eq!(s.serial_ns, 20, "the other worker idles only through the serial code");
        assert_eq!(s.parts_ns(), 200.0);
    }
}
