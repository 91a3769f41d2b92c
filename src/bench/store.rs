//! Where a bench keeps its runs: `TARGET/amdahl/BENCH/`, beside criterion's `TARGET/criterion/`.
//!
//! - **The target folder.** Cargo does not tell a bench where it is, so it is found as criterion
//!   finds it: from the executable's path (`TARGET/PROFILE/deps/BENCH-HASH`, or
//!   `TARGET/TRIPLE/PROFILE/deps/…` with `--target`: the first folder above `deps` that holds
//!   cargo's `CACHEDIR.TAG`, else two above `deps`), honouring `CARGO_TARGET_DIR` (used when the
//!   executable lies in it, or when the executable's path says nothing); `./target` last.
//! - **Runs** are `run-NNNNNN.json` (numbered, claimed exclusively, so two runs never share a
//!   file), in the results format: `measure fit|report|compare` read them.
//! - **The baseline** is, by default, for each workload, the newest earlier *complete* run that
//!   measured it (so a filtered run does not hide the others' history, and a run still being
//!   written by a concurrent bench, or an interrupted one, is never a baseline); `--baseline NAME`
//!   reads the named baselines of [`super::baseline`], kept per workload.
//!
//! Nothing is written outside `TARGET/amdahl/BENCH/` (but `--out`, which the user names).

use std::path::{Path, PathBuf};

use super::baseline::was_measured;
use crate::error::{Error, Result};
use crate::input::InputLimit;
use crate::results::output;
use crate::results::{ResultsFile, RunStatus, slug};

/// The folder under the target folder.
pub const FOLDER: &str = "amdahl";

/// How many earlier runs are read, newest first, to find each workload's last measurement.
const RUNS_READ: usize = 32;

/// The target folder of the bench whose executable is `exe`, with `CARGO_TARGET_DIR` as
/// `cargo_target_dir`, relative paths taken from `cwd`.
pub fn target_dir(exe: Option<&Path>, cargo_target_dir: Option<&Path>, cwd: &Path) -> PathBuf {
    let absolute = |p: &Path| if p.is_absolute() { p.to_owned() } else { cwd.join(p) };
    let env = cargo_target_dir.filter(|p| !p.as_os_str().is_empty()).map(absolute);
    let exe = exe.map(absolute);
    if let (Some(env), Some(exe)) = (&env, &exe)
        && exe.starts_with(env)
    {
        return env.clone();
    }
    if let Some(found) = exe.as_deref().and_then(from_executable) {
        return found;
    }
    env.unwrap_or_else(|| cwd.join("target"))
}

/// `TARGET` from `TARGET[/TRIPLE]/PROFILE/deps/BENCH-HASH`.
fn from_executable(exe: &Path) -> Option<PathBuf> {
    let deps = exe.parent()?;
    if deps.file_name()? != "deps" {
        return None;
    }
    let profile = deps.parent()?;
    let tagged = profile.ancestors().skip(1).take(2).find(|dir| dir.join("CACHEDIR.TAG").is_file());
    tagged.map(Path::to_owned).or_else(|| profile.parent().map(Path::to_owned))
}

/// The bench target's name from its executable's file name: cargo's `scaling-0123456789abcdef`
/// is `scaling`; a name without the hash is kept; made safe as one file name.
pub fn bench_name(exe: Option<&Path>) -> String {
    let stem = exe.and_then(|e| e.file_stem()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => name.to_owned(),
        _ => stem,
    };
    let safe = slug(&name);
    if safe.is_empty() { "bench".to_owned() } else { safe }
}

/// Run numbers at or above this are not ours (a run a second for 30 years stays below it):
/// a file named so is neither read nor counted, so numbering cannot overflow.
pub const MAX_RUN: u64 = 1_000_000_000;

/// The runs and baselines of one bench target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    /// `TARGET/amdahl/BENCH`.
    pub dir: PathBuf,
}

impl Store {
    /// The store of bench `bench` under `target`.
    pub fn new(target: &Path, bench: &str) -> Store {
        Store { dir: target.join(FOLDER).join(bench) }
    }

    /// The runs saved so far, oldest first: (number, path).
    pub fn runs(&self) -> Vec<(u64, PathBuf)> {
        self.numbered().into_iter().filter(|(_, _, file)| *file).map(|(n, path, _)| (n, path)).collect()
    }

    /// Every entry named like a run (`run-N.json`, N below [`MAX_RUN`]), whatever it is, in
    /// number order: (number, path, whether it is a regular file).
    fn numbered(&self) -> Vec<(u64, PathBuf, bool)> {
        let mut runs: Vec<(u64, PathBuf, bool)> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let n = run_number(&entry.file_name().into_string().ok()?)?;
                Some((n, entry.path(), entry.file_type().is_ok_and(|t| t.is_file())))
            })
            .collect();
        runs.sort();
        runs
    }

    /// Creates the folder and claims the next run's file (created exclusively: the run then
    /// replaces our own empty file). The next number follows the highest run that is ours — an
    /// empty file (a run being started) or a results file — so a file planted at a high number
    /// neither exhausts the numbering nor stops it below [`MAX_RUN`]; names already taken are
    /// skipped.
    pub fn claim_next_run(&self) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, "cannot create the bench's folder", e))?;
        let numbered = self.numbered();
        let last_ours = numbered
            .iter()
            .rev()
            .filter(|(n, _, file)| *file && n + 1 < MAX_RUN)
            .find(|(_, path, _)| is_ours(path))
            .map_or(0, |(n, _, _)| *n);
        let next = last_ours + 1;
        let free = (next..MAX_RUN.min(next + 1000)).map(|n| self.run_path(n));
        // Names taken by what is not ours (a folder, a planted file) are passed over; a name
        // claimed meanwhile by a concurrent run is refused by the exclusive create, and the next tried.
        output::claim_first_free(free.filter(|path| std::fs::symlink_metadata(path).is_err()))
    }

    /// The number of the run whose file is `path`, when it is a run of this store.
    pub fn number_of(&self, path: &Path) -> Option<u64> {
        let (dir, parent) = (self.dir.canonicalize().ok()?, path.parent()?.canonicalize().ok()?);
        (dir == parent).then(|| run_number(path.file_name()?.to_str()?))?
    }

    /// The file of run `n`.
    pub fn run_path(&self, n: u64) -> PathBuf {
        self.dir.join(format!("run-{n:06}.json"))
    }

    /// The HTML page of run `n`, beside its results (criterion's `report/index.html`, per run).
    pub fn page_path(&self, n: u64) -> PathBuf {
        self.dir.join(format!("run-{n:06}.html"))
    }

    /// For each of `names`, the newest complete run that measured it, earlier than run `before`
    /// (all runs when `None`: a run saved elsewhere with `--out`): (workload name, run file, its
    /// contents). A run being written (numbered after this one, or `running`), an interrupted
    /// one and files that do not load are never baselines.
    pub fn last_runs_of(&self, names: &[String], before: Option<u64>) -> Vec<(String, PathBuf, ResultsFile)> {
        let mut found: Vec<(String, PathBuf, ResultsFile)> = Vec::new();
        let earlier = self.runs().into_iter().rev().filter(|(n, _)| before.is_none_or(|b| *n < b));
        for (_, path) in earlier.take(RUNS_READ) {
            if names.iter().all(|n| found.iter().any(|(f, ..)| f == n)) {
                break;
            }
            let Ok(file) = crate::results::load(&path, InputLimit::DEFAULT) else { continue };
            if file.run.status != RunStatus::Complete {
                continue;
            }
            for name in names {
                let measured = file.workloads.iter().any(|w| &w.name == name && was_measured(w));
                if measured && !found.iter().any(|(f, ..)| f == name) {
                    found.push((name.clone(), path.clone(), file.clone()));
                }
            }
        }
        found
    }
}

/// `N` of `run-N.json` (digits only), below [`MAX_RUN`].
fn run_number(file_name: &str) -> Option<u64> {
    let digits = file_name.strip_prefix("run-")?.strip_suffix(".json")?;
    let n: u64 = digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok())??;
    (n < MAX_RUN).then_some(n)
}

/// Whether a run file is one of ours: empty (claimed by a run that has not written yet) or a
/// results file.
fn is_ours(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == 0) || crate::results::load(path, InputLimit::DEFAULT).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_folder_comes_from_the_executable() {
        let cwd = Path::new("/work/project");
        let exe = Path::new("/work/project/target/release/deps/scaling-0123456789abcdef");
        assert_eq!(target_dir(Some(exe), None, cwd), Path::new("/work/project/target"));
        // Relative executables are taken from the working folder.
        let rel = Path::new("target/release/deps/scaling-0123456789abcdef");
        assert_eq!(target_dir(Some(rel), None, cwd), Path::new("/work/project/target"));
        // Not cargo's layout and no CARGO_TARGET_DIR: ./target.
        assert_eq!(target_dir(Some(Path::new("/usr/bin/scaling")), None, cwd), Path::new("/work/project/target"));
        assert_eq!(target_dir(None, None, cwd), Path::new("/work/project/target"));
    }

    #[test]
    fn cargo_target_dir_is_honoured() {
        let cwd = Path::new("/work/project");
        let exe = Path::new("/tmp/shared-target/release/deps/scaling-0123456789abcdef");
        assert_eq!(target_dir(Some(exe), Some(Path::new("/tmp/shared-target")), cwd), Path::new("/tmp/shared-target"));
        // With --target TRIPLE the executable is one folder deeper; the variable still names it.
        let triple = Path::new("/tmp/shared-target/x86_64-unknown-linux-gnu/release/deps/scaling-0123456789abcdef");
        assert_eq!(
            target_dir(Some(triple), Some(Path::new("/tmp/shared-target")), cwd),
            Path::new("/tmp/shared-target")
        );
        // A relative CARGO_TARGET_DIR, from the working folder.
        assert_eq!(target_dir(None, Some(Path::new("out")), cwd), Path::new("/work/project/out"));
        // An executable elsewhere (copied out of the target folder): the variable.
        assert_eq!(
            target_dir(Some(Path::new("/usr/bin/scaling")), Some(Path::new("/tmp/t")), cwd),
            Path::new("/tmp/t")
        );
        // An empty variable is no variable.
        assert_eq!(target_dir(None, Some(Path::new("")), cwd), Path::new("/work/project/target"));
    }

    #[test]
    fn with_a_triple_the_cachedir_tag_finds_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let deps = dir.path().join("x86_64-unknown-linux-gnu/release/deps");
        std::fs::create_dir_all(&deps).unwrap();
        std::fs::write(dir.path().join("CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55").unwrap();
        let exe = deps.join("scaling-0123456789abcdef");
        assert_eq!(target_dir(Some(&exe), None, Path::new("/")), dir.path());
    }

    #[test]
    fn the_bench_name_drops_cargos_hash() {
        let name = |p: &str| bench_name(Some(Path::new(p)));
        assert_eq!(name("/t/release/deps/scaling-0123456789abcdef"), "scaling");
        assert_eq!(name("/t/release/deps/my-bench-0123456789abcdef"), "my-bench");
        assert_eq!(name("/t/release/deps/my-bench"), "my-bench");
        assert_eq!(name("/t/release/deps/odd name!"), slug("odd name!"));
        assert_eq!(bench_name(None), "bench");
    }

    #[test]
    fn runs_are_numbered_and_claimed_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), "scaling");
        assert!(store.runs().is_empty());
        let first = store.claim_next_run().unwrap();
        assert_eq!(first, dir.path().join("amdahl/scaling/run-000001.json"));
        let second = store.claim_next_run().unwrap();
        assert_eq!(second.file_name().unwrap(), "run-000002.json");
        // Other files of the folder are not runs.
        std::fs::write(store.dir.join("run-x.json"), "").unwrap();
        std::fs::write(store.dir.join("notes.txt"), "").unwrap();
        assert_eq!(store.runs().iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2]);
        // Empty (claimed, never written) files do not load, so they are no baseline.
        assert!(store.last_runs_of(&["sort".to_owned()], None).is_empty());
    }

    #[test]
    fn numbering_survives_planted_names_and_never_overflows() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), "scaling");
        store.claim_next_run().unwrap();
        // A number no run of ours reaches is not ours: neither read nor counted.
        std::fs::write(store.dir.join(format!("run-{}.json", u64::MAX)), "{}").unwrap();
        // A folder at a run's name takes its number (and is no run).
        std::fs::create_dir(store.dir.join("run-000002.json")).unwrap();
        assert_eq!(store.runs().iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1]);
        assert_eq!(store.claim_next_run().unwrap().file_name().unwrap(), "run-000003.json");
    }
}
