//! Inputs: files known by their content, refused by field, line and column with the documented
//! exit code, never a panic (`mutations`: every prefix and random mutation of a valid file);
//! values from files echoed short and escaped.

mod mutations;

use serde_json::Value;
use std::path::{Path, PathBuf};

use crate::util::{assert_refused, measure, measure_in, read_json, reference, small_results, stderr, stdout, str_path};

#[test]
fn binary_garbage_is_bad_data_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["junk.csv", "junk.json"] {
        let path = dir.path().join(name);
        std::fs::write(&path, [0xff, 0xfe, 0x00, 0x81, 0x42]).unwrap();
        assert_refused(&measure(&["fit", path.to_str().unwrap()]), 65, &[name]);
    }
    let path = dir.path().join("junk.json");
    assert_refused(&measure(&["report", path.to_str().unwrap()]), 65, &["junk.json"]);
    assert_refused(&measure(&["run", "--suite", path.to_str().unwrap()]), 65, &["junk.json"]);
}

#[test]
fn absurd_thread_sets_are_refused_before_anything_is_built() {
    for args in [
        &["predict", "--serial", "0.1", "-t", "1-10000000000"][..],
        &["run", "-t", "1-10000000000"][..],
        &["run", "-t", "pow2:99999999999999"][..],
    ] {
        assert_refused(&measure(args), 2, &["--threads", "limit"]);
    }
}

#[test]
fn duplicate_parameters_are_refused() {
    assert_refused(&measure(&["run", "-w", "sleep:ms=1,ms=2"]), 2, &["sleep", "`ms` is given twice"]);
}

/// A valid file with one change made by `edit`, written to `dir/name`.
fn edited(dir: &Path, source: &Value, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut json = source.clone();
    edit(&mut json);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    path
}

/// A change to a results file's JSON.
type Edit<'a> = Box<dyn FnOnce(&mut Value) + 'a>;

#[test]
fn every_loader_failure_names_the_field_and_legitimate_partial_files_load() {
    let dir = tempfile::tempdir().unwrap();
    let source = read_json(&small_results(dir.path()));
    let p = |k: usize| format!("/workloads/0/points/{k}");
    let set = |ptr: String, v: Value| move |j: &mut Value| *j.pointer_mut(&ptr).unwrap() = v;
    let cases: Vec<(&str, Edit<'_>, &str)> = vec![
        (
            "zero-threads",
            Box::new(set(p(1) + "/threads", 0.into())),
            "workloads[0].points[1].threads: 0 is not a thread count",
        ),
        (
            "absurd-threads",
            Box::new(set(p(1) + "/threads", 10_000_000_000u64.into())),
            "workloads[0].points[1].threads",
        ),
        (
            "duplicate-threads",
            Box::new(set(p(1) + "/threads", 1.into())),
            "1 after 1: thread counts must be distinct and ascending",
        ),
        (
            "unpaired",
            Box::new(|j: &mut Value| {
                j.pointer_mut(&(p(1) + "/samples_ns")).unwrap().as_array_mut().unwrap().pop();
            }),
            "workloads[0].points[1].samples_ns: 2 samples, but the workload has 3 rounds",
        ),
        (
            "no-samples",
            Box::new(set(p(1) + "/samples_ns", Value::Array(vec![]))),
            "workloads[0].points[1].samples_ns: 0 samples",
        ),
        (
            "max-sample",
            Box::new(set(p(0) + "/samples_ns/1", u64::MAX.into())),
            "workloads[0].points[0].samples_ns: sample 1 is 18446744073709551615 ns",
        ),
        (
            "version-string",
            Box::new(set("/schema_version".into(), "1".into())),
            "schema_version must be a whole number, not \"1\"",
        ),
        (
            "unknown-tag",
            Box::new(set(p(0) + "/tags", serde_json::json!(["haunted"]))),
            "field `workloads[0].points[0].tags[0]`: unknown variant `haunted`",
        ),
        ("negative-rounds", Box::new(set("/workloads/0/rounds".into(), (-1).into())), "field `workloads[0].rounds`"),
    ];
    for (name, edit, want) in cases {
        let path = edited(dir.path(), &source, &format!("{name}.json"), edit);
        for command in ["fit", "report"] {
            assert_refused(&measure(&[command, str_path(&path)]), 65, &[want, &format!("{name}.json")]);
        }
    }
    // Legitimate: a failed point without samples, and a run still `running` with a workload
    // saved mid-sweep; the latter is loaded with a warning.
    let failed = edited(dir.path(), &source, "failed-point.json", |j| {
        *j.pointer_mut(&(p(1) + "/samples_ns")).unwrap() = Value::Array(vec![]);
        *j.pointer_mut(&(p(1) + "/cpu_ns")).unwrap() = Value::Array(vec![]);
        *j.pointer_mut(&(p(1) + "/involuntary_context_switches")).unwrap() = Value::Array(vec![]);
        *j.pointer_mut(&(p(1) + "/error")).unwrap() = "workload `synthetic` panicked at j=2".into();
    });
    let out = measure(&["fit", str_path(&failed)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let partial = edited(dir.path(), &source, "partial.json", |j| {
        j["run"]["status"] = "running".into();
        j["workloads"][0]["stop"] = "running".into();
    });
    let out = measure(&["fit", str_path(&partial)]);
    assert!(out.status.success() && stderr(&out).contains("the run did not finish"), "{}", stderr(&out));
}

#[test]
fn endless_and_oversized_inputs_are_refused_without_reading_them_whole() {
    assert_refused(&measure(&["fit", "/dev/zero"]), 65, &["/dev/zero", "is not a regular file"]);
    let dir = tempfile::tempdir().unwrap();
    let path = small_results(dir.path());
    assert_refused(&measure(&["fit", "--max-input", "1K", str_path(&path)]), 65, &["larger than 1024 bytes"]);
    assert!(measure(&["fit", "--max-input", "1M", str_path(&path)]).status.success());
}

#[test]
fn control_characters_from_a_file_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let source = read_json(&small_results(dir.path()));
    let path =
        edited(dir.path(), &source, "esc.json", |j| j["workloads"][0]["name"] = "\u{1b}]0;pwned\u{7}\u{1b}[2J".into());
    for args in
        [&["fit", str_path(&path)][..], &["fit", "--json", str_path(&path)][..], &["report", str_path(&path)][..]]
    {
        let out = measure(args);
        assert!(out.status.success(), "{}", stderr(&out));
        let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
        assert!(!all.contains(&0x1b) && !all.contains(&0x07), "{args:?}: {}", String::from_utf8_lossy(&all));
    }
    // The JSON output still parses and means the same name.
    let json: Value = serde_json::from_slice(&measure(&["fit", "--json", str_path(&path)]).stdout).unwrap();
    assert_eq!(json["workloads"][0]["name"], "\u{1b}]0;pwned\u{7}\u{1b}[2J");
}

/// A committed results file.
#[test]
fn fit_reads_a_results_file_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("x.html");
    std::fs::copy(reference(), &html).unwrap();
    let out = measure(&["fit", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("synthetic"), "{}", stdout(&out));
}

#[test]
fn a_csv_row_with_a_field_too_many_is_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "threads,seconds\n1,2.0\n2,1.1,7\n4,0.6\n").unwrap();
    let out = measure(&["fit", csv.to_str().unwrap()]);
    assert_refused(&out, 65, &["c.csv", "line 3: 3 fields, but the header names 2"]);
}

#[test]
fn a_huge_budget_is_echoed_short() {
    let out = measure(&["run", "-w", "synthetic", "--budget", "1e300", "--dry-run"]);
    assert_refused(&out, 2, &["--budget", "1e300"]);
    assert!(!stderr(&out).contains("0000000000"), "{}", stderr(&out));
}

#[test]
fn a_huge_workload_name_is_cut_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    let name = "a".repeat(1 << 20);
    std::fs::write(dir.path().join("s.json"), format!("[{{\"workload\": \"{name}\"}}]")).unwrap();
    let out = measure_in(dir.path(), &["run", "--suite", "s.json", "--dry-run"]);
    assert_refused(&out, 65, &["s.json", "unknown workload", "…"]);
    assert!(out.stderr.len() < 2000, "{} bytes of stderr", out.stderr.len());
}

#[test]
fn a_lone_surrogate_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(reference()).unwrap();
    let escaped = text.replacen("\"name\": \"", "\"name\": \"\\ud800", 1);
    assert_ne!(escaped, text);
    std::fs::write(dir.path().join("escaped.json"), escaped).unwrap();
    let out = measure_in(dir.path(), &["fit", "escaped.json"]);
    assert_refused(&out, 65, &["escaped.json", "half of a surrogate pair"]);
    let raw = text.replacen("\"name\": \"", "\"name\": \"\u{1}", 1).into_bytes();
    let at = raw.iter().position(|&b| b == 1).unwrap();
    let raw = [&raw[..at], b"\xed\xa0\x80", &raw[at + 1..]].concat();
    std::fs::write(dir.path().join("raw.json"), raw).unwrap();
    let out = measure_in(dir.path(), &["fit", "raw.json"]);
    assert_refused(&out, 65, &["raw.json", "not UTF-8 text: line", "a UTF-16 surrogate"]);
}
