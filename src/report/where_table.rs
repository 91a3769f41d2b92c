//! The serial part by function under a workload's account: one row per function named at any j
//! (the top five by self share at each), its self and inclusive shares of the serial samples at
//! every j (`attribution`). Printed by `measure run` and `measure fit` for every file whose
//! points have a `where`; nothing for the rest.

use std::fmt::Write;

use crate::attribution::Where;
use crate::results::WorkloadResult;

/// The longest function name shown in full; longer names keep their last characters.
const NAME_WIDTH: usize = 60;

/// The lines of `w`'s serial attribution, or nothing when no point has samples of it.
pub fn where_lines(w: &WorkloadResult) -> String {
    let points: Vec<(usize, &Where)> =
        w.points.iter().filter_map(|p| Some((p.threads, p.serial_where.as_ref()?))).collect();
    if points.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let samples: Vec<String> = points.iter().map(|(j, x)| format!("{} at {j}", x.serial_samples)).collect();
    let _ = writeln!(
        out,
        "  where the serial part runs (the leader's samples outside the parallel calls: {}; % self / inclusive):",
        samples.join(", ")
    );
    let mut rows: Vec<(&str, Option<&str>)> = Vec::new();
    for (_, x) in &points {
        for f in &x.functions {
            if !rows.iter().any(|(name, _)| *name == f.function) {
                rows.push((&f.function, f.location.as_deref()));
            }
        }
    }
    if !rows.is_empty() {
        let mut header = format!("  {:<w$}", "function", w = NAME_WIDTH);
        for (j, _) in &points {
            let _ = write!(header, "  {:>11}", format!("j={j}"));
        }
        let _ = writeln!(out, "{header}  location");
        for (name, location) in rows {
            let mut line = format!("  {:<w$}", shortened(name), w = NAME_WIDTH);
            for (_, x) in &points {
                let cell = x.functions.iter().find(|f| f.function == name).map_or("-".to_owned(), |f| {
                    format!("{:.0} / {:.0}", 100.0 * f.self_share, 100.0 * f.inclusive_share)
                });
                let _ = write!(line, "  {cell:>11}");
            }
            let _ = writeln!(out, "{line}  {}", location.unwrap_or("-"));
        }
    }
    let merged: Vec<String> = w
        .points
        .iter()
        .filter(|p| p.serial_where.is_some() && p.time_parts.as_ref().is_some_and(|t| t.merged.is_some()))
        .map(|p| p.threads.to_string())
        .collect();
    if !merged.is_empty() {
        let _ = writeln!(
            out,
            "  at j = {}: the leader's time outside the calls includes the work's own rayon code (merged): not all of it is serial",
            merged.join(", ")
        );
    }
    // Each point's note (no symbols, no frame pointers, no samples), said once.
    let mut notes: Vec<&str> = points.iter().filter_map(|(_, x)| x.note.as_deref()).collect();
    notes.dedup();
    for note in notes {
        let _ = writeln!(out, "  {note}");
    }
    out
}

fn shortened(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= NAME_WIDTH {
        name.to_owned()
    } else {
        let tail: String = chars[chars.len() - (NAME_WIDTH - 1)..].iter().collect();
        format!("…{tail}")
    }
}
