//! The runner: sweeps every workload of a [`RunConfig`] and keeps the results file up to date.
//!
//! The file is written (atomically, see `results::store`) before the first workload — so an
//! unwritable destination fails before anything is measured — and again after every workload, so
//! a crash or Ctrl-C keeps what was measured. The budget is shared out as the run goes: each
//! workload may use the time left divided by the workloads left, so time one workload does not
//! need passes to the next. Every workload runs at least `min_rounds` whatever the budget.

mod calibrate;
mod clock;
mod progress;
mod workload;

pub use clock::{Clock, FakeClock, Measurement, RealClock};
pub use progress::{Observer, Silent};
pub use workload::{SweepEnv, sweep_workload};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use crate::config::{RunConfig, SweepSettings};
use crate::error::{Error, Result};
use crate::results::{self, ConfigRecord, Machine, ResultsFile, RunInfo, RunStatus, Tool};
use crate::thread_set::CpuCounts;
use crate::{analysis, machine};

/// Where a run happens: clock, observer, machine and the Ctrl-C flag.
pub struct RunContext<'a> {
    /// Times samples.
    pub clock: &'a dyn Clock,
    /// Receives progress.
    pub observer: &'a mut dyn Observer,
    /// Set by Ctrl-C.
    pub interrupted: &'a AtomicBool,
    /// `N` and `P`.
    pub cpus: CpuCounts,
    /// The fingerprint to record.
    pub machine: Machine,
    /// The command line to record.
    pub argv: Vec<String>,
    /// The folder of default file names (`results/`).
    pub results_dir: PathBuf,
}

/// What a finished run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The final contents of the results file.
    pub results: ResultsFile,
    /// Where it was written.
    pub path: PathBuf,
    /// Workloads that failed.
    pub failures: usize,
}

/// The `tool` section for this build.
pub fn tool() -> Tool {
    Tool {
        name: "amdahl".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        git_commit: option_env!("AMDAHL_GIT_COMMIT").map(str::to_owned),
        rustc: option_env!("AMDAHL_RUSTC_VERSION").map(str::to_owned),
        profile: if cfg!(debug_assertions) { "debug" } else { "release" }.to_owned(),
    }
}

/// Runs every workload of `config` and writes the results file after each.
pub fn run(config: &RunConfig, ctx: RunContext<'_>) -> Result<RunOutcome> {
    let started = SystemTime::now();
    let started_utc = humantime::format_rfc3339_seconds(started).to_string();
    let mut warnings = Vec::new();
    if cfg!(debug_assertions) {
        warnings.push("this is a debug build: timings are not representative; use `cargo run --release`".to_owned());
    }
    if let Some([load1, ..]) = ctx.machine.load_before
        && load1 > 0.5 * ctx.cpus.usable as f64
    {
        warnings.push(format!(
            "the machine is busy: load average {load1:.2} on {} usable CPUs at the start; speedups will be low and noisy",
            ctx.cpus.usable
        ));
    }
    for w in &warnings {
        ctx.observer.warning(w);
    }
    let path = output_path(config, &ctx.results_dir, &started_utc[..10], &ctx.machine)?;
    let mut file = ResultsFile {
        schema_version: results::SCHEMA_VERSION,
        schema: results::SCHEMA_NAME.to_owned(),
        tool: tool(),
        run: RunInfo {
            started_utc,
            finished_utc: None,
            argv: ctx.argv,
            seed: config.settings.seed,
            status: RunStatus::Running,
        },
        machine: ctx.machine,
        config: ConfigRecord::of(&config.settings, config.threads_text.clone()),
        warnings,
        workloads: Vec::new(),
    };
    results::save_atomic(&path, &file)?;

    let run_start = ctx.clock.now_ns();
    let total = config.workloads.len();
    let mut failures = 0;
    for (index, planned) in config.workloads.iter().enumerate() {
        if ctx.interrupted.load(Ordering::Relaxed) {
            break;
        }
        ctx.observer.workload_started(planned.spec.workload.name(), index, total);
        let spent = Duration::from_nanos(ctx.clock.now_ns().saturating_sub(run_start));
        let settings = SweepSettings {
            budget: config.settings.budget.saturating_sub(spent) / (total - index) as u32,
            seed: analysis::workload_seed(config.settings.seed, index),
            ..config.settings
        };
        let env =
            SweepEnv { clock: ctx.clock, observer: &mut *ctx.observer, cpus: ctx.cpus, interrupted: ctx.interrupted };
        let result = sweep_workload(planned, &settings, env);
        if result.error.is_some() {
            failures += 1;
        }
        for w in &result.warnings {
            ctx.observer.warning(w);
        }
        ctx.observer.workload_finished(&result);
        file.workloads.push(result);
        results::save_atomic(&path, &file)?;
    }
    file.machine.load_after = machine::load_average();
    file.run.finished_utc = Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
    file.run.status =
        if ctx.interrupted.load(Ordering::Relaxed) { RunStatus::Interrupted } else { RunStatus::Complete };
    results::save_atomic(&path, &file)?;
    Ok(RunOutcome { results: file, path, failures })
}

/// `--out` (refusing an existing file without `--force`, and a folder that does not exist), or a
/// fresh name in `results_dir`, created if missing.
fn output_path(config: &RunConfig, results_dir: &Path, date: &str, machine: &Machine) -> Result<PathBuf> {
    match &config.out {
        Some(out) => {
            if out.is_dir() {
                return Err(Error::io(
                    out,
                    "is a folder, not a file",
                    std::io::Error::other("give a file name for --out"),
                ));
            }
            if out.exists() && !config.force {
                return Err(Error::WouldOverwrite(out.clone()));
            }
            let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(Error::io(
                    parent,
                    "cannot write results there",
                    std::io::Error::new(std::io::ErrorKind::NotFound, "the folder does not exist"),
                ));
            }
            Ok(out.clone())
        }
        None => {
            std::fs::create_dir_all(results_dir)
                .map_err(|e| Error::io(results_dir, "cannot create the results folder", e))?;
            Ok(results::default_path(results_dir, date, machine.hostname.as_deref(), machine.cpu_brand.as_deref()))
        }
    }
}

#[cfg(test)]
mod tests;
