//! The rerun history: what each run of an in-process workload leaves for its reruns on this
//! machine, so their intervals hold the spread between runs that no single run can see
//! (`stats::reruns` has the method and why).
//!
//! # Where and what
//! Beside the ceilings (`ceiling_cache`): `$XDG_CACHE_HOME/amdahl/reruns-<key>.json`, one file per
//! machine fingerprint and placement (the ceilings' [`CacheKey`], repeated in the file so a hash
//! collision reads as empty). It holds, per run, when it ended, the workload's identity (a hash of
//! [`WorkloadIdentity`]: name, version, parameters, size, backend, scaling, and the measuring
//! executable's size and modification time, so a rebuilt bench starts afresh) and its
//! [`RerunSample`]. Runs older than [`MAX_AGE`] (or dated in the future) are dropped when the file
//! is next written; a workload keeps its last [`MAX_RUNS`].
//!
//! # Rules
//! - Only complete runs of in-process workloads with no point tagged `disturbed` are kept (other
//!   work competing for the CPUs is not one of the machine's states). Commands have none: their
//!   code can change behind the same command line.
//! - The floor a run records is measured from the runs before it, never from itself.
//! - The file is rewritten whole and atomically; two runs ending at once may lose one of their
//!   samples (never the results, which are in the results file). A history that cannot be read
//!   or written is a warning, never a failure; `--no-cache` or [`RERUNS_VAR`]`=0` neither reads
//!   nor writes it; `--noise-floor` writes it but does not read it (the floor given is the floor).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::ceiling_cache::{CacheKey, CeilingCache};
use crate::analysed::PointSummary;
use crate::input::InputLimit;
use crate::results::{WorkloadResult, write_atomic};
use crate::scaling::Scaling;
use crate::stats::reruns::{RerunFigure, RerunFloor, RerunSample};
use amdahl_workloads::Backend;

/// How long a run counts as the machine's recent history.
pub const MAX_AGE: Duration = Duration::from_secs(86_400);

/// The most runs of one workload kept (the latest), and read.
pub const MAX_RUNS: usize = 20;

/// The most runs the file keeps in all (the latest).
pub const MAX_ENTRIES: usize = 2_000;

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
    executable: Executable,
}

/// The measuring executable, by size and modification time: in-process work is its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Executable {
    bytes: u64,
    modified_ns: u128,
}

impl Executable {
    /// The running executable; `None` when it cannot be read.
    pub fn current() -> Option<Executable> {
        let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
        let modified_ns = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
        Some(Executable { bytes: meta.len(), modified_ns })
    }
}

impl WorkloadIdentity {
    /// The identity of `workload` run by `executable`; `None` for a command (whose code the
    /// command line does not identify).
    pub fn of(workload: &WorkloadResult, executable: Executable) -> Option<WorkloadIdentity> {
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
            executable,
        })
    }

    fn hash(&self) -> String {
        format!("{:016x}", fnv1a(&serde_json::to_vec(self).unwrap_or_default()))
    }
}

/// FNV-1a, 64 bits: stable across builds, unlike `Hash`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// What a run of the workloads of `points` (one workload's summaries) leaves for its reruns: T(1)
/// and each S(j) with their own intervals; `None` without a sound T(1).
pub fn sample_of(points: &[PointSummary]) -> Option<RerunSample> {
    let one = points.iter().find(|p| p.threads == 1)?;
    let t1 = RerunFigure::of(one.median_ns?, one.median_ns_own_ci95?)?;
    let speedups = (points.iter().filter(|p| p.threads > 1))
        .filter_map(|p| Some((p.threads, RerunFigure::of(p.speedup?, p.speedup_own_ci95?)?)))
        .collect();
    Some(RerunSample { t1, speedups })
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
#[derive(Debug, Clone, PartialEq)]
pub struct RerunHistory {
    path: PathBuf,
    key: CacheKey,
    /// Whether runs read their floor from it (`false` under `--noise-floor`: they only write).
    pub read: bool,
}

impl RerunHistory {
    /// The history of `key` in `cache`'s folder.
    pub fn at(cache: &CeilingCache, key: CacheKey, read: bool) -> RerunHistory {
        RerunHistory { path: cache.dir.join(format!("reruns-{:016x}.json", key.hash())), key, read }
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
    /// beyond [`MAX_RUNS`] of a workload or [`MAX_ENTRIES`] in all.
    pub fn record(
        &self,
        workload: &WorkloadIdentity,
        name: &str,
        sample: RerunSample,
        now: SystemTime,
    ) -> crate::Result<()> {
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

    /// The file, when it can be read and is this key's.
    fn load(&self) -> Option<HistoryFile> {
        let text = crate::input::read_text(&self.path, InputLimit::default()).ok()?;
        let file: HistoryFile = serde_json::from_str(&text).ok()?;
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
    use crate::machine::Roots;
    use crate::placement::Pin;

    fn history(dir: &std::path::Path) -> RerunHistory {
        let machine = crate::machine::MachineFacts::read(&Roots::default()).fingerprint().clone();
        let cache = CeilingCache { dir: dir.to_owned(), even_when_busy: false };
        RerunHistory::at(&cache, CacheKey::of(&machine, Pin::None), true)
    }

    fn identity(name: &str, size: f64, executable: Executable) -> WorkloadIdentity {
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        w.name = name.to_owned();
        w.size = size;
        WorkloadIdentity::of(&w, executable).unwrap()
    }

    fn sample(s2: f64) -> RerunSample {
        RerunSample {
            t1: RerunFigure { ln: 18.0, own_sd: 0.002 },
            speedups: vec![(2, RerunFigure { ln: s2, own_sd: 0.005 })],
        }
    }

    const EXE: Executable = Executable { bytes: 1000, modified_ns: 7 };

    fn at(s: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(s)
    }

    #[test]
    fn a_workloads_floor_comes_from_its_own_earlier_runs_of_the_day() {
        let dir = tempfile::tempdir().unwrap();
        let h = history(dir.path());
        let syn = identity("synthetic", 2e7, EXE);
        let t0 = 1_000_000;
        assert_eq!(h.floor(&syn, at(t0)), None, "no file yet");
        // Two states of S(2) 8% apart, and another workload that never moves.
        for (i, s2) in [0.5, 0.58, 0.5, 0.58].into_iter().enumerate() {
            h.record(&syn, "synthetic", sample(s2), at(t0 + i as u64 * 10)).unwrap();
            h.record(&identity("primes", 4e5, EXE), "primes", sample(0.65), at(t0 + i as u64 * 10 + 5)).unwrap();
        }
        let floor = h.floor(&syn, at(t0 + 100)).unwrap();
        assert_eq!((floor.runs, floor.oldest_s), (4, 100));
        let expected = RerunFloor::of(&[sample(0.5), sample(0.58), sample(0.5), sample(0.58)], 100).unwrap();
        assert_eq!(floor, expected);
        assert!(floor.floor.speedup > 0.04, "{floor:?}");
        assert_eq!(h.floor(&identity("primes", 4e5, EXE), at(t0 + 100)).unwrap().floor.speedup, 0.0);
        // Another size, another build of the executable: other workloads, no history.
        assert_eq!(h.floor(&identity("synthetic", 1e6, EXE), at(t0 + 100)), None);
        assert_eq!(h.floor(&identity("synthetic", 2e7, Executable { modified_ns: 8, ..EXE }), at(t0 + 100)), None);
        // A day later, or dated in the future: too old, or not yet.
        assert_eq!(h.floor(&syn, at(t0 + 86_400 + 31)), None);
        assert_eq!(h.floor(&syn, at(t0 + 15)), None, "only two runs had ended by then");
        // Under --noise-floor the history is written, not read.
        assert_eq!(RerunHistory { read: false, ..h.clone() }.floor(&syn, at(t0 + 100)), None);
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
    fn a_broken_or_foreign_file_reads_as_no_history_and_is_replaced_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let h = history(dir.path());
        let syn = identity("synthetic", 2e7, EXE);
        std::fs::write(&h.path, b"{ not json").unwrap();
        assert_eq!(h.floor(&syn, at(100)), None);
        for i in 0..3 {
            h.record(&syn, "synthetic", sample(0.5), at(100 + i)).unwrap();
        }
        assert_eq!(h.floor(&syn, at(200)).unwrap().runs, 3);
        // Another machine's key in the same file name (a hash collision) reads as none.
        let mut other = h.load().unwrap();
        let mut elsewhere = crate::machine::MachineFacts::read(&Roots::default()).fingerprint().clone();
        elsewhere.hostname = Some("elsewhere".into());
        other.key = CacheKey::of(&elsewhere, Pin::None);
        std::fs::write(&h.path, serde_json::to_vec(&other).unwrap()).unwrap();
        assert_eq!(h.floor(&syn, at(200)), None);
    }

    #[test]
    fn commands_have_no_identity_and_a_run_without_t1_leaves_nothing() {
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        w.command = Some("make -j{threads}".into());
        assert_eq!(WorkloadIdentity::of(&w, EXE), None);
        assert_eq!(sample_of(&[]), None);
        let one = PointSummary {
            threads: 1,
            median_ns: Some(100.0),
            median_ns_own_ci95: Some([99.0, 101.0]),
            ..PointSummary::default()
        };
        let two = PointSummary {
            threads: 2,
            speedup: Some(1.8),
            speedup_own_ci95: Some([1.7, 1.9]),
            ..PointSummary::default()
        };
        let s = sample_of(&[one.clone(), two]).unwrap();
        assert_eq!(s.t1, RerunFigure::of(100.0, [99.0, 101.0]).unwrap());
        assert_eq!(s.speedups, vec![(2, RerunFigure::of(1.8, [1.7, 1.9]).unwrap())]);
        assert_eq!(sample_of(&[PointSummary { median_ns_own_ci95: None, ..one }]), None);
    }
}
