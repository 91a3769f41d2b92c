//! What a team was doing at an instant of a profile run: the recorded fork-join structure of its
//! `Trace` (the leader's stretches outside the calls, and per call each worker's span of tasks)
//! read at a sample's time.
//!
//! # Method
//! An instant of the window lies in a recorded call (`CallRecord`: from its start to its barrier),
//! in a call's tail (the barrier to its end: the team assembling results), or outside every
//! call: the leader's own code, while the others wait. In a call, a worker is **running** while
//! the instant lies in its span of tasks (its first task's start to its last task's end; the gaps
//! between its tasks, the pool handing it work, count as running: spans do not keep them); the
//! others are idle. Only the first calls are recorded in full (`amdahl_workloads::SPANS_KEPT`
//! worker spans): an instant after the last recorded call of a run that made more is
//! [`At::Unknown`].
//!
//! The time is all a sample needs here (with its thread), so samples of any source that stamps
//! them on the window's clock (the timer sampler's, `perf_event`'s) are read the same way.

use amdahl_workloads::{CallRecord, Trace};

/// Where an instant lies, for one worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Outside every call: the leader runs serial code, the others wait (`leader` says whether
    /// the worker asked about is the leader).
    Outside {
        /// The worker is the run's leader.
        leader: bool,
    },
    /// Inside call `call` before its barrier: `running` workers in their spans of tasks,
    /// `done` past their last task (or without any: idle until the barrier, the account's
    /// imbalance), and whether the worker asked about is running.
    InCall {
        /// The call's index among the recorded ones.
        call: usize,
        /// Workers in their span of tasks at the instant (at least 1 when `this` is).
        running: usize,
        /// Workers past their last task, or with none in the call. (The rest have not started
        /// their first task: the account's dispatch, which no function is blamed for.)
        done: usize,
        /// The worker asked about is in its span.
        this: bool,
        /// The worker asked about is the call's critical one: its span ends last (the barrier).
        critical: bool,
    },
    /// A call's tail (the team assembling results), or outside the window.
    Elsewhere,
    /// After the last recorded call of a run that made more: not known.
    Unknown,
}

/// A run's recorded calls, searchable by time.
#[derive(Debug)]
pub struct Timeline<'a> {
    trace: &'a Trace,
    /// Per recorded call, the worker whose span ends last (none when no worker had a task).
    critical: Vec<Option<usize>>,
}

impl<'a> Timeline<'a> {
    /// The timeline of `trace`.
    pub fn of(trace: &'a Trace) -> Timeline<'a> {
        let critical = trace
            .call_records
            .iter()
            .map(|c| {
                c.workers
                    .iter()
                    .enumerate()
                    .filter_map(|(i, w)| Some((i, (*w)?.last_ns)))
                    .max_by_key(|&(i, last)| (last, std::cmp::Reverse(i)))
                    .map(|(i, _)| i)
            })
            .collect();
        Timeline { trace, critical }
    }

    /// Where `t` (nanoseconds from the window's start) lies for `worker`.
    pub fn at(&self, worker: usize, t: u64) -> At {
        let records: &[CallRecord] = &self.trace.call_records;
        if t > self.trace.wall_ns {
            return At::Elsewhere;
        }
        // The last call that started at or before t.
        let i = records.partition_point(|c| c.start_ns <= t);
        if let Some(call) = i.checked_sub(1).map(|k| (k, &records[k])).filter(|(_, c)| t < c.end_ns) {
            let (k, c) = call;
            if t >= c.barrier_ns {
                return At::Elsewhere;
            }
            let inside = |w: &Option<amdahl_workloads::WorkerSpan>| w.is_some_and(|w| w.first_ns <= t && t < w.last_ns);
            let running = c.workers.iter().filter(|w| inside(w)).count();
            let done = c.workers.iter().filter(|w| w.is_none_or(|w| w.last_ns <= t)).count();
            let this = c.workers.get(worker).is_some_and(inside);
            return At::InCall { call: k, running, done, this, critical: this && self.critical[k] == Some(worker) };
        }
        let after_records = records.last().map_or(0, |c| c.end_ns);
        if self.trace.calls > records.len() as u64 && t >= after_records {
            return At::Unknown;
        }
        At::Outside { leader: worker == self.trace.leader }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amdahl_workloads::WorkerSpan;

    fn span(first_ns: u64, last_ns: u64) -> Option<WorkerSpan> {
        Some(WorkerSpan { first_ns, last_ns, busy_ns: last_ns - first_ns })
    }

    /// Serial 0..10, a call 10..40 (barrier 38) where worker 0 works 10..38 and worker 1 10..20,
    /// serial 40..50.
    fn trace(calls: u64) -> Trace {
        let mut t = crate::account::simulate::ideal_trace(2, 1, 1);
        t.leader = 0;
        t.wall_ns = 50;
        t.calls = calls;
        t.call_records =
            vec![CallRecord { start_ns: 10, barrier_ns: 38, end_ns: 40, workers: vec![span(10, 38), span(10, 20)] }];
        t
    }

    #[test]
    fn reads_serial_stretches_spans_and_tails() {
        let t = trace(1);
        let line = Timeline::of(&t);
        assert_eq!(line.at(0, 5), At::Outside { leader: true });
        assert_eq!(line.at(1, 5), At::Outside { leader: false });
        assert_eq!(line.at(0, 15), At::InCall { call: 0, running: 2, done: 0, this: true, critical: true });
        assert_eq!(line.at(1, 15), At::InCall { call: 0, running: 2, done: 0, this: true, critical: false });
        assert_eq!(line.at(0, 25), At::InCall { call: 0, running: 1, done: 1, this: true, critical: true });
        assert_eq!(line.at(1, 25), At::InCall { call: 0, running: 1, done: 1, this: false, critical: false });
        assert_eq!(line.at(0, 39), At::Elsewhere);
        // Worker 1 has not started yet at 12: dispatch, not done.
        let mut late = t.clone();
        late.call_records[0].workers[1] = span(14, 20);
        assert_eq!(
            Timeline::of(&late).at(0, 12),
            At::InCall { call: 0, running: 1, done: 0, this: true, critical: true }
        );
        assert_eq!(line.at(0, 45), At::Outside { leader: true });
        assert_eq!(line.at(0, 51), At::Elsewhere);
    }

    #[test]
    fn after_the_recorded_calls_of_a_longer_run_is_unknown() {
        let t = trace(3);
        let line = Timeline::of(&t);
        assert_eq!(line.at(0, 45), At::Unknown);
        assert_eq!(line.at(0, 5), At::Outside { leader: true });
    }
}
