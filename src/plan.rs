//! The default plan: which thread counts a workload visits when `--threads` is not given, so the
//! cost of a run grows slowly with the machine; and the advice on samples too short to mean much.
//!
//! # Method
//! - **Work that computes**: about log-spaced counts, each √2 times the last (1, 2, 3, 4, 6, 8, 11,
//!   16, 23, 32, ...) up to N, plus the boundaries where the curve may bend: 2, the physical cores
//!   of one socket and the first thread on the next socket, P, the first SMT sibling (P + 1), and
//!   N. A 192-CPU, 2-socket machine with SMT gets 20 counts instead of 192; 2 CPUs get 1, 2.
//! - **Work whose threads wait** (I/O-bound): powers of two up to 8N, at most
//!   [`thread_set::MAX_THREADS`], plus the cap itself.
//! - **The work's own parallelism** (`Workload::parallelism`, the independent tasks of one run):
//!   no count beyond it (but always 1 and 2, so a curve exists), and the count itself is added when
//!   it falls inside the range; the plan records why it stopped ([`PlanLimit`]).
//! - The sweep adds one more limit as it warms up, ascending: strong-scaling work that is already
//!   far slower than at j = 1 (S < [`SLOWER_STOP`] and falling) is not extended upward, since each
//!   further count would cost T(1)/S per sample.

use std::collections::BTreeSet;

use amdahl_workloads::{Kind, ParamSpec};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::thread_set::{self, CpuCounts, ThreadSet};

/// Below this speedup, falling, the sweep stops extending a workload upward.
pub const SLOWER_STOP: f64 = 0.5;

/// Samples shorter than this are mostly the timer and the threads' wake-up.
pub const SHORT_SAMPLE_NS: f64 = 1e6;

/// The sample length the short-sample advice aims for.
pub const ADVISED_SAMPLE_NS: f64 = 1e7;

/// Why a workload's thread counts stop where they do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PlanLimit {
    /// The largest thread count kept.
    pub threads: usize,
    /// Which limit.
    pub reason: LimitReason,
    /// The limit in words, with its numbers.
    pub message: String,
}

/// Which limit stopped a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LimitReason {
    /// A run has no more independent tasks than this.
    WorkParallelism,
    /// The work was already far slower than at j = 1, and falling.
    Slower,
}

/// A thread count the sweep added where the fitted models disagreed most (`sweep::adaptive`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AddedPoint {
    /// j.
    pub threads: usize,
    /// The round from which it was measured (its `first_round`).
    pub round: usize,
    /// |ln S_Amdahl(j) - ln S_USL(j)| of the fits when it was added.
    pub disagreement: f64,
}

/// The thread counts of one workload, and why they stop where they do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The counts.
    pub threads: ThreadSet,
    /// The limit below the machine's own, if any.
    pub limit: Option<PlanLimit>,
}

/// The default plan of work of `kind` whose runs have `parallelism` independent tasks, on a
/// machine with `cpus`.
pub fn default_plan(kind: Kind, cpus: CpuCounts, parallelism: Option<usize>) -> Plan {
    let n = cpus.usable.max(1);
    let mut counts: BTreeSet<usize> = BTreeSet::from([1]);
    if kind.waits() {
        let cap = (8 * n).min(thread_set::MAX_THREADS);
        counts.extend(std::iter::successors(Some(1usize), |j| Some(j * 2)).take_while(|&j| j < cap));
        counts.insert(cap);
    } else {
        let (p, sockets) = (cpus.physical.clamp(1, n), cpus.sockets.max(1));
        let per_socket = (p / sockets).max(1);
        counts.extend([2, n, p, per_socket]);
        if sockets > 1 {
            counts.insert(per_socket + 1);
        }
        if p < n {
            counts.insert(p + 1);
        }
        let mut x = 1.0f64;
        while x < n as f64 {
            counts.insert(x.round() as usize);
            x *= std::f64::consts::SQRT_2;
        }
        counts.retain(|&j| j <= n);
    }
    let top = counts.last().copied().unwrap_or(1);
    let limit = parallelism.filter(|&tasks| tasks.max(2) < top).map(|tasks| {
        let keep = tasks.max(2);
        counts.retain(|&j| j <= keep);
        counts.insert(keep);
        PlanLimit {
            threads: keep,
            reason: LimitReason::WorkParallelism,
            message: format!(
                "stops at {keep} threads: one run has {tasks} independent task{} (the work's own parallelism), so more threads would find nothing to do",
                if tasks == 1 { "" } else { "s" }
            ),
        }
    });
    Plan { threads: ThreadSet::from_counts(counts), limit }
}

/// The warning for a workload whose run takes `t1_ns` at j = 1, when that is under
/// [`SHORT_SAMPLE_NS`]: which `size=` would take about [`ADVISED_SAMPLE_NS`] (for size parameters
/// whose cost grows with them), or what to do for a command.
pub fn short_sample_advice(name: &str, t1_ns: f64, size: Option<(f64, &ParamSpec)>, command: bool) -> Option<String> {
    if !(t1_ns > 0.0 && t1_ns < SHORT_SAMPLE_NS) {
        return None;
    }
    let took = if t1_ns < 1e3 { format!("{t1_ns:.0} ns") } else { format!("{:.0} us", t1_ns / 1e3) };
    let fix = match size {
        _ if command => "give the command more work (10 ms or more a run)".to_owned(),
        // A size nobody can change (a bench's closure: its size is fixed at 1, and a bench takes
        // neither `size=` nor `--target-ms`): only the code can do more per run.
        Some((_, spec)) if spec.min >= spec.max => {
            "give each run more work (10 ms or more: a larger input, or the work repeated inside the run)".to_owned()
        }
        Some((size, spec)) => {
            let advised = (size * ADVISED_SAMPLE_NS / t1_ns).clamp(spec.min, spec.max);
            format!("size={} would take about 10 ms (or --target-ms 10)", advised.round())
        }
        None => "--target-ms 10 calibrates the size to about 10 ms".to_owned(),
    };
    Some(format!(
        "{name}: a run takes {took} at j = 1; below about 1 ms the timer and waking the threads are most of what is measured (and util is not measurable: the CPU clocks' own reads weigh in): {fix}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpus(usable: usize, physical: usize, sockets: usize) -> CpuCounts {
        CpuCounts { usable, physical, sockets }
    }

    fn plan(kind: Kind, c: CpuCounts, parallelism: Option<usize>) -> Vec<usize> {
        default_plan(kind, c, parallelism).threads.counts().to_vec()
    }

    #[test]
    fn a_192_cpu_two_socket_smt_machine_gets_log_spaced_counts_and_its_boundaries() {
        let big = cpus(192, 96, 2);
        let counts = plan(Kind::Parallel, big, None);
        assert_eq!(counts, [1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 48, 49, 64, 91, 96, 97, 128, 181, 192]);
        assert!(counts.len() <= 24);
        assert_eq!(plan(Kind::IoBound, big, None), [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    }

    #[test]
    fn small_machines_keep_every_count() {
        assert_eq!(plan(Kind::Parallel, cpus(2, 2, 1), None), [1, 2]);
        assert_eq!(plan(Kind::Parallel, cpus(4, 4, 1), None), [1, 2, 3, 4]);
        assert_eq!(plan(Kind::Parallel, cpus(16, 16, 1), None), [1, 2, 3, 4, 6, 8, 11, 16]);
        assert_eq!(plan(Kind::Parallel, cpus(16, 8, 1), None), [1, 2, 3, 4, 6, 8, 9, 11, 16]);
        assert_eq!(plan(Kind::IoBound, cpus(2, 2, 1), None), [1, 2, 4, 8, 16]);
        assert_eq!(plan(Kind::Parallel, cpus(1, 1, 1), None), [1]);
    }

    #[test]
    fn no_count_beyond_the_works_own_parallelism_and_the_plan_says_why() {
        let p = default_plan(Kind::IoBound, cpus(16, 16, 1), Some(64));
        assert_eq!(p.threads.counts(), [1, 2, 4, 8, 16, 32, 64]);
        let limit = p.limit.unwrap();
        assert_eq!((limit.threads, limit.reason), (64, LimitReason::WorkParallelism));
        assert!(limit.message.contains("64 independent tasks"), "{}", limit.message);
        assert_eq!(plan(Kind::Sequential, cpus(16, 16, 1), Some(3)), [1, 2, 3]);
        assert_eq!(plan(Kind::Sequential, cpus(16, 16, 1), Some(1)), [1, 2], "a curve needs two counts");
        assert_eq!(default_plan(Kind::Parallel, cpus(16, 16, 1), Some(256)).limit, None);
        assert_eq!(plan(Kind::Parallel, cpus(16, 16, 1), Some(10)), [1, 2, 3, 4, 6, 8, 10]);
    }

    #[test]
    fn short_samples_get_a_size_that_reaches_ten_milliseconds() {
        let spec = ParamSpec::integer("size", "", 1_500_000, 1_000, 1 << 40);
        let said = short_sample_advice("primes", 49_000.0, Some((200.0, &spec)), false).unwrap();
        assert!(said.starts_with("primes: a run takes 49 us at j = 1"), "{said}");
        assert!(said.ends_with("size=40816 would take about 10 ms (or --target-ms 10)"), "{said}");
        assert_eq!(short_sample_advice("primes", 2e6, Some((200.0, &spec)), false), None);
        assert!(short_sample_advice("xz", 5e5, None, true).unwrap().contains("give the command more work"));
        // A closure's size is fixed at 1: no `size=`, no `--target-ms` (a bench takes neither).
        let fixed = ParamSpec::integer("size", "fixed", 1, 1, 1);
        let said = short_sample_advice("sum", 30.0, Some((1.0, &fixed)), false).unwrap();
        assert!(
            said.contains("give each run more work") && !said.contains("size=") && !said.contains("--target-ms"),
            "{said}"
        );
    }
}
