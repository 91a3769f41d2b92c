//! Nothing measured is ever lost, nothing is written where it was not asked, no input panics or
//! hangs: the binary attacked on purpose. Each test asserts files and exit codes, never timings;
//! waits poll a file with a generous bound.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{assert_refused, measure, measure_in, stderr, stdout};

/// `measure` started in the background in `dir`.
fn spawn_in(dir: &Path, args: &[&str]) -> Child {
    util::measure_command()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the measure binary starts")
}

/// Polls `path` until `ready` holds for its JSON (at most 60 s).
fn wait_for(path: &Path, ready: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        if let Some(json) = std::fs::read(path).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            && ready(&json)
        {
            return json;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{} never became ready", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, signal: i32) {
    // SAFETY: kill sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

fn load(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn rounds_of(json: &Value) -> u64 {
    json["workloads"].get(0).and_then(|w| w["rounds"].as_u64()).unwrap_or(0)
}

fn str_path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small complete results file made by a real run, in `dir`.
fn small_results(dir: &Path) -> PathBuf {
    let path = dir.join("small.json");
    let out = measure(&[
        "run",
        "-w",
        "synthetic:size=100000",
        "-t",
        "1,2",
        "--min-rounds",
        "3",
        "--max-rounds",
        "3",
        "-q",
        "--out",
        str_path(&path),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    path
}

#[test]
fn of_two_runs_with_the_same_out_the_first_wins_and_the_second_measures_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let first = spawn_in(
        dir.path(),
        &[
            "run",
            "-w",
            "sleep:ms=5",
            "-t",
            "1,2",
            "--min-rounds",
            "3",
            "--max-rounds",
            "3",
            "-q",
            "--out",
            str_path(&out),
        ],
    );
    wait_for(&out, |j| j["run"]["status"] == "running");
    let second = measure(&["run", "-w", "synthetic:size=1000", "--out", str_path(&out)]);
    assert_refused(&second, 2, &["already exists", "--force"]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let saved = load(&out);
    assert_eq!(
        (saved["run"]["status"].as_str(), saved["workloads"][0]["name"].as_str()),
        (Some("complete"), Some("sleep"))
    );

    // Default names in one folder: each run claims its own.
    let runs: Vec<Child> = (0..2)
        .map(|_| {
            spawn_in(
                dir.path(),
                &["run", "-w", "synthetic:size=1000", "-t", "1,2", "--min-rounds", "2", "--max-rounds", "2", "-q"],
            )
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let files = std::fs::read_dir(dir.path().join("results")).unwrap().count();
    assert_eq!(files, 2);
}

#[test]
fn the_report_never_replaces_the_results_nor_an_existing_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.html");
    let args = |out: &Path| -> Vec<String> {
        [
            "run",
            "-w",
            "synthetic:size=1000",
            "-t",
            "1,2",
            "--min-rounds",
            "2",
            "--max-rounds",
            "2",
            "-q",
            "--report",
            "--out",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([str_path(out).to_owned()])
        .collect()
    };
    let run = |out: &Path| {
        let args = args(out);
        measure(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let done = run(&out);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(load(&out)["schema"], "amdahl-results");
    assert!(std::fs::read_to_string(dir.path().join("x.report.html")).unwrap().starts_with("<!DOCTYPE html>"));

    // An existing page is refused before anything is measured, and no results file is left.
    let out = dir.path().join("y.json");
    std::fs::write(dir.path().join("y.html"), "precious").unwrap();
    assert_refused(&run(&out), 2, &["y.html", "already exists", "--force"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("y.html")).unwrap(), "precious");
    assert!(!out.exists());
}

#[test]
fn names_in_a_results_file_cannot_write_outside_the_chart_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut json = load(&small_results(dir.path()));
    let evil = dir.path().join("evil.json");
    let escape = dir.path().join("escaped");
    json["workloads"][0]["name"] = Value::from(format!("../../{}", str_path(&escape)));
    std::fs::write(&evil, serde_json::to_vec(&json).unwrap()).unwrap();
    let charts = dir.path().join("charts");
    let out = measure(&["report", "--svg-dir", str_path(&charts), str_path(&evil)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written: Vec<String> =
        std::fs::read_dir(&charts).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    // Two thread counts: one combined chart (the speedup, its points labelled with E).
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written.iter().all(|n| n.ends_with("-speedup.svg") && !n.contains('/')), "{written:?}");
    let outside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(outside.len(), 3, "only small.json, evil.json and charts/: {outside:?}");
    // Again without --force: the charts exist, nothing is replaced.
    assert_refused(&measure(&["report", "--svg-dir", str_path(&charts), str_path(&evil)]), 2, &["already exists"]);
}

#[test]
fn force_never_replaces_a_device_a_fifo_or_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(str_path(&fifo)).unwrap();
    // SAFETY: mkfifo on a NUL-terminated path in our temporary folder.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let mut targets = vec![(fifo.clone(), "not a regular file")];
    let device = dir.path().join("null");
    let d = std::ffi::CString::new(str_path(&device)).unwrap();
    // SAFETY: mknod of a character device (1, 3: like /dev/null) in our temporary folder; it needs
    // root, and the test checks it only where that worked.
    if unsafe { libc::mknod(d.as_ptr(), libc::S_IFCHR | 0o600, libc::makedev(1, 3)) } == 0 {
        targets.push((device.clone(), "not a regular file"));
    }
    let target = dir.path().join("real.json");
    std::fs::write(&target, "precious").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    targets.push((link, "symbolic link"));
    for (path, what) in &targets {
        let out = measure(&["run", "-w", "synthetic:size=1000", "--force", "--out", str_path(path)]);
        assert_refused(&out, 2, &[what]);
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    if targets.len() == 3 {
        assert!(std::fs::symlink_metadata(&device).unwrap().file_type().is_char_device());
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
}

#[test]
fn two_signals_at_once_save_every_completed_round_and_exit_by_the_first() {
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGINT, 130), (libc::SIGHUP, 129)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        let child = spawn_in(
            dir.path(),
            &[
                "run",
                "-w",
                "sleep:ms=1",
                "-t",
                "1-8",
                "--min-rounds",
                "100000",
                "--max-rounds",
                "100000",
                "--budget",
                "600",
                "-q",
                "--out",
                str_path(&out),
            ],
        );
        let seen = rounds_of(&wait_for(&out, |j| rounds_of(j) >= 2));
        // Like GNU timeout: the process, then its group, nearly at once.
        signal(&child, sig);
        signal(&child, sig);
        let done = child.wait_with_output().unwrap();
        assert_eq!(done.status.code(), Some(code), "{}", stderr(&done));
        let saved = load(&out);
        assert_eq!(saved["run"]["status"], "interrupted", "{}", stderr(&done));
        assert!(rounds_of(&saved) >= seen, "{} rounds saved, {seen} seen before", rounds_of(&saved));
        let samples = saved["workloads"][0]["points"][0]["samples_ns"].as_array().unwrap().len() as u64;
        assert_eq!(samples, rounds_of(&saved));
        // The saved file loads and refits.
        let fit = measure(&["fit", str_path(&out)]);
        assert!(fit.status.success(), "{}", stderr(&fit));
    }
}

#[test]
fn one_signal_finishes_the_sample_summarises_and_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let child = spawn_in(
        dir.path(),
        &[
            "run",
            "-w",
            "sleep:ms=1",
            "-t",
            "1-4",
            "--min-rounds",
            "100000",
            "--max-rounds",
            "100000",
            "--budget",
            "600",
            "--out",
            str_path(&out),
        ],
    );
    wait_for(&out, |j| rounds_of(j) >= 2);
    signal(&child, libc::SIGINT);
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130), "{}", stderr(&done));
    assert!(stdout(&done).contains("sleep (io-bound") && stdout(&done).contains("interrupted"), "{}", stdout(&done));
    let saved = load(&out);
    assert_eq!(
        (saved["run"]["status"].as_str(), saved["workloads"][0]["stop"].as_str()),
        (Some("interrupted"), Some("interrupted"))
    );
    assert!(saved["workloads"][0]["fits"]["amdahl"]["serial_fraction"].is_number());
}

/// Whether a process whose command line contains `needle` is running.
fn running(needle: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(needle))
    })
}

#[test]
fn a_hung_command_times_out_and_ctrl_c_kills_its_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let hung = "sh -c 'sleep 987651; echo {threads}'";
    let done = measure_in(
        dir.path(),
        &["run", "--cmd", hung, "--name", "hung", "-t", "1,2", "--timeout", "1", "-q", "--out", str_path(&out)],
    );
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    let saved = load(&out);
    assert_eq!(saved["run"]["status"], "complete");
    let error = saved["workloads"][0]["error"].as_str().unwrap();
    assert!(error.contains("timed out after 1.000 s") && error.contains("j=1"), "{error}");
    assert!(!running("sleep 987651"), "the command outlived its timeout");

    // No timeout: Ctrl-C kills the command's group, saves, and exits 130 at once.
    let out = dir.path().join("s.json");
    let child = spawn_in(
        dir.path(),
        &[
            "run",
            "--cmd",
            "sh -c 'sleep 987652; echo {threads}'",
            "-t",
            "1,2",
            "--timeout",
            "none",
            "-q",
            "--out",
            str_path(&out),
        ],
    );
    wait_for(&out, |j| j["run"]["status"] == "running");
    let start = Instant::now();
    while !running("sleep 987652") {
        assert!(start.elapsed() < Duration::from_secs(30), "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, libc::SIGINT);
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130), "{}", stderr(&done));
    assert_eq!(load(&out)["run"]["status"], "interrupted");
    assert!(load(&out)["workloads"][0]["error"].is_null(), "an interrupted command is not a failure");
    assert!(!running("sleep 987652"), "the command was orphaned");
}

#[test]
fn in_process_work_that_does_not_return_is_saved_and_ends_with_124() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    // 64 tasks of 60 s: an hour at j = 1.
    let done = measure_in(
        dir.path(),
        &util::two_rounds(&[
            "-w",
            "synthetic:size=1000",
            "-w",
            "sleep:ms=60000",
            "--timeout",
            "1s",
            "--out",
            str_path(&out),
        ]),
    );
    assert_eq!(done.status.code(), Some(124), "{}", stderr(&done));
    assert!(stderr(&done).contains("workload `sleep` did not return within 1s at j = 1"), "{}", stderr(&done));
    let saved = load(&out);
    assert_eq!(saved["run"]["status"], "interrupted");
    assert_eq!(rounds_of(&saved), 2, "the finished workload is kept");
}

#[test]
fn a_failing_calibration_is_a_workload_error_and_later_workloads_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let done = measure_in(
        dir.path(),
        &util::two_rounds(&[
            "--cmd",
            "false",
            "--cmd",
            "true {threads} {size}",
            "--target-ms",
            "10",
            "--out",
            str_path(&out),
        ]),
    );
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    assert!(!stderr(&done).contains("panicked"), "{}", stderr(&done));
    let saved = load(&out);
    assert_eq!(saved["run"]["status"], "complete");
    assert!(saved["workloads"][0]["error"].as_str().unwrap().contains("calibrating --target-ms"));
    assert_eq!(saved["workloads"][1]["rounds"], 2);
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

#[test]
fn orphaned_temporary_files_in_the_output_folder_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    // Left by a process that died mid-write: PID 2^22 + 1 is above Linux's largest.
    let orphan = dir.path().join(amdahl::results::output::temp_name(&out, 4_194_305));
    std::fs::write(&orphan, "half a file").unwrap();
    let done = measure(&util::two_rounds(&["-w", "synthetic:size=1000", "--out", str_path(&out)]));
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(!orphan.exists());
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
    let source = load(&small_results(dir.path()));
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
    let source = load(&small_results(dir.path()));
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

#[test]
fn a_hyperfine_scan_of_two_commands_is_two_curves_each_named() {
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("scan.json");
    let entry = |cmd: &str, j: usize, t: f64| serde_json::json!({"command": format!("{cmd} -T{j} f"), "times": [t, t * 1.01, t * 0.99], "parameters": {"threads": j.to_string()}});
    // `fast` scales as B = 0.1; `flat` does not scale at all. Merged by j they made one wrong curve.
    let mut results = Vec::new();
    for j in [1, 2, 4] {
        results.push(entry("fast", j, 0.1 + 0.9 / j as f64));
        results.push(entry("flat", j, 1.0));
    }
    std::fs::write(&scan, serde_json::json!({ "results": results }).to_string()).unwrap();
    let out = measure(&["fit", "--json", str_path(&scan)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let curves: Value = serde_json::from_slice(&out.stdout).unwrap();
    let curves = curves.as_array().expect("one report per curve");
    assert_eq!(curves.len(), 2);
    let file = |i: usize| curves[i]["file"].as_str().unwrap().to_owned();
    assert!(file(0).ends_with("scan.json: fast -T{threads} f") && file(1).ends_with("scan.json: flat -T{threads} f"));
    let b = curves[0]["fits"]["amdahl"]["serial_fraction"].as_f64().unwrap();
    assert!((b - 0.1).abs() < 0.01, "{b}");
    assert_eq!(curves[1]["verdict"]["kind"], "sequential", "{}", curves[1]["diagnosis"]);

    // Commands that share no template: refused, saying why.
    let odd = dir.path().join("odd.json");
    let results = vec![entry("a", 1, 1.0), entry("b", 2, 0.5)];
    std::fs::write(&odd, serde_json::json!({ "results": results }).to_string()).unwrap();
    assert_refused(&measure(&["fit", str_path(&odd)]), 65, &["odd.json", "no command template"]);
    // Thread counts as in CSV files: capped, written plainly.
    let big = dir.path().join("big.json");
    std::fs::write(&big, serde_json::json!({ "results": [entry("x", 99999999999999, 1.0)] }).to_string()).unwrap();
    assert_refused(&measure(&["fit", str_path(&big)]), 65, &["big.json", "results[0]", "at most 1000000"]);
}

#[test]
fn a_dash_is_standard_output_for_the_results_json_and_refused_for_a_folder_of_charts() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--export-json", "--out"] {
        let out =
            measure_in(dir.path(), &util::two_rounds(&["-w", "synthetic:size=100000", "--no-ceilings", flag, "-"]));
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        let printed: Value = serde_json::from_slice(&out.stdout).expect("the results JSON on standard output");
        assert_eq!(printed["workloads"][0]["name"], "synthetic");
        assert!(!dir.path().join("-").exists(), "{flag} - wrote a file named -");
    }
    // Both runs were saved under their default names, in results/.
    assert_eq!(std::fs::read_dir(dir.path().join("results")).unwrap().count(), 2);

    let results = small_results(dir.path());
    let out = measure_in(dir.path(), &["report", str_path(&results), "--svg-dir", "-"]);
    assert_refused(&out, 2, &["--svg-dir", "standard output"]);
    assert!(!dir.path().join("-").exists());
}
