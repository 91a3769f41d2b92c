//! Where a bench keeps its runs: `TARGET/amdahl/BENCH/`, beside criterion's `TARGET/criterion/`.
//!
//! - **The target folder.** Cargo does not tell a bench where it is, so it is found as criterion
//!   finds it: from the executable's path (`TARGET/PROFILE/deps/BENCH-HASH`, or
//!   `TARGET/TRIPLE/PROFILE/deps/…` with `--target`: the first folder above `deps` that holds
//!   cargo's `CACHEDIR.TAG`, else two above `deps`), honouring `CARGO_TARGET_DIR` (used when the
//!   executable lies in it, or when the executable's path says nothing); `./target` last.
//! - **Runs** are `run-NNNNNN.json` (numbered, claimed exclusively, so two runs never share a
//!   file), in the results format: `measure fit|report|compare` read them.
//! - **The baseline** is, by default, for each workload, the newest earlier run that measured it
//!   (so a filtered run does not hide the others' history); `--baseline NAME` reads
//!   `baseline-NAME.json`, which `--save-baseline NAME` writes (atomically; it replaces only a file
//!   that is a results file, never one we did not write).
//!
//! Nothing is written outside `TARGET/amdahl/BENCH/` (but `--out`, which the user names).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::InputLimit;
use crate::results::output::{self, Overwrite};
use crate::results::{ResultsFile, slug};

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
    /// number order: a folder or link planted at a run's name still takes its number.
    fn numbered(&self) -> Vec<(u64, PathBuf, bool)> {
        let mut runs: Vec<(u64, PathBuf, bool)> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let number = name.strip_prefix("run-")?.strip_suffix(".json")?;
                let n: u64 = number.bytes().all(|b| b.is_ascii_digit()).then(|| number.parse().ok())??;
                (n < MAX_RUN).then(|| (n, entry.path(), entry.file_type().is_ok_and(|t| t.is_file())))
            })
            .collect();
        runs.sort();
        runs
    }

    /// Creates the folder and claims the next run's file (created exclusively: the run then
    /// replaces our own empty file).
    pub fn claim_next_run(&self) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, "cannot create the bench's folder", e))?;
        let next = self.numbered().last().map_or(1, |(n, _, _)| n + 1);
        output::claim_first_free((next..next + 1000).map(|n| self.run_path(n)))
    }

    /// Checks, before anything is measured, that `--save-baseline NAME` will be able to save:
    /// nothing is at its file, or a results file that may be replaced.
    pub fn check_baseline_target(&self, name: &str) -> Result<()> {
        let path = self.baseline_path(name);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(());
        }
        match crate::results::load(&path, InputLimit::DEFAULT) {
            Ok(_) if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) => Ok(()),
            Ok(_) => Err(Error::usage(
                "--save-baseline",
                name,
                format!("{} is a symbolic link: move it away first", path.display()),
            )),
            Err(why) => Err(Error::usage(
                "--save-baseline",
                name,
                format!(
                    "would replace {}, which does not load as a results file ({why}): move it away first",
                    path.display()
                ),
            )),
        }
    }

    /// The file of run `n`.
    pub fn run_path(&self, n: u64) -> PathBuf {
        self.dir.join(format!("run-{n:06}.json"))
    }

    /// The file of the baseline `name` (a name checked by `args::baseline_name`).
    pub fn baseline_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("baseline-{name}.json"))
    }

    /// The baseline `name`, which must exist (`--baseline`).
    pub fn named_baseline(&self, name: &str) -> Result<(PathBuf, ResultsFile)> {
        let path = self.baseline_path(name);
        if !path.exists() {
            let known = self.baselines();
            return Err(Error::usage(
                "--baseline",
                name,
                format!(
                    "is not a saved baseline of this bench ({}; save one with --save-baseline)",
                    if known.is_empty() { "there are none".to_owned() } else { format!("saved: {}", known.join(", ")) }
                ),
            ));
        }
        let file = crate::results::load(&path, InputLimit::DEFAULT)?;
        Ok((path, file))
    }

    /// The names of the saved baselines, sorted.
    pub fn baselines(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                Some(name.strip_prefix("baseline-")?.strip_suffix(".json")?.to_owned())
            })
            .collect();
        names.sort();
        names
    }

    /// For each of `names`, the newest earlier run (other than `except`) that measured it and
    /// loads: (workload name, run file, its contents). Files that do not load are passed over.
    pub fn last_runs_of(&self, names: &[String], except: Option<&Path>) -> Vec<(String, PathBuf, ResultsFile)> {
        let mut found: Vec<(String, PathBuf, ResultsFile)> = Vec::new();
        let runs = self.runs();
        // The same file however it was spelt (`--out` may be relative).
        let except = except.and_then(|p| p.canonicalize().ok());
        let is_this_run = |p: &Path| except.as_deref().is_some_and(|e| p.canonicalize().is_ok_and(|c| c == e));
        for (_, path) in runs.iter().rev().filter(|(_, p)| !is_this_run(p)).take(RUNS_READ) {
            if names.iter().all(|n| found.iter().any(|(f, ..)| f == n)) {
                break;
            }
            let Ok(file) = crate::results::load(path, InputLimit::DEFAULT) else { continue };
            for name in names {
                let measured = file.workloads.iter().any(|w| &w.name == name && w.rounds >= 2);
                if measured && !found.iter().any(|(f, ..)| f == name) {
                    found.push((name.clone(), path.clone(), file.clone()));
                }
            }
        }
        found
    }

    /// Saves `json` as the baseline `name` (`--save-baseline`): atomically, replacing only an
    /// earlier baseline that is a results file.
    pub fn save_baseline(&self, name: &str, json: &str) -> Result<PathBuf> {
        let path = self.baseline_path(name);
        let overwrite = if path.exists() {
            if let Err(why) = crate::results::load(&path, InputLimit::DEFAULT) {
                return Err(Error::usage(
                    "--save-baseline",
                    name,
                    format!(
                        "would replace {}, which does not load as a results file ({why}): move it away first",
                        path.display()
                    ),
                ));
            }
            Overwrite::Replace
        } else {
            Overwrite::Never
        };
        output::write_new(&path, json.as_bytes(), overwrite)?;
        Ok(path)
    }
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

    #[test]
    fn a_baseline_that_cannot_be_saved_is_refused_before_measuring() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), "scaling");
        std::fs::create_dir_all(&store.dir).unwrap();
        assert!(store.check_baseline_target("fresh").is_ok());
        std::fs::create_dir(store.baseline_path("dir")).unwrap();
        std::fs::write(store.baseline_path("notes"), "mine").unwrap();
        for name in ["dir", "notes"] {
            let err = store.check_baseline_target(name).unwrap_err().to_string();
            assert!(err.contains("--save-baseline") && err.contains("move it away first"), "{err}");
        }
        assert_eq!(std::fs::read_to_string(store.baseline_path("notes")).unwrap(), "mine");
    }

    #[test]
    fn a_named_baseline_must_exist_and_is_saved_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), "scaling");
        std::fs::create_dir_all(&store.dir).unwrap();
        let err = store.named_baseline("main").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--baseline") && err.to_string().contains("there are none"), "{err}");
        // A file that is not a results file is never replaced.
        std::fs::write(store.baseline_path("main"), "precious").unwrap();
        let err = store.save_baseline("main", "{}").unwrap_err();
        assert!(err.to_string().starts_with("--save-baseline"), "{err}");
        assert_eq!(std::fs::read_to_string(store.baseline_path("main")).unwrap(), "precious");
        assert_eq!(store.baselines(), ["main"]);
    }
}
