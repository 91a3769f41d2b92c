//! `measure report`: SVG charts, an HTML page and a Markdown summary of a results file.

use std::collections::HashSet;
use std::path::Path;

use amdahl::error::exit_code;
use amdahl::report::svg::{combined, efficiency_chart, karp_flatt_chart, speedup_chart};
use amdahl::report::{Exporter, Html, Markdown};
use amdahl::results::output::OutputPlan;
use amdahl::results::{Overwrite, ResultsFile, slug, write_new};
use amdahl::{Error, Result};

use crate::cli::ReportArgs;

/// Runs `measure report`; returns the text to print (the Markdown when no output is named).
pub fn run(args: &ReportArgs) -> Result<(String, u8)> {
    let loaded = crate::load_results(&args.file, crate::input_limit(args.max_input.as_deref())?)?;
    let overwrite = Overwrite::from_force(args.force);
    check_outputs(args, &loaded, overwrite)?;
    let mut printed = String::new();
    if let Some(path) = &args.html {
        crate::write_output(path, &Html.render(&loaded)?, overwrite, "HTML report")?;
    }
    if let Some(dir) = &args.svg_dir {
        let written = write_svgs(&loaded, dir, overwrite)?;
        eprintln!("{written} SVG charts written to {}", dir.display());
    }
    if let Some(path) = &args.markdown {
        crate::write_output(path, &Markdown.render(&loaded)?, overwrite, "Markdown summary")?;
    }
    if args.html.is_none() && args.svg_dir.is_none() && args.markdown.is_none() {
        printed = String::from_utf8_lossy(&Markdown.render(&loaded)?).into_owned();
    }
    Ok((printed, exit_code::OK))
}

/// Checks every file this report will write before writing any: none may be the input or
/// another output, each must be writable (`results::output::OutputPlan`).
fn check_outputs(args: &ReportArgs, loaded: &ResultsFile, overwrite: Overwrite) -> Result<()> {
    let mut plan = OutputPlan::new(overwrite);
    plan.input(&args.file);
    if let Some(path) = &args.html {
        plan.output("--html", path)?;
    }
    if let Some(path) = &args.markdown {
        plan.output("--markdown", path)?;
    }
    if let Some(dir) = &args.svg_dir
        && dir.is_dir()
    {
        for (name, _) in charts(loaded) {
            plan.output("--svg-dir", &dir.join(name))?;
        }
    }
    Ok(())
}

/// The SVG charts of `r`: file name and contents, per workload with a speedup.
fn charts(r: &ResultsFile) -> Vec<(String, String)> {
    let cores = r.machine.cpu_counts();
    let mut stems = HashSet::new();
    let mut out = Vec::new();
    for w in r.workloads.iter().filter(|w| w.points.iter().any(|p| p.speedup.is_some())) {
        let stem = chart_stem(&w.name, &mut stems);
        out.push((format!("{stem}-speedup.svg"), speedup_chart(w, cores)));
        if !combined(w) {
            out.push((format!("{stem}-efficiency.svg"), efficiency_chart(w)));
            out.push((format!("{stem}-karp-flatt.svg"), karp_flatt_chart(w)));
        }
    }
    out
}

/// Writes `NAME-speedup.svg`, and with four thread counts or more `NAME-efficiency.svg` and
/// `NAME-karp-flatt.svg`, per workload into `dir`, and nowhere else: see [`chart_stem`].
fn write_svgs(r: &ResultsFile, dir: &Path, overwrite: Overwrite) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the SVG folder", e))?;
    let mut written = 0;
    for (name, svg) in charts(r) {
        write_new(&dir.join(name), svg.as_bytes(), overwrite)?;
        written += 1;
    }
    Ok(written)
}

/// A file name stem for the charts of workload `name`: the name comes from a results file, which
/// travels between machines, so it is reduced to lower-case letters, digits and `-` (no `/`, no
/// `..`, never absolute or empty) and made unique among `taken` with `-2`, `-3`...
fn chart_stem(name: &str, taken: &mut HashSet<String>) -> String {
    let base = Some(slug(name)).filter(|s| !s.is_empty()).unwrap_or_else(|| "workload".to_owned());
    let stem = (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|s| !taken.contains(s))
        .unwrap_or(base);
    taken.insert(stem.clone());
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names_stay_in_their_folder() {
        let mut taken = HashSet::new();
        let stems: Vec<String> = ["../../x", "/etc/passwd", "..", "mc-pi", "MC PI", "", "a/b"]
            .iter()
            .map(|n| chart_stem(n, &mut taken))
            .collect();
        assert_eq!(stems, ["x", "etc-passwd", "workload", "mc-pi", "mc-pi-2", "workload-2", "a-b"]);
    }
}
