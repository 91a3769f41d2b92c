//! Work and span of in-process work, from its j = 1 profile runs: the bound S <= work/span.
//!
//! # Method
//! Cilkview's bound (He, Leiserson and Leiserson, "The Cilkview scalability analyzer", SPAA 2010)
//! without annotations: a run's **work** is its time on one thread, T(1) (the timed runs' median:
//! the span run itself is slowed by timing its tasks), and its **span** (critical path) is what no number of threads can
//! shorten: its serial code (the leader's time outside the parallel calls) plus, for each
//! parallel call, its **longest task** (the team times every task of a profile run and keeps each
//! call's longest, `amdahl_workloads::Trace::longest_tasks_ns`). With infinitely many threads a
//! run still takes its span, so S(j) <= work / span at every j — beside Amdahl's 1/B (serial code
//! only) and the granularity bound (the tasks per call), and never above either: the span holds
//! the serial code, and a call of n tasks takes at least its longest.
//!
//! The span read this way is a lower bound of the true span (a task's own nested parallelism,
//! and the user's own rayon code outside the calls, count as not on the critical path), so the
//! bound it gives is an upper bound of S, never below what threads could reach. Timing each task
//! is two clock reads a task, in profile runs only; for work of sub-microsecond tasks
//! (`three-body`) it lengthens the profile runs (marked `distorted`) and the bound is of those.
//!
//! The bound is the mean over the span runs of T(1) / span, with its Student-t 95% interval
//! (`Part`; none from a single span run, the sweep's one a point). The span's shares are of T(1).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Part, ProfileSample};

/// The work/span bound of a workload (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct WorkSpan {
    /// The j = 1 profile runs it is read from.
    pub runs: usize,
    /// The span's share of the work: serial code, with its interval.
    pub serial: Part,
    /// The span's share of the work: the longest task of each call, with its interval.
    pub longest_tasks: Part,
    /// S <= work / span, with its interval.
    pub bound: Part,
}

impl WorkSpan {
    /// The bound from the j = 1 profile runs `runs` and the timed median T(1) `t1_ns` (`None`:
    /// each span run's own wall time); `None` without a run that timed its tasks, or with a span
    /// of zero (no bound).
    pub fn of(runs: &[ProfileSample], t1_ns: Option<f64>) -> Option<WorkSpan> {
        let runs: Vec<(f64, f64, f64)> = runs
            .iter()
            .filter_map(|r| {
                let longest = r.longest_tasks_ns? as f64;
                let serial = r.serial_code_ns as f64;
                let work = t1_ns.filter(|t| *t > 0.0).unwrap_or(r.wall_ns as f64);
                // Without the team's parallel calls there are no tasks to time, and the serial
                // code may hold the work's own rayon code (untracked at one thread): no span.
                (r.calls > 0 && work > 0.0 && serial + longest > 0.0).then_some((work, serial, longest))
            })
            .collect();
        let part = |f: &dyn Fn(&(f64, f64, f64)) -> f64| Part::of(&runs.iter().map(f).collect::<Vec<_>>());
        Some(WorkSpan {
            runs: runs.len(),
            serial: part(&|(w, s, _)| s / w)?,
            longest_tasks: part(&|(w, _, l)| l / w)?,
            bound: part(&|(w, s, l)| w / (s + l))?,
        })
    }

    /// The smallest thread count at which the bound, by its upper end, is below j: from there S
    /// cannot reach j, whatever the machine (at least 2: S(1) is 1 by definition, and a span run
    /// slower than T(1) can read a bound below 1).
    pub fn binds_from(&self) -> usize {
        (self.bound.high().max(1.0).floor() as usize + 1).max(2)
    }
}

impl WorkSpan {
    /// The sentence's clause where the bound binds on the measured curve: from a thread count
    /// measured (`largest`, the largest j with a speedup), and with every measured S(j) by its
    /// interval not above it (`above`: a speedup measured beyond the bound means the span read is
    /// too long, and the clause would contradict a number beside it). `None` otherwise.
    pub fn clause(&self, largest: usize, above: bool) -> Option<String> {
        (self.binds_from() <= largest && !above).then(|| {
            format!(
                "; measured from the tasks, the span (serial code {:.1}% + the longest task of each call {:.1}% of T(1)) bounds S <= {:.1} at any j: no S(j) from j = {} can reach j",
                100.0 * self.serial.share,
                100.0 * self.longest_tasks.share,
                self.bound.share,
                self.binds_from()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(wall: u64, serial: u64, longest: Option<u64>) -> ProfileSample {
        ProfileSample {
            round: 0,
            wall_ns: wall,
            calls: 4,
            work_cpu_ns: wall,
            serial_code_ns: serial,
            serial_ns: 0,
            imbalance_ns: 0,
            dispatch_ns: 0,
            blocked_ns: 0,
            run_queue_ns: Some(0),
            merged_ns: 0,
            longest_tasks_ns: longest,
        }
    }

    /// 10% serial code and four calls whose longest tasks take 1% of T(1) together: S <= 1/0.11,
    /// read against the timed T(1), not the span runs' own (slower) wall time.
    #[test]
    fn the_bound_is_the_work_over_serial_code_and_longest_tasks() {
        let ws = WorkSpan::of(&[run(1200, 100, Some(10)), run(1300, 100, Some(10))], Some(1000.0)).unwrap();
        assert!((ws.bound.share - 1000.0 / 110.0).abs() < 1e-9);
        assert_eq!((ws.serial.share, ws.longest_tasks.share, ws.runs), (0.1, 0.01, 2));
        assert_eq!(ws.binds_from(), 10, "S(10) cannot reach 10 once the bound is 9.09");
    }

    /// The clause is said only where the bound binds within the measured counts, and never beside
    /// a speedup measured above it.
    #[test]
    fn the_clause_is_said_where_the_bound_binds_on_the_curve() {
        let ws = WorkSpan::of(&[run(1000, 0, Some(900))], None).unwrap();
        let clause = ws.clause(2, false).expect("S <= 1.1 binds from j = 2");
        assert!(clause.contains("bounds S <= 1.1") && clause.contains("from j = 2"), "{clause}");
        assert!(clause.contains("the longest task of each call 90.0%"), "{clause}");
        assert_eq!(ws.clause(2, true), None, "a speedup above the bound: no clause");
        let loose = WorkSpan::of(&[run(1000, 100, Some(10))], None).unwrap();
        assert_eq!(loose.clause(4, false), None, "S <= 9.1 does not bind up to j = 4");
    }

    /// One long task: the workload's own parallelism caps it, with no serial code at all.
    #[test]
    fn one_long_task_bounds_the_speedup_without_serial_code() {
        let ws = WorkSpan::of(&[run(1000, 0, Some(500))], None).unwrap();
        assert_eq!((ws.bound.share, ws.binds_from()), (2.0, 3));
        assert_eq!(ws.bound.ci95, None, "one run has no interval");
    }

    #[test]
    fn no_timed_tasks_or_no_span_is_no_bound() {
        let no_calls = ProfileSample { calls: 0, ..run(1000, 1000, Some(0)) };
        assert_eq!(WorkSpan::of(&[no_calls], None), None, "a closure's own rayon code: no tasks timed");
        assert_eq!(WorkSpan::of(&[run(1000, 100, None)], None), None, "a command's runs, or an older file's");
        assert_eq!(WorkSpan::of(&[run(1000, 0, Some(0))], Some(900.0)), None, "nothing on the critical path");
        assert_eq!(WorkSpan::of(&[], None), None);
    }
}
