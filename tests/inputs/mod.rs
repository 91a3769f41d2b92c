//! The smaller reliability cases of issue 21: standard output closed or named `-`, results files
//! known by their content, CSV rows with a field too many, values echoed in a short form, a failed
//! command that said nothing.

mod util;

use std::path::{Path, PathBuf};

use util::{assert_refused, measure, measure_command, measure_in, stdout};

/// A committed results file.
fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("results/reference/2026-11-25-vm16-xeon-synthetic-b025.json")
}

#[test]
fn a_closed_stdout_is_an_io_error_and_a_broken_pipe_is_not() {
    let closed = std::process::Command::new("sh")
        .args(["-c", "exec \"$0\" list >&-", env!("CARGO_BIN_EXE_measure")])
        .output()
        .unwrap();
    assert_refused(&closed, 74, &["<stdout>", "standard output is closed"]);
    // A reader that stops reading early is no error: `measure list | head -1`.
    let piped = std::process::Command::new("sh")
        .args(["-c", "\"$0\" list | head -c 1 >/dev/null; exit 0", env!("CARGO_BIN_EXE_measure")])
        .output()
        .unwrap();
    assert!(piped.stderr.is_empty(), "{}", String::from_utf8_lossy(&piped.stderr));
    // Redirected to /dev/null on purpose: fine.
    let null = measure_command().arg("list").stdout(std::process::Stdio::null()).output().unwrap();
    assert_eq!(null.status.code(), Some(0), "{}", String::from_utf8_lossy(&null.stderr));
}

#[test]
fn a_report_to_dash_goes_to_stdout_and_only_one_output_may() {
    let dir = tempfile::tempdir().unwrap();
    let input = reference();
    let input = input.to_str().unwrap();
    let out = measure_in(dir.path(), &["report", input, "--markdown", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    assert!(stdout(&out).contains("synthetic"), "{}", stdout(&out));
    let out = measure_in(dir.path(), &["report", input, "--html", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    assert!(stdout(&out).starts_with("<!DOCTYPE html>") || stdout(&out).contains("<html"), "{}", stdout(&out));
    let out = measure_in(dir.path(), &["report", input, "--html", "-", "--markdown", "-"]);
    assert_refused(&out, 2, &["--markdown", "standard output, which --html already writes to"]);
    assert!(!dir.path().join("-").exists(), "a file named `-` was written");
}

#[test]
fn a_run_exports_to_stdout_in_place_of_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = measure_in(
        dir.path(),
        &util::two_rounds(&["-w", "synthetic:size=100000", "--out", "r.json", "--export-csv", "-"]),
    );
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().next().is_some_and(|header| header.contains("threads")), "{text}");
    assert!(!dir.path().join("-").exists(), "a file named `-` was written");
    let out = measure_in(
        dir.path(),
        &util::two_rounds(&["-w", "synthetic:size=100000", "--out", "s.json", "--export-csv", "-", "--json"]),
    );
    assert_refused(&out, 2, &["--export-csv", "--json"]);
}

#[test]
fn fit_reads_a_results_file_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("x.html");
    std::fs::copy(reference(), &html).unwrap();
    let out = measure(&["fit", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", util::stderr(&out));
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
    assert!(!util::stderr(&out).contains("0000000000"), "{}", util::stderr(&out));
}

#[test]
fn a_failed_command_that_said_nothing_leaves_no_colon() {
    let dir = tempfile::tempdir().unwrap();
    let out = measure_in(dir.path(), &util::two_rounds(&["--cmd", "false {threads}", "--out", "f.json"]));
    let err = util::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("failed (exit status: 1)") && !err.contains("failed (exit status: 1):"), "{err}");
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
fn a_program_that_is_threads_is_checked_as_it_runs_at_one() {
    let out = measure(&["run", "--cmd", "{threads}", "--dry-run"]);
    assert_refused(&out, 2, &["--cmd", "`1` (its program at j = 1) is not found"]);
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
