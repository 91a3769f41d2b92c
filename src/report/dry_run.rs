//! The text of `measure run --dry-run`.

use std::fmt::Write;

use super::table::threads_text;
use crate::dry_run::DryRun;

/// The plan, per workload, then the estimate.
pub fn dry_run_text(plan: &DryRun) -> String {
    let mut out = String::new();
    for w in &plan.workloads {
        let _ = writeln!(
            out,
            "{}: j = {} ({} counts); T(1) = {:.3} s here; at least {} samples, {:.1} s",
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
        if let Some(advice) = &w.advice {
            let _ = writeln!(out, "  warning: {advice}");
        }
    }
    let _ = writeln!(
        out,
        "estimated: about {:.0} s (at least {:.0} s for the warm-ups and minimum rounds; rounds beyond them stop at --budget {:.0} s or when every interval is narrow), plus up to about 10 s measuring the machine's ceilings unless they are cached",
        plan.estimated_seconds, plan.minimum_seconds, plan.budget_seconds
    );
    out
}
