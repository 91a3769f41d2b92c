//! Counts and sizes given as text: `--max-input 512MiB`, `--bytes 1M`, `--tasks 64`, and the same
//! keys of suite files; and durations shown as text, in a unit that fits (`12.34 ms`).
//!
//! Every parser takes the name it reports (a flag such as `--bytes`, or a suite key such as
//! `bytes`) and refuses a value with a usage error naming it, the value and the limit. Nothing
//! here reads a file or knows what the number is for.

use crate::error::{Error, Result};

/// The most tasks a command may declare (`--tasks`, a suite's `tasks`): 2^32.
pub const MAX_TASKS: u64 = 1 << 32;

/// Parses a byte size: a whole number of bytes, or a number with `K`, `M`, `G` (powers of 1024;
/// `KiB`, `MiB`, `GiB` and a trailing `B` are accepted too), e.g. `512MiB`, `1G`, `4096`. Refuses
/// zero, signs, fractions and sizes beyond `u64`, naming `name` and the value.
pub fn parse_bytes(name: &str, text: &str) -> Result<u64> {
    let bad = |why: &str| Error::usage(name, text, why.to_owned());
    let not_a_size = "is not a size (bytes, or a whole number with K, M or G such as 512MiB)";
    let t = text.trim();
    let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
    let t = t.strip_suffix(['i', 'I']).unwrap_or(t);
    let (number, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let number = number.trim();
    // `u64::from_str` takes a leading `+`; a size is digits only.
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(not_a_size));
    }
    let n: u64 = number.parse().map_err(|_| bad("is too large (at most 2^64 - 1 bytes)"))?;
    let bytes = n.checked_mul(1 << shift).ok_or_else(|| bad("is too large (at most 2^64 - 1 bytes)"))?;
    if bytes == 0 {
        return Err(bad("is zero (at least 1 byte)"));
    }
    Ok(bytes)
}

/// Parses a task count: a whole number from 1 to [`MAX_TASKS`], naming `name` and the value when
/// it refuses one.
pub fn parse_tasks(name: &str, text: &str) -> Result<usize> {
    let t = text.trim();
    let range = format!("(a whole number from 1 to {MAX_TASKS})");
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::usage(name, text, format!("is not a task count {range}")));
    }
    t.parse::<u64>()
        .ok()
        .filter(|n| (1..=MAX_TASKS).contains(n))
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Error::usage(name, text, format!("is out of range {range}")))
}

/// A time unit chosen so the value reads with 1 to 3 integer digits.
pub struct TimeUnit {
    /// Its symbol (`ms`).
    pub name: &'static str,
    /// Nanoseconds in one of it.
    pub ns: f64,
}

impl TimeUnit {
    /// The unit of `ns`.
    pub fn for_ns(ns: f64) -> TimeUnit {
        match ns {
            x if x >= 1e9 => TimeUnit { name: "s", ns: 1e9 },
            x if x >= 1e6 => TimeUnit { name: "ms", ns: 1e6 },
            x if x >= 1e3 => TimeUnit { name: "us", ns: 1e3 },
            _ => TimeUnit { name: "ns", ns: 1.0 },
        }
    }

    /// `ns` in this unit, with 1 or 2 decimals.
    pub fn fmt(&self, ns: f64) -> String {
        let v = ns / self.ns;
        if v >= 100.0 { format!("{v:.1}") } else { format!("{v:.2}") }
    }
}

/// A duration in nanoseconds as text with a fitting unit (`12.34 ms`).
pub fn format_duration_ns(ns: f64) -> String {
    let unit = TimeUnit::for_ns(ns);
    format!("{} {}", unit.fmt(ns), unit.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        for (text, bytes) in [
            ("1", 1),
            ("4096", 4096),
            ("1K", 1 << 10),
            ("1M", 1 << 20),
            ("3MiB", 3 << 20),
            ("1G", 1 << 30),
            ("2gb", 2 << 30),
            (" 8 KiB ", 8 << 10),
        ] {
            assert_eq!(parse_bytes("--bytes", text).unwrap(), bytes, "{text}");
        }
    }

    #[test]
    fn sizes_refuse_zero_signs_garbage_and_overflow_naming_the_flag_and_value() {
        for (text, why) in [
            ("0", "is zero"),
            ("0M", "is zero"),
            ("-1", "is not a size"),
            ("+1", "is not a size"),
            ("1.5M", "is not a size"),
            ("", "is not a size"),
            ("M", "is not a size"),
            ("lots", "is not a size"),
            ("1T", "is not a size"),
            ("99999999999999999999", "is too large"),
            ("99999999999999G", "is too large"),
        ] {
            let err = parse_bytes("--bytes", text).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            let message = err.to_string();
            assert!(message.starts_with(&format!("--bytes: `{text}` {why}")), "{text}: {message}");
        }
    }

    #[test]
    fn task_counts_run_from_one_to_two_to_the_32() {
        assert_eq!(parse_tasks("--tasks", "3").unwrap(), 3);
        assert_eq!(parse_tasks("--tasks", "4294967296").unwrap(), 1 << 32);
        for (text, why) in [
            ("0", "is out of range (a whole number from 1 to 4294967296)"),
            ("4294967297", "is out of range (a whole number from 1 to 4294967296)"),
            ("99999999999999999999999", "is out of range"),
            ("-3", "is not a task count (a whole number from 1 to 4294967296)"),
            ("2.5", "is not a task count"),
            ("many", "is not a task count"),
            ("", "is not a task count"),
        ] {
            let err = parse_tasks("tasks", text).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().starts_with(&format!("tasks: `{text}` {why}")), "{err}");
        }
    }
}
