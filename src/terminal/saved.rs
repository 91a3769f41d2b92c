//! Telling the user where the results are: the file asked for, a rescue file, or stderr.

use crate::report::printable;
use crate::sweep::Saved;

/// Says on stderr where the results are; `false` when they are not where they were asked for
/// (the run then exits 74, after the results have been rescued or printed).
pub fn report_saved(saved: &Saved) -> bool {
    match saved {
        Saved::Written(path) => {
            eprintln!("results written to {}", printable(&path.display().to_string()));
            true
        }
        Saved::Rescued { intended, error, at } => {
            eprintln!(
                "{}: error: cannot write {} ({}); the results were saved to {} instead",
                super::program(),
                printable(&intended.display().to_string()),
                printable(error),
                at.display()
            );
            false
        }
        Saved::Unsaved { intended, error, json } => {
            eprintln!(
                "{}: error: cannot write {} ({}), nor a rescue file in the temporary folder; the results follow:",
                super::program(),
                printable(&intended.display().to_string()),
                printable(error)
            );
            eprintln!("{}", printable(json));
            false
        }
    }
}
