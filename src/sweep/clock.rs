//! Clocks: how a sample is timed. The sweep never reads the time itself; it asks a [`Clock`], so
//! tests can run whole sweeps on a [`FakeClock`] that makes every duration exact.
//!
//! The [`RealClock`] takes wall time from the monotonic clock (`std::time::Instant`); CPU time
//! from the sample's [`CpuSource`]: the team's own workers for in-process work (so the workers of
//! other teams, still spinning down after their last run, and the measuring thread are not
//! counted: they once made utilisation read 1.38 at j = 1), or the process (all threads, user +
//! system, `CLOCK_PROCESS_CPUTIME_ID`) plus the child processes waited for during the sample
//! (`getrusage(RUSAGE_CHILDREN)`) for commands; and the involuntary context switches of the
//! process and its children from `getrusage`. It reads them just before and just after the work,
//! and nothing else happens between the two reads.

use std::sync::Mutex;
use std::time::Instant;

use amdahl_workloads::{Team, Trace};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::account::simulate::ideal_trace;

/// What one timed run of a workload cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measurement {
    /// Wall time.
    pub wall_ns: u64,
    /// Process CPU time, all threads; `None` where unknown.
    pub cpu_ns: Option<u64>,
    /// Involuntary context switches of the process; `None` where unknown.
    pub involuntary_context_switches: Option<u64>,
}

/// Whose CPU time a sample counts.
#[derive(Clone, Copy)]
pub enum CpuSource<'a> {
    /// The whole process and the children it waited for (commands, calibration).
    Process,
    /// These threads only (a team's workers): a reader of their summed CPU time.
    Threads(&'a (dyn Fn() -> Option<u64> + Sync)),
}

impl CpuSource<'_> {
    fn read(self) -> Option<u64> {
        match self {
            CpuSource::Process => process_cpu_ns().zip(children_cpu_ns()).map(|(a, b)| a + b),
            CpuSource::Threads(read) => read(),
        }
    }
}

/// A workload's own idea of its duration on ideal processors, at one, two and this run's
/// threads (only `synthetic` has one: [`amdahl_workloads::Instance::modeled_ns`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Modeled {
    /// At one thread.
    pub one: Option<u64>,
    /// At two threads.
    pub two: Option<u64>,
    /// At this run's thread count.
    pub here: Option<u64>,
}

impl Modeled {
    /// The serial and the parallel time of an Amdahl-shaped model, `T(j) = s + p / j`, from its
    /// durations at one and two threads.
    fn amdahl(&self) -> Option<(u64, u64)> {
        let (one, two) = (self.one?, self.two?);
        let parallel = 2 * one.checked_sub(two)?;
        Some((one.checked_sub(parallel)?, parallel))
    }
}

/// A source of time for the sweep.
pub trait Clock: Sync {
    /// Nanoseconds since an arbitrary origin; the sweep uses differences for its budget.
    fn now_ns(&self) -> u64;

    /// Runs `work` once and says what it cost, counting the CPU time of `cpu`. `modeled_ns` is
    /// the workload's own idea of its duration on `threads` ideal processors (only `synthetic` has
    /// one); real clocks ignore it.
    fn measure(
        &self,
        threads: usize,
        modeled_ns: Option<u64>,
        cpu: CpuSource<'_>,
        work: &mut dyn FnMut(),
    ) -> Measurement;

    /// Runs `work` once as a profile run of `team` — called on the team's worker that leads the
    /// run, inside `Team::install` — timed like [`Clock::measure`], with the team's recorder on
    /// around the work: the measurement and the run's trace (or why there is none). The default
    /// times the work with [`Clock::measure`] and records no trace.
    fn profile(
        &self,
        team: &Team,
        modeled: Modeled,
        cpu: CpuSource<'_>,
        work: &mut dyn FnMut(),
    ) -> (Measurement, Result<Trace, String>) {
        (self.measure(team.threads(), modeled.here, cpu, work), Err("this clock records no trace".to_owned()))
    }
}

/// The machine's clocks.
#[derive(Debug)]
pub struct RealClock {
    origin: Instant,
}

impl RealClock {
    /// A clock whose origin is now.
    pub fn new() -> RealClock {
        RealClock { origin: Instant::now() }
    }
}

impl Default for RealClock {
    fn default() -> Self {
        RealClock::new()
    }
}

impl Clock for RealClock {
    fn now_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    fn measure(
        &self,
        _threads: usize,
        _modeled: Option<u64>,
        cpu: CpuSource<'_>,
        work: &mut dyn FnMut(),
    ) -> Measurement {
        let switches_before = involuntary_switches();
        let cpu_before = cpu.read();
        let start = Instant::now();
        work();
        let wall = start.elapsed();
        let cpu_after = cpu.read();
        let switches_after = involuntary_switches();
        Measurement {
            wall_ns: wall.as_nanos() as u64,
            cpu_ns: cpu_before.zip(cpu_after).map(|(a, b)| b.saturating_sub(a)),
            involuntary_context_switches: switches_before.zip(switches_after).map(|(a, b)| b.saturating_sub(a)),
        }
    }

    /// The recorder is armed and finished outside the clock's window; only its window's two
    /// marks are inside it.
    fn profile(
        &self,
        team: &Team,
        modeled: Modeled,
        cpu: CpuSource<'_>,
        work: &mut dyn FnMut(),
    ) -> (Measurement, Result<Trace, String>) {
        let threads = team.threads();
        match team.start_profile() {
            Ok(profile) => {
                let measurement = self.measure(threads, modeled.here, cpu, &mut || {
                    profile.begin();
                    work();
                    profile.end();
                });
                (measurement, profile.finish())
            }
            Err(why) => (self.measure(threads, modeled.here, cpu, work), Err(why)),
        }
    }
}

#[cfg(unix)]
fn process_cpu_ns() -> Option<u64> {
    // SAFETY: clock_gettime writes one timespec into the value we own.
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(unix)]
fn rusage(who: libc::c_int) -> Option<libc::rusage> {
    // SAFETY: getrusage writes one rusage into the zeroed value we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(who, &mut usage) };
    (rc == 0).then_some(usage)
}

#[cfg(unix)]
fn involuntary_switches() -> Option<u64> {
    let own = rusage(libc::RUSAGE_SELF)?.ru_nivcsw as u64;
    Some(own + rusage(libc::RUSAGE_CHILDREN).map_or(0, |u| u.ru_nivcsw as u64))
}

/// User + system time of the children waited for so far, in nanoseconds.
#[cfg(unix)]
fn children_cpu_ns() -> Option<u64> {
    let u = rusage(libc::RUSAGE_CHILDREN)?;
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Some((micros(u.ru_utime) + micros(u.ru_stime)) * 1_000)
}

#[cfg(not(unix))]
fn children_cpu_ns() -> Option<u64> {
    Some(0)
}

#[cfg(not(unix))]
fn process_cpu_ns() -> Option<u64> {
    None
}

#[cfg(not(unix))]
fn involuntary_switches() -> Option<u64> {
    None
}

/// A clock for tests: every measurement takes the workload's modeled duration (or a fixed
/// default), optionally times a seeded noise factor, and the clock's "now" advances by exactly the
/// durations it has reported. CPU time is wall x threads; there are no context switches.
#[derive(Debug)]
pub struct FakeClock {
    state: Mutex<FakeState>,
    relative_sd: f64,
    default_ns: u64,
    /// The machine's state: work at more than one thread takes this many times its time.
    parallel_factor: f64,
}

#[derive(Debug)]
struct FakeState {
    now_ns: u64,
    rng: Pcg64Mcg,
}

impl FakeClock {
    /// Durations are exactly the modeled ones; unmodeled work takes 1 ms.
    pub fn exact() -> FakeClock {
        FakeClock::with_noise(0, 0.0)
    }

    /// Durations are the modeled ones times 1 + `relative_sd` z, z standard normal from a generator
    /// seeded with `seed` (Box–Muller), floored at 5% of the modeled time.
    pub fn with_noise(seed: u64, relative_sd: f64) -> FakeClock {
        FakeClock {
            state: Mutex::new(FakeState { now_ns: 0, rng: Pcg64Mcg::seed_from_u64(seed) }),
            relative_sd,
            default_ns: 1_000_000,
            parallel_factor: 1.0,
        }
    }

    /// This clock on a machine in a state where work at more than one thread takes `factor` times
    /// its modeled time and work at one thread does not (`stats::reruns`: a state that outlasts a
    /// run, which only its reruns can see).
    pub fn in_state(self, factor: f64) -> FakeClock {
        FakeClock { parallel_factor: factor, ..self }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|poison| poison.into_inner())
    }
}

impl Clock for FakeClock {
    fn now_ns(&self) -> u64 {
        self.lock().now_ns
    }

    fn measure(
        &self,
        threads: usize,
        modeled_ns: Option<u64>,
        _cpu: CpuSource<'_>,
        work: &mut dyn FnMut(),
    ) -> Measurement {
        work();
        let mut state = self.lock();
        let state_factor = if threads > 1 { self.parallel_factor } else { 1.0 };
        let base = modeled_ns.unwrap_or(self.default_ns) as f64 * state_factor;
        let factor = if self.relative_sd > 0.0 {
            let (u1, u2): (f64, f64) = (1.0 - state.rng.random::<f64>(), state.rng.random::<f64>());
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            (1.0 + self.relative_sd * z).max(0.05)
        } else {
            1.0
        };
        let wall_ns = (base * factor).round().max(1.0) as u64;
        state.now_ns += wall_ns;
        Measurement { wall_ns, cpu_ns: Some(wall_ns * threads as u64), involuntary_context_switches: Some(0) }
    }

    /// The trace of the ideal run the measurement describes: an Amdahl-shaped model's serial and
    /// parallel parts (scaled like the measurement, noise included), or, without a model, every
    /// worker busy throughout.
    fn profile(
        &self,
        team: &Team,
        modeled: Modeled,
        cpu: CpuSource<'_>,
        work: &mut dyn FnMut(),
    ) -> (Measurement, Result<Trace, String>) {
        let threads = team.threads();
        let measurement = self.measure(threads, modeled.here, cpu, work);
        let wall = measurement.wall_ns;
        let trace = match (modeled.amdahl(), modeled.here) {
            (Some((serial, parallel)), Some(here)) if here > 0 => {
                let scale = |ns: u64| (ns as f64 * wall as f64 / here as f64).round() as u64;
                ideal_trace(threads, scale(serial), scale(parallel))
            }
            _ => ideal_trace(threads, 0, wall * threads as u64),
        };
        (measurement, Ok(trace))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_clock_is_exact_and_advances() {
        let clock = FakeClock::exact();
        let mut ran = false;
        let m = clock.measure(2, Some(500), CpuSource::Process, &mut || ran = true);
        assert!(ran);
        assert_eq!(m.wall_ns, 500);
        assert_eq!(m.cpu_ns, Some(1000));
        assert_eq!(clock.measure(1, None, CpuSource::Process, &mut || {}).wall_ns, 1_000_000);
        assert_eq!(clock.now_ns(), 1_000_500);
    }

    #[test]
    fn fake_noise_is_seeded() {
        let a = FakeClock::with_noise(4, 0.05);
        let b = FakeClock::with_noise(4, 0.05);
        let xs: Vec<u64> =
            (0..5).map(|_| a.measure(1, Some(1_000_000), CpuSource::Process, &mut || {}).wall_ns).collect();
        let ys: Vec<u64> =
            (0..5).map(|_| b.measure(1, Some(1_000_000), CpuSource::Process, &mut || {}).wall_ns).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().any(|&x| x != 1_000_000));
    }

    #[test]
    fn real_clock_reads_cpu_time() {
        let clock = RealClock::new();
        let m = clock.measure(1, None, CpuSource::Process, &mut || {
            std::hint::black_box((0..200_000u64).sum::<u64>());
        });
        assert!(m.wall_ns > 0);
        assert!(m.cpu_ns.is_some() && m.involuntary_context_switches.is_some());
    }
}
