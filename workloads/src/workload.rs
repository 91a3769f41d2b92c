//! The `Workload` and `Instance` traits: what a plug-in implements.

use std::fmt;

use crate::{Checksum, Kind, ParamSpec, Params, Team};

/// A named, parameterised piece of work that can be prepared at a given size.
///
/// Implementations are usually unit structs listed in a `const` registry such as [`crate::ALL`];
/// a [`crate::WorkloadSpec`] owns its workload as an `Arc<dyn Workload>`, so a workload made at run
/// time (a command) needs no `'static` data.
pub trait Workload: Send + Sync {
    /// A short kebab-case name, unique in its registry (`mc-pi`).
    fn name(&self) -> &str;

    /// The curve this workload is expected to show.
    fn kind(&self) -> Kind;

    /// One line saying what the workload does.
    fn description(&self) -> &str;

    /// The declared parameters. Must include `size`, the amount of work, whose default is the same
    /// on every machine.
    fn params(&self) -> &'static [ParamSpec];

    /// Builds an instance outside the timed region: allocation and initialisation happen here.
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError>;

    /// The external command this workload runs, for workloads that are commands.
    fn command(&self) -> Option<&str> {
        None
    }

    /// Warnings about these parameters on this machine (e.g. arrays that fit in cache).
    fn warnings(&self, _params: &Params) -> Vec<String> {
        Vec::new()
    }

    /// How many independent tasks one run with these parameters has: more threads than this find
    /// nothing to do, so the default plan stops there. `None`: unknown (a command whose tasks were
    /// not declared) or unbounded.
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        None
    }

    /// The version of this workload's work: raise it when the same parameters start measuring
    /// something else (another decomposition, another algorithm), so results files keep apart
    /// what cannot be compared (`measure compare` refuses one version against another). Written
    /// in the results file as `workload_version`; files from before it read as 1.
    fn version(&self) -> u32 {
        1
    }

    /// How long one run with these parameters takes at `threads`, where the parameters alone say
    /// it (`sleep`: `size` tasks of `ms` each, its serial share first): the plan's estimate with
    /// nothing timed, and the refusal of a sample longer than the whole budget before anything
    /// runs. `None` (the default): only a run can tell.
    fn known_duration(&self, _params: &Params, _threads: usize) -> Option<std::time::Duration> {
        None
    }
}

/// A built-in workload of a `'static` registry such as [`crate::ALL`] shared by reference.
impl<W: Workload + ?Sized> Workload for &W {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn kind(&self) -> Kind {
        (**self).kind()
    }
    fn description(&self) -> &str {
        (**self).description()
    }
    fn params(&self) -> &'static [ParamSpec] {
        (**self).params()
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        (**self).prepare(params)
    }
    fn command(&self) -> Option<&str> {
        (**self).command()
    }
    fn warnings(&self, params: &Params) -> Vec<String> {
        (**self).warnings(params)
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        (**self).parallelism(params)
    }
    fn version(&self) -> u32 {
        (**self).version()
    }
    fn known_duration(&self, params: &Params, threads: usize) -> Option<std::time::Duration> {
        (**self).known_duration(params, threads)
    }
}

/// A prepared workload, run many times at many thread counts.
pub trait Instance: Send {
    /// Does the fixed total amount of work over `team` and returns a checksum that is identical
    /// for every thread count and backend. May panic if the workload's code panics; the runner
    /// catches that and reports it with the workload and thread count.
    fn run(&mut self, team: &Team) -> Checksum;

    /// Like [`Instance::run`], for work that can fail without a bug (an external command's
    /// non-zero exit): the runner calls this one, and an `Err` takes the thread count out of the
    /// sweep with its message. The default calls `run`.
    fn try_run(&mut self, team: &Team) -> Result<Checksum, String> {
        Ok(self.run(team))
    }

    /// The part of a run the runner times: by default the whole [`Instance::try_run`]. Work whose
    /// checksum is computed from a value it returns (a closure workload of a bench) may keep that
    /// value and return `Ok(None)`: the runner then asks [`Instance::checksum_after_run`] after
    /// the clock has stopped, so hashing the value and dropping it are not timed.
    fn timed_run(&mut self, team: &Team) -> Result<Option<Checksum>, String> {
        self.try_run(team).map(Some)
    }

    /// The checksum of the value the last [`Instance::timed_run`] kept (it is dropped here,
    /// untimed). Called only after a `timed_run` that returned `Ok(None)`; the default, never
    /// called, is the checksum of nothing.
    fn checksum_after_run(&mut self) -> Checksum {
        Checksum::of_u64s([])
    }

    /// The longest one run may take from now on (`None`: no limit). An instance that can stop its
    /// own work — a command, whose process group is killed — stops a longer run and returns `Err`
    /// from [`Instance::try_run`]; the default ignores it, and the runner's watchdog handles
    /// in-process work that does not return.
    fn set_timeout(&mut self, _timeout: Option<std::time::Duration>) {}

    /// Called before each run, outside the timing: makes the input a run consumes or mutates
    /// afresh (a sort's unsorted array; criterion's `iter_batched`), so that every timed run does
    /// the same work. The default has nothing to make.
    fn before_run(&mut self) {}

    /// Called after each run, outside the timing: finishes what the run left behind (a command's
    /// standard error, still open when the command exited) and returns a warning worth telling the
    /// user, if any. The default has nothing to finish.
    fn after_run(&mut self) -> Option<String> {
        None
    }

    /// The exact duration this instance would take on `threads` ideal processors, in nanoseconds,
    /// where the workload knows it by construction (only `synthetic` does). Fake clocks use it to
    /// make whole runs exact; real clocks ignore it.
    fn modeled_ns(&self, _threads: usize) -> Option<u64> {
        None
    }

    /// Bytes moved to and from memory by one run, for workloads that report bandwidth.
    fn bytes_per_run(&self) -> Option<u64> {
        None
    }

    /// Asks that the next run's process tree be polled (`crate::poll`) on a machine of `cpus`
    /// usable CPUs: `true` when this instance runs a command and can. The default (in-process
    /// work) cannot.
    fn poll_next_run(&mut self, _cpus: usize) -> bool {
        false
    }

    /// What the poller saw of the last polled run, or why it saw nothing; `None` when no run was
    /// polled.
    fn take_poll(&mut self) -> Option<Result<crate::TreePoll, String>> {
        None
    }
}

/// A workload could not prepare an instance (e.g. memory could not be allocated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadError {
    /// The workload.
    pub workload: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for WorkloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "workload `{}`: {}", self.workload, self.message)
    }
}

impl std::error::Error for WorkloadError {}
