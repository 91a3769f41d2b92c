//! The application layer: what a front-end does with the library, so that a front-end (the
//! `measure` binary, a `cargo bench` harness) only maps its own arguments to requests and what
//! comes back to exit codes.
//!
//! - [`real_run`]: a run on this machine (clock, journal, signals, watchdog, ceilings and their
//!   cache, the table, the exports) from a resolved `RunConfig`;
//! - [`load`]: results files loaded and refitted, and `measure fit`'s inputs known by content;
//! - [`ceilings`]: the ceilings' placement, bench and cache, and `measure machine`'s report;
//! - [`outputs`]: the files written besides the results file (exports, report pages, SVG charts
//!   and their names);
//! - [`signals`]: SIGINT, SIGTERM and SIGHUP in every command.
//!
//! It prints only through [`crate::terminal`].

pub mod ceilings;
pub mod load;
pub mod outputs;
pub mod real_run;
pub mod signals;

pub use load::{FitInput, LoadedResults, load_results};
pub use real_run::{Finished, RunOptions};
