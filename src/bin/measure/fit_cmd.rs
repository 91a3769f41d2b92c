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
        if let Some(scan) = hyperfine_scan(file, limit)? {
            let report =
                explain_samples(&file.display().to_string(), &import::read_hyperfine(file, &scan)?, seed, &context)?;
            said.extend(said_by(&report));
            texts.push(curve_table(&report));
            values.push(serde_json::to_value(&report).map_err(Error::encode("the fit"))?);
        } else if is_results_file(file) {
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

/// A `.json` file that is hyperfine's export, parsed; `None` for anything else.
fn hyperfine_scan(path: &Path, limit: InputLimit) -> Result<Option<Value>, Error> {
    if !is_results_file(path) {
        return Ok(None);
    }
    let text = read_text(path, limit)?;
    Ok(serde_json::from_str::<Value>(&text).ok().filter(import::is_hyperfine))
}

/// `.json` files are results files (ours or hyperfine's); everything else is read as CSV.
fn is_results_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}
