//! The thread-time account under a workload's table: one line per thread count, each part as a
//! share of j x T(j) (adding up to 100), then the serial share of T(1) — the two views of
//! `account::parts`. Printed by `measure run` and `measure fit` for every file whose points have
//! profile runs; nothing for the rest.

use std::fmt::Write;

use crate::account::{Part, PartName, TimeParts, WorkSpan};
use crate::results::WorkloadResult;

/// The lines of `w`'s account, or nothing when no point has one.
pub fn time_parts_lines(w: &WorkloadResult) -> String {
    let accounts: Vec<(usize, &TimeParts)> =
        w.points.iter().filter_map(|p| Some((p.threads, p.time_parts.as_ref()?))).collect();
    let Some(runs) = accounts.iter().map(|(_, a)| a.profile_runs).max() else { return String::new() };
    let merged = accounts.iter().any(|(_, a)| a.merged.is_some());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  where the thread-time j x T(j) goes (measured in up to {runs} profile run{} a point; % of it, then % of T(1)):",
        if runs == 1 { "" } else { "s" }
    );
    let mut header = format!("  {:>4}", "j");
    for part in PartName::ALL {
        let _ = write!(header, "  {:>9}", part.as_str());
    }
    if merged {
        let _ = write!(header, "  {:>6}", "merged");
    }
    let _ = writeln!(out, "{header}  {:>11}", "serial/T(1)");
    for (threads, a) in &accounts {
        let mut line = format!("  {threads:>4}");
        for part in PartName::ALL {
            let _ = write!(line, "  {:>9}", share(a.share(part)));
        }
        if merged {
            let _ = write!(line, "  {:>6}", share(a.merged.as_ref().map(|m| m.part)));
        }
        // A command's time with one thread on a CPU at j = 1 is all of its work (see
        // `account::command`): not its serial part.
        let serial_of_t1 = if w.command.is_some() && *threads == 1 { None } else { a.serial_share_of_t1 };
        let _ = write!(line, "  {:>11}", share(serial_of_t1));
        if let (true, Some(ratio)) = (a.distorted, a.profile_over_timed) {
            let _ = write!(line, "  (profile runs {:+.0}% against T(j))", 100.0 * (ratio - 1.0));
        }
        let _ = writeln!(out, "{line}");
    }
    if accounts.iter().any(|(_, a)| a.run_queue.is_none()) {
        let _ = writeln!(out, "  run-queue wait not measured (no schedstat): it is in blocked");
    }
    if merged {
        let _ = writeln!(
            out,
            "  merged: off-CPU time in the user's own rayon code, where serial, imbalance, dispatch and blocked cannot be told apart"
        );
    }
    out.push_str(&work_span_line(w));
    out.push_str(&super::concurrency::concurrency_lines(w));
    out
}

fn share(part: Option<Part>) -> String {
    part.map_or("-".to_owned(), |p| format!("{:.1}", 100.0 * p.share))
}

/// The work/span bound of `w` from its j = 1 point's span runs against its timed median T(1)
/// (`account::work_span`), for the table's line and the speedup chart.
pub(super) fn work_span_of(w: &WorkloadResult) -> Option<WorkSpan> {
    w.points.iter().find(|p| p.threads == 1).and_then(|p| WorkSpan::of(&p.profile, p.median_ns))
}

/// The work/span bound of `w` from its j = 1 profile runs (`account::work_span`), and where it
/// binds against the measured speedups; nothing without one.
fn work_span_line(w: &WorkloadResult) -> String {
    let Some(ws) = work_span_of(w) else {
        return String::new();
    };
    let interval = |p: Part| p.ci95.map_or(String::new(), |[lo, hi]| format!(" [{lo:.1}, {hi:.1}]"));
    let mut line = format!(
        "  work/span: S <= {:.1}{} at any j (span = serial code {:.1}% + the longest task of each call {:.1}% of T(1), from {} span run{} at j = 1)",
        ws.bound.share,
        interval(ws.bound),
        100.0 * ws.serial.share,
        100.0 * ws.longest_tasks.share,
        ws.runs,
        if ws.runs == 1 { "" } else { "s" }
    );
    let from = ws.binds_from();
    let largest = w.points.iter().filter(|p| p.speedup.is_some()).map(|p| p.threads).max().unwrap_or(1);
    if from <= largest {
        let _ = write!(line, "; it binds from j = {from}: no S(j) there can reach j");
    } else {
        let _ = write!(line, "; it does not bind up to j = {largest}");
    }
    if let Some(p) =
        w.points.iter().find(|p| p.threads > 1 && p.speedup_ci95.is_some_and(|[lo, _]| lo > ws.bound.high()))
    {
        let _ = write!(
            line,
            "; but S({}) = {:.2} is above it: the span read is too long (tasks slowed by the profile run's timing?)",
            p.threads,
            p.speedup.unwrap_or(f64::NAN)
        );
    }
    line.push('\n');
    line
}
