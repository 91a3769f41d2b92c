//! `measure report`: SVG charts, an HTML page and a Markdown summary of a results file.

use std::path::Path;

use amdahl::error::exit_code;
use amdahl::fit_command::refit;
use amdahl::report::svg::{efficiency_chart, karp_flatt_chart, speedup_chart};
use amdahl::report::{Exporter, Html, Markdown};
use amdahl::results::{self, ResultsFile, write_atomic};
use amdahl::{Error, Result};

use crate::cli::ReportArgs;

/// Runs `measure report`; returns the text to print (the Markdown when no output is named).
pub fn run(args: &ReportArgs) -> Result<(String, u8)> {
    let mut loaded = results::load(&args.file)?;
    refit(&mut loaded);
    let mut printed = String::new();
    if let Some(path) = &args.html {
        write_atomic(path, &Html.render(&loaded)?)?;
        eprintln!("HTML report written to {}", path.display());
    }
    if let Some(dir) = &args.svg_dir {
        let written = write_svgs(&loaded, dir)?;
        eprintln!("{written} SVG charts written to {}", dir.display());
    }
    if let Some(path) = &args.markdown {
        write_atomic(path, &Markdown.render(&loaded)?)?;
        eprintln!("Markdown summary written to {}", path.display());
    }
    if args.html.is_none() && args.svg_dir.is_none() && args.markdown.is_none() {
        printed = String::from_utf8_lossy(&Markdown.render(&loaded)?).into_owned();
    }
    Ok((printed, exit_code::OK))
}

/// Writes `NAME-speedup.svg`, `NAME-efficiency.svg` and `NAME-karp-flatt.svg` per workload.
fn write_svgs(r: &ResultsFile, dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the SVG folder", e))?;
    let cores = r.machine.cpu_counts();
    let mut written = 0;
    for w in r.workloads.iter().filter(|w| w.points.iter().any(|p| p.speedup.is_some())) {
        let charts = [
            ("speedup", speedup_chart(w, cores)),
            ("efficiency", efficiency_chart(w)),
            ("karp-flatt", karp_flatt_chart(w)),
        ];
        for (what, svg) in charts {
            write_atomic(&dir.join(format!("{}-{what}.svg", w.name)), svg.as_bytes())?;
            written += 1;
        }
    }
    Ok(written)
}
