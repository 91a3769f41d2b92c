//! `measure compare` as text, and as one HTML page: tables of the machines, what differs between
//! their environments and each common workload's comparison (each side's verdict beside the
//! other's), with every machine's speedup curve,
//! fitted model and own ceiling overlaid.

use std::fmt::Write;

use super::Marked;
use super::svg::{Overlay, escape, overlay_chart};
use super::table::threads_text;
use crate::compare::{Comparison, Figure, FigureTest, PairComparison};
use crate::fit::{Diagnosis, Model};
use crate::results::ResultsFile;

fn ci(c: Option<[f64; 2]>, digits: usize) -> String {
    c.map(|[lo, hi]| format!(" [{lo:.digits$}, {hi:.digits$}]")).unwrap_or_default()
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}")).unwrap_or_else(|| "-".into())
}

/// The single-thread speed in words: which machine is faster on one thread, when the T(1)
/// ratio's interval excludes 1.
fn speed_words(p: &PairComparison) -> String {
    let o = &p.other;
    match (p.per_core_ratio, p.per_core_ratio_ci95) {
        (Some(r), Some([lo, _])) if lo > 1.0 => format!("{o} is {r:.2}x faster on one thread"),
        (Some(r), Some([_, hi])) if hi < 1.0 => format!("A is {:.2}x faster on one thread", 1.0 / r),
        (Some(_), _) => "alike on one thread".to_owned(),
        _ => "unknown".to_owned(),
    }
}

/// Each side's diagnosis with its key number, side by side: "A saturates from 8 threads (S =
/// 3.61); B saturates from 16 threads (S = 6.20)".
fn verdict_words(p: &PairComparison) -> String {
    format!("A {}; {} {}", verdict_headline(&p.diagnosis[0]), p.other, verdict_headline(&p.diagnosis[1]))
}

fn verdict_headline(d: &Option<Diagnosis>) -> String {
    d.as_ref().map_or_else(|| "has no verdict".to_owned(), Diagnosis::headline)
}

/// Which thread counts each B was fitted on, in words.
fn fitted_words(p: &PairComparison) -> String {
    let [a, b] = &p.fitted_threads;
    if a == b {
        format!("both fitted on j = {}", threads_text(a))
    } else {
        format!("A fitted on j = {}, {} on j = {}", threads_text(a), p.other, threads_text(b))
    }
}

/// The comparison as plain text.
pub fn comparison_text(c: &Comparison) -> Marked {
    // Runs of one machine are runs, labelled by file; "machines" only when the machines differ.
    let mut out = Marked::from(if c.one_machine { "Runs, on one machine:\n" } else { "Machines:\n" }.to_owned());
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
        out.push("\nWhat differs between the environments:\n");
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
            out.append(pair_text(p));
        }
    }
    if !c.not_compared.is_empty() {
        out.push("\nNot compared:\n");
        for n in &c.not_compared {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

fn pair_text(p: &PairComparison) -> Marked {
    let mut out = Marked::default();
    let o = &p.other;
    let _ = writeln!(
        out,
        "  A vs {o}: T(1) ratio T1(A)/T1({o}) = {}{}: {}",
        num(p.per_core_ratio, 3),
        ci(p.per_core_ratio_ci95, 3),
        speed_words(p)
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
    let _ = writeln!(out, "    verdicts: {}", verdict_words(p));
    let _ = writeln!(
        out,
        "    Amdahl serial fraction ({}): A {}{}, {o} {}{}; difference {o} - A = {}{}{}",
        fitted_words(p),
        num(p.serial_fraction[0], 4),
        ci(p.serial_fraction_ci95[0], 4),
        num(p.serial_fraction[1], 4),
        ci(p.serial_fraction_ci95[1], 4),
        num(p.serial_fraction_difference, 4),
        ci(p.serial_fraction_difference_ci95, 4),
        if p.tests.iter().any(|t| t.figure == Figure::SerialFraction && t.significant) {
            " (significant)"
        } else {
            " (not significant)"
        }
    );
    let _ = writeln!(out, "    tests (the change from A to {o}; its 95% interval combines both runs' intervals):");
    let rows: Vec<[String; 6]> = p.tests.iter().map(test_columns).collect();
    let header = test_header(o);
    let widths: Vec<usize> = (0..6)
        .map(|k| rows.iter().map(|r| r[k].chars().count()).chain([header[k].chars().count()]).max().unwrap_or(0))
        .collect();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "      {}", cells.join("  ").trim_end());
    }
    // The comparison's own conclusion, said in bold: no verdict of a curve.
    out.verdict_line("    ", &p.sentence, None);
    out
}

/// The columns of the tests' table: the figure, the change, its interval, whether the interval
/// excludes no change (`beyond noise`), the thread counts of each side's disturbed points that
/// the figure reads, and whether it is called a change (`significant`: beyond noise, neither
/// side disturbed there).
fn test_header(other: &str) -> [String; 6] {
    [
        "figure".into(),
        "change".into(),
        "95% interval".into(),
        "beyond noise".into(),
        format!("disturbed (A; {other})"),
        "significant".into(),
    ]
}

/// One test's row of [`test_header`]'s columns.
fn test_columns(t: &FigureTest) -> [String; 6] {
    let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let side = |js: &[usize]| {
        if js.is_empty() {
            "-".to_owned()
        } else {
            format!("j = {}", js.iter().map(usize::to_string).collect::<Vec<_>>().join(", "))
        }
    };
    let (name, change, interval) = match t.figure {
        Figure::SerialFraction => (
            "B".to_owned(),
            format!("{:+.4}", t.change),
            format!("[{:+.4}, {:+.4}]", t.change_ci95[0], t.change_ci95[1]),
        ),
        figure => (
            match (figure, t.threads) {
                (Figure::Speedup, Some(j)) => format!("S({j})"),
                _ => figure.as_str().to_owned(),
            },
            format!("{:+.1}%", t.change * 100.0),
            format!("[{:+.1}%, {:+.1}%]", t.change_ci95[0] * 100.0, t.change_ci95[1] * 100.0),
        ),
    };
    let disturbed = format!("{}; {}", side(&t.disturbed[0]), side(&t.disturbed[1]));
    [name, change, interval, yes(t.beyond_noise), disturbed, yes(t.significant)]
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right;vertical-align:top;white-space:nowrap}\
td.l,th.l{white-space:normal}\
th{background:#f4f4f4}.l{text-align:left}.sig{font-weight:bold}.verdict{background:#f8f8f8;border-left:4px solid #1f77b4;padding:.4em .8em}\
.charts{display:flex;flex-wrap:wrap;gap:.5em}section{margin-top:2em}";

/// One HTML page: the machines, the environment differences and each workload's comparison as
/// tables, with the machines' curves overlaid.
pub fn comparison_html(c: &Comparison, files: &[(String, ResultsFile)]) -> String {
    let (what, heading) = if c.one_machine { ("runs on one machine", "Runs") } else { ("machines", "Machines") };
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>amdahl compare</title><style>{STYLE}</style></head><body><h1>amdahl: comparison of {what}</h1>"
    );
    let _ = write!(out, "<h2>{heading}</h2><table>");
    out += "<tr><th class=\"l\">label</th><th class=\"l\">file</th><th class=\"l\">CPU</th><th class=\"l\">host</th><th>usable CPUs</th><th>physical cores</th></tr>";
    for m in &c.machines {
        let _ = write!(
            out,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&m.label),
            escape(&m.file),
            escape(m.cpu.as_deref().unwrap_or("unknown")),
            escape(m.host.as_deref().unwrap_or("unknown")),
            m.usable_cpus,
            m.physical_cores
        );
    }
    out += "</table>";
    if !c.environment_differences.is_empty() {
        out += "<h2>What differs between the environments</h2><table><tr><th class=\"l\">fact</th>";
        for m in &c.machines {
            let _ = write!(out, "<th class=\"l\">{}</th>", escape(&m.label));
        }
        out += "</tr>";
        for d in &c.environment_differences {
            let _ = write!(out, "<tr><td class=\"l\">{}</td>", escape(&d.field));
            for v in &d.values {
                let _ = write!(out, "<td class=\"l\">{}</td>", escape(v));
            }
            out += "</tr>";
        }
        out += "</table>";
    }
    for w in &c.workloads {
        let _ = write!(out, "<section><h2>{} <small>({})</small></h2>", escape(&w.name), escape(&w.params));
        for p in &w.pairs {
            out += &pair_html(p);
        }
        let curves: Vec<Overlay> = files
            .iter()
            .zip(&c.machines)
            .filter_map(|((_, r), m)| {
                let wr = r.workloads.iter().find(|x| x.name == w.name)?;
                let points =
                    wr.points.iter().filter_map(|p| Some((p.threads as f64, p.speedup?, p.speedup_ci95))).collect();
                let model = match wr.fits.best {
                    Some(Model::Usl) => wr.fits.usl_fitted().map(|u| (u.sigma, u.kappa)),
                    _ => wr.fits.amdahl_fitted().map(|a| (a.serial_fraction, 0.0)),
                };
                let ceiling = wr.points.iter().filter_map(|p| Some((p.threads as f64, p.machine_speedup?))).collect();
                // One machine: each curve is a run, named by its file; else by its machine.
                let label = if c.one_machine {
                    format!("{}: {}", m.label, file_name(&m.file))
                } else {
                    format!("{}: {} ({} CPUs)", m.label, m.cpu.as_deref().unwrap_or("?"), m.usable_cpus)
                };
                Some(Overlay { label, points, model, ceiling })
            })
            .collect();
        let _ = write!(
            out,
            "<div class=\"charts\">{}</div></section>",
            overlay_chart(
                &format!("{}: speedup by {}", w.name, if c.one_machine { "run" } else { "machine" }),
                &curves
            )
        );
    }
    if !c.not_compared.is_empty() {
        out += "<h2>Not compared</h2><ul>";
        for n in &c.not_compared {
            let _ = write!(out, "<li>{}</li>", escape(n));
        }
        out += "</ul>";
    }
    out += "</body></html>\n";
    out
}

/// The last part of a file's path, as a legend can hold it.
fn file_name(path: &str) -> &str {
    std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or(path)
}

fn pair_html(p: &PairComparison) -> String {
    let o = escape(&p.other);
    let cell = |v: Option<f64>, c: Option<[f64; 2]>, d: usize| format!("{}{}", num(v, d), ci(c, d));
    let mut rows: Vec<(String, String, String, String)> = vec![(
        "T(1) ratio T1(A)/T1(other)".into(),
        cell(p.per_core_ratio, p.per_core_ratio_ci95, 3),
        String::new(),
        speed_words(p),
    )];
    if let Some(j) = p.common_threads {
        rows.push((
            format!("S({j}), the largest common j"),
            cell(p.speedup_at_common[0], p.speedup_at_common_ci95[0], 3),
            cell(p.speedup_at_common[1], p.speedup_at_common_ci95[1], 3),
            String::new(),
        ));
        if p.fidelity_at_common.iter().any(Option::is_some) {
            let of =
                |i: usize| format!("{} of {}", num(p.fidelity_at_common[i], 2), num(p.machine_speedup_at_common[i], 2));
            rows.push((format!("fidelity at {j}: S / the machine's own ceiling"), of(0), of(1), String::new()));
        }
    }
    let same = match &p.diagnosis {
        [Some(a), Some(b)] if a.verdict.kind() == b.verdict.kind() => format!("the same kind ({})", a.verdict.kind()),
        [Some(a), Some(b)] => format!("different kinds ({} vs {})", a.verdict.kind(), b.verdict.kind()),
        _ => String::new(),
    };
    rows.push(("verdict".into(), verdict_headline(&p.diagnosis[0]), verdict_headline(&p.diagnosis[1]), same));
    rows.push((
        format!("Amdahl serial fraction B ({})", fitted_words(p)),
        cell(p.serial_fraction[0], p.serial_fraction_ci95[0], 4),
        cell(p.serial_fraction[1], p.serial_fraction_ci95[1], 4),
        format!(
            "difference {o} - A = {}{} ({})",
            num(p.serial_fraction_difference, 4),
            ci(p.serial_fraction_difference_ci95, 4),
            if p.tests.iter().any(|t| t.figure == Figure::SerialFraction && t.significant) {
                "significant"
            } else {
                "not significant"
            }
        ),
    ));
    let mut out =
        format!("<h3>A vs {o}</h3><table><tr><th class=\"l\"></th><th>A</th><th>{o}</th><th class=\"l\">so</th></tr>");
    for (what, a, b, note) in rows {
        let _ = write!(
            out,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
            escape(&what),
            escape(&a),
            escape(&b),
            escape(&note)
        );
    }
    out += "</table><table class=\"tests\"><tr>";
    for h in test_header(&p.other) {
        let _ = write!(out, "<th>{}</th>", escape(&h));
    }
    out += "</tr>";
    for t in &p.tests {
        let _ = write!(out, "<tr{}>", if t.significant { " class=\"sig\"" } else { "" });
        for c in test_columns(t) {
            let _ = write!(out, "<td>{}</td>", escape(&c));
        }
        out += "</tr>";
    }
    let _ = write!(
        out,
        "</table><p class=\"verdict{}\">{}</p>",
        if p.significant { " sig" } else { "" },
        escape(&p.sentence)
    );
    out
}
