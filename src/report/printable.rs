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

/// A word (a run without white space) longer than this in a message is cut ([`brief`]).
const LONG_WORD: usize = 1000;

/// What [`brief`] keeps of a word longer than [`LONG_WORD`], in characters.
const KEPT_OF_A_WORD: usize = 200;

/// The longest message [`brief`] leaves whole, in characters.
const LONG_MESSAGE: usize = 16_384;

/// A message (an error or a warning) cut to a readable size: a word longer than 1000
/// characters (a workload name of 200 MB from a file) keeps its first 200
/// characters and `…`; what is still longer than 16 KiB keeps its start and its end
/// (where the reason usually is) around the number of characters left out. A path of a few hundred
/// characters stays whole.
pub fn brief(text: &str) -> Cow<'_, str> {
    if text.len() <= LONG_WORD {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        if word.chars().count() > LONG_WORD {
            out.extend(word.chars().take(KEPT_OF_A_WORD));
            out.push('…');
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    let count = out.chars().count();
    if count > LONG_MESSAGE {
        let half = LONG_MESSAGE / 2;
        let head: String = out.chars().take(half).collect();
        let tail: String = out.chars().skip(count - half).collect();
        out = format!("{head} … ({} characters left out) … {tail}", count - 2 * half);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_name_in_a_message_is_cut_and_a_path_is_not() {
        let path = format!("/tmp/{}/out.json", "p".repeat(250));
        assert_eq!(brief(&format!("cannot write {path}: full")), format!("cannot write {path}: full"));
        let name = "a".repeat(200_000);
        let said = brief(&format!("unknown workload `{name}` (known: primes)")).into_owned();
        assert_eq!(said, format!("unknown workload `{}… (known: primes)", "a".repeat(199)));
        let spaced = "a ".repeat(100_000);
        let said = brief(&format!("{spaced}: the reason")).into_owned();
        assert!(said.chars().count() < LONG_MESSAGE + 100 && said.ends_with("a : the reason"), "{}", said.len());
        assert!(said.contains("characters left out"));
    }

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
