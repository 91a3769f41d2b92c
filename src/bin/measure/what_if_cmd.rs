//! `measure what-if`: T(j) predicted if one function of a results file's profile ran faster.

use amdahl::Error;
use amdahl::app::load_results;
use amdahl::report::what_if_text;
use amdahl::what_if::{Faster, what_if};

use crate::cli::WhatIfArgs;

/// Runs `measure what-if`; returns the text to print.
pub fn run(args: &WhatIfArgs) -> Result<String, Error> {
    let faster = Faster::parse("--faster", &args.faster)?;
    let loaded = load_results(&args.file, crate::input_limit(args.max_input.as_deref())?)?;
    let predictions = what_if(&loaded, &faster, &args.file)?;
    if args.json {
        return serde_json::to_string_pretty(&predictions)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(Error::encode("the predictions"));
    }
    Ok(what_if_text(&predictions))
}
