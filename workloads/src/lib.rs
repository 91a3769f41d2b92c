//! The workload plug-in contract of `amdahl`, and its built-in workloads.
//!
//! A [`Workload`] is a named, parameterised piece of work that `amdahl` runs at several thread counts
//! to measure parallel speedup. The contract, in four parts:
//!
//! 1. A workload declares a name, a [`Kind`] (what curve to expect), a one-line description and typed
//!    parameters ([`ParamSpec`]) with defaults and ranges. Every workload has a `size` parameter whose
//!    default is the **same on every machine**, so results from different machines measure the same work.
//! 2. [`Workload::prepare`] builds an [`Instance`] of the given parameters *outside* the timed region
//!    (allocation, initialisation).
//! 3. [`Instance::run`] does a **fixed total amount of work** split over a [`Team`] of `j` threads
//!    (strong scaling) and returns a [`Checksum`].
//! 4. The checksum must be identical for every `j` and both backends: the decomposition into tasks
//!    never depends on `j`, and floating-point results are reduced in a fixed order. The runner checks
//!    it at every thread count; a mismatch means a race.
//!
//! The built-in workloads are listed in [`ALL`], one file each under `builtin/`.
//!
//! # Writing your own workload
//!
//! ```
//! use amdahl_workloads::{Backend, Checksum, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError};
//!
//! /// Sums the squares of 0..size, split into 64 fixed tasks.
//! struct SumOfSquares;
//!
//! struct SumOfSquaresInstance { size: u64 }
//!
//! const PARAMS: &[ParamSpec] = &[ParamSpec::integer("size", "numbers to square and add", 1_000_000, 64, 1 << 40)];
//!
//! impl Workload for SumOfSquares {
//!     fn name(&self) -> &'static str { "sum-of-squares" }
//!     fn kind(&self) -> Kind { Kind::Parallel }
//!     fn description(&self) -> &'static str { "sum of squares of 0..size in 64 tasks" }
//!     fn params(&self) -> &'static [ParamSpec] { PARAMS }
//!     fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
//!         Ok(Box::new(SumOfSquaresInstance { size: params.integer("size") }))
//!     }
//! }
//!
//! impl Instance for SumOfSquaresInstance {
//!     fn run(&mut self, team: &Team) -> Checksum {
//!         let size = self.size;
//!         let partial = team.map(64, |task| {
//!             let (lo, hi) = (size * task as u64 / 64, size * (task as u64 + 1) / 64);
//!             (lo..hi).fold(0u64, |sum, x| sum.wrapping_add(x.wrapping_mul(x)))
//!         });
//!         Checksum::of_u64s(partial)
//!     }
//! }
//!
//! let params = Params::defaults(&SumOfSquares).unwrap();
//! let mut instance = SumOfSquares.prepare(&params).unwrap();
//! let one = instance.run(&Team::new(1, Backend::Rayon).unwrap());
//! let four = instance.run(&Team::new(4, Backend::Threads).unwrap());
//! assert_eq!(one, four);
//!
//! // What the runner sweeps: a spec that owns its workload, with its parameters resolved.
//! let spec = amdahl_workloads::WorkloadSpec::defaults(std::sync::Arc::new(SumOfSquares)).unwrap();
//! assert_eq!((spec.workload.name(), spec.params.integer("size")), ("sum-of-squares", 1_000_000));
//! ```

pub mod affinity;
pub mod caches;
mod checksum;
mod command;
#[cfg(all(feature = "perf-event2", target_os = "linux"))]
pub mod command_samples;
pub mod cpu_time;
mod crew;
mod kind;
mod params;
pub mod poll;
mod spec;
mod team;
pub mod thread_state;
mod workload;

pub mod builtin;

pub use checksum::{Checksum, FixedHasher};
pub use command::{CommandWorkload, kill_running_commands, run_hook};
pub use crew::{Crew, PARK_LIMIT};
pub use kind::Kind;
pub use params::{ParamError, ParamSpec, ParamType, Params};
pub use poll::{POLL_PERIOD, Poller, TreePoll};
pub use spec::{SpecError, WorkloadSpec, find};
pub use team::sampler::{Phase, SAMPLER_VAR, Sample, Samples, Source, perf_event_allowed};
pub use team::trace::{CallRecord, RunQueue, Trace, WorkerSpan, WorkerTrace};
pub use team::{Backend, CHECKPOINT_NS, Profile, SPANS_KEPT, SPIN_ALLOWANCE_NS, SPIN_ALLOWANCE_SHARE, Team, TeamError};
pub use workload::{Instance, Workload, WorkloadError};

/// Every built-in workload, in catalogue order.
pub const ALL: &[&dyn Workload] = &[
    &builtin::primes::Primes,
    &builtin::mc_pi::McPi,
    &builtin::newton::Newton,
    &builtin::three_body::ThreeBody,
    &builtin::sleep::Sleep,
    &builtin::synthetic::Synthetic,
    &builtin::triad::Triad,
    &builtin::contended::Contended,
];
