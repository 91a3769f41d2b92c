//! Colour on the terminal (`--color auto|always|never`, `NO_COLOR`, `CLICOLOR_FORCE`): the
//! verdicts of tables (styled by the verdict's kind) and the `warning:` and `error:` labels, never
//! JSON.
//!
//! Text is styled with anstyle and written through anstream, which drops the styles when the
//! choice (or, for `auto`, a stream that is not a terminal, or `NO_COLOR`) says so. Styles are
//! added after `printable` has escaped the control characters that came from files, so only our own
//! escapes reach the terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::fit::{Diagnosis, Undetermined, Verdict};
use crate::report::{Marked, brief, printable};

const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const CAUTION: Style = AnsiColor::Yellow.on_default().bold();
const PLAIN: Style = Style::new().bold();

/// When to colour (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (or `CLICOLOR_FORCE` asks for it).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Sets the choice for every later write.
pub fn init(choice: ColorWhen) {
    let choice = match choice {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// The style of a diagnosis: its verdict's, except that good news measured on a disturbed
/// machine is only a caution (the numbers describe the machine as much as the code); never by its
/// words.
fn style_of(diagnosis: &Diagnosis) -> Style {
    match style_of_kind(&diagnosis.verdict) {
        GOOD if diagnosis.disturbed.is_some() => CAUTION,
        style => style,
    }
}

/// The style of a verdict: by its kind. Every kind is named, so a new one must choose its style
/// here.
fn style_of_kind(verdict: &Verdict) -> Style {
    match verdict {
        Verdict::NearLinear { .. } | Verdict::ScalesPastCores { .. } | Verdict::Superlinear { .. } => GOOD,
        Verdict::Slower { .. } | Verdict::PeakDecline { .. } | Verdict::Sequential { .. } => BAD,
        Verdict::Undetermined {
            reason: Undetermined::SerialFractionSpread | Undetermined::TwoThreadCounts, ..
        }
        | Verdict::NoLawFits { .. }
        | Verdict::Oscillating { .. }
        | Verdict::SinglePoint { .. } => CAUTION,
        Verdict::SerialFraction { .. }
        | Verdict::Saturation { .. }
        | Verdict::ApproachingPeak { .. }
        | Verdict::MemoryBandwidth { .. }
        | Verdict::Granularity { .. }
        | Verdict::WeakScaling { .. }
        | Verdict::Undetermined { reason: Undetermined::NoShape, .. } => PLAIN,
    }
}

/// The text of `marked`, made printable, with the head of each verdict line (its sentence up to
/// the first `:` or `;`) styled by the diagnosis the renderer marked it with (`style_of`); a line
/// marked with no diagnosis (a comparison's) is only bold.
pub fn verdicts(marked: &Marked) -> String {
    let text = printable(marked.text());
    let mut out = String::with_capacity(text.len() + 64);
    let mut marks = marked.verdict_lines().iter().peekable();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let Some(mark) = marks.next_if(|m| m.line == index) else {
            out.push_str(line);
            continue;
        };
        // The escapes `printable` adds come from a file's text, never before our `=> `.
        let (lead, rest) = line.split_at(mark.at.min(line.len()));
        let sentence = rest.trim_end_matches(['\n', '\r']);
        let style = mark.diagnosis.as_ref().map_or(PLAIN, style_of);
        let end = rest.find([':', ';']).unwrap_or(sentence.len());
        out.push_str(lead);
        out.push_str(&format!("{style}{}{style:#}", &rest[..end]));
        out.push_str(&rest[end..]);
    }
    out
}

/// Writes `warning: MESSAGE` on stderr, the label styled.
pub fn warning(message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{WARNING}warning:{WARNING:#} {}", printable(&brief(message)));
}

/// Writes `measure: error: MESSAGE` on stderr, the label styled; `lead` goes first (a newline
/// after a progress bar).
pub fn error(lead: &str, message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{lead}{}: {ERROR}error:{ERROR:#} {}", super::program(), printable(&brief(message)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::Disturbed;

    fn near_linear() -> Diagnosis {
        Diagnosis::of(Verdict::NearLinear {
            threads: 2,
            speedup: 1.98,
            until_threads: None,
            serial_fraction: None,
            ceiling: None,
        })
    }

    fn slower() -> Diagnosis {
        Diagnosis::of(Verdict::Slower { threads: 2, speedup: 0.3 })
    }

    /// `w ...`, then the two sentences as verdict lines said by `first` and `second`, then a
    /// line that only looks like one.
    fn marked(first: Diagnosis, second: Diagnosis) -> Marked {
        let mut text = Marked::from("w ...\n".to_owned());
        text.verdict_line("  ", "first words: S(2) = 1.98", Some(&first));
        text.verdict_line("  ", "other words; S(2) = 0.3", Some(&second));
        text.push("a => b: named so\nplain\n");
        text
    }

    #[test]
    fn the_style_comes_from_the_verdicts_kind_and_nothing_else_changes() {
        let text = marked(near_linear(), slower());
        let styled = verdicts(&text);
        assert!(styled.contains(&format!("  => {GOOD}first words{GOOD:#}: S(2) = 1.98\n")), "{styled:?}");
        assert!(styled.contains(&format!("  => {BAD}other words{BAD:#}; S(2) = 0.3\n")), "{styled:?}");
        // Only the lines the renderer marked: `=> ` in a name is text.
        assert!(styled.contains("a => b: named so\n"), "{styled:?}");
        assert_eq!(anstream::adapter::strip_str(&styled).to_string(), text.text());
        // The same words with the kinds swapped swap the colours: the text decides nothing.
        let restyled = verdicts(&marked(slower(), near_linear()));
        assert!(restyled.contains(&format!("  => {BAD}first words{BAD:#}:")), "{restyled:?}");
        assert!(restyled.contains(&format!("  => {GOOD}other words{GOOD:#};")), "{restyled:?}");
        // A line marked with no verdict (compare's) is only bold.
        let mut compare = Marked::default();
        compare.verdict_line("  ", "x: y", None);
        assert_eq!(verdicts(&compare), format!("  => {PLAIN}x{PLAIN:#}: y\n"));
    }

    #[test]
    fn kinds_choose_styles_and_a_disturbance_tempers_good_news() {
        let undetermined = |reason| Verdict::Undetermined { threads: 4, speedup: 1.0, serial_fraction: None, reason };
        assert_eq!(style_of(&near_linear()), GOOD);
        assert_eq!(style_of(&slower()), BAD);
        assert_eq!(style_of_kind(&undetermined(Undetermined::SerialFractionSpread)), CAUTION);
        assert_eq!(style_of_kind(&undetermined(Undetermined::TwoThreadCounts)), CAUTION);
        assert_eq!(style_of_kind(&undetermined(Undetermined::NoShape)), PLAIN);
        let peak = Verdict::PeakDecline { peak_threads: 8, peak_speedup: 6.5, drop: 0.1, threads: 16, speedup: 5.8 };
        assert_eq!(style_of_kind(&peak), BAD);
        let disturbed = Disturbed { points: vec![2], load: None, min_utilisation: None, cpus: None };
        let busy = |d: Diagnosis| Diagnosis { disturbed: Some(disturbed.clone()), ..d };
        assert_eq!(style_of(&busy(near_linear())), CAUTION);
        assert_eq!(style_of(&busy(slower())), BAD);
    }
}
