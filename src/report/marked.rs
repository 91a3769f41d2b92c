//! Text for the terminal with its verdict lines marked ([`Marked`]): the renderer that writes a
//! line `  => SENTENCE` records which line it is and the diagnosis it says, so the terminal
//! colours that line by the diagnosis (its verdict's kind, its disturbance) without looking for
//! `=> ` in the text or comparing sentences.
//! Written to a file, the text is the same without the marks.

use std::fmt;

use crate::fit::Diagnosis;

/// Text and its verdict lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marked {
    text: String,
    /// Lines of `text` so far (newlines written).
    lines: usize,
    verdicts: Vec<VerdictLine>,
}

/// A line that says a verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictLine {
    /// Its index among the text's lines (from 0).
    pub line: usize,
    /// The byte offset, within the line, where the sentence starts (after `=> `).
    pub at: usize,
    /// The diagnosis it says; `None` for a line of ours that says none (a comparison's).
    pub diagnosis: Option<Diagnosis>,
}

impl Marked {
    /// Appends plain text.
    pub fn push(&mut self, text: &str) {
        self.lines += text.matches('\n').count();
        self.text.push_str(text);
    }

    /// Appends the line `{indent}=> {sentence}` (at the start of a line), marked with `diagnosis`.
    pub fn verdict_line(&mut self, indent: &str, sentence: &str, diagnosis: Option<&Diagnosis>) {
        let at = indent.len() + "=> ".len();
        let line = self.lines;
        self.push(&format!("{indent}=> {sentence}\n"));
        // A sentence that holds a newline (one from a file) is marked on its first line.
        self.verdicts.push(VerdictLine { line, at, diagnosis: diagnosis.cloned() });
    }

    /// Appends `other`, its marks moved to the lines they land on.
    pub fn append(&mut self, other: Marked) {
        let offset = self.lines;
        self.verdicts.extend(other.verdicts.into_iter().map(|v| VerdictLine { line: v.line + offset, ..v }));
        self.push(&other.text);
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, without the marks.
    pub fn into_text(self) -> String {
        self.text
    }

    /// The verdict lines, in order.
    pub fn verdict_lines(&self) -> &[VerdictLine] {
        &self.verdicts
    }
}

impl fmt::Write for Marked {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s);
        Ok(())
    }
}

impl From<String> for Marked {
    fn from(text: String) -> Marked {
        let mut marked = Marked::default();
        marked.push(&text);
        marked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    #[test]
    fn verdict_lines_keep_their_place_through_appends() {
        let slower = Diagnosis::of(crate::fit::Verdict::Slower { threads: 2, speedup: 0.3 });
        let mut first = Marked::from("a\n".to_owned());
        first.verdict_line("  ", "slower: S(2) = 0.30", Some(&slower));
        let mut second = Marked::default();
        let _ = writeln!(second, "b\nc");
        second.verdict_line("    ", "A is faster", None);
        first.append(second);
        assert_eq!(first.text(), "a\n  => slower: S(2) = 0.30\nb\nc\n    => A is faster\n");
        let lines: Vec<(usize, usize, bool)> =
            first.verdict_lines().iter().map(|v| (v.line, v.at, v.diagnosis.is_some())).collect();
        assert_eq!(lines, [(1, 5, true), (4, 7, false)]);
    }
}
