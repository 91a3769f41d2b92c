//! `Team`: j threads on one of two backends, and the two ways workloads spread tasks over them.
//!
//! # How it works
//! 1. A team is built **before** timing: both backends build a dedicated rayon `ThreadPool` of
//!    exactly j threads (never rayon's global pool), so the backends differ in scheduling, not in
//!    spawning. Its threads are its own ([`Team::new`], [`Team::pinned`]: started with the team,
//!    ended with it), or a [`Crew`](crate::Crew)'s persistent members lent for the team's life
//!    ([`Crew::team`](crate::Crew::team): the sweep's way, one team alive at a time).
//! 2. A workload hands the team a fixed number of tasks, numbered `0..tasks`; the number never
//!    depends on j, so results can be reduced in task order and are identical at every j.
//! 3. `rayon` spreads the tasks by work stealing inside the pool. `threads` gives worker t the
//!    contiguous block of tasks `t*tasks/j .. (t+1)*tasks/j` (a static partition, no balancing)
//!    through `ThreadPool::broadcast`, which runs once on every worker and returns when all are
//!    done: one barrier per call, as an OpenMP `parallel for schedule(static)`.
//! 4. Results come back in task order ([`Team::map`], [`Team::map_chunks_mut`]), or folded in the
//!    workers by an associative operation, equal to the serial fold in task order
//!    ([`Team::map_reduce`], [`Team::reduce_chunks_mut`]): a workload of 65,536 tasks then has no
//!    vector of results for the caller to fold alone after the parallel part. A panic in any task
//!    is re-raised in the caller.
//! 5. A team built with [`Team::pinned`] pins worker i to `cpus[i % cpus.len()]` when it starts
//!    (`sched_setaffinity`, Linux only); [`Team::pin_failures`] counts the workers that could not be
//!    pinned.
//!
//! 6. A team records where its workers' time goes during a **profile run** ([`Team::start_profile`]):
//!    every parallel call made by the run's leader, per worker its first task's start, last task's
//!    end, busy and on-CPU time, and run-queue wait from the kernel (`recorder`, giving a
//!    [`Trace`]). Outside a profile run a call reads one atomic flag more than it would without it.
//!
//! The `threads` backend was once j crossbeam threads spawned inside every call; a one-thread
//! `three-body` then spent 36 s creating threads against 0.1 s with rayon. Persistent workers fed
//! per call fix that without `unsafe`: rayon's `broadcast` already lends borrowed closures to
//! long-lived threads safely, which a hand-written crossbeam pool could only do by erasing
//! lifetimes. Results files record the change as `team: persistent`.

#[cfg(all(feature = "perf-event2", target_os = "linux"))]
pub(crate) mod perf_sampler;
mod recorder;
pub(crate) mod sampler;
mod schedstat;
mod timed;
pub mod trace;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::cpu_time::ThreadClock;
use crate::crew::Lease;
use crate::thread_state::Tid;
pub use recorder::{CHECKPOINT_NS, SPANS_KEPT, SPIN_ALLOWANCE_NS, SPIN_ALLOWANCE_SHARE};
use recorder::{CallGuard, Recorder};
use sampler::Source;
use timed::Timed;
pub use trace::Trace;

/// How a team runs its threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Backend {
    /// A rayon `ThreadPool` of j threads, built once: work stealing.
    Rayon,
    /// j persistent threads, each given its static block of tasks per call: static partition.
    Threads,
}

impl Backend {
    /// Both backends.
    pub const ALL: [Backend; 2] = [Backend::Rayon, Backend::Threads];

    /// The name used on the command line and in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Rayon => "rayon",
            Backend::Threads => "threads",
        }
    }

    /// Parses the name written by [`Backend::as_str`].
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.as_str() == name)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The execution context for j threads.
pub struct Team {
    threads: usize,
    backend: Backend,
    pool: rayon::ThreadPool,
    pin_failures: Arc<AtomicUsize>,
    clocks: Arc<Mutex<Vec<Option<ThreadClock>>>>,
    recorder: Recorder,
    /// Each worker's thread id, recorded when it starts.
    tids: Arc<Mutex<Vec<Option<Tid>>>>,
    /// The crew's members this team runs on ([`Crew::team`](crate::Crew::team)), held for its
    /// drop alone: dropped after `pool` (fields drop in order), it waits until they are back and
    /// asleep.
    _lease: Option<Lease>,
}

impl fmt::Debug for Team {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Team").field("threads", &self.threads).field("backend", &self.backend).finish()
    }
}

/// A team could not be built.
#[derive(Debug)]
pub struct TeamError {
    /// The thread count asked for.
    pub threads: usize,
    /// Why it failed.
    pub message: String,
}

impl fmt::Display for TeamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build a team of {} threads: {}", self.threads, self.message)
    }
}

impl std::error::Error for TeamError {}

impl Team {
    /// Builds a team of `threads` (at least 1) on `backend`, its pool of workers now.
    pub fn new(threads: usize, backend: Backend) -> Result<Team, TeamError> {
        Team::pinned(threads, backend, &[])
    }

    /// Builds a team whose worker i runs on CPU `cpus[i % cpus.len()]` (no pinning when `cpus` is
    /// empty).
    pub fn pinned(threads: usize, backend: Backend, cpus: &[usize]) -> Result<Team, TeamError> {
        Team::build(threads, backend, cpus, None)
    }

    /// A team on threads of its own, or on the crew's members of `lease`
    /// ([`Crew::team`](crate::Crew::team)).
    pub(crate) fn build(
        threads: usize,
        backend: Backend,
        cpus: &[usize],
        lease: Option<Lease>,
    ) -> Result<Team, TeamError> {
        if threads == 0 {
            return Err(TeamError { threads, message: "a team needs at least one thread".into() });
        }
        let pin_failures = Arc::new(AtomicUsize::new(0));
        let clocks = Arc::new(Mutex::new(vec![None; threads]));
        let tids = Arc::new(Mutex::new(vec![None; threads]));
        let stacks = Arc::new(Mutex::new(vec![None; threads]));
        let (cpus, failures, worker_clocks, worker_tids, worker_stacks) =
            (cpus.to_vec(), Arc::clone(&pin_failures), Arc::clone(&clocks), Arc::clone(&tids), Arc::clone(&stacks));
        let builder = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |i| format!("amdahl-{threads}-{i}"))
            .start_handler(move |i| {
                if !cpus.is_empty() && !crate::affinity::pin_current_thread(cpus[i % cpus.len()]) {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
                worker_clocks.lock().unwrap_or_else(|e| e.into_inner())[i] = ThreadClock::current();
                worker_tids.lock().unwrap_or_else(|e| e.into_inner())[i] = crate::thread_state::current_tid();
                worker_stacks.lock().unwrap_or_else(|e| e.into_inner())[i] = sampler::StackBounds::current();
            });
        let built = match &lease {
            None => builder.build(),
            Some(lease) => builder.spawn_handler(|worker| lease.hand(worker)).build(),
        };
        let pool = built.map_err(|e| TeamError { threads, message: e.to_string() })?;
        // Every worker runs once now, so each has started (pinned itself, recorded its clock)
        // before any timing.
        pool.broadcast(|_| ());
        let clocks_now = clocks.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let tids_now = tids.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let stacks_now = stacks.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let targets = (0..threads)
            .map(|i| Some(sampler::Target { clock: clocks_now[i]?, tid: tids_now[i]?, stack: stacks_now[i]? }))
            .collect();
        let recorder = Recorder::new(clocks_now, &tids_now, targets);
        Ok(Team { threads, backend, pool, pin_failures, clocks, recorder, tids, _lease: lease })
    }

    /// The thread ids of the workers, in worker order (those the system gave one: Linux).
    pub fn worker_tids(&self) -> Vec<Tid> {
        self.tids.lock().unwrap_or_else(|e| e.into_inner()).iter().flatten().copied().collect()
    }

    /// Workers that could not be pinned to their CPU (0 for an unpinned team); final once the
    /// team is built.
    pub fn pin_failures(&self) -> usize {
        self.pin_failures.load(Ordering::Relaxed)
    }

    /// The CPU time of the team's workers so far (user + system, summed): what a sample of this
    /// team costs in CPU, without the threads of other teams or the caller. `None` where a
    /// worker's clock cannot be read.
    pub fn cpu_ns(&self) -> Option<u64> {
        let clocks = self.clocks.lock().unwrap_or_else(|e| e.into_inner());
        clocks.iter().map(|c| c.and_then(ThreadClock::read_ns)).sum()
    }

    /// The number of threads, j.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `body` as the team's leader, on one of the pool's own workers, so that the
    /// [`Team::map`] calls inside it run as nested parallel regions of that pool (at j = 1, inline,
    /// with no hand-off between threads). Workloads with many small parallel regions (one per time
    /// step) wrap their whole run in this, as an OpenMP program wraps its time loop in one
    /// `parallel` region.
    ///
    /// In a profile run, an `install` nested in the run marks where the leader's code outside the
    /// parallel calls may be the user's own rayon code (see [`Trace::untracked_ns`]).
    pub fn install<R, F>(&self, body: F) -> R
    where
        R: Send,
        F: FnOnce() -> R + Send,
    {
        self.recorder.boundary(|| self.pool.current_thread_index());
        let out = self.pool.install(body);
        self.recorder.boundary(|| self.pool.current_thread_index());
        out
    }

    /// Whether the profile runs of this team from now on time every task, for the run's span
    /// ([`Trace::longest_tasks_ns`]): two clock reads a task, which lengthens runs of short tasks,
    /// so a run that times its tasks is a run of its own, not one of the account's.
    pub fn time_tasks_in_profiles(&self, on: bool) {
        self.recorder.set_time_tasks(on);
    }

    /// What samples the next profile runs: [`Source::PerfEvent`] (the default) where it is built
    /// in and allowed, else the timers; [`Source::Timer`]: the timers always (to compare the two).
    pub fn sample_profiles_with(&self, source: Source) {
        self.recorder.sample_with(source);
    }

    /// Starts a profile run on the calling thread, which must be one of the team's workers (inside
    /// [`Team::install`]): it leads the run, and its code outside the parallel calls is the work's
    /// serial code. Call [`Profile::begin`] and [`Profile::end`] around the work (inside the
    /// timed window), then [`Profile::finish`] for the [`Trace`]. `Err` when the caller is not a
    /// worker of this team or a profile run is already under way.
    pub fn start_profile(&self) -> Result<Profile<'_>, String> {
        let leader = self
            .pool
            .current_thread_index()
            .ok_or("a profile run starts on one of the team's workers (inside Team::install)")?;
        self.recorder.arm(leader)?;
        Ok(Profile { team: self, finished: false })
    }

    /// A traced call, when a profile run is armed and the caller leads it.
    fn traced_call(&self) -> Option<CallGuard<'_>> {
        self.recorder.call(|| self.pool.current_thread_index())
    }

    /// Runs `task(i)` for every `i` in `0..tasks` over the team; results in task order.
    pub fn map<R, F>(&self, tasks: usize, task: F) -> Vec<R>
    where
        R: Send,
        F: Fn(usize) -> R + Sync,
    {
        let call = self.traced_call();
        let recorder = call.as_ref().map(CallGuard::recorder);
        let task = |i| timed_task(recorder, || task(i));
        match self.backend {
            Backend::Rayon => {
                self.pool.install(|| Timed::new((0..tasks).into_par_iter().map(&task), recorder).collect())
            }
            Backend::Threads => {
                let j = self.threads;
                let blocks = self.pool.broadcast(|ctx| {
                    let t = ctx.index();
                    leaf(recorder, || (t * tasks / j..(t + 1) * tasks / j).map(&task).collect::<Vec<R>>())
                });
                barrier(&call);
                blocks.into_iter().flatten().collect()
            }
        }
    }

    /// Runs `task(i)` for every `i` in `0..tasks` over the team and folds the results with `op`
    /// from `identity`, without collecting them: `op` must be associative with `identity` its
    /// identity, and the result is then the serial fold's, `op(...op(op(identity, r0), r1)..)`,
    /// at every j and on both backends (rayon's `reduce` keeps the order of the results; the
    /// `threads` backend folds each worker's block, then the blocks in worker order). A fold in
    /// the workers, not a vector of 65,536 results folded afterwards by the caller alone, so a
    /// fine decomposition adds no serial tail.
    pub fn map_reduce<R, F, Op>(&self, tasks: usize, identity: R, task: F, op: Op) -> R
    where
        R: Send + Sync + Clone,
        F: Fn(usize) -> R + Sync,
        Op: Fn(R, R) -> R + Sync,
    {
        let call = self.traced_call();
        let recorder = call.as_ref().map(CallGuard::recorder);
        let task = |i| timed_task(recorder, || task(i));
        match self.backend {
            Backend::Rayon => self.pool.install(|| {
                Timed::new((0..tasks).into_par_iter().map(&task), recorder).reduce(|| identity.clone(), &op)
            }),
            Backend::Threads => {
                let j = self.threads;
                let blocks = self.pool.broadcast(|ctx| {
                    let t = ctx.index();
                    leaf(recorder, || (t * tasks / j..(t + 1) * tasks / j).map(&task).fold(identity.clone(), &op))
                });
                barrier(&call);
                blocks.into_iter().fold(identity, &op)
            }
        }
    }

    /// Splits `data` into chunks of `chunk_len` (the last may be shorter) and runs
    /// `task(chunk_index, chunk)` for each over the team; results in chunk order.
    pub fn map_chunks_mut<T, R, F>(&self, data: &mut [T], chunk_len: usize, task: F) -> Vec<R>
    where
        T: Send,
        R: Send,
        F: Fn(usize, &mut [T]) -> R + Sync,
    {
        let chunk_len = chunk_len.max(1);
        let call = self.traced_call();
        let recorder = call.as_ref().map(CallGuard::recorder);
        let task = |i, chunk: &mut [T]| timed_task(recorder, || task(i, chunk));
        match self.backend {
            Backend::Rayon => self.pool.install(|| {
                Timed::new(data.par_chunks_mut(chunk_len).enumerate().map(|(i, chunk)| task(i, chunk)), recorder)
                    .collect()
            }),
            Backend::Threads => {
                let results = self.static_chunks(data, chunk_len, recorder, |first, block| {
                    block.chunks_mut(chunk_len).enumerate().map(|(k, c)| task(first + k, c)).collect::<Vec<R>>()
                });
                barrier(&call);
                results.into_iter().flatten().collect()
            }
        }
    }

    /// [`Team::map_chunks_mut`] folded like [`Team::map_reduce`]: `op` associative with
    /// `identity` its identity, the result the serial fold's in chunk order at every j.
    pub fn reduce_chunks_mut<T, R, F, Op>(&self, data: &mut [T], chunk_len: usize, identity: R, task: F, op: Op) -> R
    where
        T: Send,
        R: Send + Sync + Clone,
        F: Fn(usize, &mut [T]) -> R + Sync,
        Op: Fn(R, R) -> R + Sync,
    {
        let chunk_len = chunk_len.max(1);
        let call = self.traced_call();
        let recorder = call.as_ref().map(CallGuard::recorder);
        let task = |i, chunk: &mut [T]| timed_task(recorder, || task(i, chunk));
        match self.backend {
            Backend::Rayon => self.pool.install(|| {
                Timed::new(data.par_chunks_mut(chunk_len).enumerate().map(|(i, chunk)| task(i, chunk)), recorder)
                    .reduce(|| identity.clone(), &op)
            }),
            Backend::Threads => {
                let results = self.static_chunks(data, chunk_len, recorder, |first, block| {
                    block.chunks_mut(chunk_len).enumerate().map(|(k, c)| task(first + k, c)).fold(identity.clone(), &op)
                });
                barrier(&call);
                results.into_iter().fold(identity, &op)
            }
        }
    }

    /// The `threads` backend's static partition of chunks: worker t gets the contiguous run of
    /// chunks `t*chunks/j .. (t+1)*chunks/j` as one slice and calls `block(first_chunk, slice)`;
    /// results in worker order. The j slices are cut once per call (O(j), not O(chunks)). Each
    /// block is one leaf of a traced call (`recorder`).
    fn static_chunks<T, R, B>(&self, data: &mut [T], chunk_len: usize, recorder: Option<&Recorder>, block: B) -> Vec<R>
    where
        T: Send,
        R: Send,
        B: Fn(usize, &mut [T]) -> R + Sync,
    {
        let (tasks, j) = (data.len().div_ceil(chunk_len), self.threads);
        // Worker t's block, handed over through an uncontended lock (each is taken once).
        let mut blocks: Vec<Mutex<(usize, &mut [T])>> = Vec::with_capacity(j);
        let mut rest = data;
        for t in 0..j {
            let (first, end) = (t * tasks / j, (t + 1) * tasks / j);
            let len = ((end - first) * chunk_len).min(rest.len());
            let (mine, others) = std::mem::take(&mut rest).split_at_mut(len);
            blocks.push(Mutex::new((first, mine)));
            rest = others;
        }
        self.pool.broadcast(|ctx| {
            let (first, mine) = std::mem::take(&mut *blocks[ctx.index()].lock().unwrap_or_else(|e| e.into_inner()));
            leaf(recorder, || block(first, mine))
        })
    }
}

/// Runs one sequential piece of a call: recorded on `recorder` when the call is traced.
fn leaf<R>(recorder: Option<&Recorder>, piece: impl FnOnce() -> R) -> R {
    match recorder {
        Some(recorder) => recorder.leaf(piece),
        None => piece(),
    }
}

/// Runs one task of a call: its wall time kept when the call is traced (the recorder keeps each
/// call's longest task, for the run's span); one well-predicted branch a task otherwise.
#[inline(always)]
fn timed_task<R>(recorder: Option<&Recorder>, task: impl FnOnce() -> R) -> R {
    match recorder {
        Some(recorder) => recorder.task(task),
        None => task(),
    }
}

/// Marks a traced call's barrier: its tasks are done, the team assembles the results.
fn barrier(call: &Option<CallGuard<'_>>) {
    if let Some(call) = call {
        call.barrier();
    }
}

/// A profile run of a team, started on its leader by [`Team::start_profile`].
pub struct Profile<'t> {
    team: &'t Team,
    finished: bool,
}

impl fmt::Debug for Profile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile").field("team", self.team).finish()
    }
}

impl Profile<'_> {
    /// Opens the window: the first thing inside the timed region, on the leader.
    pub fn begin(&self) {
        self.team.recorder.begin();
    }

    /// Closes the window: the last thing inside the timed region, on the leader.
    pub fn end(&self) {
        self.team.recorder.end();
    }

    /// Ends the run, outside the timed region, on the leader: its trace, or why there is none (a
    /// worker's CPU clock could not be read).
    pub fn finish(mut self) -> Result<Trace, String> {
        self.finished = true;
        self.team.recorder.finish()
    }
}

impl Drop for Profile<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.team.recorder.disarm();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_returns_task_order_on_both_backends() {
        for backend in Backend::ALL {
            for j in [1, 2, 3, 7, 20] {
                let team = Team::new(j, backend).unwrap();
                assert_eq!(team.map(10, |i| i * i), (0..10).map(|i| i * i).collect::<Vec<_>>());
                assert_eq!(team.map(0, |i| i), Vec::<usize>::new());
            }
        }
    }

    #[test]
    fn reductions_fold_in_task_order_on_both_backends() {
        // String concatenation is associative but not commutative: the order shows.
        let serial = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let join = |a: String, b: String| if a.is_empty() || b.is_empty() { a + &b } else { a + "," + &b };
        for backend in Backend::ALL {
            for j in [1, 2, 3, 7, 20] {
                let team = Team::new(j, backend).unwrap();
                for n in [0, 1, 5, 103] {
                    assert_eq!(
                        team.map_reduce(n, String::new(), |i| i.to_string(), join),
                        serial(n),
                        "{backend} j={j}"
                    );
                    let mut data: Vec<usize> = (0..n).collect();
                    let folded = team.reduce_chunks_mut(
                        &mut data,
                        10,
                        String::new(),
                        |i, c| {
                            c.iter_mut().for_each(|x| *x += 1);
                            format!("{i}:{}", c.len())
                        },
                        join,
                    );
                    let chunks: Vec<String> =
                        (0..n.div_ceil(10)).map(|i| format!("{i}:{}", (n - 10 * i).min(10))).collect();
                    assert_eq!(folded, chunks.join(","), "{backend} j={j} n={n}");
                    assert_eq!(data, (1..=n).collect::<Vec<_>>());
                }
            }
        }
    }

    #[test]
    fn map_chunks_mut_covers_every_element_once() {
        for backend in Backend::ALL {
            for j in [1, 2, 3, 7] {
                let team = Team::new(j, backend).unwrap();
                let mut data = vec![0u32; 103];
                let sums = team.map_chunks_mut(&mut data, 10, |i, chunk| {
                    chunk.iter_mut().for_each(|x| *x += 1 + i as u32);
                    chunk.len()
                });
                assert_eq!(sums, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
                assert!(data.iter().enumerate().all(|(k, x)| *x == 1 + (k / 10) as u32));
            }
        }
    }

    #[test]
    fn rayon_team_uses_its_own_pool_of_j_threads() {
        let team = Team::new(3, Backend::Rayon).unwrap();
        let names = team.map(64, |_| std::thread::current().name().map(str::to_owned));
        assert!(names.iter().all(|n| n.as_deref().is_some_and(|n| n.starts_with("amdahl-3-"))));
    }

    #[test]
    fn panics_reach_the_caller() {
        for backend in Backend::ALL {
            let team = Team::new(2, backend).unwrap();
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                team.map(4, |i| if i == 3 { panic!("task 3 failed") } else { i })
            }));
            assert!(caught.is_err());
        }
    }

    #[test]
    fn threads_workers_persist_across_calls_and_take_static_blocks() {
        let team = Team::new(3, Backend::Threads).unwrap();
        let who = |_| std::thread::current().name().map(str::to_owned).unwrap_or_default();
        let first = team.map(6, who);
        assert_eq!(first, team.map(6, who), "the same worker runs the same block every call");
        assert_eq!(first[0], first[1]);
        assert_eq!(first[2], first[3]);
        assert_ne!(first[1], first[2]);
        assert!(first.iter().all(|n| n.starts_with("amdahl-3-")));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pinned_team_runs_on_its_cpus() {
        for backend in Backend::ALL {
            let team = Team::pinned(2, backend, &[0]).unwrap();
            let cpus = team.map(8, |_| crate::affinity::current_cpu());
            assert!(cpus.iter().all(|c| *c == Some(0)), "{backend}: {cpus:?}");
            assert_eq!(team.pin_failures(), 0);
            let nowhere = Team::pinned(2, backend, &[100_000]).unwrap();
            nowhere.map(2, |i| i);
            assert_eq!(nowhere.pin_failures(), 2);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_teams_cpu_time_counts_its_own_workers_only() {
        // Spins until its own thread has had `ms` of CPU time, however busy the machine is.
        let spin = |ms: u64| {
            let clock = ThreadClock::current().unwrap();
            let start = clock.read_ns().unwrap();
            while clock.read_ns().unwrap() - start < ms * 1_000_000 {
                std::hint::spin_loop();
            }
        };
        let (team, other) = (Team::new(1, Backend::Rayon).unwrap(), Team::new(2, Backend::Threads).unwrap());
        let (before, other_before) = (team.cpu_ns().unwrap(), other.cpu_ns().unwrap());
        team.map(1, |_| spin(40));
        let used = team.cpu_ns().unwrap() - before;
        assert!(used >= 30_000_000, "{used}");
        assert!(other.cpu_ns().unwrap() - other_before < 10_000_000, "the idle team did not work");
    }

    #[test]
    fn zero_threads_is_refused() {
        assert!(Team::new(0, Backend::Rayon).is_err());
    }
}

#[cfg(test)]
mod profile_tests;
