//! Integration tests of the `measure` binary. Timings of the real clock are never asserted.

mod util;

use util::{assert_refused, measure, measure_in, stderr, stdout};

#[test]
fn list_json_names_every_workload_with_params() {
    let out = measure(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["primes", "mc-pi", "newton", "three-body", "sleep", "synthetic", "triad", "contended"]);
    for w in list.as_array().unwrap() {
        assert!(w["kind"].is_string() && w["description"].is_string());
        let params = w["params"].as_array().unwrap();
        assert!(params.iter().any(|p| p["name"] == "size"), "{w}");
    }
    let synthetic = &list[5]["params"].as_array().unwrap().iter().find(|p| p["name"] == "b").unwrap().clone();
    assert_eq!((synthetic["min"].as_f64(), synthetic["max"].as_f64()), (Some(0.0), Some(1.0)));
}

#[test]
fn list_text_shows_kinds_and_ranges() {
    let out = stdout(&measure(&["list"]));
    assert!(out.contains("three-body") && out.contains("io-bound") && out.contains("0..=1"), "{out}");
}

#[test]
fn bad_workload_specs_are_refused_before_running() {
    let cases: [(&str, &[&str]); 5] = [
        ("synthetic:b=1.5", &["synthetic", "`b`", "1.5", "0..=1"]),
        ("sleep:ms=-1", &["sleep", "`ms`", "-1", "0..=60000"]),
        ("triad:mib=abc", &["triad", "`mib`", "abc", "not a whole number"]),
        ("nosuch", &["unknown workload `nosuch`", "primes"]),
        ("primes:speed=3", &["primes", "no parameter `speed`", "size"]),
    ];
    for (spec, parts) in cases {
        assert_refused(&measure(&["run", "--workload", spec]), 2, parts);
        assert_refused(&measure(&["--workload", spec]), 2, parts);
    }
}

#[test]
fn bad_flag_values_are_refused_with_the_flag_and_limit() {
    let cases: [(&[&str], &[&str]); 9] = [
        (&["--threads", "0"], &["--threads", "`0`"]),
        (&["--threads", "-3"], &["--threads", "-3"]),
        (&["--threads", "4-2"], &["--threads", "reversed"]),
        (&["--threads", ""], &["--threads", "empty"]),
        (&["--threads", "2000"], &["--threads", "2000", "limit"]),
        (&["--threads", "65N"], &["--threads", "65N", "64N"]),
        (&["--budget", "-1"], &["--budget", "-1"]),
        (&["--target-ms", "0"], &["--target-ms", "`0`"]),
        (&["--min-rounds", "0"], &["--min-rounds", "`0`"]),
    ];
    for (args, parts) in cases {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        assert_refused(&measure(&all), 2, parts);
    }
    assert_refused(&measure(&["run", "--backend", "fibers"]), 2, &["--backend", "fibers"]);
}

#[test]
fn output_folder_that_does_not_exist_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing/r.json");
    let out = out.to_str().unwrap();
    assert_refused(&measure(&["run", "--workload", "synthetic:size=1000", "--out", out]), 74, &["missing"]);
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    std::fs::write(&path, "precious").unwrap();
    let out = measure(&["run", "--workload", "synthetic:size=1000", "--out", path.to_str().unwrap()]);
    assert_refused(&out, 2, &["already exists", "--force"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
}

#[test]
fn a_small_real_run_writes_a_complete_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--workload",
        "synthetic:size=200000,b=0.5",
        "--workload",
        "sleep:size=4,ms=0.2",
        "--threads",
        "1,2",
        "--min-rounds",
        "3",
        "--max-rounds",
        "3",
        "--json",
        "--quiet",
    ];
    let out = measure_in(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The default destination: one new file under results/.
    let files: Vec<_> = std::fs::read_dir(dir.path().join("results")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(printed, saved);
    // The contract names other tools read.
    assert_eq!(saved["schema_version"], 1);
    assert!(saved["machine"]["logical_cpus"].as_u64().unwrap() >= 1);
    assert!(saved["machine"]["physical_cores"].as_u64().unwrap() >= 1);
    assert_eq!(saved["run"]["status"], "complete");
    let w = &saved["workloads"][0];
    assert_eq!((w["name"].as_str(), w["kind"].as_str()), (Some("synthetic"), Some("synthetic")));
    assert_eq!(w["params"]["b"], 0.5);
    let points = w["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    for p in points {
        assert_eq!(p["samples_ns"].as_array().unwrap().len(), 3);
        assert!(p["speedup"].is_number() && p["speedup_ci95"].as_array().unwrap().len() == 2);
        assert!(p["efficiency"].is_number());
    }
    assert!(points[1]["karp_flatt"].is_number());
    assert!(w["fits"]["amdahl"]["serial_fraction"].is_number());
    assert_eq!(w["fits"]["amdahl"]["ci95"].as_array().unwrap().len(), 2);
    assert!(stderr(&out).contains("results written to"));
}

#[test]
fn published_schema_matches_the_types() {
    let published = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/results/schema.json")).unwrap();
    assert!(
        published == amdahl::results::json_schema(),
        "results/schema.json is out of date: run `cargo run -- schema > results/schema.json`"
    );
}
