//! Blame and growth under a workload's account: which functions the idle parts are blamed on at
//! each j (`attribution::blame`), and which grow from j = 1 to each j for the same work
//! (`attribution::growth`). Printed by `measure run`, `measure fit` and `measure report` (text and
//! HTML) for every file whose points have `functions`; nothing for the rest.

use std::fmt::Write;

use crate::attribution::blame::{Blamed, shares};
use crate::attribution::functions::Functions;
use crate::attribution::growth::{Estimate, Growth, growth};
use crate::quantity::format_duration_ns;
use crate::results::WorkloadResult;
use crate::scaling::Scaling;

/// The functions named per part and per j.
const SHOWN: usize = 3;

/// The growing functions listed per j.
const GROWN: usize = 5;

/// The share of a part below which its blame is not listed (it is no part of the story).
const PART_SAID: f64 = 0.01;

/// The lines of `w`'s blame and growth, or nothing without `functions`.
pub fn functions_lines(w: &WorkloadResult) -> String {
    let mut out = String::new();
    blame_lines(w, &mut out);
    for (j, rows) in growth_at(w) {
        let shown: Vec<&Growth> = rows.iter().take(GROWN).filter(|g| g.growth_ns.most() > 0.0).collect();
        if shown.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  CPU time grown from j=1 to j={j} for the same work, per run (95% interval over the profile runs):"
        );
        for g in shown {
            let ci = g
                .ci95
                .map_or("no interval: one run".to_owned(), |[lo, hi]| format!("[{}, {}]", signed(lo), signed(hi)));
            let at = g.location.as_deref().map_or(String::new(), |l| format!(", {l}"));
            let at = match &g.inlined {
                Some(i) => format!("{at}, mostly in inlined `{i}`"),
                None => at,
            };
            let _ = writeln!(
                out,
                "    {:<56} {:>12}  {ci}  ({}{at}: {} -> {})",
                shortened(&g.function),
                match g.growth_ns {
                    Estimate::Known(ns) => signed(ns),
                    Estimate::Within([least, most]) => format!("{}..{}", signed(least), signed(most)),
                },
                g.category.words(),
                time(g.at_one_ns),
                time(g.at_ns)
            );
        }
    }
    out
}

/// A mean time per run; one only bounded is a function left out of its point's cut list (at
/// most the most any function left out ran).
fn time(ns: Estimate) -> String {
    match ns {
        Estimate::Known(ns) => format_duration_ns(ns),
        Estimate::Within([_, most]) => format!("at most {} (not kept)", format_duration_ns(most)),
    }
}

/// Growth at every j > 1 with `functions`, against j = 1's.
pub fn growth_at(w: &WorkloadResult) -> Vec<(usize, Vec<Growth>)> {
    let Some(one) = w.points.iter().find(|p| p.threads == 1).and_then(|p| p.functions.as_ref()) else {
        return Vec::new();
    };
    w.points
        .iter()
        .filter(|p| p.threads > 1)
        .filter_map(|p| {
            let at = p.functions.as_ref()?;
            let work = if w.scaling == Scaling::Weak { p.threads as f64 } else { 1.0 };
            Some((p.threads, growth(one, at, work, crate::attribution::growth::SEED)))
        })
        .collect()
}

fn blame_lines(w: &WorkloadResult, out: &mut String) {
    let mut lines = Vec::new();
    for p in w.points.iter().filter(|p| p.threads > 1) {
        let (Some(f), Some(parts)) = (p.functions.as_ref(), p.time_parts.as_ref()) else { continue };
        let mut said = Vec::new();
        for (part, name, share) in
            [(Blamed::Imbalance, "imbalance", parts.imbalance.share), (Blamed::Serial, "serial", parts.serial.share)]
        {
            if share < PART_SAID {
                continue;
            }
            let top: Vec<String> = shares(f, part)
                .iter()
                .take(SHOWN)
                .filter(|s| s.share >= 0.005)
                .map(|s| format!("`{}` {:.0}%", shortened(&s.function), 100.0 * s.share))
                .collect();
            if !top.is_empty() {
                said.push(format!("{name} ({:.1}% of j·T(j)): {}", 100.0 * share, top.join(", ")));
            }
        }
        if !said.is_empty() {
            lines.push(format!("    j={}: {}{}", p.threads, said.join("; "), untimed(f)));
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "  idle time blamed on the functions that kept the others waiting (share of each part):");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// Said when more than 5% of the samples fell past the calls recorded in full.
fn untimed(f: &Functions) -> String {
    let all = f.runs.iter().fold(0u64, |all, r| all.saturating_add(r.samples));
    if f.untimed_samples.saturating_mul(20) > all {
        format!(
            " ({} of {all} samples past the calls recorded in full or in the work's own rayon code: not blamed)",
            f.untimed_samples
        )
    } else {
        String::new()
    }
}

fn signed(ns: f64) -> String {
    if ns < 0.0 { format!("-{}", format_duration_ns(-ns)) } else { format!("+{}", format_duration_ns(ns)) }
}

/// The longest name shown in full; longer names keep their last characters.
const NAME_WIDTH: usize = 56;

fn shortened(name: &str) -> String {
    super::where_table::shortened_to(name, NAME_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::functions_lines;
    use crate::attribution::functions::{FunctionCpu, Functions, RunCpu};

    fn f(name: &str, cpu: u64, imbalance: u64) -> FunctionCpu {
        FunctionCpu {
            function: name.into(),
            inlined: None,
            location: Some("x.rs:1".into()),
            cpu_ns: vec![cpu, cpu + 2_000, cpu - 2_000],
            path_ns: vec![0; 3],
            serial_blame_ns: 0,
            imbalance_blame_ns: imbalance,
        }
    }

    #[test]
    fn blame_and_growth_lines_name_the_functions_with_their_numbers() {
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        assert_eq!(functions_lines(&w), "", "no profiles, no lines");
        for p in &mut w.points {
            let j = p.threads as u64;
            p.functions = Some(Functions {
                runs: vec![RunCpu { wall_ns: 1, cpu_ns: 1, samples: 1 }; 3],
                functions: vec![f("slow_task", 1_000_000 * j, 900 * (j - 1)), f("even", 1_000_000, 100 * (j - 1))],
                untimed_samples: 0,
                left_out_ns: Vec::new(),
            });
            if let Some(parts) = p.time_parts.as_mut() {
                parts.imbalance.share = 0.2;
            }
        }
        let text = functions_lines(&w);
        assert!(text.contains("j=2: imbalance (20.0% of j·T(j)): `slow_task` 90%, `even` 10%"), "{text}");
        assert!(text.contains("CPU time grown from j=1 to j=2"), "{text}");
        assert!(text.contains("slow_task") && text.contains("+1.00 ms"), "{text}");
        assert!(!text.contains("even     "), "a function that did not grow is not listed: {text}");
    }

    #[test]
    fn a_growth_only_bounded_is_said_as_a_range_from_a_time_at_most() {
        let mut w = crate::report::tests::fixture().workloads.remove(0);
        for p in &mut w.points {
            let one = p.threads == 1;
            p.functions = Some(Functions {
                runs: vec![RunCpu { wall_ns: 1, cpu_ns: 1, samples: 1 }; 3],
                functions: if one {
                    vec![f("work", 2_000_000, 0)]
                } else {
                    vec![f("work", 2_000_000, 0), f("victim", 1_000_000, 0)]
                },
                untimed_samples: 0,
                // `victim` was left out at j = 1, where the most any left-out function ran was 400 µs.
                left_out_ns: if one { vec![400_000, 410_000, 390_000] } else { Vec::new() },
            });
        }
        let text = functions_lines(&w);
        let line = text.lines().find(|l| l.contains("victim")).unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains("+600.0 us..+1.00 ms"), "{line}");
        assert!(line.contains("at most 400.0 us (not kept) -> 1.00 ms"), "{line}");
    }
}
