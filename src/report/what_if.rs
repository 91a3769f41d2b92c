//! `measure what-if` as text: per workload, the measured and predicted T(j) at each point, then
//! the prediction's limits.

use std::fmt::Write;

use crate::quantity::format_duration_ns;
use crate::what_if::WhatIfs;

/// The predictions as a table per workload.
pub fn what_if_text(w: &WhatIfs) -> String {
    let mut out = String::new();
    let factor = if w.factor.is_infinite() { "infinitely".to_owned() } else { format!("{}x", w.factor) };
    for workload in &w.workloads {
        let _ = writeln!(out, "{}: if `{}` ran {factor} faster", workload.workload, w.function);
        let _ = writeln!(out, "     j  T(j) measured   on the path   T(j) predicted   change");
        for r in &workload.rows {
            let _ = writeln!(
                out,
                "  {:>4}  {:>13}   {:>10.1}%   {:>14}   {:>+5.1}%",
                r.threads,
                format_duration_ns(r.measured_ns),
                100.0 * r.path_share,
                format_duration_ns(r.predicted_ns),
                100.0 * r.change
            );
        }
    }
    let _ = writeln!(out, "limits: {}", w.limits);
    out
}
