//! The results file: the versioned JSON that `measure run` writes and every other command reads.
//!
//! # Format
//! One JSON object. `schema` is `"amdahl-results"` and `schema_version` an integer, currently
//! [`SCHEMA_VERSION`]; renaming or removing a field, or changing its meaning, bumps the version, while
//! new fields may be added (readers ignore keys they do not know). Units are in field names (`_ns`,
//! `_bytes`, `_s`). A number that could not be measured or computed is `null`, never invented.
//! The JSON Schema is published at `results/schema.json` (generated from these types; a test keeps
//! it in sync).
//!
//! - `tool`: name, version, git commit, rustc and build profile of the `measure` that ran.
//! - `run`: start and end (UTC, RFC 3339), argv, seed, `status` (`running` while being written,
//!   then `complete` or `interrupted`).
//! - `machine`: the fingerprint of [`crate::machine`], with `ceilings`: what plain pinned threads
//!   reach on this machine at the run's thread counts ([`Ceilings`]).
//! - `config`: the sweep's settings, with `pin` (thread placement) and `team` (how `threads`
//!   teams run their workers).
//! - `workloads[]`: per workload its `name`, `kind`, `params`, `size`, `backend`, `scaling`, the
//!   rounds run and why the sweep stopped, the checksum, and `points[]`; per point the `threads`, the
//!   raw per-round `samples_ns` (index r is round r at every j, so points pair up), `cpu_ns` and
//!   `involuntary_context_switches`, and the summaries computed from them: median with CI, MAD,
//!   mean, sd, `speedup` with `speedup_ci95`, `efficiency`, `karp_flatt` with CI, `utilisation`,
//!   `tags`, and `machine_speedup` and `fidelity` (S against the machine's ceiling at j). Then `fits`
//!   (`fits.amdahl.serial_fraction`, `.ci95`, ..., and `speedup_baseline`), `verdict` (what the
//!   curve shows, tagged by `kind`, with its evidence: [`Verdict`]) with what qualifies it beside
//!   it (`then`, `law`, `alternative`, `disturbed`: together a [`Diagnosis`]) and `diagnosis` (the
//!   sentence rendered from them), `tasks` (the work's task count; a command's `--tasks`), `bytes_per_run`
//!   (a command's `--bytes`), `warnings` and `error` (set when the workload failed; the points
//!   measured before the failure are kept).
//!
//! The summaries, fits and verdict are the analysis's values ([`crate::analysed`]) written into
//! these types at one place, [`WorkloadResult::record`].

mod ceilings;
pub mod output;
mod store;
pub mod validate;

pub use ceilings::{BandwidthCeiling, Ceilings, ComputeCeiling, TimerCeiling};
pub use output::{Overwrite, write_atomic, write_new};
pub use store::{SUPPORTED_VERSIONS, default_paths, load, parse, slug, to_json};

pub use crate::analysed::Disturbance;

use std::collections::BTreeMap;

use amdahl_workloads::{Backend, Kind};
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::account::{Cause, Concurrency, ProfileSample, TimeParts};
use crate::analysed::{Analysis, PointSummary};
use crate::config::{Hooks, SweepSettings};
use crate::fit::{Diagnosis, Disturbed, Fits, Law, Regime, Verdict};
use crate::placement::Pin;
use crate::plan::{AddedPoint, PlanLimit};
use crate::scaling::Scaling;
use crate::stats::NoiseFloors;
use crate::stats::states::Shift;
use crate::thread_set::CpuCounts;

/// The version of the format written by this build.
///
/// - 1: the first format.
/// - 2: fits in one estimation frame (`fit::frame`): `aicc` is computed on log-cost residuals,
///   `ci_method` `t` and `covariance-t` intervals come from that fit, and intervals may be absent
///   with a reason (`no_interval`); `fits.usl_p_value` and `karp_flatt_trend.mann_kendall_z` are
///   new. Version 1 files load: every reader refits them from their raw samples.
/// - 3: the diagnosis as a type: `verdict` beside `diagnosis` (the sentence is rendered from it),
///   the work's task count `tasks` per workload, and `fits.speedup_baseline`. Files of versions 1
///   and 2 load, are refitted and gain a verdict. Later within version 3 (new fields, no new
///   version): the verdict's qualifiers `then`, `law`, `alternative` and `disturbed` beside it, the
///   disturbance among them (it was a verdict of the kind `disturbed`, which hid the shape: such a
///   cached verdict loads as none, and every reader refits the file from its samples), and a
///   `reason` `two-thread-counts` of `undetermined`.
/// - 4: intervals know the machine's states: a file's T(j), S(j) and the fits' intervals are
///   widened by the spread between stretches of its rounds in time order where it exceeds the
///   noise floor, and each point may carry the `shift` found in its rounds (`stats::states`).
///   Files of versions 1-3 load and are explained as before (their rounds' order is not read).
pub const SCHEMA_VERSION: u32 = 4;

/// The value of the `schema` field.
pub const SCHEMA_NAME: &str = "amdahl-results";

/// A whole results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ResultsFile {
    /// Format version; see the module docs.
    pub schema_version: u32,
    /// Always `amdahl-results`.
    pub schema: String,
    /// The tool that wrote the file.
    pub tool: Tool,
    /// When and how the run was made.
    pub run: RunInfo,
    /// The machine it ran on.
    pub machine: Machine,
    /// The sweep's settings.
    pub config: ConfigRecord,
    /// Warnings about the whole run (debug build, busy machine...).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// One entry per workload, in run order.
    #[serde(default)]
    pub workloads: Vec<WorkloadResult>,
}

/// The tool that wrote the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Tool {
    /// `amdahl`.
    pub name: String,
    /// Crate version.
    pub version: String,
    /// The git commit it was built from, when known.
    pub git_commit: Option<String>,
    /// `rustc --version` of the build, when known.
    pub rustc: Option<String>,
    /// `release` or `debug`.
    pub profile: String,
}

/// Run status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still measuring (a file left in this state means the process died).
    Running,
    /// Every workload was run.
    Complete,
    /// Stopped by Ctrl-C; what was measured is kept.
    Interrupted,
}

/// When and how the run was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RunInfo {
    /// Start, UTC, RFC 3339.
    pub started_utc: String,
    /// End, UTC, RFC 3339; null while running.
    pub finished_utc: Option<String>,
    /// The command line.
    pub argv: Vec<String>,
    /// Seed of the round order and the bootstrap.
    pub seed: u64,
    /// Whether the run finished.
    pub status: RunStatus,
}

/// One CPU cache level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct CacheInfo {
    /// 1, 2, 3...
    pub level: u32,
    /// `Data`, `Instruction` or `Unified`.
    pub kind: String,
    /// Capacity.
    pub size_bytes: u64,
}

impl CacheInfo {
    /// Whether it holds data (`Data` or `Unified`), not only instructions: the caches a
    /// working set lives in.
    pub fn holds_data(&self) -> bool {
        self.kind != "Instruction"
    }
}

/// The machine fingerprint. Facts that could not be read are null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Machine {
    /// Host name.
    pub hostname: Option<String>,
    /// CPU model name.
    pub cpu_brand: Option<String>,
    /// Usable CPUs: the CPUs this process may run on, after affinity and the cgroup quota
    /// (`machine::Topology`). `N` in `--threads`. Written as `logical_cpus`, its
    /// name in version 1 files.
    #[serde(rename = "logical_cpus")]
    #[cfg_attr(feature = "schema", schemars(rename = "logical_cpus"))]
    pub usable_cpus: usize,
    /// Physical cores among the usable CPUs, at most `logical_cpus` (`machine::Topology`). `P` in
    /// `--threads`.
    pub physical_cores: usize,
    /// CPUs the OS has online, whatever the affinity.
    pub online_cpus: Option<usize>,
    /// Hardware threads per core (SMT siblings of CPU 0).
    pub threads_per_core: Option<usize>,
    /// Whether SMT is active.
    pub smt_active: Option<bool>,
    /// The CPUs this process may run on.
    pub affinity: Option<Vec<usize>>,
    /// Caches of CPU 0.
    pub caches: Vec<CacheInfo>,
    /// `linux`, `macos`...
    pub os: String,
    /// Kernel release.
    pub kernel: Option<String>,
    /// Total memory.
    pub memory_bytes: Option<u64>,
    /// cpufreq scaling governor of CPU 0.
    pub governor: Option<String>,
    /// Whether turbo/boost is enabled.
    pub boost: Option<bool>,
    /// 1, 5 and 15 minute load averages before the run.
    pub load_before: Option<[f64; 3]>,
    /// The same after the run.
    pub load_after: Option<[f64; 3]>,
    /// A short sample of `/proc/stat` taken just before the run (`machine::busy`): what judges
    /// whether the machine was busy, where the 1-minute load average still carries the last minute
    /// (a previous run). Null when `stat` could not be read, and in files from before it existed
    /// (readers then judge by `load_before`).
    #[serde(default)]
    pub busy_before: Option<BusySample>,
    /// Sockets among the usable CPUs.
    #[serde(default)]
    pub sockets: Option<usize>,
    /// NUMA nodes online.
    #[serde(default)]
    pub numa_nodes: Option<usize>,
    /// The cgroup's CPU quota in CPUs, when limited (it caps `logical_cpus`).
    #[serde(default)]
    pub cpu_quota: Option<f64>,
    /// The state before and after the run (governor, boost, load, steal, throttling).
    #[serde(default)]
    pub environment: Option<EnvironmentRecord>,
    /// What plain pinned threads reach on this machine at the run's thread counts; null when not
    /// measured (`--no-ceilings`, a fixture machine, or a file from before they existed).
    #[serde(default)]
    pub ceilings: Option<Ceilings>,
    /// Where the facts above were read (`--sysfs`, `--procfs`, `AMDAHL_SYSFS`, `AMDAHL_PROCFS`);
    /// null when both are the live `/sys` and `/proc`. When set, the facts describe a fixture tree
    /// while every timing of the file was taken on the machine that ran it.
    #[serde(default)]
    pub roots: Option<FactRoots>,
}

/// The sysfs and procfs roots a file's machine facts were read from, when not the live ones.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct FactRoots {
    /// The sysfs root; null when it is the live `/sys`.
    pub sysfs: Option<String>,
    /// The procfs root; null when it is the live `/proc`.
    pub procfs: Option<String>,
}

/// Two readings of `/proc/stat` a fraction of a second apart (see `machine::busy` for the method).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct BusySample {
    /// Seconds between the readings.
    pub seconds: f64,
    /// The CPUs the ticks below are counted over (the `cpuN` lines of `stat`).
    pub cpus: usize,
    /// Ticks the CPUs spent busy between the readings: all but idle and iowait (stolen time
    /// included: another guest had the CPU).
    pub busy_ticks: u64,
    /// All ticks of the CPUs between the readings.
    pub total_ticks: u64,
    /// Runnable tasks (`procs_running`) at each reading, the reading thread itself among them;
    /// null when `stat` has no such line.
    pub procs_running: Option<[u64; 2]>,
}

impl BusySample {
    /// The other work the sample saw, in CPUs (comparable with a load average): the larger of the
    /// busy CPUs (busy share of the ticks x `cpus`; 0 when no tick passed) and the tasks runnable
    /// at both readings besides the reading thread (the fewer of the two counts, less one).
    pub fn load(&self) -> f64 {
        let busy = if self.total_ticks == 0 {
            0.0
        } else {
            self.busy_ticks.min(self.total_ticks) as f64 / self.total_ticks as f64 * self.cpus as f64
        };
        let runnable = self.procs_running.map_or(0, |[a, b]| a.min(b).saturating_sub(1));
        busy.max(runnable as f64)
    }
}

impl Machine {
    /// The largest cache that holds data, in bytes: what a working set must exceed to be
    /// memory-bound.
    pub fn largest_data_cache_bytes(&self) -> Option<u64> {
        self.caches.iter().filter(|c| c.holds_data()).map(|c| c.size_bytes).max()
    }

    /// The machine's load when the run started: the busy sample's when there is one, else the
    /// 1-minute load average (older files).
    pub fn start_load(&self) -> Option<f64> {
        self.busy_before.as_ref().map(BusySample::load).or(self.load_before.map(|l| l[0]))
    }

    /// Whether `threads` is above a fractional cgroup quota (1.5 CPUs: j = 2 and more), where `N`
    /// rounds the quota up and the CFS period, not the program, can shape the point.
    pub fn over_quota(&self, threads: usize) -> bool {
        over_quota(self.cpu_quota, threads)
    }
}

/// Whether `threads` is above `quota` when the quota is fractional (see [`Machine::over_quota`]).
pub fn over_quota(quota: Option<f64>, threads: usize) -> bool {
    quota.is_some_and(|q| q.fract() != 0.0 && threads as f64 > q)
}

impl WorkloadResult {
    /// Tags the points above a fractional cgroup `quota` [`Tag::OverQuota`] (once).
    pub fn tag_over_quota(&mut self, quota: Option<f64>) {
        for point in self.points.iter_mut().filter(|p| over_quota(quota, p.threads)) {
            if !point.tags.contains(&Tag::OverQuota) {
                point.tags.push(Tag::OverQuota);
            }
        }
    }
}

/// What a file without `workload_version` means: the first version.
fn version_one() -> u32 {
    1
}

/// The machine's state at one moment: what can make timings drift (see `machine::environment`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Environment {
    /// cpufreq scaling governor of the first usable CPU.
    pub governor: Option<String>,
    /// Whether turbo/boost is enabled.
    pub boost: Option<bool>,
    /// 1, 5 and 15 minute load averages.
    pub load: Option<[f64; 3]>,
    /// CPU time stolen by the hypervisor since boot, in clock ticks.
    pub steal_ticks: Option<u64>,
    /// All CPU time since boot, in clock ticks.
    pub total_ticks: Option<u64>,
    /// Thermal throttling events of the usable CPUs since boot.
    pub throttle_events: Option<u64>,
}

/// The machine's state before and after the run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct EnvironmentRecord {
    /// When the run started.
    pub before: Environment,
    /// When it ended; null while running.
    pub after: Option<Environment>,
}

impl Machine {
    /// The usable CPUs and physical cores (at least 1 each, whatever the file says).
    pub fn cpu_counts(&self) -> CpuCounts {
        CpuCounts {
            usable: self.usable_cpus.max(1),
            physical: self.physical_cores.max(1),
            sockets: self.sockets.unwrap_or(1).max(1),
        }
    }
}

/// The sweep's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ConfigRecord {
    /// The team backend of every workload.
    pub backend: Backend,
    /// `--threads` as given; null for each workload's default set.
    pub threads: Option<String>,
    /// Rounds always run.
    pub min_rounds: usize,
    /// Rounds never exceeded.
    pub max_rounds: usize,
    /// Target relative half-width of every S(j)'s 95% CI.
    pub ci_target: f64,
    /// Time allowed for the whole run.
    pub budget_s: f64,
    /// T(1) target when sizes were calibrated.
    pub target_ms: Option<f64>,
    /// Strong (fixed total work) or weak (work grows with j).
    pub scaling: Scaling,
    /// How the teams' threads were placed on CPUs (`--pin`); `none` in files from before it existed.
    #[serde(default)]
    pub pin: Pin,
    /// How the `threads` backend runs its workers: `persistent` (created once per team) since
    /// this field exists; files without it spawned threads in every run, so `compare` keeps them
    /// apart.
    #[serde(default)]
    pub team: Option<TeamModel>,
    /// `--setup`: run once per workload before its first run, untimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<String>,
    /// `--prepare`: run before every run, warm-up and profile runs too, untimed (`{threads}` is that run's j).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepare: Option<String>,
    /// `--cleanup`: run once per workload after its last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<String>,
    /// The run-to-run noise floor the run was measured with (`--noise-floor`): added to the
    /// intervals of T(j), S(j) and B, and to `compare`'s tests (`stats::noise_floor`). Absent in
    /// files from before it existed, which count as measured without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_floor: Option<NoiseFloors>,
}

/// How a `threads` team runs its workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TeamModel {
    /// Workers created once per team and fed per call (a barrier per call).
    Persistent,
    /// Threads spawned inside every call (files written before `team` existed).
    SpawnPerCall,
}

impl TeamModel {
    /// The name in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            TeamModel::Persistent => "persistent",
            TeamModel::SpawnPerCall => "spawn-per-call",
        }
    }
}

impl ConfigRecord {
    /// The record of a run's `settings` (the whole run's budget and seed), its `--threads` text and
    /// its hooks.
    pub fn of(settings: &SweepSettings, threads: Option<String>, hooks: &Hooks) -> ConfigRecord {
        ConfigRecord {
            backend: settings.backend,
            threads,
            min_rounds: settings.min_rounds,
            max_rounds: settings.max_rounds,
            ci_target: settings.ci_target,
            budget_s: settings.budget.as_secs_f64(),
            target_ms: settings.target.map(|t| t.as_secs_f64() * 1e3),
            scaling: settings.scaling,
            pin: settings.pin,
            team: Some(TeamModel::Persistent),
            setup: hooks.setup.clone(),
            prepare: hooks.prepare.clone(),
            cleanup: hooks.cleanup.clone(),
            noise_floor: Some(settings.noise_floor),
        }
    }

    /// The noise floors of the file: what it says, or none for files from before.
    pub fn noise_floor(&self) -> NoiseFloors {
        self.noise_floor.unwrap_or(NoiseFloors::NONE)
    }

    /// The team model of the file: what it says, or spawn-per-call for files from before.
    pub fn team_model(&self) -> TeamModel {
        self.team.unwrap_or(TeamModel::SpawnPerCall)
    }
}

/// Why a workload's sweep stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Every S(j)'s CI reached the target width (the run's own interval, before the noise floor
    /// is added: more rounds cannot narrow the floor).
    Converged,
    /// The time budget was spent first.
    Budget,
    /// `--max-rounds` was reached first.
    MaxRounds,
    /// The workload failed (see `error`).
    Failed,
    /// The run was interrupted.
    Interrupted,
    /// Still being measured: a save made during the sweep (a file left so means the process died).
    Running,
}

/// The results of one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct WorkloadResult {
    /// Workload name.
    pub name: String,
    /// Its kind: the curve it is expected to show.
    pub kind: Kind,
    /// One line on what it does.
    pub description: String,
    /// The command template, for command workloads (`{threads}` stands for j).
    #[serde(default)]
    pub command: Option<String>,
    /// The version of the workload's work (`Workload::version`): raised when the same parameters
    /// start measuring something else (a built-in's decomposition changed: `primes`, `mc-pi`,
    /// `synthetic` and `triad` are version 2); results of different versions are not compared.
    /// Files without it are version 1.
    #[serde(default = "version_one")]
    pub workload_version: u32,
    /// Every parameter and its value (defaults included).
    pub params: BTreeMap<String, f64>,
    /// The parameters the workload declares with one possible value (a bench closure's `size`,
    /// 1): in `params`, and left out of headings, where they say nothing. Absent in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_params: Vec<String>,
    /// The `size` parameter actually run.
    pub size: f64,
    /// Whether `size` was calibrated to `--target-ms` on this machine (such runs compare only with
    /// runs of the same size).
    pub size_calibrated: bool,
    /// The team backend.
    pub backend: Backend,
    /// Strong (fixed total work) or weak (work grows with j).
    pub scaling: Scaling,
    /// Rounds completed (every point has this many samples).
    pub rounds: usize,
    /// Why the sweep stopped.
    pub stop: StopReason,
    /// The checksum every run returned, hex.
    pub checksum: Option<String>,
    /// Bytes one run moves to and from memory, for bandwidth workloads (a command's as declared
    /// with `--bytes` or a suite's `bytes`); null when unknown.
    pub bytes_per_run: Option<u64>,
    /// The independent tasks of one run (the work's own parallelism: more threads than tasks
    /// find nothing to do; a command's as declared with `--tasks` or a suite's `tasks`); null when
    /// unknown (commands that declare none, and files from before version 3).
    #[serde(default)]
    pub tasks: Option<usize>,
    /// Why the thread counts stop below the machine's own limit: the work's parallelism, or work
    /// already far slower than at j = 1 (see `plan`); null when they do not.
    #[serde(default)]
    pub limit: Option<PlanLimit>,
    /// Thread counts the sweep added where the fitted models disagreed most (adaptive placement),
    /// in the order added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<AddedPoint>,
    /// The run-to-run spread this workload's earlier runs on this machine measured
    /// (`stats::reruns`): its intervals of T(j), S(j) and the fits were widened by it where larger
    /// than `config.noise_floor`. Absent for commands, a machine's first runs of a workload,
    /// `--noise-floor`, `--no-cache`, and files from before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun_floor: Option<crate::stats::reruns::RerunFloor>,
    /// One per thread count, ascending.
    pub points: Vec<Point>,
    /// Fitted models.
    pub fits: Fits,
    /// One plain sentence on the curve, rendered from `verdict`.
    pub diagnosis: Option<String>,
    /// What the curve shows, with the numbers that decided it (tagged by `kind`); null when
    /// nothing was fitted. Readers recompute it from the samples, like every summary. A verdict
    /// of the kind `disturbed`, which files written before the disturbance became a qualifier
    /// (`disturbed`) may hold, loads as none: readers refit the file, and give the shape's
    /// verdict with the disturbance beside it.
    #[serde(default, deserialize_with = "cached_verdict")]
    pub verdict: Option<Verdict>,
    /// The regime after the verdict's stretch (`fit::Diagnosis`): how S falls after a peak, or
    /// what the threads past a knee add; null when none.
    #[serde(default)]
    pub then: Option<Regime>,
    /// The law that describes the curve (or its rise before a peak) beside a shape's verdict;
    /// null when none does, or the verdict is the law's own.
    #[serde(default)]
    pub law: Option<Law>,
    /// A second reading the data cannot rule out (two thread counts straddling the near-linear
    /// threshold); null when none.
    #[serde(default)]
    pub alternative: Option<Verdict>,
    /// The evidence that other work competed for the CPUs while the curve was measured; null
    /// when none.
    #[serde(default)]
    pub disturbed: Option<Disturbed>,
    /// What the thread-time account measured beside the verdict (tagged by `kind`; see
    /// `account::cause`), rendered into `diagnosis` after the verdict's own words; absent
    /// without profile runs (commands, files from before them) or when the verdict names no
    /// cause. Readers recompute it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// Warnings about this workload.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Set when the workload failed.
    pub error: Option<String>,
}

impl WorkloadResult {
    /// Writes `analysis` into the file's fields: each point's summary into its [`Point`], the
    /// fits, the verdict and its sentence. This is the one place where the analysis's values
    /// (`analysed`) become the wire format. Points the analysis could not summarise keep what they
    /// hold.
    pub fn record(&mut self, analysis: Analysis) {
        let mut summaries = analysis.points.into_iter().peekable();
        for point in &mut self.points {
            // A point the analysis could not summarise (no samples, or none paired with j = 1's)
            // has no summary: whatever a file claimed for it is dropped, never shown as measured.
            match summaries.next_if(|s| s.threads <= point.threads) {
                Some(summary) if summary.threads == point.threads => point.record(summary),
                _ => point.record(PointSummary::none(point.threads)),
            }
        }
        self.fits = analysis.fits;
        self.cause = analysis.cause;
        let (diagnosis, sentence) = match analysis.diagnosis {
            Some(d) => (Some(d.diagnosis), Some(d.sentence)),
            None => (None, None),
        };
        self.diagnosis = sentence;
        self.verdict = diagnosis.as_ref().map(|d| d.verdict.clone());
        self.then = diagnosis.as_ref().and_then(|d| d.then.clone());
        self.law = diagnosis.as_ref().and_then(|d| d.law.clone());
        self.alternative = diagnosis.as_ref().and_then(|d| d.alternative.clone());
        self.disturbed = diagnosis.and_then(|d| d.disturbed);
    }

    /// What the diagnosis says (the verdict and its qualifiers), when there is a verdict.
    pub fn said(&self) -> Option<Diagnosis> {
        Some(Diagnosis {
            verdict: self.verdict.clone()?,
            then: self.then.clone(),
            law: self.law.clone(),
            alternative: self.alternative.clone(),
            disturbed: self.disturbed.clone(),
        })
    }

    /// Drops every summary, the fits and the verdict: what a reader does with a workload too
    /// short to analyse (fewer than two rounds), so a file's cached numbers never pass as measured.
    pub fn forget_analysis(&mut self) {
        self.record(Analysis::nothing());
    }

    /// A copy of everything but the points (which hold every sample, and are the bulk).
    pub fn clone_without_points(&self) -> WorkloadResult {
        WorkloadResult {
            name: self.name.clone(),
            kind: self.kind,
            description: self.description.clone(),
            command: self.command.clone(),
            workload_version: self.workload_version,
            params: self.params.clone(),
            fixed_params: self.fixed_params.clone(),
            size: self.size,
            size_calibrated: self.size_calibrated,
            backend: self.backend,
            scaling: self.scaling,
            rounds: self.rounds,
            stop: self.stop,
            checksum: self.checksum.clone(),
            bytes_per_run: self.bytes_per_run,
            tasks: self.tasks,
            limit: self.limit.clone(),
            added: self.added.clone(),
            rerun_floor: self.rerun_floor.clone(),
            points: Vec::new(),
            fits: self.fits.clone(),
            diagnosis: self.diagnosis.clone(),
            verdict: self.verdict.clone(),
            then: self.then.clone(),
            law: self.law.clone(),
            alternative: self.alternative.clone(),
            disturbed: self.disturbed.clone(),
            cause: self.cause.clone(),
            warnings: self.warnings.clone(),
            error: self.error.clone(),
        }
    }
}

/// Reads a cached verdict (see [`WorkloadResult::verdict`]): one of the kind `disturbed`, from a
/// file written before the disturbance became a qualifier of the diagnosis, reads as none.
fn cached_verdict<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Verdict>, D::Error> {
    use serde::de::Error as _;
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(value) if value.get("kind").and_then(|k| k.as_str()) == Some("disturbed") => Ok(None),
        Some(serde_json::Value::Null) | None => Ok(None),
        Some(value) => serde_json::from_value(value).map(Some).map_err(D::Error::custom),
    }
}

/// One thread count of a workload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Point {
    /// j.
    pub threads: usize,
    /// What sets this point apart from a plain one.
    pub tags: Vec<Tag>,
    /// The round of the first sample: 0, or the round at which the sweep added this thread count
    /// (adaptive placement, see `sweep`). Sample i is round `first_round + i`, paired with the j = 1
    /// sample of that round; left out of the file when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub first_round: usize,
    /// Wall time of each round's sample.
    pub samples_ns: Vec<u64>,
    /// Process CPU time (user + system, all threads) of each sample; null where unknown.
    pub cpu_ns: Vec<Option<u64>>,
    /// Involuntary context switches of the process during each sample; null where unknown.
    pub involuntary_context_switches: Vec<Option<u64>>,
    /// Median wall time.
    pub median_ns: Option<f64>,
    /// Its 95% CI: the bootstrap's over the run's rounds, widened by `config.noise_floor` (the
    /// run-to-run floor; none in older files).
    pub median_ns_ci95: Option<[f64; 2]>,
    /// Median absolute deviation (unscaled).
    pub mad_ns: Option<f64>,
    /// Mean.
    pub mean_ns: Option<f64>,
    /// Sample standard deviation.
    pub sd_ns: Option<f64>,
    /// S(j): median over rounds of T1/Tj.
    pub speedup: Option<f64>,
    /// Its 95% CI: the paired bootstrap's over the run's rounds, widened by `config.noise_floor`
    /// (the run-to-run floor; none in older files).
    pub speedup_ci95: Option<[f64; 2]>,
    /// S(j)/j.
    pub efficiency: Option<f64>,
    /// Karp–Flatt e(j); null at j = 1.
    pub karp_flatt: Option<f64>,
    /// Its 95% CI.
    pub karp_flatt_ci95: Option<[f64; 2]>,
    /// Median of CPU / (wall x min(j, usable CPUs)).
    pub utilisation: Option<f64>,
    /// Why this point was taken out of the sweep (a panic, a wrong checksum, a failed command).
    #[serde(default)]
    pub error: Option<String>,
    /// The evidence that other work competed for the CPUs while this point was measured; null
    /// when its samples look undisturbed (see `analysis`).
    #[serde(default)]
    pub disturbance: Option<Disturbance>,
    /// The machine's own ceiling at this j (`machine.ceilings`: compute, bandwidth or timer,
    /// by the workload's kind); null when not measured.
    #[serde(default)]
    pub machine_speedup: Option<f64>,
    /// `speedup / machine_speedup`: the share of what this machine allows at this j.
    #[serde(default)]
    pub fidelity: Option<f64>,
    /// Profile runs: extra runs at this j with the team's recorder on (a command's: its process
    /// tree polled), one in each of the first rounds, kept out of every statistic of T(j); each
    /// is its thread-time j x T split into parts, in nanoseconds (see `account::sample`,
    /// `account::command`). Absent in files from before them (and for commands, before issue 36).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<ProfileSample>,
    /// A command's profile runs' concurrency histograms (the wall time with 0, 1, ... of its
    /// threads on a CPU), one per run of `profile`, in the same order (see `account::command`);
    /// absent for in-process work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concurrency: Vec<Concurrency>,
    /// Where the thread-time j x T(j) goes, from `profile`: the parts as shares adding up to 1
    /// with their intervals, and the serial share of T(1) (see `account::parts`); absent without
    /// profile runs. Readers recompute it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_parts: Option<TimeParts>,
    /// Where the machine's state shifted during the run (version 4 on): T(1) at j = 1, the paired
    /// S(j) beyond, found against the rounds' own noise (see `stats::states`). Readers recompute it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<Shift>,
    /// Which functions hold the serial part, from the profile runs' samples (see `attribution`);
    /// absent without profile runs and in files from before it.
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub serial_where: Option<crate::attribution::Where>,
    /// CPU time by function per profile run, with the idle time each is blamed for and its time
    /// on the runs' critical path (see `attribution::functions`): what blame, growth and
    /// what-if read. Absent without profile runs with samples and in files from before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<crate::attribution::functions::Functions>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Point {
    /// Writes a point's summary into its fields, and tags it `disturbed` when the summary found
    /// competing work (untags it when not). Called by [`WorkloadResult::record`].
    fn record(&mut self, summary: PointSummary) {
        // Every field named: a new one of the summary does not compile until it is recorded.
        let PointSummary {
            threads: _,
            median_ns,
            median_ns_ci95,
            // The run's own intervals are what it leaves for its reruns, not part of the file.
            median_ns_own_ci95: _,
            mad_ns,
            mean_ns,
            sd_ns,
            speedup,
            speedup_ci95,
            speedup_own_ci95: _,
            efficiency,
            karp_flatt,
            karp_flatt_ci95,
            utilisation,
            machine_speedup,
            fidelity,
            disturbance,
            time_parts,
            shift,
        } = summary;
        (self.median_ns, self.median_ns_ci95, self.mad_ns, self.mean_ns, self.sd_ns) =
            (median_ns, median_ns_ci95, mad_ns, mean_ns, sd_ns);
        (self.speedup, self.speedup_ci95, self.efficiency) = (speedup, speedup_ci95, efficiency);
        (self.karp_flatt, self.karp_flatt_ci95, self.utilisation) = (karp_flatt, karp_flatt_ci95, utilisation);
        (self.machine_speedup, self.fidelity, self.time_parts) = (machine_speedup, fidelity, time_parts);
        self.shift = shift;
        self.tags.retain(|t| *t != Tag::Disturbed);
        if disturbance.is_some() {
            self.tags.push(Tag::Disturbed);
        }
        self.disturbance = disturbance;
    }

    /// The j = 1 samples of the rounds this point was measured in (`baseline` holds every round).
    pub fn paired_baseline<'a, T>(&self, baseline: &'a [T]) -> Option<&'a [T]> {
        let end = self.first_round.checked_add(self.samples_ns.len())?;
        (end == baseline.len()).then(|| &baseline[self.first_round..end])
    }
}

/// A fact about one point that a reader should know before trusting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Tag {
    /// More threads than usable CPUs: time-slicing, not the program, shapes the point.
    Oversubscribed,
    /// More threads than physical cores: SMT siblings share a core.
    Smt,
    /// Measured while other work competed for the CPUs (see `disturbance`).
    Disturbed,
    /// More threads than a fractional cgroup quota allows (1.5 CPUs: j = 2 and more); short
    /// samples can fit inside one CFS period, so the point may show more speedup than the quota
    /// gives over time.
    OverQuota,
}

impl Tag {
    /// The name in results files and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Oversubscribed => "oversubscribed",
            Tag::Smt => "smt",
            Tag::Disturbed => "disturbed",
            Tag::OverQuota => "over-quota",
        }
    }

    /// `tags` as text, joined by `separator`.
    pub fn join(tags: &[Tag], separator: &str) -> String {
        tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(separator)
    }
}

/// The JSON Schema of [`ResultsFile`], as published at `results/schema.json` (the `schema`
/// feature, part of `cli`: a bench has no use for it).
#[cfg(feature = "schema")]
pub fn json_schema() -> crate::Result<String> {
    let schema = schemars::schema_for!(ResultsFile);
    Ok(serde_json::to_string_pretty(&schema).map_err(crate::Error::encode("the JSON Schema"))? + "\n")
}

#[cfg(test)]
mod tests {
    /// A file written before workload versions (every committed reference run) loads, and each
    /// of its workloads reads as version 1.
    #[test]
    fn a_file_without_workload_version_is_version_1() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference/2026-11-26-vm16-xeon-default.json");
        assert!(!std::fs::read_to_string(path).unwrap().contains("workload_version"));
        let file = super::load(std::path::Path::new(path), crate::input::InputLimit::DEFAULT).unwrap();
        assert!(!file.workloads.is_empty());
        assert!(file.workloads.iter().all(|w| w.workload_version == 1));
    }

    #[test]
    fn a_cached_verdict_of_the_old_kind_disturbed_loads_as_none_and_the_refit_gives_the_shape() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference/2026-11-25-dev2-xeon-default.json");
        let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        value["workloads"][0]["verdict"] = serde_json::json!({
            "kind": "disturbed", "points": [2], "load": null, "min_utilisation": null, "cpus": null,
            "threads": 2, "speedup": 1.5
        });
        let text = serde_json::to_string(&value).unwrap();
        let mut file = super::parse(std::path::Path::new("old.json"), &text).unwrap();
        assert_eq!(file.workloads[0].verdict, None);
        crate::fit_command::refit(&mut file);
        // Refitted from its samples: the shape's verdict and its sentence, as any reader gives them.
        let refitted = file.workloads[0].said().unwrap();
        assert_eq!(refitted.verdict.kind(), "near-linear", "{refitted:?}");
        assert!(file.workloads[0].diagnosis.as_deref().unwrap().starts_with("near-linear: S(2)"));
        // Any other kind this build does not know is refused, the field named.
        value["workloads"][0]["verdict"] = serde_json::json!({"kind": "sublime", "threads": 2});
        let err = super::parse(std::path::Path::new("new.json"), &serde_json::to_string(&value).unwrap()).unwrap_err();
        assert!(err.to_string().contains("workloads[0].verdict") && err.to_string().contains("sublime"), "{err}");
    }
}
