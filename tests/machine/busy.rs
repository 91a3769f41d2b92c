//! Issue 21, item 21: busyness is judged from a short sample of `/proc/stat` taken before the run,
//! not from the 1-minute load average, which still carries the previous run for a minute. The
//! load average stays a recorded fact; readers recompute from the recorded sample.

use std::path::Path;

use crate::util::{measure_command, stderr, warnings_of};
use amdahl::analysis::AnalysisContext;
use amdahl::input::InputLimit;
use amdahl::machine::fixture::FixtureMachine;

/// Runs `synthetic` on the fixture tree `machine`: the saved file, the file as loaded, and stderr.
fn run_on(machine: &FixtureMachine, dir: &Path) -> (serde_json::Value, amdahl::results::ResultsFile, String) {
    machine.write(dir).unwrap();
    let out_path = dir.join("r.json");
    let (sys, proc) = (dir.join("sys"), dir.join("proc"));
    let args = crate::util::two_rounds(&[
        "-w",
        "synthetic:size=1000",
        "--out",
        out_path.to_str().unwrap(),
        "--sysfs",
        sys.to_str().unwrap(),
        "--procfs",
        proc.to_str().unwrap(),
    ]);
    let out = measure_command().args(&args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let saved = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    let loaded = amdahl::results::load(&out_path, InputLimit::DEFAULT).unwrap();
    (saved, loaded, stderr(&out))
}

/// A load average of 7.5 on 2 CPUs (the last minute's runs) but an idle `stat` (no tick moves in
/// a fixture, and only the reader runnable): no "machine is busy", in the file or on stderr; the
/// load average is still recorded, and the sample beside it, which readers prefer.
#[test]
fn a_high_load_average_with_an_idle_sample_is_not_busy() {
    let dir = tempfile::tempdir().unwrap();
    let machine = FixtureMachine { loadavg: "7.50 7.00 6.00 1/100 1".into(), procs_running: 1, ..Default::default() };
    let (saved, loaded, err) = run_on(&machine, dir.path());
    let busy = "machine is busy";
    assert!(!warnings_of(&saved).iter().any(|w| w.contains(busy)), "{:#?}", warnings_of(&saved));
    assert!(!err.contains(busy), "{err}");
    assert_eq!(saved["machine"]["load_before"], serde_json::json!([7.5, 7.0, 6.0]));
    assert_eq!(saved["machine"]["environment"]["before"]["load"], serde_json::json!([7.5, 7.0, 6.0]));
    let sample = &saved["machine"]["busy_before"];
    assert_eq!((sample["cpus"].as_u64(), sample["busy_ticks"].as_u64()), (Some(2), Some(0)), "{sample}");
    assert_eq!(sample["procs_running"], serde_json::json!([1, 1]));
    // Readers recompute from the sample; a file without one (older) falls back to the load average.
    assert_eq!(AnalysisContext::of(&loaded, 0).load, Some(0.0));
    let mut older = loaded.clone();
    older.machine.busy_before = None;
    assert_eq!(AnalysisContext::of(&older, 0).load, Some(7.5));
}

/// The counter-case, so the test above can fail: the same load average with three tasks runnable
/// through the sample (two besides the reader, above half of 2 CPUs) is busy, and says how it knows.
#[test]
fn a_sample_with_other_work_runnable_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let machine = FixtureMachine { loadavg: "7.50 7.00 6.00 3/100 1".into(), procs_running: 3, ..Default::default() };
    let (saved, loaded, err) = run_on(&machine, dir.path());
    let said = "the machine is busy: 2.00 CPUs busy or runnable in a 0.0 s sample of /proc/stat on 2 usable CPUs";
    assert_eq!(warnings_of(&saved).iter().filter(|w| w.contains(said)).count(), 1, "{:#?}", warnings_of(&saved));
    assert_eq!(err.matches(said).count(), 1, "{err}");
    assert_eq!(AnalysisContext::of(&loaded, 0).load, Some(2.0));
}
