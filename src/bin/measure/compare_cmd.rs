//! `measure compare A.json B.json [...]`.

use amdahl::compare::compare;
use amdahl::error::exit_code;
use amdahl::fit_command::refit;
use amdahl::report::{comparison_html, comparison_text};
use amdahl::results::{self, write_atomic};
use amdahl::{Error, Result};

use crate::cli::CompareArgs;

/// Runs `measure compare`; returns the text to print.
pub fn run(args: &CompareArgs) -> Result<(String, u8)> {
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let mut loaded = results::load(path)?;
        refit(&mut loaded);
        files.push((path.display().to_string(), loaded));
    }
    let comparison = compare(&files)?;
    if let Some(html) = &args.html {
        write_atomic(html, comparison_html(&comparison, &files).as_bytes())?;
        eprintln!("HTML comparison written to {}", html.display());
    }
    let text = if args.json {
        serde_json::to_string_pretty(&comparison).map_err(Error::encode("the comparison"))? + "\n"
    } else {
        comparison_text(&comparison)
    };
    Ok((text, exit_code::OK))
}
