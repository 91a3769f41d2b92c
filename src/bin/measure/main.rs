//! `measure`: a thin client of the `amdahl` library. It parses the command line (clap, `cli.rs`),
//! maps the flags of each command to the library's requests (`*_cmd.rs`), prints what comes back
//! through `amdahl::terminal`, and turns errors into the exit codes of README.md ("Exit codes").

mod cli;
mod compare_cmd;
mod fit_cmd;
mod list;
mod machine_cmd;
mod predict_cmd;
mod report_cmd;
mod run_cmd;
mod what_if_cmd;

use std::process::ExitCode;

use amdahl::app::signals;
use amdahl::error::exit_code;
use amdahl::input::InputLimit;
use amdahl::{Error, terminal};
use clap::{CommandFactory, Parser};

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    terminal::colour::init(cli.color.when());
    if let Err(e) = signals::install() {
        terminal::warning(&format!("cannot watch for signals ({e}); Ctrl-C ends the process without saving"));
    }
    let printed = |text: Result<String, Error>| text.and_then(|t| terminal::print(&t)).map(|()| exit_code::OK);
    let result = match cli.command {
        None => run_cmd::run(cli.run),
        Some(Command::Run(args)) => run_cmd::run(*args),
        Some(Command::List(args)) => {
            printed(Ok(if args.json { format!("{:#}\n", list::json()) } else { list::text() }))
        }
        Some(Command::Fit(args)) => fit_cmd::run(&args).map(|()| exit_code::OK),
        Some(Command::Predict(args)) => printed(predict_cmd::run(&args)),
        Some(Command::Report(args)) => printed(report_cmd::run(&args)),
        Some(Command::WhatIf(args)) => printed(what_if_cmd::run(&args)),
        Some(Command::Compare(args)) => compare_cmd::run(&args).map(|()| exit_code::OK),
        Some(Command::Machine(args)) => printed(machine_cmd::run(&args)),
        Some(Command::Schema) => printed(amdahl::results::json_schema()),
        Some(Command::Completions(args)) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "measure", &mut script);
            printed(Ok(String::from_utf8_lossy(&script).into_owned()))
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            let rendered = clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Error::io("<stdout>", "cannot render the man page", e));
            printed(rendered.map(|()| String::from_utf8_lossy(&page).into_owned()))
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            terminal::error("", &err.to_string());
            ExitCode::from(err.exit_code())
        }
    }
}

/// `--max-input`, or the default.
fn input_limit(text: Option<&str>) -> Result<InputLimit, Error> {
    text.map(InputLimit::parse).transpose().map(Option::unwrap_or_default)
}
