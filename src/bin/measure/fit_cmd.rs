//! `measure fit FILE...`: refit and explain results files and CSV curves.

use std::path::Path;

use amdahl::error::exit_code;
use amdahl::fit_command::{ByteRate, CurveContext, CurveReport, explain_csv, explain_samples, explanations};
use amdahl::input::{InputLimit, read_text};
use amdahl::report::{Exporter, Table, curve_table};
use amdahl::thread_set::CpuCounts;
use amdahl::{Error, import};
use amdahl_workloads::Kind;
use serde_json::{Value, json};

use crate::cli::FitArgs;
use crate::colour::{Said, said_in};

/// Runs `measure fit`; returns the text to print, with each sentence in it and its verdict.
pub fn run(args: &FitArgs) -> Result<(String, Vec<Said>, u8), Error> {
    let seed = args.seed.unwrap_or(1);
    let loss = args.loss.loss();
    let limit = crate::input_limit(args.max_input.as_deref())?;
    let cpus = match args.cpus {
        Some(0) => return Err(Error::usage("--cpus", 0, "is out of range (at least 1)")),
        Some(n) => {
            let physical = args.physical_cores.unwrap_or(n);
            if physical == 0 || physical > n {
                return Err(Error::usage(
                    "--physical-cores",
                    physical,
                    format!("is out of range (1..={n}: at most --cpus, since each core has at least one CPU)"),
                ));
            }
            Some(CpuCounts { usable: n, physical, sockets: 1 })
        }
        None => None,
    };
    let kind = args
        .kind
        .as_deref()
        .map(|k| {
            Kind::from_name(k).filter(|k| *k != Kind::Synthetic).ok_or_else(|| {
                Error::usage(
                    "--kind",
                    k,
                    "is not a kind of work: parallel, sequential, io-bound, memory-bound or contended",
                )
            })
        })
        .transpose()?;
    let tasks = match args.tasks {
        Some(t) if t == 0 || t > 1 << 32 => {
            return Err(Error::usage("--tasks", t, "is out of range (from 1 to 4294967296)"));
        }
        other => other,
    };
    let unit = args.unit.as_deref().map(ByteRate::parse).transpose()?;
    let context = CurveContext { cpus, kind, unit, tasks, loss };
    let mut texts = Vec::new();
    let mut values = Vec::new();
    let mut said = Vec::new();
    for dir in &args.criterion {
        let tree = import::read_criterion_tree(dir, limit)?;
        for (group, why) in &tree.skipped {
            crate::colour::warning(&format!("{}: skipped {group}: {why}", dir.display()));
        }
        for (group, samples) in &tree.groups {
            let name =
                if group == &dir.display().to_string() { group.clone() } else { format!("{}/{group}", dir.display()) };
            let report = explain_samples(&name, samples, seed, &context)?;
            said.extend(said_by(&report));
            texts.push(curve_table(&report));
            values.push(serde_json::to_value(&report).map_err(Error::encode("the fit"))?);
        }
    }
    for file in &args.files {
        let json = is_json(file, limit)?;
        if let Some(scan) = hyperfine_scan(file, json, limit)? {
            let report =
                explain_samples(&file.display().to_string(), &import::read_hyperfine(file, &scan)?, seed, &context)?;
            said.extend(said_by(&report));
            texts.push(curve_table(&report));
            values.push(serde_json::to_value(&report).map_err(Error::encode("the fit"))?);
        } else if json {
            let loaded = crate::load_results_with(file, limit, loss)?;
            said.extend(said_in(&loaded));
            values.push(json!({ "file": file.display().to_string(), "workloads": explanations(&loaded) }));
            texts.push(format!("{}:\n{}", file.display(), String::from_utf8_lossy(&Table.render(&loaded)?)));
        } else {
            let report = explain_csv(file, seed, limit, &context)?;
            said.extend(said_by(&report));
            texts.push(curve_table(&report));
            values.push(serde_json::to_value(&report).map_err(Error::encode("the fit"))?);
        }
    }
    let text = if args.json {
        let value = if values.len() == 1 { values.remove(0) } else { Value::Array(values) };
        format!("{value:#}\n")
    } else {
        texts.join("\n")
    };
    Ok((text, said, exit_code::OK))
}

/// The sentence of an imported curve, with its verdict.
fn said_by(report: &CurveReport) -> Option<Said> {
    Some((report.diagnosis.clone()?, report.verdict.clone()?))
}

/// A JSON file that is hyperfine's export, parsed; `None` for anything else.
fn hyperfine_scan(path: &Path, json: bool, limit: InputLimit) -> Result<Option<Value>, Error> {
    if !json {
        return Ok(None);
    }
    let text = read_text(path, limit)?;
    Ok(serde_json::from_str::<Value>(&text).ok().filter(import::is_hyperfine))
}

/// Whether `path` is JSON (a results file, ours or hyperfine's) rather than a CSV curve: by its
/// content, so a results file named `x.html` (`--out x.html`) is read as one; a `.json` name is
/// JSON whatever it holds (its errors are then a results file's).
fn is_json(path: &Path, limit: InputLimit) -> Result<bool, Error> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        return Ok(true);
    }
    Ok(looks_like_json(&read_text(path, limit)?))
}

/// A JSON object's text: `{` first (after a byte-order mark and white space). A CSV curve starts
/// with its header, never `{`.
fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_known_by_its_content() {
        assert!(looks_like_json("{\"schema_version\": 3}"));
        assert!(looks_like_json("\u{feff}\n  {}"));
        assert!(!looks_like_json("threads,seconds\n1,2\n"));
        assert!(!looks_like_json(""));
    }
}
