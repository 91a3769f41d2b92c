//! Samples from the kernel's `perf_event`: a `cpu-clock` software event per worker thread, its
//! user call chain walked by the kernel, behind the optional feature `perf-event2` (the
//! `perf-event2` crate, whose re-exported `perf-event-data` parses the records), probed at run
//! time.
//!
//! # Method
//! - **One event per worker** (`perf_event_open` on the worker's thread id, any CPU, no
//!   inheritance): `cpu-clock` every `interval` of that thread's CPU time, with its thread id,
//!   a `CLOCK_MONOTONIC` time stamp and the user call chain (the kernel's frame-pointer walk;
//!   `exclude_kernel`, so `perf_event_paranoid` up to 2 allows it for our own threads). The
//!   `cpu-clock` event runs on a high-resolution timer, not the scheduler's tick, so its interval
//!   is the one asked for.
//! - **A ring buffer per event** ([`RING_BYTES`], fewer bytes a worker for large teams: the
//!   user's locked-memory allowance is shared) read only when the run stops, outside the run:
//!   no reader thread runs beside the work. Records the kernel could not write (a full buffer)
//!   are counted as dropped from its `LOST` records.
//! - **Phase.** The kernel cannot store the leader's phase with a sample, so the recorder's
//!   phase changes are kept with their `CLOCK_MONOTONIC` time ([`PerfRun::set_phase`]) and each
//!   sample takes the phase in force at its time stamp. At most [`PHASES_KEPT`] changes a worker
//!   are kept: samples after the last one kept count as no phase (`Other`), never as serial.
//! - A sample is then the same as the timer sampler's (`sampler::Sample`: the worker, its phase,
//!   its program counter and return addresses, innermost first), so the library's tallies and
//!   symbols take either.
//!
//! # Probe
//! [`probe`] reads `/proc/sys/kernel/perf_event_paranoid` (above 2, or absent: refused) and then
//! opens one such event on the calling thread: a container's seccomp profile may refuse the call
//! itself (`EPERM`, `ENOSYS`). The result is kept for the process; a refused probe, like any
//! event or buffer the kernel refuses later, leaves the run to the timer sampler, and the run's
//! samples say why.

use std::sync::OnceLock;

use perf_event::data::Record as Parsed;
use perf_event::events::Software;
use perf_event::{Builder, Clock, SampleFlag, Sampler as Ring};

use super::sampler::{MAX_DEPTH, Phase, Sample, Samples, Source, Target};

/// The ring buffer's data bytes a worker, at most (a power of two; one page more is mapped for
/// its header): about 2,500 samples of a 20-frame stack, 2.5 s of the worker's CPU time at the
/// default interval; later ones are dropped, and counted.
pub const RING_BYTES: usize = 512 << 10;

/// The bytes of ring buffers a run may map in all: a user may lock `perf_event_mlock_kb` (516 KiB
/// by default) and a process its `RLIMIT_MEMLOCK` (8 MiB by default) for them, and two runs at
/// once (tests) must fit.
pub const RINGS_TOTAL: usize = 4 << 20;

/// The smallest ring a worker gets, however large its team.
pub const RING_LEAST: usize = 64 << 10;

/// The most phase changes kept a worker and run (two a parallel call; 16 bytes each).
pub const PHASES_KEPT: usize = 1 << 18;

/// Call-chain entries at and above this value are the kernel's context markers
/// (`PERF_CONTEXT_USER` and its kind), not addresses.
const CONTEXT_MAX: u64 = -4095i64 as u64;

/// Whether this process may sample its threads with `perf_event` (kept for the process), or why
/// not.
pub fn probe() -> Result<(), String> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    PROBE.get_or_init(probe_now).clone()
}

fn probe_now() -> Result<(), String> {
    let path = "/proc/sys/kernel/perf_event_paranoid";
    let paranoid = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let level: i64 = paranoid.trim().parse().map_err(|_| format!("{path} reads `{}`", paranoid.trim()))?;
    if level > 2 {
        return Err(format!("{path} is {level}: only privileged processes may use perf_event"));
    }
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let ring = open(tid, 1_000_000, RING_LEAST).map_err(|e| format!("perf_event_open was refused: {e}"))?;
    drop(ring);
    Ok(())
}

/// One `cpu-clock` event on thread `tid`, every `interval_ns` of its CPU time, with its ring of
/// `bytes` data bytes; disabled.
fn open(tid: i32, interval_ns: u64, bytes: usize) -> std::io::Result<Ring> {
    Builder::new(Software::CPU_CLOCK)
        .observe_pid(tid)
        .any_cpu()
        .sample_period(interval_ns)
        .sample(SampleFlag::IP | SampleFlag::TID | SampleFlag::TIME | SampleFlag::CALLCHAIN)
        .exclude_kernel(true)
        .exclude_hv(true)
        .exclude_callchain_kernel(true)
        .sample_max_stack(MAX_DEPTH as u16)
        .clockid(Clock::MONOTONIC)
        .enabled(false)
        .build()?
        .sampled(bytes)
}

/// `CLOCK_MONOTONIC` now, in nanoseconds (the clock the events stamp their samples with).
fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into the value we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// One run's events, enabled, and each worker's phase changes.
pub struct PerfRun {
    /// Worker order; `None` for a worker not sampled.
    rings: Vec<Option<Ring>>,
    /// Per worker: (time, the phase from then on); once [`PHASES_KEPT`] are kept, the last is
    /// `Other` from the time the next change came.
    phases: Vec<Vec<(u64, Phase)>>,
    /// Each event's period: user CPU time per sample.
    interval_ns: u64,
    /// Each ring's data bytes.
    bytes: usize,
}

impl std::fmt::Debug for PerfRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerfRun").field("workers", &self.rings.len()).finish()
    }
}

impl PerfRun {
    /// Opens and enables an event on every target (worker order), or says why not (then nothing
    /// stays open).
    pub fn start(targets: &[Option<Target>], interval_ns: u64) -> Result<PerfRun, String> {
        probe()?;
        let sampled = targets.iter().flatten().count().max(1);
        let bytes = 1 << (RINGS_TOTAL / sampled).clamp(RING_LEAST, RING_BYTES).ilog2();
        let mut rings = Vec::with_capacity(targets.len());
        for target in targets {
            rings.push(match target {
                Some(t) => Some(open(t.tid, interval_ns, bytes).map_err(|e| {
                    format!("perf_event refused an event on thread {} ({} KiB ring): {e}", t.tid, bytes >> 10)
                })?),
                None => None,
            });
        }
        let now = monotonic_ns();
        for ring in rings.iter_mut().flatten() {
            ring.enable().map_err(|e| format!("cannot enable a perf_event: {e}"))?;
        }
        let phases = targets
            .iter()
            .map(|t| {
                let mut changes = Vec::with_capacity(if t.is_some() { 4096 } else { 1 });
                changes.push((now, Phase::Other));
                changes
            })
            .collect();
        Ok(PerfRun { phases, rings, interval_ns, bytes })
    }

    /// Worker `worker`'s samples from now on are in `phase`.
    pub fn set_phase(&mut self, worker: usize, phase: Phase) {
        let Some(changes) = self.phases.get_mut(worker) else { return };
        match changes.len() {
            n if n + 1 < PHASES_KEPT => changes.push((monotonic_ns(), phase)),
            n if n + 1 == PHASES_KEPT => changes.push((monotonic_ns(), Phase::Other)),
            _ => {}
        }
    }

    /// Disables every event and returns the run's samples.
    pub fn stop(mut self) -> Samples {
        for ring in self.rings.iter_mut().flatten() {
            let _ = ring.disable();
        }
        let mut samples =
            Samples { source: Source::PerfEvent, period_ns: Some(self.interval_ns), ..Samples::default() };
        for (worker, ring) in self.rings.iter_mut().enumerate() {
            let Some(ring) = ring else { continue };
            let changes = &self.phases[worker];
            let mut used = 0;
            while let Some(record) = ring.next_record() {
                used += record.len() + 8;
                match record.parse_record() {
                    Ok(Parsed::Sample(s)) => {
                        let phase = phase_at(changes, s.time().unwrap_or(0));
                        let frames = user_frames(s.callchain().unwrap_or(&[]), s.ip());
                        if !frames.is_empty() {
                            // The raw `CLOCK_MONOTONIC` stamp, as the timers' (the recorder makes
                            // it window-relative).
                            samples.taken.push(Sample { worker, at_ns: s.time(), phase, frames });
                        }
                    }
                    Ok(Parsed::Lost(lost)) => samples.dropped += lost.lost,
                    Ok(_) => {}
                    Err(_) => samples.dropped += 1,
                }
            }
            samples.filled += u64::from(ring_full(used, self.bytes));
        }
        samples
    }
}

/// Whether a ring of `capacity` bytes, `used` of them read, had no room for another sample of
/// [`MAX_DEPTH`] frames (its header, ip, pid/tid, time, the chain's length and frames).
pub(crate) fn ring_full(used: usize, capacity: usize) -> bool {
    used + 8 * (MAX_DEPTH + 6) >= capacity
}

/// The phase in force at `time`: that of the last change at or before it.
fn phase_at(changes: &[(u64, Phase)], time: u64) -> Phase {
    let after = changes.partition_point(|(at, _)| *at <= time);
    after.checked_sub(1).map_or(Phase::Other, |i| changes[i].1)
}

/// The user call chain's addresses (context markers left out), at most [`MAX_DEPTH`]; the
/// sample's own program counter when the chain is empty.
pub(crate) fn user_frames(chain: &[u64], ip: Option<u64>) -> Vec<usize> {
    let frames: Vec<usize> =
        chain.iter().filter(|&&a| a < CONTEXT_MAX && a != 0).take(MAX_DEPTH).map(|&a| a as usize).collect();
    if frames.is_empty() { ip.filter(|&a| a != 0).map(|a| vec![a as usize]).unwrap_or_default() } else { frames }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_takes_the_phase_in_force_at_its_time() {
        let changes = [(10, Phase::Other), (20, Phase::Serial), (30, Phase::InCall), (40, Phase::Serial)];
        assert_eq!(phase_at(&changes, 5), Phase::Other);
        assert_eq!(phase_at(&changes, 19), Phase::Other);
        assert_eq!(phase_at(&changes, 20), Phase::Serial);
        assert_eq!(phase_at(&changes, 35), Phase::InCall);
        assert_eq!(phase_at(&changes, 99), Phase::Serial);
    }

    #[test]
    fn the_call_chain_loses_its_context_markers_and_keeps_at_most_the_walk_s_depth() {
        let user = -512i64 as u64; // PERF_CONTEXT_USER
        assert_eq!(user_frames(&[user, 0x10, 0x20, 0x30], Some(0x10)), vec![0x10, 0x20, 0x30]);
        assert_eq!(user_frames(&[], Some(0x44)), vec![0x44]);
        assert_eq!(user_frames(&[user], None), Vec::<usize>::new());
        let long: Vec<u64> = std::iter::once(user).chain(1..200).collect();
        assert_eq!(user_frames(&long, None).len(), MAX_DEPTH);
    }
}
