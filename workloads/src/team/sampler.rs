//! Samples of where each worker's CPU time goes: per-thread CPU-time timers and a bounded,
//! signal-safe frame-pointer walk into preallocated buffers (Linux on x86-64 and aarch64).
//!
//! # Method
//! - **One timer per worker** (`timer_create` on the worker's own CPU-time clock, delivering
//!   `SIGPROF` to that thread alone with `SIGEV_THREAD_ID`): a worker is sampled in proportion to
//!   its own CPU time, whatever the others do. Not the process-wide `ITIMER_PROF` (the `pprof`
//!   crate's method), whose one signal goes to an arbitrary thread and coalesces: such profiles go
//!   wrong beyond about 2.5 busy CPUs. CPU-time timers expire at the kernel's tick, so the
//!   effective interval is at least one tick (1-4 ms).
//! - **The handler** reads the interrupted thread's program counter, stack pointer and frame
//!   pointer from the signal's context and follows the frame-pointer chain, at most
//!   [`MAX_DEPTH`] frames, reading a frame only when it lies, aligned, between the interrupted
//!   stack pointer and the top of the thread's stack (taken on the thread when its team is built)
//!   and each next frame lies above the last: every read is of live, mapped stack and the walk
//!   ends. It writes one fixed-size record into the thread's preallocated buffer and touches
//!   nothing else: no allocation, no lock, no thread-local, no call but atomics (`errno` is saved
//!   and restored). A full buffer counts the sample as dropped.
//! - **Hand-off.** The signal carries a key (slot and generation) of a static table, not a
//!   pointer: the handler finds the buffer there, marking the slot busy while it writes; stopping
//!   deletes the timer, unhooks the buffer and waits until the slot is not busy, so a late signal
//!   (already queued when its timer was deleted, or for a thread that has exited) finds no buffer
//!   and returns. Buffers are kept by their owner and reused from run to run.
//! - **Time.** Each record carries the moment it was taken on the monotonic clock
//!   (`clock_gettime(CLOCK_MONOTONIC)`, async-signal-safe and a vDSO read), which the recorder
//!   turns into nanoseconds from its window's start ([`Sample::at_ns`]): with the trace's calls it
//!   tells how many of the team's workers were running when the sample fired (`amdahl`'s blame).
//! - **Phase.** Each buffer holds the phase its thread is in, set by the recorder on the run's
//!   leader (in the window, outside or inside a parallel call) and stored with each sample: the
//!   serial part is the leader's samples outside the calls.
//! - Symbols are resolved after the run, outside the handler, by the `amdahl` crate.
//!
//! Hand-written rather than a crate's unwinder: a DWARF unwinder (as `backtrace`'s) allocates and
//! takes locks, which a signal may interrupt, and reads memory it has not checked; the walk here
//! must be bounded and read only the interrupted thread's live stack. Frames are only as good as
//! the frame pointers: code built without them (a user's bench, by default; the standard library)
//! gives a correct leaf and possibly no callers, so attribution by the leaf stays right.
//!
//! A process that already has a `SIGPROF` handler of its own keeps it: sampling is then
//! unavailable, and the reason says so.
//!
//! # Sources
//! Built with the feature `perf-event2` and allowed by the kernel (`perf_sampler`'s probe), a run
//! is sampled by `perf_event` instead ([`Source::PerfEvent`]: the kernel's `cpu-clock` event and
//! call-chain walk, in the same [`Sample`]s); without the feature, when the probe fails, when
//! the kernel refuses a run's events, or with `AMDAHL_SAMPLER=timer` in the environment, by the
//! timers here ([`Source::Timer`]), and [`Samples::perf_event`] says why not `perf_event`.

use std::sync::Once;
use std::sync::atomic::{AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use crate::cpu_time::ThreadClock;

/// The most frames one sample records (the leaf's program counter and the return addresses
/// above it).
pub const MAX_DEPTH: usize = 62;

/// Words of one record: phase, depth, time, frames.
const RECORD: usize = MAX_DEPTH + 3;

/// The samples one worker's buffer holds per run (at a 1-4 ms tick, 8-32 s of its CPU time).
pub const SAMPLES_KEPT: usize = 8192;

/// The default sampling interval of a worker's CPU time.
pub const INTERVAL_NS: u64 = 1_000_000;

/// The sampling interval of profile runs: [`INTERVAL_NS`], or the nanoseconds in the environment
/// variable `AMDAHL_SAMPLE_NS` (read once; `0` turns sampling off, for measuring its cost).
pub fn interval_ns() -> Option<u64> {
    static INTERVAL: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *INTERVAL.get_or_init(|| match std::env::var("AMDAHL_SAMPLE_NS").ok().and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(0) => None,
        Some(ns) => Some(ns),
        None => Some(INTERVAL_NS),
    })
}

/// Slots of the static table: the most threads sampled at once.
const SLOTS: usize = 256;

/// Where the sampled thread was when the signal came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Not the leader of a profile run, or outside its window.
    Other,
    /// The leader, in the window, outside the parallel calls: serial code.
    Serial,
    /// The leader, inside a parallel call.
    InCall,
}

impl Phase {
    fn code(self) -> u8 {
        match self {
            Phase::Other => 0,
            Phase::Serial => 1,
            Phase::InCall => 2,
        }
    }

    fn from_code(code: usize) -> Phase {
        match code {
            1 => Phase::Serial,
            2 => Phase::InCall,
            _ => Phase::Other,
        }
    }
}

/// One sample of one thread: the worker, when, its phase, and its frames (`frames[0]` the
/// interrupted program counter, then return addresses, innermost first).
///
/// This is the one type every source of per-thread samples fills (the timer sampler here; a
/// `perf_event` source would fill the same fields: thread, time, stack), and what `amdahl`'s
/// attribution, blame and growth read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The worker's index in its team.
    pub worker: usize,
    /// When it fired, in nanoseconds from the window's start on the leader (`Trace`'s instants);
    /// `None` outside the window, or when the source gives no time.
    pub at_ns: Option<u64>,
    /// Where it was (the leader's phase; [`Phase::Other`] for every other worker).
    pub phase: Phase,
    /// Program counter, then return addresses.
    pub frames: Vec<usize>,
}

/// What took a run's samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Source {
    /// A timer on each worker's CPU-time clock and a frame-pointer walk in its signal handler.
    #[default]
    Timer,
    /// The kernel's `perf_event`: a `cpu-clock` event per worker with its user call chain
    /// (feature `perf-event2`).
    PerfEvent,
}

/// The environment variable that turns `perf_event` off (`AMDAHL_SAMPLER=timer`).
pub const SAMPLER_VAR: &str = "AMDAHL_SAMPLER";

/// Whether a run may try `perf_event`, or why not: the feature, the environment, the probe.
pub fn perf_event_allowed() -> Result<(), String> {
    if std::env::var(SAMPLER_VAR).is_ok_and(|v| v.trim() == "timer") {
        return Err(format!("{SAMPLER_VAR}=timer"));
    }
    #[cfg(all(feature = "perf-event2", target_os = "linux"))]
    return super::perf_sampler::probe();
    #[cfg(not(all(feature = "perf-event2", target_os = "linux")))]
    Err(if cfg!(target_os = "linux") {
        "built without the `perf-event2` feature".to_owned()
    } else {
        "perf_event is Linux's".to_owned()
    })
}

/// The samples of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Samples {
    /// Every sample kept, worker by worker.
    pub taken: Vec<Sample>,
    /// What took them.
    pub source: Source,
    /// Why `perf_event` did not take them (`None` when it did).
    pub perf_event: Option<String>,
    /// Samples that found their worker's buffer full.
    pub dropped: u64,
    /// `perf_event` rings found full when read: their later samples are lost, and counted in
    /// `dropped` only where the kernel had room left to say so.
    pub filled: u64,
    /// Why there are none, when sampling could not run (the platform, a handler of the
    /// process's own, a timer the kernel refused).
    pub unavailable: Option<String>,
    /// Per worker (worker order), its CPU time over the stretch sampled, when known: what its
    /// samples stand for together (a sample's weight is its worker's CPU time over its samples,
    /// since a CPU-time timer fires at the kernel's tick, not at the interval asked for).
    pub cpu_ns: Vec<Option<u64>>,
    /// What each sample stands for, in CPU nanoseconds of user code, when the source fires at a
    /// fixed period of it (`perf_event`'s `cpu-clock`, which drops the ticks in the kernel):
    /// then a sample weighs its period, not its worker's CPU time over its samples, so neither
    /// samples lost to a full ring nor system time spread over the user functions that were kept.
    /// `None` for the timers (they fire at the kernel's tick, whatever was asked).
    pub period_ns: Option<u64>,
}

/// A thread's stack: its lowest and one-past-highest address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackBounds {
    low: usize,
    high: usize,
}

impl StackBounds {
    /// The calling thread's stack, where the system says.
    #[cfg(target_os = "linux")]
    pub fn current() -> Option<StackBounds> {
        // SAFETY: a zeroed pthread_attr_t is a valid out-parameter for pthread_getattr_np, which
        // initialises it for the calling thread; it is destroyed once, after it was initialised.
        unsafe {
            let mut attr: libc::pthread_attr_t = std::mem::zeroed();
            if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
                return None;
            }
            let (mut addr, mut size) = (std::ptr::null_mut(), 0usize);
            let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
            libc::pthread_attr_destroy(&mut attr);
            (rc == 0 && size > 0).then(|| StackBounds { low: addr as usize, high: addr as usize + size })
        }
    }

    /// The calling thread's stack, where the system says.
    #[cfg(not(target_os = "linux"))]
    pub fn current() -> Option<StackBounds> {
        None
    }
}

/// One thread's preallocated buffer, written only by the signal handler on that thread.
struct Buffer {
    /// `SAMPLES_KEPT * RECORD` words.
    words: Box<[AtomicUsize]>,
    /// Records written this run (released by the handler, acquired by the reader).
    written: AtomicUsize,
    dropped: AtomicU64,
    phase: AtomicU8,
    stack: StackBounds,
}

impl Buffer {
    fn new(stack: StackBounds) -> Buffer {
        Buffer {
            words: zeroed_words(SAMPLES_KEPT * RECORD),
            written: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
            phase: AtomicU8::new(Phase::Other.code()),
            stack,
        }
    }

    /// Writes one record: phase, then the frames `walk` yields (at most [`MAX_DEPTH`]).
    fn record(&self, frames: impl Iterator<Item = usize>) {
        let n = self.written.load(Ordering::Relaxed);
        if n >= SAMPLES_KEPT {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let rec = &self.words[n * RECORD..(n + 1) * RECORD];
        rec[0].store(self.phase.load(Ordering::Relaxed) as usize, Ordering::Relaxed);
        rec[2].store(monotonic_ns() as usize, Ordering::Relaxed);
        let mut depth = 0;
        for (cell, frame) in rec[3..].iter().zip(frames) {
            cell.store(frame, Ordering::Relaxed);
            depth += 1;
        }
        rec[1].store(depth, Ordering::Relaxed);
        self.written.store(n + 1, Ordering::Release);
    }

    /// The run's samples (its timer deleted, no handler on it), for `worker`.
    fn drain(&self, worker: usize, into: &mut Samples) {
        let n = self.written.swap(0, Ordering::Acquire);
        for rec in self.words.chunks(RECORD).take(n) {
            let depth = rec[1].load(Ordering::Relaxed).min(MAX_DEPTH);
            into.taken.push(Sample {
                worker,
                // The raw monotonic reading; the recorder makes it window-relative.
                at_ns: Some(rec[2].load(Ordering::Relaxed) as u64),
                phase: Phase::from_code(rec[0].load(Ordering::Relaxed)),
                frames: rec[3..3 + depth].iter().map(|w| w.load(Ordering::Relaxed)).collect(),
            });
        }
        into.dropped += self.dropped.swap(0, Ordering::Relaxed);
    }
}

/// The monotonic clock in nanoseconds (`CLOCK_MONOTONIC`, the clock of `std::time::Instant` on
/// Linux): async-signal-safe. 0 when it cannot be read.
pub fn monotonic_ns() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes the timespec we own; it is async-signal-safe (POSIX).
        if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) } == 0 {
            return (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64);
        }
    }
    0
}

/// `n` zeroed words from the allocator's zeroed memory (`calloc`): their pages are touched only
/// as samples fill them.
fn zeroed_words(n: usize) -> Box<[AtomicUsize]> {
    let words: Box<[usize]> = vec![0usize; n].into_boxed_slice();
    // SAFETY: AtomicUsize has the same size, alignment and bit validity as usize (its documented
    // in-memory representation), so a boxed slice of one is a boxed slice of the other.
    unsafe { Box::from_raw(Box::into_raw(words) as *mut [AtomicUsize]) }
}

/// One slot of the static table the handler reads.
struct Slot {
    /// The key (generation << 16 | index) the slot's timer carries; 0 when free.
    key: AtomicU64,
    buffer: AtomicPtr<Buffer>,
    /// Handlers inside the slot now.
    busy: AtomicU32,
    taken: AtomicU32,
}

#[allow(clippy::declare_interior_mutable_const)] // each array element is its own slot
const FREE: Slot = Slot {
    key: AtomicU64::new(0),
    buffer: AtomicPtr::new(std::ptr::null_mut()),
    busy: AtomicU32::new(0),
    taken: AtomicU32::new(0),
};

static TABLE: [Slot; SLOTS] = [FREE; SLOTS];
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// A sampled thread: what its timer needs.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Its CPU-time clock.
    pub clock: ThreadClock,
    /// Its kernel thread id.
    pub tid: i32,
    /// Its stack.
    pub stack: StackBounds,
}

/// The samplers of a team's workers, kept (with their buffers) from run to run.
pub struct Sampler {
    targets: Vec<Option<Target>>,
    buffers: Vec<Option<Box<Buffer>>>,
    running: Vec<Option<Running>>,
    /// `None`: off.
    interval_ns: Option<u64>,
    unavailable: Option<String>,
    /// Whether runs try `perf_event` first, or why not.
    perf_allowed: Result<(), String>,
    /// Why this run is not sampled by `perf_event`.
    perf_refused: Option<String>,
    #[cfg(all(feature = "perf-event2", target_os = "linux"))]
    perf: Option<super::perf_sampler::PerfRun>,
}

impl std::fmt::Debug for Sampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sampler").field("targets", &self.targets).field("interval_ns", &self.interval_ns).finish()
    }
}

/// A worker's timer, armed, and its slot.
struct Running {
    slot: usize,
    /// The timer's id (a `timer_t`, kept as an integer so that the sampler can be shared).
    timer: usize,
}

impl Sampler {
    /// Samplers for these workers (worker order; `None` for one whose clock, id or stack is
    /// unknown: never sampled), every `interval_ns` of each one's CPU time. Buffers are
    /// allocated at the first [`Sampler::start`].
    pub fn new(targets: Vec<Option<Target>>, interval_ns: Option<u64>) -> Sampler {
        let n = targets.len();
        Sampler {
            targets,
            buffers: (0..n).map(|_| None).collect(),
            running: (0..n).map(|_| None).collect(),
            interval_ns: interval_ns.map(|ns| ns.max(1)),
            unavailable: None,
            perf_allowed: perf_event_allowed(),
            perf_refused: None,
            #[cfg(all(feature = "perf-event2", target_os = "linux"))]
            perf: None,
        }
    }

    /// The same, never sampled by `perf_event` (the timers' own tests).
    #[cfg(test)]
    pub fn timer_only(mut self) -> Sampler {
        self.sample_with(Source::Timer);
        self
    }

    /// Runs from now on try `perf_event` first where allowed ([`Source::PerfEvent`]), or use the
    /// timers alone ([`Source::Timer`]).
    pub fn sample_with(&mut self, source: Source) {
        self.perf_allowed = match source {
            Source::PerfEvent => perf_event_allowed(),
            Source::Timer => Err("the timer sampler was asked for".into()),
        };
    }

    /// Arms every worker's timer. On failure nothing stays armed and the run's samples say why.
    pub fn start(&mut self) {
        self.unavailable = None;
        self.perf_refused = None;
        let Some(interval_ns) = self.interval_ns else {
            self.unavailable = Some("sampling is off (AMDAHL_SAMPLE_NS=0)".into());
            return;
        };
        match &self.perf_allowed {
            Err(why) => self.perf_refused = Some(why.clone()),
            #[cfg(all(feature = "perf-event2", target_os = "linux"))]
            Ok(()) => match super::perf_sampler::PerfRun::start(&self.targets, interval_ns) {
                Ok(run) => {
                    self.perf = Some(run);
                    return;
                }
                Err(why) => self.perf_refused = Some(why),
            },
            #[cfg(not(all(feature = "perf-event2", target_os = "linux")))]
            Ok(()) => {}
        }
        if let Err(why) = install_handler() {
            self.unavailable = Some(why);
            return;
        }
        for i in 0..self.targets.len() {
            let Some(target) = self.targets[i] else { continue };
            let buffer = self.buffers[i].get_or_insert_with(|| Box::new(Buffer::new(target.stack)));
            buffer.phase.store(Phase::Other.code(), Ordering::Relaxed);
            match arm(target, buffer, interval_ns) {
                Ok(running) => self.running[i] = Some(running),
                Err(why) => {
                    self.unavailable = Some(why);
                    let mut discard = Samples::default();
                    self.stop_into(&mut discard);
                    return;
                }
            }
        }
    }

    /// Sets the phase stored with worker `worker`'s next samples.
    pub fn set_phase(&mut self, worker: usize, phase: Phase) {
        #[cfg(all(feature = "perf-event2", target_os = "linux"))]
        if let Some(run) = &mut self.perf {
            run.set_phase(worker, phase);
            return;
        }
        if let Some(Some(buffer)) = self.buffers.get(worker) {
            buffer.phase.store(phase.code(), Ordering::Relaxed);
        }
    }

    /// Stops every timer and returns the run's samples.
    pub fn stop(&mut self) -> Samples {
        #[cfg(all(feature = "perf-event2", target_os = "linux"))]
        if let Some(run) = self.perf.take() {
            return run.stop();
        }
        let mut samples = Samples::default();
        self.stop_into(&mut samples);
        samples.unavailable = self.unavailable.take();
        samples.perf_event = self.perf_refused.take();
        samples
    }

    fn stop_into(&mut self, samples: &mut Samples) {
        for i in 0..self.running.len() {
            let Some(running) = self.running[i].take() else { continue };
            disarm(running);
            if let Some(buffer) = &self.buffers[i] {
                buffer.drain(i, samples);
            }
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop_into(&mut Samples::default());
    }
}

#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
fn install_handler() -> Result<(), String> {
    static INSTALL: Once = Once::new();
    static RESULT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    INSTALL.call_once(|| {
        // SAFETY: sigaction reads the zero-initialised struct we own and fills in `old`; the
        // handler installed is an `extern "C"` function with the SA_SIGINFO signature.
        let result = unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGPROF, std::ptr::null(), &mut old) != 0 {
                Err("cannot read the SIGPROF handler".to_owned())
            } else if old.sa_sigaction != libc::SIG_DFL && old.sa_sigaction != libc::SIG_IGN {
                Err("the process has a SIGPROF handler of its own".to_owned())
            } else {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(libc::SIGPROF, &action, std::ptr::null_mut()) == 0 {
                    Ok(())
                } else {
                    Err("cannot install the SIGPROF handler".to_owned())
                }
            }
        };
        let _ = RESULT.set(result);
    });
    RESULT.get().cloned().unwrap_or_else(|| Err("the SIGPROF handler was not installed".into()))
}

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
fn install_handler() -> Result<(), String> {
    Err("sampling needs Linux on x86-64 or aarch64".into())
}

/// Claims a slot for `buffer` and arms a timer on `target`'s CPU clock that signals it.
#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
fn arm(target: Target, buffer: &Buffer, interval_ns: u64) -> Result<Running, String> {
    let slot = (0..SLOTS)
        .find(|&i| TABLE[i].taken.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Relaxed).is_ok())
        .ok_or("every sampler slot is taken (more than 256 threads sampled at once)")?;
    let key = (GENERATION.fetch_add(1, Ordering::Relaxed) << 16) | slot as u64;
    TABLE[slot].buffer.store(buffer as *const Buffer as *mut Buffer, Ordering::SeqCst);
    TABLE[slot].key.store(key, Ordering::SeqCst);
    let spec =
        libc::timespec { tv_sec: (interval_ns / 1_000_000_000) as _, tv_nsec: (interval_ns % 1_000_000_000) as _ };
    let mut timer: libc::timer_t = std::ptr::null_mut();
    // SAFETY: the sigevent is zero-initialised and then filled in (thread-targeted SIGPROF with
    // our key as its value); timer_create writes the new timer's id into `timer`, which we own,
    // and timer_settime reads the itimerspec we own.
    let armed = unsafe {
        let mut event: libc::sigevent = std::mem::zeroed();
        event.sigev_notify = libc::SIGEV_THREAD_ID;
        event.sigev_signo = libc::SIGPROF;
        event.sigev_notify_thread_id = target.tid;
        event.sigev_value = libc::sigval { sival_ptr: key as usize as *mut libc::c_void };
        if libc::timer_create(target.clock.id(), &mut event, &mut timer) != 0 {
            Err(format!("timer_create: {}", std::io::Error::last_os_error()))
        } else {
            let value = libc::itimerspec { it_interval: spec, it_value: spec };
            if libc::timer_settime(timer, 0, &value, std::ptr::null_mut()) != 0 {
                let why = format!("timer_settime: {}", std::io::Error::last_os_error());
                libc::timer_delete(timer);
                Err(why)
            } else {
                Ok(())
            }
        }
    };
    match armed {
        Ok(()) => Ok(Running { slot, timer: timer as usize }),
        Err(why) => {
            release(slot);
            Err(why)
        }
    }
}

#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
fn arm(_: Target, _: &Buffer, _: u64) -> Result<Running, String> {
    Err("sampling needs Linux on x86-64 or aarch64".into())
}

/// Deletes the timer, then unhooks the buffer and waits out any handler inside the slot.
fn disarm(running: Running) {
    #[cfg(target_os = "linux")]
    // SAFETY: the timer was created by `arm` and is deleted once, here.
    unsafe {
        libc::timer_delete(running.timer as libc::timer_t);
    }
    release(running.slot);
}

fn release(slot: usize) {
    let slot = &TABLE[slot];
    slot.key.store(0, Ordering::SeqCst);
    slot.buffer.store(std::ptr::null_mut(), Ordering::SeqCst);
    // A handler inside the slot ends in microseconds once its thread runs; yielding lets it run
    // where threads outnumber CPUs.
    while slot.busy.load(Ordering::SeqCst) != 0 {
        std::thread::yield_now();
    }
    slot.taken.store(0, Ordering::Release);
}

/// The interrupted thread's program counter, stack pointer and frame pointer.
///
/// # Safety
/// `context` is the `ucontext_t` the kernel passed to an `SA_SIGINFO` handler.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
unsafe fn registers(context: *const libc::c_void) -> (usize, usize, usize) {
    // SAFETY: the caller passes the kernel's ucontext_t, valid for the handler's duration.
    let regs = unsafe { &(*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs };
    (
        regs[libc::REG_RIP as usize] as usize,
        regs[libc::REG_RSP as usize] as usize,
        regs[libc::REG_RBP as usize] as usize,
    )
}

/// The interrupted thread's program counter, stack pointer and frame pointer.
///
/// # Safety
/// `context` is the `ucontext_t` the kernel passed to an `SA_SIGINFO` handler.
#[cfg(all(target_os = "linux", target_arch = "aarch64"))]
unsafe fn registers(context: *const libc::c_void) -> (usize, usize, usize) {
    // SAFETY: the caller passes the kernel's ucontext_t, valid for the handler's duration.
    let m = unsafe { &(*context.cast::<libc::ucontext_t>()).uc_mcontext };
    (m.pc as usize, m.sp as usize, m.regs[29] as usize)
}

/// The frame-pointer walk: `pc`, then each frame's return address while the frame lies, aligned,
/// in `[sp, stack.high)` above the previous one.
struct Walk {
    next: Option<usize>,
    fp: usize,
    low: usize,
    high: usize,
}

impl Iterator for Walk {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let out = self.next.take()?;
        let fp = self.fp;
        let word = std::mem::size_of::<usize>();
        if fp.is_multiple_of(word) && fp >= self.low && fp.checked_add(2 * word).is_some_and(|end| end <= self.high) {
            // SAFETY: [fp, fp + 2 words) lies between the interrupted stack pointer and the top of
            // the thread's stack: live, mapped stack of the thread this handler runs on.
            let (caller_fp, ret) = unsafe { (*(fp as *const usize), *((fp + word) as *const usize)) };
            if ret != 0 && caller_fp > fp {
                self.next = Some(ret);
                (self.fp, self.low) = (caller_fp, fp + 2 * word);
            } else if ret != 0 {
                self.next = Some(ret);
                self.fp = 0;
            }
        }
        Some(out)
    }
}

#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
extern "C" fn on_signal(_signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: errno is thread-local storage of libc, readable and writable in a handler.
    let errno = unsafe { *libc::__errno_location() };
    if !info.is_null() && !context.is_null() {
        // SAFETY: the kernel passes a valid siginfo_t to an SA_SIGINFO handler.
        let (code, value) = unsafe { ((*info).si_code, (*info).si_value().sival_ptr as usize as u64) };
        let index = (value & 0xffff) as usize;
        if code == libc::SI_TIMER && value != 0 && index < SLOTS {
            let slot = &TABLE[index];
            slot.busy.fetch_add(1, Ordering::SeqCst);
            let buffer = slot.buffer.load(Ordering::SeqCst);
            if slot.key.load(Ordering::SeqCst) == value && !buffer.is_null() {
                // SAFETY: a non-null buffer in a slot whose key matches stays alive while the
                // slot is busy (`release` waits for it).
                let buffer = unsafe { &*buffer };
                // SAFETY: the context is the kernel's ucontext_t for this signal.
                let (pc, sp, fp) = unsafe { registers(context) };
                let low = sp.max(buffer.stack.low);
                buffer.record(Walk { next: Some(pc), fp, low, high: buffer.stack.high });
            }
            slot.busy.fetch_sub(1, Ordering::SeqCst);
        }
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

#[cfg(all(test, target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
#[path = "sampler_tests.rs"]
mod tests;
