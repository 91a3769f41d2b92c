//! `RunConfig`: what a sweep is asked to do, validated and resolved, free of command-line types.
//!
//! The binary's `cli.rs` mirrors what the user typed; [`RunRequest::resolve`] checks every value
//! (naming the flag, the value and the limit when it refuses one) and resolves defaults against
//! this machine's CPU counts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use amdahl_workloads::{
    ALL, Backend, CommandWorkload, Instance, Kind, ParamSpec, Params, Workload, WorkloadError, WorkloadSpec,
};

use crate::budget;
use crate::error::{Error, Result};
use crate::placement::Pin;
use crate::plan::{PlanLimit, default_plan};
use crate::quantity::{parse_bytes, parse_tasks};
use crate::scaling::Scaling;
use crate::stats::{NoiseFloor, NoiseFloors};
use crate::suite::read_suite;
use crate::thread_set::{CpuCounts, ThreadSet};

/// The run as the user asked for it, every field still unchecked text or numbers.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// `--workload` values; empty (with no `specs`, commands or suite) means the whole catalogue.
    pub workloads: Vec<String>,
    /// Workloads given as values, measured first with their parameters: a `cargo bench`
    /// harness's own code ([`crate::bench`]). Their names must be distinct (the front-end checks).
    pub specs: Vec<WorkloadSpec>,
    /// `--cmd` commands, with their optional `--name`, `--kind`, `--tasks` and `--bytes`.
    pub commands: Vec<CommandRequest>,
    /// `--check-output`: hash each command's standard output and require it equal at every j.
    pub check_output: bool,
    /// `--suite`: a JSON list of workloads (see `suite`).
    pub suite: Option<PathBuf>,
    /// `--threads`; `None` means each workload's default set.
    pub threads: Option<String>,
    /// `--backend`; `None` means rayon.
    pub backend: Option<Backend>,
    /// `--target-ms`.
    pub target_ms: Option<f64>,
    /// `--budget` in seconds.
    pub budget_s: Option<f64>,
    /// `--allow-overrun`: measure every count even when the plan cannot meet the budget, and
    /// take samples longer than the whole budget.
    pub allow_overrun: bool,
    /// `--min-rounds`.
    pub min_rounds: Option<usize>,
    /// `--max-rounds`.
    pub max_rounds: Option<usize>,
    /// `--ci-target`, the relative CI half-width that ends a sweep early.
    pub ci_target: Option<f64>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--scaling`; `None` means strong.
    pub scaling: Option<Scaling>,
    /// `--timeout`; `None` means automatic.
    pub timeout: Option<String>,
    /// `--pin`; `None` means not pinned.
    pub pin: Option<Pin>,
    /// `--noise-floor` (`TIME,SPEEDUP`); `None` means the default, measured on this project's
    /// development machine ([`NoiseFloors::DEFAULT`]); given, it is both kinds of work's.
    pub noise_floor: Option<String>,
    /// `--setup`, `--prepare`, `--cleanup` (hyperfine's meanings).
    pub hooks: Hooks,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--force`.
    pub force: bool,
    /// `--report`: the HTML report next to the results file.
    pub report: bool,
    /// `--export-markdown`, `--export-csv`: further files written from the results at the end.
    pub exports: Vec<Export>,
}

/// A file written from the results when the run ends (`--export-markdown`, `--export-csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// What is written.
    pub format: ExportFormat,
    /// Where.
    pub path: PathBuf,
}

/// The formats of [`Export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The Markdown summary (`--export-markdown`).
    Markdown,
    /// One row per point (`--export-csv`).
    Csv,
}

impl ExportFormat {
    /// The flag that asks for it.
    pub fn flag(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "--export-markdown",
            ExportFormat::Csv => "--export-csv",
        }
    }
}

/// Commands run around the measurements, untimed, with hyperfine's meanings: `setup` once per
/// workload before its first run, `prepare` before every run (its `{threads}` is the j about to be
/// timed), `cleanup` once per workload after its last. Recorded in the results file's `config`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hooks {
    /// `--setup`.
    pub setup: Option<String>,
    /// `--prepare`.
    pub prepare: Option<String>,
    /// `--cleanup`.
    pub cleanup: Option<String>,
}

/// One `--cmd` as given.
#[derive(Debug, Clone, Default)]
pub struct CommandRequest {
    /// The command template (`{threads}` stands for j).
    pub template: String,
    /// `--name`; default: the program's name.
    pub name: Option<String>,
    /// `--kind`; default: parallel.
    pub kind: Option<String>,
    /// `--tasks`: the independent tasks of one run (1 to 2^32), the command's parallelism;
    /// default: unknown.
    pub tasks: Option<String>,
    /// `--bytes`: what one run moves to and from memory (`1M`, `4096`...); default: unknown.
    pub bytes: Option<String>,
}

/// What a command declares about itself, checked: its tasks per run and bytes per run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Declared {
    tasks: Option<usize>,
    bytes: Option<u64>,
}

impl CommandRequest {
    /// `--tasks` and `--bytes`, checked.
    fn declared(&self) -> Result<Declared> {
        Ok(Declared {
            tasks: self.tasks.as_deref().map(|t| parse_tasks("--tasks", t)).transpose()?,
            bytes: self.bytes.as_deref().map(|b| parse_bytes("--bytes", b)).transpose()?,
        })
    }
}

/// A validated run: what to sweep, how, and where the file goes.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The workloads, in order, with their thread sets.
    pub workloads: Vec<PlannedWorkload>,
    /// How every workload is swept (the budget is the whole run's; the runner gives each workload
    /// its share and its own seed).
    pub settings: SweepSettings,
    /// Where the results file goes (`None`: a new name under `results/`).
    pub out: Option<PathBuf>,
    /// Overwrite `out` (and the report) if it exists.
    pub force: bool,
    /// Write the HTML report next to the results file.
    pub report: bool,
    /// Files written from the results at the end; checked with every other output before anything
    /// is measured.
    pub exports: Vec<Export>,
    /// The `--suite` file, an input no output may replace.
    pub suite: Option<PathBuf>,
    /// The `--threads` text as given, for the record.
    pub threads_text: Option<String>,
    /// `--setup`, `--prepare`, `--cleanup`.
    pub hooks: Hooks,
}

/// How a sweep measures: the one settings type that flows from the command line through the
/// runner to each workload's sweep and into the results file's `config` section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepSettings {
    /// The backend of every team.
    pub backend: Backend,
    /// Calibrate each size to this T(1) instead of using the fixed default.
    pub target: Option<Duration>,
    /// Time allowed for the whole run (each workload's share is a `sweep::WorkloadShare`).
    /// Rounds beyond the minimum stop when it is spent.
    pub budget: Duration,
    /// Measure every count even when the plan cannot meet the budget (`--allow-overrun`).
    pub allow_overrun: bool,
    /// Rounds always run.
    pub min_rounds: usize,
    /// Rounds never exceeded.
    pub max_rounds: usize,
    /// Stop when every S(j)'s 95% CI half-width is below this share of S(j).
    pub ci_target: f64,
    /// The run's seed of round order and bootstrap (each workload's is derived from it).
    pub seed: u64,
    /// Strong or weak scaling.
    pub scaling: Scaling,
    /// The longest one sample may take.
    pub timeout: SampleTimeout,
    /// Where the teams' threads run.
    pub pin: Pin,
    /// The run-to-run noise floor recorded in the file (`stats::noise_floor`).
    pub noise_floor: NoiseFloors,
    /// Whether `--noise-floor` gave it: then it is the floor, and the workloads' earlier runs
    /// (`stats::reruns`) do not raise it.
    pub noise_floor_given: bool,
    /// The wall time a workload's rounds span before its interval may stop it (or its whole
    /// share of the budget, when less): [`defaults::STATE_SPAN`].
    pub state_span: Duration,
}

/// `--timeout`: the longest one sample (one run at one j) may take. A command that outlives it is
/// killed with its process group and its point fails; in-process work that does not return ends
/// the run (saved, exit 124).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleTimeout {
    /// The larger of [`defaults::TIMEOUT_FLOOR`] and [`defaults::TIMEOUT_WARM_UP_FACTOR`] x the
    /// j = 1 warm-up; [`defaults::TIMEOUT_UNKNOWN`] until that is known (calibration, the first
    /// warm-up).
    Auto,
    /// This long.
    After(Duration),
    /// No limit (`--timeout none`).
    Never,
}

impl SampleTimeout {
    /// Parses `none`, a number of seconds, or a duration such as `90s`, `2m`, `1h 30m`.
    pub fn parse(text: &str) -> Result<SampleTimeout> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            return Ok(SampleTimeout::Never);
        }
        let duration = match text.parse::<f64>() {
            Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 7.0 * 86_400.0 => {
                Duration::from_secs_f64(seconds)
            }
            Ok(_) => return Err(Error::usage("--timeout", text, "is out of range (more than 0 s, at most 7 days)")),
            Err(_) => humantime::parse_duration(text).map_err(|e| {
                Error::usage("--timeout", text, format!("is not a duration ({e}); give e.g. 90s, 2m or none"))
            })?,
        };
        if duration.is_zero() || duration > Duration::from_secs(7 * 86_400) {
            return Err(Error::usage("--timeout", text, "is out of range (more than 0 s, at most 7 days)"));
        }
        Ok(SampleTimeout::After(duration))
    }

    /// The timeout of one sample, once the j = 1 warm-up took `warm_up` (`None` before).
    pub fn resolve(self, warm_up: Option<Duration>) -> Option<Duration> {
        match self {
            SampleTimeout::Never => None,
            SampleTimeout::After(d) => Some(d),
            SampleTimeout::Auto => Some(match warm_up {
                Some(w) => defaults::TIMEOUT_FLOOR.max(w.saturating_mul(defaults::TIMEOUT_WARM_UP_FACTOR)),
                None => defaults::TIMEOUT_UNKNOWN,
            }),
        }
    }
}

/// One workload of a run and the thread counts it visits.
#[derive(Debug, Clone)]
pub struct PlannedWorkload {
    /// The workload and its parameters.
    pub spec: WorkloadSpec,
    /// The thread counts.
    pub threads: ThreadSet,
    /// A command run once with `sh -c` before measuring (suites only).
    pub setup: Option<String>,
    /// Why the default plan stops below the machine's own limit (the work's parallelism).
    pub limit: Option<PlanLimit>,
    /// Whether the counts are the default plan's (which the sweep may cut short when the work is
    /// far slower than at j = 1), not the user's `--threads` or a suite's.
    pub default_plan: bool,
}

/// Defaults of a run.
pub mod defaults {
    use std::time::Duration;

    /// Seconds for the whole default run.
    pub const BUDGET_S: f64 = 25.0;
    /// The wall time a workload's rounds span before its interval may stop it (or its whole
    /// share, when less). The machine's states last a fraction of a second to seconds (on the
    /// 2-CPU VM of issue 33, S(2) of `synthetic` moved between 1.58 and 1.83 every 5-10 rounds of
    /// 55 ms, and T(1) was 9% faster for 2 s of a 7 s run): a run that stops after 1 s sees one of
    /// them while a rerun sees another. Over 3 s its stretches of rounds see several, and their
    /// spread (`stats::states`) is in its intervals.
    pub const STATE_SPAN: Duration = Duration::from_secs(3);
    /// Rounds always run.
    pub const MIN_ROUNDS: usize = 5;
    /// Rounds never exceeded.
    pub const MAX_ROUNDS: usize = 200;
    /// Relative CI half-width that ends a sweep.
    pub const CI_TARGET: f64 = 0.02;
    /// The seed of round order and bootstrap.
    pub const SEED: u64 = 1;
    /// The shortest automatic sample timeout.
    pub const TIMEOUT_FLOOR: Duration = Duration::from_secs(60);
    /// The automatic sample timeout in multiples of the j = 1 warm-up.
    pub const TIMEOUT_WARM_UP_FACTOR: u32 = 20;
    /// The automatic sample timeout before the j = 1 warm-up is known.
    pub const TIMEOUT_UNKNOWN: Duration = Duration::from_secs(600);
}

/// One workload the request names, before its thread counts are planned: the spec, the
/// thread counts its suite entry gives, and its suite entry's `setup`.
struct Source {
    spec: WorkloadSpec,
    threads: Option<ThreadSet>,
    setup: Option<String>,
}

impl Source {
    fn of(spec: WorkloadSpec) -> Source {
        Source { spec, threads: None, setup: None }
    }
}

impl RunRequest {
    /// Checks every value and resolves defaults for a machine with `cpus`: the workloads it names
    /// (`sources`), their thread counts (`thread_plan`), how they are swept (`settings`), in that
    /// order, so the first value refused is the first of those.
    pub fn resolve(&self, cpus: CpuCounts) -> Result<RunConfig> {
        let sources = self.sources(cpus)?;
        let workloads = self.thread_plan(sources, cpus)?;
        let settings = self.settings()?;
        refuse_samples_beyond_the_budget(&workloads, &settings)?;
        Ok(RunConfig {
            workloads,
            settings,
            out: self.out.clone(),
            force: self.force,
            report: self.report,
            exports: self.exports.clone(),
            suite: self.suite.clone(),
            threads_text: self.threads.clone(),
            hooks: self.checked_hooks()?,
        })
    }

    /// The workloads, in order: every built-in when nothing is named, then the specs given as
    /// values, `--workload`, `--cmd` (each named apart) and the suite's entries.
    fn sources(&self, cpus: CpuCounts) -> Result<Vec<Source>> {
        let mut sources: Vec<Source> = Vec::new();
        if self.workloads.is_empty() && self.commands.is_empty() && self.suite.is_none() && self.specs.is_empty() {
            for w in ALL {
                sources.push(Source::of(WorkloadSpec::builtin(*w)?));
            }
        }
        sources.extend(self.specs.iter().cloned().map(Source::of));
        sources.extend(distinct_workloads(&self.workloads)?.into_iter().map(Source::of));
        for command in &self.commands {
            let spec = command_spec(command, self.check_output, command.declared()?)?;
            let name = spec.workload.name();
            if sources.iter().any(|s| s.spec.workload.command().is_some() && s.spec.workload.name() == name) {
                return Err(Error::usage(
                    "--cmd",
                    &command.template,
                    format!(
                        "is named `{name}` like an earlier --cmd: give each its own --name (compare pairs workloads by name)"
                    ),
                ));
            }
            sources.push(Source::of(spec));
        }
        if let Some(path) = &self.suite {
            sources.extend(suite_sources(path, cpus)?);
        }
        Ok(sources)
    }

    /// The thread counts of each workload: its suite entry's, else `--threads`, else its default
    /// plan on this machine (capped by the work's own parallelism).
    fn thread_plan(&self, sources: Vec<Source>, cpus: CpuCounts) -> Result<Vec<PlannedWorkload>> {
        let explicit = self.threads.as_deref().map(|t| ThreadSet::parse(t, cpus)).transpose()?;
        let planned = sources
            .into_iter()
            .map(|Source { spec, threads, setup }| match threads.or_else(|| explicit.clone()) {
                Some(threads) => PlannedWorkload { spec, threads, setup, limit: None, default_plan: false },
                None => {
                    let parallelism = spec.workload.parallelism(&spec.params);
                    let plan = default_plan(spec.workload.kind(), cpus, parallelism);
                    PlannedWorkload { spec, threads: plan.threads, setup, limit: plan.limit, default_plan: true }
                }
            })
            .collect();
        Ok(planned)
    }

    /// How every workload is swept: each flag checked against its range, defaults filled in.
    fn settings(&self) -> Result<SweepSettings> {
        let target = self
            .target_ms
            .map(|ms| in_range("--target-ms", ms, 1.0, 600_000.0).map(|ms| Duration::from_secs_f64(ms / 1e3)))
            .transpose()?;
        let budget = in_range("--budget", self.budget_s.unwrap_or(defaults::BUDGET_S), 0.001, 7.0 * 86_400.0)?;
        let min_rounds = self.min_rounds.unwrap_or(defaults::MIN_ROUNDS);
        let max_rounds = self.max_rounds.unwrap_or(defaults::MAX_ROUNDS.max(min_rounds));
        if !(2..=100_000).contains(&min_rounds) {
            return Err(Error::usage("--min-rounds", min_rounds, "is out of range (2..=100000; a CI needs 2 rounds)"));
        }
        if max_rounds < min_rounds || max_rounds > 1_000_000 {
            return Err(Error::usage(
                "--max-rounds",
                max_rounds,
                format!("is out of range ({min_rounds}..=1000000: at least --min-rounds)"),
            ));
        }
        let ci_target = in_range("--ci-target", self.ci_target.unwrap_or(defaults::CI_TARGET), 1e-6, 1.0)?;
        Ok(SweepSettings {
            backend: self.backend.unwrap_or(Backend::Rayon),
            target,
            budget: Duration::from_secs_f64(budget),
            allow_overrun: self.allow_overrun,
            min_rounds,
            max_rounds,
            ci_target,
            seed: self.seed.unwrap_or(defaults::SEED),
            scaling: self.scaling.unwrap_or(Scaling::Strong),
            timeout: self.timeout.as_deref().map(SampleTimeout::parse).transpose()?.unwrap_or(SampleTimeout::Auto),
            pin: self.pin.unwrap_or_default(),
            noise_floor: match &self.noise_floor {
                Some(text) => {
                    NoiseFloors::both(NoiseFloor::parse(text).map_err(|why| Error::usage("--noise-floor", text, why))?)
                }
                None => NoiseFloors::DEFAULT,
            },
            noise_floor_given: self.noise_floor.is_some(),
            state_span: defaults::STATE_SPAN,
        })
    }
}

/// Refuses a workload one of whose samples is known from its parameters to take longer than the
/// whole budget (`budget::too_long`), unless `--allow-overrun` (or `--target-ms`, which sets the
/// size to its own target).
fn refuse_samples_beyond_the_budget(workloads: &[PlannedWorkload], settings: &SweepSettings) -> Result<()> {
    if settings.allow_overrun || settings.target.is_some() {
        return Ok(());
    }
    for planned in workloads {
        let (workload, params) = (&planned.spec.workload, &planned.spec.params);
        if let Some(sample) = workload.known_duration(params, 1).filter(|d| *d > settings.budget) {
            let basis = format!("known from its parameters: {}", params.to_text());
            return Err(budget::too_long(workload.name(), sample.as_secs_f64(), &basis, settings.budget.as_secs_f64()));
        }
    }
    Ok(())
}

/// The workloads of the suite at `path`: each entry's workload or command, its thread counts
/// and its `setup`; a refusal names the file and the entry.
fn suite_sources(path: &Path, cpus: CpuCounts) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for (i, entry) in read_suite(path)?.into_iter().enumerate() {
        let in_entry = |e: Error| Error::Data { path: path.to_owned(), message: format!("entry {i}: {e}") };
        let spec = match (&entry.workload, &entry.cmd) {
            (Some(w), _) => WorkloadSpec::parse(w).map_err(|e| in_entry(e.into()))?,
            (_, Some(cmd)) => {
                let request = CommandRequest {
                    template: cmd.clone(),
                    name: entry.name.clone(),
                    kind: entry.kind.clone(),
                    ..Default::default()
                };
                let declared = Declared { tasks: entry.tasks, bytes: entry.bytes };
                command_spec(&request, entry.check_output, declared).map_err(in_entry)?
            }
            (None, None) => unreachable!("read_suite refuses entries without workload or cmd"),
        };
        let threads = entry.threads.as_deref().map(|t| ThreadSet::parse(t, cpus).map_err(in_entry)).transpose()?;
        sources.push(Source { spec, threads, setup: entry.setup.clone() });
    }
    Ok(sources)
}

impl RunRequest {
    /// The hooks, each non-empty when given.
    fn checked_hooks(&self) -> Result<Hooks> {
        for (flag, hook) in
            [("--setup", &self.hooks.setup), ("--prepare", &self.hooks.prepare), ("--cleanup", &self.hooks.cleanup)]
        {
            if hook.as_deref().is_some_and(|h| h.trim().is_empty()) {
                return Err(Error::usage(flag, "", "is empty; give a shell command"));
            }
        }
        Ok(self.hooks.clone())
    }
}

/// The `--workload` values as workloads: the same workload with the same parameters twice is
/// refused; one workload given with different parameters is named by each value as typed
/// (`-w sleep -w sleep:ms=2` measures `sleep` and `sleep:ms=2`), so no two share a name.
fn distinct_workloads(values: &[String]) -> Result<Vec<WorkloadSpec>> {
    let mut specs: Vec<WorkloadSpec> = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let spec = WorkloadSpec::parse(value)?;
        let same = |s: &WorkloadSpec| s.workload.name() == spec.workload.name();
        if let Some(k) = specs[..i].iter().position(|s| same(s) && s.params.to_text() == spec.params.to_text()) {
            let earlier = if values[k] == *value { String::new() } else { format!(" (as `{}`)", values[k]) };
            return Err(Error::usage(
                "--workload",
                value,
                format!("is given twice{earlier}: the same workload with the same parameters"),
            ));
        }
        specs.push(spec);
    }
    let shared: Vec<bool> =
        specs.iter().map(|s| specs.iter().filter(|t| t.workload.name() == s.workload.name()).count() > 1).collect();
    Ok(specs
        .into_iter()
        .zip(values)
        .zip(shared)
        .map(|((spec, value), shared)| {
            if shared {
                let workload = Arc::new(Renamed { name: value.trim().to_owned(), inner: spec.workload });
                WorkloadSpec { workload, params: spec.params }
            } else {
                spec
            }
        })
        .collect())
}

/// A workload under another name (see [`distinct_workloads`]); everything else is its own.
struct Renamed {
    name: String,
    inner: Arc<dyn Workload>,
}

impl Workload for Renamed {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> Kind {
        self.inner.kind()
    }
    fn description(&self) -> &str {
        self.inner.description()
    }
    fn params(&self) -> &'static [ParamSpec] {
        self.inner.params()
    }
    fn prepare(&self, params: &Params) -> std::result::Result<Box<dyn Instance>, WorkloadError> {
        self.inner.prepare(params)
    }
    fn command(&self) -> Option<&str> {
        self.inner.command()
    }
    fn warnings(&self, params: &Params) -> Vec<String> {
        self.inner.warnings(params)
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        self.inner.parallelism(params)
    }
    fn version(&self) -> u32 {
        self.inner.version()
    }
}

/// Checks a `--cmd` (non-empty, its program found) and makes it a workload with what it
/// `declared` (checked by the caller, which knows whether it came from flags or a suite).
fn command_spec(request: &CommandRequest, check_output: bool, declared: Declared) -> Result<WorkloadSpec> {
    let template = request.template.trim();
    if template.is_empty() {
        return Err(Error::usage("--cmd", template, "is empty"));
    }
    let kind = match request.kind.as_deref() {
        None => Kind::Parallel,
        Some(name) => Kind::from_name(name).ok_or_else(|| {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            Error::usage("--kind", name, format!("is not a kind (one of: {})", kinds.join(", ")))
        })?,
    };
    let command = CommandWorkload::new(template, "command", kind, check_output);
    let program = command.program();
    // A program that is itself `{threads}` (or holds it) is checked as it runs at j = 1.
    let at_one = || CommandWorkload::new(&template.replace("{threads}", "1"), "command", kind, false).program();
    let checked = program.clone().map(|p| (p, "")).or_else(|| at_one().map(|p| (p, " (its program at j = 1)")));
    if let Some((program, at)) = &checked
        && !program_exists(program)
    {
        return Err(Error::usage(
            "--cmd",
            template,
            format!("cannot run it: `{program}`{at} is not found (not in PATH, or not executable)"),
        ));
    }
    let name =
        request.name.clone().or_else(|| program.as_deref().map(|p| p.rsplit('/').next().unwrap_or(p).to_owned()));
    let command = match name {
        Some(name) => command.named(&name),
        None => command,
    };
    let command = match declared.tasks {
        Some(tasks) => command.with_tasks(tasks),
        None => command,
    };
    let command = match declared.bytes {
        Some(bytes) => command.with_bytes(bytes),
        None => command,
    };
    Ok(WorkloadSpec::defaults(Arc::new(command))?)
}

/// Whether `program` names an executable file, directly (with a `/`) or in `PATH`.
fn program_exists(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let executable =
        |p: &std::path::Path| p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if program.contains('/') {
        return executable(std::path::Path::new(program));
    }
    // Shell builtins and keywords that have no file of their own.
    if ["cd", "exec", "exit", "export", "set", "test", "true", "false", "eval", "source", ".", "if", "for", "while"]
        .contains(&program)
    {
        return true;
    }
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| executable(&dir.join(program))))
}

fn in_range(flag: &str, value: f64, min: f64, max: f64) -> Result<f64> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(value)
    } else {
        // `{value}` would spell 1e300 with 301 digits.
        let shown =
            if value != 0.0 && !(1e-6..1e9).contains(&value.abs()) { format!("{value:e}") } else { value.to_string() };
        Err(Error::usage(flag, shown, format!("is out of range ({min}..={max})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::LimitReason;

    const CPUS: CpuCounts = CpuCounts { usable: 2, physical: 2, sockets: 1 };

    #[test]
    fn defaults_cover_the_catalogue_with_kind_specific_threads() {
        let config = RunRequest::default().resolve(CPUS).unwrap();
        assert_eq!(config.workloads.len(), ALL.len());
        let sleep = config.workloads.iter().find(|w| w.spec.workload.name() == "sleep").unwrap();
        assert_eq!(sleep.threads.counts(), [1, 2, 4, 8, 16]);
        let primes = config.workloads.iter().find(|w| w.spec.workload.name() == "primes").unwrap();
        assert_eq!(primes.threads.counts(), [1, 2]);
        assert_eq!(config.settings.min_rounds, 5);
    }

    #[test]
    fn the_default_suite_is_what_a_bare_run_does() {
        let bare = RunRequest::default().resolve(CPUS).unwrap();
        let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/workloads/suites/default.json");
        let from_suite = RunRequest { suite: Some(suite.into()), ..Default::default() }.resolve(CPUS).unwrap();
        let describe = |c: &RunConfig| -> Vec<(String, String, Vec<usize>)> {
            c.workloads
                .iter()
                .map(|w| (w.spec.workload.name().to_owned(), w.spec.params.to_text(), w.threads.counts().to_vec()))
                .collect()
        };
        assert_eq!(describe(&bare), describe(&from_suite));
    }

    #[test]
    fn the_command_suite_parses_and_finds_its_programs() {
        let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/workloads/suites/commands.json");
        let config = RunRequest { suite: Some(suite.into()), ..Default::default() }.resolve(CPUS).unwrap();
        let names: Vec<&str> = config.workloads.iter().map(|w| w.spec.workload.name()).collect();
        assert_eq!(names, ["xz", "sort", "make"]);
        assert!(config.workloads.iter().all(|w| w.setup.is_some() && w.threads.counts() == [1, 2]));
    }

    #[test]
    fn commands_are_checked_before_anything_runs() {
        let missing = RunRequest {
            commands: vec![CommandRequest {
                template: "no-such-program-amdahl -j{threads}".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let err = missing.resolve(CPUS).unwrap_err();
        assert!(err.to_string().contains("`no-such-program-amdahl` is not found") && err.exit_code() == 2, "{err}");
        let bad_kind = RunRequest {
            commands: vec![CommandRequest {
                template: "true".into(),
                kind: Some("quantum".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert!(bad_kind.resolve(CPUS).unwrap_err().to_string().starts_with("--kind: `quantum`"));
        let only = RunRequest {
            commands: vec![CommandRequest { template: "true {threads}".into(), ..Default::default() }],
            ..Default::default()
        };
        let config = only.resolve(CPUS).unwrap();
        assert_eq!(config.workloads.len(), 1);
        assert_eq!(config.workloads[0].spec.workload.name(), "true");
    }

    fn command(template: &str, tasks: Option<&str>, bytes: Option<&str>) -> CommandRequest {
        CommandRequest {
            template: template.into(),
            tasks: tasks.map(Into::into),
            bytes: bytes.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn declared_tasks_cap_the_plan_and_bytes_reach_the_instance() {
        let sixteen = CpuCounts { usable: 16, physical: 16, sockets: 1 };
        let request = RunRequest {
            commands: vec![
                CommandRequest { name: Some("declared".into()), ..command("true {threads}", Some("3"), Some("1M")) },
                command("true {threads}", None, None),
            ],
            ..Default::default()
        };
        let config = request.resolve(sixteen).unwrap();
        let [declared, plain] = &config.workloads[..] else { panic!("two workloads") };
        assert_eq!(declared.spec.workload.parallelism(&declared.spec.params), Some(3));
        assert_eq!(declared.threads.counts(), [1, 2, 3]);
        assert_eq!(declared.limit.as_ref().map(|l| (l.threads, l.reason)), Some((3, LimitReason::WorkParallelism)));
        let instance = declared.spec.workload.prepare(&declared.spec.params).unwrap();
        assert_eq!(instance.bytes_per_run(), Some(1 << 20));
        assert_eq!(plain.spec.workload.parallelism(&plain.spec.params), None);
        assert!(plain.limit.is_none() && plain.threads.counts().last() == Some(&16));
        assert_eq!(plain.spec.workload.prepare(&plain.spec.params).unwrap().bytes_per_run(), None);
    }

    #[test]
    fn declared_tasks_and_bytes_are_refused_with_the_flag_value_and_limit() {
        for (tasks, bytes, want) in [
            (Some("0"), None, "--tasks: `0` is out of range (a whole number from 1 to 4294967296)"),
            (Some("4294967297"), None, "--tasks: `4294967297` is out of range (a whole number from 1 to 4294967296)"),
            (Some("-1"), None, "--tasks: `-1` is not a task count"),
            (Some("four"), None, "--tasks: `four` is not a task count"),
            (None, Some("0"), "--bytes: `0` is zero (at least 1 byte)"),
            (None, Some("-5M"), "--bytes: `-5M` is not a size"),
            (None, Some("1.5G"), "--bytes: `1.5G` is not a size"),
            (None, Some("much"), "--bytes: `much` is not a size"),
        ] {
            let request = RunRequest { commands: vec![command("true", tasks, bytes)], ..Default::default() };
            let err = request.resolve(CPUS).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{err}");
            assert!(err.to_string().starts_with(want), "{err}");
        }
    }

    #[test]
    fn suite_commands_declare_tasks_and_bytes_and_refusals_name_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("suite.json");
        std::fs::write(&path, r#"[{"cmd": "true {threads}", "tasks": 3, "bytes": "2K"}, {"workload": "primes"}]"#)
            .unwrap();
        let sixteen = CpuCounts { usable: 16, physical: 16, sockets: 1 };
        let config = RunRequest { suite: Some(path.clone()), ..Default::default() }.resolve(sixteen).unwrap();
        let spec = &config.workloads[0].spec;
        assert_eq!(spec.workload.parallelism(&spec.params), Some(3));
        assert_eq!(config.workloads[0].threads.counts(), [1, 2, 3]);
        assert_eq!(spec.workload.prepare(&spec.params).unwrap().bytes_per_run(), Some(2048));
        std::fs::write(&path, r#"[{"cmd": "true"}, {"cmd": "true", "bytes": "0"}]"#).unwrap();
        let err = RunRequest { suite: Some(path.clone()), ..Default::default() }.resolve(CPUS).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(err.to_string().ends_with("entry 1: bytes: `0` is zero (at least 1 byte)"), "{err}");
    }

    #[test]
    fn a_sample_known_to_outlast_the_whole_budget_is_refused_before_measuring() {
        let request = RunRequest { workloads: vec!["sleep:size=1000000".into()], ..Default::default() };
        let err = request.resolve(CPUS).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "--budget: `25` is shorter than one sample of `sleep`: one run at j = 1 takes about 10000 s (known from its parameters: ms=10,serial=0,size=1000000); give a smaller size=, a larger --budget, or --allow-overrun"
        );
        let allowed = RunRequest { allow_overrun: true, ..request.clone() }.resolve(CPUS).unwrap();
        assert!(allowed.settings.allow_overrun);
        // A larger budget, or --target-ms (which sets the size), take it.
        RunRequest { budget_s: Some(20_000.0), ..request.clone() }.resolve(CPUS).unwrap();
        RunRequest { target_ms: Some(10.0), ..request }.resolve(CPUS).unwrap();
    }

    #[test]
    fn timeouts_parse_and_resolve() {
        assert_eq!(SampleTimeout::parse("none").unwrap(), SampleTimeout::Never);
        assert_eq!(SampleTimeout::parse("2.5").unwrap(), SampleTimeout::After(Duration::from_millis(2500)));
        assert_eq!(SampleTimeout::parse("2m").unwrap(), SampleTimeout::After(Duration::from_secs(120)));
        let auto = SampleTimeout::Auto;
        assert_eq!(auto.resolve(None), Some(Duration::from_secs(600)));
        assert_eq!(auto.resolve(Some(Duration::from_secs(1))), Some(Duration::from_secs(60)));
        assert_eq!(auto.resolve(Some(Duration::from_secs(10))), Some(Duration::from_secs(200)));
        assert_eq!(SampleTimeout::Never.resolve(Some(Duration::from_secs(10))), None);
    }

    #[test]
    fn refusals_name_the_flag() {
        let cases: [(RunRequest, &str); 8] = [
            (RunRequest { target_ms: Some(0.0), ..Default::default() }, "--target-ms"),
            (RunRequest { budget_s: Some(-1.0), ..Default::default() }, "--budget"),
            (RunRequest { min_rounds: Some(0), ..Default::default() }, "--min-rounds"),
            (RunRequest { min_rounds: Some(10), max_rounds: Some(5), ..Default::default() }, "--max-rounds"),
            (RunRequest { ci_target: Some(f64::NAN), ..Default::default() }, "--ci-target"),
            (RunRequest { workloads: vec!["synthetic:b=1.5".into()], ..Default::default() }, "--workload"),
            (RunRequest { timeout: Some("0".into()), ..Default::default() }, "--timeout"),
            (RunRequest { timeout: Some("soon".into()), ..Default::default() }, "--timeout"),
        ];
        for (request, flag) in cases {
            let err = request.resolve(CPUS).unwrap_err();
            assert!(err.to_string().starts_with(flag), "{err}");
            assert_eq!(err.exit_code(), 2);
        }
    }

    #[test]
    fn one_workload_twice_is_refused_and_with_other_parameters_named_apart() {
        let request =
            |w: &[&str]| RunRequest { workloads: w.iter().map(|w| w.to_string()).collect(), ..Default::default() };
        for twice in [&["sleep", "sleep"][..], &["sleep:ms=2", "sleep:ms=2.0"], &["sleep:ms=2", "primes", "sleep:ms=2"]]
        {
            let err = request(twice).resolve(CPUS).unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("--workload") && text.contains("sleep:ms=2") || twice[0] == "sleep", "{text}");
            assert!(text.contains("is given twice"), "{text}");
            assert_eq!(err.exit_code(), 2);
        }
        let config = request(&["sleep", "sleep:ms=2", "primes"]).resolve(CPUS).unwrap();
        let names: Vec<&str> = config.workloads.iter().map(|w| w.spec.workload.name()).collect();
        assert_eq!(names, ["sleep", "sleep:ms=2", "primes"]);
        // The renamed workload is the same work: kind, parameters and task count are its own.
        let renamed = &config.workloads[1].spec;
        assert_eq!(renamed.workload.kind(), Kind::IoBound);
        assert_eq!(renamed.params.get("ms"), Some(2.0));
        assert_eq!(
            renamed.workload.parallelism(&renamed.params),
            config.workloads[0].spec.workload.parallelism(&renamed.params)
        );

        // Two commands of one name need a --name each.
        let command = |name: Option<&str>| CommandRequest {
            template: "true {threads}".into(),
            name: name.map(str::to_owned),
            ..Default::default()
        };
        let two = RunRequest { commands: vec![command(None), command(None)], ..Default::default() };
        let err = two.resolve(CPUS).unwrap_err();
        assert!(err.to_string().starts_with("--cmd") && err.to_string().contains("--name"), "{err}");
        let named = RunRequest { commands: vec![command(Some("a")), command(Some("b"))], ..Default::default() };
        assert_eq!(named.resolve(CPUS).unwrap().workloads.len(), 2);
    }
}
