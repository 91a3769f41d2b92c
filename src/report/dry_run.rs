//! The text of `measure run --dry-run`.

use std::fmt::Write;

use super::table::threads_text;
use crate::dry_run::DryRun;

/// The plan, per workload, then the estimate.
pub fn dry_run_text(plan: &DryRun) -> String {
    let mut out = String::new();
    for w in &plan.workloads {
        let t1 = if w.t1_known { "known from its parameters" } else { "here" };
        let _ = writeln!(
            out,
            "{}: j = {} ({} counts); T(1) = {:.3} s {t1}; at least {} samples, {:.1} s",
            w.name,
            threads_text(&w.threads),
            w.threads.len(),
            w.t1_seconds,
            w.minimum_samples,
            w.minimum_seconds
        );
        if let Some(limit) = &w.limit {
            let _ = writeln!(out, "  plan: {}", limit.message);
        }
        for note in &w.notes {
            let _ = writeln!(out, "  plan: {note}");
        }
        let _ = writeln!(
            out,
            "  threads: at most {} alive at once (one crew of threads serves every j, one team at a time)",
            w.threads_alive
        );
        if let Some(advice) = &w.advice {
            let _ = writeln!(out, "  warning: {advice}");
        }
    }
    if let Some(room) = &plan.thread_room {
        let _ = writeln!(out, "this process may start {room}");
    }
    let _ = writeln!(
        out,
        "estimated: about {:.0} s (at least {:.0} s for the warm-ups and minimum rounds; rounds beyond them stop before --budget {:.0} s or when every interval is narrow), plus up to about 10 s measuring the machine's ceilings unless they are cached",
        plan.estimated_seconds, plan.minimum_seconds, plan.budget_seconds
    );
    out
}
