//! One workload's sweep: prepare, start the teams' threads, warm up, fit the plan to the budget,
//! interleaved rounds, adaptive stop.
//!
//! # How it works
//! 1. Resolve the size (the fixed default, the user's, or `--target-ms` calibration) and prepare
//!    the instance: allocation and set-up happen here, untimed.
//! 2. Start the threads of the largest team before anything is timed, after leaving out the counts
//!    whose team this process may not start (`teams`). Every sample then builds its team of j from
//!    those threads and gives it back, so one team is alive at a time and the others' workers are
//!    asleep while it runs.
//! 3. Warm up once at every j, j = 1 first; the j = 1 checksum is the reference for every later
//!    run, at every j. The plan is held against what the workload may plan with (its share of the budget
//!    and half of each later workload's: `budget::plan_allowance`) before the
//!    other counts are warmed up (from T(1), or from the workload's known cost before anything
//!    runs) and again after the warm-up (from each count's measured cost): counts leave it, the
//!    costliest first, until it fits, and the sentence says so (`crate::budget`).
//! 4. Rounds: each visits every j once in an order shuffled by the seeded generator, so drift falls
//!    on all j alike and every round yields one paired sample per j. In each point's first
//!    [`PROFILE_ROUNDS`] rounds ([`TIGHT_PROFILE_ROUNDS`] when the plan cannot meet the budget), after
//!    the round's timed samples, one more run at every j in the same order is a profile run, with
//!    the team's recorder on (a command's: its process tree polled, `amdahl_workloads::poll`, with
//!    its concurrency histogram kept beside): it becomes
//!    its point's `profile` (the thread-time split into parts, see `account`), never a sample of
//!    T(j); a profile run that fails fails its point like a timed one, and one the recorder could
//!    not trace is said once, as a warning. Its workers' samples (the team's sampler) are tallied per
//!    point and named by function when the sweep ends: the point's `where` (see `attribution`).
//! 5. After each round, once `min_rounds` are done, stop if every S(j)'s 95% CI half-width (the
//!    rounds' own, or the spread between stretches of them when larger: `stats::states`) is under
//!    the target share of S(j) and the rounds span `SweepSettings::state_span` or the whole share
//!    (`converged`), another round like the last would overrun the
//!    workload's share of the budget, counted from the start of its sweep (`budget`), or
//!    `max_rounds` is reached. Ctrl-C stops between samples (`interrupted`).
//! 6. A panic, a checksum mismatch or a failed command at some j takes that point out of the sweep
//!    with an error naming the workload and j (its samples are dropped so the other points stay
//!    paired), and the sweep goes on with the others; at j = 1 it ends the workload, keeping the
//!    rounds completed before. Either way the workload reports an error and the run's exit code
//!    is non-zero.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use amdahl_workloads::{Checksum, Instance, Params, Team, Trace, TreePoll, Workload, run_hook};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;

use super::adaptive;
use super::calibrate::calibrate;
use super::clock::{Clock, CpuSource, Measurement};
use super::progress::Observer;
use super::sample::{Guard, Sample, SampleSite, Taken, run_profile_sample, run_sample};
use super::teams::{Teams, beyond_the_room};
use super::watchdog::Watchdog;
use crate::account::{Concurrency, ProfileSample, command};
use crate::analysis::{self, AnalysisContext};
use crate::attribution::Tally;
use crate::attribution::functions::FunctionTally;
use crate::budget::{self, Harness, RunCost};
use crate::config::{Hooks, PlannedWorkload, SweepSettings};
use crate::fit::Fits;
use crate::machine::limits::Room;
use crate::machine::rerun_history::{Executable, RerunHistory, WorkloadIdentity};
use crate::plan::{AddedPoint, LimitReason, PlanLimit, SLOWER_STOP, short_sample_advice};
use crate::results::{Ceilings, Point, StopReason, WorkloadResult};
use crate::scaling::Scaling;
use crate::stats::paired_speedup;
use crate::thread_set::CpuCounts;

/// A profile run's parts, and a command's concurrency histogram.
type Profiled = (ProfileSample, Option<Concurrency>);

/// The rounds of each point (from its first) that also take a profile run at every j: enough
/// runs for a t interval of every part, few enough to cost a point at most five runs.
pub const PROFILE_ROUNDS: usize = 5;

/// The profile runs a point takes when its workload's plan cannot meet the budget even with the
/// counts left out: three still give the account's t intervals (wider), and the two saved are
/// each a run at every count (the default run's `three-body` and `sleep` spend 0.5-0.9 s a run at
/// j = 2 and 1, and the run went 5-10 s over its 25 s with five).
pub const TIGHT_PROFILE_ROUNDS: usize = 3;

/// Where one workload's sweep runs: the clock, the observer, the machine and the Ctrl-C flag.
pub struct SweepEnv<'a> {
    /// Times samples.
    pub clock: &'a dyn Clock,
    /// Receives progress and warnings.
    pub observer: &'a mut dyn Observer,
    /// Usable CPUs and physical cores.
    pub cpus: CpuCounts,
    /// Set by Ctrl-C.
    pub interrupted: &'a AtomicBool,
    /// Called after every completed round with the workload's state, so the runner can save it.
    pub checkpoint: &'a mut dyn FnMut(&WorkloadResult, &mut dyn Observer),
    /// Watches for samples that outlive their timeout (none on the fake clock).
    pub watchdog: Option<&'a Watchdog>,
    /// The 1-minute load average when the run started, when known.
    pub load: Option<f64>,
    /// The CPU order of `--pin`: team worker i runs on `placement[i % len]`; empty: unpinned.
    pub placement: &'a [usize],
    /// The machine's own ceilings, when measured (each point's `machine_speedup`, `fidelity`).
    pub ceilings: Option<Arc<Ceilings>>,
    /// The most threads this process may start (`machine::limits`), when known.
    pub thread_room: Option<Room>,
    /// The workloads' earlier runs on this machine: this one's floor, and where its run goes.
    pub reruns: Option<&'a RerunHistory>,
}

/// One workload's share of a run: what `SweepSettings.budget` and `.seed` (the whole run's)
/// become for the workload being swept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkloadShare {
    /// The time this workload may take: what is left of the run's budget, shared equally among
    /// the workloads still to run. Rounds beyond the minimum stop before they would overrun it.
    pub budget: Duration,
    /// The time its plan is held against before measuring (`budget::plan_allowance`: its share,
    /// and half of each later workload's): counts leave the plan only when it needs more.
    pub plan: Duration,
    /// This workload's seed, derived from the run's and its index (`analysis::workload_seed`).
    pub seed: u64,
}

impl WorkloadShare {
    /// The whole of `settings`' budget and its seed as they are: a run of one workload.
    pub fn whole(settings: &SweepSettings) -> WorkloadShare {
        WorkloadShare { budget: settings.budget, plan: settings.budget, seed: settings.seed }
    }
}

/// Sweeps one workload with `settings` and its `share` of the run. Never panics on the
/// workload's account: failures are in the result's `error`.
pub fn sweep_workload(
    planned: &PlannedWorkload,
    settings: &SweepSettings,
    share: WorkloadShare,
    hooks: &Hooks,
    env: SweepEnv<'_>,
) -> WorkloadResult {
    let workload: &dyn Workload = &*planned.spec.workload;
    let result = new_result(planned, settings, workload);
    let started_ns = env.clock.now_ns();
    let mut sweep = Sweep {
        announced: Vec::new(),
        planned,
        workload,
        settings,
        share,
        hooks,
        env,
        result,
        started_ns,
        harness: Harness::default(),
        budget_said: false,
        profile_rounds: PROFILE_ROUNDS,
        serial_samples: BTreeMap::new(),
        function_samples: BTreeMap::new(),
    };
    let Some(prepared) = sweep.prepare() else { return sweep.result };
    let Some(teams) = sweep.start_teams() else { return sweep.result };
    let Some((mut sampler, params)) = sweep.calibrate_and_instantiate(prepared, teams) else { return sweep.result };
    sweep.result.params = params.iter().map(|(k, v)| (k.to_owned(), v)).collect();
    sweep.result.tasks = workload.parallelism(&params);
    let Some(mut alive) = sweep.warm_up(&mut sampler, &params) else {
        sweep.result.warnings.append(&mut sampler.left_behind);
        return sweep.result;
    };
    sweep.rounds(&mut sampler, &mut alive);
    sweep.result.warnings.append(&mut sampler.left_behind);
    sweep.warn_unpinned(sampler.teams.unpinned());
    drop(sampler);
    sweep.cleanup();
    sweep.finish()
}

/// The state of one workload's sweep; each method is one step of the module docs.
struct Sweep<'a, 'e> {
    /// Warnings already shown to the observer (the rest are shown when the sweep ends).
    announced: Vec<String>,
    planned: &'a PlannedWorkload,
    hooks: &'a Hooks,
    workload: &'a dyn Workload,
    settings: &'a SweepSettings,
    share: WorkloadShare,
    env: SweepEnv<'e>,
    result: WorkloadResult,
    /// The clock when the sweep began: its share of the budget counts from here.
    started_ns: u64,
    /// The harness's own cost of a sample, measured as the sweep goes.
    harness: Harness,
    /// Whether the plan's budget sentence was said (it is said once, unless counts leave later).
    budget_said: bool,
    /// The rounds whose profile runs each point takes: [`PROFILE_ROUNDS`], or
    /// [`TIGHT_PROFILE_ROUNDS`] once the plan cannot meet the budget.
    profile_rounds: usize,
    /// Each point's profile-run samples (by point index), attributed to functions at the end
    /// (`attribution`).
    serial_samples: BTreeMap<usize, Tally>,
    /// Each point's samples by function, over its profile runs (blame, growth, what-if).
    function_samples: BTreeMap<usize, FunctionTally>,
}

/// The result before anything is measured: the points tagged for this machine, the workload's
/// own warnings, and `stop` = failed until the sweep says otherwise.
fn new_result(planned: &PlannedWorkload, settings: &SweepSettings, workload: &dyn Workload) -> WorkloadResult {
    WorkloadResult {
        name: workload.name().to_owned(),
        kind: workload.kind(),
        description: workload.description().to_owned(),
        command: workload.command().map(str::to_owned),
        workload_version: workload.version(),
        // The parameters as asked for: known even when the sweep fails before calibrating.
        params: planned.spec.params.iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        fixed_params: workload.params().iter().filter(|p| p.min >= p.max).map(|p| p.name.to_owned()).collect(),
        size: planned.spec.params.get("size").unwrap_or(0.0),
        size_calibrated: false,
        backend: settings.backend,
        scaling: settings.scaling,
        rounds: 0,
        stop: StopReason::Failed,
        checksum: None,
        bytes_per_run: None,
        tasks: workload.parallelism(&planned.spec.params),
        limit: planned.limit.clone(),
        added: Vec::new(),
        rerun_floor: None,
        points: Vec::new(),
        fits: Fits::default(),
        diagnosis: None,
        verdict: None,
        cause: None,
        then: None,
        law: None,
        alternative: None,
        disturbed: None,
        warnings: workload.warnings(&planned.spec.params),
        error: None,
    }
}

impl<'e> Sweep<'_, 'e> {
    fn context(&self) -> AnalysisContext {
        AnalysisContext {
            cpus: self.env.cpus,
            kind: self.workload.kind(),
            scaling: self.settings.scaling,
            seed: self.share.seed,
            load: self.env.load,
            bytes_per_run: self.result.bytes_per_run,
            command: self.workload.command().is_some(),
            ceilings: self.env.ceilings.clone(),
            tasks: self.result.tasks,
            loss: crate::fit::Loss::Log,
            noise: self.settings.noise_floor.of(self.workload.command().is_some()),
            reruns: self.result.rerun_floor.clone(),
            states: true,
        }
    }

    fn fail(&mut self, message: String) {
        self.result.error = Some(message);
        self.result.stop = StopReason::Failed;
    }

    /// Says `warning` now, before measuring goes on, and keeps it in the result.
    fn say_now(&mut self, warning: String) {
        self.env.observer.warning(&warning);
        self.announced.push(warning.clone());
        self.result.warnings.push(warning);
    }

    /// Seconds since the sweep began.
    fn spent_s(&self) -> f64 {
        self.env.clock.now_ns().saturating_sub(self.started_ns) as f64 / 1e9
    }

    /// Step 1a: the points, the oversubscription warning, the `size` check and the suite's set-up.
    fn prepare(&mut self) -> Option<Params> {
        let counts = self.planned.threads.counts();
        self.result.points = counts.iter().map(|&j| analysis::new_point(j, self.env.cpus)).collect();
        let name = self.workload.name();
        if !self.workload.kind().waits() && counts.iter().any(|&j| j > self.env.cpus.usable) {
            self.result.warnings.push(format!(
                "{name}: points above {} threads are oversubscribed (more threads than usable CPUs) and left out of the fit",
                self.env.cpus.usable
            ));
        }
        if let Some(tasks) = self.workload.parallelism(&self.planned.spec.params)
            && counts.last().is_some_and(|&top| top > tasks.max(2))
        {
            self.result.warnings.push(format!(
                "{name}: one run has {tasks} independent task{}, so at more threads some find nothing to do (the default plan stops at {})",
                if tasks == 1 { "" } else { "s" },
                tasks.max(2)
            ));
        }
        if self.planned.spec.params.get("size").is_none() {
            self.fail(format!("workload `{name}` declares no `size` parameter (the contract needs one)"));
            return None;
        }
        let timeout = self.settings.timeout.resolve(None);
        let setups = [("--setup", &self.hooks.setup), ("the suite's setup", &self.planned.setup)];
        for (what, setup) in setups.into_iter().filter_map(|(what, s)| Some((what, s.as_ref()?))) {
            match run_hook(setup, timeout) {
                Ok(left_behind) => self.result.warnings.extend(left_behind.map(|w| format!("{name}: {what}: {w}"))),
                // Killed because the run was interrupted: not a failure of the hook.
                Err(_) if self.env.interrupted.load(Ordering::Relaxed) => {
                    self.result.stop = StopReason::Interrupted;
                    return None;
                }
                Err(e) => {
                    self.fail(format!("workload `{name}`: {what} failed: {e}"));
                    return None;
                }
            }
        }
        Some(self.planned.spec.params.clone())
    }

    /// Step 2: the threads of the largest team, started before anything is timed; counts whose
    /// team this process may not start leave the plan first, said with the limit. Counts above
    /// the threads the system then let start fail, each with the reason; the others are measured.
    fn start_teams(&mut self) -> Option<Teams> {
        let name = self.workload.name();
        let counts: Vec<usize> = self.result.points.iter().map(|p| p.threads).collect();
        if let Some((beyond, said)) = beyond_the_room(name, &counts, self.env.thread_room.as_ref()) {
            self.result.points.retain(|p| !beyond.contains(&p.threads));
            self.say_now(said);
        }
        let placement = if self.workload.command().is_some() { &[][..] } else { self.env.placement };
        let mut teams = Teams::new(self.settings.backend, placement);
        let Some(largest) = self.result.points.last().map(|p| p.threads) else {
            self.fail(format!("workload `{name}`: this process may start no thread to measure with"));
            return None;
        };
        let started = teams.start(largest, self.env.clock);
        self.harness.per_thread = started.per_thread_s;
        if let Some(why) = started.refused {
            if started.threads == 0 {
                self.fail(format!("workload `{name}`: cannot start a thread to measure with: {why}"));
                return None;
            }
            let error =
                format!("workload `{name}`: cannot build a team of more than {} threads: {why}", started.threads);
            for point in self.result.points.iter_mut().filter(|p| p.threads > started.threads) {
                point.error = Some(error.clone());
            }
            push_error(&mut self.result.error, error);
        }
        Some(teams)
    }

    /// The `--pin` warning, when workers could not be pinned.
    fn warn_unpinned(&mut self, unpinned: usize) {
        if unpinned > 0 {
            self.result.warnings.push(format!(
                "--pin {}: {unpinned} worker thread(s) of a team could not be pinned to their CPU; they ran where the scheduler put them",
                self.settings.pin
            ));
        }
    }

    /// Step 1b: the size (calibrated to `--target-ms` if asked) and the instances, untimed: one
    /// for strong scaling, one per j of size x j for weak scaling.
    fn calibrate_and_instantiate(&mut self, mut params: Params, mut teams: Teams) -> Option<(Sampler<'e>, Params)> {
        if let Some(target) = self.settings.target {
            let guard = Guard::new(self.workload, self.env.watchdog, self.settings.timeout.resolve(None));
            let calibrated = match teams.team(1) {
                Ok(team) => calibrate(self.workload, &params, &team, self.env.clock, target, &guard),
                Err(e) => Err(format!("workload `{}`: {e}", self.workload.name())),
            };
            match calibrated {
                Ok(size) => {
                    params.set("size", size);
                    self.result.size = size;
                    self.result.size_calibrated = true;
                }
                Err(e) => {
                    self.fail(e);
                    return None;
                }
            }
        }
        let sizes: Vec<f64> = match self.settings.scaling {
            Scaling::Strong => vec![self.result.size],
            Scaling::Weak => self.result.points.iter().map(|p| self.result.size * p.threads as f64).collect(),
        };
        let mut instances = Vec::with_capacity(sizes.len());
        for size in sizes {
            let mut sized = params.clone();
            sized.set("size", size);
            match self.workload.prepare(&sized) {
                Ok(instance) => instances.push(instance),
                Err(e) => {
                    self.fail(e.to_string());
                    return None;
                }
            }
        }
        self.result.bytes_per_run = instances[0].bytes_per_run();
        let sampler = Sampler {
            name: self.workload.name().to_owned(),
            clock: self.env.clock,
            references: vec![None; instances.len()],
            instances,
            weak: self.settings.scaling == Scaling::Weak,
            command: self.workload.command().is_some(),
            prepare: self.hooks.prepare.clone(),
            guard: Guard::new(self.workload, self.env.watchdog, self.settings.timeout.resolve(None)),
            left_behind: Vec::new(),
            teams,
        };
        Some((sampler, params))
    }

    /// Step 3: one untimed-for-the-fit run at every j, j = 1 first (its checksum is the
    /// reference), the plan held against the budget before the other counts (from their known
    /// cost before anything runs, else from T(1)) and after them (from what each cost). Returns
    /// which points are still alive; `None` when the workload ended (j = 1 failed, Ctrl-C).
    fn warm_up(&mut self, sampler: &mut Sampler<'_>, params: &Params) -> Option<Vec<bool>> {
        let mut alive: Vec<bool> = self.result.points.iter().map(|p| p.error.is_none()).collect();
        let rounds = self.minimum_runs();
        let known = self.known_costs(params);
        if let Some(known) = &known {
            let needs: Vec<f64> = (self.result.points.iter().zip(known))
                .map(|(p, run)| (run + self.harness.at(p.threads)) * (rounds + 1.0))
                .collect();
            self.fit_to_budget(sampler, &mut alive, RunCost::Known(known[0]), &needs);
        }
        let mut j1_warm_up_ns = 0u64;
        // Each count's warm-up: its run's wall time, and what the whole sample cost, in seconds.
        let mut warm: Vec<Option<u64>> = Vec::with_capacity(alive.len());
        let mut costs: Vec<f64> = Vec::with_capacity(alive.len());
        let mut k = 0;
        while k < self.result.points.len() {
            if k == 1 && known.is_none() && alive[0] {
                self.fit_timed_plan(sampler, &mut alive, j1_warm_up_ns, costs[0]);
            }
            if !self.extends_past(k, &warm) {
                alive.truncate(k);
                self.result.points.truncate(k);
                break;
            }
            if !alive[k] {
                // Its team could not be built: failed before the warm-up.
                warm.push(None);
                costs.push(0.0);
                k += 1;
                continue;
            }
            if self.env.interrupted.load(Ordering::Relaxed) {
                self.result.stop = StopReason::Interrupted;
                return None;
            }
            let before = self.env.clock.now_ns();
            match sampler.sample(k, self.result.points[k].threads) {
                Ok(m) => {
                    warm.push(Some(m.wall_ns));
                    costs.push(self.env.clock.now_ns().saturating_sub(before) as f64 / 1e9);
                    if k == 0 {
                        j1_warm_up_ns = m.wall_ns;
                    }
                }
                Err(_) if self.env.interrupted.load(Ordering::Relaxed) => {
                    self.result.stop = StopReason::Interrupted;
                    return None;
                }
                Err(e) if k == 0 => {
                    self.fail(e);
                    return None;
                }
                Err(e) => {
                    warm.push(None);
                    costs.push(0.0);
                    self.drop_point(k, &mut alive, e);
                }
            }
            k += 1;
        }
        self.result.checksum = sampler.references[0].map(|c| c.to_string());
        let needs: Vec<f64> = costs.iter().map(|c| c * rounds).collect();
        self.fit_to_budget(sampler, &mut alive, RunCost::WarmedUp, &needs);
        sampler.guard.timeout = self.settings.timeout.resolve(Some(Duration::from_nanos(j1_warm_up_ns)));
        Some(alive)
    }

    /// The runs each count takes in the minimum rounds: one a round, and one more in each of the
    /// first [`PROFILE_ROUNDS`] (its profile run), which the budget pays too.
    fn minimum_runs(&self) -> f64 {
        minimum_runs(self.settings)
    }

    /// The duration of one run at each point, in seconds, where the workload knows it from its
    /// parameters (at size x j for weak scaling) and no `--target-ms` calibration changed them.
    fn known_costs(&self, params: &Params) -> Option<Vec<f64>> {
        if self.settings.target.is_some() {
            return None;
        }
        let at = |j: usize| {
            let mut sized = params.clone();
            if self.settings.scaling == Scaling::Weak {
                sized.set("size", self.result.size * j as f64);
            }
            self.workload.known_duration(&sized, j).map(|d| d.as_secs_f64())
        };
        self.result.points.iter().map(|p| at(p.threads)).collect()
    }

    /// The plan against the budget once j = 1 is warmed up (its run took `t1_ns`, its whole
    /// sample `cost_s`): every other count is guessed at T(1)/S(j) from the kind (T(1) x j / S(j)
    /// for weak scaling) plus the harness's cost.
    fn fit_timed_plan(&mut self, sampler: &mut Sampler<'_>, alive: &mut Vec<bool>, t1_ns: u64, cost_s: f64) {
        let t1 = t1_ns as f64 / 1e9;
        self.harness.per_sample = (cost_s - t1 - self.harness.at(1)).max(0.0);
        let (kind, cpus, rounds) = (self.workload.kind(), self.env.cpus, self.minimum_runs());
        let weak = self.settings.scaling == Scaling::Weak;
        let needs: Vec<f64> = (self.result.points.iter().enumerate())
            .map(|(k, p)| {
                let j = p.threads;
                let run = t1 * if weak { j as f64 } else { 1.0 } / budget::guessed_speedup(kind, j, cpus);
                let samples = if k == 0 { rounds } else { rounds + 1.0 };
                if k == 0 { cost_s * samples } else { (run + self.harness.at(j)) * samples }
            })
            .collect();
        self.fit_to_budget(sampler, alive, RunCost::Timed(t1), &needs);
    }

    /// Holds the alive counts, each needing `needs[k]` seconds more, against what is left of the
    /// workload's allowance (`WorkloadShare::plan`): counts leave the plan the costliest first
    /// until it fits (not with `--allow-overrun`), and a plan that does not fit is said now,
    /// before measuring goes on.
    fn fit_to_budget(&mut self, sampler: &mut Sampler<'_>, alive: &mut Vec<bool>, cost: RunCost, needs: &[f64]) {
        let available = self.share.plan.as_secs_f64() - self.spent_s();
        let counts: Vec<(usize, f64)> = (self.result.points.iter().zip(needs).zip(alive.iter()))
            .filter(|(_, alive)| **alive)
            .map(|((p, need), _)| (p.threads, *need))
            .collect();
        let fitted_up_to = if self.workload.kind().waits() { usize::MAX } else { self.env.cpus.usable };
        let fitted = budget::fit(&counts, available, self.settings.allow_overrun, fitted_up_to);
        let (name, rounds, allowance) = (self.workload.name(), self.settings.min_rounds, self.share.plan.as_secs_f64());
        if fitted.needed_kept > fitted.available && !fitted.allow_overrun {
            self.profile_rounds = TIGHT_PROFILE_ROUNDS;
        }
        if let Some(said) = budget::plan_sentence(name, &fitted, cost, &self.harness, rounds, allowance)
            && (!self.budget_said || !fitted.dropped.is_empty())
        {
            self.budget_said = true;
            self.say_now(said);
        }
        for j in fitted.dropped {
            let k = self.result.points.iter().position(|p| p.threads == j).expect("a planned count");
            self.result.points.remove(k);
            alive.remove(k);
            sampler.forget(k);
        }
    }

    /// Whether the warm-up goes on to point `k`: not when the point before it, strong-scaling work
    /// on the default plan, was already far slower than j = 1 and falling (`plan::SLOWER_STOP`);
    /// the limit is recorded. Counts the user asked for are all measured.
    fn extends_past(&mut self, k: usize, warm: &[Option<u64>]) -> bool {
        if k < 2 || self.settings.scaling == Scaling::Weak || !self.planned.default_plan {
            return true;
        }
        let speedup_at = |i: usize| Some(warm[0]? as f64 / warm[i]?.max(1) as f64);
        let (Some(speedup), Some(before)) = (speedup_at(k - 1), speedup_at(k - 2)) else { return true };
        if speedup >= SLOWER_STOP || speedup >= before {
            return true;
        }
        let last = &self.result.points[k - 1];
        let skipped: Vec<String> = self.result.points[k..].iter().map(|p| p.threads.to_string()).collect();
        self.result.limit = Some(PlanLimit {
            threads: last.threads,
            reason: LimitReason::Slower,
            message: format!(
                "stops at {} threads: S = {speedup:.2} there in the warm-up, below {SLOWER_STOP} and falling, so each further count would cost T(1)/S a sample (not measured: j = {})",
                last.threads,
                skipped.join(", ")
            ),
        });
        false
    }

    /// Steps 4 and 5: shuffled rounds until the stop rule says enough; `result.stop` says why. Between
    /// rounds, adaptive placement may add a thread count (`adaptive`).
    fn rounds(&mut self, sampler: &mut Sampler<'_>, alive: &mut Vec<bool>) {
        let mut rng = Pcg64Mcg::seed_from_u64(self.share.seed);
        let mut order: Vec<usize> = (0..alive.len()).collect();
        // A plan of j = 1 alone (`-t 1`, a 1-CPU machine) measures T(1); a plan whose other
        // points all failed has nothing left to compare with j = 1.
        let single = alive.len() == 1;
        self.result.stop = loop {
            if !single && !alive.iter().skip(1).any(|a| *a) {
                break StopReason::Failed;
            }
            order.shuffle(&mut rng);
            let round_started = self.env.clock.now_ns();
            if let Some(stop) = self.one_round(sampler, &order, alive) {
                break stop;
            }
            self.result.rounds += 1;
            (self.env.checkpoint)(&self.result, &mut *self.env.observer);
            let now = self.env.clock.now_ns();
            let spent = Duration::from_nanos(now.saturating_sub(self.started_ns));
            let round = Duration::from_nanos(now.saturating_sub(round_started));
            let worst = worst_half_width(&self.result.points, self.share.seed);
            self.env.observer.round_finished(self.result.rounds, worst, spent, self.share.budget);
            if let Some(stop) = self.stop_rule(worst, spent, round) {
                break stop;
            }
            if self.add_point(sampler, alive, round, spent) {
                order = (0..alive.len()).collect();
            }
        };
    }

    /// Adaptive placement: once the minimum rounds are done, when the budget and `--max-rounds`
    /// leave room for the minimum rounds again, adds the thread count where Amdahl's law and the
    /// USL disagree most (one at a time, each once it has its minimum rounds, at most
    /// `adaptive::MAX_ADDED`); strong scaling of in-process work only. It is warmed up here,
    /// untimed for the fit. True when a count was added.
    fn add_point(
        &mut self,
        sampler: &mut Sampler<'_>,
        alive: &mut Vec<bool>,
        round: Duration,
        spent: Duration,
    ) -> bool {
        let s = self.settings;
        let rounds = self.result.rounds;
        let young = self.result.points.iter().any(|p| p.first_round > 0 && rounds - p.first_round < s.min_rounds);
        let room = self.share.budget.saturating_sub(spent) > round.saturating_mul(2 * s.min_rounds as u32)
            && rounds + s.min_rounds <= s.max_rounds;
        if rounds < s.min_rounds
            || young
            || !room
            || self.result.added.len() >= adaptive::MAX_ADDED
            || s.scaling == Scaling::Weak
            || self.workload.command().is_some()
        {
            return false;
        }
        // Points taken out of the sweep have no samples left, so the curve leaves them out.
        let Some((j, disagreement)) = adaptive::candidate(&self.result.points, &self.context()) else { return false };
        // The warm-up run: its checksum must match j = 1's like every run's.
        if sampler.sample(0, j).is_err() {
            return false;
        }
        let at = self.result.points.partition_point(|p| p.threads < j);
        let mut point = analysis::new_point(j, self.env.cpus);
        point.first_round = rounds;
        self.result.points.insert(at, point);
        alive.insert(at, true);
        self.result.added.push(AddedPoint { threads: j, round: rounds, disagreement });
        true
    }

    /// Step 4: every alive j once in `order`; its samples are kept only if the round completes.
    /// `Some(stop)` when the round could not complete (j = 1 failed, Ctrl-C).
    fn one_round(&mut self, sampler: &mut Sampler<'_>, order: &[usize], alive: &mut [bool]) -> Option<StopReason> {
        let mut round = Vec::with_capacity(alive.len());
        for &k in order {
            if !alive[k] {
                continue;
            }
            if self.env.interrupted.load(Ordering::Relaxed) {
                return Some(StopReason::Interrupted);
            }
            match sampler.sample(k, self.result.points[k].threads) {
                Ok(m) => round.push((k, m)),
                // A command killed because of Ctrl-C did not fail: the run was interrupted.
                Err(_) if self.env.interrupted.load(Ordering::Relaxed) => return Some(StopReason::Interrupted),
                Err(e) if k == 0 => {
                    push_error(&mut self.result.error, e);
                    return Some(StopReason::Failed);
                }
                Err(e) => self.drop_point(k, alive, e),
            }
        }
        let profiles = match self.profile_pass(sampler, order, alive) {
            Ok(profiles) => profiles,
            Err(stop) => return Some(stop),
        };
        for (k, m) in round.into_iter().filter(|(k, _)| alive[*k]) {
            let point = &mut self.result.points[k];
            point.samples_ns.push(m.wall_ns);
            point.cpu_ns.push(m.cpu_ns);
            point.involuntary_context_switches.push(m.involuntary_context_switches);
        }
        for (k, (profile, concurrency)) in profiles.into_iter().filter(|(k, _)| alive[*k]) {
            self.result.points[k].profile.push(profile);
            self.result.points[k].concurrency.extend(concurrency);
        }
        None
    }

    /// Step 4, its profile runs: one at every alive j in `order` still in its first [`PROFILE_ROUNDS`]
    /// rounds (a command's polled, `account::command`). `Err(stop)` when the round cannot
    /// complete (j = 1 failed, Ctrl-C), like [`Sweep::one_round`].
    fn profile_pass(
        &mut self,
        sampler: &mut Sampler<'_>,
        order: &[usize],
        alive: &mut [bool],
    ) -> Result<Vec<(usize, Profiled)>, StopReason> {
        let mut profiles = Vec::new();
        let command = self.workload.command().is_some();
        let rounds = self.result.rounds;
        for &k in order {
            let point = &self.result.points[k];
            if !alive[k] || rounds.saturating_sub(point.first_round) >= self.profile_rounds {
                continue;
            }
            if self.env.interrupted.load(Ordering::Relaxed) {
                return Err(StopReason::Interrupted);
            }
            let j = self.result.points[k].threads;
            if command {
                match sampler.polled(k, j, self.env.cpus.usable) {
                    Ok((m, Some(Ok(poll)))) => {
                        let (sample, histogram) = command::of_poll(&poll, m.wall_ns, m.cpu_ns, j, rounds);
                        profiles.push((k, (sample, Some(histogram))));
                        self.serial_samples.entry(k).or_default().add_samples(&poll.samples, None);
                    }
                    Ok((_, Some(Err(why)))) => {
                        self.warn_once(format!("{}: no thread-time account at j={j}: {why}", self.workload.name()))
                    }
                    Ok((_, None)) => self.warn_once(format!(
                        "{}: no thread-time account: its process tree cannot be polled on this system",
                        self.workload.name()
                    )),
                    Err(_) if self.env.interrupted.load(Ordering::Relaxed) => return Err(StopReason::Interrupted),
                    Err(e) if k == 0 => {
                        push_error(&mut self.result.error, e);
                        return Err(StopReason::Failed);
                    }
                    Err(e) => self.drop_point(k, alive, e),
                }
                continue;
            }
            // The j = 1 profile run of the point's first round times its tasks: the span run.
            let span_run = j == 1 && rounds == self.result.points[k].first_round;
            match sampler.profile(k, j, span_run) {
                Ok((_, Ok(trace))) => {
                    if let amdahl_workloads::RunQueue::Missing(why) = &trace.run_queue {
                        self.warn_once(format!(
                            "{}: run-queue wait is not measured ({why}); the thread-time account counts it as blocked",
                            self.workload.name()
                        ));
                    }
                    profiles.push((k, (ProfileSample::of(&trace, rounds), None)));
                    self.serial_samples.entry(k).or_default().add(&trace);
                    self.function_samples.entry(k).or_default().add(&trace);
                }
                Ok((_, Err(why))) => self.warn_once(format!(
                    "{}: no thread-time account at j={}: {why}",
                    self.workload.name(),
                    self.result.points[k].threads
                )),
                Err(_) if self.env.interrupted.load(Ordering::Relaxed) => return Err(StopReason::Interrupted),
                Err(e) if k == 0 => {
                    push_error(&mut self.result.error, e);
                    return Err(StopReason::Failed);
                }
                Err(e) => self.drop_point(k, alive, e),
            }
        }
        Ok(profiles)
    }

    /// A warning of the workload, said once.
    fn warn_once(&mut self, warning: String) {
        if !self.result.warnings.contains(&warning) {
            self.result.warnings.push(warning);
        }
    }

    /// Step 5: after `min_rounds`, converged, max rounds or budget — in that order; the budget
    /// stops the sweep when another round like the last (`round`) would overrun it. Converged also
    /// needs the rounds to span `state_span` (or the whole share, when less).
    fn stop_rule(&self, worst: Option<f64>, spent: Duration, round: Duration) -> Option<StopReason> {
        let s = self.settings;
        if self.result.rounds < s.min_rounds {
            return None;
        }
        // A count added late converges only once it has the minimum rounds too.
        let rounds = self.result.rounds;
        let young = self.result.points.iter().any(|p| rounds - p.first_round.min(rounds) < s.min_rounds);
        // Not on a within-state interval alone: where the rounds shifted state, the spread between
        // stretches of them must meet the target too (tested only then: the test permutes).
        let spanned = spent >= self.share.budget.min(s.state_span);
        if !young && spanned && worst.is_some_and(|w| w < s.ci_target) && self.states_spread() < s.ci_target {
            Some(StopReason::Converged)
        } else if self.result.rounds >= s.max_rounds {
            Some(StopReason::MaxRounds)
        } else if spent.saturating_add(round) > self.share.budget {
            Some(StopReason::Budget)
        } else {
            None
        }
    }

    /// The largest 95% half-width, relative, that the machine's states put on S(j) over the
    /// points (`stats::states::measured_spread` of their paired ratios), or on T(1) for a sweep of
    /// j = 1 alone; 0 where the rounds show one state.
    fn states_spread(&self) -> f64 {
        let points = &self.result.points;
        let Some(one) = points.first() else { return 0.0 };
        let baseline: Vec<f64> = one.samples_ns.iter().map(|&s| s as f64).collect();
        let seed = self.share.seed;
        let spread = |values: &[f64]| crate::stats::states::measured_spread(values, seed).unwrap_or(0.0);
        let ratios = |p: &Point| -> Option<Vec<f64>> {
            let paired = p.paired_baseline(&baseline)?;
            Some(paired.iter().zip(&p.samples_ns).map(|(a, &b)| a / b as f64).collect())
        };
        let sd = if points.len() == 1 {
            spread(&baseline)
        } else {
            points.iter().skip(1).filter_map(ratios).map(|r| spread(&r)).fold(0.0, f64::max)
        };
        sd * crate::stats::noise_floor::Z95
    }

    /// Step 6: takes a failed point out of the sweep: its samples are dropped (so the others stay
    /// paired) and its error kept, on the point and the workload.
    fn drop_point(&mut self, k: usize, alive: &mut [bool], error: String) {
        alive[k] = false;
        let point = &mut self.result.points[k];
        point.samples_ns.clear();
        point.cpu_ns.clear();
        point.involuntary_context_switches.clear();
        point.profile.clear();
        self.serial_samples.remove(&k);
        self.function_samples.remove(&k);
        point.concurrency.clear();
        point.error = Some(error.clone());
        push_error(&mut self.result.error, error);
    }

    /// `--cleanup`, once after the last run; a failure is a warning (what was measured stands).
    fn cleanup(&mut self) {
        if let Some(cleanup) = &self.hooks.cleanup {
            let name = self.workload.name();
            match run_hook(cleanup, self.settings.timeout.resolve(None)) {
                Ok(left_behind) => self.result.warnings.extend(left_behind.map(|w| format!("{name}: --cleanup: {w}"))),
                Err(e) => self.result.warnings.push(format!("{name}: --cleanup failed: {e}")),
            }
        }
    }

    /// The rerun history and this workload's identity in it, for in-process work when the run
    /// keeps one (`machine::rerun_history`).
    fn reruns(&self) -> Option<(&'e RerunHistory, WorkloadIdentity)> {
        let history = self.env.reruns?;
        Some((history, WorkloadIdentity::of(&self.result, self.hooks, Executable::current()?)?))
    }

    /// Whether this run is one of the machine's states, for its reruns to read: complete, no point
    /// failed, none tagged `disturbed` (other work competing is not a state of the machine).
    fn leaves_a_rerun_sample(&self, analysis: &crate::analysed::Analysis) -> bool {
        matches!(self.result.stop, StopReason::Converged | StopReason::Budget | StopReason::MaxRounds)
            && self.result.error.is_none()
            && self.result.points.iter().all(|p| p.error.is_none())
            && analysis.points.iter().all(|p| p.disturbance.is_none())
    }

    /// The summaries, fits and diagnosis, once two rounds are in.
    fn finish(mut self) -> WorkloadResult {
        let command = self.workload.command().is_some();
        #[cfg(all(feature = "perf-event2", target_os = "linux"))]
        let mut command_symbols = crate::attribution::command_symbols::CommandSymbols::default();
        for (k, tally) in std::mem::take(&mut self.serial_samples) {
            if let Some(point) = self.result.points.get_mut(k) {
                point.serial_where = match command {
                    false => tally.attribute(&mut crate::attribution::symbols::resolve),
                    #[cfg(all(feature = "perf-event2", target_os = "linux"))]
                    true => tally.attribute(&mut |key| command_symbols.resolve(key)),
                    #[cfg(not(all(feature = "perf-event2", target_os = "linux")))]
                    true => tally.attribute(&mut |_| None),
                };
            }
        }
        for (k, tally) in std::mem::take(&mut self.function_samples) {
            if let Some(point) = self.result.points.get_mut(k) {
                point.functions = tally.resolve(&mut crate::attribution::symbols::resolve);
            }
        }
        if self.result.rounds >= 2 {
            let reruns = self.reruns();
            if let Some((history, identity)) = &reruns {
                self.result.rerun_floor = history.floor(identity, SystemTime::now());
            }
            let ctx = self.context();
            let analysis = analysis::analyse(&self.result.points, &ctx);
            let left = reruns.filter(|_| self.leaves_a_rerun_sample(&analysis));
            let sample = left.and_then(|r| Some((r, analysis.rerun_sample()?)));
            self.result.record(analysis);
            if let Some(((history, identity), sample)) = sample
                && let Err(e) = history.record(&identity, &self.result.name, sample, SystemTime::now())
                && history.first_failure()
            {
                self.result.warnings.push(format!(
                    "this run could not be added to the rerun history ({e}); it is in the results file, and later runs' noise floors do without it (said once a run)"
                ));
            }
        }
        let t1 = self.result.points.first().filter(|p| p.threads == 1).and_then(|p| p.median_ns);
        let spec = self.workload.params().iter().find(|s| s.name == "size");
        let command = self.workload.command().is_some();
        if let Some(advice) = t1
            .and_then(|t1| short_sample_advice(self.workload.name(), t1, spec.map(|s| (self.result.size, s)), command))
        {
            self.result.warnings.push(advice);
        }
        for w in self.result.warnings.iter().filter(|w| !self.announced.contains(w)) {
            self.env.observer.warning(w);
        }
        self.result
    }
}

/// The runs each count takes in the minimum rounds (see `Sweep::minimum_runs`): commands take profile runs too.
fn minimum_runs(settings: &SweepSettings) -> f64 {
    let rounds = settings.min_rounds;
    (rounds + rounds.min(PROFILE_ROUNDS)) as f64
}

/// What a workload not yet swept will take at least, in seconds, where its parameters say what a
/// run costs: its warm-up and minimum rounds at j = 1 and its largest count, the two no plan
/// leaves out (`budget`); 0 where the cost is not known before it runs (then nothing is kept for
/// it). The run keeps this much of its budget for it while earlier workloads share out the rest,
/// so they do not spend on rounds beyond their minimum what it cannot do without (the default
/// run's `sleep`, 0.7 s a round at j = 1 and 16, was left 3.5 s for its 7.5 s and overran).
pub fn known_minimum_s(planned: &PlannedWorkload, settings: &SweepSettings) -> f64 {
    if settings.target.is_some() || settings.scaling == Scaling::Weak {
        return 0.0;
    }
    let (workload, params) = (&*planned.spec.workload, &planned.spec.params);
    let counts = planned.threads.counts();
    let ends = [counts.first().copied(), counts.last().copied().filter(|_| counts.len() > 1)];
    let runs = minimum_runs(settings) + 1.0;
    ends.into_iter().flatten().map(|j| workload.known_duration(params, j).map_or(0.0, |d| d.as_secs_f64()) * runs).sum()
}

/// Adds `message` to the workload's errors (`; `-separated, in the order they happened).
fn push_error(error: &mut Option<String>, message: String) {
    *error = Some(match error.take() {
        Some(earlier) => format!("{earlier}; {message}"),
        None => message,
    });
}

/// The largest relative CI half-width of S(j) over the measured points with j > 1 (each paired
/// with the j = 1 samples of its own rounds; infinite for a point added too recently to have two);
/// for a sweep of j = 1 alone, that of T(1)'s median; `None` before two rounds.
fn worst_half_width(points: &[Point], seed: u64) -> Option<f64> {
    let baseline: Vec<f64> = points.first()?.samples_ns.iter().map(|&s| s as f64).collect();
    if baseline.len() < 2 {
        return None;
    }
    if points.len() == 1 {
        return Some(median_half_width(&baseline, seed));
    }
    points
        .iter()
        .skip(1)
        .filter_map(|p| Some((p, p.paired_baseline(&baseline)?)))
        .map(|(p, paired)| {
            if paired.len() < 2 {
                return f64::INFINITY;
            }
            let tj: Vec<f64> = p.samples_ns.iter().map(|&s| s as f64).collect();
            paired_speedup(paired, &tj, seed).relative_half_width()
        })
        .reduce(f64::max)
        .or(Some(0.0))
}

/// The relative half-width of the bootstrap 95% CI of the median of `samples` (infinite when it
/// cannot be computed).
fn median_half_width(samples: &[f64], seed: u64) -> f64 {
    let mut scratch = Vec::with_capacity(samples.len());
    let ci = crate::stats::Bootstrap::new(seed, samples.len()).ci95(|idx| {
        scratch.clear();
        scratch.extend(idx.iter().map(|&i| samples[i]));
        crate::stats::median(&scratch)
    });
    let centre = crate::stats::median(samples);
    match ci {
        Some([lo, hi]) if centre > 0.0 && (hi - lo).is_finite() => (hi - lo) / 2.0 / centre,
        _ => f64::INFINITY,
    }
}

/// Times single runs and checks every checksum: against the j = 1 run for strong scaling (the
/// parallel result must equal the serial one), against the first run at the same j for weak
/// scaling (where each j has its own amount of work).
struct Sampler<'a> {
    name: String,
    guard: Guard<'a>,
    clock: &'a dyn Clock,
    instances: Vec<Box<dyn Instance>>,
    references: Vec<Option<Checksum>>,
    weak: bool,
    /// Whether the workload is a command (its CPU time is its processes', not the team's).
    command: bool,
    /// `--prepare`, run before every sample, untimed.
    prepare: Option<String>,
    /// What runs left behind (a command's daemon), each said once.
    left_behind: Vec<String>,
    /// Where each sample's team comes from.
    teams: Teams,
}

impl Sampler<'_> {
    /// Forgets point `k` left out of the plan: its instance and reference, for weak scaling.
    fn forget(&mut self, k: usize) {
        if self.weak {
            self.instances.remove(k);
            self.references.remove(k);
        }
    }

    /// One sample at point `point` (its instance and reference for weak scaling), on a team of
    /// `j` built for it and given back after it, untimed.
    fn sample(&mut self, point: usize, j: usize) -> Result<Measurement, String> {
        self.take(point, j, |instance, team, clock, cpu, guard, site| {
            let (sampled, left_behind) = run_sample(instance, team, clock, cpu, guard, site);
            (sampled.map(|s| (s, ())), left_behind)
        })
        .map(|(m, ())| m)
    }

    /// A command's profile run at `point` on a team of `j`: its measurement and what the poller
    /// saw of its process tree on a machine of `cpus` usable CPUs (`None`: the instance cannot be
    /// polled).
    fn polled(
        &mut self,
        point: usize,
        j: usize,
        cpus: usize,
    ) -> Result<(Measurement, Option<Result<TreePoll, String>>), String> {
        self.take(point, j, |instance, team, clock, cpu, guard, site| {
            let pollable = instance.poll_next_run(cpus);
            let (sampled, left_behind) = run_sample(instance, team, clock, cpu, guard, site);
            let poll = instance.take_poll().filter(|_| pollable);
            (sampled.map(|s| (s, poll)), left_behind)
        })
    }

    /// A profile run at `point` on a team of `j`: its measurement and the team's trace, or why
    /// there is none.
    /// With `time_tasks`, the run times every task (a span run, `account::work_span`).
    fn profile(
        &mut self,
        point: usize,
        j: usize,
        time_tasks: bool,
    ) -> Result<(Measurement, Result<Trace, String>), String> {
        self.take(point, j, |instance, team, clock, cpu, guard, site| {
            team.time_tasks_in_profiles(time_tasks);
            run_profile_sample(instance, team, clock, cpu, guard, site)
        })
    }

    /// One run at `point` on a team of `j` through `run` ([`run_sample`] or
    /// [`run_profile_sample`]): `--prepare` first, the checksum checked after.
    fn take<X>(
        &mut self,
        point: usize,
        j: usize,
        run: impl FnOnce(&mut dyn Instance, &Team, &dyn Clock, CpuSource<'_>, &Guard<'_>, &SampleSite<'_>) -> Taken<X>,
    ) -> Result<(Measurement, X), String> {
        if let Some(prepare) = &self.prepare {
            let left_behind = run_hook(&prepare.replace("{threads}", &j.to_string()), self.guard.timeout)
                .map_err(|e| format!("workload `{}`: --prepare failed at j={j}: {e}", self.name))?;
            if let Some(warning) = left_behind.map(|w| format!("{}: --prepare: {w}", self.name))
                && !self.left_behind.contains(&warning)
            {
                self.left_behind.push(warning);
            }
        }
        let slot = if self.weak { point } else { 0 };
        let team = self.teams.team(j).map_err(|e| format!("workload `{}` at j={j}: {e}", self.name))?;
        // When a thread of ours was still running as the sample started, its preemptions may be
        // the run's own: they are not counted against the machine.
        let parked = self.teams.parked();
        // In-process work counts its team's workers; a command, its processes.
        let team_cpu = || team.cpu_ns();
        let cpu = if self.command { CpuSource::Process } else { CpuSource::Threads(&team_cpu) };
        let during = format!("at j={j}");
        let site = SampleSite { name: &self.name, during: &during };
        let (sampled, left_behind) = run(self.instances[slot].as_mut(), &team, self.clock, cpu, &self.guard, &site);
        drop(team);
        if let Some(warning) = left_behind
            && !self.left_behind.contains(&warning)
        {
            self.left_behind.push(warning);
        }
        let (Sample { mut measurement, checksum }, extra) = sampled?;
        if !parked {
            measurement.involuntary_context_switches = None;
        }
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
        Ok((measurement, extra))
    }
}
