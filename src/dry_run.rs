//! `measure run --dry-run`: the plan of a run, its minimum samples and an estimate of its time,
//! without sweeping anything or writing any file.
//!
//! # Method
//! Per workload, T(1) is `--target-ms` when given, else one timed run at j = 1 on this machine
//! after one untimed run (so it also works against a fixture machine: the plan is the fixture's,
//! the time this machine's). A round costs the sum over the plan of T(1)/S(j), with S(j) guessed
//! from the kind: min(j, N) for work that computes, j for work that waits, 1 for sequential and
//! contended work, and at most 4 for memory-bound work. The warm-up is one round. The run takes at
//! least the warm-ups plus `--min-rounds` rounds, and about the warm-ups plus the larger of the
//! minimum rounds and `--budget` (rounds stop at the budget once the minimum is done, or earlier
//! when every interval is narrow).
//!
//! The timing goes through the sweep's own sampler (`sweep::sample`): the same clock, panics
//! caught, and the watchdog of `--timeout` armed around each run, so a panicking workload is an
//! error and a hanging one ends like in a run.

use amdahl_workloads::{Backend, Kind, Team};
use serde::Serialize;

use crate::config::{PlannedWorkload, RunConfig};
use crate::error::{Error, Result};
use crate::plan::{PlanLimit, short_sample_advice};
use crate::sweep::sample::{Guard, SampleSite, run_sample};
use crate::sweep::{Clock, CpuSource, Watchdog};
use crate::thread_set::CpuCounts;

/// One workload's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedRun {
    /// The workload.
    pub name: String,
    /// Its thread counts.
    pub threads: Vec<usize>,
    /// Why they stop where they do, when the work's parallelism limits them.
    pub limit: Option<PlanLimit>,
    /// T(1), measured once here (or `--target-ms`).
    pub t1_seconds: f64,
    /// Samples of the warm-up and the minimum rounds.
    pub minimum_samples: usize,
    /// The least time its sweep takes: the warm-up and the minimum rounds.
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
}

/// The plan of `config` on a machine with `cpus`, timing each workload once at j = 1 with `clock`,
/// under `watchdog` (none on the fake clock).
pub fn dry_run(config: &RunConfig, cpus: CpuCounts, clock: &dyn Clock, watchdog: Option<&Watchdog>) -> Result<DryRun> {
    let mut workloads = Vec::with_capacity(config.workloads.len());
    for planned in &config.workloads {
        let t1 = match config.settings.target {
            Some(target) => target.as_secs_f64(),
            None => time_once(planned, config, clock, watchdog)?,
        };
        let kind = planned.spec.workload.kind();
        let counts = planned.threads.counts();
        let round: f64 = counts.iter().map(|&j| t1 / guessed_speedup(kind, j, cpus)).sum();
        let rounds = config.settings.min_rounds + 1;
        let spec = planned.spec.workload.params().iter().find(|s| s.name == "size");
        let size = planned.spec.params.get("size");
        workloads.push(PlannedRun {
            name: planned.spec.workload.name().to_owned(),
            threads: counts.to_vec(),
            limit: planned.limit.clone(),
            t1_seconds: t1,
            minimum_samples: rounds * counts.len(),
            minimum_seconds: rounds as f64 * round,
            advice: short_sample_advice(
                planned.spec.workload.name(),
                t1 * 1e9,
                size.zip(spec),
                planned.spec.workload.command().is_some(),
            ),
        });
    }
    let minimum: f64 = workloads.iter().map(|w| w.minimum_seconds).sum();
    let warm_ups: f64 = workloads.iter().map(|w| w.minimum_seconds / (config.settings.min_rounds + 1) as f64).sum();
    let budget = config.settings.budget.as_secs_f64();
    Ok(DryRun {
        workloads,
        estimated_seconds: minimum.max(warm_ups + budget),
        minimum_seconds: minimum,
        budget_seconds: budget,
    })
}

/// S(j) as the kind promises it, for the estimate.
fn guessed_speedup(kind: Kind, j: usize, cpus: CpuCounts) -> f64 {
    let computing = j.min(cpus.usable.max(1)) as f64;
    match kind {
        Kind::IoBound => j as f64,
        Kind::Sequential | Kind::Contended => 1.0,
        Kind::MemoryBound => computing.min(4.0),
        Kind::Parallel | Kind::Synthetic => computing,
    }
}

/// One run at j = 1 after an untimed one, in seconds.
fn time_once(
    planned: &PlannedWorkload,
    config: &RunConfig,
    clock: &dyn Clock,
    watchdog: Option<&Watchdog>,
) -> Result<f64> {
    let workload = &*planned.spec.workload;
    let name = workload.name();
    let failed = |message: String| Error::WorkloadFailed(format!("--dry-run: {message}"));
    let mut instance = workload.prepare(&planned.spec.params).map_err(|e| failed(format!("workload `{name}`: {e}")))?;
    let backend: Backend = config.settings.backend;
    let team = Team::new(1, backend).map_err(|e| failed(format!("workload `{name}`: {e}")))?;
    let guard = Guard::new(workload, watchdog, config.settings.timeout.resolve(None));
    let site = SampleSite { name, during: "at j=1" };
    let team_cpu = || team.cpu_ns();
    let cpu = || if workload.command().is_some() { CpuSource::Process } else { CpuSource::Threads(&team_cpu) };
    run_sample(instance.as_mut(), &team, clock, cpu(), &guard, &site).0.map_err(failed)?;
    let sample = run_sample(instance.as_mut(), &team, clock, cpu(), &guard, &site).0.map_err(failed)?;
    Ok(sample.measurement.wall_ns as f64 / 1e9)
}
