//! Renderers of a results file, one format per file behind the small [`Exporter`] trait.

mod json;
mod table;

pub use json::Json;
pub use table::{Table, curve_table, fits_lines, format_duration_ns, prediction_table, workload_table};

use crate::results::ResultsFile;

/// Turns a results file into bytes of one format.
pub trait Exporter {
    /// Renders `results`.
    fn render(&self, results: &ResultsFile) -> Vec<u8>;
}
