//! The team's recorder: what a profile run records, and how (see `trace` for what a [`Trace`]
//! holds).
//!
//! # Method
//! - **Off** (every timed sample): each parallel call reads one relaxed atomic flag and runs as it
//!   would without a recorder.
//! - **A window.** A profile run is armed on its leader (the worker running the sample) before
//!   the clock starts: every worker's CPU clock and schedstat are read, its slot reset. The
//!   window opens and closes inside the timed closure on the leader ([`Recorder::begin`],
//!   [`Recorder::end`]); after the clock stops the workers' clocks and schedstat are read again
//!   ([`Recorder::finish`]).
//! - **Calls.** A call made by the leader, outside any other call, is traced: its start, its
//!   barrier (every task done) and its end on the leader; each worker records in its own slot (a
//!   cache line of its own) the start of its first leaf, the end of its last and its busy time
//!   ([`Recorder::leaf`], wrapped around rayon's leaves by `Timed` and around the `threads`
//!   backend's static block). At the call's end the leader turns the slots into each worker's
//!   dispatch and imbalance, and keeps the call in full while a fixed budget of worker spans
//!   ([`SPANS_KEPT`]) lasts. Calls made inside a task run untraced, as part of that task.
//! - **On-CPU time** comes from each thread's CPU clock (a system call: 0.3-0.6 us on a 2-CPU VM),
//!   read at the boundaries of the thread's work at most every [`CHECKPOINT_NS`] of wall time: a
//!   call of three 100-ns tasks (`three-body`) cannot afford four such reads, while a task longer
//!   than the checkpoint gets exact ones at both ends. Between two reads, the off-CPU time (wall
//!   less CPU) is put on the time the thread spent out of its work first (a pool's idle worker
//!   sleeps; a 100-ns task rarely does), and only the rest on its work.
//! - **Run-queue wait** is each worker's schedstat `run_delay` between arming and finishing.
//! - **Untracked work.** Each `Team::install` nested in the run (the leader, outside calls) marks
//!   a boundary at which every worker's CPU clock is read. A stretch between boundaries in which
//!   the leader made no call, but the other workers used more CPU than an idle rayon worker spins
//!   ([`SPIN_ALLOWANCE_NS`] each, or [`SPIN_ALLOWANCE_SHARE`] of the stretch: an idle worker
//!   spins 50-120 us on a 2-CPU VM before it sleeps), ran the user's own rayon code: untracked.
//!   Rayon code the user runs beside the team's calls, with no nested `install` between them, is
//!   not told apart from serial code.
//! - **Samples** (`sampler`): every worker's CPU time is sampled from arming to finishing, the
//!   leader's samples marked serial between the window's marks outside the calls, and in-call
//!   inside them ([`Trace::samples`]).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use super::sampler::{Phase, Sampler, Samples, Target};
use super::schedstat::Schedstat;
use super::trace::{CallRecord, RunQueue, Trace, WorkerSpan, WorkerTrace};
use crate::cpu_time::ThreadClock;

/// The most wall time between two reads of a worker's CPU clock while it works.
pub const CHECKPOINT_NS: u64 = 50_000;

/// The worker spans kept in full per run ([`Trace::call_records`]): the first calls, as many as
/// fit (65,536 spans: 32,768 calls at j = 2).
pub const SPANS_KEPT: usize = 1 << 16;

/// The most boundaries (nested `Team::install`s) a run records; later ones are not marked, so
/// their stretches join the last one recorded (a closure that installs a million times costs no
/// more memory than one that installs 4,096 times).
pub const BOUNDARIES_KEPT: usize = 4096;

/// The CPU time one idle worker may use in a stretch without calls before the stretch counts as
/// untracked work (rayon's idle spinning, measured at 50-120 us).
pub const SPIN_ALLOWANCE_NS: u64 = 1_000_000;

/// The same allowance as a share of the stretch, for long stretches.
pub const SPIN_ALLOWANCE_SHARE: f64 = 0.05;

/// No time yet.
const NONE: u64 = u64::MAX;

/// One worker's slot: written by the worker during a call, read and reset by the leader between
/// calls (rayon's join and broadcast order the two).
#[derive(Debug)]
#[repr(align(128))]
struct Slot {
    /// This call: the start of the first leaf, the end of the last, the busy time, the longest
    /// task.
    first: AtomicU64,
    last: AtomicU64,
    busy: AtomicU64,
    longest: AtomicU64,
    /// This run: wall in tasks, on-CPU time in work.
    task: AtomicU64,
    work_cpu: AtomicU64,
    /// Work wall time since the last CPU-clock read.
    pending: AtomicU64,
    /// The last CPU-clock read: when, and its value.
    mark_wall: AtomicU64,
    mark_cpu: AtomicU64,
    /// A read of the CPU clock failed.
    clock_failed: AtomicBool,
}

impl Default for Slot {
    fn default() -> Self {
        Slot {
            first: AtomicU64::new(NONE),
            last: AtomicU64::new(0),
            busy: AtomicU64::new(0),
            longest: AtomicU64::new(0),
            task: AtomicU64::new(0),
            work_cpu: AtomicU64::new(0),
            pending: AtomicU64::new(0),
            mark_wall: AtomicU64::new(0),
            mark_cpu: AtomicU64::new(0),
            clock_failed: AtomicBool::new(false),
        }
    }
}

/// Adds to an atomic written by one thread only (no read-modify-write needed).
fn add(cell: &AtomicU64, value: u64) {
    cell.store(cell.load(Relaxed).saturating_add(value), Relaxed);
}

impl Slot {
    fn reset(&self, now: u64, cpu: Option<u64>) {
        self.reset_call();
        for cell in [&self.task, &self.work_cpu, &self.pending] {
            cell.store(0, Relaxed);
        }
        self.mark_wall.store(now, Relaxed);
        self.mark_cpu.store(cpu.unwrap_or(0), Relaxed);
        self.clock_failed.store(cpu.is_none(), Relaxed);
    }

    fn reset_call(&self) {
        self.first.store(NONE, Relaxed);
        self.last.store(0, Relaxed);
        self.busy.store(0, Relaxed);
        self.longest.store(0, Relaxed);
    }

    /// Reads the CPU clock when `force`d or a checkpoint's wall time has passed since the last read.
    fn checkpoint(&self, clock: Option<ThreadClock>, now: u64, force: bool) {
        if !force && now.saturating_sub(self.mark_wall.load(Relaxed)) < CHECKPOINT_NS {
            return;
        }
        match clock.and_then(ThreadClock::read_ns) {
            Some(cpu) => self.close(now, cpu),
            None => self.clock_failed.store(true, Relaxed),
        }
    }

    /// Closes the interval since the last read at (`now`, `cpu`): its off-CPU time goes on the
    /// time out of work first, the rest on the work.
    fn close(&self, now: u64, cpu: u64) {
        let wall = now.saturating_sub(self.mark_wall.load(Relaxed));
        let used = cpu.saturating_sub(self.mark_cpu.load(Relaxed));
        let work = self.pending.load(Relaxed).min(wall);
        let off = wall.saturating_sub(used);
        let work_off = off.saturating_sub(wall - work);
        add(&self.work_cpu, work - work_off);
        self.pending.store(0, Relaxed);
        self.mark_wall.store(now, Relaxed);
        self.mark_cpu.store(cpu, Relaxed);
    }
}

/// Every worker's CPU clock at one moment, and the calls made by then.
#[derive(Debug)]
struct Boundary {
    at: u64,
    calls: u64,
    cpu: Vec<Option<u64>>,
}

/// What the leader keeps for the run being recorded.
#[derive(Debug)]
struct Session {
    leader: usize,
    begin: u64,
    end: u64,
    /// The start of the leader's current stretch outside calls.
    piece: u64,
    outside: u64,
    calls: u64,
    /// The sum over calls of each call's longest task.
    longest_tasks: u64,
    dispatch: Vec<u64>,
    imbalance: Vec<u64>,
    records: Vec<CallRecord>,
    spans_kept: usize,
    boundaries: Vec<Boundary>,
    run_delay: Result<Vec<u64>, String>,
}

impl Session {
    /// The session of a run led by `leader` on `threads` workers, armed at `now`.
    fn armed(leader: usize, threads: usize, now: u64) -> Session {
        Session {
            leader,
            begin: now,
            end: now,
            piece: now,
            outside: 0,
            calls: 0,
            longest_tasks: 0,
            dispatch: vec![0; threads],
            imbalance: vec![0; threads],
            records: Vec::with_capacity((SPANS_KEPT / threads.max(1)).min(1024)),
            spans_kept: 0,
            boundaries: Vec::new(),
            run_delay: Err("not armed".into()),
        }
    }
}

/// Records profile runs of one team (see the module docs).
#[derive(Debug)]
pub(crate) struct Recorder {
    origin: Instant,
    /// The monotonic clock's reading at `origin` (the samples' times are its readings).
    origin_mono: u64,
    on: AtomicBool,
    /// Whether the next profile runs time every task (for the span).
    time_tasks: AtomicBool,
    leader: AtomicUsize,
    in_call: AtomicBool,
    clocks: Vec<Option<ThreadClock>>,
    slots: Box<[Slot]>,
    /// The workers' thread ids, whose schedstat files are opened at the first profile run.
    tids: Vec<Option<i32>>,
    /// Opened when first armed, not when the team is built: a team is built for every sample,
    /// and most are never profiled.
    schedstat: OnceLock<Schedstat>,
    session: Mutex<Session>,
    sampler: Mutex<Sampler>,
}

impl Recorder {
    /// The recorder of a team whose workers have these CPU clocks and thread ids (worker order).
    pub(crate) fn new(
        clocks: Vec<Option<ThreadClock>>,
        tids: &[Option<i32>],
        targets: Vec<Option<Target>>,
    ) -> Recorder {
        let origin = Instant::now();
        Recorder {
            origin,
            origin_mono: super::sampler::monotonic_ns(),
            on: AtomicBool::new(false),
            time_tasks: AtomicBool::new(false),
            leader: AtomicUsize::new(usize::MAX),
            in_call: AtomicBool::new(false),
            slots: clocks.iter().map(|_| Slot::default()).collect(),
            clocks,
            tids: tids.to_vec(),
            schedstat: OnceLock::new(),
            session: Mutex::new(Session::armed(0, 1, 0)),
            sampler: Mutex::new(Sampler::new(targets, super::sampler::interval_ns())),
        }
    }

    fn now(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sampler(&self) -> std::sync::MutexGuard<'_, Sampler> {
        self.sampler.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read_clocks(&self) -> Vec<Option<u64>> {
        self.clocks.iter().map(|c| c.and_then(ThreadClock::read_ns)).collect()
    }

    fn schedstat(&self) -> &Schedstat {
        self.schedstat.get_or_init(|| Schedstat::open(&self.tids))
    }

    fn run_delays(&self) -> Result<Vec<u64>, String> {
        Ok(self.schedstat().read()?.iter().map(|r| r.run_delay_ns).collect())
    }

    /// Arms a run led by worker `leader` (the calling thread). `Err` when a run is already armed.
    pub(crate) fn arm(&self, leader: usize) -> Result<(), String> {
        if leader >= self.slots.len() {
            return Err(format!("worker {leader} is not one of the team's {}", self.slots.len()));
        }
        if self.on.swap(true, Relaxed) {
            return Err("a profile run of this team is already being recorded".into());
        }
        let j = self.slots.len();
        let mut s = self.session();
        let now = self.now();
        let cpu = self.read_clocks();
        for (slot, cpu) in self.slots.iter().zip(&cpu) {
            slot.reset(now, *cpu);
        }
        *s = Session {
            boundaries: vec![Boundary { at: now, calls: 0, cpu }],
            run_delay: self.run_delays(),
            ..Session::armed(leader, j, now)
        };
        self.in_call.store(false, Relaxed);
        self.leader.store(leader, Relaxed);
        drop(s);
        self.sampler().start();
        Ok(())
    }

    /// Opens the window (on the leader, the clock running).
    pub(crate) fn begin(&self) {
        let mut s = self.session();
        let now = self.now();
        (s.begin, s.piece) = (now, now);
        let slot = &self.slots[s.leader];
        slot.pending.store(0, Relaxed);
        slot.mark_wall.store(now, Relaxed);
        slot.checkpoint(self.clocks[s.leader], now, true);
        slot.pending.store(0, Relaxed);
        self.sampler().set_phase(s.leader, Phase::Serial);
    }

    /// Closes the window (on the leader, the clock still running).
    pub(crate) fn end(&self) {
        let mut s = self.session();
        let now = self.now();
        let stretch = now.saturating_sub(s.piece);
        s.outside += stretch;
        s.end = now;
        let slot = &self.slots[s.leader];
        add(&slot.pending, stretch);
        slot.checkpoint(self.clocks[s.leader], now, true);
        self.sampler().set_phase(s.leader, Phase::Other);
    }

    /// Disarms the recorder after a run that will not be finished.
    pub(crate) fn disarm(&self) {
        self.on.store(false, Relaxed);
        self.sampler().stop();
    }

    /// Ends the run (on the leader, the clock stopped) and returns its trace.
    pub(crate) fn finish(&self) -> Result<Trace, String> {
        self.on.store(false, Relaxed);
        let mut samples: Samples = self.sampler().stop();
        let mut s = self.session();
        let now = self.now();
        let cpu = self.read_clocks();
        // The samples' times, from the window's start; none outside it.
        let (from, to) = (self.origin_mono + s.begin, self.origin_mono + s.end);
        for sample in &mut samples.taken {
            sample.at_ns = sample.at_ns.filter(|&t| t >= from && t <= to).map(|t| t - from);
        }
        samples.cpu_ns = match s.boundaries.first() {
            Some(armed) => {
                armed.cpu.iter().zip(&cpu).map(|(a, b)| Some(b.as_ref()?.saturating_sub(*a.as_ref()?))).collect()
            }
            None => vec![None; cpu.len()],
        };
        let run_delay = self.run_delays();
        let leader = s.leader;
        for (i, slot) in self.slots.iter().enumerate().filter(|(i, _)| *i != leader) {
            match cpu[i] {
                Some(c) => slot.close(now, c),
                None => slot.clock_failed.store(true, Relaxed),
            }
        }
        if self.slots.iter().any(|slot| slot.clock_failed.load(Relaxed)) {
            return Err("a worker's CPU clock could not be read".into());
        }
        let calls = s.calls;
        s.boundaries.push(Boundary { at: now, calls, cpu });
        let (untracked_ns, untracked_cpu) = untracked(&s);
        let run_queue = match (&s.run_delay, &run_delay) {
            (Ok(before), Ok(after)) => {
                Ok(before.iter().zip(after).map(|(b, a)| a.saturating_sub(*b)).collect::<Vec<_>>())
            }
            (Err(why), _) | (_, Err(why)) => Err(why.clone()),
        };
        let run_queue = run_queue.and_then(|waits| self.zero_schedstat().map_or(Ok(waits), Err));
        let workers = (0..self.slots.len())
            .map(|i| {
                let slot = &self.slots[i];
                WorkerTrace {
                    task_ns: slot.task.load(Relaxed),
                    work_cpu_ns: slot.work_cpu.load(Relaxed),
                    dispatch_ns: s.dispatch[i],
                    imbalance_ns: s.imbalance[i],
                    untracked_cpu_ns: untracked_cpu[i],
                    run_queue_ns: run_queue.as_ref().ok().map(|w| w[i]),
                }
            })
            .collect();
        let begin = s.begin;
        let shift = |t: u64| t.saturating_sub(begin);
        let call_records = std::mem::take(&mut s.records)
            .into_iter()
            .map(|c| CallRecord {
                start_ns: shift(c.start_ns),
                barrier_ns: shift(c.barrier_ns),
                end_ns: shift(c.end_ns),
                workers: c
                    .workers
                    .into_iter()
                    .map(|w| w.map(|w| WorkerSpan { first_ns: shift(w.first_ns), last_ns: shift(w.last_ns), ..w }))
                    .collect(),
            })
            .collect();
        Ok(Trace {
            threads: self.slots.len(),
            leader,
            wall_ns: s.end.saturating_sub(s.begin),
            outside_ns: s.outside,
            untracked_ns,
            calls,
            longest_tasks_ns: self.time_tasks.load(Relaxed).then_some(s.longest_tasks),
            workers,
            call_records,
            run_queue: match run_queue {
                Ok(_) => RunQueue::Measured,
                Err(why) => RunQueue::Missing(why),
            },
            samples,
        })
    }

    /// A kernel without scheduler statistics shows zeros: every worker's on-CPU reading is 0.
    fn zero_schedstat(&self) -> Option<String> {
        let readings = self.schedstat().read().ok()?;
        readings
            .iter()
            .all(|r| r.on_cpu_ns == 0 && r.run_delay_ns == 0)
            .then(|| "the kernel keeps no scheduler statistics (every worker's schedstat reads zero)".to_owned())
    }

    /// A call made from worker `caller`: traced (`Some`) when a run is armed, `caller` is its
    /// leader and no traced call is under way.
    pub(crate) fn call(&self, caller: impl FnOnce() -> Option<usize>) -> Option<CallGuard<'_>> {
        if !self.on.load(Relaxed) || caller() != Some(self.leader.load(Relaxed)) || self.in_call.swap(true, Relaxed) {
            return None;
        }
        let mut s = self.session();
        let now = self.now();
        let stretch = now.saturating_sub(s.piece);
        s.outside += stretch;
        let slot = &self.slots[s.leader];
        add(&slot.pending, stretch);
        slot.checkpoint(self.clocks[s.leader], now, false);
        self.sampler().set_phase(s.leader, Phase::InCall);
        Some(CallGuard { recorder: self, start: now, barrier: Cell::new(None) })
    }

    fn call_end(&self, start: u64, barrier: Option<u64>) {
        let mut s = self.session();
        let end = self.now();
        let barrier = barrier.unwrap_or(end).clamp(start, end);
        let j = self.slots.len();
        let keep = s.spans_kept + j <= SPANS_KEPT;
        let mut spans = Vec::with_capacity(if keep { j } else { 0 });
        let longest = self.slots.iter().map(|slot| slot.longest.load(Relaxed)).max().unwrap_or(0);
        s.longest_tasks += longest.min(barrier - start);
        for (i, slot) in self.slots.iter().enumerate() {
            let (first, last, busy) = (slot.first.load(Relaxed), slot.last.load(Relaxed), slot.busy.load(Relaxed));
            slot.reset_call();
            let span = (first != NONE).then(|| {
                let first = first.clamp(start, barrier);
                let last = last.clamp(first, barrier);
                WorkerSpan { first_ns: first, last_ns: last, busy_ns: busy.min(last - first) }
            });
            let (dispatch, imbalance) = match span {
                Some(w) => ((w.first_ns - start) + (w.last_ns - w.first_ns - w.busy_ns), barrier - w.last_ns),
                None => (0, barrier - start),
            };
            s.dispatch[i] += dispatch + (end - barrier);
            s.imbalance[i] += imbalance;
            if keep {
                spans.push(span);
            }
        }
        if keep {
            s.spans_kept += j;
            s.records.push(CallRecord { start_ns: start, barrier_ns: barrier, end_ns: end, workers: spans });
        }
        s.calls += 1;
        s.piece = end;
        let leader = s.leader;
        drop(s);
        self.slots[leader].checkpoint(self.clocks[leader], end, false);
        self.sampler().set_phase(leader, Phase::Serial);
        self.in_call.store(false, Relaxed);
    }

    /// A `Team::install` entered or left by worker `caller`: a boundary of untracked stretches
    /// when a run is armed, `caller` is its leader and no traced call is under way.
    pub(crate) fn boundary(&self, caller: impl FnOnce() -> Option<usize>) {
        if !self.on.load(Relaxed) || caller() != Some(self.leader.load(Relaxed)) || self.in_call.load(Relaxed) {
            return;
        }
        let mut s = self.session();
        if s.boundaries.len() >= BOUNDARIES_KEPT {
            return;
        }
        let (at, cpu) = (self.now(), self.read_clocks());
        let calls = s.calls;
        s.boundaries.push(Boundary { at, calls, cpu });
    }

    /// What samples the profile runs from now on (see `Sampler::sample_with`).
    pub(crate) fn sample_with(&self, source: super::sampler::Source) {
        self.sampler().sample_with(source);
    }

    /// Whether the profile runs from now on time every task ([`Trace::longest_tasks_ns`]).
    pub(crate) fn set_time_tasks(&self, on: bool) {
        self.time_tasks.store(on, Relaxed);
    }

    /// Runs `task` (one task of a traced call, inside a leaf) on the calling worker and, when the
    /// run times tasks, keeps the longest in the worker's slot: two reads of the monotonic clock
    /// a task (a relaxed load otherwise), in profile runs only.
    pub(crate) fn task<R>(&self, task: impl FnOnce() -> R) -> R {
        if !self.time_tasks.load(Relaxed) {
            return task();
        }
        let Some(i) = rayon::current_thread_index().filter(|&i| i < self.slots.len()) else { return task() };
        let start = self.now();
        let out = task();
        let took = self.now().saturating_sub(start);
        let longest = &self.slots[i].longest;
        if took > longest.load(Relaxed) {
            longest.store(took, Relaxed);
        }
        out
    }

    /// Runs `leaf` (a sequential piece of a traced call) on the calling worker and records it in
    /// the worker's slot.
    pub(crate) fn leaf<R>(&self, leaf: impl FnOnce() -> R) -> R {
        let Some(i) = rayon::current_thread_index().filter(|&i| i < self.slots.len()) else { return leaf() };
        let (slot, clock) = (&self.slots[i], self.clocks[i]);
        let start = self.now();
        slot.checkpoint(clock, start, false);
        let out = leaf();
        let end = self.now();
        if slot.first.load(Relaxed) == NONE {
            slot.first.store(start, Relaxed);
        }
        slot.last.store(end, Relaxed);
        let busy = end.saturating_sub(start);
        add(&slot.busy, busy);
        add(&slot.task, busy);
        add(&slot.pending, busy);
        slot.checkpoint(clock, end, false);
        out
    }
}

/// The untracked stretches of a finished session: the time (within the window) and every
/// worker's CPU time in stretches between boundaries with no call, in which the workers other
/// than the leader used more CPU time than idle spinning allows.
fn untracked(s: &Session) -> (u64, Vec<u64>) {
    let j = s.dispatch.len();
    let mut cpu = vec![0; j];
    let mut wall = 0;
    for pair in s.boundaries.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.calls != a.calls {
            continue;
        }
        let used: Vec<u64> = a
            .cpu
            .iter()
            .zip(&b.cpu)
            .map(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => y.saturating_sub(*x),
                _ => 0,
            })
            .collect();
        let others: u64 = used.iter().enumerate().filter(|(i, _)| *i != s.leader).map(|(_, u)| u).sum();
        let stretch = b.at.saturating_sub(a.at);
        let allowance = SPIN_ALLOWANCE_NS.max((SPIN_ALLOWANCE_SHARE * stretch as f64) as u64) * (j as u64 - 1);
        if j > 1 && others > allowance {
            wall += b.at.min(s.end).saturating_sub(a.at.max(s.begin));
            cpu.iter_mut().zip(&used).for_each(|(c, u)| *c += u);
        }
    }
    (wall.min(s.outside), cpu)
}

/// A traced call under way; its end is recorded when it is dropped (a panicking call too).
pub(crate) struct CallGuard<'r> {
    recorder: &'r Recorder,
    start: u64,
    barrier: Cell<Option<u64>>,
}

impl<'r> CallGuard<'r> {
    /// The recorder its leaves record on.
    pub(crate) fn recorder(&self) -> &'r Recorder {
        self.recorder
    }

    /// Marks the call's barrier: every task is done, what follows is the team assembling results.
    pub(crate) fn barrier(&self) {
        self.barrier.set(Some(self.recorder.now()));
    }
}

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        self.recorder.call_end(self.start, self.barrier.get());
    }
}
