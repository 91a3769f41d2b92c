//! A run on this machine, assembled the one way every front-end needs it (the `measure` binary,
//! a `cargo bench` harness): the machine's fingerprint, its ceilings (cached), the journal that
//! holds every completed round, the signals that stop the run and save it, the watchdog of
//! `--timeout`, the real clock and the progress bar; then the table or JSON, where the results
//! went, and the exports. Model: hyperfine's `Scheduler` with its `ExportManager`.
//!
//! The front-end keeps its own flags and exit codes: it hands over a resolved
//! [`RunConfig`] and [`RunOptions`] and maps the [`Finished`] run to a code.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::ceilings::CeilingSetup;
use crate::app::{outputs, signals};
use crate::config::RunConfig;
use crate::dry_run::{DryRun, dry_run};
use crate::error::{Error, Result, exit_code};
use crate::machine::MachineFacts;
use crate::machine::ceiling_cache::{CacheKey, CeilingCache};
use crate::machine::rerun_history::RerunHistory;
use crate::report::{Exporter, Json, Table, brief};
use crate::results::output::is_stdout;
use crate::results::{Overwrite, ResultsFile};
use crate::sweep::{self, CeilingSource, Hang, Journal, RealClock, RunContext, Watchdog};
use crate::terminal::{self, Bar};

/// The folder of default results file names: `results/`.
pub const DEFAULT_RESULTS_DIR: &str = "results";

/// How a front-end wants a run carried out and shown (the machine it runs on is read by the
/// front-end, once: [`MachineFacts`]).
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `--no-ceilings`: record none.
    pub no_ceilings: bool,
    /// `--no-cache`: measure the ceilings, neither reading nor storing the cache.
    pub no_cache: bool,
    /// `--quiet`: no progress bar and no table.
    pub quiet: bool,
    /// `--json`: the results file's JSON on standard output instead of the table.
    pub json: bool,
    /// `--force`: outputs may replace existing files.
    pub overwrite: Overwrite,
    /// The command line to record.
    pub argv: Vec<String>,
    /// The folder of default file names.
    pub results_dir: PathBuf,
}

impl RunOptions {
    /// Ceilings measured and cached, progress and table shown, no file replaced, results under
    /// [`DEFAULT_RESULTS_DIR`], this process's command line recorded.
    pub fn new() -> RunOptions {
        RunOptions {
            no_ceilings: false,
            no_cache: false,
            quiet: false,
            json: false,
            overwrite: Overwrite::Never,
            argv: std::env::args().collect(),
            results_dir: DEFAULT_RESULTS_DIR.into(),
        }
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions::new()
    }
}

/// A run that has ended: what the front-end turns into its exit code.
#[derive(Debug)]
pub struct Finished {
    /// The final contents of the results file.
    pub results: ResultsFile,
    /// Whether the results are where they were asked to be (else rescued or printed: exit 74).
    pub saved_as_asked: bool,
    /// The exit code of the signal that stopped the run (130, 143, 129), if one did.
    pub signal_exit: Option<u8>,
    /// The workloads that failed: name and error.
    pub failures: Vec<(String, String)>,
}

impl Finished {
    /// The documented exit code: 74 when the results are not where asked, the signal's, 3 when
    /// a workload failed, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.saved_as_asked {
            exit_code::IO
        } else if let Some(code) = self.signal_exit {
            code
        } else if !self.failures.is_empty() {
            exit_code::WORKLOAD_FAILED
        } else {
            exit_code::OK
        }
    }
}

/// What the watchdog says of a sample that did not return, then `what_follows`.
fn hang_message(hang: &Hang, what_follows: &str) -> String {
    format!(
        "workload `{}` did not return within {} at j = {} (--timeout); work that runs in-process cannot be stopped, so {what_follows}",
        hang.workload,
        humantime::format_duration(hang.timeout),
        hang.threads
    )
}

/// Refuses `--json` with an export to standard output: both would write there.
pub fn check_standard_output(config: &RunConfig, json: bool) -> Result<()> {
    match config.exports.iter().find(|e| json && is_stdout(&e.path)) {
        Some(export) => Err(Error::usage(
            export.format.flag(),
            "-",
            "is standard output, where --json writes the results: give the export a file",
        )),
        None => Ok(()),
    }
}

/// The rerun history of this machine and placement (`machine::rerun_history`): read unless
/// `--noise-floor` gave the floor, written unless the machine was busy as the run began (and
/// `AMDAHL_CACHE_WHEN_BUSY=1` does not ask for it, as for the ceilings); none
/// with `--no-cache`, `AMDAHL_RERUNS=0`, a fixture tree (whose fingerprint is not this
/// machine's) or no cache folder.
fn rerun_history(config: &RunConfig, machine: &MachineFacts, no_cache: bool) -> Option<RerunHistory> {
    if no_cache || !machine.roots().is_live() || RerunHistory::disabled_by_environment() {
        return None;
    }
    let facts = machine.fingerprint();
    let busy = facts
        .environment
        .as_ref()
        .and_then(|e| crate::machine::environment::busy_load(&e.before, facts.busy_before.as_ref(), facts.usable_cpus));
    let key = CacheKey::of(facts, config.settings.pin);
    let cache = CeilingCache::default_location()?;
    let mut history = RerunHistory::at(&cache, key);
    history.read = !config.settings.noise_floor_given;
    history.write = busy.is_none() || cache.even_when_busy;
    Some(history)
}

/// `--dry-run`: the plan and an estimate from one timed run at j = 1 per workload (none where
/// the workload's cost is known from its parameters), under a watchdog that ends the process (exit 124) when that run outlives `--timeout`.
pub fn plan_only(config: &RunConfig, machine: &MachineFacts) -> Result<DryRun> {
    let watchdog = Watchdog::new(|hang: &Hang| {
        terminal::error("\n", &format!("--dry-run: {}", hang_message(hang, "the dry run ended")));
        std::process::exit(exit_code::TIMEOUT.into());
    });
    let room = machine.thread_limits().room();
    dry_run(config, machine.cpu_counts(), room.as_ref(), &RealClock::new(), Some(&watchdog))
}

/// Runs `config` on `machine` (whose facts resolved it): measures, saves, shows the table (or
/// JSON) and where the results went, writes the exports. The signals of [`signals`] must be installed (they are
/// the first thing every front-end does); from the moment the journal is registered, the first
/// signal stops the run between samples and saves it.
pub fn run(config: &RunConfig, machine: &MachineFacts, options: &RunOptions) -> Result<Finished> {
    check_standard_output(config, options.json)?;
    let live = machine.roots().is_live();
    let ceilings = CeilingSetup::new(machine, config.settings.pin, options.no_cache);
    if !options.no_ceilings && !live && !options.quiet {
        terminal::note(
            "note: the machine's ceilings are not measured for a fixture tree (--sysfs/--procfs): they would be this machine's",
        );
    }
    let source = ceilings.source();
    let reruns = rerun_history(config, machine, options.no_cache);
    let journal = Arc::new(Journal::new());
    signals::watch_run(Arc::clone(&journal));
    let hung = Arc::clone(&journal);
    let watchdog = Watchdog::new(move |hang: &Hang| {
        let why = hang_message(hang, "the run ended; every completed round is saved");
        terminal::error("\n", &why);
        terminal::report_saved(&hung.finish_interrupted(Some(&why)));
        std::process::exit(exit_code::TIMEOUT.into());
    });
    let clock = RealClock::new();
    let mut bar = Bar::new(options.quiet);
    let outcome = sweep::run(
        config,
        RunContext {
            clock: &clock,
            observer: &mut bar,
            interrupted: &signals::INTERRUPTED,
            machine,
            argv: options.argv.clone(),
            results_dir: options.results_dir.clone(),
            journal: &journal,
            watchdog: Some(&watchdog),
            ceilings: (!options.no_ceilings && live).then_some(&source as &CeilingSource<'_>),
            reruns: reruns.as_ref(),
        },
    )?;
    // An export to standard output (`-`) takes the place of the table.
    let exported_to_stdout = config.exports.iter().any(|e| is_stdout(&e.path));
    if options.json {
        terminal::print(&String::from_utf8_lossy(&Json.render(&outcome.results)?))?;
    } else if !options.quiet && !exported_to_stdout {
        terminal::print_styled(&Table::marked(&outcome.results))?;
    }
    let saved_as_asked = terminal::report_saved(&outcome.saved);
    outputs::write_run_exports(&outcome.results, outcome.report.as_deref(), &config.exports, options.overwrite)?;
    let failures: Vec<(String, String)> =
        outcome.results.workloads.iter().filter_map(|w| Some((w.name.clone(), w.error.clone()?))).collect();
    if saved_as_asked && signals::exit_code().is_none() && !failures.is_empty() {
        for (name, error) in &failures {
            terminal::note(&format!("{}: {}", terminal::program(), brief(&format!("{name}: {error}"))));
        }
        terminal::note(&format!(
            "{}: {} workload(s) failed; the errors are above and in the file",
            terminal::program(),
            failures.len()
        ));
    }
    Ok(Finished { results: outcome.results, saved_as_asked, signal_exit: signals::exit_code(), failures })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Export, ExportFormat, RunRequest};
    use crate::thread_set::CpuCounts;

    fn finished(saved_as_asked: bool, signal_exit: Option<u8>, failures: usize) -> Finished {
        let results = crate::report::tests::fixture();
        let failures = (0..failures).map(|i| (format!("w{i}"), "broke".to_owned())).collect();
        Finished { results, saved_as_asked, signal_exit, failures }
    }

    #[test]
    fn the_exit_code_says_what_matters_most_first() {
        assert_eq!(finished(true, None, 0).exit_code(), exit_code::OK);
        assert_eq!(finished(true, None, 2).exit_code(), exit_code::WORKLOAD_FAILED);
        assert_eq!(finished(true, Some(130), 2).exit_code(), 130);
        assert_eq!(finished(false, Some(130), 2).exit_code(), exit_code::IO);
    }

    #[test]
    fn json_and_an_export_to_standard_output_are_refused_together() {
        let cpus = CpuCounts { usable: 2, physical: 2, sockets: 1 };
        let export = Export { format: ExportFormat::Csv, path: "-".into() };
        let config = RunRequest { workloads: vec!["synthetic".into()], exports: vec![export], ..Default::default() }
            .resolve(cpus)
            .unwrap();
        let err = check_standard_output(&config, true).unwrap_err().to_string();
        assert!(err.contains("--export-csv") && err.contains("--json"), "{err}");
        assert!(check_standard_output(&config, false).is_ok());
    }
}
