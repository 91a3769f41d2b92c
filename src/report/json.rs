//! The results file itself, pretty-printed.

use super::Exporter;
use crate::error::{Error, Result};
use crate::results::ResultsFile;

/// Pretty JSON of the whole results file.
pub struct Json;

impl Exporter for Json {
    fn render(&self, results: &ResultsFile) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(results).map_err(Error::encode("the results"))?;
        out.push(b'\n');
        Ok(out)
    }
}
