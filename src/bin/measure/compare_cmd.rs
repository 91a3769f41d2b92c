//! `measure compare A.json B.json [...]`.

use amdahl::compare::compare;
use amdahl::error::exit_code;
use amdahl::report::{comparison_html, comparison_text};
use amdahl::results::output::OutputPlan;
use amdahl::results::{Overwrite, write_new};
use amdahl::{Error, Result};

use crate::cli::CompareArgs;

/// Runs `measure compare`; returns the text to print.
pub fn run(args: &CompareArgs) -> Result<(String, u8)> {
    let overwrite = Overwrite::from_force(args.force);
    if let Some(html) = &args.html {
        let mut plan = OutputPlan::new(overwrite);
        for path in &args.files {
            plan.input(path);
        }
        plan.output("--html", html)?;
    }
    let mut files = Vec::with_capacity(args.files.len());
    let limit = crate::input_limit(args.max_input.as_deref())?;
    for path in &args.files {
        let loaded = crate::load_results(path, limit)?;
        files.push((path.display().to_string(), loaded));
    }
    let comparison = compare(&files)?;
    if let Some(html) = &args.html {
        write_new(html, comparison_html(&comparison, &files).as_bytes(), overwrite)?;
        eprintln!("HTML comparison written to {}", html.display());
    }
    let text = if args.json {
        serde_json::to_string_pretty(&comparison).map_err(Error::encode("the comparison"))? + "\n"
    } else {
        comparison_text(&comparison)
    };
    Ok((text, exit_code::OK))
}
