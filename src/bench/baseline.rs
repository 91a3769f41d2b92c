//! Named baselines, kept **per workload** (as criterion keeps one per benchmark):
//! `TARGET/amdahl/BENCH/baseline-NAME/WORKLOAD.json`, each a results file holding that workload
//! alone, with the machine, environment and noise floor of the run that measured it.
//!
//! - `--save-baseline NAME` writes one file for each workload this run measured and leaves the
//!   others' files as they are: a filtered run never loses another workload's baseline.
//! - `--baseline NAME` finds each workload's own file; a workload without one says so ("`par-ok`
//!   has no baseline `main`"), and the regression gate then fails (exit 2) rather than passing.
//! - Earlier versions saved the whole run as `baseline-NAME.json`: that file is still read, for the
//!   workloads the folder does not hold, and never written or removed.
//!
//! A file is replaced only when it loads as a results file (one of ours); anything else at a
//! baseline's path (a user's file, a link, a folder) is refused before anything is measured.

use std::path::{Path, PathBuf};

use amdahl_workloads::FixedHasher;

use super::store::Store;
use crate::error::{Error, Result};
use crate::input::InputLimit;
use crate::results::output::{self, Overwrite};
use crate::results::{ResultsFile, WorkloadResult, slug};

/// One workload's baseline: its name, the file and the file's contents.
pub type Entry = (String, PathBuf, ResultsFile);

/// What `--baseline NAME` found for the workloads of a run.
#[derive(Debug, Clone)]
pub struct NamedBaseline {
    /// The baseline's name.
    pub name: String,
    /// The workloads that have one.
    pub found: Vec<Entry>,
    /// The workloads that have none, each with why (no file, or a file that does not load).
    pub missing: Vec<(String, String)>,
}

impl NamedBaseline {
    /// The line of a workload without a baseline: "`par-ok` has no baseline `main`".
    pub fn missing_lines(&self) -> Vec<String> {
        self.missing
            .iter()
            .map(|(workload, why)| format!("`{workload}` has no baseline `{}` ({why})", self.name))
            .collect()
    }
}

/// Whether a run's workload was measured (two rounds or more): what a baseline keeps and a later
/// run is compared with.
pub fn was_measured(workload: &WorkloadResult) -> bool {
    workload.rounds >= 2
}

/// The file name of `workload`'s baseline: its name when that is already a slug, else the slug
/// and a hash of the name (two names with one slug never share a file).
fn file_name(workload: &str) -> String {
    let safe = slug(workload);
    if safe == workload {
        return format!("{safe}.json");
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = FixedHasher::default();
    workload.hash(&mut hasher);
    format!("{}-{:08x}.json", if safe.is_empty() { "workload" } else { &safe }, hasher.finish() as u32)
}

/// A results file holding `workload`, or why not.
fn load_holding(path: &Path, workload: &str) -> std::result::Result<ResultsFile, String> {
    let file = crate::results::load(path, InputLimit::DEFAULT).map_err(|e| e.to_string())?;
    if file.workloads.iter().any(|w| w.name == workload && was_measured(w)) {
        Ok(file)
    } else {
        Err(format!("{} does not hold it", path.display()))
    }
}

impl Store {
    /// The folder of the baseline `name` (a name checked by `args::baseline_name`).
    pub fn baseline_dir(&self, name: &str) -> PathBuf {
        self.dir.join(format!("baseline-{name}"))
    }

    /// The whole-run file earlier versions saved as the baseline `name`: read, never written.
    pub fn legacy_baseline_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("baseline-{name}.json"))
    }

    /// The file of `workload`'s baseline `name`.
    pub fn baseline_path(&self, name: &str, workload: &str) -> PathBuf {
        self.baseline_dir(name).join(file_name(workload))
    }

    /// The names of the saved baselines, sorted.
    pub fn baselines(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let name = name.strip_prefix("baseline-")?;
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                if is_dir { Some(name.to_owned()) } else { Some(name.strip_suffix(".json")?.to_owned()) }
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// `--baseline NAME`: each of `workloads`' own baseline. The baseline must exist (checked
    /// before anything is measured); a workload it does not hold is `missing`.
    pub fn named_baseline(&self, name: &str, workloads: &[String]) -> Result<NamedBaseline> {
        let (dir, legacy) = (self.baseline_dir(name), self.legacy_baseline_path(name));
        if !dir.is_dir() && !legacy.is_file() {
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
        let legacy_file = crate::results::load(&legacy, InputLimit::DEFAULT).ok();
        let mut baseline = NamedBaseline { name: name.to_owned(), found: Vec::new(), missing: Vec::new() };
        for workload in workloads {
            let path = self.baseline_path(name, workload);
            let own = if std::fs::symlink_metadata(&path).is_ok() {
                load_holding(&path, workload)
            } else {
                Err("none saved".to_owned())
            };
            match (own, &legacy_file) {
                (Ok(file), _) => baseline.found.push((workload.clone(), path, file)),
                (Err(_), Some(file)) if file.workloads.iter().any(|w| &w.name == workload && was_measured(w)) => {
                    baseline.found.push((workload.clone(), legacy.clone(), file.clone()))
                }
                (Err(why), _) => baseline.missing.push((workload.clone(), why)),
            }
        }
        Ok(baseline)
    }

    /// Checks, before anything is measured, that `--save-baseline NAME` will be able to save each
    /// of `workloads`: its folder is a folder (or absent), and each file is absent or one of ours.
    pub fn check_baseline_target(&self, name: &str, workloads: &[String]) -> Result<()> {
        let dir = self.baseline_dir(name);
        let refuse = |why: String| Err(Error::usage("--save-baseline", name, why));
        match std::fs::symlink_metadata(&dir) {
            Err(_) => return Ok(()),
            Ok(meta) if meta.file_type().is_symlink() => {
                return refuse(format!("{} is a symbolic link: move it away first", dir.display()));
            }
            Ok(meta) if !meta.is_dir() => {
                return refuse(format!("{} is not a folder: move it away first", dir.display()));
            }
            Ok(_) => {}
        }
        for workload in workloads {
            let path = self.baseline_path(name, workload);
            match std::fs::symlink_metadata(&path) {
                Err(_) => {}
                Ok(meta) if meta.file_type().is_symlink() => {
                    return refuse(format!("{} is a symbolic link: move it away first", path.display()));
                }
                Ok(_) => {
                    if let Err(why) = crate::results::load(&path, InputLimit::DEFAULT) {
                        return refuse(format!(
                            "would replace {}, which does not load as a results file ({why}): move it away first",
                            path.display()
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Saves the workloads `run` measured as the baseline `name` (`--save-baseline`), one file
    /// each, atomically; the baseline's other workloads keep theirs. Returns the folder and the
    /// names saved.
    pub fn save_baseline(&self, name: &str, run: &ResultsFile) -> Result<(PathBuf, Vec<String>)> {
        let measured: Vec<String> = run.workloads.iter().filter(|w| was_measured(w)).map(|w| w.name.clone()).collect();
        self.check_baseline_target(name, &measured)?;
        let dir = self.baseline_dir(name);
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, "cannot create the bench's folder", e))?;
        if let Err(e) = std::fs::create_dir(&dir)
            && e.kind() != std::io::ErrorKind::AlreadyExists
        {
            return Err(Error::io(&dir, "cannot create the baseline's folder", e));
        }
        for workload in &measured {
            let mut alone = run.clone();
            alone.workloads.retain(|w| &w.name == workload);
            let path = self.baseline_path(name, workload);
            let overwrite = if path.exists() { Overwrite::Replace } else { Overwrite::Never };
            output::write_new(&path, crate::results::to_json(&alone)?.as_bytes(), overwrite)?;
        }
        Ok((dir, measured))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_one_per_workload_name() {
        assert_eq!(file_name("parallel-sort"), "parallel-sort.json");
        let (a, b) = (file_name("Sort"), file_name("sort "));
        assert!(a.starts_with("sort-") && b.starts_with("sort-") && a != b, "{a} {b}");
        assert!(file_name("../../x").starts_with("x-"));
        assert!(file_name("!!").starts_with("workload-"));
    }
}
