//! Your own code under `cargo bench`: the front-end of a `harness = false` bench target, beside
//! the `measure` binary, on the same application layer ([`crate::app`]) and printer
//! ([`crate::terminal`]).
//!
//! A bench lists its workloads — closures ([`function()`]) or [`Workload`] impls — in
//! [`crate::main!`], which calls [`main`]:
//!
//! - `cargo bench` sweeps every workload with [`crate::app::real_run`] (the table, the progress
//!   bar, the verdicts, the ceilings and the signals of `measure run`, and its cache in
//!   `$XDG_CACHE_HOME/amdahl`: the ceilings, and the rerun history whose spread widens the
//!   intervals of a bench run again, so a gate reads each side against its own reruns; a rebuilt
//!   bench starts a new history), saves the run under the
//!   target folder ([`store`]: `TARGET/amdahl/BENCH/run-NNNNNN.json`, read by `measure
//!   fit|report|compare`), and says in one line per workload what changed since the baseline
//!   (the last run that measured it, or `--baseline NAME`), computed by [`crate::compare`];
//! - `cargo bench -- FILTER` selects by name, `-- --list` lists, and `cargo bench -- --test` or
//!   `cargo test --benches` runs each workload once at j = 1 and 2 and checks its checksum, in
//!   seconds, for CI;
//! - `--fail-on-regression` exits 1 when a workload's speedup at the largest common j fell
//!   significantly ([`changes::regressed`]: `compare`'s test of S, with the run-to-run noise
//!   floor).
//!
//! The flags are parsed by hand ([`args`]): a bench depends on the library without its `cli`
//! feature (clap).

pub mod args;
pub mod baseline;
pub mod changes;
pub mod function;
pub mod store;

pub use args::{BenchArgs, Mode};
pub use function::{Function, FunctionWorkload, PerSample, function};

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use amdahl_workloads::{Backend, Checksum, Params, Team, Workload, WorkloadSpec};

use crate::app::real_run::{self, Finished, RunOptions};
use crate::app::signals;
use crate::config::{RunRequest, SampleTimeout};
use crate::error::{Error, Result, exit_code};
use crate::machine::{self, MachineFacts};
use crate::sweep::sample::{Guard, SampleSite, run_sample};
use crate::sweep::{Clock, CpuSource, Hang, RealClock, Watchdog};
use crate::terminal;
use store::Store;

/// Anything [`crate::main!`] takes: a closure workload ([`FunctionWorkload`]), a [`Workload`]
/// impl, or a built-in (`&'static dyn Workload`).
pub trait IntoWorkload {
    /// The workload, shared.
    fn into_workload(self) -> Arc<dyn Workload>;
}

impl<W: Workload + 'static> IntoWorkload for W {
    fn into_workload(self) -> Arc<dyn Workload> {
        Arc::new(self)
    }
}

/// Where the bench runs: its executable, `CARGO_TARGET_DIR` and the working folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchEnv {
    /// The bench's executable (names the bench and, by its path, the target folder).
    pub exe: Option<PathBuf>,
    /// `CARGO_TARGET_DIR`.
    pub cargo_target_dir: Option<PathBuf>,
    /// The working folder.
    pub cwd: PathBuf,
}

impl BenchEnv {
    /// This process's.
    pub fn current() -> BenchEnv {
        BenchEnv {
            exe: std::env::current_exe().ok(),
            cargo_target_dir: std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }

    /// The run history of this bench target.
    pub fn store(&self) -> Store {
        let target = store::target_dir(self.exe.as_deref(), self.cargo_target_dir.as_deref(), &self.cwd);
        Store::new(&target, &store::bench_name(self.exe.as_deref()))
    }
}

/// The `main` of a `harness = false` bench: [`crate::main!`] calls it with the bench's
/// workloads. Reads this process's arguments and environment; returns the exit code (0; 1 when a
/// workload failed or, with `--fail-on-regression`, regressed; 2 for a bad flag; those of
/// `measure run` otherwise).
pub fn main(workloads: Vec<Arc<dyn Workload>>) -> ExitCode {
    ExitCode::from(run(std::env::args().skip(1), workloads, &BenchEnv::current()))
}

/// [`main`] with its arguments and environment given.
pub fn run<I: IntoIterator<Item = String>>(args: I, workloads: Vec<Arc<dyn Workload>>, env: &BenchEnv) -> u8 {
    terminal::set_program("amdahl");
    let args = match BenchArgs::parse(args) {
        Ok(args) => args,
        Err(e) => {
            terminal::error("", &e.to_string());
            return e.exit_code();
        }
    };
    terminal::colour::init(args.color);
    if let Err(e) = signals::install() {
        terminal::warning(&format!("cannot watch for signals ({e}); Ctrl-C ends the process without saving"));
    }
    match execute(&args, workloads, env) {
        Ok(code) => code,
        Err(e) => {
            terminal::error("", &e.to_string());
            e.exit_code()
        }
    }
}

fn execute(args: &BenchArgs, workloads: Vec<Arc<dyn Workload>>, env: &BenchEnv) -> Result<u8> {
    check_names(&workloads)?;
    let selected: Vec<Arc<dyn Workload>> = workloads.into_iter().filter(|w| args.selects(w.name())).collect();
    match args.mode {
        Mode::Help => {
            terminal::print(args::HELP)?;
            Ok(exit_code::OK)
        }
        Mode::List => {
            let list: String = selected.iter().map(|w| format!("{}: benchmark\n", w.name())).collect();
            terminal::print(&list)?;
            Ok(exit_code::OK)
        }
        Mode::Test => test_mode(args, &selected),
        Mode::Bench if selected.is_empty() => {
            terminal::note(&format!("no workload of this bench matches {}", args.filters.join(" ")));
            Ok(exit_code::OK)
        }
        Mode::Bench => bench_mode(args, selected, env),
    }
}

/// Every workload has a name of its own, printable and non-empty: runs and baselines pair
/// workloads by name.
fn check_names(workloads: &[Arc<dyn Workload>]) -> Result<()> {
    for (i, w) in workloads.iter().enumerate() {
        let name = w.name();
        if name.trim().is_empty() || name.chars().any(char::is_control) {
            return Err(Error::usage(
                "amdahl::main!",
                name,
                "is not a workload name (empty or with control characters)",
            ));
        }
        if workloads[..i].iter().any(|v| v.name() == name) {
            return Err(Error::usage("amdahl::main!", name, "names two workloads: give each its own name"));
        }
    }
    Ok(())
}

/// `--test`: each workload once at j = 1 and once at j = 2, on the rayon backend, checksums
/// compared; nothing saved.
fn test_mode(args: &BenchArgs, selected: &[Arc<dyn Workload>]) -> Result<u8> {
    let timeout = args.timeout.as_deref().map(SampleTimeout::parse).transpose()?.unwrap_or(SampleTimeout::Auto);
    let watchdog = Watchdog::new(|hang: &Hang| {
        terminal::error(
            "\n",
            &format!(
                "workload `{}` did not return within {:?} at j = {} (--timeout)",
                hang.workload, hang.timeout, hang.threads
            ),
        );
        std::process::exit(exit_code::TIMEOUT.into());
    });
    let clock = RealClock::new();
    let mut failed = 0;
    terminal::print(&format!("\nrunning {} workload(s) once at j = 1 and 2\n", selected.len()))?;
    for w in selected {
        let outcome = check_once(&**w, &clock, Some(&watchdog), timeout.resolve(None));
        let line = match outcome {
            Ok(checksum) => format!("test {} ... ok (checksum {checksum})\n", w.name()),
            Err(why) => {
                failed += 1;
                format!("test {} ... FAILED\n    {why}\n", w.name())
            }
        };
        terminal::print(&line)?;
    }
    let passed = selected.len() - failed;
    terminal::print(&format!(
        "\ntest result: {}. {passed} passed; {failed} failed\n\n",
        if failed == 0 { "ok" } else { "FAILED" }
    ))?;
    Ok(if failed == 0 { exit_code::OK } else { exit_code::WORKLOAD_FAILED })
}

/// Runs `workload` (default parameters) once at j = 1 and once at j = 2 through the sweep's
/// sampler, and returns its checksum if both agree.
pub fn check_once(
    workload: &dyn Workload,
    clock: &dyn Clock,
    watchdog: Option<&Watchdog>,
    timeout: Option<std::time::Duration>,
) -> std::result::Result<Checksum, String> {
    let params = Params::defaults(workload).map_err(|e| e.to_string())?;
    let mut instance = workload.prepare(&params).map_err(|e| e.to_string())?;
    let guard = Guard::new(workload, watchdog, timeout);
    let mut reference: Option<Checksum> = None;
    for j in [1, 2] {
        let team = Team::new(j, Backend::Rayon).map_err(|e| e.to_string())?;
        let cpu = || team.cpu_ns();
        let during = format!("at j={j}");
        let site = SampleSite { name: workload.name(), during: &during };
        let (sample, left_behind) = run_sample(&mut *instance, &team, clock, CpuSource::Threads(&cpu), &guard, &site);
        if let Some(warning) = left_behind {
            terminal::warning(&warning);
        }
        let checksum = sample?.checksum;
        match reference {
            None => reference = Some(checksum),
            Some(expected) if expected != checksum => {
                return Err(format!(
                    "workload `{}` at j={j}: the value differs from j=1's (checksum {checksum}, expected {expected}): it must not depend on j (a race?)",
                    workload.name()
                ));
            }
            Some(_) => {}
        }
    }
    reference.ok_or_else(|| "no run".to_owned())
}

/// `--bench`: the sweep through `app::real_run`, the run saved in the bench's history, the
/// changes since the baseline, `--save-baseline` and the gate.
fn bench_mode(args: &BenchArgs, selected: Vec<Arc<dyn Workload>>, env: &BenchEnv) -> Result<u8> {
    let store = env.store();
    let specs = selected.into_iter().map(WorkloadSpec::defaults).collect::<std::result::Result<Vec<_>, _>>()?;
    let names: Vec<String> = specs.iter().map(|s| s.workload.name().to_owned()).collect();
    // A named baseline must exist before anything is measured.
    let named = args.baseline.as_deref().map(|name| store.named_baseline(name, &names)).transpose()?;
    // So must the place a baseline will be saved to.
    if let Some(name) = &args.save_baseline {
        store.check_baseline_target(name, &names)?;
    }
    let machine = MachineFacts::read(&machine::Roots::resolve(None, None));
    let request = RunRequest {
        specs,
        threads: args.threads.clone(),
        budget_s: args.budget_s,
        allow_overrun: args.allow_overrun,
        timeout: args.timeout.clone(),
        pin: args.pin,
        ..Default::default()
    };
    // Checked before a run file is claimed, so a bad flag leaves nothing behind.
    let mut config = request.resolve(machine.cpu_counts())?;
    let history = args.out.is_none();
    let out = match &args.out {
        Some(out) => out.clone(),
        None => {
            let claimed = store.claim_next_run()?;
            // A signal before the run has written it ends the process: our empty claim goes too.
            crate::app::signals::remove_if_empty_at_exit(&claimed);
            claimed
        }
    };
    // Our own empty claim is replaced; a user's --out is never.
    (config.out, config.force) = (Some(out.clone()), history);
    let options = RunOptions {
        no_ceilings: args.no_ceilings,
        json: args.json,
        results_dir: store.dir.clone(),
        ..RunOptions::new()
    };
    let finished = match real_run::run(&config, &machine, &options) {
        Ok(finished) => finished,
        Err(e) => {
            if history && std::fs::metadata(&out).is_ok_and(|m| m.len() == 0) {
                let _ = std::fs::remove_file(&out);
            }
            return Err(e);
        }
    };
    let code = finished.exit_code();
    if finished.signal_exit.is_some() || !finished.saved_as_asked {
        return Ok(code);
    }
    let this_run = if history { store.number_of(&out) } else { None };
    after_the_run(args, &store, &finished, code, Comparing { names: &names, named: named.as_ref(), this_run })
}

/// What a run's change lines compare it with: the workloads asked for, the named baseline
/// (`--baseline`), and the run's own number in the history (earlier runs are the baselines).
struct Comparing<'a> {
    names: &'a [String],
    named: Option<&'a baseline::NamedBaseline>,
    this_run: Option<u64>,
}

/// After a saved run: the change lines since each workload's baseline (the named one, or the
/// last earlier run), `--save-baseline`, and the regression gate's exit code.
fn after_the_run(
    args: &BenchArgs,
    store: &Store,
    finished: &Finished,
    code: u8,
    Comparing { names, named, this_run }: Comparing<'_>,
) -> Result<u8> {
    let baselines = match named {
        Some(named) => named.found.clone(),
        // Only runs before this one: a concurrent bench's later run is still being written.
        None => store.last_runs_of(names, this_run),
    };
    let (changes, mut notes) = changes::since(&finished.results, names, &baselines, &store.dir);
    let missing = named.map(baseline::NamedBaseline::missing_lines).unwrap_or_default();
    notes.extend(missing.iter().cloned());
    let text = "\n".to_owned() + &changes::text(&changes, &notes, names, args.baseline.as_deref());
    // In --json mode standard output is the JSON's alone.
    if args.json {
        terminal::note(text.trim_end());
    } else {
        terminal::print(&text)?;
    }
    if let Some(name) = &args.save_baseline {
        let (folder, saved) = store.save_baseline(name, &finished.results)?;
        terminal::note(&format!(
            "baseline `{name}` of {} saved in {} (one file per workload; the others' are kept)",
            if saved.is_empty() { "no workload (none was measured)".to_owned() } else { saved.join(", ") },
            folder.display()
        ));
    }
    let mut page_text = text.trim_start().to_owned();
    let mut exit = code;
    if code == exit_code::OK && !args.fail_on_regression.is_empty() {
        let (gate_code, errors) = changes::gate(&changes, &missing, &args.fail_on_regression);
        for line in &errors {
            terminal::error("", line);
            page_text += &format!("error: {line}\n");
        }
        if gate_code == exit_code::WORKLOAD_FAILED {
            terminal::note(&format!(
                "{} workload(s) regressed since the baseline (--fail-on-regression)",
                errors.len()
            ));
        }
        exit = gate_code;
    }
    // The page of a run in the history, beside its results; its path is the run's last line.
    if let Some(n) = this_run {
        let page = store.page_path(n);
        let html = crate::report::Html::with_section(&finished.results, "Changes since the baseline", &page_text);
        match crate::results::output::write_new(&page, html.as_bytes(), crate::results::Overwrite::Never) {
            Ok(()) => terminal::note(&format!("report: {}", page.display())),
            Err(e) => terminal::warning(&format!("the run's page was not written: {e}")),
        }
    }
    Ok(exit)
}

/// The label of a baseline file in the change lines: its path in the bench's folder
/// (`run-000003.json`, `baseline-main/parallel-sort.json`), else its file name.
fn label_of(path: &Path, store_dir: &Path) -> String {
    match path.strip_prefix(store_dir) {
        Ok(inside) => inside.to_string_lossy().into_owned(),
        Err(_) => path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
