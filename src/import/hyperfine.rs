//! Importing hyperfine's `--export-json` of a parameter scan
//! (`hyperfine -P threads 1 8 'cmd -j {threads}' --export-json scan.json`): each entry of
//! `results` is one command at one thread count, its `parameters` name the count (the parameter
//! called `threads`, or else the only numeric one; written as the CSV importer's thread counts
//! are: plain digits, 1 to [`crate::thread_set::MAX_RECORDED_THREADS`]), and its `times` (seconds) are the samples.
//!
//! # One curve per command
//! A file may scan several commands (`hyperfine -P threads 1 8 'a -j {threads}' 'b -j {threads}'`)
//! and other parameters (`-L level 1,9`). Each entry's `command` is hyperfine's text with the
//! values put in, so the commands of one scan differ only where the thread count stands. An
//! entry's **template** is its command cut into runs of digits and of other characters; among
//! the entries whose other parameters are equal and whose non-digit runs are equal, the digit
//! runs that hold each entry's own thread count are where `{threads}` stood, and every other
//! digit run is part of the command (`xz -T4 -2` and `xz -T8 -2` are one template, `xz -T{threads}
//! -2`). One curve is read per template and per value of the other parameters, named by them.
//! Entries without a `command` (a hand-made export) form one curve per value of the other
//! parameters. A file whose templates each hold a single thread count has no scan to fit (every
//! command differs from the others other than by its thread count): it is refused (exit 65),
//! saying so.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{ImportedSamples, parse_thread_count};
use crate::error::{Error, Result};
use crate::fit::SampleKind;

/// Whether a parsed JSON file looks like hyperfine's export.
pub fn is_hyperfine(value: &Value) -> bool {
    value.get("results").is_some_and(Value::is_array) && value.get("schema").is_none()
}

/// One curve of a scan: its name (the command's template and the other parameters' values, or
/// empty for a file of one curve without commands) and its samples.
pub type ScanCurve = (String, ImportedSamples);

/// One entry of `results`, read.
struct Entry {
    /// `results[i]`.
    at: String,
    threads: usize,
    /// The thread count's text, as it stands in the command.
    threads_text: String,
    /// The other parameters, `name=value`, in name order.
    others: Vec<String>,
    command: Option<String>,
    times: Vec<f64>,
}

/// Reads the curves of a hyperfine parameter scan: one per command template and per value of the
/// other parameters (see the module docs).
pub fn read_hyperfine(path: &Path, value: &Value) -> Result<Vec<ScanCurve>> {
    let bad = |message: String| Error::Data { path: path.to_owned(), message };
    let results = value.get("results").and_then(Value::as_array).ok_or_else(|| bad("no `results` array".into()))?;
    let entries = results.iter().enumerate().map(|(i, e)| read_entry(i, e).map_err(bad)).collect::<Result<Vec<_>>>()?;
    if entries.is_empty() {
        return Err(bad("`results` is empty".into()));
    }
    if let (Some(with), Some(without)) =
        (entries.iter().find(|e| e.command.is_some()), entries.iter().find(|e| e.command.is_none()))
    {
        return Err(bad(format!(
            "{} has a `command` and {} has none: cannot tell which command each entry measured",
            with.at, without.at
        )));
    }
    // Curves by name, in the order they first appear.
    let mut curves: Vec<(String, BTreeMap<usize, Vec<f64>>)> = Vec::new();
    for (entry, name) in entries.iter().zip(curve_names(&entries)) {
        let index = match curves.iter().position(|(n, _)| *n == name) {
            Some(index) => index,
            None => {
                curves.push((name, BTreeMap::new()));
                curves.len() - 1
            }
        };
        curves[index].1.entry(entry.threads).or_default().extend(&entry.times);
    }
    let counts: std::collections::BTreeSet<usize> = entries.iter().map(|e| e.threads).collect();
    if curves.len() > 1 && counts.len() > 1 && curves.iter().all(|(_, points)| points.len() == 1) {
        let names: Vec<&str> = curves.iter().take(3).map(|(n, _)| n.as_str()).collect();
        return Err(bad(format!(
            "no command template holds more than one thread count ({}{}): each command differs from the others other than by its thread count, so there is no scan to fit (hyperfine -P threads 1 8 'cmd -j {{threads}}')",
            names.join("; "),
            if curves.len() > 3 { "; ..." } else { "" }
        )));
    }
    Ok(curves
        .into_iter()
        .map(|(name, points)| {
            let (threads, samples) = points.into_iter().unzip();
            (
                name,
                ImportedSamples {
                    threads,
                    samples,
                    kind: SampleKind::Time,
                    column: "hyperfine times".into(),
                    rounding: Vec::new(),
                },
            )
        })
        .collect())
}

fn read_entry(i: usize, entry: &Value) -> std::result::Result<Entry, String> {
    let at = format!("results[{i}]");
    let params = entry.get("parameters").and_then(Value::as_object).filter(|p| !p.is_empty()).ok_or_else(|| {
        format!("{at} has no parameters: export a parameter scan (hyperfine -P threads 1 8 'cmd -j {{threads}}')")
    })?;
    let text_of = |v: &Value| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string()));
    let key = match params.get("threads") {
        Some(_) => "threads".to_owned(),
        None => {
            let numeric: Vec<&String> = params
                .iter()
                .filter(|(_, v)| text_of(v).is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())))
                .map(|(k, _)| k)
                .collect();
            match numeric[..] {
                [only] => only.clone(),
                _ => return Err(format!("{at}: no parameter named `threads` and not exactly one numeric parameter")),
            }
        }
    };
    let threads_text = text_of(&params[&key]).unwrap_or_default();
    let threads = parse_thread_count(&threads_text).map_err(|why| format!("{at}: parameter `{key}`: {why}"))?;
    let others = params
        .iter()
        .filter(|(k, _)| **k != key)
        .map(|(k, v)| format!("{k}={}", text_of(v).unwrap_or_else(|| v.to_string())))
        .collect();
    let times: Vec<f64> = entry
        .get("times")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{at} has no `times`"))?
        .iter()
        .map(|t| t.as_f64().filter(|t| t.is_finite() && *t > 0.0))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("{at}: `times` holds a value that is not a positive number"))?;
    if times.is_empty() {
        return Err(format!("{at}: `times` is empty"));
    }
    let command = entry.get("command").and_then(Value::as_str).map(str::to_owned);
    Ok(Entry { at, threads, threads_text, others, command, times })
}

/// A command cut into runs of digits and runs of other characters.
fn runs(command: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = command.as_bytes();
    for i in 1..=bytes.len() {
        if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
            out.push(&command[start..i]);
            start = i;
        }
    }
    out
}

/// Each entry's curve name: its command's template and its other parameters.
fn curve_names(entries: &[Entry]) -> Vec<String> {
    let others = |e: &Entry| e.others.join(", ");
    // The shape of a command: its non-digit runs (digit runs as a mark) and the other parameters.
    let shape = |e: &Entry| -> (Vec<String>, String) {
        let cut = e.command.as_deref().map(runs).unwrap_or_default();
        let marks = cut.iter().map(|r| if r.as_bytes()[0].is_ascii_digit() { "#".to_owned() } else { (*r).to_owned() });
        (marks.collect(), others(e))
    };
    let shapes: Vec<_> = entries.iter().map(shape).collect();
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let Some(command) = &entry.command else { return others(entry) };
            let cut = runs(command);
            // The digit runs that hold the thread count in every entry of this shape.
            let same_shape: Vec<&Entry> =
                entries.iter().zip(&shapes).filter(|(_, s)| **s == shapes[i]).map(|(e, _)| e).collect();
            let template: String = cut
                .iter()
                .enumerate()
                .map(|(k, run)| {
                    let holds_threads = run.as_bytes()[0].is_ascii_digit()
                        && same_shape.iter().all(|e| {
                            e.command.as_deref().map(runs).is_some_and(|c| c.get(k) == Some(&e.threads_text.as_str()))
                        });
                    if holds_threads { "{threads}" } else { run }
                })
                .collect();
            if entry.others.is_empty() { template } else { format!("{template} ({})", others(entry)) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<ScanCurve>> {
        read_hyperfine(Path::new("scan.json"), &serde_json::from_str(text).unwrap())
    }

    #[test]
    fn reads_a_parameter_scan() {
        let curves = read(
            r#"{"results":[{"command":"x -j 2","times":[0.5,0.52],"parameters":{"threads":"2"}},
                                    {"command":"x -j 1","times":[1.0,1.02],"parameters":{"threads":"1"}}]}"#,
        )
        .unwrap();
        assert_eq!(curves.len(), 1);
        let (name, s) = &curves[0];
        assert_eq!(name, "x -j {threads}");
        assert_eq!(s.threads, [1, 2]);
        assert_eq!(s.samples[1], [0.5, 0.52]);
        let only = read(r#"{"results":[{"times":[1.0],"parameters":{"n":"3"}}]}"#).unwrap();
        assert_eq!(only[0].1.threads, [3]);
    }

    #[test]
    fn two_commands_scanned_over_threads_are_two_curves() {
        let entry = |cmd: &str, j: u32, t: f64| {
            format!(r#"{{"command":"{cmd} -T{j} -2 f","times":[{t}],"parameters":{{"threads":"{j}"}}}}"#)
        };
        let text = format!(
            r#"{{"results":[{},{},{},{},{},{}]}}"#,
            entry("xz", 1, 1.0),
            entry("xz", 2, 0.55),
            entry("xz", 4, 0.32),
            entry("zstd", 1, 2.0),
            entry("zstd", 2, 2.0),
            entry("zstd", 4, 2.0)
        );
        let curves = read(&text).unwrap();
        let names: Vec<&str> = curves.iter().map(|(n, _)| n.as_str()).collect();
        // The `2` of `-2` is part of the command: it is not the thread count at j = 1 and 4.
        assert_eq!(names, ["xz -T{threads} -2 f", "zstd -T{threads} -2 f"]);
        assert_eq!(curves[0].1.samples, [vec![1.0], vec![0.55], vec![0.32]]);
        assert_eq!(curves[1].1.samples, [vec![2.0], vec![2.0], vec![2.0]]);
    }

    #[test]
    fn other_parameters_split_curves_and_name_them() {
        let entry = |j: u32, level: u32| {
            format!(
                r#"{{"command":"xz -T{j} -{level}","times":[1.0],"parameters":{{"threads":"{j}","level":"{level}"}}}}"#
            )
        };
        let text = format!(r#"{{"results":[{},{},{},{}]}}"#, entry(1, 1), entry(2, 1), entry(1, 9), entry(2, 9));
        let names: Vec<String> = read(&text).unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["xz -T{threads} -1 (level=1)", "xz -T{threads} -9 (level=9)"]);
    }

    #[test]
    fn commands_that_share_no_template_are_refused() {
        let text = r#"{"results":[{"command":"a 1","times":[1.0],"parameters":{"threads":"1"}},
                                  {"command":"b 2","times":[1.0],"parameters":{"threads":"2"}}]}"#;
        let err = read(text).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(err.to_string().contains("no command template holds more than one thread count"), "{err}");
    }

    #[test]
    fn thread_counts_follow_the_csv_rules() {
        for (bad, why) in
            [("99999999999999", "at most"), ("+2", "written plainly"), ("02", "written plainly"), ("0", "at least 1")]
        {
            let text = format!(r#"{{"results":[{{"command":"x","times":[1.0],"parameters":{{"threads":"{bad}"}}}}]}}"#);
            let err = read(&text).unwrap_err().to_string();
            assert!(err.contains("results[0]: parameter `threads`") && err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn refuses_files_without_parameters() {
        let err = read(r#"{"results":[{"command":"x","times":[1.0]}]}"#).unwrap_err();
        assert!(err.to_string().contains("results[0] has no parameters"), "{err}");
        assert!(is_hyperfine(&serde_json::json!({"results": []})));
        assert!(!is_hyperfine(&serde_json::json!({"schema": "amdahl-results", "results": []})));
    }
}
