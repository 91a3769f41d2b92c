//! The one place that talks to the terminal: standard output, the messages on standard error
//! (`warning:`, `measure: error:`, "... written to PATH"), colours and the progress bar. Every
//! front-end (`measure`, a `cargo bench` harness) prints through it; no other module of the
//! library prints.
//!
//! # Promises
//! - Text from files reaches the terminal only through [`crate::report::printable`] (control
//!   characters escaped), and styles are added after that, so only our own escapes are written.
//! - A closed pipe (`measure list | head`) is no error; a standard output that was closed when the
//!   process started (`measure list >&-`) is one (exit 74), found by a constructor that runs before
//!   Rust's runtime reopens descriptor 1 on `/dev/null` (Linux).

pub mod colour;
pub mod progress;
mod saved;
mod stdout;

pub use colour::{ColorWhen, error, warning};
pub use progress::Bar;
pub use saved::report_saved;

use crate::error::Error;
use crate::report::{Marked, printable};

/// The name in front of errors (`measure: error: ...`): `measure` unless a front-end says
/// otherwise ([`set_program`]).
static PROGRAM: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Names the front-end in its error messages (a `cargo bench` harness says `amdahl`); the
/// first call wins.
pub fn set_program(name: &'static str) {
    let _ = PROGRAM.set(name);
}

/// The name in front of errors: `measure` by default.
pub fn program() -> &'static str {
    PROGRAM.get().copied().unwrap_or("measure")
}

/// Prints `text` on standard output, control characters from files escaped.
pub fn print(text: &str) -> Result<(), Error> {
    stdout::write(&printable(text))
}

/// Prints a table or explanation, its verdict lines coloured by the kinds their renderer marked
/// them with, where the colour choice allows (never JSON).
pub fn print_styled(text: &Marked) -> Result<(), Error> {
    stdout::write(&colour::verdicts(text))
}

/// Says on standard error what a command did (`results written to PATH`), escaped.
pub fn note(message: &str) {
    eprintln!("{}", printable(message));
}
