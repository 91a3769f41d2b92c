//! Measuring: built-in workloads, commands, suites and MPI programs; what a run writes and what it
//! refuses before measuring; completions, the man page and colour.

mod honest_numbers;

use crate::util::{
    Run, assert_refused, measure, measure_command, measure_in, read_json, stderr, stdout, str_path, two_rounds,
};

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
fn a_sample_known_to_outlast_the_whole_budget_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    // One run of 1,000,000 tasks of 10 ms is 10,000 s at j = 1, known from the parameters.
    for dry in [&["--dry-run"][..], &[]] {
        let out = measure_in(dir.path(), &[&["run", "-w", "sleep:size=1000000"][..], dry].concat());
        assert_refused(
            &out,
            2,
            &["--budget: `25` is shorter than one sample of `sleep`", "about 10000 s", "--allow-overrun"],
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
    // Allowed, the dry run plans it from its parameters, timing nothing.
    let mut command = measure_command();
    command.args(["run", "-w", "sleep:size=1000000", "--dry-run", "--json", "--allow-overrun"]).current_dir(dir.path());
    let child = crate::util::spawn(&mut command);
    let out = crate::util::finish_within(child, std::time::Duration::from_secs(120), "a dry run of a known cost");
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &plan["workloads"][0];
    assert_eq!((w["t1_known"].as_bool(), w["t1_seconds"].as_f64()), (Some(true), Some(10_000.0)));
    let notes = w["notes"][0].as_str().unwrap();
    assert!(
        notes.contains("one run takes 10000.0 s at j = 1, known from its parameters")
            && notes.contains("--allow-overrun: every count is measured"),
        "{notes}"
    );
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
    assert_eq!(saved["schema_version"], 4);
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
    // Three rounds are too few for a bootstrap interval of B: none, and the file says why.
    assert!(w["fits"]["amdahl"]["ci95"].is_null());
    assert!(w["fits"]["amdahl"]["no_interval"].as_str().unwrap().contains("needs at least 5"));
    // The verdict beside its sentence, the baseline of the speedups and the work's task count.
    assert!(w["verdict"]["kind"].is_string() && w["diagnosis"].is_string(), "{w}");
    assert_eq!(w["fits"]["speedup_baseline"], "measured");
    assert_eq!(w["tasks"], 1562, "100,000 parallel units, 64 a task");
    assert_eq!(
        (w["workload_version"].as_u64(), saved["workloads"][1]["workload_version"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(stderr(&out).contains("results written to"));
}

#[test]
fn commands_are_measured_and_failures_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cmd.json");
    // `sleep` at j = 4 fails (exit 4 from sh), the others succeed.
    let command = "sh -c 'test {threads} -ne 4 || exit 4; sleep 0.0{threads}'";
    let out = Run::of_all(&[])
        .threads("1,2,3,4")
        .args(&["--cmd", command, "--name", "nap", "--kind", "io-bound"])
        .out(&file)
        .output();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let w = &v["workloads"][0];
    assert_eq!((w["name"].as_str(), w["kind"].as_str()), (Some("nap"), Some("io-bound")));
    assert_eq!(w["command"], "sh -c 'test {threads} -ne 4 || exit 4; sleep 0.0{threads}'");
    assert!(w["error"].as_str().unwrap().contains("failed at j=4"));
    assert!(w["points"][3]["error"].as_str().unwrap().contains("exit status: 4"));
    assert_eq!(w["points"][3]["samples_ns"].as_array().unwrap().len(), 0);
    assert_eq!(w["points"][2]["samples_ns"].as_array().unwrap().len(), 2);
    assert_eq!(w["fits"]["amdahl"]["threads_used"], serde_json::json!([1, 2, 3]));
    // CPU time of the children is counted: never null for commands on Unix.
    assert!(w["points"][0]["cpu_ns"][0].is_u64());
}

#[test]
fn command_problems_are_refused_or_warned_before_measuring() {
    assert_refused(&measure(&["run", "--cmd", "no-such-program-amdahl -j{threads}"]), 2, &["--cmd", "not found"]);
    assert_refused(&measure(&["run", "--cmd", "true", "--name", "a", "--name", "b"]), 2, &["--name"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.json");
    let out = measure(&[
        "run",
        "--cmd",
        "true",
        "-t",
        "1,2",
        "--min-rounds",
        "2",
        "--max-rounds",
        "2",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("no {threads}"), "{}", stderr(&out));
}

/// The `tasks` and `bytes_per_run` of a results file's only workload.
fn declared(file: &std::path::Path) -> (serde_json::Value, serde_json::Value) {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(v["workloads"].as_array().map(Vec::len), Some(1), "{v}");
    (v["workloads"][0]["tasks"].clone(), v["workloads"][0]["bytes_per_run"].clone())
}

#[test]
fn a_commands_declared_tasks_and_bytes_reach_the_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("declared.json");
    let out = measure(&two_rounds(&[
        "--cmd",
        "true {threads}",
        "--kind",
        "memory-bound",
        "--tasks",
        "3",
        "--bytes",
        "1M",
        "--out",
        file.to_str().unwrap(),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(declared(&file), (serde_json::json!(3), serde_json::json!(1_048_576)));
    // Without them, both are unknown.
    let plain = dir.path().join("plain.json");
    let out = measure(&two_rounds(&["--cmd", "true {threads}", "--out", plain.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(declared(&plain), (serde_json::Value::Null, serde_json::Value::Null));
}

#[test]
fn declared_tasks_and_bytes_are_refused_with_the_flag_value_and_limit() {
    let cases: [(&[&str], &[&str]); 8] = [
        (&["--tasks", "0"], &["--tasks: `0` is out of range", "4294967296"]),
        (&["--tasks", "4294967297"], &["--tasks: `4294967297` is out of range", "from 1 to 4294967296"]),
        (&["--tasks", "-2"], &["--tasks: `-2` is not a task count"]),
        (&["--tasks", "3", "--tasks", "4"], &["--tasks: `2` is given 2 times for 1 --cmd"]),
        (&["--bytes", "0"], &["--bytes: `0` is zero"]),
        (&["--bytes", "-1M"], &["--bytes: `-1M` is not a size"]),
        (&["--bytes", "a lot"], &["--bytes: `a lot` is not a size"]),
        (&["--bytes", "1M", "--bytes", "2M"], &["--bytes: `2` is given 2 times for 1 --cmd"]),
    ];
    for (args, parts) in cases {
        let mut all = vec!["run", "--cmd", "true {threads}", "-t", "1,2"];
        all.extend_from_slice(args);
        assert_refused(&measure(&all), 2, parts);
    }
}

#[test]
fn suite_commands_declare_tasks_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite.json");
    std::fs::write(&suite, r#"[{"cmd": "true {threads}", "name": "t", "tasks": 3, "bytes": "1M", "threads": "1,2"}]"#)
        .unwrap();
    let file = dir.path().join("suite-results.json");
    let out = measure(&[
        "run",
        "--suite",
        suite.to_str().unwrap(),
        "--min-rounds",
        "2",
        "--max-rounds",
        "2",
        "-q",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(declared(&file), (serde_json::json!(3), serde_json::json!(1_048_576)));
    // Built-ins know their own; a suite that says otherwise is bad data naming the entry and key.
    std::fs::write(&suite, r#"[{"cmd": "true"}, {"workload": "primes", "tasks": 4}]"#).unwrap();
    let out = measure(&["run", "--suite", suite.to_str().unwrap(), "--dry-run"]);
    assert_refused(&out, 65, &["suite.json", "entry 1: `tasks` is for `cmd` entries", "`primes` knows its own"]);
}

/// Open MPI at 1 and 2 processes, for real. `.ci/run` installs `openmpi-bin` and sets
/// AMDAHL_REQUIRE_MPI=1, so there a missing `mpirun` fails the test; elsewhere it is skipped with a
/// message.
#[test]
fn mpi_programs_are_measured_as_commands() {
    let found =
        std::process::Command::new("sh").args(["-c", "command -v mpirun"]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("AMDAHL_REQUIRE_MPI").is_none(), "AMDAHL_REQUIRE_MPI is set but mpirun is missing");
        eprintln!("skipped: mpirun not installed (apt-get install openmpi-bin)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mpi.json");
    let out = measure(&two_rounds(&[
        "--cmd",
        "mpirun --allow-run-as-root --oversubscribe -np {threads} sh -c 'sleep 0.2'",
        "--name",
        "mpi-sleep",
        "--kind",
        "io-bound",
        "--out",
        file.to_str().unwrap(),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let w = &v["workloads"][0];
    assert_eq!(w["error"], serde_json::Value::Null);
    assert_eq!(w["points"].as_array().unwrap().len(), 2);
    assert!(w["points"][1]["speedup"].is_number());
}

#[test]
fn hyperfine_style_exports_and_hooks_follow_the_results_files_rules() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hooks.log");
    let (json, md, csv) = (dir.path().join("e.json"), dir.path().join("e.md"), dir.path().join("e.csv"));
    let run = |extra: &[&str]| {
        let log = log.to_str().unwrap();
        let setup = format!("echo setup >> {log}");
        let prepare = format!("echo prepare {{threads}} >> {log}");
        let cleanup = format!("echo cleanup >> {log}");
        let mut args = two_rounds(&[
            "-w",
            "synthetic:size=100000",
            "--no-ceilings",
            "--setup",
            &setup,
            "--prepare",
            &prepare,
            "--cleanup",
            &cleanup,
        ]);
        args.extend_from_slice(extra);
        measure_in(dir.path(), &args)
    };
    let out = run(&["--export-json", "e.json", "--export-markdown", "e.md", "--export-csv", "e.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(saved["config"]["prepare"].as_str().unwrap().starts_with("echo prepare {threads}"));
    assert!(std::fs::read_to_string(&md).unwrap().starts_with("### amdahl results"));
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 3, "a header and one row per point: {rows}");
    assert!(rows.lines().next().unwrap().starts_with("workload,kind,backend,scaling,threads,"));
    // setup once, prepare before each of the warm-up, the 2 rounds and their 2 profile runs at
    // each j, cleanup once.
    let hooks = std::fs::read_to_string(&log).unwrap();
    let count = |line: &str| hooks.lines().filter(|l| *l == line).count();
    assert_eq!((count("setup"), count("prepare 1"), count("prepare 2"), count("cleanup")), (1, 5, 5, 1), "{hooks}");
    // Exports never clobber: refused before anything is measured, unless --force.
    std::fs::remove_file(&json).unwrap();
    let again = run(&["--export-json", "e.json", "--export-csv", "e.csv"]);
    assert_refused(&again, 2, &["e.csv", "already exists"]);
    assert!(!json.exists(), "nothing was measured");
    assert!(run(&["--export-json", "e.json", "--export-csv", "e.csv", "--force"]).status.success());
    // --out and --export-json name the same file or one of them.
    assert_refused(&run(&["--export-json", "a.json", "--out", "b.json"]), 2, &["--export-json", "give one of the two"]);
    let blank = ["run", "-w", "synthetic:size=100000", "-t", "1,2", "--prepare", " ", "-o", "blank.json"];
    assert_refused(&measure_in(dir.path(), &blank), 2, &["--prepare", "is empty"]);
}

#[test]
fn completions_man_page_and_colour_where_asked() {
    let bash = measure(&["completions", "bash"]);
    assert!(bash.status.success() && stdout(&bash).starts_with("_measure()"), "{}", stdout(&bash));
    let man = measure(&["man"]);
    assert!(stdout(&man).contains(".TH measure 1"), "{}", stdout(&man));
    let help = stdout(&measure(&["--help"]));
    for sub in ["run", "list", "fit", "predict", "report", "compare", "machine", "schema", "completions", "man"] {
        assert!(help.contains(&format!("\n  {sub} ")), "`{sub}` missing from --help: {help}");
    }
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference/2026-11-25-dev2-xeon-default.json");
    let always = stdout(&measure(&["fit", file, "--color", "always"]));
    // Each verdict's head is styled by its kind, whatever its words: green for near-linear, red
    // for slower, bold otherwise.
    let fit: serde_json::Value = serde_json::from_slice(&measure(&["fit", file, "--json"]).stdout).unwrap();
    let mut styled = 0;
    for w in fit["workloads"].as_array().unwrap() {
        let style = match w["verdict"]["kind"].as_str().unwrap() {
            "near-linear" => "\u{1b}[1m\u{1b}[32m",
            "slower" | "sequential" => "\u{1b}[1m\u{1b}[31m",
            _ => continue,
        };
        let sentence = w["diagnosis"].as_str().unwrap();
        let head = sentence.split([':', ';']).next().unwrap();
        assert!(always.contains(&format!("=> {style}{head}\u{1b}[0m")), "{head} in {always}");
        styled += 1;
    }
    assert!(styled >= 2, "{always}");
    // Not a terminal, or NO_COLOR: plain text; JSON is never coloured.
    assert!(!stdout(&measure(&["fit", file])).contains('\u{1b}'));
    let no_color = measure_command().args(["fit", file, "--color", "auto"]).env("NO_COLOR", "1").output().unwrap();
    assert!(!stdout(&no_color).contains('\u{1b}'));
    assert!(!stdout(&measure(&["fit", file, "--json", "--color", "always"])).contains('\u{1b}'));
}

#[test]
fn a_failing_calibration_is_a_workload_error_and_later_workloads_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let done = measure_in(
        dir.path(),
        &two_rounds(&[
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
    let saved = read_json(&out);
    assert_eq!(saved["run"]["status"], "complete");
    assert!(saved["workloads"][0]["error"].as_str().unwrap().contains("calibrating --target-ms"));
    assert_eq!(saved["workloads"][1]["rounds"], 2);
}

#[test]
fn a_failed_command_that_said_nothing_leaves_no_colon() {
    let dir = tempfile::tempdir().unwrap();
    let out = measure_in(dir.path(), &two_rounds(&["--cmd", "false {threads}", "--out", "f.json"]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("failed (exit status: 1)") && !err.contains("failed (exit status: 1):"), "{err}");
}

#[test]
fn a_program_that_is_threads_is_checked_as_it_runs_at_one() {
    let out = measure(&["run", "--cmd", "{threads}", "--dry-run"]);
    assert_refused(&out, 2, &["--cmd", "`1` (its program at j = 1) is not found"]);
}

#[test]
fn a_workloads_earlier_runs_here_set_its_rerun_floor_and_commands_keep_the_constant_one() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The synthetic runs the history holds now (a run may leave none: one whose point was
    // disturbed by the other tests running beside it is not one of the machine's states).
    let kept = || -> usize {
        let Ok(entries) = std::fs::read_dir(cache.path().join("amdahl")) else { return 0 };
        let files: Vec<_> =
            entries.map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().contains("reruns-")).collect();
        assert!(files.len() <= 1, "{files:?}");
        files.first().map_or(0, |f| read_json(f)["runs"].as_array().unwrap().len())
    };
    let run = |i: usize, more: &[&str]| -> serde_json::Value {
        let out = dir.path().join(format!("r{i}.json"));
        let mut args = vec!["run", "-t", "1,2", "--min-rounds", "3", "--max-rounds", "3", "--no-ceilings", "-q"];
        args.extend(["-w", "synthetic:size=20000,b=0.5", "--cmd", "true", "--out", str_path(&out)]);
        args.extend(more);
        let result = measure_command()
            .env_remove("AMDAHL_RERUNS")
            .env("XDG_CACHE_HOME", cache.path())
            // The tests beside this one keep the machine busy; its runs join the history anyway.
            .env("AMDAHL_CACHE_WHEN_BUSY", "1")
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(result.status.success(), "run {i}: {}", stderr(&result));
        read_json(&out)
    };
    let floor_runs = |file: &serde_json::Value| -> Vec<Option<u64>> {
        file["workloads"].as_array().unwrap().iter().map(|w| w["rerun_floor"]["runs"].as_u64()).collect()
    };
    for i in 0..7 {
        let before = kept();
        let file = run(i, &[]);
        // From five earlier runs on, a run's floor is measured from every one of them; the
        // command never has one.
        let expected = (before >= 5).then_some(before as u64);
        assert_eq!(floor_runs(&file), [expected, None], "run {i}, {before} kept before it");
        assert!((before..=before + 1).contains(&kept()), "a run adds at most itself");
    }
    // --no-cache neither reads nor adds; --noise-floor does not read (the floor given is the floor).
    let before = kept();
    assert_eq!(floor_runs(&run(7, &["--no-cache"])), [None, None]);
    assert_eq!(kept(), before);
    assert_eq!(floor_runs(&run(8, &["--noise-floor", "1%"])), [None, None]);
}
