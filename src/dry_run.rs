//! `measure run --dry-run`: the plan of a run, its minimum samples and an estimate of its time,
//! without sweeping anything or writing any file.
//!
//! # Method
//! Per workload, T(1) is `--target-ms` when given, else the run's cost known from its parameters
//! (`Workload::known_duration`: nothing is timed, so `sleep:size=1000000` is planned at once), else
//! one timed run at j = 1 on this machine after one untimed run (so it also works against a
//! fixture machine: the plan is the fixture's, the time this machine's). A sample at j costs
//! its run — known, or T(1)/S(j) with S(j) guessed from the kind (`budget::guessed_speedup`) —
//! plus the harness's own cost, measured as a run measures it: the threads of the largest team
//! are started (one crew serves every j, one team at a time: `sweep::teams`) and one team of that
//! size is built and given back, timed, and the timed run's whole sample gives the cost per
//! sample. The plan is then held against what the workload may plan with as the sweep holds it
//! (`budget::plan_allowance`, as if each workload before it took its even share of `--budget`;
//! `budget::fit`): the counts a run would leave out, the costliest first, and its sentence;
//! counts whose team this process may not start (`machine::limits`) are left out first. The run
//! takes at least the warm-ups plus `--min-rounds` rounds of what is kept, and about the larger
//! of that and `--budget` (rounds stop before one would overrun the budget once the minimum is
//! done, or earlier when every interval is narrow).
//!
//! The timing goes through the sweep's own sampler (`sweep::sample`): the same clock, panics
//! caught, and the watchdog of `--timeout` armed around each run, so a panicking workload is an
//! error and a hanging one ends like in a run.

use serde::Serialize;

use crate::budget::{self, Harness, RunCost};
use crate::config::{PlannedWorkload, RunConfig};
use crate::error::{Error, Result};
use crate::machine::limits::Room;
use crate::plan::{PlanLimit, short_sample_advice};
use crate::sweep::sample::{Guard, SampleSite, run_sample};
use crate::sweep::teams::{Teams, beyond_the_room};
use crate::sweep::{Clock, CpuSource, Watchdog};
use crate::thread_set::CpuCounts;

/// One workload's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedRun {
    /// The workload.
    pub name: String,
    /// Its thread counts, as planned (before any is left out).
    pub threads: Vec<usize>,
    /// Why they stop where they do, when the work's parallelism limits them.
    pub limit: Option<PlanLimit>,
    /// T(1): measured once here, `--target-ms`, or known from the parameters.
    pub t1_seconds: f64,
    /// Whether T(1) is known from the workload's parameters (nothing was timed).
    pub t1_known: bool,
    /// The counts a run leaves out: beyond the threads this process may start, or the costliest
    /// to fit its share of `--budget` (none with `--allow-overrun`).
    pub left_out: Vec<usize>,
    /// The threads alive at once: the largest team's (one crew of threads serves every j).
    pub threads_alive: usize,
    /// What the plan says before measuring: counts left out and why, a plan that cannot meet the
    /// budget.
    pub notes: Vec<String>,
    /// Samples of the warm-up and the minimum rounds of the counts kept.
    pub minimum_samples: usize,
    /// The least time its sweep takes: the warm-up and the minimum rounds of the counts kept.
    pub minimum_seconds: f64,
    /// A warning when a run is too short to time well, with the size that would do.
    pub advice: Option<String>,
}

/// A whole run's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DryRun {
    /// Per workload, in run order.
    pub workloads: Vec<PlannedRun>,
    /// About how long the run takes (the minimum, or the budget when it is larger).
    pub estimated_seconds: f64,
    /// The least the run takes.
    pub minimum_seconds: f64,
    /// `--budget`.
    pub budget_seconds: f64,
    /// The most threads this process may start, and the limit that says so, when known.
    pub thread_room: Option<String>,
}

/// The plan of `config` on a machine with `cpus`, whose process may start `room` more threads,
/// timing each workload once at j = 1 with `clock` (unless its cost is known), under `watchdog`
/// (none on the fake clock).
pub fn dry_run(
    config: &RunConfig,
    cpus: CpuCounts,
    room: Option<&Room>,
    clock: &dyn Clock,
    watchdog: Option<&Watchdog>,
) -> Result<DryRun> {
    let settings = &config.settings;
    // Each workload is planned as if those before it took their even share of the budget.
    let total = config.workloads.len().max(1);
    let even = settings.budget.as_secs_f64() / total as f64;
    let rounds = settings.min_rounds as f64 + 1.0;
    let mut workloads = Vec::with_capacity(config.workloads.len());
    for (index, planned) in config.workloads.iter().enumerate() {
        let share = budget::plan_allowance(even * (total - index) as f64, total - index);
        let workload = &*planned.spec.workload;
        let name = workload.name();
        let mut counts = planned.threads.counts().to_vec();
        let mut notes = Vec::new();
        let mut left_out = Vec::new();
        if let Some((beyond, said)) = beyond_the_room(name, &counts, room) {
            counts.retain(|j| !beyond.contains(j));
            left_out.extend(beyond);
            notes.push(said);
        }
        let placement: &[usize] = &[];
        let mut teams = Teams::new(settings.backend, placement);
        let started = teams.start(counts.last().copied().unwrap_or(1), clock);
        if let Some(why) = &started.refused {
            notes.push(format!("{name}: a team of more than {} threads cannot be built here: {why}", started.threads));
        }
        let mut harness = Harness { per_sample: 0.0, per_thread: started.per_thread_s };
        let known = workload.known_duration(&planned.spec.params, 1).map(|d| d.as_secs_f64());
        let (t1, cost) = match (settings.target, known) {
            (Some(target), _) => (target.as_secs_f64(), RunCost::Timed(target.as_secs_f64())),
            (None, Some(t1)) => (t1, RunCost::Known(t1)),
            (None, None) => {
                let (t1, whole) = time_once(planned, config, &mut teams, clock, watchdog)?;
                harness.per_sample = (whole - t1 - harness.at(1)).max(0.0);
                (t1, RunCost::Timed(t1))
            }
        };
        let run_at = |j: usize| match cost {
            RunCost::Known(_) => workload.known_duration(&planned.spec.params, j).map_or(t1, |d| d.as_secs_f64()),
            _ => t1 / budget::guessed_speedup(workload.kind(), j, cpus),
        };
        let needs: Vec<(usize, f64)> = counts.iter().map(|&j| (j, (run_at(j) + harness.at(j)) * rounds)).collect();
        let fitted_up_to = if workload.kind().waits() { usize::MAX } else { cpus.usable };
        let fitted = budget::fit(&needs, share, settings.allow_overrun, fitted_up_to);
        notes.extend(budget::plan_sentence(name, &fitted, cost, &harness, settings.min_rounds, share));
        left_out.extend(&fitted.dropped);
        left_out.sort_unstable();
        let spec = workload.params().iter().find(|s| s.name == "size");
        let size = planned.spec.params.get("size");
        workloads.push(PlannedRun {
            name: name.to_owned(),
            threads: planned.threads.counts().to_vec(),
            limit: planned.limit.clone(),
            t1_seconds: t1,
            t1_known: matches!(cost, RunCost::Known(_)),
            left_out,
            threads_alive: fitted.kept.last().copied().unwrap_or(0).min(started.threads),
            notes,
            minimum_samples: settings.min_rounds.saturating_add(1) * fitted.kept.len(),
            minimum_seconds: fitted.needed_kept,
            advice: short_sample_advice(name, t1 * 1e9, size.zip(spec), workload.command().is_some()),
        });
    }
    let minimum: f64 = workloads.iter().map(|w| w.minimum_seconds).sum();
    let budget = settings.budget.as_secs_f64();
    Ok(DryRun {
        workloads,
        estimated_seconds: minimum.max(budget),
        minimum_seconds: minimum,
        budget_seconds: budget,
        thread_room: room.map(|r| format!("about {} more threads ({})", r.threads, r.because)),
    })
}

/// One run at j = 1 after an untimed one, on a team from `teams`: its run and its whole sample
/// (the team built and given back, the checksum), in seconds.
fn time_once(
    planned: &PlannedWorkload,
    config: &RunConfig,
    teams: &mut Teams,
    clock: &dyn Clock,
    watchdog: Option<&Watchdog>,
) -> Result<(f64, f64)> {
    let workload = &*planned.spec.workload;
    let name = workload.name();
    let failed = |message: String| Error::WorkloadFailed(format!("--dry-run: {message}"));
    let mut instance = workload.prepare(&planned.spec.params).map_err(|e| failed(format!("workload `{name}`: {e}")))?;
    let guard = Guard::new(workload, watchdog, config.settings.timeout.resolve(None));
    let site = SampleSite { name, during: "at j=1" };
    let mut timed = None;
    for _ in 0..2 {
        let before = clock.now_ns();
        let team = teams.team(1).map_err(|e| failed(format!("workload `{name}`: {e}")))?;
        let team_cpu = || team.cpu_ns();
        let cpu = if workload.command().is_some() { CpuSource::Process } else { CpuSource::Threads(&team_cpu) };
        let sample = run_sample(instance.as_mut(), &team, clock, cpu, &guard, &site).0.map_err(failed)?;
        drop(team);
        let whole = clock.now_ns().saturating_sub(before) as f64 / 1e9;
        timed = Some((sample.measurement.wall_ns as f64 / 1e9, whole));
    }
    Ok(timed.expect("two runs"))
}
