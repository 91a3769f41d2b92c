//! One workload's sweep: prepare, build teams, warm up, interleaved rounds, adaptive stop.
//!
//! # How it works
//! 1. Resolve the size (the fixed default, the user's, or `--target-ms` calibration) and prepare
//!    the instance: allocation and set-up happen here, untimed.
//! 2. Build a team for every j before anything is timed (rayon pools are built once and reused).
//! 3. Warm up once at every j, j = 1 first; the j = 1 checksum is the reference for every later
//!    run, at every j.
//! 4. Rounds: each visits every j once in an order shuffled by the seeded generator, so drift falls
//!    on all j alike and every round yields one paired sample per j.
//! 5. After each round, once `min_rounds` are done, stop if every S(j)'s 95% CI half-width is under
//!    the target share of S(j) (`converged`), the workload's share of the budget is spent
//!    (`budget`), or `max_rounds` is reached. Ctrl-C stops between samples (`interrupted`).
//! 6. A panic, a checksum mismatch or a failed command at some j takes that point out of the sweep
//!    with an error naming the workload and j (its samples are dropped so the other points stay
//!    paired), and the sweep goes on with the others; at j = 1 it ends the workload, keeping the
//!    rounds completed before. Either way the workload reports an error and the run's exit code
//!    is non-zero.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use amdahl_workloads::{Backend, Checksum, Instance, Team};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;

use super::calibrate::calibrate;
use super::clock::{Clock, Measurement};
use super::progress::Observer;
use crate::analysis;
use crate::config::{PlannedWorkload, Scaling};
use crate::results::{Fits, Point, StopReason, WorkloadResult};
use crate::stats::paired_speedup;
use crate::thread_set::CpuCounts;

/// The settings one workload's sweep needs.
pub struct SweepSettings<'a> {
    /// Team backend.
    pub backend: Backend,
    /// `--target-ms`.
    pub target: Option<Duration>,
    /// This workload's share of the run's budget.
    pub budget: Duration,
    /// Rounds always run.
    pub min_rounds: usize,
    /// Rounds never exceeded.
    pub max_rounds: usize,
    /// Target relative CI half-width.
    pub ci_target: f64,
    /// Seed of the round order and the bootstrap.
    pub seed: u64,
    /// Strong (fixed work) or weak (size x j at j threads).
    pub scaling: Scaling,
    /// Usable CPUs and physical cores.
    pub cpus: CpuCounts,
    /// Set by Ctrl-C.
    pub interrupted: &'a AtomicBool,
}

/// Sweeps one workload. Never panics on the workload's account: failures are in `error`.
pub fn sweep_workload(
    planned: &PlannedWorkload,
    settings: &SweepSettings<'_>,
    clock: &dyn Clock,
    observer: &mut dyn Observer,
) -> WorkloadResult {
    let workload = planned.spec.workload;
    let mut params = planned.spec.params.clone();
    let mut result = WorkloadResult {
        name: workload.name().to_owned(),
        kind: workload.kind().as_str().to_owned(),
        description: workload.description().to_owned(),
        command: workload.command().map(str::to_owned),
        params: Default::default(),
        size: params.get("size").unwrap_or(f64::NAN),
        size_calibrated: false,
        backend: settings.backend.as_str().to_owned(),
        scaling: settings.scaling.as_str().to_owned(),
        rounds: 0,
        stop: StopReason::Failed,
        checksum: None,
        bytes_per_run: None,
        points: planned.threads.counts().iter().map(|&j| analysis::new_point(j, settings.cpus)).collect(),
        fits: Fits::default(),
        diagnosis: None,
        warnings: workload.warnings(&params),
        error: None,
    };
    if !workload.kind().waits() && planned.threads.counts().iter().any(|&j| j > settings.cpus.usable) {
        result.warnings.push(format!(
            "{}: points above {} threads are oversubscribed (more threads than usable CPUs) and left out of the fit",
            workload.name(),
            settings.cpus.usable
        ));
    }
    let fail = |mut result: WorkloadResult, message: String| {
        result.error = Some(message);
        result.stop = StopReason::Failed;
        result
    };
    if params.get("size").is_none() {
        result.size = 0.0;
        return fail(
            result,
            format!("workload `{}` declares no `size` parameter (the contract needs one)", workload.name()),
        );
    }

    if let Some(setup) = &planned.setup
        && let Err(e) = run_setup(setup)
    {
        return fail(result, format!("workload `{}`: set-up failed: {e}", workload.name()));
    }
    let teams: Vec<Team> = match planned.threads.counts().iter().map(|&j| Team::new(j, settings.backend)).collect() {
        Ok(teams) => teams,
        Err(e) => return fail(result, format!("workload `{}`: {e}", workload.name())),
    };
    if let Some(target) = settings.target {
        match calibrate(workload, &params, &teams[0], clock, target) {
            Ok(size) => {
                params.set("size", size);
                result.size = size;
                result.size_calibrated = true;
            }
            Err(e) => return fail(result, e),
        }
    }
    result.params = params.iter().map(|(k, v)| (k.to_owned(), v)).collect();
    // Strong scaling runs one instance at every j; weak scaling one per j, of size x j.
    let sizes: Vec<f64> = match settings.scaling {
        Scaling::Strong => vec![result.size],
        Scaling::Weak => teams.iter().map(|t| result.size * t.threads() as f64).collect(),
    };
    let mut instances = Vec::with_capacity(sizes.len());
    for size in sizes {
        let mut sized = params.clone();
        sized.set("size", size);
        match workload.prepare(&sized) {
            Ok(instance) => instances.push(instance),
            Err(e) => return fail(result, e.to_string()),
        }
    }
    result.bytes_per_run = instances[0].bytes_per_run();

    let references = vec![None; instances.len()];
    let mut sampler =
        Sampler { name: workload.name(), clock, instances, references, weak: settings.scaling == Scaling::Weak };
    // A failure at j = 1 ends the workload (no baseline); at any other j it takes that point out
    // (its samples dropped, so the others stay paired) and the sweep goes on without it.
    let mut alive = vec![true; teams.len()];
    let mut errors = Vec::new();
    let mut warm_up_ns = 0u64;
    for (k, team) in teams.iter().enumerate() {
        if settings.interrupted.load(Ordering::Relaxed) {
            result.stop = StopReason::Interrupted;
            return result;
        }
        match sampler.sample(k, team) {
            Ok(m) => warm_up_ns += m.wall_ns,
            Err(e) if k == 0 => return fail(result, e),
            Err(e) => drop_point(&mut result.points[k], &mut alive[k], &mut errors, e),
        }
    }
    result.checksum = sampler.references[0].map(|c| c.to_string());
    // The minimum rounds run whatever the budget: say so before a long wait.
    let minimum = Duration::from_nanos(warm_up_ns.saturating_mul(settings.min_rounds as u64));
    if minimum > Duration::from_secs(30) && minimum > 3 * settings.budget {
        let warning = format!(
            "{}: one round takes {:.1} s here, so the minimum {} rounds need about {:.0} s, far beyond this workload's budget of {:.0} s; a smaller size= would do",
            workload.name(),
            warm_up_ns as f64 / 1e9,
            settings.min_rounds,
            minimum.as_secs_f64(),
            settings.budget.as_secs_f64()
        );
        observer.warning(&warning);
        result.warnings.push(warning);
    }

    let started = clock.now_ns();
    let mut rng = Pcg64Mcg::seed_from_u64(settings.seed);
    let mut order: Vec<usize> = (0..teams.len()).collect();
    result.stop = loop {
        if !alive.iter().skip(1).any(|a| *a) {
            break StopReason::Failed;
        }
        order.shuffle(&mut rng);
        let mut round = Vec::with_capacity(teams.len());
        let mut baseline_failed = false;
        let mut interrupted = false;
        for &k in &order {
            if !alive[k] {
                continue;
            }
            if settings.interrupted.load(Ordering::Relaxed) {
                interrupted = true;
                break;
            }
            match sampler.sample(k, &teams[k]) {
                Ok(m) => round.push((k, m)),
                Err(e) if k == 0 => {
                    errors.push(e);
                    baseline_failed = true;
                    break;
                }
                Err(e) => drop_point(&mut result.points[k], &mut alive[k], &mut errors, e),
            }
        }
        if baseline_failed {
            break StopReason::Failed;
        }
        if interrupted {
            break StopReason::Interrupted;
        }
        for (k, m) in round.into_iter().filter(|(k, _)| alive[*k]) {
            let point = &mut result.points[k];
            point.samples_ns.push(m.wall_ns);
            point.cpu_ns.push(m.cpu_ns);
            point.involuntary_context_switches.push(m.involuntary_context_switches);
        }
        result.rounds += 1;
        let spent = Duration::from_nanos(clock.now_ns().saturating_sub(started));
        let worst = worst_half_width(&result.points, settings.seed);
        observer.round_finished(result.rounds, worst, spent, settings.budget);
        if result.rounds >= settings.min_rounds {
            if worst.is_some_and(|w| w < settings.ci_target) {
                break StopReason::Converged;
            }
            if result.rounds >= settings.max_rounds {
                break StopReason::MaxRounds;
            }
            if spent >= settings.budget {
                break StopReason::Budget;
            }
        }
    };
    if !errors.is_empty() {
        result.error = Some(errors.join("; "));
    }
    if result.rounds >= 2 {
        analysis::summarise(&mut result.points, settings.cpus, settings.seed, settings.scaling);
        (result.fits, result.diagnosis) =
            analysis::fit(&result.points, workload.kind(), settings.cpus, settings.seed, settings.scaling);
    }
    result
}

/// Runs a suite entry's set-up command with `sh -c`, untimed.
fn run_setup(command: &str) -> Result<(), String> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot start `sh -c {command}`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("`{command}` ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Takes a failed point out of the sweep: its samples are dropped and its error kept.
fn drop_point(point: &mut Point, alive: &mut bool, errors: &mut Vec<String>, error: String) {
    *alive = false;
    point.samples_ns.clear();
    point.cpu_ns.clear();
    point.involuntary_context_switches.clear();
    point.error = Some(error.clone());
    errors.push(error);
}

/// The largest relative CI half-width of S(j) over the measured points with j > 1; `None` before
/// two rounds.
fn worst_half_width(points: &[Point], seed: u64) -> Option<f64> {
    let baseline: Vec<f64> = points.first()?.samples_ns.iter().map(|&s| s as f64).collect();
    if baseline.len() < 2 {
        return None;
    }
    points
        .iter()
        .skip(1)
        .filter(|p| p.samples_ns.len() == baseline.len())
        .map(|p| {
            let tj: Vec<f64> = p.samples_ns.iter().map(|&s| s as f64).collect();
            paired_speedup(&baseline, &tj, seed).relative_half_width()
        })
        .reduce(f64::max)
        .or(Some(0.0))
}

/// Times single runs and checks every checksum: against the j = 1 run for strong scaling (the
/// parallel result must equal the serial one), against the first run at the same j for weak
/// scaling (where each j has its own amount of work).
struct Sampler<'a> {
    name: &'a str,
    clock: &'a dyn Clock,
    instances: Vec<Box<dyn Instance>>,
    references: Vec<Option<Checksum>>,
    weak: bool,
}

impl Sampler<'_> {
    fn sample(&mut self, point: usize, team: &Team) -> Result<Measurement, String> {
        let j = team.threads();
        let slot = if self.weak { point } else { 0 };
        let clock = self.clock;
        let instance = &mut self.instances[slot];
        let modeled = instance.modeled_ns(j);
        let mut outcome = None;
        let measurement = clock.measure(j, modeled, &mut || {
            outcome = Some(catch_unwind(AssertUnwindSafe(|| instance.try_run(team))));
        });
        let checksum = match outcome {
            Some(Ok(Ok(checksum))) => checksum,
            Some(Ok(Err(message))) => return Err(format!("workload `{}` failed at j={j}: {message}", self.name)),
            Some(Err(panic)) => {
                return Err(format!("workload `{}` panicked at j={j}: {}", self.name, panic_message(&panic)));
            }
            None => return Err(format!("workload `{}` was not run at j={j} (the clock did not call it)", self.name)),
        };
        match self.references[slot] {
            None => self.references[slot] = Some(checksum),
            Some(expected) if expected != checksum => {
                let against = if self.weak { "its first run at this j" } else { "j=1" };
                return Err(format!(
                    "workload `{}` at j={j}: parallel result differs from {against} (checksum {checksum}, expected {expected}): a race?",
                    self.name
                ));
            }
            Some(_) => {}
        }
        Ok(measurement)
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}
