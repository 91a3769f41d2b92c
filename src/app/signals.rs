//! Signals in every command: SIGINT (Ctrl-C), SIGTERM and SIGHUP.
//!
//! # Policy
//! The handlers are installed first thing in every command, so a signal is obeyed in every phase,
//! also when the shell started us with SIGINT ignored (a background job of a script).
//! - **While a run is measuring** (its journal registered with [`watch_run`]), the **first**
//!   signal asks the run to stop: the sample in progress finishes (a running command's process
//!   group is killed, so a hung command cannot hold the run), the workload is summarised, the
//!   results file is written with status `interrupted`, and the table printed. **Any later
//!   signal** (a second Ctrl-C, or the second copy GNU `timeout` sends to the process group) ends
//!   the process at once, but only through the journal: it waits for a write in progress, writes
//!   every completed round with status `interrupted`, then exits. A signal never interrupts a
//!   save and never loses a completed round.
//! - **In every other phase** (`measure machine`, `run --dry-run`, reading inputs, hooks before
//!   the run, the other commands), nothing measured is at stake: the first signal kills the
//!   process groups of running commands and hooks and ends the process at once.
//! - The exit code is 128 + the first signal's number: 130 for SIGINT, 143 for SIGTERM, 129 for
//!   SIGHUP, as shells report them.
//!
//! Signals are received on a thread of their own (`signal-hook`'s iterator), where saving a file
//! and printing are allowed, unlike in a signal handler.
//!
//! The state is the process's: one measuring run per process (the first journal registered is
//! the one a signal saves, and a signal is not forgotten), which is what `measure run` and a
//! bench harness do.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::sweep::Journal;
use crate::terminal::{self, report_saved};

/// Set by the first signal; the sweep stops between samples.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The first signal's number, or 0.
static FIRST: AtomicI32 = AtomicI32::new(0);

/// The journal of the run in progress, saved by a second signal.
static JOURNAL: OnceLock<Arc<Journal>> = OnceLock::new();

/// Files this process created empty and would leave empty if a signal ended it early (a bench's
/// claimed run file, before the run writes it).
static CLAIMED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes `path` if a signal ends the process while it is still empty (it must be a file this
/// process created).
pub fn remove_if_empty_at_exit(path: &Path) {
    if let Ok(mut claimed) = CLAIMED.lock() {
        claimed.push(path.to_owned());
    }
}

/// Removes the claimed files that are still empty.
fn remove_empty_claims() {
    if let Ok(claimed) = CLAIMED.lock() {
        for path in claimed.iter() {
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// The exit code for the first signal received, if any.
pub fn exit_code() -> Option<u8> {
    match FIRST.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(128 + signal as u8),
    }
}

/// Registers the journal of the run about to measure: from now on the first signal stops the
/// run between samples instead of ending the process.
pub fn watch_run(journal: Arc<Journal>) {
    let _ = JOURNAL.set(journal);
}

/// Starts the signal thread (see the module docs); an error when the thread or the handlers
/// cannot be had (the default dispositions then stay).
pub fn install() -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for signal in signals.forever() {
            let first = FIRST.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).is_ok();
            let code = exit_code().unwrap_or(130);
            amdahl_workloads::kill_running_commands();
            let Some(journal) = JOURNAL.get() else {
                // Nothing measured is at stake in this phase: end now.
                remove_empty_claims();
                terminal::note("\ninterrupted");
                std::process::exit(code.into());
            };
            if first {
                INTERRUPTED.store(true, Ordering::SeqCst);
                terminal::note(
                    "\ninterrupted: finishing the current sample and saving what was measured (a second signal saves and quits now)",
                );
                continue;
            }
            let why = "a second signal ended the run; every completed round is saved";
            report_saved(&journal.finish_interrupted(Some(why)));
            remove_empty_claims();
            std::process::exit(code.into());
        }
    })?;
    Ok(())
}
