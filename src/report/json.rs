//! The results file itself, pretty-printed.

use super::Exporter;
use crate::error::Result;
use crate::results::{ResultsFile, to_json};

/// Pretty JSON of the whole results file.
pub struct Json;

impl Exporter for Json {
    fn render(&self, results: &ResultsFile) -> Result<Vec<u8>> {
        Ok(to_json(results)?.into_bytes())
    }
}
