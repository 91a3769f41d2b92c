//! Renderers of a results file, one format per file behind the small [`Exporter`] trait.

mod comparison;
mod concurrency;
mod csv;
mod dry_run;
mod functions_table;
mod html;
mod json;
mod machine;
pub mod markdown;
mod marked;
mod printable;
mod setting;
pub mod svg;
mod table;
mod time_parts;
mod what_if;
mod where_table;

pub use comparison::{comparison_html, comparison_text};
pub use csv::Csv;
pub use dry_run::dry_run_text;
pub use functions_table::{functions_lines, growth_at};
pub use html::Html;
pub use json::Json;
pub use machine::machine_text;
pub use markdown::Markdown;
pub use marked::{Marked, VerdictLine};
pub use printable::{brief, printable};
pub use setting::setting_words;
pub use table::{
    Table, curve_table, fits_lines, format_duration_ns, law_prediction_text, number, prediction_table,
    predictions_text, threads_text, workload_table,
};
pub use time_parts::time_parts_lines;
pub use what_if::what_if_text;
pub use where_table::where_lines;

use crate::error::Result;
use crate::results::ResultsFile;

/// Turns a results file into bytes of one format.
pub trait Exporter {
    /// Renders `results`; fails only when a value cannot be encoded.
    fn render(&self, results: &ResultsFile) -> Result<Vec<u8>>;
}

#[cfg(test)]
pub(crate) mod tests;
