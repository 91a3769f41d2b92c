//! `measure report`: SVG charts, an HTML page and a Markdown summary of a results file.

use amdahl::Result;
use amdahl::app::load_results;
use amdahl::app::outputs::ReportOutputs;
use amdahl::results::Overwrite;

use crate::cli::ReportArgs;

/// Runs `measure report`; returns the text to print (the Markdown when no output is named).
pub fn run(args: &ReportArgs) -> Result<String> {
    let loaded = load_results(&args.file, crate::input_limit(args.max_input.as_deref())?)?;
    let outputs = ReportOutputs {
        html: args.html.clone(),
        markdown: args.markdown.clone(),
        svg_dir: args.svg_dir.clone(),
        overwrite: Overwrite::from_force(args.force),
    };
    Ok(outputs.write(&args.file, &loaded)?.unwrap_or_default())
}
