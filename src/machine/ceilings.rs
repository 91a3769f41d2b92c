//! The machine's own ceilings: what plain pinned std threads reach on this machine at each thread
//! count, so a workload's speedup can be read against the machine's rather than against j.
//!
//! # Method
//! Every measurement runs j crossbeam scoped threads, worker i pinned to `cpus[i % cpus.len()]`
//! (the run's `--pin` order; `scatter` when the run is unpinned), released together by a
//! start gate once all are spawned; the time of a repetition is the last worker's end minus the first worker's start, so
//! creating the threads is not counted. Repetitions visit every j in turn, so drift falls on all j
//! alike.
//!
//! - **Compute** S_max(j): a register-only xorshift loop, a fixed total (about 30 ms at j = 1)
//!   split evenly over j threads; S_max(j) = median T(1) / median T(j) over 5 repetitions. The
//!   **relative clock** is each thread's spin rate (iterations per second of its own CPU time,
//!   `CLOCK_THREAD_CPUTIME_ID`, so time-slicing does not count) averaged over the threads, at j
//!   against j = 1: it falls when turbo gives fewer cores a higher clock, or when SMT siblings
//!   share a core. Where cpufreq is readable, the mean `scaling_cur_freq` of the busy CPUs is read
//!   half-way through each repetition.
//! - **Bandwidth**: the STREAM triad `a[i] = b[i] + 3 c[i]` over three arrays of twice the
//!   largest cache each (32 MiB to 256 MiB, at most a sixteenth of memory), each thread its
//!   contiguous share; the best of 3 repetitions, counting 24 bytes per element (STREAM's
//!   convention). The arrays are first touched by the pinned threads, spreading their pages over
//!   the NUMA nodes as the threads are spread. The arrays are allocated fallibly: under a memory
//!   limit (`ulimit -v`, a cgroup) they are halved until they can be had (down to 1 MiB each), and
//!   the ceiling is then a failure that is used for the run, never cached, and said in a warning;
//!   when not even that much can be had, the ceiling is skipped with a warning.
//! - **Timer**: j threads each sleep twice for 10 ms; S(j) = j T(1) / T(j), the median of 3
//!   repetitions: what sleeping threads gain before waking them up costs more than they wait.
//!
//! The whole measurement stops after [`TIME_CAP`]; thread counts not reached are left out (their
//! points then have no `machine_speedup`), never guessed. Threads are spawned fallibly: when one
//! cannot be (a thread limit such as `ulimit -u` or a pids cgroup), the threads already waiting at
//! the gate are sent home, that ceiling stops where it is, and a warning says why; nothing waits
//! for a thread that never started.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use amdahl_workloads::affinity::pin_current_thread;
use crossbeam::utils::CachePadded;

use super::Roots;
use crate::placement::Pin;
use crate::results::{BandwidthCeiling, Ceilings, ComputeCeiling, TimerCeiling};
use crate::stats::median;

/// The longest the ceilings may take together.
pub const TIME_CAP: Duration = Duration::from_secs(10);
/// Repetitions of the compute ceiling at every j.
const COMPUTE_REPS: usize = 5;
/// The spin time of the whole compute work at j = 1.
const COMPUTE_TARGET: Duration = Duration::from_millis(30);
/// Repetitions of the bandwidth ceiling at every j.
const BANDWIDTH_REPS: usize = 3;
/// Repetitions of the timer ceiling at every j.
const TIMER_REPS: usize = 3;
/// One sleep of the timer ceiling.
const TIMER_SLEEP: Duration = Duration::from_millis(10);
/// Sleeps per thread of the timer ceiling.
const TIMER_SLEEPS: u32 = 2;

/// Which ceilings to measure, and at which thread counts (each list gets j = 1 added).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CeilingPlan {
    /// Thread counts of the compute ceiling (CPU-bound work); empty: not measured.
    pub compute: Vec<usize>,
    /// Thread counts of the bandwidth ceiling (memory-bound work); empty: not measured.
    pub bandwidth: Vec<usize>,
    /// Thread counts of the timer ceiling (work whose threads wait); empty: not measured.
    pub timer: Vec<usize>,
}

impl CeilingPlan {
    /// Whether nothing is to be measured.
    pub fn is_empty(&self) -> bool {
        self.compute.is_empty() && self.bandwidth.is_empty() && self.timer.is_empty()
    }

    /// The plan with every list ascending, deduplicated and starting at 1 (empty lists stay empty).
    pub fn normalised(mut self) -> CeilingPlan {
        for list in [&mut self.compute, &mut self.bandwidth, &mut self.timer] {
            if !list.is_empty() {
                list.push(1);
                list.retain(|&j| j > 0);
                list.sort_unstable();
                list.dedup();
            }
        }
        self
    }
}

/// Where the ceilings run: the CPU order to pin to, the policy it came from, and the machine's
/// size facts that choose the triad's arrays.
#[derive(Debug, Clone)]
pub struct Bench<'a> {
    /// Worker i runs on `cpus[i % len]`; empty: not pinned (pinning unavailable).
    pub cpus: &'a [usize],
    /// The policy of `cpus`, for the record.
    pub placement: Pin,
    /// Where cpufreq is read.
    pub roots: &'a Roots,
    /// The largest cache, for the triad's array size.
    pub largest_cache_bytes: Option<u64>,
    /// Total memory, to keep the triad's arrays small beside it.
    pub memory_bytes: Option<u64>,
}

/// The ceilings measured, and why some could not be (a thread that could not be spawned).
#[derive(Debug, Clone)]
pub struct Measured {
    /// What was measured.
    pub ceilings: Ceilings,
    /// Why a ceiling stopped short; empty when everything asked for was attempted.
    pub failures: Vec<String>,
}

/// Measures the ceilings of `plan` now (at most [`TIME_CAP`]).
pub fn measure(plan: &CeilingPlan, bench: &Bench<'_>) -> Measured {
    let plan = plan.clone().normalised();
    let started = Instant::now();
    let deadline = started + TIME_CAP;
    let measured_utc = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let mut failures = Vec::new();
    let compute =
        if plan.compute.is_empty() { Vec::new() } else { compute(&plan.compute, bench, deadline, &mut failures) };
    let timer = if plan.timer.is_empty() { Vec::new() } else { timer(&plan.timer, bench, deadline, &mut failures) };
    let bandwidth =
        if plan.bandwidth.is_empty() { Vec::new() } else { bandwidth(&plan.bandwidth, bench, deadline, &mut failures) };
    let ceilings = Ceilings {
        placement: bench.placement,
        measured_utc,
        cached: false,
        seconds: started.elapsed().as_secs_f64(),
        compute,
        bandwidth,
        timer,
    };
    Measured { ceilings, failures }
}

/// What one worker saw: when it started and ended its share, and its own CPU time.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: Instant,
    end: Instant,
    cpu_ns: Option<u64>,
}

/// Where the workers of a team wait until all are spawned: released to work, or sent home.
#[derive(Default)]
struct Gate {
    state: Mutex<(usize, Option<bool>)>,
    changed: Condvar,
}

impl Gate {
    /// A worker arrives and waits; true: work, false: go home.
    fn arrive(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 += 1;
        self.changed.notify_all();
        loop {
            if let Some(go) = state.1 {
                return go;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits until `workers` have arrived, then releases them.
    fn release_when(&self, workers: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.0 < workers {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.1 = Some(true);
        self.changed.notify_all();
    }

    /// Sends every worker home, those waiting and those still to come.
    fn cancel(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1 = Some(false);
        self.changed.notify_all();
    }
}

/// Runs `work(i)` on `j` pinned threads released together; their spans, or why a thread could not
/// be spawned (the others are then sent home unused).
fn team<F>(j: usize, cpus: &[usize], mut during: impl FnMut(), work: F) -> Result<Vec<Span>, String>
where
    F: Fn(usize) + Sync,
{
    let gate = Gate::default();
    let spans: Vec<CachePadded<std::sync::Mutex<Option<Span>>>> =
        (0..j).map(|_| CachePadded::new(std::sync::Mutex::new(None))).collect();
    let mut failed = None;
    let scoped = crossbeam::thread::scope(|scope| {
        for (i, slot) in spans.iter().enumerate() {
            let (gate, work) = (&gate, &work);
            let spawned = scope.builder().name(format!("ceiling-{i}")).spawn(move |_| {
                if !cpus.is_empty() {
                    pin_current_thread(cpus[i % cpus.len()]);
                }
                if !gate.arrive() {
                    return;
                }
                let (start, cpu_before) = (Instant::now(), thread_cpu_ns());
                work(i);
                let (cpu_after, end) = (thread_cpu_ns(), Instant::now());
                let cpu_ns = cpu_before.zip(cpu_after).map(|(a, b)| b.saturating_sub(a));
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(Span { start, end, cpu_ns });
            });
            if let Err(e) = spawned {
                failed = Some(format!("cannot start thread {} of {j} ({e})", i + 1));
                gate.cancel();
                return;
            }
        }
        gate.release_when(j);
        during();
    });
    if let Err(panic) = scoped {
        std::panic::resume_unwind(panic);
    }
    if let Some(why) = failed {
        return Err(why);
    }
    Ok(spans.into_iter().filter_map(|s| s.into_inner().into_inner().unwrap_or_else(|e| e.into_inner())).collect())
}

/// The wall time of a team's repetition: first start to last end.
fn wall(spans: &[Span]) -> Option<Duration> {
    let start = spans.iter().map(|s| s.start).min()?;
    let end = spans.iter().map(|s| s.end).max()?;
    Some(end.duration_since(start))
}

/// The register-only loop of the compute ceiling.
fn spin(iterations: u64, seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..std::hint::black_box(iterations) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

/// Iterations of [`spin`] that take about [`COMPUTE_TARGET`] on one thread.
fn calibrate_spin() -> u64 {
    let mut iterations = 1u64 << 16;
    loop {
        let start = Instant::now();
        spin(iterations, 7);
        let took = start.elapsed();
        if took >= Duration::from_millis(3) || iterations >= 1 << 40 {
            let per_ns = iterations as f64 / took.as_nanos().max(1) as f64;
            return (per_ns * COMPUTE_TARGET.as_nanos() as f64).max(1.0) as u64;
        }
        iterations *= 4;
    }
}

fn compute(threads: &[usize], bench: &Bench<'_>, deadline: Instant, failures: &mut Vec<String>) -> Vec<ComputeCeiling> {
    let total = calibrate_spin();
    let mut walls: Vec<Vec<f64>> = vec![Vec::new(); threads.len()];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); threads.len()];
    let mut mhz: Vec<Vec<f64>> = vec![Vec::new(); threads.len()];
    'reps: for _ in 0..COMPUTE_REPS {
        for (k, &j) in threads.iter().enumerate() {
            if Instant::now() > deadline {
                break 'reps;
            }
            let share = (total / j as u64).max(1);
            let busy: Vec<usize> = bench.cpus.iter().copied().take(j).collect();
            let mut freq = None;
            let half = Duration::from_nanos((COMPUTE_TARGET.as_nanos() as u64 / j as u64) / 2);
            let spans = team(
                j,
                bench.cpus,
                || {
                    if cpufreq_readable(bench.roots) {
                        std::thread::sleep(half);
                        freq = mean_mhz(bench.roots, &busy);
                    }
                },
                |i| {
                    spin(share, i as u64 + 11);
                },
            );
            let spans = match spans {
                Ok(spans) => spans,
                Err(why) => {
                    failures.push(format!("the compute ceiling stopped at {j} threads: {why}"));
                    break 'reps;
                }
            };
            let Some(t) = wall(&spans) else { continue };
            walls[k].push(t.as_secs_f64());
            let per_thread: Vec<f64> =
                spans.iter().filter_map(|s| s.cpu_ns.filter(|&c| c > 0).map(|c| share as f64 / c as f64)).collect();
            if !per_thread.is_empty() {
                rates[k].push(per_thread.iter().sum::<f64>() / per_thread.len() as f64);
            }
            mhz[k].extend(freq);
        }
    }
    let (t1, rate1) = (median(&walls[0]), median(&rates[0]));
    threads
        .iter()
        .enumerate()
        .filter(|(k, _)| !walls[*k].is_empty())
        .map(|(k, &j)| ComputeCeiling {
            threads: j,
            speedup: t1 / median(&walls[k]),
            relative_clock: median(&rates[k]) / rate1,
            mhz: (!mhz[k].is_empty()).then(|| median(&mhz[k])),
        })
        .filter(|c| c.speedup.is_finite() && c.speedup > 0.0)
        .map(|c| ComputeCeiling {
            relative_clock: if c.relative_clock.is_finite() { c.relative_clock } else { 1.0 },
            ..c
        })
        .collect()
}

fn timer(threads: &[usize], bench: &Bench<'_>, deadline: Instant, failures: &mut Vec<String>) -> Vec<TimerCeiling> {
    let mut walls: Vec<Vec<f64>> = vec![Vec::new(); threads.len()];
    'reps: for _ in 0..TIMER_REPS {
        for (k, &j) in threads.iter().enumerate() {
            if Instant::now() > deadline {
                break 'reps;
            }
            let spans = team(
                j,
                bench.cpus,
                || {},
                |_| {
                    for _ in 0..TIMER_SLEEPS {
                        std::thread::sleep(TIMER_SLEEP);
                    }
                },
            );
            let spans = match spans {
                Ok(spans) => spans,
                Err(why) => {
                    failures.push(format!("the timer ceiling stopped at {j} threads: {why}"));
                    break 'reps;
                }
            };
            if let Some(t) = wall(&spans) {
                walls[k].push(t.as_secs_f64());
            }
        }
    }
    let t1 = median(&walls[0]);
    threads
        .iter()
        .enumerate()
        .filter(|(k, _)| !walls[*k].is_empty())
        .map(|(k, &j)| TimerCeiling { threads: j, speedup: j as f64 * t1 / median(&walls[k]) })
        .filter(|c| c.speedup.is_finite() && c.speedup > 0.0)
        .collect()
}

/// Elements of each triad array.
fn triad_elements(bench: &Bench<'_>) -> usize {
    const MIB: u64 = 1 << 20;
    let mut bytes = bench.largest_cache_bytes.map_or(64 * MIB, |c| c.saturating_mul(2)).clamp(32 * MIB, 256 * MIB);
    if let Some(memory) = bench.memory_bytes {
        bytes = bytes.min(memory / 16).max(MIB);
    }
    (bytes / 8) as usize
}

fn bandwidth(
    threads: &[usize],
    bench: &Bench<'_>,
    deadline: Instant,
    failures: &mut Vec<String>,
) -> Vec<BandwidthCeiling> {
    let planned = triad_elements(bench);
    let Some((mut a, mut b, mut c)) = triad_arrays(planned) else {
        failures.push(format!(
            "the bandwidth ceiling was not measured: not even three arrays of {} MiB could be allocated (a memory limit such as `ulimit -v`)",
            (MIN_TRIAD_ELEMENTS * 8) >> 20
        ));
        return Vec::new();
    };
    let n = a.len();
    if n < planned {
        failures.push(format!(
            "the bandwidth ceiling's arrays were cut from {} MiB to {} MiB each to fit the memory this process may have (a limit such as `ulimit -v`): they may fit in a cache, so it can read high",
            (planned * 8) >> 20,
            (n * 8) >> 20
        ));
    }
    // First touch by the pinned threads, in the shares the widest team will use.
    let widest = bench.cpus.len().max(1).min(threads.last().copied().unwrap_or(1));
    if let Err(why) = triad_pass(&mut a, &mut b, &mut c, widest, bench.cpus, Fill::Initialise) {
        failures.push(format!("the bandwidth ceiling was not measured: {why}"));
        return Vec::new();
    }
    let mut best = vec![0.0f64; threads.len()];
    'reps: for _ in 0..BANDWIDTH_REPS {
        for (k, &j) in threads.iter().enumerate() {
            if Instant::now() > deadline {
                break 'reps;
            }
            match triad_pass(&mut a, &mut b, &mut c, j, bench.cpus, Fill::Triad) {
                Ok(Some(t)) => best[k] = best[k].max(24.0 * n as f64 / t.as_secs_f64() / 1e9),
                Ok(None) => {}
                Err(why) => {
                    failures.push(format!("the bandwidth ceiling stopped at {j} threads: {why}"));
                    break 'reps;
                }
            }
        }
    }
    std::hint::black_box(&a);
    threads
        .iter()
        .zip(best)
        .filter(|(_, gb)| gb.is_finite() && *gb > 0.0)
        .map(|(&j, gb_per_s)| BandwidthCeiling { threads: j, gb_per_s })
        .collect()
}

/// The fewest elements of a triad array worth measuring (1 MiB).
const MIN_TRIAD_ELEMENTS: usize = 1 << 17;

/// Three zeroed arrays of `n` elements, or of the most that can be allocated (halving `n` down to
/// [`MIN_TRIAD_ELEMENTS`]); `None` when not even those can be had. Never aborts on a failed
/// allocation.
fn triad_arrays(mut n: usize) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    loop {
        let arrays = (zeroed(n), zeroed(n), zeroed(n));
        if let (Some(a), Some(b), Some(c)) = arrays {
            return Some((a, b, c));
        }
        if n <= MIN_TRIAD_ELEMENTS {
            return None;
        }
        n = (n / 2).max(MIN_TRIAD_ELEMENTS);
    }
}

/// `n` zeros, allocated fallibly. The pages are the allocator's zeroed ones, not yet touched, so
/// the pinned threads' first touch still places them.
fn zeroed(n: usize) -> Option<Vec<f64>> {
    let layout = std::alloc::Layout::array::<f64>(n).ok()?;
    if layout.size() == 0 {
        return Some(Vec::new());
    }
    // SAFETY: the layout has a non-zero size. A non-null pointer from `alloc_zeroed` is valid for
    // `n` f64s, all zero bits (0.0), aligned for f64, and allocated by the global allocator with
    // exactly the layout `Vec<f64>` of capacity `n` uses, so the Vec may own and free it.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout).cast::<f64>();
        (!ptr.is_null()).then(|| Vec::from_raw_parts(ptr, n, n))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Fill {
    Initialise,
    Triad,
}

/// One thread's contiguous shares of the three triad arrays.
type TriadShare<'a> = (&'a mut [f64], &'a mut [f64], &'a mut [f64]);

/// One pass over the arrays by `j` pinned threads, each its contiguous share; its wall time.
fn triad_pass(
    a: &mut [f64],
    b: &mut [f64],
    c: &mut [f64],
    j: usize,
    cpus: &[usize],
    fill: Fill,
) -> Result<Option<Duration>, String> {
    let len = a.len().div_ceil(j).max(1);
    let shares: Vec<std::sync::Mutex<Option<TriadShare<'_>>>> = a
        .chunks_mut(len)
        .zip(b.chunks_mut(len))
        .zip(c.chunks_mut(len))
        .map(|((a, b), c)| std::sync::Mutex::new(Some((a, b, c))))
        .collect();
    let spans = team(
        shares.len(),
        cpus,
        || {},
        |i| {
            let Some((a, b, c)) = shares[i].lock().unwrap_or_else(|e| e.into_inner()).take() else { return };
            match fill {
                Fill::Initialise => {
                    a.fill(0.0);
                    b.fill(1.0);
                    c.fill(2.0);
                }
                Fill::Triad => {
                    for ((a, b), c) in a.iter_mut().zip(b.iter()).zip(c.iter()) {
                        *a = b + 3.0 * c;
                    }
                }
            }
        },
    )?;
    Ok(wall(&spans))
}

fn cpufreq_readable(roots: &Roots) -> bool {
    roots.sys("devices/system/cpu/cpu0/cpufreq/scaling_cur_freq").is_some()
}

/// The mean `scaling_cur_freq` of `cpus`, in MHz.
fn mean_mhz(roots: &Roots, cpus: &[usize]) -> Option<f64> {
    let khz: Vec<f64> = cpus
        .iter()
        .filter_map(|c| roots.sys(&format!("devices/system/cpu/cpu{c}/cpufreq/scaling_cur_freq")))
        .filter_map(|s| super::roots::parse_fact(&s))
        .collect();
    (!khz.is_empty()).then(|| khz.iter().sum::<f64>() / khz.len() as f64 / 1e3)
}

/// The CPU time of the calling thread.
#[cfg(unix)]
fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec to the valid pointer we pass.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    ok.then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(not(unix))]
fn thread_cpu_ns() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(roots: &Roots) -> Bench<'_> {
        Bench {
            cpus: &[],
            placement: Pin::None,
            roots,
            largest_cache_bytes: Some(1 << 20),
            memory_bytes: Some(1 << 30),
        }
    }

    #[test]
    fn plans_start_at_one_and_empty_lists_stay_empty() {
        let plan = CeilingPlan { compute: vec![4, 2, 2], bandwidth: vec![], timer: vec![8] }.normalised();
        assert_eq!(plan, CeilingPlan { compute: vec![1, 2, 4], bandwidth: vec![], timer: vec![1, 8] });
        assert!(CeilingPlan::default().is_empty());
    }

    #[test]
    fn every_ceiling_is_measured_at_its_counts_and_one_is_one() {
        let roots = Roots::default();
        let plan = CeilingPlan { compute: vec![2], bandwidth: vec![2], timer: vec![4] };
        let measured = measure(&plan, &bench(&roots));
        assert!(measured.failures.is_empty(), "{:?}", measured.failures);
        let c = measured.ceilings;
        assert_eq!(c.compute.iter().map(|c| c.threads).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(c.bandwidth.iter().map(|c| c.threads).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(c.timer.iter().map(|c| c.threads).collect::<Vec<_>>(), [1, 4]);
        // Against itself, j = 1 is exactly 1; the others are positive, finite ratios.
        assert_eq!((c.compute[0].speedup, c.compute[0].relative_clock), (1.0, 1.0));
        assert_eq!(c.timer[0].speedup, 1.0);
        assert!(c.compute.iter().all(|c| c.speedup > 0.0 && c.relative_clock > 0.0));
        assert!(c.bandwidth.iter().all(|b| b.gb_per_s > 0.0 && b.gb_per_s.is_finite()));
        assert!(c.seconds > 0.0 && !c.cached);
    }

    #[test]
    fn the_triad_array_follows_the_cache_within_its_bounds() {
        let roots = Roots::default();
        let mib = 1u64 << 20;
        let with = |cache: Option<u64>, memory: Option<u64>| {
            triad_elements(&Bench { largest_cache_bytes: cache, memory_bytes: memory, ..bench(&roots) }) as u64 * 8
        };
        assert_eq!(with(Some(mib), None), 32 * mib);
        assert_eq!(with(Some(100 * mib), None), 200 * mib);
        assert_eq!(with(Some(1 << 40), None), 256 * mib);
        assert_eq!(with(None, Some(256 * mib)), 16 * mib);
    }

    #[test]
    fn the_triad_arrays_are_zeros_and_halve_until_they_can_be_had() {
        let (a, b, c) = triad_arrays(MIN_TRIAD_ELEMENTS).unwrap();
        assert_eq!((a.len(), b.len(), c.len()), (MIN_TRIAD_ELEMENTS, MIN_TRIAD_ELEMENTS, MIN_TRIAD_ELEMENTS));
        assert!(a.iter().chain(&b).chain(&c).all(|&x| x == 0.0));
        // More than any address space holds: halved down to what can be had, never an abort.
        let (a, ..) = triad_arrays(usize::MAX / 64).unwrap();
        assert!(a.len() >= MIN_TRIAD_ELEMENTS && a.len() < usize::MAX / 64);
        assert_eq!(zeroed(usize::MAX), None, "no layout");
    }

    #[test]
    fn the_triad_computes_b_plus_three_c_in_every_share() {
        let (mut a, mut b, mut c) = (vec![9.0; 1001], vec![0.0; 1001], vec![0.0; 1001]);
        triad_pass(&mut a, &mut b, &mut c, 3, &[], Fill::Initialise).unwrap();
        assert!(a.iter().all(|&x| x == 0.0));
        triad_pass(&mut a, &mut b, &mut c, 7, &[], Fill::Triad).unwrap();
        assert!(a.iter().all(|&x| x == 7.0));
    }
}
