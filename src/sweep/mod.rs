//! The runner: sweeps every workload of a [`RunConfig`] and keeps the results file up to date.
//!
//! The file is written (atomically, through the `journal`) before the first workload — so an
//! unwritable destination fails before anything is measured — and again after every workload, so
//! a crash or Ctrl-C keeps what was measured. The budget is shared out as the run goes: each
//! workload may use the time left divided by the workloads left, so time one workload does not
//! need passes to the next. Every workload runs at least `min_rounds` whatever the budget.

pub mod adaptive;
mod calibrate;
mod clock;
pub mod journal;
mod progress;
pub mod sample;
pub mod watchdog;
mod workload;

pub use clock::{Clock, CpuSource, FakeClock, Measurement, Modeled, RealClock};
pub use journal::{Journal, Saved};
pub use progress::{Observer, Silent};
pub use watchdog::{Hang, Watchdog};
pub use workload::{PROFILE_ROUNDS, SweepEnv, WorkloadShare, sweep_workload};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use amdahl_workloads::Kind;
use std::time::{Duration, SystemTime};

use crate::analysis;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::machine::ceilings::CeilingPlan;
use crate::machine::{Roots, Topology, environment};
use crate::results::output::{self, Claimed, OutputPlan, Overwrite};
use crate::results::{self, Ceilings, ConfigRecord, Machine, ResultsFile, RunInfo, RunStatus, Tool, WorkloadResult};
use crate::thread_set::CpuCounts;

/// Where a run happens: clock, observer, machine, the Ctrl-C flag and the journal.
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
    /// Holds and writes the results file; shared with signal handlers and watchdogs.
    pub journal: &'a Journal,
    /// Watches for samples that outlive `--timeout` (`None` on the fake clock).
    pub watchdog: Option<&'a Watchdog>,
    /// Where the machine's state is read after the run, and the topology `--pin` places on.
    pub roots: &'a Roots,
    /// Measures (or recalls) the machine's ceilings for a plan, with warnings; `None`: the run
    /// records none (`--no-ceilings`, a fixture machine, the fake clock).
    pub ceilings: Option<&'a CeilingSource<'a>>,
}

/// Measures or recalls the machine's ceilings for a plan (see `machine::ceiling_cache::provide`);
/// with [`Freshness::Measure`], measures them anew whatever the cache holds.
pub type CeilingSource<'a> = dyn Fn(&CeilingPlan, Freshness) -> (Ceilings, Vec<String>) + 'a;

/// Whether the ceilings may come from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// From the cache when it holds them.
    Cached,
    /// Measured now (a workload beat the cached ones beyond noise).
    Measure,
}

/// The first point of `result` that beats the machine's compute ceiling beyond noise (its
/// speedup's 95% interval above `machine_speedup`): the ceiling is suspect and is measured once
/// more. Memory-bound and waiting work are read against other ceilings and left out.
fn beats_the_ceiling(result: &WorkloadResult) -> Option<(usize, f64, f64)> {
    if matches!(result.kind, Kind::MemoryBound | Kind::IoBound) {
        return None;
    }
    result.points.iter().find_map(|p| {
        let ceiling = p.machine_speedup?;
        let [lo, _] = p.speedup_ci95?;
        (p.threads > 1 && lo > ceiling).then_some((p.threads, p.speedup?, ceiling))
    })
}

/// The ceilings a run needs: compute for CPU-bound work, bandwidth for memory-bound work, the
/// timer for work whose threads wait, each at the thread counts of the workloads that need it.
/// Commands get the compute ceiling whatever their kind says unless it is I/O.
pub fn ceiling_plan(config: &RunConfig) -> CeilingPlan {
    let mut plan = CeilingPlan::default();
    for w in &config.workloads {
        let list = match w.spec.workload.kind() {
            Kind::IoBound => &mut plan.timer,
            Kind::MemoryBound => &mut plan.bandwidth,
            _ => &mut plan.compute,
        };
        list.extend_from_slice(w.threads.counts());
    }
    plan.normalised()
}

/// What a finished run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The final contents of the results file.
    pub results: ResultsFile,
    /// Where the results are (the file asked for, or a rescue when it could not be written).
    pub saved: Saved,
    /// Where the HTML report goes (`--report`), checked before measuring.
    pub report: Option<PathBuf>,
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
    let before = ctx.machine.environment.as_ref().map(|e| e.before.clone()).unwrap_or_default();
    let mut warnings = environment::before_warnings(
        &before,
        ctx.machine.busy_before.as_ref(),
        ctx.cpus.usable,
        cfg!(debug_assertions),
    );
    warnings.extend(crate::machine::fact_warnings(ctx.roots, true));
    for w in &warnings {
        ctx.observer.warning(w);
    }
    let load = ctx.machine.start_load();
    let quota = ctx.machine.cpu_quota;
    let (path, report, claimed) = output_paths(config, &ctx.results_dir, &started_utc[..10], &ctx.machine, ctx.roots)?;
    let file = ResultsFile {
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
        config: ConfigRecord::of(&config.settings, config.threads_text.clone(), &config.hooks),
        warnings,
        workloads: Vec::new(),
    };
    let journal = ctx.journal;
    if let Err(e) = journal.start(&path, file) {
        // Nothing was measured: give the claimed name back (if this run created it).
        give_back(&path, claimed);
        return Err(e);
    }
    let observer = ctx.observer;
    let warn_write = |error: Option<String>, observer: &mut dyn Observer| {
        if let Some(e) = error {
            observer.warning(&format!(
                "cannot write {} ({e}); measuring goes on, and the results will be saved elsewhere if the last write fails too",
                path.display()
            ));
        }
    };

    let run_start = ctx.clock.now_ns();
    // The ceilings count in the run's time: the budget shared out below is what is left.
    let mut ceilings = ctx.ceilings.map(|source| {
        let (ceilings, warnings) = source(&ceiling_plan(config), Freshness::Cached);
        for w in &warnings {
            observer.warning(w);
        }
        observer.ceilings_measured(&ceilings);
        journal.update(|file| {
            file.machine.ceilings = Some(ceilings.clone());
            file.warnings.extend(warnings);
        });
        Arc::new(ceilings)
    });
    let placement = Topology::read(ctx.roots).placement(config.settings.pin);
    let total = config.workloads.len();
    let mut failures = 0;
    let mut remeasured = false;
    for (index, planned) in config.workloads.iter().enumerate() {
        if ctx.interrupted.load(Ordering::Relaxed) {
            break;
        }
        observer.workload_started(planned.spec.workload.name(), index, total);
        let spent = Duration::from_nanos(ctx.clock.now_ns().saturating_sub(run_start));
        let share = WorkloadShare {
            budget: config.settings.budget.saturating_sub(spent) / (total - index) as u32,
            seed: analysis::workload_seed(config.settings.seed, index),
        };
        let clock = ctx.clock;
        let mut checkpoint = |partial: &WorkloadResult, observer: &mut dyn Observer| {
            journal.sync_workload(index, partial);
            warn_write(journal.write(clock.now_ns(), false), observer);
        };
        let env = SweepEnv {
            clock: ctx.clock,
            observer: &mut *observer,
            cpus: ctx.cpus,
            interrupted: ctx.interrupted,
            checkpoint: &mut checkpoint,
            watchdog: ctx.watchdog,
            load,
            placement: &placement,
            ceilings: ceilings.clone(),
        };
        let mut result = sweep_workload(planned, &config.settings, share, &config.hooks, env);
        result.tag_over_quota(quota);
        if result.error.is_some() {
            failures += 1;
        }
        observer.workload_finished(&result);
        let beaten = beats_the_ceiling(&result).filter(|_| !remeasured);
        let name = result.name.clone();
        journal.update(|file| {
            file.workloads.truncate(index);
            file.workloads.push(result);
        });
        // A workload that beat the machine's own ceiling beyond noise: the ceilings are measured
        // once more, and this workload is read against the new ones, as every reader will.
        if let (Some(source), Some((j, speedup, ceiling))) = (ctx.ceilings, beaten) {
            remeasured = true;
            let (fresh, mut warnings) = source(&ceiling_plan(config), Freshness::Measure);
            let now = fresh.compute_at(j).map_or("not reached".to_owned(), |c| format!("{:.2}x", c.speedup));
            warnings.push(format!(
                "{name}: S({j}) = {speedup:.2} beat the machine's own ceiling of {ceiling:.2}x beyond noise, so the ceilings were measured again (now {now} at {j})"
            ));
            for w in &warnings {
                observer.warning(w);
            }
            journal.update(|file| {
                file.machine.ceilings = Some(fresh.clone());
                file.warnings.extend(warnings);
                let context = analysis::AnalysisContext::of(file, index);
                let analysed = analysis::analyse(&file.workloads[index].points, &context);
                file.workloads[index].record(analysed);
            });
            ceilings = Some(Arc::new(fresh));
        }
        warn_write(journal.write(ctx.clock.now_ns(), true), observer);
    }
    let interrupted = ctx.interrupted.load(Ordering::Relaxed);
    let after = environment::snapshot(ctx.roots, &Topology::read(ctx.roots));
    for w in environment::after_warnings(&before, &after) {
        observer.warning(&w);
        journal.update(|file| file.warnings.push(w));
    }
    journal.update(|file| {
        file.machine.load_after = after.load;
        if let Some(record) = file.machine.environment.as_mut() {
            record.after = Some(after);
        }
        file.run.finished_utc = Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
        file.run.status = if interrupted { RunStatus::Interrupted } else { RunStatus::Complete };
    });
    let saved = journal.finish();
    let results =
        journal.snapshot().ok_or_else(|| Error::io(&path, "lost the results", std::io::Error::other("bug")))?;
    Ok(RunOutcome { results, saved, report, failures })
}

/// Claims the results file — `--out` (refusing an existing file without `--force`, a link, a
/// folder or a device), or a fresh name in `results_dir`, created if missing — and checks every
/// other output (the HTML report, the exports) with it before anything is measured: see
/// `results::output` for the policy. On a refusal the claimed name is given back only if this
/// claim created it.
fn output_paths(
    config: &RunConfig,
    results_dir: &Path,
    date: &str,
    machine: &Machine,
    roots: &Roots,
) -> Result<(PathBuf, Option<PathBuf>, Claimed)> {
    let overwrite = Overwrite::from_force(config.force);
    let mut plan = OutputPlan::new(overwrite);
    if let Some(suite) = &config.suite {
        plan.input(suite);
    }
    // The machine's facts are read from these trees before and after the run.
    plan.input_tree(&roots.sysfs).input_tree(&roots.procfs);
    // An existing --out that is the suite is refused before the claim touches anything.
    if let Some(out) = &config.out {
        plan.not_an_input("--out", out)?;
    }
    let (path, claimed) = match &config.out {
        Some(out) => (out.clone(), output::claim(out, overwrite)?),
        None => {
            std::fs::create_dir_all(results_dir)
                .map_err(|e| Error::io(results_dir, "cannot create the results folder", e))?;
            let names =
                results::default_paths(results_dir, date, machine.hostname.as_deref(), machine.cpu_brand.as_deref());
            (output::claim_first_free(names)?, Claimed::Created)
        }
    };
    let report = config.report.then(|| report_path(&path));
    let checked = plan.claimed("--out", &path).and_then(|()| {
        if let Some(html) = &report {
            plan.output("--report", html)?;
        }
        config.exports.iter().try_for_each(|export| plan.output(export.format.flag(), &export.path))
    });
    if let Err(e) = checked {
        give_back(&path, claimed);
        return Err(e);
    }
    output::clean_orphaned_temps(&path);
    Ok((path, report, claimed))
}

/// Removes the results file if this run created it and measured nothing; a file that existed
/// before (`--force`) is never removed.
fn give_back(path: &Path, claimed: Claimed) {
    if claimed == Claimed::Created {
        let _ = std::fs::remove_file(path);
    }
}

/// The HTML report of `results`: `NAME.html` beside `NAME.json`, or `NAME.report.html` when the
/// results file itself ends in `.html` (so the report never replaces the results).
pub fn report_path(results: &Path) -> PathBuf {
    let html = results.with_extension("html");
    if html == results { results.with_extension("report.html") } else { html }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod account_tests;
