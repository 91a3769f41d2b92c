//! `amdahl` measures real parallel speedup and holds it against Amdahl's law.
//!
//! # Your own code under `cargo bench`
//!
//! Add `amdahl` as a dev-dependency (`default-features = false` leaves out the `measure`
//! binary's command-line parser and the SVG charts; the bench keeps the table, colours and
//! progress bar), declare
//! the bench with `harness = false`, and list its workloads in [`main!`]:
//!
//! ```toml
//! [dev-dependencies]
//! amdahl = { version = "0.1", default-features = false }
//!
//! [[bench]]
//! name = "scaling"
//! harness = false
//! ```
//!
//! ```no_run
//! // benches/scaling.rs
//! use amdahl::{Kind, Team};
//!
//! fn sort() -> amdahl::FunctionWorkload {
//!     amdahl::function("sort", Kind::Parallel)
//!         .tasks(64)
//!         // Untimed, once: the input. Untimed, before every sample: a fresh copy to sort.
//!         .setup(|_| (0..1_000_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect::<Vec<_>>())
//!         .each_sample(|input: &Vec<u64>| input.clone())
//!         // Timed: the work over the team of j threads; its value must not depend on j.
//!         .run(|v: &mut Vec<u64>, team: &Team| {
//!             team.map_chunks_mut(v, 1 << 14, |_, chunk| chunk.sort_unstable());
//!             v.sort_unstable(); // the serial merge
//!             (v[0], v[v.len() / 2])
//!         })
//! }
//!
//! fn chain() -> amdahl::FunctionWorkload {
//!     amdahl::function("hash-chain", Kind::Sequential).run(|_, _| (0..10_000_000u64).fold(1, |h, i| (h ^ i).rotate_left(7)))
//! }
//!
//! amdahl::main!(sort(), chain());
//! ```
//!
//! `cargo bench` measures each workload at several thread counts and prints the table and the
//! verdicts, saves the run under `target/amdahl/scaling/` (in the results format: `measure
//! fit|report|compare` read it) and says what changed since the last run; `cargo bench -- sort`
//! selects, `-- --list` lists, `-- --test` (and `cargo test --benches`) runs each workload once
//! at j = 1 and 2 and checks its value, and `-- --fail-on-regression` exits 1 when a speedup fell
//! significantly. See [`mod@bench`] for every flag, and [`Workload`] for workloads as trait impls.
//!
//! # How it works
//! 1. **Workloads** (crate `amdahl-workloads`) do a fixed amount of work split over a `Team` of
//!    j threads and return a checksum that must not depend on j.
//! 2. **The sweep** ([`sweep`]) runs each workload at every thread count in interleaved, seeded
//!    rounds, timing each run with an injected [`sweep::Clock`], checking every checksum, and stops
//!    when the speedup's confidence intervals are narrow enough or the budget is spent.
//! 3. **Statistics** ([`stats`], [`analysis`]) turn samples into T(j), the paired speedup S(j) with
//!    bootstrap CIs, efficiency, Karp–Flatt and utilisation.
//! 4. **Fits** ([`fit`]) estimate the serial fraction B of S(j) = 1/(B + (1-B)/j).
//! 5. **Results** ([`results`]) are versioned JSON with the machine's fingerprint ([`machine`]) and
//!    every raw sample, written atomically after each workload; [`report`] renders them as tables,
//!    SVG charts, HTML and Markdown.
//! 6. **Afterwards**: [`fit_command`] refits a results file (or a curve [`import`]ed from CSV, criterion or
//!    hyperfine), [`predict`] extrapolates a law or a fitted model, and [`compare`] sets machines
//!    side by side. [`suite`] files list workloads and commands to run together.
//!
//! Front-ends (the `measure` binary, a `cargo bench` harness) use the application layer
//! ([`app`]); only [`terminal`] prints.

pub mod account;
pub mod analysed;
pub mod analysis;
pub mod app;
pub mod attribution;
pub mod bench;
pub mod budget;
pub mod compare;
pub mod config;
pub mod dry_run;
pub mod error;
pub mod fit;
pub mod fit_command;
pub mod import;
pub mod input;
pub mod machine;
pub mod placement;
pub mod plan;
pub mod predict;
pub mod quantity;
pub mod report;
pub mod results;
pub mod scaling;
pub mod stats;
pub mod suite;
pub mod sweep;
pub mod terminal;
pub mod thread_set;
pub mod what_if;

pub use amdahl_workloads::{
    Backend, Checksum, FixedHasher, Instance, Kind, ParamSpec, Params, Team, Workload, WorkloadError,
};
pub use bench::{FunctionWorkload, function};
pub use error::{Error, Result};

/// The `main` of a `harness = false` bench: lists its workloads (closures from [`function()`],
/// [`Workload`] impls, built-ins) and hands them to [`bench::main`], which reads cargo's
/// arguments. See the [crate docs](crate#your-own-code-under-cargo-bench).
#[macro_export]
macro_rules! main {
    ($($workload:expr),+ $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            $crate::bench::main(::std::vec![$($crate::bench::IntoWorkload::into_workload($workload)),+])
        }
    };
}
