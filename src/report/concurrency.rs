//! A command's concurrency histogram under its account (`account::command`): one line per
//! thread count, the share of T(j) with 0, 1, 2, ... of its threads on a CPU (the mean over its
//! polled profile runs). Nothing for in-process work.

use std::fmt::Write;

use crate::account::command::mean_shares;
use crate::results::WorkloadResult;

/// The lines of `w`'s concurrency histograms, or nothing when no point has one.
pub fn concurrency_lines(w: &WorkloadResult) -> String {
    let rows: Vec<(usize, Vec<f64>)> = w
        .points
        .iter()
        .filter(|p| !p.concurrency.is_empty())
        .map(|p| (p.threads, mean_shares(&p.concurrency)))
        .collect();
    let Some(levels) = rows.iter().map(|(_, m)| m.len()).max() else { return String::new() };
    let mut out = String::new();
    let _ =
        writeln!(out, "  threads of the command on a CPU (% of T(j), polled; serial = 1, none on a CPU = blocked):");
    let mut header = format!("  {:>4}", "j");
    for k in 0..levels {
        let _ = write!(header, "  {k:>5}");
    }
    let _ = writeln!(out, "{header}");
    for (threads, shares) in &rows {
        let mut line = format!("  {threads:>4}");
        for k in 0..levels {
            let _ = write!(line, "  {:>5}", shares.get(k).map_or("-".to_owned(), |s| format!("{:.1}", 100.0 * s)));
        }
        let _ = writeln!(out, "{line}");
    }
    if rows.iter().any(|(j, _)| *j == 1) {
        let _ = writeln!(
            out,
            "  at j = 1 every moment has at most one thread on a CPU: a command's serial share of T(1) is read from j = 2"
        );
    }
    out
}
