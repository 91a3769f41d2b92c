//! Renderers of a results file, one format per file behind the small [`Exporter`] trait.

mod comparison;
mod html;
mod json;
pub mod markdown;
pub mod svg;
mod table;

pub use comparison::{comparison_html, comparison_text};
pub use html::Html;
pub use json::Json;
pub use markdown::Markdown;
pub use table::{Table, curve_table, fits_lines, format_duration_ns, prediction_table, workload_table};

use crate::results::ResultsFile;

/// Turns a results file into bytes of one format.
pub trait Exporter {
    /// Renders `results`.
    fn render(&self, results: &ResultsFile) -> Vec<u8>;
}

#[cfg(test)]
mod tests;
