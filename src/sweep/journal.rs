//! The journal: the results file of a run in progress, and the one place that writes it.
//!
//! It holds the latest state of everything measured — every completed round of every workload,
//! synchronised after each round — behind one lock, so that whoever must save the run (the runner
//! after each round and workload, a signal handler on a second Ctrl-C, a watchdog when a sample
//! hangs) saves the same complete state, and no save is ever interrupted by another.
//!
//! # Writes
//! The first write happens before anything is measured (so an unwritable destination fails at
//! once); then after each round at most once a second of the run's clock, after each workload, and
//! at the end. Each is atomic (`results::output::write_atomic`). A write that fails during the run
//! does not stop it: measuring goes on and the next write tries again. If the final write fails
//! too (a full disk), the results are **rescued**: written to `amdahl-rescued-PID-NAME` in the
//! temporary folder, or, if that fails as well, handed back as JSON for the caller to print.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use crate::error::{Error, Result};
use crate::results::output::write_atomic;
use crate::results::{ResultsFile, RunStatus, StopReason, WorkloadResult, to_json};

/// Writes bytes to a path atomically; replaceable to inject faults in tests.
pub type Writer = Box<dyn FnMut(&Path, &[u8]) -> io::Result<()> + Send>;

/// Where the results ended up after the last write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// In the results file, as asked.
    Written(PathBuf),
    /// The results file could not be written; they are in `at` instead.
    Rescued {
        /// The file that could not be written.
        intended: PathBuf,
        /// Why.
        error: String,
        /// Where they are.
        at: PathBuf,
    },
    /// Neither the file nor a rescue file could be written: the caller must print `json`.
    Unsaved {
        /// The file that could not be written.
        intended: PathBuf,
        /// Why.
        error: String,
        /// The whole results file.
        json: String,
    },
}

/// The results file of a run in progress; see the module docs.
pub struct Journal {
    state: Mutex<State>,
}

struct State {
    file: Option<ResultsFile>,
    path: PathBuf,
    writer: Writer,
    /// The run clock's time of the last successful write.
    last_write_ns: Option<u64>,
    /// The last write's error, while writes fail.
    failing: Option<String>,
    /// The final write's outcome, once made: later finishes only report it.
    finished: Option<Saved>,
}

/// The shortest time between two writes during a sweep, in nanoseconds of the run's clock.
const MIN_WRITE_INTERVAL_NS: u64 = 1_000_000_000;

impl Default for Journal {
    fn default() -> Self {
        Journal::new()
    }
}

impl Journal {
    /// A journal that writes files atomically.
    pub fn new() -> Journal {
        Journal::with_writer(Box::new(|path, bytes| {
            write_atomic(path, bytes).map_err(|e| match e {
                Error::Io { source, .. } => source,
                other => io::Error::other(other.to_string()),
            })
        }))
    }

    /// A journal that writes with `writer` (tests inject a full disk here).
    pub fn with_writer(writer: Writer) -> Journal {
        Journal {
            state: Mutex::new(State {
                file: None,
                path: PathBuf::new(),
                writer,
                last_write_ns: None,
                failing: None,
                finished: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the state as consistent as the last update.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts the journal of `file` at `path` and writes it; an error here is fatal to the run.
    pub(super) fn start(&self, path: &Path, file: ResultsFile) -> Result<()> {
        let mut state = self.lock();
        state.path = path.to_owned();
        let json = to_json(&file)?;
        state.file = Some(file);
        (state.writer)(path, json.as_bytes()).map_err(|e| Error::io(path, "cannot write", e))
    }

    /// Changes the state with `change` (nothing is written).
    pub(super) fn update(&self, change: impl FnOnce(&mut ResultsFile)) {
        if let Some(file) = self.lock().file.as_mut() {
            change(file);
        }
    }

    /// Brings workload `index` up to date with `current`, the sweep's state after a round:
    /// new samples are appended (not the whole workload copied, so a long sweep stays linear).
    pub(super) fn sync_workload(&self, index: usize, current: &WorkloadResult) {
        self.update(|file| {
            if index >= file.workloads.len() {
                file.workloads.push(current.clone());
            } else {
                sync(&mut file.workloads[index], current);
            }
            file.workloads[index].stop = StopReason::Running;
        });
    }

    /// Writes the state if `force`, or if a second of the run's clock has passed since the last
    /// write. Returns the error of the first of a series of failed writes (the run goes on; see
    /// the module docs). After the final write, nothing is written.
    pub(super) fn write(&self, now_ns: u64, force: bool) -> Option<String> {
        let mut state = self.lock();
        if state.finished.is_some() {
            return None;
        }
        if !force && state.last_write_ns.is_some_and(|t| now_ns.saturating_sub(t) < MIN_WRITE_INTERVAL_NS) {
            return None;
        }
        match write_state(&mut state) {
            Ok(()) => {
                state.last_write_ns = Some(now_ns);
                state.failing = None;
                None
            }
            Err(e) => {
                let first = state.failing.is_none();
                state.failing = Some(e.clone());
                first.then_some(e)
            }
        }
    }

    /// The final write: to the results file, else to a rescue file, else handed back as JSON.
    pub fn finish(&self) -> Saved {
        finish_locked(&mut self.lock())
    }

    /// Marks the run interrupted (with `why` as a warning, if given) and makes the final write,
    /// in one step under the lock: for a signal handler or watchdog about to end the process. It
    /// waits for a write in progress; every completed round is kept. After the runner's own final
    /// write it changes nothing and reports where that went.
    pub fn finish_interrupted(&self, why: Option<&str>) -> Saved {
        let mut state = self.lock();
        if state.finished.is_none()
            && let Some(file) = state.file.as_mut()
        {
            if file.run.status == RunStatus::Running {
                file.run.status = RunStatus::Interrupted;
                file.run.finished_utc = Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
            }
            if let Some(why) = why {
                file.warnings.push(why.to_owned());
            }
            for w in file.workloads.iter_mut().filter(|w| w.stop == StopReason::Running) {
                w.stop = StopReason::Interrupted;
            }
        }
        finish_locked(&mut state)
    }

    /// A copy of the state (for the runner's outcome).
    pub(super) fn snapshot(&self) -> Option<ResultsFile> {
        self.lock().file.clone()
    }
}

fn finish_locked(state: &mut State) -> Saved {
    if let Some(saved) = &state.finished {
        return saved.clone();
    }
    let intended = state.path.clone();
    let saved = match write_state(state) {
        Ok(()) => Saved::Written(intended),
        Err(error) => {
            let json = state.file.as_ref().and_then(|f| to_json(f).ok()).unwrap_or_default();
            let name =
                intended.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "results.json".into());
            let at = std::env::temp_dir().join(format!("amdahl-rescued-{}-{name}", std::process::id()));
            match (state.writer)(&at, json.as_bytes()) {
                Ok(()) => Saved::Rescued { intended, error, at },
                Err(_) => Saved::Unsaved { intended, error, json },
            }
        }
    };
    state.finished = Some(saved.clone());
    saved
}

fn write_state(state: &mut State) -> Result<(), String> {
    let Some(file) = state.file.as_ref() else { return Err("the run has not started".into()) };
    let json = to_json(file).map_err(|e| e.to_string())?;
    let path = state.path.clone();
    (state.writer)(&path, json.as_bytes()).map_err(|e| e.to_string())
}

/// Makes `stored` equal to `current`, appending new samples rather than copying old ones.
fn sync(stored: &mut WorkloadResult, current: &WorkloadResult) {
    let points = std::mem::take(&mut stored.points);
    *stored = WorkloadResult { points, ..current.clone_without_points() };
    stored.points.truncate(current.points.len());
    for (k, point) in current.points.iter().enumerate() {
        match stored.points.get_mut(k) {
            Some(old) if old.threads == point.threads && old.samples_ns.len() <= point.samples_ns.len() => {
                let from = old.samples_ns.len();
                old.samples_ns.extend_from_slice(&point.samples_ns[from..]);
                old.cpu_ns.extend_from_slice(&point.cpu_ns[from.min(point.cpu_ns.len())..]);
                let ics = &point.involuntary_context_switches;
                old.involuntary_context_switches.extend_from_slice(&ics[from.min(ics.len())..]);
                old.error.clone_from(&point.error);
            }
            Some(old) => *old = point.clone(),
            None => stored.points.push(point.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_appends_samples_and_follows_dropped_points() {
        let results = crate::report::tests::fixture();
        let full = results.workloads[0].clone();
        let mut partial = full.clone();
        for p in &mut partial.points {
            p.samples_ns.truncate(1);
            p.cpu_ns.truncate(1);
            p.involuntary_context_switches.truncate(1);
        }
        let mut stored = partial.clone();
        sync(&mut stored, &full);
        assert_eq!(stored, full);
        // A point dropped after a failure has its samples cleared: the stored copy follows.
        let mut dropped = full.clone();
        dropped.points[1].samples_ns.clear();
        dropped.points[1].cpu_ns.clear();
        dropped.points[1].involuntary_context_switches.clear();
        dropped.points[1].error = Some("failed".into());
        sync(&mut stored, &dropped);
        assert_eq!(stored, dropped);
    }
}
