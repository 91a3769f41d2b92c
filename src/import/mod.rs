//! Importers of other tools' formats: CSV curves, criterion benchmark groups and hyperfine
//! parameter scans. Each produces [`ImportedSamples`] — samples per thread count, with no pairing
//! and no machine — which `fit_command` turns into a curve; none of them makes a results file.

mod criterion;
mod csv;
mod hyperfine;

pub use self::csv::{parse_csv, read_csv};
pub use criterion::{CriterionTree, read_criterion, read_criterion_tree};
pub use hyperfine::{is_hyperfine, read_hyperfine};

use crate::fit::SampleKind;

/// Samples per thread count, read from another tool's file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSamples {
    /// Distinct thread counts, ascending.
    pub threads: Vec<usize>,
    /// Samples of each thread count (seconds for times, as given for throughput).
    pub samples: Vec<Vec<f64>>,
    /// Times or throughputs.
    pub kind: SampleKind,
    /// The measurement column's name.
    pub column: String,
}
