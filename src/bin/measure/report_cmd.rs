//! `measure report`: SVG charts, an HTML page and a Markdown summary of a results file.

use std::collections::HashSet;
use std::path::Path;

use amdahl::error::exit_code;
use amdahl::report::svg::{combined, efficiency_chart, karp_flatt_chart, speedup_chart};
use amdahl::report::{Exporter, Html, Markdown};
use amdahl::results::{Overwrite, ResultsFile, slug, write_new};
use amdahl::{Error, Result};

use crate::cli::ReportArgs;

/// Runs `measure report`; returns the text to print (the Markdown when no output is named).
pub fn run(args: &ReportArgs) -> Result<(String, u8)> {
    let loaded = crate::load_results(&args.file, crate::input_limit(args.max_input.as_deref())?)?;
    let overwrite = Overwrite::from_force(args.force);
    let mut printed = String::new();
    if let Some(path) = &args.html {
        write_new(path, &Html.render(&loaded)?, overwrite)?;
        eprintln!("HTML report written to {}", path.display());
    }
    if let Some(dir) = &args.svg_dir {
        let written = write_svgs(&loaded, dir, overwrite)?;
        eprintln!("{written} SVG charts written to {}", dir.display());
    }
    if let Some(path) = &args.markdown {
        write_new(path, &Markdown.render(&loaded)?, overwrite)?;
        eprintln!("Markdown summary written to {}", path.display());
    }
    if args.html.is_none() && args.svg_dir.is_none() && args.markdown.is_none() {
        printed = String::from_utf8_lossy(&Markdown.render(&loaded)?).into_owned();
    }
    Ok((printed, exit_code::OK))
}

/// Writes `NAME-speedup.svg`, and with four thread counts or more `NAME-efficiency.svg` and
/// `NAME-karp-flatt.svg`, per workload into `dir`, and nowhere else: see [`chart_stem`].
fn write_svgs(r: &ResultsFile, dir: &Path, overwrite: Overwrite) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the SVG folder", e))?;
    let cores = r.machine.cpu_counts();
    let mut written = 0;
    let mut stems = HashSet::new();
    for w in r.workloads.iter().filter(|w| w.points.iter().any(|p| p.speedup.is_some())) {
        let stem = chart_stem(&w.name, &mut stems);
        let mut charts = vec![("speedup", speedup_chart(w, cores))];
        if !combined(w) {
            charts.extend([("efficiency", efficiency_chart(w)), ("karp-flatt", karp_flatt_chart(w))]);
        }
        for (what, svg) in charts {
            write_new(&dir.join(format!("{stem}-{what}.svg")), svg.as_bytes(), overwrite)?;
            written += 1;
        }
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
