//! From raw samples to numbers: every summary of a workload's points, the fitted models and the
//! diagnosis, returned as the analysis's own values ([`Analysis`], see `analysed`); `results`
//! records them in the file (`WorkloadResult::record`).
//!
//! This is the one place where samples become statistics, used by `measure run` after each round
//! (to decide when to stop) and at the end, and by any command that recomputes from a results file.
//!
//! Per point (ARCHITECTURE.md, `analysis`): median T(j) with a bootstrap CI, MAD, mean, sd; S(j) as the
//! median of paired per-round ratios T1/Tj with a bootstrap CI over rounds (`stats::speedup`);
//! efficiency S/j; Karp–Flatt e(j) with its CI; utilisation CPU / (wall x min(j, usable CPUs)).
//! Then the models of `fit` on the points that belong in the fit, with bootstrap CIs over rounds
//! (every resample draws whole rounds, so each round's T(1) stays paired with its T(j)), the better
//! model marked, and the diagnosis: a verdict and the sentence rendered from it. For weak scaling (the work grows with j) the speedup is
//! the scaled speedup j T(1)/T(j), Karp–Flatt does not apply, and Gustafson's law is fitted.

use std::sync::Arc;

use amdahl_workloads::Kind;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::account::cause::AccountAt;
use crate::account::{Cause, Reference, TimeParts, WorkSpan};
use crate::analysed::{Analysis, Disturbance, PointSummary};
use crate::fit::diagnose::{Diagnosed, Evidence, MachineCeiling, diagnose};
use crate::fit::{self, AmdahlFit, Curve, Fits, Loss, karp_flatt};
use crate::results::{Ceilings, Point, ResultsFile, Tag};
use crate::scaling::Scaling;
use crate::stats::reruns::RerunFloor;
use crate::stats::states::{self, Shift};
use crate::stats::{Bootstrap, NoiseFloor, Summary, finite, median, noise_floor, paired_speedup};
use crate::thread_set::CpuCounts;

pub mod stretches;

/// The seed of workload `index` of a run: the run's seed mixed with the index, so the workloads of
/// one run draw different round orders and bootstrap resamples. The sweep and every command that
/// re-analyses a results file use this, so they get the same intervals from the same samples.
pub fn workload_seed(run_seed: u64, index: usize) -> u64 {
    run_seed ^ (index as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// What analysing one workload's points needs besides the points: the machine, the kind of work,
/// the scaling and the seed. The sweep builds it from its settings; every command that re-analyses
/// a results file reads it from the file ([`AnalysisContext::of`]), so both get the same numbers
/// from the same samples.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisContext {
    /// The machine's usable CPUs and physical cores.
    pub cpus: CpuCounts,
    /// The workload's kind.
    pub kind: Kind,
    /// Strong or weak.
    pub scaling: Scaling,
    /// The seed it was measured with ([`workload_seed`]).
    pub seed: u64,
    /// The machine's load when the run started, when known (`Machine::start_load`: the busy
    /// sample's, else the 1-minute load average).
    pub load: Option<f64>,
    /// Bytes one run moves, for work that reports bandwidth.
    pub bytes_per_run: Option<u64>,
    /// Whether the workload is an external command (its processes are not bounded by j).
    pub command: bool,
    /// The machine's own ceilings, when measured: each point's `machine_speedup` and `fidelity`.
    pub ceilings: Option<Arc<Ceilings>>,
    /// The work's independent tasks per run, when known (the granularity bound).
    pub tasks: Option<usize>,
    /// The loss Amdahl's law and the USL are fitted with (`Loss::Log` but for
    /// `measure fit --loss absolute`).
    pub loss: Loss,
    /// The run-to-run noise floor added to the intervals of T(j) and S(j) and to the curve's
    /// bootstrap replicates (`stats::noise_floor`; none for files from before it).
    pub noise: NoiseFloor,
    /// The spread the workload's earlier runs on the machine measured (`stats::reruns`), which
    /// raises the floor where larger ([`AnalysisContext::floor_at`]); `None` without one.
    pub reruns: Option<RerunFloor>,
    /// Whether the machine's states are read from the rounds in time order (`stats::states`): the
    /// spread between stretches of rounds, where larger than the floor, widens the intervals, and
    /// shifts of T(1) and S(j) are found. Files of schema version 4 on; older files are explained
    /// as they were.
    pub states: bool,
}

impl AnalysisContext {
    /// The run-level standard deviations of T(j) (`time`) and S(j) (`speedup`) at `threads`,
    /// before the run's own states: the noise floor's, each raised where the reruns measured
    /// more (T(j) at j > 1 moves by T(1)'s and S(j)'s, in quadrature).
    pub fn floor_at(&self, threads: usize) -> NoiseFloor {
        let reruns = self.reruns.as_ref();
        let time = self.noise.time.max(reruns.map_or(0.0, |r| r.time));
        let speedup = self.noise.speedup.max(reruns.map_or(0.0, |r| r.speedup_at(threads)));
        NoiseFloor { time: NoiseFloor { time, speedup }.time_at(threads), speedup }
    }

    /// The context of workload `index` of `results`.
    pub fn of(results: &ResultsFile, index: usize) -> AnalysisContext {
        let w = &results.workloads[index];
        AnalysisContext {
            cpus: results.machine.cpu_counts(),
            kind: w.kind,
            scaling: w.scaling,
            seed: workload_seed(results.run.seed, index),
            load: results.machine.start_load(),
            bytes_per_run: w.bytes_per_run,
            command: w.command.is_some(),
            ceilings: results.machine.ceilings.clone().map(Arc::new),
            tasks: w.tasks,
            loss: Loss::Log,
            noise: results.config.noise_floor().of(w.command.is_some()),
            reruns: w.rerun_floor.clone(),
            states: results.schema_version >= 4,
        }
    }
}

/// An empty point for `threads`, tagged for this machine.
pub fn new_point(threads: usize, cpus: CpuCounts) -> Point {
    let mut tags = Vec::new();
    if threads > cpus.usable {
        tags.push(Tag::Oversubscribed);
    }
    // SMT siblings exist among the usable CPUs only when there are fewer physical cores.
    if threads > cpus.physical && cpus.physical < cpus.usable {
        tags.push(Tag::Smt);
    }
    Point { threads, tags, ..Point::default() }
}

/// Analyses one workload's points (ascending threads, the first at j = 1): every point's
/// summary, the fits and the diagnosis. `results` records it in the file
/// (`WorkloadResult::record`).
pub fn analyse(points: &[Point], ctx: &AnalysisContext) -> Analysis {
    let summaries = summarise(points, ctx);
    let (fits, mut diagnosis) = fit(points, &summaries, ctx);
    let cause = diagnosis.as_mut().and_then(|d| {
        let accounts: Vec<AccountAt<'_>> = summaries
            .iter()
            .filter_map(|s| Some(AccountAt { threads: s.threads, parts: s.time_parts.as_ref()? }))
            .collect();
        // Beyond the usable CPUs, work that computes only shows its own threads waiting for one.
        let limit = if ctx.kind.waits() { usize::MAX } else { ctx.cpus.usable };
        let cause = Cause::read(&d.diagnosis, &fits, &accounts, limit)?;
        // Right after the reading it is beside: the machine's clause and a disturbance follow.
        d.insert_after_words(&if ctx.command {
            cause.command_clause(Some(ctx.kind))
        } else {
            cause.clause(Some(ctx.kind))
        });
        let threads = match &cause {
            Cause::SerialShare { threads, .. } | Cause::Grows { threads, .. } => *threads,
        };
        let point = points.iter().find(|p| p.threads == threads);
        let parts = summaries.iter().find(|s| s.threads == threads).and_then(|s| s.time_parts.as_ref());
        if let Some(named) =
            crate::attribution::sentence::clause(&cause, point.and_then(|p| p.serial_where.as_ref()), parts)
        {
            d.insert_after_words(&named);
        }
        let functions = point.and_then(|p| p.functions.as_ref());
        if let Some(blamed) = crate::attribution::blame::clause(&cause, functions, parts) {
            d.insert_after_words(&blamed);
        }
        let one = points.iter().find(|p| p.threads == 1).and_then(|p| p.functions.as_ref());
        let work = if ctx.scaling == crate::scaling::Scaling::Weak { threads as f64 } else { 1.0 };
        if let Some(grown) = crate::attribution::growth::clause(&cause, one, functions, work) {
            d.insert_after_words(&grown);
        }
        Some(cause)
    });
    if let (Some(d), Some(clause)) = (diagnosis.as_mut(), work_span_clause(points, &summaries)) {
        d.insert_after_words(&clause);
    }
    if let (Some(d), Some(clause)) = (diagnosis.as_mut(), states_clause(&summaries)) {
        d.sentence.push_str(&clause);
    }
    Analysis { points: summaries, fits, diagnosis, cause }
}

/// The work/span bound's clause (`account::work_span`) where it binds on the measured curve, from
/// the j = 1 point's span runs against its timed median T(1).
fn work_span_clause(points: &[Point], summaries: &[PointSummary]) -> Option<String> {
    let one = points.iter().find(|p| p.threads == 1)?;
    let t1 = summaries.iter().find(|s| s.threads == 1).and_then(|s| s.median_ns);
    let ws = WorkSpan::of(&one.profile, t1)?;
    let measured = summaries.iter().filter(|s| s.threads > 1 && s.speedup.is_some());
    let largest = measured.clone().map(|s| s.threads).max()?;
    let above = measured.clone().any(|s| s.speedup_ci95.is_some_and(|[lo, _]| lo > ws.bound.high()));
    ws.clause(largest, above)
}

/// What the sentence says of the machine's states when the rounds shifted (`stats::states`):
/// the largest j whose S(j) shifted, with its two levels, and T(1)'s shift when it moved too
/// ("S(2) is 1.65 or 1.82 depending on the machine's state: T(1) moved -8.9% at round 40 of 100").
fn states_clause(summaries: &[PointSummary]) -> Option<String> {
    let one = summaries.first().filter(|s| s.threads == 1).and_then(|s| s.shift);
    let t1 = one.map(|s| {
        format!(
            "T(1) moved {:+.1}% at round {} of {} ({:.2} to {:.2} ms)",
            s.change * 100.0,
            s.at + 1,
            s.of,
            s.before / 1e6,
            s.after / 1e6
        )
    });
    let speedup = summaries.iter().rev().find(|s| s.threads > 1 && s.shift.is_some());
    match (speedup, t1) {
        (Some(p), t1) => {
            let s = p.shift?;
            let (low, high) = (s.before.min(s.after), s.before.max(s.after));
            let why = t1.unwrap_or_else(|| format!("it shifted at round {} of {}", s.at + 1, s.of));
            Some(format!(
                "; S({j}) is {low:.2} or {high:.2} depending on the machine's state, which changed during the run: {why}",
                j = p.threads
            ))
        }
        (None, Some(t1)) => Some(format!("; the machine's state changed during the run: {t1}, S(j) did not move")),
        (None, None) => None,
    }
}

/// The summary of every point of `points` (ascending threads, the first at j = 1) whose samples
/// pair with j = 1's; none without a point at j = 1.
pub fn summarise(points: &[Point], ctx: &AnalysisContext) -> Vec<PointSummary> {
    let AnalysisContext { cpus, seed, scaling, .. } = *ctx;
    let ceiling = |j: usize| ctx.ceilings.as_ref().and_then(|c| c.speedup_for(ctx.kind, j));
    let Some(one) = points.iter().find(|p| p.threads == 1) else {
        return Vec::new();
    };
    let baseline = as_f64(&one.samples_ns);
    // The thread-time account's references: the work's CPU time at one thread and T(1).
    let one_cpu: Vec<f64> =
        one.profile.iter().filter(|s| s.longest_tasks_ns.is_none()).map(|s| s.work_cpu_ns as f64).collect();
    let useful_one = (!one_cpu.is_empty()).then(|| median(&one_cpu));
    let t1 = (!baseline.is_empty()).then(|| median(&baseline));
    let mut summaries = Vec::with_capacity(points.len());
    for point in points {
        let samples = as_f64(&point.samples_ns);
        let Some(paired) = point.paired_baseline(&baseline).filter(|_| !samples.is_empty()) else { continue };
        let point_seed = point_seed(seed, point.threads);
        let summary = Summary::of(&samples);
        let ratios: Vec<f64> = paired.iter().zip(&samples).map(|(t1, tj)| t1 / tj).collect();
        let states = States::of(point.threads, &samples, &ratios, point_seed, ctx);
        let mut scratch = Vec::with_capacity(samples.len());
        let median_ns_own_ci95 = Bootstrap::new(point_seed, samples.len()).ci95(|idx| {
            scratch.clear();
            scratch.extend(idx.iter().map(|&i| samples[i]));
            median(&scratch)
        });
        let median_ns_ci95 = median_ns_own_ci95.map(|ci| noise_floor::widen(ci, summary.median, states.time_sd));
        let s = paired_speedup(paired, &samples, point_seed);
        // Weak scaling: j times the work in T(j), so the scaled speedup is j T(1)/T(j).
        let scale = if scaling == Scaling::Weak { point.threads as f64 } else { 1.0 };
        let speedup = finite(s.speedup * scale);
        let speedup_own_ci95 = Some(s.ci95.map(|x| x * scale)).filter(|ci| ci.iter().all(|x| x.is_finite()));
        let speedup_ci95 = speedup_own_ci95.map(|ci| match speedup {
            Some(estimate) if point.threads > 1 => noise_floor::widen(ci, estimate, states.speedup_sd),
            _ => ci,
        });
        let strong = scaling == Scaling::Strong;
        let busy = point.threads.min(cpus.usable).max(1) as f64;
        // Below MIN_JUDGED_SAMPLE_NS the CPU clocks' own reads are a visible part of the CPU time
        // (a 30 ns closure read 22.7): utilisation is not measurable there, and left out.
        let utilisation: Vec<f64> = point
            .cpu_ns
            .iter()
            .zip(&point.samples_ns)
            .filter(|(_, wall)| **wall >= MIN_JUDGED_SAMPLE_NS)
            .filter_map(|(cpu, wall)| cpu.map(|c| c as f64 / (*wall as f64 * busy)))
            .collect();
        let machine_speedup = ceiling(point.threads);
        summaries.push(PointSummary {
            threads: point.threads,
            median_ns: finite(summary.median),
            median_ns_ci95,
            median_ns_own_ci95,
            mad_ns: finite(summary.mad),
            mean_ns: finite(summary.mean),
            sd_ns: finite(summary.sd),
            speedup,
            speedup_ci95,
            speedup_own_ci95,
            efficiency: finite(s.speedup * scale / point.threads as f64),
            karp_flatt: if strong { karp_flatt::karp_flatt(point.threads, s.speedup) } else { None },
            karp_flatt_ci95: if strong {
                speedup_ci95.and_then(|ci| karp_flatt::karp_flatt_ci(point.threads, ci))
            } else {
                None
            },
            utilisation: if utilisation.is_empty() { None } else { finite(median(&utilisation)) },
            machine_speedup,
            fidelity: speedup.zip(machine_speedup).and_then(|(s, m)| finite(s / m)),
            disturbance: disturbance(point, ctx),
            time_parts: TimeParts::of(
                &point.profile,
                point.threads,
                Reference {
                    useful_ns: useful_one.map(|u| u * if strong { 1.0 } else { point.threads as f64 }),
                    t1_ns: t1,
                    timed_ns: &point.samples_ns,
                    first_round: point.first_round,
                },
            ),
            shift: states.shift,
        });
    }
    summaries
}

/// The seed of the point at `threads` of a workload seeded `seed`: its bootstraps and its test of
/// the machine's states.
fn point_seed(seed: u64, threads: usize) -> u64 {
    seed ^ (threads as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// What the machine's states do to one point (`stats::states`): the run-level standard deviations
/// its intervals are widened by, and the shift found in its rounds.
struct States {
    /// Of T(j): the noise floor's, or the spread between stretches of the point's rounds where
    /// larger.
    time_sd: f64,
    /// Of S(j), likewise from the paired ratios T1/Tj of its rounds.
    speedup_sd: f64,
    /// T(1)'s shift at j = 1, S(j)'s beyond.
    shift: Option<Shift>,
}

impl States {
    /// The states of the point at `threads` with its `samples` and paired `ratios` (T1/Tj per
    /// round, in time order); the floor alone for files from before them (`ctx.states`).
    fn of(threads: usize, samples: &[f64], ratios: &[f64], seed: u64, ctx: &AnalysisContext) -> States {
        let at = ctx.floor_at(threads);
        let floor = States { time_sd: at.time, speedup_sd: at.speedup, shift: None };
        if !ctx.states {
            return floor;
        }
        let shift = states::shift(if threads > 1 { ratios } else { samples }, seed);
        States {
            time_sd: floor.time_sd.max(states::measured_spread(samples, seed).unwrap_or(0.0)),
            // One rule for T(j), S(j) and the fits' replicates: the spread counts where the
            // stretches differ beyond chance or one shift was found (`states::measured_spread`).
            speedup_sd: if threads > 1 {
                floor.speedup_sd.max(states::measured_spread(ratios, seed).unwrap_or(0.0))
            } else {
                floor.speedup_sd
            },
            shift,
        }
    }
}

/// The lowest utilisation of a CPU-bound sample that counts as busy.
pub const BUSY_UTILISATION: f64 = 0.9;
/// The largest share of a profile run's thread-time its threads may spend in the run queue
/// (runnable, waiting for a CPU) and count as quiet, with no more threads than usable CPUs: the
/// same 10% a CPU-bound sample may lose before it is not busy ([`BUSY_UTILISATION`]). On a quiet
/// machine our own threads never wait for each other's CPUs there; beside two busy loops on the
/// 2-CPU VM the bench's profile runs waited 50-60% of their thread-time.
pub const MAX_QUIET_RUN_QUEUE: f64 = 0.10;
/// The highest rate of involuntary context switches per thread-second that counts as quiet (a
/// thread that shares its CPU with another runnable task is preempted at every scheduler tick,
/// 100 to 1000 times a second).
pub const QUIET_PREEMPTIONS_PER_S: f64 = 100.0;

/// The shortest sample whose signals are judged: below 1 ms one preemption reads as a thousand a
/// second and utilisation includes the timer's own cost.
pub const MIN_JUDGED_SAMPLE_NS: u64 = 1_000_000;

/// A sample at least this many times the point's median wall time is a gross outlier when its CPU
/// time is not above [`OUTLIER_CPU_FACTOR`] times the point's median CPU time: the work waited
/// (a SIGSTOP, a suspended VM), it did not do more.
pub const OUTLIER_WALL_FACTOR: f64 = 5.0;
/// See [`OUTLIER_WALL_FACTOR`].
pub const OUTLIER_CPU_FACTOR: f64 = 2.0;

/// Whether other work competed for the CPUs while `point` was measured, for work whose threads
/// compute (parallel, synthetic and memory-bound kinds) at up to N threads: one gross outlier
/// ([`OUTLIER_WALL_FACTOR`], among at least three samples), or 40% of its samples (at least two)
/// show more than [`QUIET_PREEMPTIONS_PER_S`] involuntary context switches per thread-second, or,
/// at j = 1, utilisation below [`BUSY_UTILISATION`], or (files of version 4 on) a stretch of its
/// rounds whose CPU time per run or utilisation departs from the other stretches'
/// ([`stretches`]: a CPU taken away for a while), or (version 4 on) 40% of its profile runs (at least two) waited
/// in the run queue for more than [`MAX_QUIET_RUN_QUEUE`] of their thread-time (the account's
/// run-queue part, measured from each thread's schedstat).
/// - Only such kinds: threads that wait (I/O, sleep, a barrier per step) are preempted by their own
///   team's wake-ups — 1,500 a second for `sleep` on an idle machine — and idle by design.
/// - Only up to N: beyond it our own threads preempt each other.
/// - Preemption and the run queue not for commands: `make -j` runs more processes than j (a
///   shell and a compiler per job), which preempt each other.
/// - Utilisation only at j = 1: there one thread does all the work, while at j > 1 threads also
///   idle through the program's own serial part, which is what the sweep measures.
fn disturbance(point: &Point, ctx: &AnalysisContext) -> Option<Disturbance> {
    let computes = matches!(ctx.kind, Kind::Parallel | Kind::Synthetic | Kind::MemoryBound);
    if !computes || point.threads > ctx.cpus.usable {
        return None;
    }
    let cpu_bound = point.threads == 1;
    let busy = point.threads as f64;
    let mut d = Disturbance {
        flagged_samples: 0,
        samples: point.samples_ns.iter().filter(|&&w| w >= MIN_JUDGED_SAMPLE_NS).count(),
        low_utilisation: 0,
        preempted: 0,
        outliers: 0,
        min_utilisation: None,
        max_preemptions_per_s: None,
        stretches: Vec::new(),
        run_queue_runs: 0,
        max_run_queue_share: None,
    };
    // The thread-time account's run-queue wait of each profile run, where measured.
    let run_queue: Vec<f64> = (point.profile.iter())
        .filter(|s| s.wall_ns >= MIN_JUDGED_SAMPLE_NS)
        .filter_map(|s| Some(s.run_queue_ns? as f64 / (s.wall_ns as f64 * busy)))
        .collect();
    d.run_queue_runs = run_queue.iter().filter(|&&q| q > MAX_QUIET_RUN_QUEUE).count();
    d.max_run_queue_share = run_queue.iter().copied().reduce(f64::max);
    // Files of version 4 on (older ones are explained as they were).
    let waited = ctx.states && !ctx.command && d.run_queue_runs >= 2 && d.run_queue_runs * 5 >= run_queue.len() * 2;
    let walls = as_f64(&point.samples_ns);
    let median_wall = if walls.len() >= 3 { median(&walls) } else { f64::INFINITY };
    let cpus: Vec<f64> = point.cpu_ns.iter().flatten().map(|&c| c as f64).collect();
    let median_cpu = (cpus.len() == walls.len() && !cpus.is_empty()).then(|| median(&cpus));
    for (i, &wall) in point.samples_ns.iter().enumerate().filter(|(_, w)| **w >= MIN_JUDGED_SAMPLE_NS) {
        let seconds = wall as f64 / 1e9;
        let util = point.cpu_ns.get(i).copied().flatten().map(|c| c as f64 / (wall as f64 * busy));
        let rate = point.involuntary_context_switches.get(i).copied().flatten().map(|n| n as f64 / (seconds * busy));
        let low = cpu_bound && util.is_some_and(|u| u < BUSY_UTILISATION);
        let preempted = !ctx.command && rate.is_some_and(|r| r > QUIET_PREEMPTIONS_PER_S);
        let cpu = point.cpu_ns.get(i).copied().flatten().map(|c| c as f64);
        let paused = wall as f64 >= OUTLIER_WALL_FACTOR * median_wall
            && match (cpu, median_cpu) {
                (Some(c), Some(m)) => c <= OUTLIER_CPU_FACTOR * m,
                _ => true,
            };
        d.low_utilisation += usize::from(low);
        d.preempted += usize::from(preempted);
        d.outliers += usize::from(paused);
        d.flagged_samples += usize::from(low || preempted || paused);
        d.min_utilisation = util.map(|u| d.min_utilisation.map_or(u, |m| m.min(u))).or(d.min_utilisation);
        d.max_preemptions_per_s =
            rate.map(|r| d.max_preemptions_per_s.map_or(r, |m| m.max(r))).or(d.max_preemptions_per_s);
    }
    // A stretch of rounds (files of version 4 on): every sample judged, with its CPU time.
    let judged = point.samples_ns.iter().all(|&w| w >= MIN_JUDGED_SAMPLE_NS);
    if ctx.states && judged && cpus.len() == walls.len() {
        d.stretches = stretches::disturbed(&cpus, &walls, busy);
    }
    (d.outliers > 0
        || !d.stretches.is_empty()
        || waited
        || (d.flagged_samples >= 2 && d.flagged_samples * 5 >= d.samples * 2))
        .then_some(d)
}

/// Whether a point belongs in the fit: every point for work whose threads mostly wait; otherwise
/// only points with no more threads than usable CPUs (beyond that, time-slicing, not the program,
/// shapes the curve).
pub fn in_fit(point: &Point, ctx: &AnalysisContext) -> bool {
    ctx.kind.waits() || point.threads <= ctx.cpus.usable
}

/// Builds the curve the models are fitted to from the points that belong in the fit (paired
/// rounds; scaled by j for weak scaling). `None` without j = 1 and equal rounds at every point.
pub fn curve_to_fit(points: &[Point], ctx: &AnalysisContext) -> Option<Curve> {
    paired_curve(points, ctx, Some(ctx.seed ^ 0xa5a5_a5a5))
}

/// The curve of [`curve_to_fit`] without bootstrap replicates: its point estimates, for decisions
/// that need no interval (adaptive placement between rounds).
pub fn estimate_curve(points: &[Point], ctx: &AnalysisContext) -> Option<Curve> {
    paired_curve(points, ctx, None)
}

fn paired_curve(points: &[Point], ctx: &AnalysisContext, seed: Option<u64>) -> Option<Curve> {
    let used: Vec<&Point> = points.iter().filter(|p| in_fit(p, ctx) && !p.samples_ns.is_empty()).collect();
    if used.first()?.threads != 1 || used.iter().any(|p| p.paired_baseline(&used[0].samples_ns).is_none()) {
        return None;
    }
    let threads: Vec<usize> = used.iter().map(|p| p.threads).collect();
    let samples: Vec<Vec<f64>> = used.iter().map(|p| as_f64(&p.samples_ns)).collect();
    let first: Vec<usize> = used.iter().map(|p| p.first_round).collect();
    let mut curve = match seed {
        Some(seed) => Curve::from_paired_rounds_from(&threads, &samples, &first, seed),
        None => Curve::paired_estimates(&threads, &samples, &first),
    }
    .with_loss(ctx.loss);
    if ctx.scaling == Scaling::Weak {
        for values in std::iter::once(&mut curve.values).chain(curve.replicates.iter_mut()) {
            values.iter_mut().zip(&threads).for_each(|(v, &j)| *v *= j as f64);
        }
    }
    if let Some(seed) = seed {
        // Each j's run-level sd: the floor, or its ratios' spread between stretches where larger.
        let sds: Vec<f64> = (samples.iter().zip(&first).enumerate())
            .map(|(k, (s, &f))| {
                let ratios: Vec<f64> =
                    samples[0][f.min(samples[0].len())..].iter().zip(s).map(|(a, b)| a / b).collect();
                let j_seed = point_seed(ctx.seed, threads[k]);
                let measured = if ctx.states { states::measured_spread(&ratios, j_seed).unwrap_or(0.0) } else { 0.0 };
                ctx.floor_at(threads[k]).speedup.max(measured)
            })
            .collect();
        add_run_noise(&mut curve, &threads, &sds, seed);
    }
    Some(curve)
}

/// Multiplies each bootstrap replicate's value at every j > 1 by an independent log-normal factor
/// of relative standard deviation `sds[k]` (the noise floor of S, or the spread measured between
/// stretches of the rounds at that j): the run-to-run part of the uncertainty that resampling one
/// run's rounds cannot see, so every interval computed from the replicates (B's, the USL's,
/// `compare`'s) includes it. Seeded: every reader draws the same.
fn add_run_noise(curve: &mut Curve, threads: &[usize], sds: &[f64], seed: u64) {
    if sds.iter().all(|sd| sd.is_nan() || *sd <= 0.0) {
        return;
    }
    let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0x6e6f_6973_6566_6c72);
    for replicate in &mut curve.replicates {
        for ((value, &j), &sd) in replicate.iter_mut().zip(threads).zip(sds) {
            let z = noise_floor::standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
            if j > 1 && sd > 0.0 {
                *value *= (sd * z).exp();
            }
        }
    }
}

/// Fits the models to the points (raw samples are enough: the curve is rebuilt from them) and
/// diagnoses the curve from the points' `summaries` ([`summarise`]): a verdict and its sentence.
pub fn fit(points: &[Point], summaries: &[PointSummary], ctx: &AnalysisContext) -> (Fits, Option<Diagnosed>) {
    let Some(curve) = curve_to_fit(points, ctx) else {
        let reason = "needs j = 1 and at least one more thread count, with the same rounds at each".to_owned();
        let amdahl = AmdahlFit::not_fitted(Vec::new(), reason);
        return (Fits { amdahl: Some(amdahl), ..Fits::default() }, None);
    };
    let fits = match ctx.scaling {
        Scaling::Strong => fit::fit_curve(&curve),
        Scaling::Weak => fit::fit_weak_curve(&curve),
    };
    // The diagnosis sees every measured point, oversubscribed ones too.
    let failed = |j: usize| points.iter().any(|p| p.threads == j && p.error.is_some());
    let seen: Vec<&PointSummary> = summaries.iter().filter(|s| s.speedup.is_some() && !failed(s.threads)).collect();
    let threads: Vec<usize> = seen.iter().map(|p| p.threads).collect();
    let speedups: Vec<f64> = seen.iter().filter_map(|p| p.speedup).collect();
    let intervals: Vec<Option<[f64; 2]>> = seen.iter().map(|p| p.speedup_ci95).collect();
    // Utilisation of samples under 1 ms is mostly waking the threads: not evidence of other work.
    let utilisation: Vec<Option<f64>> = seen
        .iter()
        .map(|p| p.utilisation.filter(|_| p.median_ns.is_some_and(|m| m >= MIN_JUDGED_SAMPLE_NS as f64)))
        .collect();
    let disturbed: Vec<bool> = seen.iter().map(|p| p.disturbance.is_some()).collect();
    let fastest_ns = seen.iter().filter_map(|p| p.median_ns).fold(f64::INFINITY, f64::min);
    let one_ns = seen.first().filter(|p| p.threads == 1).and_then(|p| p.median_ns).unwrap_or(f64::NAN);
    let bandwidth_gb_s = ctx
        .bytes_per_run
        .map(|b| [b as f64 / one_ns, b as f64 / fastest_ns])
        .filter(|g| g.iter().all(|x| x.is_finite()));
    let diagnosis = diagnose(&Evidence {
        kind: Some(ctx.kind),
        threads: &threads,
        speedups: &speedups,
        intervals: &intervals,
        rounding: &[],
        utilisation: &utilisation,
        disturbed: &disturbed,
        cpus: Some(ctx.cpus),
        load: ctx.load,
        bandwidth_gb_s,
        bandwidth_ceiling_gb_s: ctx
            .ceilings
            .as_ref()
            .filter(|_| ctx.kind == Kind::MemoryBound)
            .and_then(|c| c.bandwidth.iter().map(|b| b.gb_per_s).reduce(f64::max)),
        tasks: ctx.tasks,
        fits: &fits,
        machine: machine_ceiling(&seen, ctx),
    });
    (fits, diagnosis)
}

/// The machine's ceiling at the largest measured thread count it covers (up to N for work that
/// computes; any for work that waits), beside the workload's speedup there.
fn machine_ceiling(seen: &[&PointSummary], ctx: &AnalysisContext) -> Option<MachineCeiling> {
    let ceilings = ctx.ceilings.as_ref()?;
    let point = seen
        .iter()
        .filter(|p| ctx.kind.waits() || p.threads <= ctx.cpus.usable)
        .rfind(|p| p.machine_speedup.is_some() && p.speedup.is_some())?;
    let compute = |j: usize| ceilings.compute_at(j);
    let here = (!matches!(ctx.kind, Kind::IoBound | Kind::MemoryBound)).then(|| compute(point.threads)).flatten();
    Some(MachineCeiling {
        threads: point.threads,
        speedup: point.machine_speedup?,
        workload_speedup: point.speedup?,
        what: match ctx.kind {
            Kind::IoBound => "threads that only sleep",
            Kind::MemoryBound => "a STREAM triad's bandwidth",
            _ => "plain threads spinning",
        },
        relative_clock: here.map(|c| c.relative_clock),
        mhz: here.and_then(|c| c.mhz).zip(compute(1).and_then(|c| c.mhz)).map(|(at, one)| [one, at]),
    })
}

fn as_f64(samples: &[u64]) -> Vec<f64> {
    samples.iter().map(|&s| s as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::Verdict;

    const CPUS: CpuCounts = CpuCounts { usable: 4, physical: 2, sockets: 1 };
    const CTX: AnalysisContext = AnalysisContext {
        cpus: CPUS,
        kind: Kind::Parallel,
        scaling: Scaling::Strong,
        seed: 1,
        load: None,
        bytes_per_run: None,
        command: false,
        ceilings: None,
        tasks: None,
        loss: Loss::Log,
        noise: NoiseFloor::NONE,
        reruns: None,
        states: false,
    };

    fn point(threads: usize, samples: &[u64]) -> Point {
        let mut p = new_point(threads, CPUS);
        p.samples_ns = samples.to_vec();
        p.cpu_ns = samples.iter().map(|s| Some(s * threads as u64)).collect();
        p.involuntary_context_switches = vec![Some(0); samples.len()];
        p
    }

    /// Issue 33's long run: T(1) 35.9 ms, 9% faster (32.7 ms) in rounds 40-79 of 100, T(2) 19.7 ms
    /// throughout, each with 0.3% of seeded noise.
    fn two_states() -> Vec<Point> {
        let mut rng = Pcg64Mcg::seed_from_u64(33);
        let mut noisy = |ms: f64| {
            let z = noise_floor::standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
            (ms * 1e6 * (0.003 * z).exp()) as u64
        };
        let (t1, t2): (Vec<u64>, Vec<u64>) =
            (0..100).map(|r| (noisy(if (40..80).contains(&r) { 32.7 } else { 35.9 }), noisy(19.7))).unzip();
        vec![point(1, &t1), point(2, &t2)]
    }

    #[test]
    fn a_state_that_switches_t1_by_9_percent_is_found_said_and_measured_in_the_intervals() {
        let points = two_states();
        let ctx = AnalysisContext { states: true, ..CTX };
        let analysis = analyse(&points, &ctx);
        let [one, two] = [&analysis.points[0], &analysis.points[1]];
        let t1 = one.shift.expect("T(1)'s shift is found");
        assert!((39..=41).contains(&t1.at) && (t1.change + 0.089).abs() < 0.005, "{t1:?}");
        let s2 = two.shift.expect("S(2)'s shift is found");
        assert!((39..=41).contains(&s2.at), "{s2:?}");
        let sentence = &analysis.diagnosis.as_ref().unwrap().sentence;
        assert!(
            sentence.contains("S(2) is 1.66 or 1.83 depending on the machine's state, which changed during the run: T(1) moved -8.8% at round 41 of 100"),
            "{sentence}"
        );
        // The interval of S(2) holds both states' values: a rerun in either lands inside.
        let [lo, hi] = two.speedup_ci95.unwrap();
        assert!(lo < 1.66 && hi > 1.82, "{lo} {hi}");
        // A file from before the states is explained as before: no shift, the rounds' own interval.
        let old = analyse(&points, &CTX);
        assert_eq!(old.points[1].shift, None);
        let [lo, hi] = old.points[1].speedup_ci95.unwrap();
        assert!(hi - lo < 0.1, "{lo} {hi}");
        assert!(!old.diagnosis.unwrap().sentence.contains("machine's state"));
    }

    #[test]
    fn one_state_has_no_shift_and_the_floor_still_bounds_the_interval() {
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let mut noisy = |ms: f64| {
            let z = noise_floor::standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
            (ms * 1e6 * (0.003 * z).exp()) as u64
        };
        let (t1, t2): (Vec<u64>, Vec<u64>) = (0..60).map(|_| (noisy(35.9), noisy(19.7))).unzip();
        let points = vec![point(1, &t1), point(2, &t2)];
        let floor = NoiseFloor { time: 0.025, speedup: 0.005 };
        let ctx = AnalysisContext { states: true, noise: floor, ..CTX };
        let analysis = analyse(&points, &ctx);
        assert!(analysis.points.iter().all(|p| p.shift.is_none()));
        let with_floor_only = analyse(&points, &AnalysisContext { states: false, ..ctx });
        assert_eq!(analysis.points[1].speedup_ci95, with_floor_only.points[1].speedup_ci95);
        assert_eq!(analysis.points[0].median_ns_ci95, with_floor_only.points[0].median_ns_ci95);
    }

    #[test]
    fn exact_amdahl_samples_give_exact_summaries_and_b() {
        // T(j) = 10 ms * (0.2 + 0.8/j): S(2) = 1/0.6, S(4) = 2.5.
        let ms = 10_000;
        let points = vec![
            point(1, &[1000 * ms; 5]),
            point(2, &[600 * ms; 5]),
            point(4, &[400 * ms; 5]),
            point(8, &[300 * ms; 5]),
        ];
        let analysis = analyse(&points, &CTX);
        let summaries = &analysis.points;
        assert_eq!(summaries.iter().map(|s| s.threads).collect::<Vec<_>>(), [1, 2, 4, 8]);
        assert_eq!(summaries[1].median_ns, Some(600.0 * ms as f64));
        assert_eq!(summaries[1].median_ns_ci95, Some([600.0 * ms as f64, 600.0 * ms as f64]));
        assert!((summaries[2].speedup.unwrap() - 2.5).abs() < 1e-12);
        assert!((summaries[2].efficiency.unwrap() - 0.625).abs() < 1e-12);
        assert!((summaries[2].karp_flatt.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(summaries[0].karp_flatt, None);
        assert!((summaries[2].utilisation.unwrap() - 1.0).abs() < 1e-12);
        // 8 threads on 4 usable CPUs: utilisation is over min(j, usable) = 4, so 2.0 here.
        assert!((summaries[3].utilisation.unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(points[3].tags, [Tag::Oversubscribed, Tag::Smt]);
        assert_eq!(points[2].tags, [Tag::Smt]);

        let diagnosis = analysis.diagnosis.unwrap();
        assert!(
            matches!(diagnosis.diagnosis.verdict, Verdict::SerialFraction { serial_fraction, .. } if (serial_fraction - 0.2).abs() < 1e-12),
            "{diagnosis:?}"
        );
        // The kind is `parallel`: a B > 0 is overhead or imbalance equivalent to B, not serial code.
        assert!(
            diagnosis.sentence.starts_with("overhead or load imbalance equivalent to a serial fraction: B = 0.200")
                && diagnosis.sentence.contains("the work declares no serial part"),
            "{diagnosis:?}"
        );
        let amdahl = analysis.fits.amdahl_fitted().unwrap();
        assert_eq!(amdahl.threads_used, [1, 2, 4]);
        assert!((amdahl.serial_fraction - 0.2).abs() < 1e-12);
        let [lo, hi] = amdahl.ci95.unwrap();
        assert!((lo - 0.2).abs() < 1e-12 && (hi - 0.2).abs() < 1e-12);
        assert!((amdahl.ceiling.unwrap() - 5.0).abs() < 1e-9);
        assert!(!amdahl.superlinear);
        assert_eq!(analysis.fits.speedup_baseline, Some(fit::SpeedupBaseline::Measured));

        // Runs under 1 ms: the CPU clocks' reads are part of what they count, so no utilisation.
        let short = vec![point(1, &[1000; 5]), point(2, &[600; 5])];
        assert!(analyse(&short, &CTX).points.iter().all(|p| p.utilisation.is_none()));

        // Waiting work keeps oversubscribed points in the fit.
        let io = AnalysisContext { kind: Kind::IoBound, ..CTX };
        assert_eq!(analyse(&points, &io).fits.amdahl.unwrap().threads_used(), [1, 2, 4, 8]);
    }

    #[test]
    fn a_point_is_disturbed_when_40_percent_of_its_samples_show_competition() {
        let mut points = vec![point(1, &[10_000_000; 8]), point(2, &[6_000_000; 8])];
        // Four samples at j = 1 with the thread busy half the time (a competitor held its CPU).
        for i in 0..4 {
            points[0].cpu_ns[i] = Some(5_000_000);
        }
        // At j = 2 idle threads are the program's own serial part, not interference.
        for i in 0..8 {
            points[1].cpu_ns[i] = Some(7_000_000);
        }
        let summaries = summarise(&points, &CTX);
        assert!(summaries[1].disturbance.is_none());
        let d = summaries[0].disturbance.clone().unwrap();
        assert_eq!((d.flagged_samples, d.low_utilisation, d.samples), (4, 4, 8));
        assert_eq!(d.min_utilisation, Some(0.5));
        // Preemption counts at j > 1 too; three flagged samples of eight (37.5%) do not.
        let mut points = vec![point(1, &[1_000_000_000; 8]), point(2, &[1_000_000_000; 8])];
        for i in 0..3 {
            points[1].involuntary_context_switches[i] = Some(500);
        }
        assert!(summarise(&points, &CTX)[1].disturbance.is_none());
        points[1].involuntary_context_switches[3] = Some(500);
        assert_eq!(summarise(&points, &CTX)[1].disturbance.as_ref().map(|d| d.preempted), Some(4));
        // Threads that wait are preempted by their own team: never disturbed.
        assert!(summarise(&points, &AnalysisContext { kind: Kind::IoBound, ..CTX })[1].disturbance.is_none());
    }

    #[test]
    fn a_stretch_of_rounds_with_a_cpu_gone_disturbs_its_point_and_is_said() {
        // 40 rounds of T(1) = 10 ms, T(2) = 5.5 ms; in rounds 10-19 one CPU was gone: T(2) 10 ms
        // at the same CPU time (S(2) 1.0, utilisation 0.55), as `primes` on issue 33's VM.
        let mut points = vec![point(1, &[10_000_000; 40]), point(2, &[5_500_000; 40])];
        points[1].samples_ns[10..20].iter_mut().for_each(|s| *s = 10_000_000);
        let ctx = AnalysisContext { states: true, ..CTX };
        let analysis = analyse(&points, &ctx);
        assert!(analysis.points[0].disturbance.is_none());
        let d = analysis.points[1].disturbance.clone().expect("the stretch is flagged");
        // No sample's own sign: no preemption, and utilisation is judged per sample only at j = 1.
        assert_eq!((d.flagged_samples, d.outliers), (0, 0));
        assert_eq!(d.stretches.len(), 1, "{:?}", d.stretches);
        let s = &d.stretches[0];
        assert_eq!((s.from, s.to, s.cpu_change), (10, 20, 0.0));
        assert!((s.utilisation_change + 0.45).abs() < 1e-9, "{s:?}");
        let sentence = &analysis.diagnosis.unwrap().sentence;
        assert!(sentence.contains("disturbed: j = 2 was measured while other work competed"), "{sentence}");
        // A file from before the states is explained as before.
        assert!(analyse(&points, &CTX).points[1].disturbance.is_none());
    }

    /// A profile run of `threads` threads for `wall_ns`, `waited` of its thread-time in the run
    /// queue and the rest on the work.
    fn profile_run(round: usize, threads: u64, wall_ns: u64, waited: f64) -> crate::account::ProfileSample {
        let thread_time = threads * wall_ns;
        let run_queue = (thread_time as f64 * waited) as u64;
        crate::account::ProfileSample {
            round,
            wall_ns,
            calls: 1,
            work_cpu_ns: thread_time - run_queue,
            serial_code_ns: 0,
            serial_ns: 0,
            imbalance_ns: 0,
            dispatch_ns: 0,
            blocked_ns: 0,
            run_queue_ns: Some(run_queue),
            merged_ns: 0,
            longest_tasks_ns: None,
        }
    }

    #[test]
    fn profile_runs_that_waited_for_a_cpu_disturb_their_point_and_are_said() {
        // The example bench beside two busy loops: profile runs at j = 2 (of 2 usable CPUs) waited
        // 50-60% of their thread-time in the run queue, while the timed samples showed no sign of
        // their own (utilisation is judged per sample only at j = 1, preemptions were few).
        let mut points = vec![point(1, &[10_000_000; 9]), point(2, &[5_000_000; 9])];
        points[0].profile = (0..3).map(|r| profile_run(r, 1, 10_000_000, 0.0)).collect();
        points[1].profile =
            [0.5, 0.6, 0.55].iter().enumerate().map(|(r, &q)| profile_run(r, 2, 9_000_000, q)).collect();
        let ctx = AnalysisContext { states: true, ..CTX };
        let analysis = analyse(&points, &ctx);
        assert!(analysis.points[0].disturbance.is_none(), "no wait at j = 1");
        let d = analysis.points[1].disturbance.clone().expect("the waits are the sign");
        assert_eq!((d.run_queue_runs, d.flagged_samples, d.outliers), (3, 0, 0));
        assert!((d.max_run_queue_share.unwrap() - 0.6).abs() < 1e-6, "{d:?}");
        let sentence = &analysis.diagnosis.unwrap().sentence;
        assert!(sentence.contains("profile runs waiting for a CPU more than 10% of their thread-time"), "{sentence}");
        // One run of three above 10% is not enough, nor are waits of 10% or less.
        points[1].profile =
            [0.5, 0.02, 0.0].iter().enumerate().map(|(r, &q)| profile_run(r, 2, 9_000_000, q)).collect();
        assert!(summarise(&points, &ctx)[1].disturbance.is_none());
        points[1].profile =
            [0.1, 0.09, 0.1].iter().enumerate().map(|(r, &q)| profile_run(r, 2, 9_000_000, q)).collect();
        assert!(summarise(&points, &ctx)[1].disturbance.is_none());
        // Above the usable CPUs our own threads wait for each other; a command's own processes
        // may outnumber j: neither is read.
        points[1].profile =
            [0.5, 0.6, 0.55].iter().enumerate().map(|(r, &q)| profile_run(r, 2, 9_000_000, q)).collect();
        let one_cpu = AnalysisContext { cpus: CpuCounts { usable: 1, ..CPUS }, ..ctx.clone() };
        assert!(summarise(&points, &one_cpu)[1].disturbance.is_none());
        assert!(summarise(&points, &AnalysisContext { command: true, ..ctx })[1].disturbance.is_none());
        // A file from before the states is explained as before.
        assert!(summarise(&points, &CTX)[1].disturbance.is_none());
    }

    #[test]
    fn a_paused_sample_is_a_gross_outlier_and_disturbs_its_point() {
        // A SIGSTOP pause: one sample 19x the median wall time, its CPU time the usual.
        let mut points = vec![point(1, &[10_000_000; 9]), point(2, &[5_000_000; 9])];
        points[1].samples_ns[4] = 95_000_000;
        points[1].cpu_ns[4] = Some(10_000_000);
        let summaries = summarise(&points, &CTX);
        assert!(summaries[0].disturbance.is_none());
        let d = summaries[1].disturbance.clone().expect("a paused sample is flagged");
        assert_eq!((d.outliers, d.flagged_samples, d.preempted, d.samples), (1, 1, 0, 9));

        // A sample that did more work (its CPU time grew with its wall time) is slow, not paused.
        points[1].cpu_ns[4] = Some(190_000_000);
        assert!(summarise(&points, &CTX)[1].disturbance.is_none());
        // 4.9x the median is not gross; nor is any sample of a point with two.
        points[1].cpu_ns[4] = Some(10_000_000);
        points[1].samples_ns[4] = 24_500_000;
        assert!(summarise(&points, &CTX)[1].disturbance.is_none());
        let two = vec![point(1, &[10_000_000; 2]), point(2, &[5_000_000, 95_000_000])];
        assert!(summarise(&two, &CTX)[1].disturbance.is_none());
    }

    #[test]
    fn a_single_thread_count_is_not_fitted_and_says_so() {
        let points = vec![point(1, &[1000; 3])];
        let analysis = analyse(&points, &CTX);
        let amdahl = analysis.fits.amdahl.unwrap();
        assert!(amdahl.fitted().is_none() && amdahl.reason().is_some());
        assert_eq!(analysis.diagnosis.map(|d| d.diagnosis.verdict), Some(Verdict::SinglePoint { threads: 1 }));
    }

    #[test]
    fn without_a_point_at_one_thread_nothing_is_summarised() {
        let analysis = analyse(&[point(2, &[600; 3]), point(4, &[400; 3])], &CTX);
        assert!(analysis.points.is_empty() && analysis.diagnosis.is_none());
    }
}
