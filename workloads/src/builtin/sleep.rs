//! `sleep` — I/O-bound: tasks that block instead of computing.
//!
//! `size` tasks each sleep `ms` milliseconds, like requests waiting on a disk or a network. A share
//! `serial` of the total sleep is done first, by the calling thread alone, like the hpc-carpentry
//! `amdahl` teaching program; the rest is spread over the tasks. Sleeping threads use no CPU, so
//! speedup continues far past the core count: a good machine shows S(j) ~ j (or Amdahl's curve with
//! B = `serial`) up to j = tasks, bounded only by the timer's resolution.

use std::time::Duration;

use crate::{Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};

/// Tasks that sleep.
pub struct Sleep;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::integer("size", "number of tasks", 64, 1, 1_000_000),
    ParamSpec::float("ms", "sleep per task in milliseconds", 10.0, 0.0, 60_000.0),
    ParamSpec::float("serial", "share of the total sleep done serially first (0..1)", 0.0, 0.0, 1.0),
];

impl Workload for Sleep {
    fn name(&self) -> &'static str {
        "sleep"
    }
    fn kind(&self) -> Kind {
        Kind::IoBound
    }
    fn description(&self) -> &'static str {
        "size tasks sleep ms each; a share `serial` of the total is slept first, alone"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(SleepInstance::of(params)))
    }
    fn parallelism(&self, params: &Params) -> Option<usize> {
        usize::try_from(params.integer("size")).ok()
    }
    /// The serial sleep, then `ceil(size / j)` task sleeps one after another on each thread (at
    /// least: the timer's slack comes on top).
    fn known_duration(&self, params: &Params, threads: usize) -> Option<Duration> {
        let run = SleepInstance::of(params);
        let waves = run.tasks.div_ceil(threads.max(1));
        Some(run.serial_sleep + run.task_sleep.saturating_mul(u32::try_from(waves).unwrap_or(u32::MAX)))
    }
}

struct SleepInstance {
    tasks: usize,
    serial_sleep: Duration,
    task_sleep: Duration,
}

impl SleepInstance {
    fn of(params: &Params) -> SleepInstance {
        let tasks = params.integer("size");
        let per_task = params.float("ms") * 1e-3;
        let serial = params.float("serial");
        SleepInstance {
            tasks: tasks as usize,
            serial_sleep: Duration::from_secs_f64(serial * per_task * tasks as f64),
            task_sleep: Duration::from_secs_f64((1.0 - serial) * per_task),
        }
    }
}

impl Instance for SleepInstance {
    fn run(&mut self, team: &Team) -> Checksum {
        std::thread::sleep(self.serial_sleep);
        let task_sleep = self.task_sleep;
        let done = team.map(self.tasks, |_| {
            std::thread::sleep(task_sleep);
            1u64
        });
        Checksum::of_u64s([done.iter().sum()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_duration_is_known_from_its_parameters() {
        let params = Params::parse(&Sleep, "size=1000000").unwrap();
        assert_eq!(Sleep.known_duration(&params, 1), Some(Duration::from_secs(10_000)));
        let params = Params::parse(&Sleep, "size=10,ms=100,serial=0.5").unwrap();
        // 0.5 s alone, then 10 tasks of 50 ms: 5 at a time on 2 threads, 4 waves on 3.
        assert_eq!(Sleep.known_duration(&params, 2), Some(Duration::from_millis(750)));
        assert_eq!(Sleep.known_duration(&params, 3), Some(Duration::from_millis(700)));
    }

    #[test]
    fn parallel_equals_serial() {
        crate::builtin::assert_parallel_equals_serial(&Sleep, "size=20,ms=0.1,serial=0.2", Checksum::of_u64s([20]));
    }
}
