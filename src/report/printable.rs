//! Text from files and commands made safe for a terminal.
//!
//! Workload names, commands, diagnoses and errors come from results files that travel between
//! machines and from commands' output; an escape sequence in them must not reach the terminal,
//! where it could move the cursor, rewrite earlier lines or change the title. Every control
//! character except newline and tab is written as `\u00XX`: visible in text, and inside a JSON
//! string a valid escape of the same character (serde_json writes C0 controls escaped already and
//! C1 controls raw, and control characters can only occur inside strings), so `--json` output
//! stays valid and means the same.

use std::borrow::Cow;

/// `text` with every control character but `\n` and `\t` escaped as `\u00XX`.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_but_keeps_lines() {
        assert!(matches!(printable("plain\ttext\n"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[2Jb\rc\u{9b}d\u{7f}"), "a\\u001b[2Jb\\u000dc\\u009bd\\u007f");
        // Inside JSON the escape means the same character.
        let json = serde_json::to_string(&"x\u{9b}y").unwrap();
        let back: String = serde_json::from_str(&printable(&json)).unwrap();
        assert_eq!(back, "x\u{9b}y");
    }
}
