//! `measure`: a thin binary over the `amdahl` library. It parses the command line, calls the
//! library, prints what comes back, and turns errors into the exit codes of DESIGN.md.

mod cli;
mod compare_cmd;
mod fit_cmd;
mod list;
mod predict_cmd;
mod progress;
mod report_cmd;

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use amdahl::error::exit_code;
use amdahl::report::{Exporter, Html, Json, Table};
use amdahl::sweep::{RealClock, RunContext};
use amdahl::{Error, machine, sweep};
use clap::Parser;

use cli::{Cli, Command, RunArgs};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run(cli.run),
        Some(Command::Run(args)) => run(args),
        Some(Command::List(args)) => {
            if args.json {
                print(&format!("{:#}\n", list::json()))
            } else {
                print(&list::text())
            }
        }
        Some(Command::Fit(args)) => fit_cmd::run(&args).and_then(|(text, code)| print(&text).map(|_| code)),
        Some(Command::Predict(args)) => predict_cmd::run(&args).and_then(|(text, code)| print(&text).map(|_| code)),
        Some(Command::Report(args)) => report_cmd::run(&args).and_then(|(text, code)| print(&text).map(|_| code)),
        Some(Command::Compare(args)) => compare_cmd::run(&args).and_then(|(text, code)| print(&text).map(|_| code)),
        Some(Command::Schema) => amdahl::results::json_schema().and_then(|schema| print(&schema)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("measure: error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn print(text: &str) -> Result<u8, Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(exit_code::OK),
        // A closed pipe (`measure list | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit_code::OK),
        Err(e) => Err(Error::io("<stdout>", "cannot write", e)),
    }
}

fn run(args: RunArgs) -> Result<u8, Error> {
    let (quiet, json, report) = (args.quiet, args.json, args.report);
    let cpus = machine::cpu_counts();
    let config = args.into_request()?.resolve(cpus)?;
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(exit_code::INTERRUPTED.into());
        }
        eprintln!(
            "\ninterrupted: finishing the current sample and saving what was measured (Ctrl-C again to quit now)"
        );
    });
    let clock = RealClock::new();
    let mut bar = progress::Bar::new(quiet);
    let outcome = sweep::run(
        &config,
        RunContext {
            clock: &clock,
            observer: &mut bar,
            interrupted: &INTERRUPTED,
            cpus,
            machine: machine::fingerprint(),
            argv: std::env::args().collect(),
            results_dir: "results".into(),
        },
    )?;
    if json {
        print(&String::from_utf8_lossy(&Json.render(&outcome.results)?))?;
    } else if !quiet {
        print(&String::from_utf8_lossy(&Table.render(&outcome.results)?))?;
    }
    eprintln!("results written to {}", outcome.path.display());
    if report {
        let html = outcome.path.with_extension("html");
        amdahl::results::write_atomic(&html, &Html.render(&outcome.results)?)?;
        eprintln!("HTML report written to {}", html.display());
    }
    Ok(if INTERRUPTED.load(Ordering::SeqCst) {
        exit_code::INTERRUPTED
    } else if outcome.failures > 0 {
        eprintln!("measure: {} workload(s) failed; see the errors above and in the file", outcome.failures);
        exit_code::WORKLOAD_FAILED
    } else {
        exit_code::OK
    })
}
