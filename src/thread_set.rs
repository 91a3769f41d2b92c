//! The `--threads` grammar: which thread counts a sweep visits.
//!
//! A list of comma-separated items, each one of
//! - `E` — one count;
//! - `E-E` — an inclusive range; `E-E:S` — a range with step S;
//! - `pow2:E` — 1, 2, 4, ... up to E, plus E itself;
//!
//! where `E` is a whole number, or `N` (usable CPUs: affinity and the cgroup quota, from
//! `machine::Topology`) or `P` (physical cores among them), optionally with a
//! whole multiplier: `4N`, `2P`. Examples: `1-N`, `1,2,4,8`, `pow2:4N`, `1-64:8`.
//!
//! The result is sorted, without duplicates, and always contains 1 (the baseline of every speedup).
//! Refused: 0, negatives, empty or reversed ranges, a step of 0, and counts over 1024 or over 64N.
//! The default set of a workload (no `--threads`) is the `plan` module's.

use crate::error::{Error, Result};

/// The largest thread count a run accepts, whatever the machine.
pub const MAX_THREADS: usize = 1024;
/// The largest thread count (and CPU count) anything may name that runs nothing: a results
/// file, an imported curve, a prediction.
pub const MAX_RECORDED_THREADS: usize = 1_000_000;
/// The largest multiple of the usable CPUs accepted.
pub const MAX_PER_CPU: usize = 64;

/// The CPU counts the symbols `N` and `P` stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuCounts {
    /// Usable CPUs (`N`).
    pub usable: usize,
    /// Physical cores (`P`).
    pub physical: usize,
    /// Sockets among the usable CPUs (for the default plan's boundaries); 1 where unknown.
    pub sockets: usize,
}

/// A resolved, sorted set of thread counts that contains 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadSet(Vec<usize>);

impl ThreadSet {
    /// Parses and resolves `text` for a machine with `cpus`, to be run there: at most
    /// [`MAX_THREADS`] and [`MAX_PER_CPU`] x N threads.
    pub fn parse(text: &str, cpus: CpuCounts) -> Result<ThreadSet> {
        let limit = MAX_THREADS.min(MAX_PER_CPU * cpus.usable.max(1));
        ThreadSet::parse_up_to(text, cpus, limit)
    }

    /// Parses and resolves `text` with counts up to `limit` (for predictions, which run nothing).
    pub fn parse_up_to(text: &str, cpus: CpuCounts, limit: usize) -> Result<ThreadSet> {
        let bad = |reason: String| Error::usage("--threads", text, reason);
        if text.trim().is_empty() {
            return Err(bad("is empty; give counts such as 1-N or 1,2,4".into()));
        }
        // Every count is checked against the limit as it is read, before any list is built, so
        // `1-10000000000` is refused in microseconds instead of allocating 80 GB.
        let within = |count: usize| -> Result<usize> {
            if count > limit {
                return Err(bad(format!(
                    "asks for {count} threads; the limit here is {limit} ({MAX_THREADS} at most for a run, and at most {MAX_PER_CPU}N = {})",
                    MAX_PER_CPU * cpus.usable.max(1)
                )));
            }
            Ok(count)
        };
        let mut counts = vec![1];
        for item in text.split(',').map(str::trim) {
            if item.is_empty() {
                return Err(bad("has an empty item".into()));
            }
            let step = |e: &str| expr(e, cpus).map_err(|why| bad(format!("item `{item}`: {why}")));
            let expr = |e: &str| step(e).and_then(within);
            if let Some(top) = item.strip_prefix("pow2:") {
                let top = expr(top)?;
                counts.extend(std::iter::successors(Some(1usize), |p| p.checked_mul(2)).take_while(|p| *p < top));
                counts.push(top);
            } else if let Some((from, rest)) = split_range(item) {
                let (to, step) = match rest.split_once(':') {
                    Some((_, by)) if by.trim().parse::<usize>() == Ok(0) => {
                        return Err(bad(format!("item `{item}`: the step `{by}` is 0; a step is at least 1")));
                    }
                    Some((to, by)) => (to, step(by)?),
                    None => (rest, 1),
                };
                let (from, to) = (expr(from)?, expr(to)?);
                if from > to {
                    return Err(bad(format!("item `{item}`: the range {from}-{to} is reversed")));
                }
                counts.extend((from..=to).step_by(step));
            } else {
                counts.push(expr(item)?);
            }
        }
        counts.sort_unstable();
        counts.dedup();
        Ok(ThreadSet(counts))
    }

    /// An explicit set; 1 is added, and the list sorted and deduplicated.
    pub fn from_counts(counts: impl IntoIterator<Item = usize>) -> ThreadSet {
        let mut counts: Vec<usize> = std::iter::once(1).chain(counts.into_iter().filter(|&c| c > 0)).collect();
        counts.sort_unstable();
        counts.dedup();
        ThreadSet(counts)
    }

    /// The counts, ascending, starting with 1.
    pub fn counts(&self) -> &[usize] {
        &self.0
    }
}

/// Splits `a-b` at the dash between two expressions (a leading `-` is a negative number, refused
/// by `expr`).
fn split_range(item: &str) -> Option<(&str, &str)> {
    let dash = item.get(1..)?.find('-')? + 1;
    Some((&item[..dash], &item[dash + 1..]))
}

/// A whole number, or `[k]N` / `[k]P`; at least 1.
fn expr(text: &str, cpus: CpuCounts) -> std::result::Result<usize, String> {
    let text = text.trim();
    let (multiplier, base) = match text.char_indices().last() {
        Some((i, 'N')) => (&text[..i], cpus.usable),
        Some((i, 'P')) => (&text[..i], cpus.physical),
        _ => (text, 1),
    };
    let multiplier: usize = if multiplier.is_empty() && base != 1 {
        1
    } else if multiplier.starts_with('-') {
        return Err(format!("`{text}` is negative; thread counts start at 1"));
    } else {
        multiplier.parse().map_err(|_| format!("`{text}` is not a count, N, P or a multiple like 4N"))?
    };
    match multiplier.checked_mul(base) {
        Some(0) => Err(format!("`{text}` is 0; thread counts start at 1")),
        Some(n) => Ok(n),
        None => Err(format!("`{text}` is too large")),
    }
}

/// Thread counts as ranges: `1-16`, `1, 2, 4-8`.
pub fn threads_text(threads: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < threads.len() {
        let mut k = i;
        while k + 1 < threads.len() && threads[k + 1] == threads[k] + 1 {
            k += 1;
        }
        parts.push(match k - i {
            0 => threads[i].to_string(),
            1 => format!("{}, {}", threads[i], threads[k]),
            _ => format!("{}-{}", threads[i], threads[k]),
        });
        i = k + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPUS: CpuCounts = CpuCounts { usable: 4, physical: 2, sockets: 1 };

    fn parse(text: &str) -> Vec<usize> {
        ThreadSet::parse(text, CPUS).unwrap().counts().to_vec()
    }

    #[test]
    fn grammar() {
        assert_eq!(parse("1-N"), [1, 2, 3, 4]);
        assert_eq!(parse("1,2,4,8"), [1, 2, 4, 8]);
        assert_eq!(parse("pow2:4N"), [1, 2, 4, 8, 16]);
        assert_eq!(parse("pow2:12"), [1, 2, 4, 8, 12]);
        assert_eq!(parse("2-10:4"), [1, 2, 6, 10]);
        assert_eq!(parse("P,2P,N"), [1, 2, 4]);
        assert_eq!(parse("3, 3, 2"), [1, 2, 3]);
        assert_eq!(parse("16-16"), [1, 16]);
    }

    #[test]
    fn huge_sets_are_refused_by_the_parser_before_any_list_is_built() {
        // Ten billion counts would need 80 GB; the limit is checked on the range's end first.
        for huge in ["1-10000000000", "pow2:10000000000", "10000000000", "1-1000000000000000000:2"] {
            let err = ThreadSet::parse_up_to(huge, CPUS, 1_000_000).unwrap_err().to_string();
            assert!(err.contains("the limit here is 1000000"), "{huge}: {err}");
        }
        assert_eq!(parse("1-8:1000"), [1]);
    }

    #[test]
    fn refusals_name_flag_value_and_limit() {
        let err = ThreadSet::parse("1-N:0", CPUS).unwrap_err().to_string();
        assert!(err.contains("the step `0` is 0; a step is at least 1") && !err.contains("thread counts"), "{err}");
        for bad in ["0", "-2", "", "4-2", "1-", "a", "1,,2", "2-8:0", "1-N:x", "0N", "pow2:"] {
            let err = ThreadSet::parse(bad, CPUS).unwrap_err().to_string();
            assert!(err.starts_with("--threads"), "{bad}: {err}");
        }
        let err = ThreadSet::parse("257", CPUS).unwrap_err().to_string();
        assert!(err.contains("257") && err.contains("256"), "{err}");
        let big = CpuCounts { usable: 64, physical: 32, sockets: 1 };
        let err = ThreadSet::parse("1-1025", big).unwrap_err().to_string();
        assert!(err.contains("1024"), "{err}");
        assert!(ThreadSet::parse("99999999999999999999", CPUS).is_err());
        assert!(ThreadSet::parse("18446744073709551615N", CPUS).is_err());
    }
}
