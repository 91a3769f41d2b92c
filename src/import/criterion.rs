//! Importing criterion benchmark groups whose benchmark ids are thread counts
//! (`BenchmarkId::from_parameter(j)`): criterion writes `DIR/<j>/new/sample.json` with the
//! iteration counts and total times of each sample; the per-iteration times are the samples of
//! point j. Folders whose names are not whole numbers (`report`, `base`...) are skipped.
//!
//! [`read_criterion_tree`] takes a whole `target/criterion` folder: every folder holding
//! benchmarks (`<id>/new/sample.json`) is a group; those whose ids are thread counts (at least two)
//! become curves, and the others are listed with the reason they were skipped.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ImportedSamples;
use crate::error::{Error, Result};
use crate::fit::SampleKind;
use crate::input::{InputLimit, read_text};
use crate::thread_set::MAX_RECORDED_THREADS;

#[derive(Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// A benchmark id as a thread count: `Some(Ok(j))` for a whole number (criterion writes the
/// parameter's `Display`, so `2`; `02` and `+2` are the same number), `Some(Err(why))` for a
/// number that is no thread count (0, or above [`MAX_RECORDED_THREADS`]), `None` for any other name.
fn thread_id(name: &str) -> Option<std::result::Result<usize, String>> {
    let digits = name.strip_prefix('+').unwrap_or(name);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match name.parse::<usize>() {
        Ok(j) if (1..=MAX_RECORDED_THREADS).contains(&j) => Ok(j),
        _ => Err(format!("benchmark id `{name}` is not a thread count (1..={MAX_RECORDED_THREADS})")),
    })
}

/// Reads criterion's samples for the group in `dir`.
pub fn read_criterion(dir: &Path, limit: InputLimit) -> Result<ImportedSamples> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "cannot read the criterion folder", e))?;
    let mut names: Vec<String> = entries
        .filter_map(std::result::Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut points = BTreeMap::new();
    let mut folders: BTreeMap<usize, String> = BTreeMap::new();
    for name in names {
        let Some(threads) = thread_id(&name) else { continue };
        let folder = dir.join(&name);
        let threads = threads.map_err(|message| Error::Data { path: folder.clone(), message })?;
        if let Some(first) = folders.get(&threads) {
            return Err(Error::Data {
                path: folder,
                message: format!(
                    "benchmark ids `{first}` and `{name}` are both thread count {threads}; keep one of the two folders"
                ),
            });
        }
        folders.insert(threads, name.clone());
        let file = folder.join("new").join("sample.json");
        let text = read_text(&file, limit)?;
        let sample: Sample = serde_json::from_str(&text).map_err(|e| Error::Data {
            path: file.clone(),
            message: format!("not a criterion sample.json (line {}, column {}): {e}", e.line(), e.column()),
        })?;
        if sample.iters.len() != sample.times.len() {
            return Err(Error::Data {
                path: file,
                message: format!(
                    "`iters` has {} entries and `times` {}: each sample needs both",
                    sample.iters.len(),
                    sample.times.len()
                ),
            });
        }
        let per_iteration: Vec<f64> =
            sample.iters.iter().zip(&sample.times).filter(|(i, _)| **i > 0.0).map(|(i, t)| t / i / 1e9).collect();
        if per_iteration.is_empty() || per_iteration.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(Error::Data { path: file, message: "no positive per-iteration times".into() });
        }
        points.insert(threads, per_iteration);
    }
    if points.is_empty() {
        return Err(Error::Data {
            path: dir.to_owned(),
            message:
                "no benchmark ids that are thread counts (expected folders named 1, 2, 4... holding new/sample.json)"
                    .into(),
        });
    }
    let (threads, samples) = points.into_iter().unzip();
    Ok(ImportedSamples {
        threads,
        samples,
        kind: SampleKind::Time,
        column: "criterion sample.json".into(),
        rounding: Vec::new(),
    })
}

/// The groups of a criterion folder: curves, and the groups skipped with why.
#[derive(Debug)]
pub struct CriterionTree {
    /// Each group whose benchmark ids are thread counts: its path relative to the folder, and its
    /// samples.
    pub groups: Vec<(String, ImportedSamples)>,
    /// Each group skipped: its path relative to the folder, and why.
    pub skipped: Vec<(String, String)>,
}

/// How deep [`read_criterion_tree`] looks (`target/criterion/<group>/<function>/<id>/new`).
const MAX_DEPTH: usize = 6;

/// Reads every group under `dir` (itself included). Refuses a folder with no group of thread
/// counts, naming what it skipped.
pub fn read_criterion_tree(dir: &Path, limit: InputLimit) -> Result<CriterionTree> {
    let mut tree = CriterionTree { groups: Vec::new(), skipped: Vec::new() };
    visit(dir, dir, 0, limit, &mut tree)?;
    if tree.groups.is_empty() {
        let skipped: Vec<String> = tree.skipped.iter().map(|(g, why)| format!("{g}: {why}")).collect();
        return Err(Error::Data {
            path: dir.to_owned(),
            message: format!(
                "no criterion group whose benchmark ids are thread counts (folders named 1, 2, 4... holding new/sample.json){}",
                if skipped.is_empty() { String::new() } else { format!("; skipped {}", skipped.join("; ")) }
            ),
        });
    }
    Ok(tree)
}

fn visit(root: &Path, dir: &Path, depth: usize, limit: InputLimit, tree: &mut CriterionTree) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "cannot read the criterion folder", e))?;
    let mut subfolders: Vec<(String, std::path::PathBuf)> = entries
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| name != "report")
        .collect();
    subfolders.sort();
    let benchmarks: Vec<&String> =
        subfolders.iter().filter(|(_, path)| path.join("new/sample.json").is_file()).map(|(n, _)| n).collect();
    let name = dir.strip_prefix(root).ok().map(|p| p.display().to_string()).filter(|n| !n.is_empty());
    let name = name.unwrap_or_else(|| dir.display().to_string());
    if !benchmarks.is_empty() {
        let numeric = benchmarks.iter().filter(|b| thread_id(b).is_some()).count();
        let others: Vec<&str> = benchmarks.iter().filter(|b| thread_id(b).is_none()).map(|b| b.as_str()).collect();
        if numeric >= 2 {
            tree.groups.push((name.clone(), read_criterion(dir, limit)?));
            if !others.is_empty() {
                tree.skipped
                    .push((name.clone(), format!("benchmark ids that are not thread counts: {}", others.join(", "))));
            }
        } else if numeric == 1 {
            tree.skipped.push((name.clone(), "only one benchmark id is a thread count: a curve needs two".into()));
        } else {
            tree.skipped.push((name.clone(), format!("benchmark ids are not thread counts ({})", others.join(", "))));
        }
    }
    if depth < MAX_DEPTH {
        for (sub, path) in &subfolders {
            if benchmarks.contains(&sub) || sub == "new" || sub == "base" || sub == "change" {
                continue;
            }
            visit(root, path, depth + 1, limit, tree)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(dir: &Path, id: &str, ns: f64) {
        let new = dir.join(id).join("new");
        std::fs::create_dir_all(&new).unwrap();
        let sample = format!("{{\"sampling_mode\":\"Linear\",\"iters\":[1.0,2.0],\"times\":[{ns},{}]}}", 2.0 * ns);
        std::fs::write(new.join("sample.json"), sample).unwrap();
    }

    #[test]
    fn a_whole_criterion_folder_gives_every_group_of_thread_counts_and_names_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (j, ns) in [(1, 1000.0), (2, 520.0), (4, 280.0)] {
            bench(&root.join("scaling"), &j.to_string(), ns);
            bench(&root.join("workloads/primes"), &j.to_string(), 2.0 * ns);
        }
        bench(&root.join("clock"), "instant_now", 20.0);
        bench(&root.join("single"), "8", 20.0);
        std::fs::create_dir_all(root.join("report")).unwrap();
        let tree = read_criterion_tree(root, InputLimit::DEFAULT).unwrap();
        let groups: Vec<&str> = tree.groups.iter().map(|(g, _)| g.as_str()).collect();
        assert_eq!(groups, ["scaling", "workloads/primes"]);
        assert_eq!(tree.groups[1].1.threads, [1, 2, 4]);
        let skipped: Vec<String> = tree.skipped.iter().map(|(g, why)| format!("{g}: {why}")).collect();
        assert_eq!(
            skipped,
            [
                "clock: benchmark ids are not thread counts (instant_now)",
                "single: only one benchmark id is a thread count: a curve needs two"
            ]
        );
        // A folder with nothing to fit says what it skipped.
        let empty = tempfile::tempdir().unwrap();
        bench(&empty.path().join("clock"), "instant_now", 20.0);
        let err = read_criterion_tree(empty.path(), InputLimit::DEFAULT).unwrap_err().to_string();
        assert!(
            err.contains("no criterion group") && err.contains("clock: benchmark ids are not thread counts"),
            "{err}"
        );
    }

    #[test]
    fn reads_thread_folders_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        for (j, ns) in [(1, 1000.0), (2, 520.0), (4, 280.0)] {
            let new = dir.path().join(j.to_string()).join("new");
            std::fs::create_dir_all(&new).unwrap();
            let sample = format!("{{\"sampling_mode\":\"Linear\",\"iters\":[1.0,2.0],\"times\":[{ns},{}]}}", 2.0 * ns);
            std::fs::write(new.join("sample.json"), sample).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("report")).unwrap();
        let s = read_criterion(dir.path(), InputLimit::DEFAULT).unwrap();
        assert_eq!(s.threads, [1, 2, 4]);
        assert_eq!(s.samples[1], [520e-9, 520e-9]);
    }

    #[test]
    fn a_folder_without_thread_ids_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("report")).unwrap();
        let err = read_criterion(dir.path(), InputLimit::DEFAULT).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(err.to_string().contains("no benchmark ids that are thread counts"), "{err}");
    }

    #[test]
    fn ids_of_one_thread_count_an_id_beyond_any_thread_count_and_unequal_lists_are_refused_by_folder() {
        for (ids, blamed, says) in [
            (["1", "2", "02"], "2", "benchmark ids `02` and `2` are both thread count 2"),
            (["1", "+2", "2"], "2", "benchmark ids `+2` and `2` are both thread count 2"),
            (["1", "2", "99999999999999"], "99999999999999", "`99999999999999` is not a thread count (1..=1000000)"),
            (["0", "1", "2"], "0", "`0` is not a thread count"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            for id in ids {
                bench(dir.path(), id, 100.0);
            }
            for err in [
                read_criterion(dir.path(), InputLimit::DEFAULT).unwrap_err(),
                read_criterion_tree(dir.path(), InputLimit::DEFAULT).unwrap_err(),
            ] {
                assert_eq!(err.exit_code(), 65, "{err}");
                let text = err.to_string();
                assert!(text.contains(&dir.path().join(blamed).display().to_string()) && text.contains(says), "{text}");
            }
        }
        let dir = tempfile::tempdir().unwrap();
        bench(dir.path(), "1", 100.0);
        let new = dir.path().join("2/new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("sample.json"), r#"{"iters":[1.0,2.0,3.0],"times":[50.0,100.0]}"#).unwrap();
        let err = read_criterion(dir.path(), InputLimit::DEFAULT).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        let text = err.to_string();
        assert!(
            text.contains(&new.join("sample.json").display().to_string())
                && text.contains("`iters` has 3 entries and `times` 2"),
            "{text}"
        );
    }
}
