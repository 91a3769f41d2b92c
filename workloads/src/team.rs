//! `Team`: j threads on one of two backends, and the two ways workloads spread tasks over them.
//!
//! # How it works
//! 1. A team is built **before** timing: for `rayon` that builds a dedicated `ThreadPool` of
//!    exactly j threads (never rayon's global pool), reused for every run at that j.
//! 2. A workload hands the team a fixed number of tasks, numbered `0..tasks`; the number never
//!    depends on j, so results can be reduced in task order and are identical at every j.
//! 3. `rayon` spreads the tasks by work stealing inside the pool. `threads` spawns j crossbeam
//!    scoped threads inside the call (so thread creation is part of the timed region, as in a
//!    program that spawns its own) and gives thread t the contiguous block of tasks
//!    `t*tasks/j .. (t+1)*tasks/j`: a static partition, no balancing.
//! 4. Results come back in task order. A panic in any task is re-raised in the caller.

use std::fmt;

use rayon::prelude::*;

/// How a team runs its threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Backend {
    /// A rayon `ThreadPool` of j threads, built once: work stealing.
    Rayon,
    /// j crossbeam scoped threads spawned per call: static partition.
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
    pool: Option<rayon::ThreadPool>,
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
    /// Builds a team of `threads` (at least 1) on `backend`; for rayon this builds its pool now.
    pub fn new(threads: usize, backend: Backend) -> Result<Team, TeamError> {
        if threads == 0 {
            return Err(TeamError { threads, message: "a team needs at least one thread".into() });
        }
        let pool = match backend {
            Backend::Rayon => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(move |i| format!("amdahl-{threads}-{i}"))
                    .build()
                    .map_err(|e| TeamError { threads, message: e.to_string() })?,
            ),
            Backend::Threads => None,
        };
        Ok(Team { threads, backend, pool })
    }

    /// The number of threads, j.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `body` as the team's leader: for rayon, on one of the pool's own threads, so that the
    /// [`Team::map`] calls inside it run as nested parallel regions of that pool (at j = 1, inline,
    /// with no hand-off between threads); for threads, on the calling thread. Workloads with many
    /// small parallel regions (one per time step) wrap their whole run in this, as an OpenMP program
    /// wraps its time loop in one `parallel` region.
    pub fn install<R, F>(&self, body: F) -> R
    where
        R: Send,
        F: FnOnce() -> R + Send,
    {
        match &self.pool {
            Some(pool) => pool.install(body),
            None => body(),
        }
    }

    /// Runs `task(i)` for every `i` in `0..tasks` over the team; results in task order.
    pub fn map<R, F>(&self, tasks: usize, task: F) -> Vec<R>
    where
        R: Send,
        F: Fn(usize) -> R + Sync,
    {
        match &self.pool {
            Some(pool) => pool.install(|| (0..tasks).into_par_iter().map(&task).collect()),
            None => {
                let j = self.threads.min(tasks.max(1));
                let blocks = scoped(j, |t| (t * tasks / j..(t + 1) * tasks / j).map(&task).collect::<Vec<R>>());
                blocks.into_iter().flatten().collect()
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
        match &self.pool {
            Some(pool) => {
                pool.install(|| data.par_chunks_mut(chunk_len).enumerate().map(|(i, chunk)| task(i, chunk)).collect())
            }
            None => {
                let mut chunks: Vec<(usize, &mut [T])> = data.chunks_mut(chunk_len).enumerate().collect();
                let tasks = chunks.len();
                let j = self.threads.min(tasks.max(1));
                let mut blocks: Vec<Vec<(usize, &mut [T])>> = Vec::with_capacity(j);
                for t in (0..j).rev() {
                    blocks.push(chunks.split_off(t * tasks / j));
                }
                blocks.reverse();
                let results = crossbeam::thread::scope(|scope| {
                    let handles: Vec<_> = blocks
                        .into_iter()
                        .map(|block| {
                            let task = &task;
                            scope.spawn(move |_| block.into_iter().map(|(i, c)| task(i, c)).collect::<Vec<R>>())
                        })
                        .collect();
                    join_in_order(handles)
                });
                unwrap_scope(results).into_iter().flatten().collect()
            }
        }
    }
}

/// Spawns `j` scoped threads running `body(t)` and returns their results in thread order.
fn scoped<R, F>(j: usize, body: F) -> Vec<R>
where
    R: Send,
    F: Fn(usize) -> R + Sync,
{
    let results = crossbeam::thread::scope(|scope| {
        let handles: Vec<_> = (0..j)
            .map(|t| {
                let body = &body;
                scope.spawn(move |_| body(t))
            })
            .collect();
        join_in_order(handles)
    });
    unwrap_scope(results)
}

type Panic = Box<dyn std::any::Any + Send + 'static>;

fn join_in_order<R>(handles: Vec<crossbeam::thread::ScopedJoinHandle<'_, R>>) -> Result<Vec<R>, Panic> {
    let mut out = Vec::with_capacity(handles.len());
    let mut first_panic = None;
    for handle in handles {
        match handle.join() {
            Ok(r) => out.push(r),
            Err(p) => first_panic = first_panic.or(Some(p)),
        }
    }
    match first_panic {
        Some(p) => Err(p),
        None => Ok(out),
    }
}

/// Re-raises a worker's panic in the caller, with its original payload.
fn unwrap_scope<R>(result: Result<Result<Vec<R>, Panic>, Panic>) -> Vec<R> {
    match result {
        Ok(Ok(values)) => values,
        Ok(Err(panic)) | Err(panic) => std::panic::resume_unwind(panic),
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
    fn zero_threads_is_refused() {
        assert!(Team::new(0, Backend::Rayon).is_err());
    }
}
