//! What changed since the baseline, one line per workload, and the regression gate. The numbers
//! are [`crate::compare::compare`]'s (the baseline is its A, this run its B); nothing here
//! compares on its own.

use std::path::{Path, PathBuf};

use crate::compare::{Figure, FigureTest, PairComparison, compare, disturbed};
use crate::results::ResultsFile;

/// This run against its baseline, on one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The workload.
    pub name: String,
    /// The baseline's file in the bench's folder (`run-000003.json`, `baseline-main/sort.json`).
    pub baseline: String,
    /// `compare`'s pair: index 0 the baseline, 1 this run.
    pub pair: PairComparison,
}

/// Compares `new` with each workload's baseline (`baselines`: workload name, baseline file, its
/// contents; several workloads may share one file). Returns the changes, and notes on the
/// workloads that could not be compared.
pub fn since(
    new: &ResultsFile,
    names: &[String],
    baselines: &[(String, PathBuf, ResultsFile)],
    store_dir: &Path,
) -> (Vec<Change>, Vec<String>) {
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let mut files: Vec<&PathBuf> = baselines.iter().map(|(_, path, _)| path).collect();
    files.dedup();
    files.sort();
    files.dedup();
    for path in files {
        let Some((_, _, base)) = baselines.iter().find(|(_, p, _)| p == path) else { continue };
        let label = super::label_of(path, store_dir);
        let wanted: Vec<&String> = baselines.iter().filter(|(_, p, _)| p == path).map(|(n, ..)| n).collect();
        // Only the workloads whose baseline this file is.
        let mut this_run = new.clone();
        this_run.workloads.retain(|w| wanted.contains(&&w.name));
        match compare(&[(label.clone(), base.clone()), ("this run".to_owned(), this_run)]) {
            Ok(comparison) => {
                for w in comparison.workloads {
                    if let Some(pair) = w.pairs.into_iter().next() {
                        changes.push(Change { name: w.name, baseline: label.clone(), pair });
                    }
                }
                notes.extend(
                    comparison
                        .not_compared
                        .into_iter()
                        .filter(|n| wanted.iter().any(|w| n.starts_with(&format!("{w}: "))))
                        .filter(|n| !n.contains(": only in B") && !n.contains(": not in B"))
                        .map(|n| format!("{n} (A: {label}, B: this run)")),
                );
            }
            Err(e) => notes.push(format!("not compared with {label}: {e}")),
        }
    }
    changes.sort_by_key(|c| names.iter().position(|n| *n == c.name));
    (changes, notes)
}

/// `compare`'s test of `figure`, where both sides have it.
fn test(pair: &PairComparison, figure: Figure) -> Option<&FigureTest> {
    pair.tests.iter().find(|t| t.figure == figure)
}

/// Whether the speedup at the largest common j fell significantly: `compare`'s test of S (each
/// run's interval widened by the run-to-run noise floor) excludes no change, and S is lower.
pub fn regressed(pair: &PairComparison) -> bool {
    regressed_on(pair, Figure::Speedup)
}

/// Whether `figure` got significantly worse: S lower, T(1) higher (`compare`'s tests; B is not
/// gated).
pub fn regressed_on(pair: &PairComparison, figure: Figure) -> bool {
    test(pair, figure).is_some_and(|t| {
        t.significant
            && match figure {
                Figure::Speedup => t.change < 0.0,
                Figure::T1 => t.change > 0.0,
                Figure::SerialFraction => false,
            }
    })
}

/// The sides' names in the gate's and the lines' words: the baseline, this run.
const SIDES: [&str; 2] = ["the baseline", "this run"];

/// Whether `figure` got worse beyond noise where a side was disturbed (so [`regressed_on`] does
/// not call it a regression): the words that say so, naming the disturbed runs.
fn worse_but_disturbed(change: &Change, figure: Figure) -> Option<String> {
    let t = test(&change.pair, figure)?;
    let worse = match figure {
        Figure::Speedup => t.change < 0.0,
        Figure::T1 => t.change > 0.0,
        Figure::SerialFraction => false,
    };
    (worse && t.beyond_noise && !t.significant).then(|| {
        let who = disturbed::who(&t.disturbed, SIDES).unwrap_or_default();
        format!(
            "--fail-on-regression: {}: {} is beyond noise, but {who} (other work competed for the CPUs): not called a regression, and not a pass; rerun on a quiet machine (vs {})",
            change.name,
            disturbed::change_words(t),
            change.baseline
        )
    })
}

/// `--fail-on-regression`: exit 1 with a line per workload that regressed on one of `figures`
/// ([`regressed_on`]); else exit 2 with a line per workload that had no baseline to gate on (a
/// named baseline that does not hold it: a gate that could not look is no pass) or got worse
/// beyond noise only where a run was disturbed (naming it, and saying when both were: a gate
/// that could not tell a change from other work is no pass either); else 0.
pub fn gate(changes: &[Change], missing: &[String], figures: &[Figure]) -> (u8, Vec<String>) {
    use crate::error::exit_code;
    let regressions: Vec<String> = changes
        .iter()
        .filter(|c| figures.iter().any(|f| regressed_on(&c.pair, *f)))
        .map(|c| format!("regression: {}", line(c)))
        .collect();
    if !regressions.is_empty() {
        return (exit_code::WORKLOAD_FAILED, regressions);
    }
    let mut undecided: Vec<String> =
        missing.iter().map(|m| format!("--fail-on-regression: {m}: nothing to gate on")).collect();
    undecided.extend(changes.iter().filter_map(|c| figures.iter().find_map(|f| worse_but_disturbed(c, *f))));
    if !undecided.is_empty() {
        return (exit_code::USAGE, undecided);
    }
    (exit_code::OK, Vec::new())
}

/// `parallel-sort: S(2) 1.85 -> 1.10, -41%, significant; B 0.081 -> 0.820, significant; T(1)
/// +2%, within noise (vs run-000003.json)`.
pub fn line(change: &Change) -> String {
    let p = &change.pair;
    let noise = |t: &FigureTest| match (t.significant, t.beyond_noise) {
        (true, _) => "significant",
        (false, true) => "beyond noise on a disturbed run",
        (false, false) => "within noise",
    };
    let mut parts = Vec::new();
    match (test(p, Figure::Speedup), p.common_threads, p.speedup_at_common) {
        (Some(t), _, _) => parts.push(format!(
            "S({}) {:.2} -> {:.2}, {:+.0}%, {}",
            t.threads.unwrap_or(0),
            t.values[0],
            t.values[1],
            t.change * 100.0,
            noise(t)
        )),
        (None, Some(j), [Some(a), Some(b)]) => parts.push(format!("S({j}) {a:.2} -> {b:.2}, untested")),
        _ => {}
    }
    match (test(p, Figure::SerialFraction), p.serial_fraction) {
        (Some(t), _) => parts.push(format!("B {:.3} -> {:.3}, {}", t.values[0], t.values[1], noise(t))),
        (None, [Some(a), Some(b)]) => parts.push(format!("B {a:.3} -> {b:.3}, untested")),
        _ => {}
    }
    if let Some(t) = test(p, Figure::T1) {
        parts.push(format!("T(1) {:+.0}%, {}", t.change * 100.0, noise(t)));
    }
    // The thread-time account's parts that changed beyond their intervals (`account::change`).
    if let Some(first) = p.part_changes.first() {
        let more = p.part_changes.len() - 1;
        let and = if more > 0 {
            format!(" (and {more} more part{})", if more == 1 { "" } else { "s" })
        } else {
            String::new()
        };
        parts.push(format!("measured: {}{and}", first.sentence()));
    }
    if parts.is_empty() {
        parts.push("nothing to compare (too few points)".to_owned());
    }
    parts.extend(disturbed::who(&disturbed::union(&p.tests), SIDES));
    format!("{}: {} (vs {})", change.name, parts.join("; "), change.baseline)
}

/// The block printed after the table: a heading, one line per workload (a workload without a
/// baseline says so), then the notes.
pub fn text(changes: &[Change], notes: &[String], names: &[String], named: Option<&str>) -> String {
    let heading = match named {
        Some(name) => format!("changes since baseline `{name}`:"),
        None => "changes since the last run:".to_owned(),
    };
    let mut out = format!("{heading}\n");
    for name in names {
        match changes.iter().find(|c| &c.name == name) {
            Some(change) => out.push_str(&format!("  {}\n", line(change))),
            None if notes
                .iter()
                .any(|n| n.starts_with(&format!("{name}: ")) || n.starts_with(&format!("`{name}` "))) => {}
            None => out.push_str(&format!("  {name}: no baseline yet (the next run is compared with this one)\n")),
        }
    }
    for note in notes {
        out.push_str(&format!("  {note}\n"));
    }
    out
}
