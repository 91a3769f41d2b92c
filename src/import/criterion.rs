//! Importing a criterion benchmark group whose benchmark ids are thread counts
//! (`BenchmarkId::from_parameter(j)`): criterion writes `DIR/<j>/new/sample.json` with the
//! iteration counts and total times of each sample; the per-iteration times are the samples of
//! point j. Folders whose names are not whole numbers (`report`, `base`...) are skipped.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ImportedSamples;
use crate::error::{Error, Result};
use crate::fit::SampleKind;
use crate::input::{InputLimit, read_text};

#[derive(Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// Reads criterion's samples for the group in `dir`.
pub fn read_criterion(dir: &Path, limit: InputLimit) -> Result<ImportedSamples> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "cannot read the criterion folder", e))?;
    let mut points = BTreeMap::new();
    for entry in entries.filter_map(std::result::Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(threads) = name.parse::<usize>() else { continue };
        let file = entry.path().join("new").join("sample.json");
        let text = read_text(&file, limit)?;
        let sample: Sample = serde_json::from_str(&text).map_err(|e| Error::Data {
            path: file.clone(),
            message: format!("not a criterion sample.json (line {}, column {}): {e}", e.line(), e.column()),
        })?;
        let per_iteration: Vec<f64> =
            sample.iters.iter().zip(&sample.times).filter(|(i, _)| **i > 0.0).map(|(i, t)| t / i / 1e9).collect();
        if threads == 0 || per_iteration.is_empty() || per_iteration.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(Error::Data {
                path: file,
                message: "no positive per-iteration times (or thread count 0)".into(),
            });
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
    Ok(ImportedSamples { threads, samples, kind: SampleKind::Time, column: "criterion sample.json".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
