//! The steps of a run, in the order `sweep::run` takes them: start (the warnings, every output
//! claimed and checked, the journal begun), the machine's ceilings, one workload at a time, a
//! beaten ceiling measured again, and the finish (the environment after the run, an overrun of
//! the budget said with its size, the status, the last write). Each step reads and changes one
//! [`Run`], what the steps share.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use amdahl_workloads::Kind;

use super::{
    CeilingSource, Clock, Freshness, Journal, Observer, RunContext, RunOutcome, SweepEnv, Watchdog, WorkloadShare,
    ceiling_plan, known_minimum_s, report_path, sweep_workload, tool,
};
use crate::analysis;
use crate::budget;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::machine::rerun_history::RerunHistory;
use crate::machine::{MachineFacts, Roots, environment};
use crate::results::output::{self, Claimed, OutputPlan, Overwrite};
use crate::results::{
    self, Ceilings, ConfigRecord, Environment, Machine, ResultsFile, RunInfo, RunStatus, WorkloadResult,
};

/// A run between its steps.
pub(super) struct Run<'c, 'a> {
    config: &'c RunConfig,
    clock: &'a dyn Clock,
    observer: &'a mut dyn Observer,
    interrupted: &'a AtomicBool,
    machine: &'a MachineFacts,
    journal: &'a Journal,
    watchdog: Option<&'a Watchdog>,
    source: Option<&'a CeilingSource<'a>>,
    reruns: Option<&'a RerunHistory>,
    /// The results file.
    path: PathBuf,
    /// The HTML report (`--report`), checked with the other outputs.
    report: Option<PathBuf>,
    /// The environment before the run, to compare with the one after.
    before: Environment,
    /// The machine's load when the run started.
    load: Option<f64>,
    /// A fractional cgroup quota, above which points are tagged.
    quota: Option<f64>,
    /// The clock when the run began: the budget is shared out from it.
    started_ns: u64,
    /// The CPU order of `--pin`.
    placement: Vec<usize>,
    /// The machine's ceilings, when measured.
    ceilings: Option<Arc<Ceilings>>,
    failures: usize,
    /// Whether a beaten ceiling was measured again (once a run).
    remeasured: bool,
}

impl<'c, 'a> Run<'c, 'a> {
    /// The start: the warnings about the machine, every output claimed and checked before
    /// anything is measured, and the results file begun in the journal.
    pub(super) fn start(config: &'c RunConfig, ctx: RunContext<'a>) -> Result<Run<'c, 'a>> {
        let started_utc = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let fingerprint = ctx.machine.fingerprint().clone();
        let before = fingerprint.environment.as_ref().map(|e| e.before.clone()).unwrap_or_default();
        let cpus = ctx.machine.cpu_counts();
        let mut warnings = environment::before_warnings(
            &before,
            fingerprint.busy_before.as_ref(),
            cpus.usable,
            cfg!(debug_assertions),
        );
        warnings.extend(ctx.machine.fact_warnings(true));
        for w in &warnings {
            ctx.observer.warning(w);
        }
        let (load, quota) = (fingerprint.start_load(), fingerprint.cpu_quota);
        let date = &started_utc[..10];
        let (path, report, claimed) = output_paths(config, &ctx.results_dir, date, &fingerprint, ctx.machine.roots())?;
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
            machine: fingerprint,
            config: ConfigRecord::of(&config.settings, config.threads_text.clone(), &config.hooks),
            warnings,
            workloads: Vec::new(),
        };
        if let Err(e) = ctx.journal.start(&path, file) {
            // Nothing was measured: give the claimed name back (if this run created it).
            give_back(&path, claimed);
            return Err(e);
        }
        Ok(Run {
            config,
            clock: ctx.clock,
            observer: ctx.observer,
            interrupted: ctx.interrupted,
            machine: ctx.machine,
            journal: ctx.journal,
            watchdog: ctx.watchdog,
            source: ctx.ceilings,
            reruns: ctx.reruns,
            path,
            report,
            before,
            load,
            quota,
            started_ns: ctx.clock.now_ns(),
            placement: ctx.machine.placement(config.settings.pin),
            ceilings: None,
            failures: 0,
            remeasured: false,
        })
    }

    /// Whether a signal asked the run to stop.
    pub(super) fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }

    /// The machine's ceilings at the thread counts the workloads use, from the cache when it holds
    /// them, recorded in the file.
    pub(super) fn measure_ceilings(&mut self) {
        let Some(source) = self.source else { return };
        let (ceilings, warnings) = source(&ceiling_plan(self.config), Freshness::Cached);
        for w in &warnings {
            self.observer.warning(w);
        }
        self.observer.ceilings_measured(&ceilings);
        self.journal.update(|file| {
            file.machine.ceilings = Some(ceilings.clone());
            file.warnings.extend(warnings);
        });
        self.ceilings = Some(Arc::new(ceilings));
    }

    /// Sweeps workload `index` with its share of what is left of the budget, saving it after
    /// every round.
    pub(super) fn one_workload(&mut self, index: usize) -> WorkloadResult {
        let planned = &self.config.workloads[index];
        let total = self.config.workloads.len();
        self.observer.workload_started(planned.spec.workload.name(), index, total);
        let spent = Duration::from_nanos(self.clock.now_ns().saturating_sub(self.started_ns));
        // What the later workloads whose cost is known will need at least stays theirs.
        let kept: f64 =
            (self.config.workloads[index + 1..].iter()).map(|w| known_minimum_s(w, &self.config.settings)).sum();
        let left = self.config.settings.budget.saturating_sub(spent).saturating_sub(Duration::from_secs_f64(kept));
        let share = WorkloadShare {
            budget: left / (total - index) as u32,
            plan: Duration::from_secs_f64(budget::plan_allowance(left.as_secs_f64(), total - index)),
            seed: analysis::workload_seed(self.config.settings.seed, index),
        };
        let (journal, clock, path) = (self.journal, self.clock, &self.path);
        let mut checkpoint = |partial: &WorkloadResult, observer: &mut dyn Observer| {
            journal.sync_workload(index, partial);
            warn_write(path, journal.write(clock.now_ns(), false), observer);
        };
        let env = SweepEnv {
            clock,
            observer: &mut *self.observer,
            cpus: self.machine.cpu_counts(),
            interrupted: self.interrupted,
            checkpoint: &mut checkpoint,
            watchdog: self.watchdog,
            load: self.load,
            placement: &self.placement,
            ceilings: self.ceilings.clone(),
            thread_room: self.machine.thread_limits().room(),
            reruns: self.reruns,
        };
        let mut result = sweep_workload(planned, &self.config.settings, share, &self.config.hooks, env);
        result.tag_over_quota(self.quota);
        if result.error.is_some() {
            self.failures += 1;
        }
        self.observer.workload_finished(&result);
        result
    }

    /// Records workload `index` in the file, measures the ceilings again when it beat them, and
    /// writes the file.
    pub(super) fn record(&mut self, index: usize, result: WorkloadResult) {
        let beaten = beats_the_ceiling(&result).filter(|_| !self.remeasured);
        let name = result.name.clone();
        self.journal.update(|file| {
            file.workloads.truncate(index);
            file.workloads.push(result);
        });
        if let Some(beaten) = beaten {
            self.remeasure_a_beaten_ceiling(index, &name, beaten);
        }
        warn_write(&self.path, self.journal.write(self.clock.now_ns(), true), self.observer);
    }

    /// A workload that beat the machine's own ceiling beyond noise (S(j) = `speedup` against
    /// `ceiling`): the ceilings are measured once more, bypassing the cache, and this workload is
    /// read against the new ones, as every reader will.
    fn remeasure_a_beaten_ceiling(&mut self, index: usize, name: &str, (j, speedup, ceiling): (usize, f64, f64)) {
        let Some(source) = self.source else { return };
        self.remeasured = true;
        let (fresh, mut warnings) = source(&ceiling_plan(self.config), Freshness::Measure);
        let now = fresh.compute_at(j).map_or("not reached".to_owned(), |c| format!("{:.2}x", c.speedup));
        warnings.push(format!(
            "{name}: S({j}) = {speedup:.2} beat the machine's own ceiling of {ceiling:.2}x beyond noise, so the ceilings were measured again (now {now} at {j})"
        ));
        for w in &warnings {
            self.observer.warning(w);
        }
        self.journal.update(|file| {
            file.machine.ceilings = Some(fresh.clone());
            file.warnings.extend(warnings);
            let context = analysis::AnalysisContext::of(file, index);
            let analysed = analysis::analyse(&file.workloads[index].points, &context);
            file.workloads[index].record(analysed);
        });
        self.ceilings = Some(Arc::new(fresh));
    }

    /// The finish: the environment after the run (read again, to compare with the one before)
    /// and its warnings, the end time and status, the last write.
    pub(super) fn finish(self) -> Result<RunOutcome> {
        let interrupted = self.interrupted();
        let after = self.machine.environment_now();
        let elapsed = self.clock.now_ns().saturating_sub(self.started_ns) as f64 / 1e9;
        let overrun = budget::overrun(elapsed, self.config.settings.budget.as_secs_f64());
        for w in environment::after_warnings(&self.before, &after).into_iter().chain(overrun) {
            self.observer.warning(&w);
            self.journal.update(|file| file.warnings.push(w));
        }
        self.journal.update(|file| {
            file.machine.load_after = after.load;
            if let Some(record) = file.machine.environment.as_mut() {
                record.after = Some(after);
            }
            file.run.finished_utc = Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
            file.run.status = if interrupted { RunStatus::Interrupted } else { RunStatus::Complete };
        });
        let saved = self.journal.finish();
        let results = self
            .journal
            .snapshot()
            .ok_or_else(|| Error::io(&self.path, "lost the results", std::io::Error::other("bug")))?;
        Ok(RunOutcome { results, saved, report: self.report, failures: self.failures })
    }
}

/// Says that a write of the results file at `path` failed (`error`), when it did.
fn warn_write(path: &Path, error: Option<String>, observer: &mut dyn Observer) {
    if let Some(e) = error {
        observer.warning(&format!(
            "cannot write {} ({e}); measuring goes on, and the results will be saved elsewhere if the last write fails too",
            path.display()
        ));
    }
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
