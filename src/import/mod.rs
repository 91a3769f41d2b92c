//! Importers of other tools' formats: CSV curves, criterion benchmark groups and hyperfine
//! parameter scans. Each produces [`ImportedSamples`] — samples per thread count, with no pairing
//! and no machine — which `fit_command` turns into a curve; none of them makes a results file.

mod criterion;
mod csv;
mod hyperfine;
pub mod precision;

pub use self::csv::{parse_csv, read_csv};
pub use criterion::{CriterionTree, read_criterion, read_criterion_tree};
pub use hyperfine::{ScanCurve, is_hyperfine, read_hyperfine};

use crate::fit::SampleKind;
use crate::thread_set::MAX_RECORDED_THREADS;

/// A thread count written in another tool's file: plain decimal digits (no sign, no leading zero,
/// so `+2` and `02` are not taken for 2), from 1 to [`MAX_RECORDED_THREADS`]. The error is a
/// clause for the caller to place after the position.
pub(crate) fn parse_thread_count(text: &str) -> std::result::Result<usize, String> {
    let plain =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !(text.len() > 1 && text.starts_with('0'));
    if !plain {
        return Err(format!(
            "`{text}` is not a whole number written plainly (digits, without a sign or leading zeros)"
        ));
    }
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_RECORDED_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("a thread count must be at least 1 and at most {MAX_RECORDED_THREADS}, not {text}")),
    }
}

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
    /// The relative rounding of each point's values as written (half a unit of the last digit over
    /// the value: `precision`), the widest of its rows; empty where the format carries no
    /// precision (JSON: criterion, hyperfine).
    pub rounding: Vec<f64>,
}
