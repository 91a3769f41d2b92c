//! One sample, the same way everywhere: the sweep's rounds and warm-ups, `--target-ms`
//! calibration, and `--dry-run`'s timing all run a workload through [`run_sample`].
//!
//! # What it promises
//! - The watchdog is armed **before** the clock starts and disarmed **after** it stops, so its lock
//!   and notify are never part of a timed sample.
//! - Only the run itself is inside [`Clock::measure`]; a panic is caught there (and the clock still
//!   stops), a failed run is an `Err` naming the workload and where it failed, never a panic of the
//!   runner.
//! - The input a run consumes is made afresh before the clock starts, untimed
//!   ([`Instance::before_run`]: a closure workload's per-sample setup); a panic there fails the
//!   sample like a panic of the run, and the run is not timed.
//! - What the run left behind (a command's standard error still open after it exited) is finished
//!   after the clock stops, untimed ([`Instance::after_run`]); its warning comes back with the sample,
//!   and a panic there (a closure's per-sample input whose `Drop` panics) fails the sample.
//! - A run that keeps its value ([`Instance::timed_run`] returning `Ok(None)`: a bench's closure)
//!   has it hashed after the clock stops ([`Instance::checksum_after_run`]); a panic there fails
//!   the sample like a panic of the run.
//! - The clock starts and stops on the team's own worker 0 ([`Team::install`]), as the machine's
//!   ceilings time their threads from the first one's start to the last one's end: handing the
//!   run to a sleeping pool and waking the blocked caller afterwards happen outside the timed
//!   window. Those two wake-ups cost 34 us at j = 1 and 85 us at j = 2 (rayon, `benches/harness.rs`
//!   `team/cold` on a 2-CPU VM) against 0.7 and 1.1 us from inside (`team/cold_inside`), and the
//!   same 30-80 us at every j: 0.3-0.8% of a 10 ms sample, more of a short one, and more of
//!   T(j) than of T(1), so they read as serial code. What stays inside is the work's own start:
//!   rayon wakes the other workers as tasks are split (a chain about log2 j wake-ups deep), the
//!   `threads` backend's `broadcast` notifies them one by one (O(j) system calls).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use amdahl_workloads::{Checksum, Instance, Team, Workload};

use super::clock::{Clock, CpuSource, Measurement};
use super::watchdog::Watchdog;

/// How long the watchdog waits beyond a command's own timeout before it gives up on it.
const COMMAND_GRACE: Duration = Duration::from_secs(30);

/// The sample timeout of one workload: handed to the instance (a command kills itself) and armed
/// on the watchdog around every run (in-process work that does not return ends the run).
pub struct Guard<'a> {
    watchdog: Option<&'a Watchdog>,
    command: bool,
    /// The current timeout; `None`: no limit.
    pub timeout: Option<Duration>,
}

impl<'a> Guard<'a> {
    /// The guard of `workload`'s samples.
    pub fn new(workload: &dyn Workload, watchdog: Option<&'a Watchdog>, timeout: Option<Duration>) -> Guard<'a> {
        Guard { watchdog, command: workload.command().is_some(), timeout }
    }

    fn arm(&self, instance: &mut dyn Instance, name: &str, threads: usize) {
        instance.set_timeout(self.timeout);
        if let (Some(dog), Some(timeout)) = (self.watchdog, self.timeout) {
            dog.arm(name, threads, if self.command { timeout + COMMAND_GRACE } else { timeout });
        }
    }

    fn disarm(&self) {
        if let Some(dog) = self.watchdog {
            dog.disarm();
        }
    }
}

/// One timed run that returned.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Its times.
    pub measurement: Measurement,
    /// What it computed.
    pub checksum: Checksum,
}

/// Where a sample is taken, for its messages: `at j=4`, `while calibrating --target-ms`.
pub struct SampleSite<'a> {
    /// The workload's name.
    pub name: &'a str,
    /// The phrase after "failed" and "panicked".
    pub during: &'a str,
}

/// Runs `instance` once on `team` under `guard`, timed by `clock` (CPU time from `cpu`). Returns
/// the sample, and the warning of what the run left behind, if any.
pub fn run_sample(
    instance: &mut dyn Instance,
    team: &Team,
    clock: &dyn Clock,
    cpu: CpuSource<'_>,
    guard: &Guard<'_>,
    site: &SampleSite<'_>,
) -> (Result<Sample, String>, Option<String>) {
    let j = team.threads();
    let (name, during) = (site.name, site.during);
    // The per-sample setup, before the watchdog is armed and the clock starts.
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| instance.before_run())) {
        let message = format!("workload `{name}` panicked in its per-sample setup {during}: {}", panic_message(&panic));
        return (Err(message), None);
    }
    let modeled = instance.modeled_ns(j);
    guard.arm(instance, site.name, j);
    let mut outcome = None;
    let measurement = team.install(|| {
        clock.measure(j, modeled, cpu, &mut || {
            outcome = Some(catch_unwind(AssertUnwindSafe(|| instance.timed_run(team))));
        })
    });
    guard.disarm();
    // A value kept by the run is hashed (and dropped) now, after the clock.
    let outcome = match outcome {
        Some(Ok(Ok(None))) => Some(catch_unwind(AssertUnwindSafe(|| Ok(instance.checksum_after_run())))),
        other => {
            other.map(|caught| caught.map(|run| run.map(|checksum| checksum.unwrap_or_else(|| Checksum::of_u64s([])))))
        }
    };
    // What the run left behind (a command's stderr, a closure's per-sample input, dropped here):
    // user code too, so a panic in it (a panicking `Drop`) fails the sample like any other.
    let (left_behind, after_panic) = match catch_unwind(AssertUnwindSafe(|| instance.after_run())) {
        Ok(left_behind) => (left_behind, None),
        Err(panic) => (None, Some(panic)),
    };
    let result = match outcome {
        Some(Ok(Ok(_))) if after_panic.is_some() => Err(format!(
            "workload `{name}` panicked after its run {during} (dropping its per-sample input, or finishing what the run left): {}",
            panic_message(after_panic.as_ref().expect("checked"))
        )),
        Some(Ok(Ok(checksum))) => Ok(Sample { measurement, checksum }),
        Some(Ok(Err(message))) => Err(format!("workload `{name}` failed {during}: {message}")),
        Some(Err(panic)) => Err(format!("workload `{name}` panicked {during}: {}", panic_message(&panic))),
        None => Err(format!("workload `{name}` was not run {during} (the clock did not call it)")),
    };
    (result, left_behind)
}

/// The message of a caught panic.
fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}
