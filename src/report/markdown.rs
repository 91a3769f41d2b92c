//! A Markdown summary to paste into an issue or a pull request: the machine in one line, a table of
//! workloads with their best model and diagnosis, and a compact table of S(j) per workload.

use std::fmt::Write;

use super::Exporter;
use crate::error::Result;
use crate::fit::Model;
use crate::results::{ResultsFile, WorkloadResult};

/// The Markdown summary.
pub struct Markdown;

/// The best model and its parameters in a few words.
pub fn model_text(w: &WorkloadResult) -> String {
    match w.fits.best {
        Some(Model::Amdahl) => w
            .fits
            .amdahl_fitted()
            .map(|a| (a.serial_fraction, a.ci95))
            .map(|(b, ci)| match ci {
                Some([lo, hi]) => format!("Amdahl B = {b:.4} [{lo:.4}, {hi:.4}]"),
                None => format!("Amdahl B = {b:.4}"),
            })
            .unwrap_or_default(),
        Some(Model::Usl) => w
            .fits
            .usl_fitted()
            .map(|u| {
                let peak = u.peak_threads.map(|p| format!(", N* = {p:.1}")).unwrap_or_default();
                format!("USL sigma = {:.4}, kappa = {:.5}{peak}", u.sigma, u.kappa)
            })
            .unwrap_or_default(),
        Some(Model::Gustafson) => w
            .fits
            .gustafson_fitted()
            .map(|g| g.serial_fraction)
            .map(|a| format!("Gustafson a = {a:.4}"))
            .unwrap_or_default(),
        _ => "not fitted".to_owned(),
    }
}

/// `text` from a results file made safe for Markdown: no HTML (`<`, `>`, `&` escaped, so a name
/// such as `<script>` is shown, never run, by a renderer that allows HTML), no table column breaks,
/// no control characters.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl Exporter for Markdown {
    fn render(&self, r: &ResultsFile) -> Result<Vec<u8>> {
        let m = &r.machine;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### amdahl results: {} ({} usable CPUs, {} physical cores)\n",
            cell(m.cpu_brand.as_deref().unwrap_or("unknown CPU")),
            m.usable_cpus,
            m.physical_cores
        );
        // The team backend is said only where a workload ran in-process: a command runs its own.
        let backend = if r.workloads.iter().any(|w| w.command.is_none()) {
            format!(", backend {}", r.config.backend)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "Run {} with amdahl {} ({} build){backend}, seed {}.\n",
            cell(&r.run.started_utc),
            cell(&r.tool.version),
            cell(&r.tool.profile),
            r.run.seed
        );
        if let Some(floor) = &r.config.noise_floor {
            let _ = writeln!(out, "{}.\n", super::table::noise_floor_text(floor));
        }
        out += "| workload | kind | S at largest j | best model | diagnosis |\n|---|---|---|---|---|\n";
        for w in &r.workloads {
            let last = w.points.iter().rev().find(|p| p.speedup.is_some());
            let s = last.and_then(|p| Some(format!("{:.2} (j = {})", p.speedup?, p.threads))).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&w.name),
                cell(w.kind.as_str()),
                s,
                cell(&model_text(w)),
                cell(w.diagnosis.as_deref().or(w.error.as_deref()).unwrap_or(""))
            );
        }
        for w in &r.workloads {
            let pts: Vec<_> =
                w.points.iter().filter_map(|p| Some((p.threads, p.speedup?, p.speedup_ci95, p.fidelity))).collect();
            if pts.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n**{}** S(j): ", cell(&w.name));
            out += "| j |";
            pts.iter().for_each(|p| out += &format!(" {} |", p.0));
            out += "\n|---|";
            pts.iter().for_each(|_| out += "---|");
            out += "\n| S |";
            pts.iter().for_each(|p| out += &format!(" {:.2} |", p.1));
            out += "\n| 95% CI |";
            pts.iter()
                .for_each(|p| out += &p.2.map(|[a, b]| format!(" {a:.2}–{b:.2} |")).unwrap_or_else(|| " |".into()));
            if pts.iter().any(|p| p.3.is_some()) {
                out += "\n| fidelity |";
                pts.iter().for_each(|p| out += &p.3.map(|f| format!(" {f:.2} |")).unwrap_or_else(|| " |".into()));
            }
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}
