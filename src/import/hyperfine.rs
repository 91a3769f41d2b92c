//! Importing hyperfine's `--export-json` of a parameter scan
//! (`hyperfine -P threads 1 8 'cmd -j {threads}' --export-json scan.json`): each entry of
//! `results` is one thread count, its `parameters` name it (the parameter called `threads`, or else
//! the only numeric one), and its `times` (seconds) are the samples.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::ImportedSamples;
use crate::error::{Error, Result};
use crate::fit::SampleKind;

/// Whether a parsed JSON file looks like hyperfine's export.
pub fn is_hyperfine(value: &Value) -> bool {
    value.get("results").is_some_and(Value::is_array) && value.get("schema").is_none()
}

/// Reads the samples of a hyperfine parameter scan.
pub fn read_hyperfine(path: &Path, value: &Value) -> Result<ImportedSamples> {
    let bad = |message: String| Error::Data { path: path.to_owned(), message };
    let results = value.get("results").and_then(Value::as_array).ok_or_else(|| bad("no `results` array".into()))?;
    let mut points: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for (i, entry) in results.iter().enumerate() {
        let at = format!("results[{i}]");
        let params = entry.get("parameters").and_then(Value::as_object).filter(|p| !p.is_empty()).ok_or_else(|| {
            bad(format!(
                "{at} has no parameters: export a parameter scan (hyperfine -P threads 1 8 'cmd -j {{threads}}')"
            ))
        })?;
        let numeric: Vec<(&String, usize)> = params
            .iter()
            .filter_map(|(k, v)| {
                let n = v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_u64().map(|n| n as usize))?;
                Some((k, n))
            })
            .collect();
        let threads = match numeric.iter().find(|(k, _)| k.as_str() == "threads") {
            Some((_, n)) => *n,
            None if numeric.len() == 1 => numeric[0].1,
            None => {
                return Err(bad(format!("{at}: no parameter named `threads` and not exactly one numeric parameter")));
            }
        };
        if threads == 0 {
            return Err(bad(format!("{at}: the thread count is 0")));
        }
        let times: Vec<f64> = entry
            .get("times")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(format!("{at} has no `times`")))?
            .iter()
            .map(|t| t.as_f64().filter(|t| t.is_finite() && *t > 0.0))
            .collect::<Option<_>>()
            .ok_or_else(|| bad(format!("{at}: `times` holds a value that is not a positive number")))?;
        if times.is_empty() {
            return Err(bad(format!("{at}: `times` is empty")));
        }
        points.entry(threads).or_default().extend(times);
    }
    if points.is_empty() {
        return Err(bad("`results` is empty".into()));
    }
    let (threads, samples) = points.into_iter().unzip();
    Ok(ImportedSamples { threads, samples, kind: SampleKind::Time, column: "hyperfine times".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<ImportedSamples> {
        read_hyperfine(Path::new("scan.json"), &serde_json::from_str(text).unwrap())
    }

    #[test]
    fn reads_a_parameter_scan() {
        let s = read(
            r#"{"results":[{"command":"x -j 2","times":[0.5,0.52],"parameters":{"threads":"2"}},
                                    {"command":"x -j 1","times":[1.0,1.02],"parameters":{"threads":"1"}}]}"#,
        )
        .unwrap();
        assert_eq!(s.threads, [1, 2]);
        assert_eq!(s.samples[1], [0.5, 0.52]);
        let only = read(r#"{"results":[{"times":[1.0],"parameters":{"n":"3"}}]}"#).unwrap();
        assert_eq!(only.threads, [3]);
    }

    #[test]
    fn refuses_files_without_parameters() {
        let err = read(r#"{"results":[{"command":"x","times":[1.0]}]}"#).unwrap_err();
        assert!(err.to_string().contains("results[0] has no parameters"), "{err}");
        assert!(is_hyperfine(&serde_json::json!({"results": []})));
        assert!(!is_hyperfine(&serde_json::json!({"schema": "amdahl-results", "results": []})));
    }
}
