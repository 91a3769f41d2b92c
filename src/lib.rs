//! `amdahl` measures real parallel speedup and holds it against Amdahl's law.
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

pub mod analysed;
pub mod analysis;
pub mod app;
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

pub use error::{Error, Result};
