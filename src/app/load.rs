//! Reading what a command was given: results files (validated, then everything recomputed from
//! their raw samples by the newest code) and the inputs of `measure fit`, whose format is known by
//! content and which are read and parsed once.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::Result;
use crate::fit::Loss;
use crate::fit_command::refit_with;
use crate::import::{self, ImportedSamples};
use crate::input::{InputLimit, read_text};
use crate::report::printable;
use crate::results::{self, ResultsFile, RunStatus};
use crate::terminal;

/// A results file as every later command reads it: refitted, with what the reader should know.
#[derive(Debug)]
pub struct LoadedResults {
    /// The file, its summaries, fits and verdicts recomputed from the raw samples.
    pub results: ResultsFile,
    /// Warnings about it (a run that did not finish).
    pub warnings: Vec<String>,
}

impl LoadedResults {
    /// Loads `path` (at most `limit` bytes) and refits it with Amdahl's law and the USL under
    /// `loss`.
    pub fn read(path: &Path, limit: InputLimit, loss: Loss) -> Result<LoadedResults> {
        Ok(LoadedResults::of(path, results::load(path, limit)?, loss))
    }

    fn of(path: &Path, mut loaded: ResultsFile, loss: Loss) -> LoadedResults {
        let mut warnings = Vec::new();
        if loaded.run.status == RunStatus::Running {
            warnings.push(format!(
                "{}: the run did not finish (status `running`: its process died, or it is still measuring); showing what was saved",
                printable(&path.display().to_string())
            ));
        }
        refit_with(&mut loaded, loss);
        LoadedResults { results: loaded, warnings }
    }

    /// The results, their warnings written to the terminal.
    pub fn shown(self) -> ResultsFile {
        for w in &self.warnings {
            terminal::warning(w);
        }
        self.results
    }
}

/// Loads and refits a results file under the default loss, its warnings shown: what `report`,
/// `compare` and `predict` read.
pub fn load_results(path: &Path, limit: InputLimit) -> Result<ResultsFile> {
    Ok(LoadedResults::read(path, limit, Loss::Log)?.shown())
}

/// An input of `measure fit`, by its content.
#[derive(Debug)]
pub enum FitInput {
    /// One of our results files.
    Results(Box<LoadedResults>),
    /// hyperfine's JSON export of a parameter scan: one curve per command template and values of
    /// the other parameters, each named.
    Hyperfine(Vec<import::ScanCurve>),
    /// A CSV curve.
    Csv(ImportedSamples),
}

/// Just the field that marks a results file.
#[derive(Deserialize)]
struct SchemaProbe {
    schema: Option<Value>,
}

impl FitInput {
    /// Reads `path` once and parses it as what it holds: JSON (a `.json` name, or text that
    /// starts with `{`) is a results file when it says so (and errors are then a results file's),
    /// hyperfine's export when it looks like one, else a results file's errors; anything else is
    /// a CSV curve. A results file named `x.html` (`--out x.html`) is read as one.
    pub fn read(path: &Path, limit: InputLimit, loss: Loss) -> Result<FitInput> {
        let text = read_text(path, limit)?;
        let json_name = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if !json_name && !looks_like_json(&text) {
            return Ok(FitInput::Csv(import::parse_csv(path, &text)?));
        }
        let ours = serde_json::from_str::<SchemaProbe>(&text)
            .is_ok_and(|p| p.schema.as_ref().and_then(Value::as_str) == Some(results::SCHEMA_NAME));
        if !ours && let Some(scan) = serde_json::from_str::<Value>(&text).ok().filter(import::is_hyperfine) {
            return Ok(FitInput::Hyperfine(import::read_hyperfine(path, &scan)?));
        }
        Ok(FitInput::Results(Box::new(LoadedResults::of(path, results::parse(path, &text)?, loss))))
    }
}

/// A JSON object's text: `{` first (after a byte-order mark and white space). A CSV curve starts
/// with its header, never `{`.
fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_known_by_its_content() {
        assert!(looks_like_json("{\"schema_version\": 3}"));
        assert!(looks_like_json("\u{feff}\n  {}"));
        assert!(!looks_like_json("threads,seconds\n1,2\n"));
        assert!(!looks_like_json(""));
    }

    #[test]
    fn each_input_is_read_as_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("curve.txt");
        std::fs::write(&csv, "threads,seconds\n1,2\n2,1.1\n").unwrap();
        assert!(matches!(FitInput::read(&csv, InputLimit::default(), Loss::Log).unwrap(), FitInput::Csv(_)));
        let not_ours = dir.path().join("x.json");
        std::fs::write(&not_ours, "{\"a\": 1}").unwrap();
        let err = FitInput::read(&not_ours, InputLimit::default(), Loss::Log).unwrap_err();
        assert!(err.to_string().contains("not an amdahl results file"), "{err}");
    }
}
