//! Reading and writing results files: atomic replacement, names that never collide, and a loader
//! that refuses what is not ours with the file and position named.
//!
//! # Atomic write
//! The JSON goes to a temporary file in the destination's folder (so the rename cannot cross file
//! systems), is flushed to disk with `fsync`, and is renamed over the destination; then the folder
//! is synced so the rename itself survives a crash. A reader sees the old file or the new one,
//! never half of one.

use std::fs;
use std::path::{Path, PathBuf};

use super::output::write_atomic;
use super::{ResultsFile, SCHEMA_NAME, SCHEMA_VERSION};
use crate::error::{Error, Result};

/// The schema versions this build reads.
pub const SUPPORTED_VERSIONS: &[u32] = &[SCHEMA_VERSION];

/// Writes `results` to `path` atomically.
pub fn save_atomic(path: &Path, results: &ResultsFile) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(results).map_err(Error::encode("the results"))?;
    json.push(b'\n');
    write_atomic(path, &json)
}

/// The file names in `dir` for a run started on `date` (YYYY-MM-DD) on `host` with `cpu`, in the
/// order they are tried: `DATE-HOST-CPU.json`, then with `-2`, `-3`... up to `-9999`. The run
/// claims the first free one ([`super::output::claim_first_free`]).
pub fn default_paths(dir: &Path, date: &str, host: Option<&str>, cpu: Option<&str>) -> impl Iterator<Item = PathBuf> {
    let stem =
        [Some(date), host, cpu].into_iter().flatten().map(slug).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    let dir = dir.to_owned();
    (1..10_000)
        .map(move |n| if n == 1 { dir.join(format!("{stem}.json")) } else { dir.join(format!("{stem}-{n}.json")) })
}

/// Lower-case letters and digits, other runs of characters as one `-`, at most 40 characters.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.truncate(40);
    out.trim_end_matches('-').to_owned()
}

/// Reads a results file, refusing files that are not ours or of an unsupported version.
pub fn load(path: &Path) -> Result<ResultsFile> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
    let data = |message: String| Error::Data { path: path.to_owned(), message };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| data(format!("not valid JSON (line {}, column {}): {e}", e.line(), e.column())))?;
    if value.get("schema").and_then(|s| s.as_str()) != Some(SCHEMA_NAME) {
        return Err(data(format!("not an amdahl results file (no \"schema\": \"{SCHEMA_NAME}\")")));
    }
    let version = value.get("schema_version").and_then(|v| v.as_u64());
    if !version.is_some_and(|v| SUPPORTED_VERSIONS.contains(&(v as u32))) {
        let found = version.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
        return Err(data(format!("schema_version {found} is not supported (this build reads {SUPPORTED_VERSIONS:?})")));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        data(format!("malformed results: field `{field}`: {}", e.into_inner()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_fresh_names() {
        assert_eq!(slug("Intel(R) Xeon(R) Processor"), "intel-r-xeon-r-processor");
        let dir = tempfile::tempdir().unwrap();
        let mut names = default_paths(dir.path(), "2026-11-25", Some("box"), Some("Intel(R) Xeon(R)"));
        assert_eq!(names.next().unwrap().file_name().unwrap(), "2026-11-25-box-intel-r-xeon-r.json");
        assert_eq!(names.next().unwrap().file_name().unwrap(), "2026-11-25-box-intel-r-xeon-r-2.json");
        let bare = default_paths(dir.path(), "2026-11-25", None, None).next().unwrap();
        assert_eq!(bare.file_name().unwrap(), "2026-11-25.json");
    }

    #[test]
    fn refuses_foreign_and_future_files() {
        let dir = tempfile::tempdir().unwrap();
        let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/results/2026-11-25-dev2-xeon-default.json");
        let unknown_kind =
            fs::read_to_string(committed).unwrap().replacen("\"kind\": \"parallel\"", "\"kind\": \"quantum\"", 1);
        let cases = [
            ("{\"a\": 1}", "not an amdahl results file"),
            ("{\"schema\": \"amdahl-results\", \"schema_version\": 99}", "schema_version 99 is not supported"),
            ("{\"schema\": \"amdahl-res", "line 1"),
            ("{\"schema\": \"amdahl-results\", \"schema_version\": 1}", "malformed results"),
            // An enum value this build does not know: the field is named, no panic.
            (unknown_kind.as_str(), "field `workloads[0].kind`: unknown variant `quantum`"),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("{i}.json"));
            fs::write(&path, text).unwrap();
            let err = load(&path).unwrap_err();
            assert_eq!(err.exit_code(), 65);
            assert!(err.to_string().contains(want) && err.to_string().contains(&format!("{i}.json")), "{err}");
        }
        let missing = load(&dir.path().join("missing.json")).unwrap_err();
        assert_eq!(missing.exit_code(), 74);
    }
}
