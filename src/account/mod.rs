//! The thread-time account: where the j x T(j) thread-time of in-process work goes at every
//! thread count, **measured**, not inferred from the curve.
//!
//! # The parts
//! At each j the thread-time j x T(j) is split into parts that add up to it:
//! - **useful** — the work's CPU time at one thread;
//! - **inflation** — the work's CPU time beyond it (the same work costing more CPU at j threads:
//!   memory bandwidth, caches, SMT siblings, a lock's cache line, spinning in a lock);
//! - **serial** — the other j - 1 workers idle while the leader runs the work outside its
//!   parallel calls;
//! - **imbalance** — a worker idle in a parallel call after its last task while others still work;
//! - **dispatch** — a call's start to a worker's first task, the gaps between its tasks, and the
//!   team's own code (assembling results after the barrier);
//! - **blocked** — off-CPU inside the work, not runnable: locks, I/O, sleep;
//! - **run_queue** — runnable, not running: other work, or more threads than CPUs (from the
//!   kernel's schedstat; without it, in blocked);
//! - **merged** — off-CPU time in the user's own rayon code (an `install` nested in a closure),
//!   where serial, imbalance, dispatch and blocked have no task boundaries to tell them apart.
//!
//! Two views are recorded: the parts as shares of j x T(j) (adding up to 1; the bar at j = 1 is
//! the work's own composition: `sleep` is all blocked at every j), and the **serial share of
//! T(1)** (the leader's time outside the parallel calls at j, over T(1)), which is what Amdahl's
//! B is about.
//!
//! # How it is measured
//! The team records a **profile run** (`amdahl_workloads::Team::start_profile`, a `Trace`):
//! per call and per worker the first task's start, the last task's end, the busy and on-CPU time,
//! the leader's time outside the calls, and each worker's schedstat run-queue wait. [`sample`]
//! splits one trace into parts in nanoseconds ([`ProfileSample`], kept in the results file per
//! point); [`parts`] turns a point's profile runs into its shares with intervals
//! ([`TimeParts`], which every reader recomputes); [`cause`] reads the account beside the
//! verdict; [`simulate`] makes traces whose parts are known (a fake clock's, and the property
//! test's).
//!
//! # What it costs, and why profile runs
//! The account comes from **extra profile runs**, interleaved with the timed ones (one at every j
//! in each of the first `sweep::PROFILE_ROUNDS` rounds, after that round's timed samples) and kept
//! out of every statistic of T(j). The alternative, counters in every timed sample, cannot be
//! made cheap for all work: a parallel call of `three-body` (three 100-ns tasks) takes about
//! 0.3 us at j = 2, and reading a thread's CPU clock is a system call of 0.3-0.6 us on this
//! project's 2-CPU VM, a schedstat read 0.8 us. In timed samples the recorder is off and costs
//! one relaxed atomic load per call. A profile run's median wall time is compared with the timed
//! runs' median T(j); the account is marked `distorted` when they differ by more than 3%
//! ([`parts::DISTORTION`]), and the sentence then says so. The measured costs, per workload and
//! backend, are in the closing note of issue 35 (`measure run` on the 2-CPU VM): within 3% for the
//! built-ins whose calls last milliseconds, and well beyond it for `three-body`, whose profile
//! runs measure a slower run than the timed ones and are said to.

pub mod cause;
pub mod change;
pub mod command;
pub mod parts;
pub mod sample;
pub mod simulate;
pub mod work_span;

pub use cause::Cause;
pub use command::Concurrency;
pub use parts::{DISTORTION, Merged, Part, PartName, Reference, TimeParts};
pub use sample::ProfileSample;
pub use work_span::WorkSpan;
