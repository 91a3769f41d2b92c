//! Signals during `measure run`: SIGINT (Ctrl-C), SIGTERM and SIGHUP.
//!
//! # Policy
//! - The **first** signal asks the run to stop: the sample in progress finishes (a running
//!   command's process group is killed, so a hung command cannot hold the run), the workload is
//!   summarised, the results file is written with status `interrupted`, and the table printed.
//! - **Any later signal** (a second Ctrl-C, or the second copy GNU `timeout` sends to the process
//!   group) ends the process at once, but only through the journal: it waits for a write in
//!   progress, writes every completed round with status `interrupted`, then exits. A signal never
//!   interrupts a save and never loses a completed round.
//! - The exit code is 128 + the first signal's number: 130 for SIGINT, 143 for SIGTERM, 129 for
//!   SIGHUP, as shells report them.
//!
//! Signals are received on a thread of their own (`signal-hook`'s iterator), where saving a file
//! and printing are allowed, unlike in a signal handler.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

use amdahl::sweep::Journal;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::saved;

/// Set by the first signal; the sweep stops between samples.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The first signal's number, or 0.
static FIRST: AtomicI32 = AtomicI32::new(0);

/// The journal of the run in progress, saved by a second signal.
static JOURNAL: OnceLock<Arc<Journal>> = OnceLock::new();

/// The exit code for the first signal received, if any.
pub fn exit_code() -> Option<u8> {
    match FIRST.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(128 + signal as u8),
    }
}

/// Starts the signal thread for a run whose results are in `journal`.
pub fn install(journal: Arc<Journal>) -> std::io::Result<()> {
    let _ = JOURNAL.set(journal);
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for signal in signals.forever() {
            if FIRST.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                INTERRUPTED.store(true, Ordering::SeqCst);
                amdahl_workloads::kill_running_commands();
                eprintln!(
                    "\ninterrupted: finishing the current sample and saving what was measured (a second signal saves and quits now)"
                );
                continue;
            }
            let why = "a second signal ended the run; every completed round is saved";
            let code = exit_code().unwrap_or(130);
            if let Some(journal) = JOURNAL.get() {
                saved::report(&journal.finish_interrupted(Some(why)));
            }
            std::process::exit(code.into());
        }
    })?;
    Ok(())
}
