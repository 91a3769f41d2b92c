//! The integration tests: the `measure` binary (and the library's public seams) run as a user
//! runs them, one module per concept. Exit codes, files and messages are asserted, never timings
//! of the real clock; waits are hang guards with generous bounds.
//!
//! A new test goes in the module of its concept; a new concept is a module here and a line in
//! ARCHITECTURE.md's Tests section.

mod util;

/// Measuring: workloads, commands, suites, plans and what a run writes.
mod run;

/// `measure fit` and `measure predict`: our files, CSV, hyperfine and criterion, the pinned refits.
mod fit;

/// `measure compare` and `measure report`: pairs of runs, pages, charts.
mod compare_report;

/// The machine seam on fixture trees, its facts and ceilings under attack, busyness.
mod machine;

/// Outputs: never a file that is not ours, never a lost round, never written where not asked.
mod files_and_ownership;

/// Signals in every phase, hooks, hung samples, FIFOs and daemons: no phase hangs.
mod signals_and_hangs;

/// Inputs: files known by content, refused by field and position, mutated without a panic.
mod inputs;

/// Verdicts on real curves measured by others.
mod curves;

/// The README's `console` examples.
mod readme;

/// The thread-time account: profile runs in the file, `time_parts` shown and read back.
mod time_parts;
