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
//! - `machine`: the fingerprint of [`crate::machine`].
//! - `config`: the sweep's settings.
//! - `workloads[]`: per workload its `name`, `kind`, `params`, `size`, `backend`, `scaling`, the
//!   rounds run and why the sweep stopped, the checksum, and `points[]`; per point the `threads`, the
//!   raw per-round `samples_ns` (index r is round r at every j, so points pair up), `cpu_ns` and
//!   `involuntary_context_switches`, and the summaries computed from them: median with CI, MAD,
//!   mean, sd, `speedup` with `speedup_ci95`, `efficiency`, `karp_flatt` with CI, `utilisation`,
//!   `tags`. Then `fits` (`fits.amdahl.serial_fraction`, `.ci95`, ...), `diagnosis`, `warnings`
//!   and `error` (set when the workload failed; the points measured before the failure are kept).

mod criterion_import;
mod csv_import;
mod hyperfine_import;
mod store;

pub use criterion_import::read_criterion;
pub use csv_import::{ImportedSamples, parse_csv, read_csv};
pub use hyperfine_import::{is_hyperfine, read_hyperfine};
pub use store::{SUPPORTED_VERSIONS, default_path, load, save_atomic, write_atomic};

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of the format written by this build.
pub const SCHEMA_VERSION: u32 = 1;

/// The value of the `schema` field.
pub const SCHEMA_NAME: &str = "amdahl-results";

/// A whole results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CacheInfo {
    /// 1, 2, 3...
    pub level: u32,
    /// `Data`, `Instruction` or `Unified`.
    pub kind: String,
    /// Capacity.
    pub size_bytes: u64,
}

/// The machine fingerprint. Facts that could not be read are null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Machine {
    /// Host name.
    pub hostname: Option<String>,
    /// CPU model name.
    pub cpu_brand: Option<String>,
    /// Usable CPUs: `std::thread::available_parallelism` (affinity and cgroup quota). `N` in `--threads`.
    pub logical_cpus: usize,
    /// Physical cores (`num_cpus::get_physical`; ignores affinity and cgroups). `P` in `--threads`.
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
}

/// The sweep's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigRecord {
    /// `rayon` or `threads`.
    pub backend: String,
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
    /// `strong`.
    pub scaling: String,
}

/// Why a workload's sweep stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Every S(j)'s CI reached the target width.
    Converged,
    /// The time budget was spent first.
    Budget,
    /// `--max-rounds` was reached first.
    MaxRounds,
    /// The workload failed (see `error`).
    Failed,
    /// The run was interrupted.
    Interrupted,
}

/// The results of one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WorkloadResult {
    /// Workload name.
    pub name: String,
    /// Its kind (`parallel`, `sequential`, `io-bound`, `memory-bound`, `contended`, `synthetic`).
    pub kind: String,
    /// One line on what it does.
    pub description: String,
    /// The command template, for command workloads (`{threads}` stands for j).
    #[serde(default)]
    pub command: Option<String>,
    /// Every parameter and its value (defaults included).
    pub params: BTreeMap<String, f64>,
    /// The `size` parameter actually run.
    pub size: f64,
    /// Whether `size` was calibrated to `--target-ms` on this machine (such runs compare only with
    /// runs of the same size).
    pub size_calibrated: bool,
    /// `rayon` or `threads`.
    pub backend: String,
    /// `strong` (fixed total work) or `weak` (work grows with j).
    pub scaling: String,
    /// Rounds completed (every point has this many samples).
    pub rounds: usize,
    /// Why the sweep stopped.
    pub stop: StopReason,
    /// The checksum every run returned, hex.
    pub checksum: Option<String>,
    /// Bytes one run moves to and from memory, for bandwidth workloads.
    pub bytes_per_run: Option<u64>,
    /// One per thread count, ascending.
    pub points: Vec<Point>,
    /// Fitted models.
    pub fits: Fits,
    /// One plain sentence on the curve.
    pub diagnosis: Option<String>,
    /// Warnings about this workload.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Set when the workload failed.
    pub error: Option<String>,
}

/// One thread count of a workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// j.
    pub threads: usize,
    /// `oversubscribed` (j > usable CPUs), `smt` (j > physical cores).
    pub tags: Vec<String>,
    /// Wall time of each round's sample.
    pub samples_ns: Vec<u64>,
    /// Process CPU time (user + system, all threads) of each sample; null where unknown.
    pub cpu_ns: Vec<Option<u64>>,
    /// Involuntary context switches of the process during each sample; null where unknown.
    pub involuntary_context_switches: Vec<Option<u64>>,
    /// Median wall time.
    pub median_ns: Option<f64>,
    /// Its 95% bootstrap CI.
    pub median_ns_ci95: Option<[f64; 2]>,
    /// Median absolute deviation (unscaled).
    pub mad_ns: Option<f64>,
    /// Mean.
    pub mean_ns: Option<f64>,
    /// Sample standard deviation.
    pub sd_ns: Option<f64>,
    /// S(j): median over rounds of T1/Tj.
    pub speedup: Option<f64>,
    /// Its 95% bootstrap CI.
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
}

/// The fitted models of a workload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Fits {
    /// Amdahl's law (strong scaling).
    pub amdahl: Option<AmdahlFit>,
    /// The Universal Scalability Law (strong scaling).
    #[serde(default)]
    pub usl: Option<UslFit>,
    /// Gustafson's law (weak scaling).
    #[serde(default)]
    pub gustafson: Option<GustafsonFit>,
    /// The better model on these points: `amdahl`, `usl` or `gustafson`; null when none fitted.
    #[serde(default)]
    pub best: Option<String>,
    /// Whether Karp–Flatt e(j) rises with j beyond noise.
    #[serde(default)]
    pub karp_flatt_trend: Option<KarpFlattTrend>,
}

/// Amdahl's law fitted to the points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AmdahlFit {
    /// B; negative for superlinear data; null when not fitted.
    pub serial_fraction: Option<f64>,
    /// 95% CI of B.
    pub ci95: Option<[f64; 2]>,
    /// `bootstrap` (over rounds or samples) or `t` (from residuals, one sample per point).
    #[serde(default)]
    pub ci_method: Option<String>,
    /// 1/B, the speedup's limit; null unless B > 0.
    pub ceiling: Option<f64>,
    /// S(j) > j beyond noise: B < 0.
    pub superlinear: bool,
    /// The thread counts that entered the fit.
    pub threads_used: Vec<usize>,
    /// Small-sample Akaike criterion on the speedups (lower is better); null with too few points.
    #[serde(default)]
    pub aicc: Option<f64>,
    /// Why it was not fitted, when it was not.
    pub not_fitted: Option<String>,
}

/// The Universal Scalability Law fitted to the points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UslFit {
    /// Contention sigma (>= 0).
    pub sigma: Option<f64>,
    /// Its 95% CI.
    pub sigma_ci95: Option<[f64; 2]>,
    /// Coherency kappa (>= 0).
    pub kappa: Option<f64>,
    /// Its 95% CI.
    pub kappa_ci95: Option<[f64; 2]>,
    /// Throughput at one thread, fitted for throughput data; null for speedups (where it is 1).
    pub lambda: Option<f64>,
    /// Its 95% CI.
    pub lambda_ci95: Option<[f64; 2]>,
    /// N* = sqrt((1-sigma)/kappa), where the curve peaks; null when kappa = 0.
    pub peak_threads: Option<f64>,
    /// Its 95% CI (bootstrap only, when every replicate has a peak).
    pub peak_threads_ci95: Option<[f64; 2]>,
    /// `bootstrap` or `covariance-t`.
    pub ci_method: Option<String>,
    /// The thread counts that entered the fit.
    pub threads_used: Vec<usize>,
    /// Small-sample Akaike criterion on the speedups; null with too few points.
    pub aicc: Option<f64>,
    /// Why it was not fitted, when it was not.
    pub not_fitted: Option<String>,
}

/// Gustafson's law fitted to weak-scaling points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GustafsonFit {
    /// a in S = j - a (j - 1).
    pub serial_fraction: Option<f64>,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
    /// The thread counts that entered the fit.
    pub threads_used: Vec<usize>,
    /// Why it was not fitted, when it was not.
    pub not_fitted: Option<String>,
}

/// Karp–Flatt e(j) at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KarpFlattPoint {
    /// j.
    pub threads: usize,
    /// e(j).
    pub value: Option<f64>,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
}

/// The least-squares slope of e(j) against j.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KarpFlattTrend {
    /// Change of e per added thread.
    pub slope_per_thread: f64,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
    /// The CI lies above 0: e rises beyond noise.
    pub rising: bool,
    /// e at the smallest j > 1.
    pub from: Option<f64>,
    /// e at the largest j.
    pub to: Option<f64>,
}

/// `Some(x)` for finite `x`, else `None`: results never hold NaN or infinities.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The JSON Schema of [`ResultsFile`], as published at `results/schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ResultsFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
