//! `measure run` (and `measure` alone): the flags become a `RunRequest` and `RunOptions`; the
//! library runs it (`amdahl::app::real_run`) and says what the exit code is.

use amdahl::app::real_run::{self, RunOptions};
use amdahl::machine::{MachineFacts, Roots};
use amdahl::results::Overwrite;
use amdahl::results::output::is_stdout;
use amdahl::{Error, report, terminal};

use crate::cli::RunArgs;

/// Runs `measure run`; returns the exit code.
pub fn run(mut args: RunArgs) -> Result<u8, Error> {
    let roots = Roots::resolve(args.sysfs.as_deref(), args.procfs.as_deref());
    // `--export-json -` (or `--out -`) is standard output, as hyperfine's and our other exports'
    // `-` are: the JSON is printed as with --json, and the run is still saved under its default name.
    let json_to_stdout = [&mut args.export_json, &mut args.out]
        .into_iter()
        .filter(|path| path.as_deref().is_some_and(is_stdout))
        .map(|path| path.take())
        .count()
        > 0;
    // The machine is read once: the request is resolved against it, and the run runs on it.
    let machine = MachineFacts::read(&roots);
    let options = RunOptions {
        no_ceilings: args.no_ceilings,
        no_cache: args.no_cache,
        quiet: args.quiet,
        json: args.json || json_to_stdout,
        overwrite: Overwrite::from_force(args.force),
        ..RunOptions::new()
    };
    let dry_run = args.dry_run;
    let config = args.into_request()?.resolve(machine.cpu_counts())?;
    real_run::check_standard_output(&config, options.json)?;
    if dry_run {
        let plan = real_run::plan_only(&config, &machine)?;
        let text = if options.json {
            format!("{:#}\n", serde_json::to_value(&plan).map_err(Error::encode("the plan"))?)
        } else {
            report::dry_run_text(&plan)
        };
        terminal::print(&text)?;
        return Ok(amdahl::error::exit_code::OK);
    }
    Ok(real_run::run(&config, &machine, &options)?.exit_code())
}
