//! `measure fit FILE...`: refit and explain results files and CSV curves.

use amdahl::app::FitInput;
use amdahl::fit_command::{ByteRate, CurveContext, CurveReport, explain_samples, explanations};
use amdahl::report::{Exporter, Table, curve_table};
use amdahl::terminal::{self, Said, said_in};
use amdahl::thread_set::CpuCounts;
use amdahl::{Error, import};
use amdahl_workloads::Kind;
use serde_json::{Value, json};

use crate::cli::FitArgs;

/// Runs `measure fit`: prints each input's table and verdict (coloured by its kind), or JSON.
pub fn run(args: &FitArgs) -> Result<(), Error> {
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
    let explain = |name: &str, samples: &import::ImportedSamples| -> Result<(Vec<Said>, String, Value), Error> {
        let report = explain_samples(name, samples, seed, &context)?;
        let value = serde_json::to_value(&report).map_err(Error::encode("the fit"))?;
        Ok((said_by(&report).into_iter().collect(), curve_table(&report), value))
    };
    let mut texts = Vec::new();
    let mut values = Vec::new();
    let mut said = Vec::new();
    let mut shown = |(sentence, text, value): (Vec<Said>, String, Value)| {
        said.extend(sentence);
        texts.push(text);
        values.push(value);
    };
    for dir in &args.criterion {
        let tree = import::read_criterion_tree(dir, limit)?;
        for (group, why) in &tree.skipped {
            terminal::warning(&format!("{}: skipped {group}: {why}", dir.display()));
        }
        for (group, samples) in &tree.groups {
            let name =
                if group == &dir.display().to_string() { group.clone() } else { format!("{}/{group}", dir.display()) };
            shown(explain(&name, samples)?);
        }
    }
    for file in &args.files {
        match FitInput::read(file, limit, loss)? {
            FitInput::Csv(samples) => shown(explain(&file.display().to_string(), &samples)?),
            // One curve per command: a file of one is named as a CSV curve is.
            FitInput::Hyperfine(curves) => {
                let one = curves.len() == 1;
                for (command, samples) in &curves {
                    let name = if one { file.display().to_string() } else { format!("{}: {command}", file.display()) };
                    shown(explain(&name, samples)?);
                }
            }
            FitInput::Results(loaded) => {
                let loaded = loaded.shown();
                let text = format!("{}:\n{}", file.display(), String::from_utf8_lossy(&Table.render(&loaded)?));
                let value = json!({ "file": file.display().to_string(), "workloads": explanations(&loaded) });
                shown((said_in(&loaded), text, value));
            }
        }
    }
    if args.json {
        let value = if values.len() == 1 { values.remove(0) } else { Value::Array(values) };
        terminal::print(&format!("{value:#}\n"))
    } else {
        terminal::print_styled(&texts.join("\n"), &said)
    }
}

/// The sentence of an imported curve, with its verdict.
fn said_by(report: &CurveReport) -> Option<Said> {
    Some((report.diagnosis.clone()?, report.verdict.clone()?))
}
