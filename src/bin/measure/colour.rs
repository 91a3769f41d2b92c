//! Colour on the terminal (`--color auto|always|never`, `NO_COLOR`, `CLICOLOR_FORCE`): the
//! diagnosis verdicts of tables and the `warning:` and `error:` labels, never JSON.
//!
//! Text is styled with anstyle and written through anstream, which drops the styles when the
//! choice (or, for `auto`, a stream that is not a terminal, or `NO_COLOR`) says so. Styles are
//! added after `printable` has escaped the control characters that came from files, so only our own
//! escapes reach the terminal.

use std::io::Write;

use amdahl::report::printable;
use anstyle::{AnsiColor, Style};

use crate::cli::ColorArg;

const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const CAUTION: Style = AnsiColor::Yellow.on_default().bold();
const PLAIN: Style = Style::new().bold();

/// Sets the choice for every later write.
pub fn init(choice: ColorArg) {
    let choice = match choice {
        ColorArg::Auto => anstream::ColorChoice::Auto,
        ColorArg::Always => anstream::ColorChoice::Always,
        ColorArg::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// `text` (already printable) with each `=> verdict: ...` line's verdict styled by what it says.
pub fn verdicts(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let Some(at) = line.find("=> ") else {
            out.push_str(line);
            continue;
        };
        let rest = &line[at + 3..];
        let end = rest.find([':', ';']).unwrap_or(rest.trim_end().len());
        let verdict = &rest[..end];
        let style = match verdict {
            v if v.starts_with("near-linear") || v.starts_with("scales past") || v.starts_with("superlinear") => GOOD,
            v if v.starts_with("slower") || v.starts_with("retrograde") || v.starts_with("inherently") => BAD,
            v if v.starts_with("disturbed") || v.starts_with("B is not determined") => CAUTION,
            _ => PLAIN,
        };
        out.push_str(&line[..at + 3]);
        out.push_str(&format!("{style}{verdict}{style:#}"));
        out.push_str(&rest[end..]);
    }
    out
}

/// Writes `warning: MESSAGE` on stderr, the label styled.
pub fn warning(message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{WARNING}warning:{WARNING:#} {}", printable(message));
}

/// Writes `measure: error: MESSAGE` on stderr, the label styled; `lead` goes first (a newline
/// after a progress bar).
pub fn error(lead: &str, message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{lead}measure: {ERROR}error:{ERROR:#} {}", printable(message));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_styled_by_what_they_say_and_nothing_else_changes() {
        let text = "primes ...\n  => near-linear: S(2) = 1.98\n  => slower with more threads: S(2) = 0.3\nplain\n";
        let styled = verdicts(text);
        assert!(styled.contains(&format!("  => {GOOD}near-linear{GOOD:#}: S(2) = 1.98\n")), "{styled:?}");
        assert!(styled.contains(&format!("{BAD}slower with more threads{BAD:#}")), "{styled:?}");
        let stripped = anstream::adapter::strip_str(&styled).to_string();
        assert_eq!(stripped, text);
    }
}
