//! The runner: sweeps every workload of a [`RunConfig`] and keeps the results file up to date.
//!
//! The file is written (atomically, through the `journal`) before the first workload — so an
//! unwritable destination fails before anything is measured — and again after every workload, so
//! a crash or Ctrl-C keeps what was measured. The budget is shared out as the run goes: each
//! workload may use the time left divided by the workloads left, so time one workload does not
//! need passes to the next; each holds its plan before measuring against its share and half of each later
//! workload's (`budget::plan_allowance`),
//! and the run says by how much it overran, if it did. Every workload runs at least `min_rounds`
//! whatever the budget. Each workload's teams come from one crew of threads (`teams`).

pub mod adaptive;
mod calibrate;
mod clock;
pub mod journal;
mod progress;
pub mod sample;
mod steps;
pub mod teams;
pub mod watchdog;
mod workload;

pub use clock::{Clock, CpuSource, FakeClock, Measurement, Modeled, RealClock};
pub use journal::{Journal, Saved};
pub use progress::{Observer, Silent};
pub use watchdog::{Hang, Watchdog};
pub use workload::{PROFILE_ROUNDS, SweepEnv, WorkloadShare, known_minimum_s, sweep_workload};

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use amdahl_workloads::Kind;

use crate::config::RunConfig;
use crate::error::Result;
use crate::machine::MachineFacts;
use crate::machine::ceilings::CeilingPlan;
use crate::machine::rerun_history::RerunHistory;
use crate::results::{Ceilings, ResultsFile, Tool};
use steps::Run;

/// Where a run happens: clock, observer, machine, the Ctrl-C flag and the journal.
pub struct RunContext<'a> {
    /// Times samples.
    pub clock: &'a dyn Clock,
    /// Receives progress.
    pub observer: &'a mut dyn Observer,
    /// Set by Ctrl-C.
    pub interrupted: &'a AtomicBool,
    /// The machine, its facts read once when the command started: `N` and `P`, the fingerprint
    /// to record, the topology `--pin` places on, where the environment is read after the run.
    pub machine: &'a MachineFacts,
    /// The command line to record.
    pub argv: Vec<String>,
    /// The folder of default file names (`results/`).
    pub results_dir: PathBuf,
    /// Holds and writes the results file; shared with signal handlers and watchdogs.
    pub journal: &'a Journal,
    /// Watches for samples that outlive `--timeout` (`None` on the fake clock).
    pub watchdog: Option<&'a Watchdog>,
    /// Measures (or recalls) the machine's ceilings for a plan, with warnings; `None`: the run
    /// records none (`--no-ceilings`, a fixture machine, the fake clock).
    pub ceilings: Option<&'a CeilingSource<'a>>,
    /// What the workloads' earlier runs on this machine left (`machine::rerun_history`): each
    /// in-process workload's floor is read from it and its run added to it; `None`: neither
    /// (`--no-cache`, the fake clock).
    pub reruns: Option<&'a RerunHistory>,
}

#[cfg(test)]
impl<'a> RunContext<'a> {
    /// A quiet run of `machine` on `clock`, kept by `journal`: no progress, no signal, no
    /// watchdog, no ceilings, the command line `measure`. Tests change a field with struct update
    /// syntax.
    pub fn quiet(clock: &'a dyn Clock, machine: &'a MachineFacts, journal: &'a Journal) -> RunContext<'a> {
        static NEVER: AtomicBool = AtomicBool::new(false);
        RunContext {
            clock,
            // `Silent` has no size: leaking it allocates nothing.
            observer: Box::leak(Box::new(Silent)),
            interrupted: &NEVER,
            machine,
            argv: vec!["measure".into()],
            results_dir: "unused".into(),
            journal,
            watchdog: None,
            ceilings: None,
            reruns: None,
        }
    }
}

/// Measures or recalls the machine's ceilings for a plan (see `machine::ceiling_cache::provide`);
/// with [`Freshness::Measure`], measures them anew whatever the cache holds.
pub type CeilingSource<'a> = dyn Fn(&CeilingPlan, Freshness) -> (Ceilings, Vec<String>) + 'a;

/// Whether the ceilings may come from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// From the cache when it holds them.
    Cached,
    /// Measured now (a workload beat the cached ones beyond noise).
    Measure,
}

/// The ceilings a run needs: compute for CPU-bound work, bandwidth for memory-bound work, the
/// timer for work whose threads wait, each at the thread counts of the workloads that need it.
/// Commands get the compute ceiling whatever their kind says unless it is I/O.
pub fn ceiling_plan(config: &RunConfig) -> CeilingPlan {
    let mut plan = CeilingPlan::default();
    for w in &config.workloads {
        let list = match w.spec.workload.kind() {
            Kind::IoBound => &mut plan.timer,
            Kind::MemoryBound => &mut plan.bandwidth,
            _ => &mut plan.compute,
        };
        list.extend_from_slice(w.threads.counts());
    }
    plan.normalised()
}

/// What a finished run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The final contents of the results file.
    pub results: ResultsFile,
    /// Where the results are (the file asked for, or a rescue when it could not be written).
    pub saved: Saved,
    /// Where the HTML report goes (`--report`), checked before measuring.
    pub report: Option<PathBuf>,
    /// Workloads that failed.
    pub failures: usize,
}

/// The `tool` section for this build.
pub fn tool() -> Tool {
    Tool {
        name: "amdahl".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        git_commit: option_env!("AMDAHL_GIT_COMMIT").map(str::to_owned),
        rustc: option_env!("AMDAHL_RUSTC_VERSION").map(str::to_owned),
        profile: if cfg!(debug_assertions) { "debug" } else { "release" }.to_owned(),
    }
}

/// Runs every workload of `config` and writes the results file after each: the run's steps
/// (`steps`) in order.
pub fn run(config: &RunConfig, ctx: RunContext<'_>) -> Result<RunOutcome> {
    let mut run = Run::start(config, ctx)?;
    // The ceilings count in the run's time: the budget shared out to the workloads is what is left.
    run.measure_ceilings();
    for index in 0..config.workloads.len() {
        if run.interrupted() {
            break;
        }
        let result = run.one_workload(index);
        run.record(index, result);
    }
    run.finish()
}

/// The HTML report of `results`: `NAME.html` beside `NAME.json`, or `NAME.report.html` when the
/// results file itself ends in `.html` (so the report never replaces the results).
pub fn report_path(results: &Path) -> PathBuf {
    let html = results.with_extension("html");
    if html == results { results.with_extension("report.html") } else { html }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod account_tests;
