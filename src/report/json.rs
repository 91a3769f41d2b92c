//! The results file itself, pretty-printed.

use super::Exporter;
use crate::results::ResultsFile;

/// Pretty JSON of the whole results file.
pub struct Json;

impl Exporter for Json {
    fn render(&self, results: &ResultsFile) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(results).unwrap_or_default();
        out.push(b'\n');
        out
    }
}
