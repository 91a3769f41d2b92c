//! `measure compare A.json B.json [...]`.

use amdahl::app::load_results;
use amdahl::app::outputs::write_output;
use amdahl::compare::compare;
use amdahl::report::{comparison_html, comparison_text};
use amdahl::results::Overwrite;
use amdahl::results::output::{OutputPlan, is_stdout};
use amdahl::{Error, Result, terminal};

use crate::cli::CompareArgs;

/// Runs `measure compare`: prints the comparison, writes its page.
pub fn run(args: &CompareArgs) -> Result<()> {
    let overwrite = Overwrite::from_force(args.force);
    if let Some(html) = &args.html {
        if args.json && is_stdout(html) {
            return Err(Error::usage(
                "--html",
                "-",
                "is standard output, where --json writes the comparison: give the page a file",
            ));
        }
        let mut plan = OutputPlan::new(overwrite);
        for path in &args.files {
            plan.input(path);
        }
        plan.output("--html", html)?;
    }
    let mut files = Vec::with_capacity(args.files.len());
    let limit = crate::input_limit(args.max_input.as_deref())?;
    for path in &args.files {
        files.push((path.display().to_string(), load_results(path, limit)?));
    }
    let comparison = compare(&files)?;
    if let Some(html) = &args.html {
        write_output(html, comparison_html(&comparison, &files).as_bytes(), overwrite, "HTML comparison")?;
        if is_stdout(html) {
            // The page took standard output, in place of the text.
            return Ok(());
        }
    }
    if args.json {
        terminal::print(&(serde_json::to_string_pretty(&comparison).map_err(Error::encode("the comparison"))? + "\n"))
    } else {
        terminal::print_styled(&comparison_text(&comparison))
    }
}
