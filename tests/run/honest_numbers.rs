//! No silent wrong numbers (issue 21, items 14, 17, 20, 22): a single thread count is measured and
//! said to be one, a file's cached summaries never pass as measured, a paused sample is flagged, and
//! two `-w` never share a name. Each test asserts files, messages and exit codes, never timings.

use std::path::Path;

use crate::util::{assert_refused, measure_in, read_json, stderr, stdout};
use amdahl::machine::fixture::FixtureMachine;
use serde_json::Value;

fn write_json(path: &Path, json: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(json).unwrap()).unwrap();
}

/// Asserts that workload 0 of `file` measured j = 1 alone and says no curve can be fitted.
fn assert_single_point(file: &Value) {
    let w = &file["workloads"][0];
    assert_ne!(w["stop"], "failed", "{w:#}");
    assert!(w["error"].is_null(), "{w:#}");
    assert!(w["rounds"].as_u64().unwrap() >= 2, "{w:#}");
    let points = w["points"].as_array().unwrap();
    assert_eq!(points.len(), 1, "{w:#}");
    assert_eq!(points[0]["threads"], 1);
    assert!(points[0]["median_ns_ci95"].is_array(), "T(1) has its interval: {w:#}");
    assert_eq!(w["verdict"]["kind"], "single-point", "{w:#}");
    assert!(w["diagnosis"].as_str().unwrap().contains("no curve can be fitted"), "{w:#}");
}

#[test]
fn one_thread_count_is_measured_and_called_a_single_point() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", "-w", "synthetic:size=200000", "-t", "1", "--min-rounds", "3", "--max-rounds", "3"];
    let out = measure_in(dir.path(), &[&args[..], &["--no-ceilings", "-q", "--out", "r.json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("FAILED"), "{}", stdout(&out));
    let file = read_json(&dir.path().join("r.json"));
    assert_single_point(&file);
    assert_eq!(file["workloads"][0]["rounds"], 3);

    // `measure fit` of that file says the same.
    let fit = measure_in(dir.path(), &["fit", "r.json"]);
    assert_eq!(fit.status.code(), Some(0), "{}", stderr(&fit));
    assert!(stdout(&fit).contains("no curve can be fitted"), "{}", stdout(&fit));
}

#[test]
fn a_one_cpu_machine_measures_its_default_plan_of_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    FixtureMachine { sockets: 1, cores_per_socket: 1, ..FixtureMachine::default() }.write(dir.path()).unwrap();
    let args = ["run", "-w", "synthetic:size=200000", "--min-rounds", "2", "--max-rounds", "2", "-q"];
    let roots = ["--sysfs", "sys", "--procfs", "proc", "--out", "r.json"];
    let out = measure_in(dir.path(), &[&args[..], &roots].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_single_point(&read_json(&dir.path().join("r.json")));
}

#[test]
fn a_file_without_samples_shows_no_cached_summary_as_measured() {
    let dir = tempfile::tempdir().unwrap();
    let out = measure_in(
        dir.path(),
        &crate::util::two_rounds(&["-w", "synthetic:size=200000", "--no-ceilings", "--out", "r.json"]),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.path().join("r.json");
    let mut file = read_json(&path);
    // Zero rounds, no samples, and cached summaries no measurement could have given.
    let w = &mut file["workloads"][0];
    w["rounds"] = 0.into();
    for p in w["points"].as_array_mut().unwrap() {
        for key in ["samples_ns", "cpu_ns", "involuntary_context_switches"] {
            p[key] = Value::Array(Vec::new());
        }
        p["median_ns"] = 17000.0.into();
        p["speedup"] = 17000.0.into();
        p["speedup_ci95"] = serde_json::json!([17000.0, 17000.0]);
        p["efficiency"] = 8500.0.into();
    }
    w["fits"]["amdahl"]["serial_fraction"] = 0.17.into();
    write_json(&path, &file);

    let fit = measure_in(dir.path(), &["fit", "r.json", "--json"]);
    assert_eq!(fit.status.code(), Some(0), "{}", stderr(&fit));
    let text = stdout(&fit);
    assert!(!text.contains("17000") && !text.contains("8500") && !text.contains("0.17"), "{text}");
    let table = measure_in(dir.path(), &["fit", "r.json"]);
    assert!(!stdout(&table).contains("17000"), "{}", stdout(&table));
    let report = measure_in(dir.path(), &["report", "r.json"]);
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    assert!(!stdout(&report).contains("17000"), "{}", stdout(&report));
}

#[test]
fn a_paused_sample_is_flagged_as_an_outlier_and_its_point_disturbed() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", "-w", "synthetic:size=200000", "-t", "1,2", "--min-rounds", "5", "--max-rounds", "5"];
    let out = measure_in(dir.path(), &[&args[..], &["--no-ceilings", "-q", "--out", "r.json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.path().join("r.json");
    let mut file = read_json(&path);
    // Samples of 10 ms at j = 1, one of them paused by SIGSTOP: 19x the median wall time, with the
    // usual CPU time.
    let p = &mut file["workloads"][0]["points"][0];
    p["samples_ns"] = serde_json::json!([10_000_000, 10_100_000, 190_000_000, 9_900_000, 10_000_000]);
    p["cpu_ns"] = serde_json::json!([10_000_000, 10_100_000, 10_000_000, 9_900_000, 10_000_000]);
    p["involuntary_context_switches"] = serde_json::json!([0, 0, 0, 0, 0]);
    write_json(&path, &file);

    let mut results = amdahl::results::load(&path, amdahl::input::InputLimit::DEFAULT).unwrap();
    amdahl::fit_command::refit(&mut results);
    let point = &results.workloads[0].points[0];
    let d = point.disturbance.as_ref().expect("the paused sample is flagged");
    assert_eq!((d.outliers, d.samples), (1, 5), "{d:?}");
    assert!(point.tags.contains(&amdahl::results::Tag::Disturbed), "{:?}", point.tags);
    // The reports say so.
    let report = measure_in(dir.path(), &["report", "r.json"]);
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    assert!(stdout(&report).contains("disturbed"), "{}", stdout(&report));
}

#[test]
fn duplicate_workloads_are_refused_and_one_workload_with_other_parameters_gets_distinct_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = measure_in(dir.path(), &["run", "-w", "sleep:ms=1", "-w", "sleep:ms=1", "-q", "--out", "twice.json"]);
    assert_refused(&out, 2, &["--workload", "sleep:ms=1", "is given twice"]);
    assert!(!dir.path().join("twice.json").exists(), "refused before anything is claimed");
    let out = measure_in(dir.path(), &["run", "--cmd", "true {threads}", "--cmd", "true -x {threads}", "-q"]);
    assert_refused(&out, 2, &["--cmd", "--name"]);

    let args =
        crate::util::two_rounds(&["-w", "synthetic:size=200000", "-w", "synthetic:size=300000", "--no-ceilings"]);
    let out = measure_in(dir.path(), &[&args[..], &["--out", "r.json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = read_json(&dir.path().join("r.json"));
    let names: Vec<&str> = file["workloads"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["synthetic:size=200000", "synthetic:size=300000"]);
    assert_eq!(file["workloads"][1]["params"]["size"], 300000.0);
}
