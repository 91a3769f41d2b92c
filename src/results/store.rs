//! Reading and writing results files: atomic replacement, names that never collide, and a loader
//! that refuses what is not ours with the file and position named.
//!
//! # Atomic write
//! The JSON goes to a temporary file in the destination's folder (so the rename cannot cross file
//! systems), is flushed to disk with `fsync`, and is renamed over the destination; then the folder
//! is synced so the rename itself survives a crash. A reader sees the old file or the new one,
//! never half of one.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::validate::validate;
use super::{ResultsFile, SCHEMA_NAME, SCHEMA_VERSION};
use crate::error::{Error, Result};
use crate::input::{InputLimit, read_text};

/// The schema versions this build reads.
pub const SUPPORTED_VERSIONS: &[u32] = &[1, 2, 3, SCHEMA_VERSION];

/// The text of a results file: pretty JSON with a final newline, as every writer writes it.
pub fn to_json(results: &ResultsFile) -> Result<String> {
    Ok(serde_json::to_string_pretty(results).map_err(Error::encode("the results"))? + "\n")
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

/// Reads a results file of at most `limit` bytes, refusing files that are not ours, of an
/// unsupported version, malformed or breaking a rule of `validate`, with the field named.
pub fn load(path: &Path, limit: InputLimit) -> Result<ResultsFile> {
    parse(path, &read_text(path, limit)?)
}

/// The first fields of a file, read before the whole: is it ours, and which version?
#[derive(Deserialize)]
struct Probe {
    schema: Option<serde_json::Value>,
    schema_version: Option<serde_json::Value>,
}

/// Parses the text of a results file; `path` names it in messages.
pub fn parse(path: &Path, text: &str) -> Result<ResultsFile> {
    let data = |message: String| Error::Data { path: path.to_owned(), message };
    let not_ours = || data(format!("not an amdahl results file (no \"schema\": \"{SCHEMA_NAME}\")"));
    let probe: Probe = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => not_ours(),
        _ => data(format!("not valid JSON (line {}, column {}): {e}", e.line(), e.column())),
    })?;
    if probe.schema.as_ref().and_then(|s| s.as_str()) != Some(SCHEMA_NAME) {
        return Err(not_ours());
    }
    match &probe.schema_version {
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some_and(|v| SUPPORTED_VERSIONS.contains(&(v as u32))) => {}
        Some(serde_json::Value::Number(n)) => {
            return Err(data(format!("schema_version {n} is not supported (this build reads {SUPPORTED_VERSIONS:?})")));
        }
        Some(other) => {
            return Err(data(format!("schema_version must be a whole number, not {other}")));
        }
        None => return Err(data("schema_version is missing".to_owned())),
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let file: ResultsFile = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        data(format!("malformed results: field `{field}`: {inner}{}", surrogate_hint(&inner.to_string())))
    })?;
    validate(&file).map_err(|e| data(format!("invalid results: {e}")))?;
    Ok(file)
}

/// What serde_json's words about a `\\uD800` escape mean: JSON escapes UTF-16, and a surrogate
/// must come as a pair (a lone one is no character, and no valid string).
fn surrogate_hint(said: &str) -> &'static str {
    if said.contains("surrogate") || said.contains("hex escape") {
        " (a `\\uD800`..`\\uDFFF` escape must be one half of a surrogate pair, high then low; alone it is no character)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

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
        let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference/2026-11-25-dev2-xeon-default.json");
        let unknown_kind =
            fs::read_to_string(committed).unwrap().replacen("\"kind\": \"parallel\"", "\"kind\": \"quantum\"", 1);
        let cases = [
            ("{\"a\": 1}", "not an amdahl results file"),
            ("{\"schema\": \"amdahl-results\", \"schema_version\": 99}", "schema_version 99 is not supported"),
            (
                "{\"schema\": \"amdahl-results\", \"schema_version\": \"1\"}",
                "schema_version must be a whole number, not \"1\"",
            ),
            ("[1, 2]", "not an amdahl results file"),
            ("{\"schema\": \"amdahl-res", "line 1"),
            ("{\"schema\": \"amdahl-results\", \"schema_version\": 1}", "malformed results"),
            // An enum value this build does not know: the field is named, no panic.
            (unknown_kind.as_str(), "field `workloads[0].kind`: unknown variant `quantum`"),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("{i}.json"));
            fs::write(&path, text).unwrap();
            let err = load(&path, InputLimit::DEFAULT).unwrap_err();
            assert_eq!(err.exit_code(), 65);
            assert!(err.to_string().contains(want) && err.to_string().contains(&format!("{i}.json")), "{err}");
        }
        let missing = load(&dir.path().join("missing.json"), InputLimit::DEFAULT).unwrap_err();
        assert_eq!(missing.exit_code(), 74);
    }
}
