//! The rerun history: what each run of an in-process workload leaves for its reruns on this
//! machine, so their intervals hold the spread between runs that no single run can see
//! (`stats::reruns` has the method and why).
//!
//! # Where and what
//! Beside the ceilings (`ceiling_cache`): `$XDG_CACHE_HOME/amdahl/reruns-<key>.json`, one file per
//! machine fingerprint and placement (the ceilings' [`CacheKey`], repeated in the file so a hash
//! collision reads as empty). It holds, per run, when it ended, the workload's identity (a hash of
//! [`WorkloadIdentity`]: name, version, parameters, size, backend, scaling, the `--setup` and
//! `--prepare` hooks, and the measuring executable's file (device, inode, size, modification
//! time), so a rebuilt bench starts afresh) and its [`RerunSample`]. Runs older than [`MAX_AGE`]
//! (or dated in the future) are dropped when the file is next written; a workload keeps its last
//! [`MAX_RUNS`]. The file is read up to [`MAX_FILE_BYTES`], and a run whose sample is not sound
//! (a figure not finite, thread counts not ascending from 2) is left out.
//!
//! # Rules
//! - Only complete runs of in-process workloads with no point tagged `disturbed`, on a machine
//!   that was not busy when the run began, are kept (other work competing for the CPUs is not one
//!   of the machine's states). Commands have none: their code can change behind the same command
//!   line.
//! - The floor a run records is measured from the runs before it, never from itself.
//! - The file is rewritten whole and atomically; two runs ending at once may lose one of their
//!   samples (never the results, which are in the results file). A history that cannot be read
//!   is none; one that cannot be written is a warning (once a run), never a failure; `--no-cache`
//!   or [`RERUNS_VAR`]`=0` neither reads nor writes it; `--noise-floor` writes it but does not
//!   read it (the floor given is the floor).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::ceiling_cache::{CacheKey, CeilingCache, fnv1a};
use crate::config::Hooks;
use crate::input::InputLimit;
use crate::results::{WorkloadResult, write_atomic};
use crate::scaling::Scaling;
use crate::stats::reruns::{RerunFloor, RerunSample};
use amdahl_workloads::Backend;

/// How long a run counts as the machine's recent history.
pub const MAX_AGE: Duration = Duration::from_secs(86_400);

/// The most runs of one workload kept (the latest), and read.
pub const MAX_RUNS: usize = 20;

/// The most runs the file keeps in all (the latest).
pub const MAX_ENTRIES: usize = 2_000;

/// The most of the file read: 2,000 runs of a dozen thread counts take under 2 MiB.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// The most thread counts a sound sample has (`thread_set::MAX_THREADS`).
const MAX_COUNTS: usize = crate::thread_set::MAX_THREADS;

/// The environment variable that turns the history off (`0`): the integration tests, whose runs
/// must not widen each other's intervals.
pub const RERUNS_VAR: &str = "AMDAHL_RERUNS";

/// What makes two runs runs of the same code at the same size: hashed, never stored in clear.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadIdentity {
    name: String,
    workload_version: u32,
    params: BTreeMap<String, f64>,
    size: f64,
    backend: Backend,
    scaling: Scaling,
    setup: Option<String>,
    prepare: Option<String>,
    executable: Executable,
}

/// The measuring executable's file: in-process work is its code. Read through
/// `/proc/self/exe`, the file this process runs even when a rebuild has replaced the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Executable {
    device: u64,
    inode: u64,
    bytes: u64,
    modified_ns: i128,
}

impl Executable {
    /// The running executable; `None` when it cannot be read.
    #[cfg(unix)]
    pub fn current() -> Option<Executable> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata("/proc/self/exe").or_else(|_| std::fs::metadata(std::env::current_exe()?)).ok()?;
        Some(Executable {
            device: meta.dev(),
            inode: meta.ino(),
            bytes: meta.size(),
            modified_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        })
    }

    /// The running executable; `None` when it cannot be read.
    #[cfg(not(unix))]
    pub fn current() -> Option<Executable> {
        let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
        let modified_ns = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos() as i128;
        Some(Executable { device: 0, inode: 0, bytes: meta.len(), modified_ns })
    }
}

impl WorkloadIdentity {
    /// The identity of `workload` run with `hooks` by `executable`; `None` for a command (whose
    /// code the command line does not identify).
    pub fn of(workload: &WorkloadResult, hooks: &Hooks, executable: Executable) -> Option<WorkloadIdentity> {
        if workload.command.is_some() {
            return None;
        }
        Some(WorkloadIdentity {
            name: workload.name.clone(),
            workload_version: workload.workload_version,
            params: workload.params.clone(),
            size: workload.size,
            backend: workload.backend,
            scaling: workload.scaling,
            setup: hooks.setup.clone(),
            prepare: hooks.prepare.clone(),
            executable,
        })
    }

    fn hash(&self) -> String {
        format!("{:016x}", fnv1a(&serde_json::to_vec(self).unwrap_or_default()))
    }
}

/// Whether `sample` is one a run could have left: finite figures, own sds not negative, thread
/// counts from 2 ascending, no more than a run measures.
fn sound(sample: &RerunSample) -> bool {
    let figure = |f: &crate::stats::reruns::RerunFigure| f.ln.is_finite() && f.own_sd.is_finite() && f.own_sd >= 0.0;
    let counts = sample.speedups.iter().map(|(j, _)| *j);
    figure(&sample.t1)
        && sample.speedups.len() <= MAX_COUNTS
        && sample.speedups.iter().all(|(_, f)| figure(f))
        && counts.clone().zip(counts.skip(1)).all(|(a, b)| a < b)
        && sample.speedups.first().is_none_or(|(j, _)| *j >= 2)
}

/// One run in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Run {
    /// The hash of its [`WorkloadIdentity`].
    workload: String,
    /// Its name, for a person reading the file.
    name: String,
    ended_unix_s: u64,
    sample: RerunSample,
}

/// The file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct HistoryFile {
    key: CacheKey,
    runs: Vec<Run>,
}

/// The rerun history of one machine and placement.
#[derive(Debug)]
pub struct RerunHistory {
    path: PathBuf,
    key: CacheKey,
    /// Whether runs read their floor from it (`false` under `--noise-floor`: they only write).
    pub read: bool,
    /// Whether runs are added to it (`false` when the machine was busy as the run began).
    pub write: bool,
    /// Whether a write has failed (and been said) in this run.
    failed: AtomicBool,
}

impl RerunHistory {
    /// The history of `key` in `cache`'s folder, read and written.
    pub fn at(cache: &CeilingCache, key: CacheKey) -> RerunHistory {
        let path = cache.dir.join(format!("reruns-{:016x}.json", key.hash()));
        RerunHistory { path, key, read: true, write: true, failed: AtomicBool::new(false) }
    }

    /// Whether a write just failed for the first time in this run (to say it once).
    pub fn first_failure(&self) -> bool {
        !self.failed.swap(true, Ordering::Relaxed)
    }

    /// Whether [`RERUNS_VAR`] turns the history off.
    pub fn disabled_by_environment() -> bool {
        std::env::var_os(RERUNS_VAR).is_some_and(|v| v == "0")
    }

    /// The floor the earlier runs of `workload` set at `now`: its runs younger than [`MAX_AGE`],
    /// the last [`MAX_RUNS`]; `None` with fewer than `stats::reruns::MIN_RUNS`, without a file,
    /// or when the history is not read.
    pub fn floor(&self, workload: &WorkloadIdentity, now: SystemTime) -> Option<RerunFloor> {
        if !self.read {
            return None;
        }
        let now_s = unix_s(now)?;
        let file = self.load()?;
        let id = workload.hash();
        let mut runs: Vec<&Run> = file.runs.iter().filter(|r| r.workload == id && fresh(r, now_s)).collect();
        runs.sort_by_key(|r| r.ended_unix_s);
        let runs = &runs[runs.len().saturating_sub(MAX_RUNS)..];
        let oldest_s = now_s - runs.first()?.ended_unix_s;
        let samples: Vec<RerunSample> = runs.iter().map(|r| r.sample.clone()).collect();
        RerunFloor::of(&samples, oldest_s)
    }

    /// Adds `sample`, a run of `workload` that ended at `now`, dropping runs past [`MAX_AGE`] and
    /// beyond [`MAX_RUNS`] of a workload or [`MAX_ENTRIES`] in all; nothing when the history is
    /// not written.
    pub fn record(
        &self,
        workload: &WorkloadIdentity,
        name: &str,
        sample: RerunSample,
        now: SystemTime,
    ) -> crate::Result<()> {
        if !self.write {
            return Ok(());
        }
        let now_s = unix_s(now).unwrap_or(0);
        let mut runs: Vec<Run> = self.load().map(|f| f.runs).unwrap_or_default();
        runs.retain(|r| fresh(r, now_s));
        runs.push(Run { workload: workload.hash(), name: name.to_owned(), ended_unix_s: now_s, sample });
        runs.sort_by_key(|r| r.ended_unix_s);
        // The latest MAX_RUNS of each workload, the latest MAX_ENTRIES in all.
        let mut kept_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut kept: Vec<Run> = Vec::with_capacity(runs.len());
        for run in runs.into_iter().rev() {
            let n = kept_of.entry(run.workload.clone()).or_default();
            if *n < MAX_RUNS && kept.len() < MAX_ENTRIES {
                *n += 1;
                kept.push(run);
            }
        }
        kept.reverse();
        let dir = self.path.parent().unwrap_or(&self.path);
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, "cannot create the cache folder", e))?;
        let file = HistoryFile { key: self.key.clone(), runs: kept };
        let json = serde_json::to_vec(&file).map_err(crate::Error::encode("the rerun history"))?;
        write_atomic(&self.path, &json)
    }

    /// The file, when it can be read and is this key's, without its unsound runs.
    fn load(&self) -> Option<HistoryFile> {
        let text = crate::input::read_text(&self.path, InputLimit(MAX_FILE_BYTES)).ok()?;
        let mut file: HistoryFile = serde_json::from_str(&text).ok()?;
        file.runs.retain(|r| sound(&r.sample));
        (file.key == self.key).then_some(file)
    }
}

fn unix_s(t: SystemTime) -> Option<u64> {
    t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// Whether `run` ended before `now_s` and less than [`MAX_AGE`] before it.
fn fresh(run: &Run, now_s: u64) -> bool {
    run.ended_unix_s <= now_s && now_s - run.ended_unix_s < MAX_AGE.as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::Pin;
    use crate::stats::reruns::RerunFigure;

    fn machine() -> crate::results::Machine {
        let cpus = crate::thread_set::CpuCounts { usable: 2, physical: 2, sockets: 1 };
        crate::machine::MachineFacts::fake(cpus).fingerprint().clone()
    }

    fn history(dir: &std::path::Path) -> RerunHistory {
        let cache = CeilingCache { dir: dir.to_owned(), even_when_busy: false };
        RerunHistory::at(&cache, CacheKey::of(&machine(), Pin::None))
    }

    fn identity(name: &str, size: f64, executable: Executable) -> WorkloadIdentity {
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        w.name = name.to_owned();
        w.size = size;
        WorkloadIdentity::of(&w, &Hooks::default(), executable).unwrap()
    }

    fn sample(s2: f64) -> RerunSample {
        RerunSample {
            t1: RerunFigure { ln: 18.0, own_sd: 0.002 },
            speedups: vec![(2, RerunFigure { ln: s2, own_sd: 0.005 })],
        }
    }

    const EXE: Executable = Executable { device: 1, inode: 2, bytes: 1000, modified_ns: 7 };

    fn at(s: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(s)
    }

    /// Two states of S(2) 8% apart, run by run.
    const STATES: [f64; 6] = [0.5, 0.58, 0.5, 0.58, 0.5, 0.58];

    #[test]
    fn a_workloads_floor_comes_from_its_own_earlier_runs_of_the_day() {
        let dir = tempfile::tempdir().unwrap();
        let h = history(dir.path());
        let syn = identity("synthetic", 2e7, EXE);
        let t0 = 1_000_000;
        assert_eq!(h.floor(&syn, at(t0)), None, "no file yet");
        // Synthetic in two states, and another workload that never moves.
        for (i, s2) in STATES.into_iter().enumerate() {
            h.record(&syn, "synthetic", sample(s2), at(t0 + i as u64 * 10)).unwrap();
            h.record(&identity("primes", 4e5, EXE), "primes", sample(0.65), at(t0 + i as u64 * 10 + 5)).unwrap();
        }
        let floor = h.floor(&syn, at(t0 + 100)).unwrap();
        assert_eq!((floor.runs, floor.oldest_s), (6, 100));
        let expected = RerunFloor::of(&STATES.map(sample), 100).unwrap();
        assert_eq!(floor, expected);
        assert!(floor.speedup_at(2) > 0.04, "{floor:?}");
        assert_eq!(h.floor(&identity("primes", 4e5, EXE), at(t0 + 100)).unwrap().speedup_at(2), 0.0);
        // Another size, another build of the executable, other hooks: other workloads.
        assert_eq!(h.floor(&identity("synthetic", 1e6, EXE), at(t0 + 100)), None);
        assert_eq!(h.floor(&identity("synthetic", 2e7, Executable { inode: 3, ..EXE }), at(t0 + 100)), None);
        let w = crate::report::tests::fixture().workloads.remove(0);
        let hooks = Hooks { prepare: Some("sync".into()), ..Hooks::default() };
        assert_ne!(WorkloadIdentity::of(&w, &hooks, EXE), WorkloadIdentity::of(&w, &Hooks::default(), EXE));
        // A day later, or before enough had ended: too old, or too few.
        assert_eq!(h.floor(&syn, at(t0 + 86_400 + 51)), None);
        assert_eq!(h.floor(&syn, at(t0 + 35)), None, "only four runs had ended by then");
        // Under --noise-floor the history is written, not read; on a busy machine read, not written.
        let mut read_only = history(dir.path());
        read_only.write = false;
        read_only.record(&syn, "synthetic", sample(9.0), at(t0 + 60)).unwrap();
        assert_eq!(read_only.floor(&syn, at(t0 + 100)), Some(expected));
        let mut write_only = history(dir.path());
        write_only.read = false;
        assert_eq!(write_only.floor(&syn, at(t0 + 100)), None);
    }

    #[test]
    fn the_file_keeps_the_latest_runs_and_drops_the_stale() {
        let dir = tempfile::tempdir().unwrap();
        let h = history(dir.path());
        let syn = identity("synthetic", 2e7, EXE);
        let t0 = 5_000_000;
        h.record(&syn, "synthetic", sample(9.0), at(t0)).unwrap();
        for i in 0..(MAX_RUNS + 5) as u64 {
            h.record(&syn, "synthetic", sample(0.5 + 0.001 * i as f64), at(t0 + 86_400 + i)).unwrap();
        }
        let file = h.load().unwrap();
        assert_eq!(file.runs.len(), MAX_RUNS, "the stale run and the oldest five are gone");
        assert_eq!(file.runs[0].ended_unix_s, t0 + 86_400 + 5);
        assert!(file.runs.iter().all(|r| r.sample.speedups[0].1.ln < 1.0));
    }

    #[test]
    fn a_broken_foreign_or_hostile_file_reads_as_no_history_and_is_replaced_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let h = history(dir.path());
        let syn = identity("synthetic", 2e7, EXE);
        std::fs::write(&h.path, b"{ not json").unwrap();
        assert_eq!(h.floor(&syn, at(100)), None);
        for i in 0..5 {
            h.record(&syn, "synthetic", sample(0.5), at(100 + i)).unwrap();
        }
        assert_eq!(h.floor(&syn, at(200)).unwrap().runs, 5);
        // Unsound samples (thread counts out of order, below 2, a negative sd) are left out.
        let mut file = h.load().unwrap();
        let good = file.runs[0].clone();
        let f = RerunFigure { ln: 0.5, own_sd: 0.01 };
        for speedups in [vec![(4, f), (2, f)], vec![(1, f)], vec![(2, RerunFigure { own_sd: -1.0, ..f })]] {
            file.runs.push(Run { sample: RerunSample { speedups, ..good.sample.clone() }, ..good.clone() });
        }
        std::fs::write(&h.path, serde_json::to_vec(&file).unwrap()).unwrap();
        assert_eq!(h.load().unwrap().runs.len(), 5);
        // A file past the size read is none.
        let big = vec![b' '; MAX_FILE_BYTES as usize + 1];
        std::fs::write(&h.path, big).unwrap();
        assert_eq!(h.floor(&syn, at(200)), None);
        // Another machine's key in the same file name (a hash collision) reads as none.
        std::fs::write(&h.path, serde_json::to_vec(&file).unwrap()).unwrap();
        let mut elsewhere = machine();
        elsewhere.hostname = Some("elsewhere".into());
        let other = HistoryFile { key: CacheKey::of(&elsewhere, Pin::None), ..file };
        std::fs::write(&h.path, serde_json::to_vec(&other).unwrap()).unwrap();
        assert_eq!(h.floor(&syn, at(200)), None);
    }

    #[test]
    fn commands_have_no_identity_and_a_failed_write_is_said_once() {
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        w.command = Some("make -j{threads}".into());
        assert_eq!(WorkloadIdentity::of(&w, &Hooks::default(), EXE), None);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), b"").unwrap();
        // The cache folder's parent is a file: every write fails, the first says so.
        let h = history(&dir.path().join("file").join("amdahl"));
        let syn = identity("synthetic", 2e7, EXE);
        assert!(h.record(&syn, "synthetic", sample(0.5), at(100)).is_err());
        assert!(h.first_failure());
        assert!(h.record(&syn, "synthetic", sample(0.5), at(101)).is_err());
        assert!(!h.first_failure());
    }
}
