//! `Trace`: where each worker of a team spent one profile run, as the team recorded it.
//!
//! A trace is the raw material of the thread-time account (`amdahl`'s `account` module splits it
//! into useful work, inflation, serial, imbalance, dispatch, blocked and run-queue time). It says,
//! for the run's window on its leader (the worker that ran the sample):
//! - the leader's time **outside** the team's parallel calls ([`Team::map`](crate::Team::map),
//!   [`Team::map_reduce`](crate::Team::map_reduce) and the chunk variants): the work's own serial
//!   code, while every other worker waits;
//! - per worker, its time **in tasks** (wall) and its **on-CPU** time in its work (tasks; for the
//!   leader also its code outside the calls), read from the thread's CPU clock;
//! - per worker, the parts of each call it spent **not** in tasks: **dispatch** (from the call's
//!   start to its first task, between its tasks, and the team's own code after the barrier) and
//!   **imbalance** (from its last task to the barrier, or the whole call when it got no task);
//! - per worker, its **run-queue wait** (runnable, not running) from the kernel's schedstat, when
//!   the kernel keeps it ([`RunQueue`]);
//! - **untracked** stretches: where the leader ran outside the calls while other workers ran
//!   work the team did not hand out (a user's own rayon code): there serial, imbalance,
//!   dispatch and blocked time cannot be told apart;
//! - the first calls in full ([`CallRecord`]: each worker's first task start, last task end and
//!   busy time), for readers that replay a run's fork-join structure.
//!
//! For every worker, `task_ns + dispatch_ns + imbalance_ns` is the time the calls took
//! (`wall_ns - outside_ns`): the parts of a worker's window add up by construction.

use super::sampler::Samples;

/// What a team recorded while it ran one profile sample. Times are nanoseconds; instants are
/// nanoseconds from the window's start on the leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// j: the team's workers.
    pub threads: usize,
    /// The worker that ran the sample (its leader): the one whose code outside the calls is the
    /// work's serial code.
    pub leader: usize,
    /// The window: from the run's start to its end on the leader.
    pub wall_ns: u64,
    /// The leader's time outside the team's parallel calls (untracked stretches included).
    pub outside_ns: u64,
    /// Of `outside_ns`, the time in stretches where other workers ran work the team did not hand
    /// out (a user's own rayon code inside the run): not serial code, and not separable.
    pub untracked_ns: u64,
    /// Parallel calls made by the leader (nested calls, made inside a task, count in their task).
    pub calls: u64,
    /// The sum over the calls of each call's longest task (wall time): with the serial code, the
    /// run's span — its critical path, which no number of threads can shorten. `None` unless the
    /// run timed its tasks (`Team::time_tasks_in_profiles`: two clock reads a task, so only in
    /// a run of its own).
    pub longest_tasks_ns: Option<u64>,
    /// One per worker, in worker order.
    pub workers: Vec<WorkerTrace>,
    /// The first calls in full, in order (as many as fit a fixed budget of worker spans).
    pub call_records: Vec<CallRecord>,
    /// Whether run-queue wait was measured, or why not.
    pub run_queue: RunQueue,
    /// Where the workers' CPU time went: the sampler's samples of the run (`sampler`), symbols
    /// unresolved.
    pub samples: Samples,
}

/// Where one worker's window went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkerTrace {
    /// Wall time in tasks.
    pub task_ns: u64,
    /// On-CPU time in its work: its tasks, and for the leader also its code outside the calls
    /// (untracked stretches included). Read from the thread's CPU clock at the boundaries of its
    /// work at most every [`CHECKPOINT_NS`](crate::team::CHECKPOINT_NS) of wall time; between two
    /// reads, off-CPU time is put on the time out of work first.
    pub work_cpu_ns: u64,
    /// In calls, not in tasks, before its last task (the call's start to its first task, between
    /// tasks) and after the barrier (the team assembling results).
    pub dispatch_ns: u64,
    /// In calls after its last task until the barrier, or whole calls in which it got no task.
    pub imbalance_ns: u64,
    /// On-CPU time in untracked stretches (see [`Trace::untracked_ns`]).
    pub untracked_cpu_ns: u64,
    /// Runnable but not running, over the window (the kernel's schedstat `run_delay`); `None`
    /// when not measured ([`Trace::run_queue`] says why).
    pub run_queue_ns: Option<u64>,
}

/// One parallel call: when it ran and what each worker did in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// Its start on the leader.
    pub start_ns: u64,
    /// Its barrier: every task done (the team's own assembling of results follows, until `end_ns`).
    pub barrier_ns: u64,
    /// Its end on the leader.
    pub end_ns: u64,
    /// Per worker, in worker order: its span of tasks, `None` when it got none.
    pub workers: Vec<Option<WorkerSpan>>,
}

/// One worker's tasks in one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerSpan {
    /// The start of its first task.
    pub first_ns: u64,
    /// The end of its last task.
    pub last_ns: u64,
    /// Wall time in its tasks (at most `last_ns - first_ns`; the rest is the pool handing it
    /// work).
    pub busy_ns: u64,
}

/// Whether the kernel told each worker's run-queue wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunQueue {
    /// Read from `/proc/self/task/TID/schedstat` at the window's ends.
    Measured,
    /// Not measured, and why (no `/proc`, unreadable, or a kernel that keeps no scheduler
    /// statistics): run-queue wait then reads as blocked time.
    Missing(String),
}

impl Trace {
    /// The time the parallel calls took: every worker's `task_ns + dispatch_ns + imbalance_ns`.
    pub fn in_calls_ns(&self) -> u64 {
        self.wall_ns.saturating_sub(self.outside_ns)
    }
}
