//! `Crew`: one set of persistent threads lent to one team at a time, so the threads alive at once
//! are the largest team's, however many thread counts a sweep visits.
//!
//! # How it works
//! 1. The crew starts its members as teams need them ([`Crew::grow`], fallibly: a spawn the system
//!    refuses says how many could start); each starts, records its thread id and parks, asleep on
//!    its own condition variable.
//! 2. [`Crew::team`] lends members `0..j` to a rayon pool of j workers through rayon's
//!    `spawn_handler` (member i runs worker i's main loop), so a team from a crew is a [`Team`] like
//!    any other: the same backends, pinning (the crew's CPUs) and CPU clocks. Member i is worker i
//!    of every team, so it keeps its CPU and its warm stack from one team to the next.
//! 3. Once built, the team waits until its own workers are asleep (rayon's idle workers yield 33
//!    times before they sleep): every sample starts from the same state, every worker of ours
//!    asleep, as a team kept idle between samples used to.
//! 4. Dropping the team terminates its pool; each member comes back from the worker's loop and
//!    parks. The drop returns only once every member is back and asleep
//!    ([`thread_state::wait_asleep`]), so the next team runs beside a crew that takes no CPU.
//!    [`Crew::parked`] says whether both waits found every thread asleep within their limit.
//!
//! The cost, a team built and dropped for every sample: 6 to 10 us per thread on a 2-CPU VM for
//! teams up to 64 (`benches/harness.rs`, `team/crew`), more for far oversubscribed ones (their
//! workers take turns on the few CPUs to fall asleep: about 2.5 ms a thread for a team of 1,024
//! on the same VM), against nothing for a team kept alive: and every team kept
//! alive at once was what made a sweep of `-t 1-1024` need 524,800 threads.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use rayon::ThreadBuilder;

use crate::team::{Backend, Team, TeamError};
use crate::thread_state::{self, Tid};

/// The longest a team's build or drop waits for its threads to fall asleep; beyond it the sample
/// goes ahead and [`Crew::parked`] is false.
pub const PARK_LIMIT: Duration = Duration::from_secs(2);

/// Persistent threads lent to one team at a time (see the module docs).
pub struct Crew {
    shared: Arc<Shared>,
    cpus: Vec<usize>,
}

impl std::fmt::Debug for Crew {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crew").field("members", &self.size()).field("cpus", &self.cpus.len()).finish()
    }
}

/// What a crew and its lent teams share.
struct Shared {
    members: Mutex<Vec<Arc<Member>>>,
    handles: Mutex<Vec<Option<JoinHandle<()>>>>,
    /// Whether a team holds members now.
    lent: AtomicBool,
    /// Whether the last wait found every thread asleep.
    parked: AtomicBool,
}

/// One thread of the crew.
struct Member {
    slot: Mutex<Option<Job>>,
    wake: Condvar,
    /// Set by the member when it is back from a team (and about to park).
    idle: AtomicBool,
    /// Its thread id; 0 until it has started.
    tid: AtomicI32,
}

/// What a member is asked to do.
enum Job {
    /// Run worker `index` of a team's pool until the pool ends.
    Work(ThreadBuilder),
    /// Leave.
    Quit,
}

impl Member {
    fn lock(&self) -> MutexGuard<'_, Option<Job>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn give(&self, job: Job) {
        *self.lock() = Some(job);
        self.wake.notify_one();
    }

    fn main(&self) {
        self.tid.store(thread_state::current_tid().unwrap_or(-1), Ordering::Release);
        loop {
            let job = {
                let mut slot = self.lock();
                loop {
                    if let Some(job) = slot.take() {
                        break job;
                    }
                    slot = self.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
                }
            };
            match job {
                Job::Quit => return,
                Job::Work(worker) => {
                    worker.run();
                    self.idle.store(true, Ordering::Release);
                }
            }
        }
    }
}

impl Crew {
    /// A crew with no members yet, whose teams pin worker i to `cpus[i % cpus.len()]` (no
    /// pinning when `cpus` is empty).
    pub fn new(cpus: &[usize]) -> Crew {
        let shared = Shared {
            members: Mutex::new(Vec::new()),
            handles: Mutex::new(Vec::new()),
            lent: AtomicBool::new(false),
            parked: AtomicBool::new(true),
        };
        Crew { shared: Arc::new(shared), cpus: cpus.to_vec() }
    }

    /// The members started so far: the threads this crew keeps alive.
    pub fn size(&self) -> usize {
        self.shared.members().len()
    }

    /// The thread ids of every member (those that have started).
    pub fn tids(&self) -> Vec<Tid> {
        self.shared.members().iter().map(|m| m.tid.load(Ordering::Acquire)).filter(|&t| t > 0).collect()
    }

    /// Whether the last team built and the last team dropped found every thread of theirs asleep
    /// within [`PARK_LIMIT`]: when false, a thread of ours may still have been running when the
    /// sample started.
    pub fn parked(&self) -> bool {
        self.shared.parked.load(Ordering::Acquire)
    }

    /// Starts members until there are `threads`, each parked before this returns. A spawn the
    /// system refuses (a limit on threads or memory maps) is an error naming how many started;
    /// those that did stay.
    pub fn grow(&self, threads: usize) -> Result<(), TeamError> {
        let mut members = self.shared.members();
        let mut handles = self.shared.handles.lock().unwrap_or_else(|e| e.into_inner());
        let first = members.len();
        while members.len() < threads {
            let member = Arc::new(Member {
                slot: Mutex::new(None),
                wake: Condvar::new(),
                idle: AtomicBool::new(true),
                tid: AtomicI32::new(0),
            });
            let runs = Arc::clone(&member);
            let spawned =
                std::thread::Builder::new().name(format!("amdahl-w{}", members.len())).spawn(move || runs.main());
            match spawned {
                Ok(handle) => {
                    members.push(member);
                    handles.push(Some(handle));
                }
                Err(e) => {
                    let started = members.len();
                    drop((members, handles));
                    self.park_new(first);
                    return Err(TeamError {
                        threads,
                        message: format!("only {started} of its threads could be started ({e})"),
                    });
                }
            }
        }
        drop((members, handles));
        self.park_new(first);
        Ok(())
    }

    /// Waits until the members from `first` on have started and are asleep.
    fn park_new(&self, first: usize) {
        let fresh: Vec<Arc<Member>> = self.shared.members()[first..].to_vec();
        while fresh.iter().any(|m| m.tid.load(Ordering::Acquire) == 0) {
            std::thread::yield_now();
        }
        let tids: Vec<Tid> = fresh.iter().map(|m| m.tid.load(Ordering::Acquire)).collect();
        let asleep = thread_state::wait_asleep(&tids, PARK_LIMIT).is_empty();
        self.shared.parked.store(asleep, Ordering::Release);
    }

    /// A team of `threads` on `backend` from members `0..threads` (started now if the crew has
    /// fewer), its workers asleep when it is returned; dropping it gives them back, asleep. One
    /// team at a time: a second while the first lives is refused.
    pub fn team(&self, threads: usize, backend: Backend) -> Result<Team, TeamError> {
        if threads == 0 {
            return Err(TeamError { threads, message: "a team needs at least one thread".into() });
        }
        self.grow(threads)?;
        if self.shared.lent.swap(true, Ordering::AcqRel) {
            return Err(TeamError { threads, message: "the crew's threads are lent to another team".into() });
        }
        let members = self.shared.members()[..threads].to_vec();
        let lease = Lease { shared: Arc::clone(&self.shared), members, handed: AtomicUsize::new(0) };
        let team = Team::build(threads, backend, &self.cpus, Some(lease))?;
        let asleep = thread_state::wait_asleep(&team.worker_tids(), PARK_LIMIT).is_empty();
        self.shared.parked.store(asleep, Ordering::Release);
        Ok(team)
    }
}

impl Shared {
    fn members(&self) -> MutexGuard<'_, Vec<Arc<Member>>> {
        self.members.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Crew {
    /// Every member is asked to leave; those parked are joined, and one still lent to a team
    /// (that outlives its crew) leaves when that team is dropped.
    fn drop(&mut self) {
        let members = self.shared.members().clone();
        let mut handles = self.shared.handles.lock().unwrap_or_else(|e| e.into_inner());
        for (member, handle) in members.iter().zip(handles.iter_mut()) {
            let idle = member.idle.load(Ordering::Acquire);
            member.give(Job::Quit);
            if let Some(handle) = handle.take().filter(|_| idle) {
                let _ = handle.join();
            }
        }
    }
}

/// The members lent to one team: given to its pool's workers as rayon starts them, waited for
/// (back and asleep) when the team is dropped.
pub(crate) struct Lease {
    shared: Arc<Shared>,
    members: Vec<Arc<Member>>,
    /// How many members were given a worker (all of them unless the pool's build failed).
    handed: AtomicUsize,
}

impl Lease {
    /// Gives rayon's worker to the member of its index (rayon's `spawn_handler`).
    pub(crate) fn hand(&self, worker: ThreadBuilder) -> std::io::Result<()> {
        let member = self.members.get(worker.index()).ok_or_else(|| std::io::Error::other("no such member"))?;
        member.idle.store(false, Ordering::Release);
        member.give(Job::Work(worker));
        self.handed.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

impl Drop for Lease {
    /// Runs after the team's pool was dropped (it terminated its workers): waits until every
    /// member given a worker is back, then until it is asleep.
    fn drop(&mut self) {
        let handed = &self.members[..self.handed.load(Ordering::Acquire)];
        while handed.iter().any(|m| !m.idle.load(Ordering::Acquire)) {
            std::thread::yield_now();
        }
        let tids: Vec<Tid> = handed.iter().map(|m| m.tid.load(Ordering::Acquire)).collect();
        let asleep = thread_state::wait_asleep(&tids, PARK_LIMIT).is_empty();
        self.shared.parked.store(asleep, Ordering::Release);
        self.shared.lent.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thread_state::ThreadState;

    #[test]
    fn teams_of_every_size_share_the_largest_ones_threads() {
        let crew = Crew::new(&[]);
        for backend in Backend::ALL {
            for j in [1, 3, 8, 2, 8, 5] {
                let team = crew.team(j, backend).unwrap();
                assert_eq!(team.map(20, |i| i * 2), (0..20).map(|i| i * 2).collect::<Vec<_>>());
                let names = team.map(64, |_| std::thread::current().name().map(str::to_owned).unwrap_or_default());
                assert!(names.iter().all(|n| n.starts_with("amdahl-w")), "{names:?}");
            }
        }
        assert_eq!(crew.size(), 8);
    }

    #[test]
    fn one_team_at_a_time() {
        let crew = Crew::new(&[]);
        let first = crew.team(2, Backend::Rayon).unwrap();
        let refused = crew.team(1, Backend::Rayon).unwrap_err();
        assert!(refused.to_string().contains("lent to another team"), "{refused}");
        drop(first);
        crew.team(1, Backend::Rayon).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn every_member_is_asleep_once_a_team_is_built_and_once_it_is_dropped() {
        let crew = Crew::new(&[]);
        for backend in Backend::ALL {
            // After a team of 8 (oversubscribed on a small machine: its workers spin down) ...
            let big = crew.team(8, backend).unwrap();
            big.map(1000, |i| i);
            drop(big);
            let asleep = |tids: &[Tid]| tids.iter().all(|&t| thread_state::state(t) == ThreadState::Asleep);
            assert!(crew.parked());
            assert!(asleep(&crew.tids()), "the members are parked once the team is dropped");
            // ... a team of 2 starts with its own workers asleep, and the six others still.
            let small = crew.team(2, backend).unwrap();
            assert!(crew.parked());
            assert!(asleep(&crew.tids()));
            assert_eq!(small.worker_tids(), crew.tids()[..2]);
        }
    }

    #[test]
    fn a_pinned_crew_pins_every_team() {
        #[cfg(target_os = "linux")]
        {
            let crew = Crew::new(&[0]);
            for j in [2, 1, 3] {
                let team = crew.team(j, Backend::Threads).unwrap();
                assert!(team.map(8, |_| crate::affinity::current_cpu()).iter().all(|c| *c == Some(0)));
                assert_eq!(team.pin_failures(), 0);
            }
        }
    }

    #[test]
    fn a_dropped_crew_lets_its_members_go() {
        let crew = Crew::new(&[]);
        let team = crew.team(3, Backend::Rayon).unwrap();
        drop(crew);
        // The team outlives its crew: it still works, and its members leave when it is dropped.
        assert_eq!(team.map(3, |i| i), [0, 1, 2]);
        drop(team);
    }
}
