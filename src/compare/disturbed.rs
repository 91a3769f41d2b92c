//! Disturbed runs in a comparison: which points each figure reads were measured while other work
//! competed for the CPUs (the `disturbed` tag: `analysis::disturbance`, a stretch of rounds from
//! `analysis::stretches`), and the words that name them.
//!
//! A change beyond both runs' noise is called significant only where neither run was disturbed at
//! a point the figure reads (T(1): j = 1; S: j = 1 and the largest common j; B: the points it was
//! fitted on): a disturbed run's figure describes the busy machine as much as the code, so a
//! difference that rests on one is no evidence of a change in the code (issue 33: under load,
//! `--fail-on-regression` fired on an unchanged rerun). It is still shown, beyond noise, with the
//! disturbed runs named, so a reader can rerun on a quiet machine.

use super::{Figure, FigureTest};
use crate::results::{Tag, WorkloadResult};

/// The thread counts of `w`'s points that `figure` reads and that were disturbed (`common`: the
/// largest thread count both files measured).
pub fn points_of(w: &WorkloadResult, figure: Figure, common: Option<usize>) -> Vec<usize> {
    let read: Vec<usize> = match figure {
        Figure::T1 => vec![1],
        Figure::Speedup => [Some(1), common].into_iter().flatten().collect(),
        Figure::SerialFraction => w.fits.amdahl.as_ref().map(|a| a.threads_used().to_vec()).unwrap_or_default(),
    };
    let mut points: Vec<usize> = w
        .points
        .iter()
        .filter(|p| read.contains(&p.threads) && p.tags.contains(&Tag::Disturbed))
        .map(|p| p.threads)
        .collect();
    points.dedup();
    points
}

/// Marks each test with the disturbed points it reads on both sides, and calls it significant
/// only where it is beyond noise and neither side was disturbed there.
pub fn mark(tests: &mut [FigureTest], [a, b]: [&WorkloadResult; 2], common: Option<usize>) {
    for t in tests {
        t.disturbed = [points_of(a, t.figure, common), points_of(b, t.figure, common)];
        t.significant = t.beyond_noise && t.disturbed.iter().all(Vec::is_empty);
    }
}

/// The disturbed points of both sides over `tests`, each side's ascending.
pub fn union<'a>(tests: impl IntoIterator<Item = &'a FigureTest>) -> [Vec<usize>; 2] {
    let mut runs: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for t in tests {
        for (side, points) in runs.iter_mut().zip(&t.disturbed) {
            side.extend(points);
        }
    }
    for side in &mut runs {
        side.sort_unstable();
        side.dedup();
    }
    runs
}

/// Who was disturbed, in words: "this run was disturbed at j = 2", "both runs were disturbed
/// (A at j = 1; B at j = 1, 2)"; `None` when neither was. `names`: the two sides' names.
pub fn who(disturbed: &[Vec<usize>; 2], names: [&str; 2]) -> Option<String> {
    let at = |points: &[usize]| points.iter().map(|j| j.to_string()).collect::<Vec<_>>().join(", ");
    match (disturbed[0].is_empty(), disturbed[1].is_empty()) {
        (true, true) => None,
        (false, false) => Some(format!(
            "both runs were disturbed ({} at j = {}; {} at j = {})",
            names[0],
            at(&disturbed[0]),
            names[1],
            at(&disturbed[1])
        )),
        (false, true) => Some(format!("{} was disturbed at j = {}", names[0], at(&disturbed[0]))),
        (true, false) => Some(format!("{} was disturbed at j = {}", names[1], at(&disturbed[1]))),
    }
}

/// The change of `t` in a few words: "S(2) -41.0%", "T(1) +30.0%", "serial fraction +0.120".
pub fn change_words(t: &FigureTest) -> String {
    match t.figure {
        Figure::SerialFraction => format!("serial fraction {:+.3}", t.change),
        Figure::Speedup => format!("S({}) {:+.1}%", t.threads.unwrap_or(0), t.change * 100.0),
        Figure::T1 => format!("T(1) {:+.1}%", t.change * 100.0),
    }
}

/// The clause of the tests beyond noise that are not called significant because they rest on a
/// disturbed run: "S(2) -41.0% is beyond noise but not called a change: B was disturbed at j = 2
/// (other work competed for the CPUs; rerun on a quiet machine)".
pub fn clause(tests: &[FigureTest], names: [&str; 2]) -> Option<String> {
    let held: Vec<&FigureTest> = tests.iter().filter(|t| t.beyond_noise && !t.significant).collect();
    if held.is_empty() {
        return None;
    }
    let disturbed = union(held.iter().copied());
    let changes: Vec<String> = held.iter().map(|t| change_words(t)).collect();
    Some(format!(
        "{} {} beyond noise but not called a change: {} (other work competed for the CPUs; rerun on a quiet machine)",
        changes.join(", "),
        if held.len() == 1 { "is" } else { "are" },
        who(&disturbed, names)?
    ))
}
