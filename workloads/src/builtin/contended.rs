//! `contended` — lock contention: every thread increments one mutex-protected counter.
//!
//! `size` increments in all, split into 64 tasks; each increment takes and releases one
//! `std::sync::Mutex`. At j = 1 the lock is never contended and stays in one core's cache; with more
//! threads its cache line bounces between cores and waiters park in the kernel, so adding threads
//! makes the same work slower. A good machine shows S(j) < 1 falling with j: a retrograde curve,
//! the coherency term of the Universal Scalability Law.

use std::sync::Mutex;

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Threads sharing one lock-protected counter.
pub struct Contended;

const TASKS: u64 = 64;

const PARAMS: &[ParamSpec] = &[ParamSpec::integer("size", "lock-protected increments in all", 5_000_000, 1, 1 << 40)];

impl Workload for Contended {
    fn name(&self) -> &'static str {
        "contended"
    }
    fn kind(&self) -> Kind {
        Kind::Contended
    }
    fn description(&self) -> &'static str {
        "size increments of one mutex-protected counter, in 64 tasks"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(ContendedInstance { increments: params.integer("size") }))
    }
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        Some(TASKS as usize)
    }
}

struct ContendedInstance {
    increments: u64,
}

impl Instance for ContendedInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        let counter = Mutex::new(0u64);
        let increments = self.increments;
        team.map(TASKS as usize, |task| {
            let share = increments * (task as u64 + 1) / TASKS - increments * task as u64 / TASKS;
            for _ in 0..share {
                // A poisoned lock means another task panicked; that panic is re-raised by the team.
                *counter.lock().unwrap_or_else(|poison| poison.into_inner()) += 1;
            }
        });
        Checksum::of_u64s([counter.into_inner().unwrap_or_else(|poison| poison.into_inner())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_equals_serial() {
        crate::builtin::assert_parallel_equals_serial(&Contended, "size=100003", Checksum::of_u64s([100_003]));
    }
}
