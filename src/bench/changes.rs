//! What changed since the baseline, one line per workload, and the regression gate. The numbers
//! are [`crate::compare::compare`]'s (the baseline is its A, this run its B); nothing here
//! compares on its own.

use std::path::PathBuf;

use crate::compare::{PairComparison, compare};
use crate::results::ResultsFile;

/// This run against its baseline, on one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The workload.
    pub name: String,
    /// The baseline's file name (`run-000003.json`, `baseline-main.json`).
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
) -> (Vec<Change>, Vec<String>) {
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let mut files: Vec<&PathBuf> = baselines.iter().map(|(_, path, _)| path).collect();
    files.dedup();
    files.sort();
    files.dedup();
    for path in files {
        let Some((_, _, base)) = baselines.iter().find(|(_, p, _)| p == path) else { continue };
        let label = super::label_of(path);
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

/// Whether the speedup at the largest common j fell significantly: both 95% intervals known and
/// apart, this run's S the lower. Conservative until `compare` carries a test per figure.
pub fn regressed(pair: &PairComparison) -> bool {
    speedup_significant(pair) && matches!(pair.speedup_at_common, [Some(a), Some(b)] if b < a)
}

/// The speedups' 95% intervals do not overlap.
fn speedup_significant(pair: &PairComparison) -> bool {
    match pair.speedup_at_common_ci95 {
        [Some([lo_a, hi_a]), Some([lo_b, hi_b])] => hi_b < lo_a || hi_a < lo_b,
        _ => false,
    }
}

/// `parallel-sort: S(2) 1.85 -> 1.10, -41%, significant; B 0.081 -> 0.820; T(1) +2% (vs run-000003.json)`.
pub fn line(change: &Change) -> String {
    let p = &change.pair;
    let mut parts = Vec::new();
    if let (Some(j), [Some(a), Some(b)]) = (p.common_threads, p.speedup_at_common) {
        let noise = if speedup_significant(p) { "significant" } else { "within noise" };
        parts.push(format!("S({j}) {a:.2} -> {b:.2}, {:+.0}%, {noise}", (b / a - 1.0) * 100.0));
    }
    if let [Some(a), Some(b)] = p.serial_fraction {
        parts.push(format!("B {a:.3} -> {b:.3}{}", if p.significant { ", significant" } else { "" }));
    }
    // per_core_ratio is T(1) of A over T(1) of B.
    if let Some(ratio) = p.per_core_ratio.filter(|r| r.is_finite() && *r > 0.0) {
        parts.push(format!("T(1) {:+.0}%", (1.0 / ratio - 1.0) * 100.0));
    }
    if parts.is_empty() {
        parts.push("nothing to compare (too few points)".to_owned());
    }
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
            None if notes.iter().any(|n| n.starts_with(&format!("{name}: "))) => {}
            None => out.push_str(&format!("  {name}: no baseline yet (the next run is compared with this one)\n")),
        }
    }
    for note in notes {
        out.push_str(&format!("  {note}\n"));
    }
    out
}
