//! The thread-time account through the binary: profile runs in the file, `time_parts` per point
//! adding up to 1, shown by `measure run` and `measure fit` (text and JSON), and files without
//! them still loading. Real runs, so nothing about their durations is asserted.

use crate::util::{self, measure, measure_in, reference, stdout, two_rounds};

#[test]
fn a_run_records_profile_runs_and_every_reader_shows_their_account() {
    let dir = tempfile::tempdir().unwrap();
    // Without -q: the table and its account are printed.
    let args = two_rounds(&["-w", "synthetic:size=2000000", "--no-ceilings", "-o", "r.json"]);
    let out = measure_in(dir.path(), &args.into_iter().filter(|a| *a != "-q").collect::<Vec<_>>());
    assert!(out.status.success(), "{}", util::stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("where the thread-time j x T(j) goes (measured in up to 2 profile runs a point"), "{text}");
    assert!(
        text.contains("useful  inflation     serial  imbalance   dispatch    blocked  run-queue  serial/T(1)"),
        "{text}"
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let w = &file["workloads"][0];
    assert_eq!(file["schema_version"], 4, "the profile is a new optional field; version 4 is issue 33's intervals");
    for p in w["points"].as_array().unwrap() {
        // Two rounds, two profile runs, none of them among the samples of T(j).
        assert_eq!((p["samples_ns"].as_array().unwrap().len(), p["profile"].as_array().unwrap().len()), (2, 2));
        let parts = &p["time_parts"];
        let total: f64 = ["useful", "inflation", "serial", "imbalance", "dispatch", "blocked", "run_queue"]
            .iter()
            .filter_map(|k| parts[k]["share"].as_f64())
            .sum::<f64>()
            + parts["merged"]["share"].as_f64().unwrap_or(0.0);
        assert!((total - 1.0).abs() < 0.01, "j = {}: the parts add up to {total}: {parts}", p["threads"]);
        assert!(parts["serial_share_of_t1"]["share"].as_f64().is_some(), "{parts}");
        // At j = 1 the first round's profile run is the span run (its tasks timed, for work/span),
        // left out of the account.
        let span_runs = p["profile"].as_array().unwrap().iter().filter(|r| r["longest_tasks_ns"].is_u64()).count();
        assert_eq!(span_runs, usize::from(p["threads"] == 1), "{p}");
        assert_eq!(parts["profile_runs"], 2 - span_runs);
    }
    // `measure fit` recomputes the account from the profile runs and shows it, in text and JSON.
    let fitted = measure_in(dir.path(), &["fit", "r.json"]);
    assert!(stdout(&fitted).contains("where the thread-time j x T(j) goes"), "{}", stdout(&fitted));
    let json: serde_json::Value =
        serde_json::from_slice(&measure_in(dir.path(), &["fit", "--json", "r.json"]).stdout).unwrap();
    let accounts = json["workloads"][0]["time_parts"].as_array().unwrap();
    assert_eq!(accounts.iter().map(|a| a["threads"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(accounts[1]["serial"], w["points"][1]["time_parts"]["serial"]);
}

#[test]
fn a_file_without_profile_runs_loads_and_shows_no_account() {
    let reference = reference();
    let reference = util::str_path(&reference);
    assert!(!std::fs::read_to_string(reference).unwrap().contains("time_parts"));
    let out = measure(&["fit", reference]);
    assert!(out.status.success(), "{}", util::stderr(&out));
    assert!(!stdout(&out).contains("where the thread-time"));
    let json: serde_json::Value = serde_json::from_slice(&measure(&["fit", "--json", reference]).stdout).unwrap();
    assert!(
        json["workloads"].as_array().unwrap().iter().all(|w| w.get("time_parts").is_none() && w.get("cause").is_none())
    );
}
