//! The files a command writes besides the results file, each written as `results::output`
//! writes (atomic, no clobbering without `--force`) and said on the terminal: the run's HTML
//! report and exports (`--report`, `--export-markdown`, `--export-csv`), `measure report`'s page,
//! summary and SVG charts (their names made from workload names, which come from files and are
//! reduced to safe stems), and `measure compare --html`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::{Export, ExportFormat};
use crate::error::{Error, Result};
use crate::report::svg::{combined, efficiency_chart, karp_flatt_chart, speedup_chart};
use crate::report::{Csv, Exporter, Html, Markdown};
use crate::results::output::{OutputPlan, is_stdout};
use crate::results::{Overwrite, ResultsFile, slug, write_new};
use crate::terminal;

/// Writes an output asked for by a flag: to standard output when its path is `-`, else to the
/// file as `write_new` does, saying so on stderr as `what ... written to PATH`.
pub fn write_output(path: &Path, bytes: &[u8], overwrite: Overwrite, what: &str) -> Result<()> {
    if is_stdout(path) {
        return terminal::print(&String::from_utf8_lossy(bytes));
    }
    write_new(path, bytes, overwrite)?;
    terminal::note(&format!("{what} written to {}", path.display()));
    Ok(())
}

/// Writes a finished run's HTML report (`--report`, its path chosen before measuring) and its
/// exports, all checked with the results file before anything was measured.
pub fn write_run_exports(
    results: &ResultsFile,
    report: Option<&Path>,
    exports: &[Export],
    overwrite: Overwrite,
) -> Result<()> {
    if let Some(html) = report {
        write_output(html, &Html.render(results)?, overwrite, "HTML report")?;
    }
    for export in exports {
        let exporter: &dyn Exporter = match export.format {
            ExportFormat::Markdown => &Markdown,
            ExportFormat::Csv => &Csv,
        };
        write_output(&export.path, &exporter.render(results)?, overwrite, "export")?;
    }
    Ok(())
}

/// What `measure report` writes: any of an HTML page, a Markdown summary and a folder of SVG
/// charts; with none of them, the Markdown goes to standard output.
#[derive(Debug, Clone, Default)]
pub struct ReportOutputs {
    /// `--html`.
    pub html: Option<PathBuf>,
    /// `--markdown`.
    pub markdown: Option<PathBuf>,
    /// `--svg-dir`.
    pub svg_dir: Option<PathBuf>,
    /// `--force`.
    pub overwrite: Overwrite,
}

impl ReportOutputs {
    /// Checks every file this report will write before writing any: none may be `input` or
    /// another output, each must be writable (`results::output::OutputPlan`).
    pub fn check(&self, input: &Path, loaded: &ResultsFile) -> Result<()> {
        let mut plan = OutputPlan::new(self.overwrite);
        plan.input(input);
        if let Some(path) = &self.html {
            plan.output("--html", path)?;
        }
        if let Some(path) = &self.markdown {
            plan.output("--markdown", path)?;
        }
        if let Some(dir) = &self.svg_dir
            && is_stdout(dir)
        {
            return Err(Error::usage(
                "--svg-dir",
                "-",
                "is standard output, which cannot hold a folder of charts: name a folder",
            ));
        }
        if let Some(dir) = &self.svg_dir
            && dir.is_dir()
        {
            for (name, _) in chart_files(loaded) {
                plan.output("--svg-dir", &dir.join(name))?;
            }
        }
        Ok(())
    }

    /// Writes the outputs (checked first, see [`ReportOutputs::check`]); returns the Markdown
    /// to print when no output was named.
    pub fn write(&self, input: &Path, loaded: &ResultsFile) -> Result<Option<String>> {
        self.check(input, loaded)?;
        if let Some(path) = &self.html {
            write_output(path, &Html.render(loaded)?, self.overwrite, "HTML report")?;
        }
        if let Some(dir) = &self.svg_dir {
            let written = write_svgs(loaded, dir, self.overwrite)?;
            terminal::note(&format!("{written} SVG charts written to {}", dir.display()));
        }
        if let Some(path) = &self.markdown {
            write_output(path, &Markdown.render(loaded)?, self.overwrite, "Markdown summary")?;
        }
        if self.html.is_none() && self.svg_dir.is_none() && self.markdown.is_none() {
            return Ok(Some(String::from_utf8_lossy(&Markdown.render(loaded)?).into_owned()));
        }
        Ok(None)
    }
}

/// The SVG charts of `r`: file name and contents, per workload with a speedup:
/// `STEM-speedup.svg`, with a thread-time account `STEM-parts.svg`, and with four thread counts
/// or more `STEM-efficiency.svg` and `STEM-karp-flatt.svg` (see [`chart_stem`]).
pub fn chart_files(r: &ResultsFile) -> Vec<(String, String)> {
    let cores = r.machine.cpu_counts();
    let mut stems = HashSet::new();
    let mut out = Vec::new();
    for w in r.workloads.iter().filter(|w| w.points.iter().any(|p| p.speedup.is_some())) {
        let stem = chart_stem(&w.name, &mut stems);
        out.push((format!("{stem}-speedup.svg"), speedup_chart(w, cores)));
        if let Some(parts) = crate::report::svg::parts_chart(w) {
            out.push((format!("{stem}-parts.svg"), parts));
        }
        if !combined(w) {
            out.push((format!("{stem}-efficiency.svg"), efficiency_chart(w)));
            out.push((format!("{stem}-karp-flatt.svg"), karp_flatt_chart(w)));
        }
    }
    out
}

/// Writes the charts of `r` into `dir`, and nowhere else.
fn write_svgs(r: &ResultsFile, dir: &Path, overwrite: Overwrite) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the SVG folder", e))?;
    let mut written = 0;
    for (name, svg) in chart_files(r) {
        write_new(&dir.join(name), svg.as_bytes(), overwrite)?;
        written += 1;
    }
    Ok(written)
}

/// A file name stem for the charts of workload `name`: the name comes from a results file, which
/// travels between machines, so it is reduced to lower-case letters, digits and `-` (no `/`, no
/// `..`, never absolute or empty) and made unique among `taken` with `-2`, `-3`...
pub fn chart_stem(name: &str, taken: &mut HashSet<String>) -> String {
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

    #[test]
    fn a_report_never_writes_over_its_input_or_twice_to_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("r.json");
        std::fs::write(&input, "{}").unwrap();
        let results = crate::report::tests::fixture();
        let onto_input =
            ReportOutputs { html: Some(input.clone()), overwrite: Overwrite::Replace, ..Default::default() };
        assert!(onto_input.write(&input, &results).unwrap_err().to_string().contains("an input of this command"));
        let twice = ReportOutputs {
            html: Some(dir.path().join("x")),
            markdown: Some(dir.path().join("x")),
            ..Default::default()
        };
        assert!(twice.write(&input, &results).is_err());
        assert!(!dir.path().join("x").exists(), "nothing is written when one output is refused");
        // With no output named, the Markdown comes back to be printed.
        let markdown = ReportOutputs::default().write(&input, &results).unwrap().unwrap();
        assert!(markdown.contains("synthetic"), "{markdown}");
    }
}
