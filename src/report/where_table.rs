//! The serial part by function under a workload's account: one row per function named at any j
//! (the top five by self share at each), its self and inclusive shares of the serial samples at
//! every j (`attribution`). Printed by `measure run` and `measure fit` for every file whose
//! points have a `where`; nothing for the rest.

use std::fmt::Write;

use crate::attribution::{Source, Where};
use crate::results::WorkloadResult;

/// The longest function name shown in full; longer names keep their last characters.
const NAME_WIDTH: usize = 60;

/// The lines of `w`'s serial attribution, or nothing when no point has samples of it.
pub fn where_lines(w: &WorkloadResult) -> String {
    let points: Vec<(usize, &Where)> =
        w.points.iter().filter_map(|p| Some((p.threads, p.serial_where.as_ref()?))).collect();
    if points.is_empty() || nothing_to_name(w, &points) {
        return String::new();
    }
    let mut out = String::new();
    let samples: Vec<String> = points.iter().map(|(j, x)| format!("{} at {j}", x.serial_samples)).collect();
    let which = match w.command {
        Some(_) => "samples with no other thread of the command sampled within an interval",
        None => "the leader's samples outside the parallel calls",
    };
    let _ = writeln!(out, "  where the serial part runs ({which}: {}; % self / inclusive):", samples.join(", "));
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
    // What took the samples, said once per kind (files before it was recorded say nothing).
    let mut sources: Vec<String> = points.iter().filter_map(|(_, x)| source_line(x)).collect();
    sources.dedup();
    for line in sources {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// Which sampler named the functions, and why not `perf_event` when the timers did.
fn source_line(w: &Where) -> Option<String> {
    Some(match (w.source?, &w.perf_event) {
        (Source::PerfEvent, _) => "sampled by perf_event (cpu-clock, user call chains)".to_owned(),
        (Source::Timer, Some(why)) => format!("sampled by the per-thread CPU-time timers (not perf_event: {why})"),
        (Source::Timer, None) => "sampled by the per-thread CPU-time timers".to_owned(),
    })
}

/// Whether the table would only say that the serial part had no samples where the account
/// measured no serial part worth naming (under the share of T(1) the sentence names, `attribution::sentence::SAID`, at every point): the
/// account's own `serial/T(1)` column already says so. A sampler that could not run is still said.
fn nothing_to_name(w: &WorkloadResult, points: &[(usize, &Where)]) -> bool {
    let no_samples = points.iter().all(|(_, x)| x.serial_samples == 0 && x.functions.is_empty());
    let could_sample = points.iter().all(|(_, x)| x.note.as_deref().is_none_or(|n| !n.starts_with("no samples:")));
    let negligible = w.points.iter().all(|p| {
        p.time_parts
            .as_ref()
            .and_then(|t| t.serial_share_of_t1.as_ref())
            .is_none_or(|s| s.share < crate::attribution::sentence::SAID)
    });
    no_samples && could_sample && negligible
}

fn shortened(name: &str) -> String {
    shortened_to(name, NAME_WIDTH)
}

/// `name` in at most `width` characters: in full, or its last ones after an ellipsis.
pub(super) fn shortened_to(name: &str, width: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= width {
        name.to_owned()
    } else {
        let tail: String = chars[chars.len() - (width - 1)..].iter().collect();
        format!("…{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::where_lines;
    use crate::account::Part;
    use crate::attribution::{Frames, FunctionShare, Source, Where};
    use crate::results::WorkloadResult;

    fn with_where(serial_samples: u64, note: Option<&str>, serial_share: f64) -> WorkloadResult {
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        for p in &mut w.points {
            let functions = if serial_samples > 0 {
                vec![FunctionShare {
                    function: "my_crate::merge_results".into(),
                    location: Some("src/merge.rs:42".into()),
                    self_share: 0.96,
                    inclusive_share: 1.0,
                }]
            } else {
                Vec::new()
            };
            p.serial_where = Some(Where {
                serial_samples,
                samples: 100,
                frames: Frames::Walked,
                functions,
                note: note.map(Into::into),
                source: Some(Source::Timer),
                perf_event: Some("built without the `perf-event2` feature".into()),
            });
            let parts = p.time_parts.as_mut().expect("the fake clock's run has an account");
            parts.serial_share_of_t1 = Some(Part { share: serial_share, ci95: None });
        }
        w
    }

    #[test]
    fn a_named_function_gets_its_row_with_a_column_per_j() {
        let text = where_lines(&with_where(120, None, 0.1));
        assert!(text.contains("where the serial part runs"), "{text}");
        assert!(text.contains("my_crate::merge_results") && text.contains("src/merge.rs:42"), "{text}");
        assert!(text.contains("j=1") && text.contains("96 / 100"), "{text}");
        assert!(text.contains("per-thread CPU-time timers (not perf_event: built without"), "{text}");
    }

    #[test]
    fn no_samples_where_the_account_measured_no_serial_part_says_nothing() {
        let shorter = Some("no samples of the serial part (it ran shorter than the sampling interval)");
        assert_eq!(where_lines(&with_where(0, shorter, 0.0)), "");
        // A serial part the account measured but the samples missed is said, with the reason.
        let text = where_lines(&with_where(0, shorter, 0.05));
        assert!(text.contains("ran shorter than the sampling interval"), "{text}");
        // So is a sampler that could not run, whatever the serial share.
        let text = where_lines(&with_where(0, Some("no samples: timer_create refused"), 0.0));
        assert!(text.contains("timer_create refused"), "{text}");
    }
}
