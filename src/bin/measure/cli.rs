//! The command line as the user typed it (clap derive lives only here). `into_request` hands the
//! values to the library's `RunRequest`, which validates and resolves them.

use std::path::PathBuf;

use amdahl::config::{CommandRequest, Export, ExportFormat, Hooks, RunRequest};
use amdahl::fit::Loss;
use amdahl::placement::Pin;
use amdahl::scaling::Scaling;
use amdahl_workloads::Backend;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Measure real parallel speedup and hold it against Amdahl's law.
///
/// With no command, runs the default sweep (`measure run`).
#[derive(Debug, Parser)]
#[command(name = "measure", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: run).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Colour the verdicts and warnings: `auto` on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, global = true, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Options of `run`, accepted without the word `run`.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sweep workloads over thread counts, fit, print and save the results.
    Run(Box<RunArgs>),
    /// List the built-in workloads with their kinds and parameters.
    List(ListArgs),
    /// Refit and explain results files of ours, or CSV curves (threads/concurrency and
    /// seconds/nanoseconds/throughput columns; repeated rows are samples).
    Fit(FitArgs),
    /// Predict speedups from a serial fraction, or from a results file's fitted models.
    Predict(PredictArgs),
    /// What speeding one function up would buy: T(j) predicted from a results file's profile runs
    /// (their fork-join runs replayed with the function's time on the critical path shortened).
    WhatIf(WhatIfArgs),
    /// Charts and reports of a results file: SVG, one self-contained HTML page, Markdown.
    Report(ReportArgs),
    /// Compare results files from several machines: environment, per-core speed, scaling.
    Compare(CompareArgs),
    /// The machine's facts and its own ceilings: what plain pinned threads reach here (compute,
    /// memory bandwidth, sleeping threads, the clock per j).
    Machine(MachineArgs),
    /// Print the JSON Schema of the results file.
    Schema,
    /// Print a shell completion script: `measure completions bash > ~/.local/share/bash-completion/completions/measure`.
    Completions(CompletionsArgs),
    /// Print the man page (roff): `measure man > measure.1`.
    Man,
}

/// Options of `measure run`.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// A workload with optional parameters, e.g. `synthetic:b=0.25` (repeatable; default: all).
    #[arg(long = "workload", short = 'w', value_name = "NAME[:K=V,...]")]
    pub workloads: Vec<String>,
    /// An external command as a workload; `{threads}` is replaced by j (repeatable), e.g.
    /// `--cmd 'xz -T{threads} -c big.bin'` or `--cmd 'mpirun -np {threads} ./app'`.
    #[arg(long = "cmd", value_name = "COMMAND", allow_hyphen_values = true)]
    pub commands: Vec<String>,
    /// The name of each --cmd, in order [default: the program's name].
    #[arg(long = "name", value_name = "NAME")]
    pub names: Vec<String>,
    /// The kind of each --cmd, in order: parallel, sequential, io-bound, memory-bound, contended,
    /// synthetic [default: parallel].
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// The independent tasks of one run of each --cmd, in order (1 to 2^32): more threads than T
    /// find nothing to do, so the default plan stops there, and the file records it as `tasks`
    /// [default: unknown].
    #[arg(long = "tasks", value_name = "T", allow_hyphen_values = true)]
    pub tasks: Vec<String>,
    /// The bytes one run of each --cmd moves to and from memory, in order: `4096`, `64M`, `1G`
    /// (powers of 1024); memory bandwidth is then reported in GB/s [default: unknown].
    #[arg(long = "bytes", value_name = "BYTES", allow_hyphen_values = true)]
    pub bytes: Vec<String>,
    /// Hash each command's standard output and require the same at every j.
    #[arg(long)]
    pub check_output: bool,
    /// A suite: a JSON list of workloads and commands with their thread sets
    /// (see workloads/suites/default.json and commands.json).
    #[arg(long, value_name = "FILE")]
    pub suite: Option<PathBuf>,
    /// Thread counts: `1-N`, `1,2,4,8`, `2-16:2`, `pow2:4N` (N = usable CPUs, P = physical cores).
    /// Default: 1-N and P; powers of two up to 8N for io-bound workloads.
    #[arg(long, short = 't', value_name = "SET", allow_hyphen_values = true)]
    pub threads: Option<String>,
    /// How teams run: a rayon pool per j (work stealing), or j persistent threads with a static
    /// partition.
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,
    /// Where the teams' threads run: not pinned, `compact` (one socket's cores, then their SMT
    /// siblings, then the next socket) or `scatter` (round-robin over sockets and NUMA nodes)
    /// [default: none].
    #[arg(long, value_enum)]
    pub pin: Option<PinArg>,
    /// Print the plan (thread counts per workload, minimum samples, an estimated time from one
    /// timed run at j = 1 each) and run no sweep; with --json, as JSON.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not measure the machine's own ceilings (no `machine_speedup` or `fidelity`).
    #[arg(long)]
    pub no_ceilings: bool,
    /// Neither read nor write the cache ($XDG_CACHE_HOME/amdahl, kept a day): the ceilings, and the
    /// rerun history that widens the intervals of a workload run again.
    #[arg(long)]
    pub no_cache: bool,
    /// Calibrate each workload's size so one run at j=1 takes about this long (instead of the
    /// fixed default size that compares across machines).
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub target_ms: Option<f64>,
    /// Seconds for the whole run, a promise: a plan that cannot meet it is said before measuring
    /// and thread counts leave it (the costliest first, keeping 1 and the largest) until it fits;
    /// rounds stop before one would overrun it; only the minimum rounds run whatever it says
    /// [default: 25].
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub budget: Option<f64>,
    /// Measure every thread count even when the plan cannot meet --budget, and take a sample
    /// known to be longer than the whole budget (the overrun is still said).
    #[arg(long)]
    pub allow_overrun: bool,
    /// Rounds always run [default: 5].
    #[arg(long, value_name = "N")]
    pub min_rounds: Option<usize>,
    /// Rounds never exceeded [default: 200].
    #[arg(long, value_name = "N")]
    pub max_rounds: Option<usize>,
    /// Stop early once every S(j)'s 95% CI half-width is below this share of S(j) (the run's own
    /// interval, before --noise-floor is added: more rounds cannot narrow the floor) [default: 0.02].
    #[arg(long, value_name = "SHARE", allow_negative_numbers = true)]
    pub ci_target: Option<f64>,
    /// Seed of the round order and the bootstrap [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Strong scaling keeps the total work fixed (Amdahl); weak scaling runs size x j at j threads
    /// (Gustafson).
    #[arg(long, value_enum)]
    pub scaling: Option<ScalingArg>,
    /// The longest one sample may take: `90s`, `2m`, seconds, or `none`. A command that outlives
    /// it is killed with its process group and its point fails; in-process work that does not
    /// return ends the run (what was measured is saved; exit 124)
    /// [default: the larger of 60 s and 20x the j=1 warm-up; 10 min before that is known].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// How much T(j) and S(j) move between runs on this machine beyond a run's own samples, as
    /// relative standard deviations `TIME,SPEEDUP` (`2.5%,0.5%`; one value for both; `0` for
    /// none), for every workload. Recorded in the file; added to its intervals and so to
    /// `compare`'s tests. Measure it with reruns (README, "Comparing runs") [default: this
    /// project's 2-CPU machine's: 2.5%,0.5% in-process, 2%,3% for commands].
    #[arg(long, value_name = "TIME,SPEEDUP")]
    pub noise_floor: Option<String>,
    /// Read the machine's facts from this sysfs tree instead of /sys [env: AMDAHL_SYSFS].
    #[arg(long, value_name = "DIR")]
    pub sysfs: Option<PathBuf>,
    /// Read the machine's facts from this procfs tree instead of /proc [env: AMDAHL_PROCFS].
    #[arg(long, value_name = "DIR")]
    pub procfs: Option<PathBuf>,
    /// Results file to write [default: a new file in results/]; `-` prints the JSON (as --json)
    /// and saves the run under its default name.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no table; warnings and errors only.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print the results JSON on stdout (instead of the table).
    #[arg(long)]
    pub json: bool,
    /// Also write the HTML report next to the results file.
    #[arg(long)]
    pub report: bool,
    /// Write the results JSON here (hyperfine's name for --out; give one of the two); `-` prints it.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Also write the Markdown summary here (same rules as --out: no overwriting without --force).
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Also write one CSV row per point, with the fitted models' columns, here.
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Run CMD with `sh -c` once per workload before its first run (untimed), as hyperfine's.
    #[arg(long, value_name = "CMD", allow_hyphen_values = true)]
    pub setup: Option<String>,
    /// Run CMD before every run of the workload (warm-up and profile runs too; untimed); `{threads}` is that run's j.
    #[arg(long, value_name = "CMD", allow_hyphen_values = true)]
    pub prepare: Option<String>,
    /// Run CMD once per workload after its last run.
    #[arg(long, value_name = "CMD", allow_hyphen_values = true)]
    pub cleanup: Option<String>,
}

/// Options of `measure list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print a JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `measure fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Results files of ours or hyperfine `--export-json` scans (`.json`), or CSV files.
    #[arg(required_unless_present = "criterion", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A criterion folder: one group whose benchmark ids are thread counts
    /// (`target/criterion/<group>`), or the whole `target/criterion`, whose groups of thread counts
    /// are each fitted (the others are named on stderr with the reason they were skipped).
    #[arg(long, value_name = "DIR")]
    pub criterion: Vec<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Seed of the bootstrap for CSV data [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// The usable CPUs of the machine an imported curve (CSV, criterion, hyperfine) was measured
    /// on, so that oversubscription and waiting threads can be judged.
    #[arg(long, value_name = "N")]
    pub cpus: Option<usize>,
    /// Its physical cores [default: --cpus].
    #[arg(long, value_name = "P", requires = "cpus")]
    pub physical_cores: Option<usize>,
    /// What kind of work every curve of this call measures: parallel, sequential, io-bound,
    /// memory-bound or contended (the diagnosis then names causes the kind implies).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// What a `throughput` column counts, when it is a bandwidth: B/s, MB/s or GB/s (marks the
    /// curves as memory bandwidth, reported in GB/s).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// The work's independent tasks per run: j threads then reach at most T / ceil(T / j).
    #[arg(long, value_name = "T")]
    pub tasks: Option<usize>,
    /// The largest input file read, e.g. `512MiB` or `1G` [default: 256MiB].
    #[arg(long, value_name = "SIZE")]
    pub max_input: Option<String>,
    /// What the least squares of Amdahl's law and the USL minimise; their intervals and the
    /// choice between them use the same loss.
    #[arg(long, value_enum, default_value_t = LossArg::Log)]
    pub loss: LossArg,
}

/// `--loss` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LossArg {
    /// Squares of ln cost: timing noise is multiplicative, so every point weighs alike.
    Log,
    /// Squares of the measured values with their scale free, as R's `usl` package fits
    /// X(N) = gamma N / (1 + sigma (N - 1) + kappa N (N - 1)) (times as their rates 1/T).
    Absolute,
}

impl LossArg {
    /// The library's loss.
    pub fn loss(self) -> Loss {
        match self {
            LossArg::Log => Loss::Log,
            LossArg::Absolute => Loss::Absolute,
        }
    }
}

/// Options of `measure report`. With no output flag, prints the Markdown summary.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The results file.
    #[arg(value_name = "RESULTS.json")]
    pub file: PathBuf,
    /// Write one self-contained HTML page here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write each chart as an SVG file into this folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub svg_dir: Option<PathBuf>,
    /// Write the Markdown summary here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Replace output files that exist (never a link, folder or device).
    #[arg(long)]
    pub force: bool,
    /// The largest input file read, e.g. `512MiB` or `1G` [default: 256MiB].
    #[arg(long, value_name = "SIZE")]
    pub max_input: Option<String>,
}

/// Options of `measure compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Results files; the first is A, compared with each of the others.
    #[arg(required = true, num_args = 2.., value_name = "RESULTS.json")]
    pub files: Vec<PathBuf>,
    /// Write an HTML page with the machines' speedup curves overlaid.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Replace the HTML file if it exists (never a link, folder or device).
    #[arg(long)]
    pub force: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The largest input file read, e.g. `512MiB` or `1G` [default: 256MiB].
    #[arg(long, value_name = "SIZE")]
    pub max_input: Option<String>,
}

/// Options of `measure predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A results file whose fitted models to extrapolate (instead of --serial/--parallel).
    #[arg(value_name = "RESULTS.json")]
    pub file: Option<PathBuf>,
    /// The serial fraction B (0..1).
    #[arg(long, allow_negative_numbers = true, conflicts_with_all = ["parallel", "file"])]
    pub serial: Option<f64>,
    /// The parallel fraction P = 1 - B (0..1).
    #[arg(long, allow_negative_numbers = true, conflicts_with = "file")]
    pub parallel: Option<f64>,
    /// Thread counts, same grammar as `run` [default: pow2:64].
    #[arg(long, short = 't', value_name = "SET", allow_hyphen_values = true)]
    pub threads: Option<String>,
    /// `weak` uses Gustafson's law S = j - a(j-1) with a = the serial fraction.
    #[arg(long, value_enum)]
    pub scaling: Option<ScalingArg>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The largest input file read, e.g. `512MiB` or `1G` [default: 256MiB].
    #[arg(long, value_name = "SIZE")]
    pub max_input: Option<String>,
}

/// Options of `measure what-if`.
#[derive(Debug, Args)]
pub struct WhatIfArgs {
    /// A results file of `measure run` whose points have per-function profiles.
    #[arg(value_name = "RESULTS.json")]
    pub file: PathBuf,
    /// The function and how many times faster, e.g. `serial_part=2x` (a name from the file's
    /// `functions`, as `measure fit` lists them).
    #[arg(long, value_name = "FUNCTION=FACTOR")]
    pub faster: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The largest input file read, e.g. `512MiB` or `1G` [default: 256MiB].
    #[arg(long, value_name = "SIZE")]
    pub max_input: Option<String>,
}

/// Options of `measure machine`.
#[derive(Debug, Args)]
pub struct MachineArgs {
    /// Thread counts of the compute and bandwidth ceilings, same grammar as `run`
    /// [default: 1-N and P; the timer ceiling: powers of two up to 8N].
    #[arg(long, short = 't', value_name = "SET", allow_hyphen_values = true)]
    pub threads: Option<String>,
    /// Where the measuring threads run [default: scatter].
    #[arg(long, value_enum)]
    pub pin: Option<PinArg>,
    /// Neither read nor write the ceilings cache (it is refreshed otherwise).
    #[arg(long)]
    pub no_cache: bool,
    /// Print `{facts, ceilings}` as JSON.
    #[arg(long)]
    pub json: bool,
    /// Read the machine's facts from this sysfs tree instead of /sys [env: AMDAHL_SYSFS]; the
    /// ceilings are then not measured (they would be this machine's).
    #[arg(long, value_name = "DIR")]
    pub sysfs: Option<PathBuf>,
    /// Read the machine's facts from this procfs tree instead of /proc [env: AMDAHL_PROCFS].
    #[arg(long, value_name = "DIR")]
    pub procfs: Option<PathBuf>,
}

/// Options of `measure completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always (CLICOLOR_FORCE does the same).
    Always,
    /// Never.
    Never,
}

impl ColorArg {
    /// The library's value.
    pub fn when(self) -> amdahl::terminal::ColorWhen {
        match self {
            ColorArg::Auto => amdahl::terminal::ColorWhen::Auto,
            ColorArg::Always => amdahl::terminal::ColorWhen::Always,
            ColorArg::Never => amdahl::terminal::ColorWhen::Never,
        }
    }
}

/// `--pin` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PinArg {
    /// Not pinned: the scheduler places threads.
    None,
    /// One socket's physical cores, then their SMT siblings, then the next socket.
    Compact,
    /// Round-robin over sockets and NUMA nodes, physical cores before SMT siblings.
    Scatter,
}

impl PinArg {
    /// The library's policy.
    pub fn policy(self) -> Pin {
        match self {
            PinArg::None => Pin::None,
            PinArg::Compact => Pin::Compact,
            PinArg::Scatter => Pin::Scatter,
        }
    }
}

/// `--scaling` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScalingArg {
    /// Fixed total work, split over j threads.
    Strong,
    /// j times the work at j threads.
    Weak,
}

/// `--backend` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackendArg {
    /// A rayon `ThreadPool` per thread count, built once: work stealing.
    Rayon,
    /// j persistent threads, each given its static block of tasks per call: static partition.
    Threads,
}

impl RunArgs {
    /// The library's request.
    pub fn into_request(self) -> Result<RunRequest, amdahl::Error> {
        for (flag, count) in [
            ("--name", self.names.len()),
            ("--kind", self.kinds.len()),
            ("--tasks", self.tasks.len()),
            ("--bytes", self.bytes.len()),
        ] {
            if count > self.commands.len() {
                return Err(amdahl::Error::usage(
                    flag,
                    count,
                    format!("is given {count} times for {} --cmd", self.commands.len()),
                ));
            }
        }
        let commands = self
            .commands
            .iter()
            .enumerate()
            .map(|(i, template)| CommandRequest {
                template: template.clone(),
                name: self.names.get(i).cloned(),
                kind: self.kinds.get(i).cloned(),
                tasks: self.tasks.get(i).cloned(),
                bytes: self.bytes.get(i).cloned(),
            })
            .collect();
        let exports = [(ExportFormat::Markdown, self.export_markdown), (ExportFormat::Csv, self.export_csv)]
            .into_iter()
            .filter_map(|(format, path)| Some(Export { format, path: path? }))
            .collect();
        Ok(RunRequest {
            report: self.report,
            exports,
            timeout: self.timeout,
            noise_floor: self.noise_floor,
            commands,
            check_output: self.check_output,
            suite: self.suite,
            workloads: self.workloads,
            threads: self.threads,
            backend: self.backend.map(|b| match b {
                BackendArg::Rayon => Backend::Rayon,
                BackendArg::Threads => Backend::Threads,
            }),
            target_ms: self.target_ms,
            budget_s: self.budget,
            allow_overrun: self.allow_overrun,
            min_rounds: self.min_rounds,
            max_rounds: self.max_rounds,
            ci_target: self.ci_target,
            seed: self.seed,
            scaling: self.scaling.map(|s| match s {
                ScalingArg::Strong => Scaling::Strong,
                ScalingArg::Weak => Scaling::Weak,
            }),
            out: match (self.out, self.export_json) {
                (Some(out), Some(export)) if out != export => {
                    return Err(amdahl::Error::usage(
                        "--export-json",
                        export.display(),
                        format!(
                            "is the results file, and --out names another ({}): give one of the two",
                            out.display()
                        ),
                    ));
                }
                (out, export) => out.or(export),
            },
            force: self.force,
            pin: self.pin.map(PinArg::policy),
            hooks: Hooks { setup: self.setup, prepare: self.prepare, cleanup: self.cleanup },
            specs: Vec::new(),
        })
    }
}
