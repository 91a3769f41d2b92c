//! `measure compare` as text and as one HTML page with the machines' speedup curves overlaid.

use std::fmt::Write;

use super::svg::{Series, escape, overlay_chart};
use crate::compare::{Comparison, PairComparison};
use crate::results::ResultsFile;

fn ci(c: Option<[f64; 2]>, digits: usize) -> String {
    c.map(|[lo, hi]| format!(" [{lo:.digits$}, {hi:.digits$}]")).unwrap_or_default()
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}")).unwrap_or_else(|| "-".into())
}

/// The comparison as plain text.
pub fn comparison_text(c: &Comparison) -> String {
    let mut out = String::from("Machines:\n");
    for m in &c.machines {
        let _ = writeln!(
            out,
            "  {}  {}: {} on {}, {} usable CPUs, {} physical cores",
            m.label,
            m.file,
            m.cpu.as_deref().unwrap_or("unknown CPU"),
            m.host.as_deref().unwrap_or("unknown host"),
            m.usable_cpus,
            m.physical_cores
        );
    }
    if !c.environment_differences.is_empty() {
        out += "\nWhat differs between the environments:\n";
        let labels: Vec<&str> = c.machines.iter().map(|m| m.label.as_str()).collect();
        let _ = writeln!(out, "  {:<18} {}", "", labels.iter().map(|l| format!("{l:<28}")).collect::<String>());
        for d in &c.environment_differences {
            let _ =
                writeln!(out, "  {:<18} {}", d.field, d.values.iter().map(|v| format!("{v:<28}")).collect::<String>());
        }
    }
    for w in &c.workloads {
        let _ = writeln!(out, "\n{} ({}):", w.name, w.params);
        for p in &w.pairs {
            out += &pair_text(p);
        }
    }
    if !c.not_compared.is_empty() {
        out += "\nNot compared:\n";
        for n in &c.not_compared {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

fn pair_text(p: &PairComparison) -> String {
    let mut out = String::new();
    let o = &p.other;
    let _ = writeln!(
        out,
        "  A vs {o}: per-core speed T1(A)/T1({o}) = {}{}",
        num(p.per_core_ratio, 3),
        ci(p.per_core_ratio_ci95, 3)
    );
    if let Some(j) = p.common_threads {
        let _ = writeln!(
            out,
            "    S({j}), the largest common j: A {}{}, {o} {}{}",
            num(p.speedup_at_common[0], 3),
            ci(p.speedup_at_common_ci95[0], 3),
            num(p.speedup_at_common[1], 3),
            ci(p.speedup_at_common_ci95[1], 3)
        );
        if p.fidelity_at_common.iter().any(Option::is_some) {
            let _ = writeln!(
                out,
                "    against each machine's own ceiling at {j}: A {} of {}, {o} {} of {}",
                num(p.fidelity_at_common[0], 2),
                num(p.machine_speedup_at_common[0], 2),
                num(p.fidelity_at_common[1], 2),
                num(p.machine_speedup_at_common[1], 2)
            );
        }
    }
    let _ = writeln!(
        out,
        "    Amdahl serial fraction (fitted up to j = {} and {}): A {}{}, {o} {}{}; difference {o} - A = {}{}{}",
        p.fitted_up_to[0].map_or("-".into(), |j| j.to_string()),
        p.fitted_up_to[1].map_or("-".into(), |j| j.to_string()),
        num(p.serial_fraction[0], 4),
        ci(p.serial_fraction_ci95[0], 4),
        num(p.serial_fraction[1], 4),
        ci(p.serial_fraction_ci95[1], 4),
        num(p.serial_fraction_difference, 4),
        ci(p.serial_fraction_difference_ci95, 4),
        if p.significant { " (significant)" } else { " (not significant)" }
    );
    let _ = writeln!(out, "    => {}", p.sentence);
    out
}

/// One HTML page: the text, then per compared workload the speedup curves of every machine.
pub fn comparison_html(c: &Comparison, files: &[(String, ResultsFile)]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>amdahl compare</title>\
         <style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em}\
         pre{background:#f8f8f8;padding:.6em;overflow-x:auto}.charts{display:flex;flex-wrap:wrap;gap:.5em}</style></head><body>\
         <h1>amdahl: comparison of machines</h1>",
    );
    let _ = write!(out, "<pre>{}</pre><div class=\"charts\">", escape(&comparison_text(c)));
    for w in &c.workloads {
        let curves: Vec<Series> = files
            .iter()
            .zip(&c.machines)
            .filter_map(|((_, r), m)| {
                let wr = r.workloads.iter().find(|x| x.name == w.name)?;
                let pts =
                    wr.points.iter().filter_map(|p| Some((p.threads as f64, p.speedup?, p.speedup_ci95))).collect();
                Some((format!("{}: {} ({} CPUs)", m.label, m.cpu.as_deref().unwrap_or("?"), m.usable_cpus), pts))
            })
            .collect();
        out += &overlay_chart(&format!("{}: speedup by machine", w.name), &curves);
    }
    out += "</div></body></html>\n";
    out
}
