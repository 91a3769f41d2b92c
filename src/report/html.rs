//! One self-contained HTML page: the machine, a summary, and per workload its diagnosis, charts
//! (SVG inline) and table. No scripts, nothing loaded from the network; readable as plain HTML.

use std::fmt::Write;

use super::svg::{combined, efficiency_chart, escape, karp_flatt_chart, speedup_chart};
use super::{Exporter, format_duration_ns, table};
use crate::error::Result;
use crate::results::{ResultsFile, Tag, WorkloadResult};
use crate::thread_set::CpuCounts;

/// The HTML report.
pub struct Html;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;border-bottom:1px solid #e4e4e4;text-align:right}\
th{background:#f4f4f4}td.l,th.l{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:.5em}\
.diag{font-size:1.05em;background:#f6f8fa;border-left:4px solid #1f77b4;padding:.4em .8em}\
.warn{color:#8a5300}pre{background:#f8f8f8;padding:.5em;overflow-x:auto}.err{color:#b00}";

/// What the page's words and numbers mean.
const GLOSSARY: &str = "<section id=\"glossary\"><h2>Glossary</h2><dl>\
<dt>T(j)</dt><dd>The median wall time of one run at j threads, with its bootstrap 95% CI.</dd>\
<dt>S(j), speedup</dt><dd>The median over rounds of the paired ratio T1/Tj: each round measures every j once, in a shuffled order, so drift falls on all j alike.</dd>\
<dt>E, efficiency</dt><dd>S(j)/j: 1 when j threads are j times as fast.</dd>\
<dt>Karp-Flatt e(j)</dt><dd>(1/S - 1/j)/(1 - 1/j), the serial fraction implied by each point: constant when Amdahl's law holds, rising when overhead or a shared resource grows with j.</dd>\
<dt>util</dt><dd>CPU time of the team's threads / (wall time x min(j, usable CPUs)): near 1 when every thread computes, near 0 when threads wait; - when runs take under 1 ms, where the CPU clocks' own reads count.</dd>\
<dt>machine S_max, fidelity</dt><dd>What plain std threads pinned to the CPUs reach on this machine at j (a spin loop, a triad's bandwidth or sleeping threads, by the kind of work), and S(j) divided by it.</dd>\
<dt>Amdahl B</dt><dd>The serial fraction of S(j) = 1/(B + (1-B)/j), with its 95% interval; 1/B is the ceiling no number of threads beats.</dd>\
<dt>USL</dt><dd>The Universal Scalability Law S(j) = j/(1 + sigma(j-1) + kappa j(j-1)): contention sigma and coherency kappa; a peak at N* = sqrt((1-sigma)/kappa) when kappa > 0.</dd>\
<dt>tags</dt><dd><b>oversubscribed</b>: more threads than usable CPUs (left out of the fit but for I/O-bound work); <b>smt</b>: more threads than physical cores, where SMT siblings are usable; <b>disturbed</b>: other work competed for the CPUs while the point was measured.</dd>\
</dl></section>";

impl Exporter for Html {
    fn render(&self, r: &ResultsFile) -> Result<Vec<u8>> {
        Ok(page(r, "", super::svg::CHARTS).into_bytes())
    }
}

impl Html {
    /// The page of `r` with a section after the summary (`heading` and lines of text), as a
    /// bench's page holds the changes since its baseline.
    pub fn with_section(r: &ResultsFile, heading: &str, lines: &str) -> String {
        Html::with_section_drawn(r, heading, lines, super::svg::CHARTS)
    }

    /// [`Html::with_section`], with the charts drawn or, when `charts` is false (a build without
    /// plotters), one line saying how to have them instead.
    pub fn with_section_drawn(r: &ResultsFile, heading: &str, lines: &str, charts: bool) -> String {
        let section =
            format!("<section id=\"changes\"><h2>{}</h2><pre>{}</pre></section>", escape(heading), escape(lines));
        page(r, &section, charts)
    }
}

/// The page: machine, warnings, summary, `extra` (already HTML), each workload, the glossary.
fn page(r: &ResultsFile, extra: &str, charts: bool) -> String {
    let m = &r.machine;
    let cores = r.machine.cpu_counts();
    let mut out = String::new();
    let title = format!(
        "amdahl: {} on {}",
        m.cpu_brand.as_deref().unwrap_or("unknown CPU"),
        m.hostname.as_deref().unwrap_or("unknown host")
    );
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(out, "<h1>{}</h1>", escape(&title));
    let _ = write!(
        out,
        "<p>Run started {} ({:?}), amdahl {} ({} build{}), seed {}.</p>",
        escape(&r.run.started_utc),
        r.run.status,
        escape(&r.tool.version),
        escape(&r.tool.profile),
        r.tool.git_commit.as_deref().map(|c| format!(", commit {}", escape(c))).unwrap_or_default(),
        r.run.seed
    );
    if let Some(floor) = &r.config.noise_floor {
        let _ = write!(out, "<p>{}.</p>", escape(&super::table::noise_floor_text(floor)));
    }
    out += &machine_table(r);
    if !r.warnings.is_empty() {
        out += "<ul class=\"warn\">";
        for w in &r.warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out += "</ul>";
    }
    out += &summary_table(r);
    out += extra;
    if !charts {
        out += "<p class=\"warn\">No charts: this build of amdahl leaves out its `charts` feature (plotters). \
                A bench turns it on with <code>amdahl = { ..., default-features = false, features = [\"charts\"] }</code>; \
                <code>measure report</code> of the results file draws them too.</p>";
    }
    for w in &r.workloads {
        out += &workload_section(w, cores, charts);
    }
    out += GLOSSARY;
    out += "</body></html>\n";
    out
}

fn machine_table(r: &ResultsFile) -> String {
    let m = &r.machine;
    let unknown = || "unknown".to_owned();
    let rows: Vec<(&str, String)> = vec![
        ("CPU", m.cpu_brand.clone().unwrap_or_else(unknown)),
        ("usable CPUs (N)", m.usable_cpus.to_string()),
        ("physical cores (P)", m.physical_cores.to_string()),
        ("threads per core", m.threads_per_core.map(|t| t.to_string()).unwrap_or_else(unknown)),
        (
            "memory",
            m.memory_bytes.map(|b| format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)).unwrap_or_else(unknown),
        ),
        ("OS, kernel", format!("{} {}", m.os, m.kernel.clone().unwrap_or_default())),
        (
            "governor, boost",
            format!(
                "{}, {}",
                m.governor.clone().unwrap_or_else(unknown),
                m.boost.map(|b| b.to_string()).unwrap_or_else(unknown)
            ),
        ),
        ("load before, after", format!("{}, {}", load(m.load_before), load(m.load_after))),
        ("machine ceilings", m.ceilings.as_ref().map_or_else(|| "not measured".to_owned(), ceilings_text)),
        ("rustc", r.tool.rustc.clone().unwrap_or_else(unknown)),
    ];
    let mut out = String::from("<table>");
    for (k, v) in rows {
        let _ = write!(out, "<tr><th class=\"l\">{k}</th><td class=\"l\">{}</td></tr>", escape(&v));
    }
    out + "</table>"
}

/// The machine's ceilings at their largest thread counts, in a line.
fn ceilings_text(c: &crate::results::Ceilings) -> String {
    let mut parts = Vec::new();
    if let Some(x) = c.compute.last() {
        parts.push(format!("compute S_max({}) = {:.2}, clock {:.2} of j = 1", x.threads, x.speedup, x.relative_clock));
    }
    if let (Some(one), Some(x)) = (c.bandwidth.first(), c.bandwidth.last()) {
        parts.push(format!("triad {:.1} GB/s at 1, {:.1} GB/s at {}", one.gb_per_s, x.gb_per_s, x.threads));
    }
    if let Some(x) = c.timer.last() {
        parts.push(format!("sleeping threads S({}) = {:.1}", x.threads, x.speedup));
    }
    format!("{} (pinned {}, {})", parts.join("; "), c.placement, c.measured_utc)
}

fn load(l: Option<[f64; 3]>) -> String {
    l.map(|[a, b, c]| format!("{a:.2} {b:.2} {c:.2}")).unwrap_or_else(|| "unknown".into())
}

fn summary_table(r: &ResultsFile) -> String {
    let mut out = String::from(
        "<h2>Summary</h2><table><tr><th class=\"l\">workload</th><th class=\"l\">kind</th><th>largest j</th><th>S(j)</th><th class=\"l\">best model</th><th class=\"l\">diagnosis</th></tr>",
    );
    for w in &r.workloads {
        let last = w.points.iter().rev().find(|p| p.speedup.is_some());
        let _ = write!(
            out,
            "<tr><td class=\"l\"><a href=\"#{0}\">{0}</a></td><td class=\"l\">{1}</td><td>{2}</td><td>{3}</td><td class=\"l\">{4}</td><td class=\"l\">{5}</td></tr>",
            escape(&w.name),
            escape(w.kind.as_str()),
            last.map(|p| p.threads.to_string()).unwrap_or_default(),
            last.and_then(|p| p.speedup).map(|s| format!("{s:.2}")).unwrap_or_default(),
            escape(&super::markdown::model_text(w)),
            escape(w.diagnosis.as_deref().or(w.error.as_deref()).unwrap_or(""))
        );
    }
    out + "</table>"
}

fn workload_section(w: &WorkloadResult, cores: CpuCounts, charts: bool) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<section id=\"{0}\"><h2>{0} <small>({1}; {2} rounds)</small></h2>",
        escape(&w.name),
        escape(&super::setting_words(w)),
        w.rounds
    );
    if let Some(d) = &w.diagnosis {
        let _ = write!(out, "<p class=\"diag\">{}</p>", escape(d));
    }
    if let Some(e) = &w.error {
        let _ = write!(out, "<p class=\"err\">error: {}</p>", escape(e));
    }
    for warning in &w.warnings {
        let _ = write!(out, "<p class=\"warn\">warning: {}</p>", escape(warning));
    }
    if charts && w.points.iter().any(|p| p.speedup.is_some()) {
        // Fewer than four thread counts: one chart, its points labelled with S and E.
        let (efficiency, karp_flatt) = if combined(w) {
            (String::new(), String::new())
        } else {
            let kf = w.points.iter().any(|p| p.karp_flatt.is_some());
            (efficiency_chart(w), if kf { karp_flatt_chart(w) } else { String::new() })
        };
        let parts = super::svg::parts_chart(w).unwrap_or_default();
        let _ = write!(out, "<div class=\"charts\">{}{parts}{efficiency}{karp_flatt}</div>", speedup_chart(w, cores));
    }
    out += "<table><tr><th>j</th><th>T(j) median</th><th>95% CI</th><th>S(j)</th><th>95% CI</th><th>E</th><th>Karp-Flatt</th><th>util</th><th title=\"what plain pinned threads reach on this machine at j\">machine S_max</th><th title=\"S(j) / machine S_max\">fidelity</th><th class=\"l\">tags</th></tr>";
    for p in &w.points {
        let ci = |c: Option<[f64; 2]>, f: &dyn Fn(f64) -> String| {
            c.map(|[a, b]| format!("{} – {}", f(a), f(b))).unwrap_or_default()
        };
        let num = |v: Option<f64>, d: usize| v.map(|v| format!("{v:.d$}")).unwrap_or_default();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
            p.threads,
            p.median_ns.map(format_duration_ns).unwrap_or_default(),
            ci(p.median_ns_ci95, &format_duration_ns),
            num(p.speedup, 3),
            ci(p.speedup_ci95, &|v| format!("{v:.3}")),
            num(p.efficiency, 3),
            num(p.karp_flatt, 4),
            num(p.utilisation, 2),
            num(p.machine_speedup, 2),
            num(p.fidelity, 2),
            escape(&Tag::join(&p.tags, ", "))
        );
    }
    out += "</table>";
    if let Some(line) = table::rerun_floor_text(w) {
        let _ = write!(out, "<p>{}.</p>", escape(&line));
    }
    // The serial part by function (`attribution`), as the text report prints it.
    let named = super::where_lines(w) + &super::functions_lines(w);
    if !named.is_empty() {
        let _ = write!(out, "<pre class=\"where\">{}</pre>", escape(named.trim_end()));
    }
    let _ = write!(out, "<pre>{}</pre></section>", escape(table::fits_lines(&w.fits).trim_end()));
    out
}
