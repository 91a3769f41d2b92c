//! `measure`: a thin binary over the `amdahl` library. It parses the command line, calls the
//! library, prints what comes back, and turns errors into the exit codes of DESIGN.md.

mod cli;
mod colour;
mod compare_cmd;
mod fit_cmd;
mod list;
mod machine_cmd;
mod predict_cmd;
mod progress;
mod report_cmd;
mod saved;
mod signals;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use amdahl::config::ExportFormat;
use amdahl::error::exit_code;
use amdahl::fit_command::refit_with;
use amdahl::input::InputLimit;
use amdahl::report::{Csv, Exporter, Html, Json, Markdown, Table, brief, printable};
use amdahl::results::output::is_stdout;
use amdahl::results::{Overwrite, ResultsFile, RunStatus, write_new};
use amdahl::sweep::{Hang, Journal, RealClock, RunContext, Watchdog};
use amdahl::{Error, machine, sweep};
use clap::{CommandFactory, Parser};

use cli::{Cli, Command, RunArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    colour::init(cli.color);
    if let Err(e) = signals::install() {
        colour::warning(&format!("cannot watch for signals ({e}); Ctrl-C ends the process without saving"));
    }
    let result = match cli.command {
        None => run(cli.run),
        Some(Command::Run(args)) => run(*args),
        Some(Command::List(args)) => {
            if args.json {
                print(&format!("{:#}\n", list::json()))
            } else {
                print(&list::text())
            }
        }
        Some(Command::Fit(args)) => fit_cmd::run(&args).and_then(|(text, said, code)| {
            if args.json { print(&text) } else { print_styled(&text, &said) }.map(|_| code)
        }),
        Some(Command::Predict(args)) => predict_cmd::run(&args).and_then(|(text, code)| print(&text).map(|_| code)),
        Some(Command::Report(args)) => report_cmd::run(&args).and_then(|(text, code)| print(&text).map(|_| code)),
        Some(Command::Compare(args)) => compare_cmd::run(&args)
            .and_then(|(text, code)| if args.json { print(&text) } else { print_styled(&text, &[]) }.map(|_| code)),
        Some(Command::Machine(args)) => machine_cmd::run(&args).and_then(|(text, code)| print(&text).map(|_| code)),
        Some(Command::Schema) => amdahl::results::json_schema().and_then(|schema| print(&schema)),
        Some(Command::Completions(args)) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "measure", &mut script);
            print(&String::from_utf8_lossy(&script))
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Error::io("<stdout>", "cannot render the man page", e))
                .and_then(|()| print(&String::from_utf8_lossy(&page)))
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            colour::error("", &err.to_string());
            ExitCode::from(err.exit_code())
        }
    }
}

/// `--max-input`, or the default.
fn input_limit(text: Option<&str>) -> Result<InputLimit, Error> {
    text.map(InputLimit::parse).transpose().map(Option::unwrap_or_default)
}

/// Loads a results file and recomputes everything from its samples; warns about a run that did
/// not finish.
fn load_results(path: &std::path::Path, limit: InputLimit) -> Result<ResultsFile, Error> {
    load_results_with(path, limit, amdahl::fit::Loss::Log)
}

/// [`load_results`], Amdahl's law and the USL refitted with `loss`.
fn load_results_with(path: &std::path::Path, limit: InputLimit, loss: amdahl::fit::Loss) -> Result<ResultsFile, Error> {
    let mut loaded = amdahl::results::load(path, limit)?;
    if loaded.run.status == RunStatus::Running {
        eprintln!(
            "warning: {}: the run did not finish (status `running`: its process died, or it is still measuring); showing what was saved",
            printable(&path.display().to_string())
        );
    }
    refit_with(&mut loaded, loss);
    Ok(loaded)
}

fn print(text: &str) -> Result<u8, Error> {
    write_stdout(&printable(text))
}

/// Prints a table or explanation, its verdicts coloured by the kinds in `said` where `--color`
/// allows (never JSON).
fn print_styled(text: &str, said: &[colour::Said]) -> Result<u8, Error> {
    write_stdout(&colour::verdicts(&printable(text), said))
}

/// Writes an output asked for by a flag: to standard output when its path is `-`, else to the
/// file as `write_new` does, saying so on stderr as `what ... written to PATH`.
fn write_output(path: &std::path::Path, bytes: &[u8], overwrite: Overwrite, what: &str) -> Result<(), Error> {
    if is_stdout(path) {
        print(&String::from_utf8_lossy(bytes))?;
        return Ok(());
    }
    write_new(path, bytes, overwrite)?;
    eprintln!("{what} written to {}", printable(&path.display().to_string()));
    Ok(())
}

/// Whether standard output was closed when the process started (`measure list >&-`). Rust's
/// runtime reopens a closed descriptor 0, 1 or 2 on `/dev/null` before `main`, so every write
/// would succeed unseen; this constructor runs before that and records the truth.
#[cfg(target_os = "linux")]
mod closed_stdout {
    use std::sync::atomic::{AtomicBool, Ordering};

    static CLOSED: AtomicBool = AtomicBool::new(false);

    extern "C" fn record() {
        // SAFETY: F_GETFD only asks whether descriptor 1 is open; it changes nothing.
        let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1;
        CLOSED.store(closed, Ordering::Relaxed);
    }

    #[used]
    #[unsafe(link_section = ".init_array")]
    static RECORD: extern "C" fn() = record;

    /// Whether descriptor 1 was closed at start.
    pub fn closed() -> bool {
        CLOSED.load(Ordering::Relaxed)
    }
}

#[cfg(not(target_os = "linux"))]
mod closed_stdout {
    /// Not known here: std's reopening on `/dev/null` hides it.
    pub fn closed() -> bool {
        false
    }
}

fn write_stdout(text: &str) -> Result<u8, Error> {
    if !text.is_empty() && closed_stdout::closed() {
        return Err(Error::io(
            "<stdout>",
            "cannot write (standard output is closed)",
            std::io::Error::from_raw_os_error(libc::EBADF),
        ));
    }
    let mut stdout = anstream::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(exit_code::OK),
        // A closed pipe (`measure list | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit_code::OK),
        Err(e) => Err(Error::io("<stdout>", "cannot write", e)),
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

fn run(args: RunArgs) -> Result<u8, Error> {
    let (quiet, json, overwrite) = (args.quiet, args.json, Overwrite::from_force(args.force));
    let (no_ceilings, no_cache) = (args.no_ceilings, args.no_cache);
    let roots = machine::Roots::resolve(args.sysfs.as_deref(), args.procfs.as_deref());
    let cpus = machine::cpu_counts(&roots);
    let dry_run = args.dry_run;
    let config = args.into_request()?.resolve(cpus)?;
    if let Some(export) = config.exports.iter().find(|e| json && is_stdout(&e.path)) {
        return Err(Error::usage(
            export.format.flag(),
            "-",
            "is standard output, where --json writes the results: give the export a file",
        ));
    }
    if dry_run {
        let watchdog = Watchdog::new(|hang: &Hang| {
            colour::error("\n", &format!("--dry-run: {}", hang_message(hang, "the dry run ended")));
            std::process::exit(exit_code::TIMEOUT.into());
        });
        let plan = amdahl::dry_run::dry_run(&config, cpus, &RealClock::new(), Some(&watchdog))?;
        return if json {
            print(&format!("{:#}\n", serde_json::to_value(&plan).map_err(Error::encode("the plan"))?))
        } else {
            print(&amdahl::report::dry_run_text(&plan))
        };
    }
    let fingerprint = machine::fingerprint(&roots);
    let ceilings = machine_cmd::CeilingSetup::new(&roots, &fingerprint, config.settings.pin, no_cache);
    if !no_ceilings && !roots.is_live() && !quiet {
        eprintln!(
            "note: the machine's ceilings are not measured for a fixture tree (--sysfs/--procfs): they would be this machine's"
        );
    }
    let source = |plan: &amdahl::machine::ceilings::CeilingPlan, freshness: sweep::Freshness| match freshness {
        sweep::Freshness::Cached => ceilings.provide(plan),
        sweep::Freshness::Measure => ceilings.refresh(plan),
    };
    let journal = Arc::new(Journal::new());
    signals::watch_run(Arc::clone(&journal));
    let hung = Arc::clone(&journal);
    let watchdog = Watchdog::new(move |hang: &Hang| {
        let why = hang_message(hang, "the run ended; every completed round is saved");
        colour::error("\n", &why);
        saved::report(&hung.finish_interrupted(Some(&why)));
        std::process::exit(exit_code::TIMEOUT.into());
    });
    let clock = RealClock::new();
    let mut bar = progress::Bar::new(quiet);
    let outcome = sweep::run(
        &config,
        RunContext {
            clock: &clock,
            observer: &mut bar,
            interrupted: &signals::INTERRUPTED,
            cpus,
            machine: fingerprint.clone(),
            argv: std::env::args().collect(),
            results_dir: "results".into(),
            journal: &journal,
            watchdog: Some(&watchdog),
            roots: &roots,
            ceilings: (!no_ceilings && roots.is_live()).then_some(&source as &sweep::CeilingSource<'_>),
        },
    )?;
    // An export to standard output (`-`) takes the place of the table.
    let exported_to_stdout = config.exports.iter().any(|e| is_stdout(&e.path));
    if json {
        print(&String::from_utf8_lossy(&Json.render(&outcome.results)?))?;
    } else if !quiet && !exported_to_stdout {
        print_styled(&String::from_utf8_lossy(&Table.render(&outcome.results)?), &colour::said_in(&outcome.results))?;
    }
    let saved_as_asked = saved::report(&outcome.saved);
    if let Some(html) = &outcome.report {
        write_new(html, &Html.render(&outcome.results)?, overwrite)?;
        eprintln!("HTML report written to {}", printable(&html.display().to_string()));
    }
    // The exports were checked with the results file before anything was measured.
    for export in &config.exports {
        let exporter: &dyn Exporter = match export.format {
            ExportFormat::Markdown => &Markdown,
            ExportFormat::Csv => &Csv,
        };
        write_output(&export.path, &exporter.render(&outcome.results)?, overwrite, "export")?;
    }
    Ok(if !saved_as_asked {
        exit_code::IO
    } else if let Some(code) = signals::exit_code() {
        code
    } else if outcome.failures > 0 {
        for w in outcome.results.workloads.iter().filter(|w| w.error.is_some()) {
            let said = format!("{}: {}", w.name, w.error.as_deref().unwrap_or_default());
            eprintln!("measure: {}", printable(&brief(&said)));
        }
        eprintln!("measure: {} workload(s) failed; the errors are above and in the file", outcome.failures);
        exit_code::WORKLOAD_FAILED
    } else {
        exit_code::OK
    })
}
