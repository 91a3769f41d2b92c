//! Teams on demand for one workload's sweep: one [`Crew`] of threads, lent to a team of j for
//! each sample and given back after it, so the threads alive at once are the largest team's
//! (`-t 1-1024`: 1,024, where a team kept for every j needed 524,800), and every other thread of
//! the run is asleep while a sample runs.
//!
//! # How it works
//! 1. Before anything is measured, counts whose team this process may not start (its limits,
//!    `machine::limits`) leave the plan, said with the limit ([`beyond_the_room`]); then the crew
//!    starts the largest team's threads ([`Teams::start`]). A spawn the system still refuses fails
//!    the counts above what started, each with the reason, and the counts below are measured.
//!    One team of the largest size is built and given back, timed: the harness's cost per thread
//!    that the budget plans with (`budget::Harness`).
//! 2. Each sample builds its team from the crew ([`Teams::team`]), its workers asleep when the
//!    sample starts, and drops it after, its workers back and asleep (`Crew`).
//! 3. [`Teams::parked`] says whether every thread of ours was found asleep before the sample: when
//!    one was still running past `PARK_LIMIT`, the sample's preemptions may be the run's own, and
//!    the sweep does not count them against the machine.
//!
//! Cost: a team's life per sample, 6 to 10 us per thread on a 2-CPU VM for teams up to 64
//! (`benches/harness.rs`, `team/crew/*`), outside the timed window; the budget counts it, timed as
//! [`Teams::start`] times it. Far oversubscribed teams cost more a thread, since their workers
//! take turns on the few CPUs to fall asleep: on a loaded 2-CPU VM, about 0.2 ms a thread for a
//! team of 128 and 2.5 ms for one of 1,024 (`measure run -w primes:size=1000 -t 1-1024` on a
//! 1,024-CPU fixture).

use amdahl_workloads::{Backend, Crew, Team, TeamError};

use super::clock::Clock;
use crate::machine::limits::Room;
use crate::thread_set::threads_text;

/// The teams of one sweep (see the module docs).
pub struct Teams {
    crew: Crew,
    backend: Backend,
    /// The most workers of one team that could not be pinned.
    unpinned: usize,
}

/// What starting the crew found.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    /// The threads started: the largest team that can be built.
    pub threads: usize,
    /// Why fewer than asked started.
    pub refused: Option<String>,
    /// Seconds a thread of one team's life costs (built, asleep, given back, asleep), timed on the
    /// sweep's clock (0 on the fake clock).
    pub per_thread_s: f64,
}

impl Teams {
    /// Teams on `backend` whose worker i runs on `placement[i % len]` (unpinned when empty).
    pub fn new(backend: Backend, placement: &[usize]) -> Teams {
        Teams { crew: Crew::new(placement), backend, unpinned: 0 }
    }

    /// Starts the threads of a team of `largest`, then builds and drops one, timed on `clock`.
    pub fn start(&mut self, largest: usize, clock: &dyn Clock) -> Started {
        let refused = self.crew.grow(largest).err().map(|e| e.message);
        let threads = self.crew.size();
        let before = clock.now_ns();
        let timed = threads > 0 && self.team(threads).is_ok();
        let per_thread_s =
            if timed { clock.now_ns().saturating_sub(before) as f64 / 1e9 / threads as f64 } else { 0.0 };
        Started { threads, refused, per_thread_s }
    }

    /// A team of `j` from the crew, its workers asleep.
    pub fn team(&mut self, j: usize) -> Result<Team, TeamError> {
        let team = self.crew.team(j, self.backend)?;
        self.unpinned = self.unpinned.max(team.pin_failures());
        Ok(team)
    }

    /// Whether every thread of ours was asleep when the last team was ready (see the module docs).
    pub fn parked(&self) -> bool {
        self.crew.parked()
    }

    /// The most workers of one team that could not be pinned to their CPU.
    pub fn unpinned(&self) -> usize {
        self.unpinned
    }

    /// The threads alive in the crew: the largest team's.
    pub fn threads(&self) -> usize {
        self.crew.size()
    }
}

/// The counts of `counts` whose team this process may not start by `room`, and what `name` says
/// of them; `None` when all may.
pub fn beyond_the_room(name: &str, counts: &[usize], room: Option<&Room>) -> Option<(Vec<usize>, String)> {
    let room = room?;
    let beyond: Vec<usize> = counts.iter().copied().filter(|&j| j > room.threads).collect();
    (!beyond.is_empty()).then(|| {
        let said = format!(
            "{name}: left out j = {}: a team of j threads needs j threads alive at once, and this process may start about {} more ({})",
            threads_text(&beyond),
            room.threads,
            room.because
        );
        (beyond, said)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::FakeClock;

    #[test]
    fn the_crew_starts_the_largest_team_once_and_every_team_comes_from_it() {
        let mut teams = Teams::new(Backend::Rayon, &[]);
        let started = teams.start(6, &FakeClock::exact());
        assert_eq!(started, Started { threads: 6, refused: None, per_thread_s: 0.0 });
        for j in [1, 6, 3] {
            assert_eq!(teams.team(j).unwrap().threads(), j);
            assert!(teams.parked());
        }
        assert_eq!(teams.threads(), 6);
    }

    #[test]
    fn counts_beyond_the_room_are_named_with_the_limit() {
        let room = Room { threads: 100, because: "vm.max_map_count = 300, 100 maps in use".into() };
        let counts: Vec<usize> = (1..=128).collect();
        let (beyond, said) = beyond_the_room("primes", &counts, Some(&room)).unwrap();
        assert_eq!(beyond, (101..=128).collect::<Vec<_>>());
        assert_eq!(
            said,
            "primes: left out j = 101-128: a team of j threads needs j threads alive at once, and this process may start about 100 more (vm.max_map_count = 300, 100 maps in use)"
        );
        assert_eq!(beyond_the_room("primes", &counts[..100], Some(&room)), None);
        assert_eq!(beyond_the_room("primes", &counts, None), None);
    }
}
