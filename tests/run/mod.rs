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
    assert_eq!(saved["schema_version"], 3);
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
fn published_schema_matches_the_types() {
    let published = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/results/schema.json")).unwrap();
    assert!(
        published == amdahl::results::json_schema().unwrap(),
        "results/schema.json is out of date: run `cargo run -- schema > results/schema.json`"
    );
}

fn shared(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fit_json_of_a_csv_curve_has_the_contract_fields() {
    let out = measure(&["fit", &shared("usl-exact-linear2.csv"), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fits = &v["fits"];
    assert!((fits["usl"]["sigma"].as_f64().unwrap() - 0.05).abs() <= 0.0005);
    assert!((fits["usl"]["kappa"].as_f64().unwrap() - 0.02).abs() <= 0.0002);
    assert!((fits["usl"]["lambda"].as_f64().unwrap() - 1800.0).abs() <= 1.0);
    assert!((fits["usl"]["peak_threads"].as_f64().unwrap() - 6.89).abs() < 0.01);
    assert!(fits["amdahl"]["serial_fraction"].is_number() && fits["amdahl"]["ci95"].is_array());
    assert_eq!(fits["best"], "usl");
    let kf = v["karp_flatt"].as_array().unwrap();
    assert_eq!(kf.len(), 9);
    assert!(kf[0]["threads"] == 2 && kf[0]["value"].is_number() && kf[0].get("ci95").is_some());
    assert!(v["diagnosis"].as_str().unwrap().starts_with("peaks at 7 threads"));
    assert_eq!(v["verdict"]["kind"], "peak-decline");
    assert!(!stdout(&out).contains("NaN"));
}

#[test]
fn fit_of_amdahl_reference_reports_no_peak_as_null() {
    let out = measure(&["fit", &shared("amdahl-exact-b010.csv"), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["fits"]["amdahl"]["serial_fraction"].as_f64().unwrap() - 0.1).abs() < 1e-9);
    assert!((v["fits"]["amdahl"]["ceiling"].as_f64().unwrap() - 10.0).abs() < 1e-6);
    assert!(v["fits"]["usl"]["peak_threads"].is_null());
    assert_eq!(v["fits"]["usl"]["kappa"], 0.0);
}

#[test]
fn fit_refuses_bad_csv_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("threads,seconds\n1,1\n2,x\n", "line 3, column 2"),
        ("threads,elapsed\n1,1\n", "no `seconds`"),
        ("threads,seconds\n0,1\n", "at least 1"),
        ("threads,seconds\n1,-1\n", "must be positive"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.csv"));
        std::fs::write(&path, text).unwrap();
        assert_refused(&measure(&["fit", path.to_str().unwrap()]), 65, &[&format!("bad{i}.csv"), want]);
    }
    assert_refused(&measure(&["fit", "/nonexistent/file.csv"]), 74, &["/nonexistent/file.csv"]);
    let foreign = dir.path().join("foreign.json");
    std::fs::write(&foreign, "{\"hello\": 1}").unwrap();
    assert_refused(&measure(&["fit", foreign.to_str().unwrap()]), 65, &["foreign.json", "not an amdahl results file"]);
}

#[test]
fn fit_reports_models_that_need_more_points_as_not_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.csv");
    std::fs::write(&path, "threads,seconds\n1,1.0\n2,0.6\n").unwrap();
    let out = measure(&["fit", path.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["fits"]["amdahl"]["serial_fraction"].as_f64().unwrap() - 0.2).abs() < 1e-12);
    assert!(v["fits"]["usl"]["not_fitted"].as_str().unwrap().contains("needs 3"));
    assert_eq!(v["fits"]["best"], "amdahl");
}

#[test]
fn predict_the_book_example() {
    let out = measure(&["predict", "--serial", "0.6", "--threads", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1.4286") && stdout(&out).contains("1.6667"), "{}", stdout(&out));
    let out = measure(&["predict", "--parallel", "0.4", "--threads", "1,4", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["rows"][1]["speedup"].as_f64().unwrap() - 1.428_571_4).abs() < 1e-7);
    let weak = measure(&["predict", "--serial", "0.1", "--threads", "10", "--scaling", "weak", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&weak.stdout).unwrap();
    assert!((v["rows"][1]["speedup"].as_f64().unwrap() - 9.1).abs() < 1e-12);
}

#[test]
fn predict_refuses_bad_fractions() {
    assert_refused(&measure(&["predict", "--serial", "1.5"]), 2, &["--serial", "1.5", "0..=1"]);
    assert_refused(&measure(&["predict", "--parallel", "-0.1"]), 2, &["--parallel", "-0.1"]);
    assert_refused(&measure(&["predict"]), 2, &["--serial"]);
}

#[test]
fn predict_from_a_results_file_warns_when_extrapolating() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    let args =
        ["run", "-w", "synthetic:size=200000,b=0.3", "-t", "1,2", "--min-rounds", "3", "--max-rounds", "3", "-q"];
    let mut all = args.to_vec();
    all.extend(["--out", file.to_str().unwrap()]);
    assert!(measure(&all).status.success());
    let out = measure(&["predict", file.to_str().unwrap(), "--threads", "1,2,8", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &v["workloads"][0];
    assert_eq!(w["model"], "amdahl");
    assert_eq!(w["rows"].as_array().unwrap().len(), 3);
    assert_eq!(w["rows"][2]["extrapolated"], true);
    assert!(w["rows"][1]["speedup_ci95"].is_array());
    assert!(w["warnings"][0].as_str().unwrap().contains("extrapolation"));
    // `measure fit` on our own file explains it.
    let out = measure(&["fit", file.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["workloads"][0]["name"], "synthetic");
    assert!(v["workloads"][0]["diagnosis"].is_string());
}

/// A small real run written to `dir/name`, returning its path.
fn small_run(dir: &std::path::Path, name: &str, workloads: &[&str]) -> String {
    let path = dir.join(name);
    let mut args =
        vec!["run", "-t", "1,2", "--min-rounds", "5", "--max-rounds", "5", "-q", "--out", path.to_str().unwrap()];
    for w in workloads {
        args.extend(["-w", w]);
    }
    let out = measure(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    path.to_str().unwrap().to_owned()
}

#[test]
fn compare_keeps_threads_runs_from_before_persistent_workers_apart_and_shows_fidelity() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, backend: &str| {
        let path = dir.path().join(name);
        let out = measure(&[
            "run",
            "-t",
            "1,2",
            "--min-rounds",
            "3",
            "--max-rounds",
            "3",
            "-q",
            "--backend",
            backend,
            "-w",
            "synthetic:size=200000,b=0.3",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        path
    };
    let (a, b) = (run("a.json", "threads"), run("b.json", "threads"));
    let mut old: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    assert_eq!(old["config"]["team"], "persistent");
    old["config"].as_object_mut().unwrap().remove("team");
    std::fs::write(&b, old.to_string()).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    assert_refused(&measure(&["compare", a, b]), 65, &["the threads backend's workers (persistent vs spawn-per-call)"]);
    // Two runs of today's workers compare, each against its machine's own ceiling.
    let c = run("c.json", "threads");
    let out = measure(&["compare", a, c.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("against each machine's own ceiling at 2: A "), "{}", stdout(&out));
}

#[test]
fn report_writes_html_svg_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let file = small_run(dir.path(), "r.json", &["synthetic:size=200000,b=0.3"]);
    let html = dir.path().join("r.html");
    let svgs = dir.path().join("svg");
    let md = dir.path().join("r.md");
    let out = measure(&[
        "report",
        &file,
        "--html",
        html.to_str().unwrap(),
        "--svg-dir",
        svgs.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && !page.contains("<script"));
    // Two thread counts: one combined chart.
    assert!(std::fs::read_to_string(svgs.join("synthetic-speedup.svg")).unwrap().starts_with("<svg"));
    assert!(!svgs.join("synthetic-efficiency.svg").exists());
    // Four: the speedup, efficiency and Karp-Flatt charts.
    let four = dir.path().join("four.json");
    let run = measure(&[
        "run",
        "-w",
        "synthetic:size=100000",
        "-t",
        "1-4",
        "--min-rounds",
        "2",
        "--max-rounds",
        "2",
        "-q",
        "--no-ceilings",
        "--out",
        four.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let svgs4 = dir.path().join("svg4");
    assert!(measure(&["report", four.to_str().unwrap(), "--svg-dir", svgs4.to_str().unwrap()]).status.success());
    for chart in ["synthetic-speedup.svg", "synthetic-efficiency.svg", "synthetic-karp-flatt.svg"] {
        assert!(std::fs::read_to_string(svgs4.join(chart)).unwrap().starts_with("<svg"), "{chart}");
    }
    assert!(std::fs::read_to_string(&md).unwrap().contains("| synthetic | synthetic |"));
    // Without output flags, the Markdown goes to stdout.
    assert!(stdout(&measure(&["report", &file])).starts_with("### amdahl results"));
}

#[test]
fn run_report_writes_html_next_to_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    let out = measure(&util::two_rounds(&["-w", "synthetic:size=100000", "--report", "--out", path.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("x.html").exists());
}

#[test]
fn compare_two_runs_and_refuse_what_cannot_be_compared() {
    let dir = tempfile::tempdir().unwrap();
    let a = small_run(dir.path(), "a.json", &["synthetic:size=200000,b=0.3", "mc-pi:size=100000"]);
    let b = small_run(dir.path(), "b.json", &["synthetic:size=200000,b=0.3", "mc-pi:size=200000"]);
    let html = dir.path().join("cmp.html");
    let out = measure(&["compare", &a, &b, "--json", "--html", html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["workloads"].as_array().unwrap().len(), 1);
    let pair = &v["workloads"][0]["pairs"][0];
    assert_eq!(pair["other"], "B");
    assert!(pair["per_core_ratio"].is_number() && pair["serial_fraction_difference_ci95"].is_array());
    // One test per figure, each named, and the sentence names what it tested.
    let figures: Vec<&str> = pair["tests"].as_array().unwrap().iter().map(|t| t["figure"].as_str().unwrap()).collect();
    assert_eq!(figures, ["t1", "speedup", "serial-fraction"]);
    let sentence = pair["sentence"].as_str().unwrap();
    assert!(
        sentence.contains("agree within noise on T(1), S, serial fraction")
            || sentence.contains("differs from A significantly"),
        "{sentence}"
    );
    // A file compared with itself, or with a copy, is refused: nothing can differ.
    let copy = dir.path().join("copy.json");
    std::fs::copy(&a, &copy).unwrap();
    assert_refused(&measure(&["compare", &a, &a]), 65, &["holds the same data as", "a run compared with itself"]);
    assert_refused(&measure(&["compare", &a, copy.to_str().unwrap()]), 65, &["copy.json", "holds the same data as"]);
    // The page to standard output takes the text's place; with --json it would mix the two.
    assert_refused(&measure(&["compare", &a, &b, "--json", "--html", "-"]), 2, &["--html", "--json"]);
    let page = measure(&["compare", &a, &b, "--html", "-"]);
    assert!(page.status.success(), "{}", stderr(&page));
    let page = stdout(&page);
    assert!(page.starts_with("<!DOCTYPE html>") && !page.contains("tests (the change"), "{page}");
    assert!(v["not_compared"][0].as_str().unwrap().contains("mc-pi: A and B differ: parameters or size"));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.matches("<svg").count() == 1);
    assert!(page.contains("<table>") && !page.contains("<pre>"), "a page of tables, not a text dump");
    assert!(page.contains("T(1) ratio T1(A)/T1(other)"), "{page}");

    // A file from before workload versions reads as version 1, and version 1 is not compared
    // with version 2 (synthetic's and mc-pi's decompositions changed).
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text.matches("\"workload_version\": 2,").count(), 2, "written on each workload");
    let old = dir.path().join("old.json");
    std::fs::write(&old, text.replace("\"workload_version\": 2,", "")).unwrap();
    let out = measure(&["compare", &a, old.to_str().unwrap(), "--json"]);
    assert_refused(&out, 65, &["synthetic: A and B differ: synthetic changed its decomposition: version 2 vs 1"]);
    assert!(stderr(&out).contains("mc-pi: A and B differ: mc-pi changed its decomposition: version 2 vs 1"));
    let old_b = dir.path().join("old-b.json");
    std::fs::write(&old_b, std::fs::read_to_string(&b).unwrap().replace("\"workload_version\": 2,", "")).unwrap();
    let out = measure(&["compare", old.to_str().unwrap(), old_b.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "version 1 compares with version 1: {}", stderr(&out));

    let c = small_run(dir.path(), "c.json", &["newton:size=1000"]);
    assert_refused(&measure(&["compare", &a, &c]), 65, &["no workload can be compared"]);
    let future = dir.path().join("future.json");
    let text = std::fs::read_to_string(&a).unwrap().replacen("\"schema_version\": 3", "\"schema_version\": 7", 1);
    std::fs::write(&future, text).unwrap();
    assert_refused(
        &measure(&["compare", &a, future.to_str().unwrap()]),
        65,
        &["future.json", "schema_version 7", "[1, 2, 3]"],
    );
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &std::fs::read_to_string(&a).unwrap()[..200]).unwrap();
    assert_refused(&measure(&["compare", &a, truncated.to_str().unwrap()]), 65, &["truncated.json", "line"]);
    assert_refused(&measure(&["compare", &a, "/nonexistent/x.json"]), 74, &["/nonexistent/x.json"]);
    assert_refused(&measure(&["report", "/nonexistent/x.json"]), 74, &["/nonexistent/x.json"]);
}

#[test]
fn commands_are_measured_and_failures_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cmd.json");
    // `sleep` at j = 4 fails (exit 4 from sh), the others succeed.
    let out = measure(&[
        "run",
        "--cmd",
        "sh -c 'test {threads} -ne 4 || exit 4; sleep 0.0{threads}'",
        "--name",
        "nap",
        "--kind",
        "io-bound",
        "-t",
        "1,2,3,4",
        "--min-rounds",
        "2",
        "--max-rounds",
        "2",
        "-q",
        "--out",
        file.to_str().unwrap(),
    ]);
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
    let out = measure(&util::two_rounds(&[
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
    let out = measure(&util::two_rounds(&["--cmd", "true {threads}", "--out", plain.to_str().unwrap()]));
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

#[test]
fn fit_reads_hyperfine_scans_and_criterion_groups() {
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("scan.json");
    let times = |t: f64| format!("[{t}, {}, {}]", t * 1.01, t * 0.99);
    let text = format!(
        r#"{{"results": [{{"command": "x 1", "times": {}, "parameters": {{"threads": "1"}}}},
                         {{"command": "x 2", "times": {}, "parameters": {{"threads": "2"}}}},
                         {{"command": "x 4", "times": {}, "parameters": {{"threads": "4"}}}}]}}"#,
        times(1.0),
        times(0.55),
        times(0.325)
    );
    std::fs::write(&scan, text).unwrap();
    let out = measure(&["fit", scan.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["fits"]["amdahl"]["serial_fraction"].as_f64().unwrap() - 0.1).abs() < 0.01);

    let no_params = dir.path().join("plain.json");
    std::fs::write(&no_params, r#"{"results": [{"command": "x", "times": [1.0]}]}"#).unwrap();
    assert_refused(&measure(&["fit", no_params.to_str().unwrap()]), 65, &["plain.json", "no parameters"]);

    let group = dir.path().join("group");
    for (j, ns) in [(1, 1000.0), (2, 600.0), (4, 400.0)] {
        let new = group.join(j.to_string()).join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("sample.json"), format!("{{\"iters\":[1.0,2.0],\"times\":[{ns},{}]}}", 2.0 * ns))
            .unwrap();
    }
    let out = measure(&["fit", "--criterion", group.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["fits"]["amdahl"]["serial_fraction"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("report")).unwrap();
    assert_refused(
        &measure(&["fit", "--criterion", empty.to_str().unwrap()]),
        65,
        &["no criterion group whose benchmark ids are thread counts"],
    );
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
    let out = measure(&util::two_rounds(&[
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

/// Each side's verdict, with its key number, stands beside the other's in text, JSON and the page.
#[test]
fn compare_states_each_sides_verdict_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let reference = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference/");
    let (a, b) = (
        format!("{reference}2026-11-25-vm16-xeon-default.json"),
        format!("{reference}2026-11-26-vm16-xeon-default.json"),
    );
    let html = dir.path().join("c.html");
    let json = measure(&["compare", &a, &b, "--json", "--html", html.to_str().unwrap()]);
    assert!(json.status.success(), "{}", stderr(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let synthetic = v["workloads"].as_array().unwrap().iter().find(|w| w["name"] == "synthetic").unwrap();
    let verdicts = &synthetic["pairs"][0]["verdict"];
    // Each side's own refit: the kind with its evidence.
    let fit = |file: &str| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_slice(&measure(&["fit", file, "--json"]).stdout).unwrap();
        v["workloads"].as_array().unwrap().iter().find(|w| w["name"] == "synthetic").unwrap()["verdict"].clone()
    };
    assert_eq!(verdicts[0], fit(&a));
    assert_eq!(verdicts[1], fit(&b));
    assert_eq!(
        (verdicts[0]["kind"].as_str(), verdicts[1]["kind"].as_str()),
        (Some("serial-fraction"), Some("serial-fraction"))
    );
    let text = stdout(&measure(&["compare", &a, &b]));
    let line = text
        .lines()
        .find(|l| l.contains("verdicts: A bounded by a serial fraction of 0.095 (at most 10.5x); "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.ends_with("; B bounded by a serial fraction of 0.103 (at most 9.7x)"), "{line}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<td class=\"l\">the same kind (serial-fraction)</td>"), "{page}");
}

#[test]
fn every_committed_reference_result_still_loads_and_refits() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("20") || !name.ends_with(".json") {
            continue;
        }
        let out = measure(&["fit", path.to_str().unwrap(), "--json"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!v["workloads"].as_array().unwrap().is_empty(), "{name}");
        checked += 1;
    }
    assert!(checked >= 2, "reference results are committed under results/reference/");
}

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

/// Regression: `compare` once drew its bootstrap with the run's seed instead of the workload's, so
/// the interval of B it printed differed from the one `measure fit` printed for the same file.
#[test]
fn compare_and_fit_agree_on_the_interval_of_b() {
    let dir = tempfile::tempdir().unwrap();
    // Two workloads, so the second's seed is mixed with its index; 15 rounds, so that the
    // bootstrap percentiles depend on the seed at all (with 3 rounds they are the extremes).
    let run = |name: &str| {
        let path = dir.path().join(name);
        let out = measure(&[
            "run",
            "-t",
            "1,2",
            "--min-rounds",
            "15",
            "--max-rounds",
            "15",
            "-q",
            "-w",
            "mc-pi:size=100000",
            "-w",
            "synthetic:size=200000,b=0.3",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        path.to_str().unwrap().to_owned()
    };
    let (a, b) = (run("a.json"), run("b.json"));
    let cmp: serde_json::Value = serde_json::from_slice(&measure(&["compare", &a, &b, "--json"]).stdout).unwrap();
    for (file, side) in [(&a, 0), (&b, 1)] {
        let fit: serde_json::Value = serde_json::from_slice(&measure(&["fit", file, "--json"]).stdout).unwrap();
        for (k, name) in ["mc-pi", "synthetic"].iter().enumerate() {
            let pair = &cmp["workloads"][k]["pairs"][0];
            assert_eq!(cmp["workloads"][k]["name"], *name);
            assert_eq!(
                pair["serial_fraction_ci95"][side], fit["workloads"][k]["fits"]["amdahl"]["ci95"],
                "{name} in {file}"
            );
        }
    }
}

/// Guards refactors of the domain model: every committed results file refits (`measure fit`, text
/// and JSON) and reports (Markdown) exactly as the fixtures under `tests/data/refit/` say. The
/// fixtures were captured from the binary before the typed-domain refactor; a change that is meant
/// to change fits regenerates them (see `tests/data/README.md`) and shows the diff in its note.
#[test]
fn committed_results_refit_and_report_exactly_as_the_fixtures_say() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/data/refit");
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("results/reference")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.extension().is_none_or(|e| e != "json") || name == "schema.json" {
            continue;
        }
        let stem = name.trim_end_matches(".json");
        let relative = format!("results/reference/{name}");
        let expect = |suffix: &str| std::fs::read_to_string(fixtures.join(format!("{stem}.{suffix}"))).unwrap();
        let json = measure_in(root, &["fit", "--json", &relative]);
        assert!(json.status.success(), "{name}: {}", stderr(&json));
        assert_eq!(stdout(&json), expect("fit.json"), "{name}: `measure fit --json` changed");
        let text = measure_in(root, &["fit", &relative]);
        assert_eq!(stdout(&text), expect("fit.txt"), "{name}: `measure fit` changed");
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path().join("report.md");
        let out = measure_in(root, &["report", "--markdown", md.to_str().unwrap(), &relative]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&md).unwrap(), expect("report.md"), "{name}: the Markdown report changed");
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} committed results files found");
}

#[test]
fn fit_loss_absolute_reproduces_r_usl_and_says_so() {
    // tests/data/r-usl-estimates.csv: what R's `usl` prints for its `specsdm91` data set; the
    // scalability bounds its tests check (7 digits) pin alpha, beta and gamma.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = "tests/data/r-usl-specsdm91.csv";
    let out = measure_in(root, &["fit", "--loss", "absolute", "--json", file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["fits"]["loss"], "absolute");
    assert_eq!(report["fits"]["best"], "usl");
    let usl = &report["fits"]["usl"];
    let alpha = 1.0 / 36.06401;
    let documented = [
        ("sigma", alpha, 2.773e-2, 5e-6),
        ("kappa", (1.0 - alpha) / (96.51956f64 * 96.51956), 1.044e-4, 5e-8),
        ("lambda", 3245.589 * alpha, 90.00, 5e-3),
    ];
    for (key, pinned, printed, resolution) in documented {
        let got = usl[key].as_f64().unwrap();
        assert!(((got - pinned) / pinned).abs() < 1e-4, "{key} = {got:e}, R's bounds give {pinned:e}");
        assert!((got - printed).abs() <= resolution, "{key} = {got:e}, R's summary prints {printed:e}");
    }
    let text = stdout(&measure_in(root, &["fit", "--loss", "absolute", file]));
    assert!(text.contains("loss: absolute (--loss absolute): least squares on the measured values"), "{text}");
    // The default is the log loss, and leaves the output as it was: no loss field, no loss line.
    let default = measure_in(root, &["fit", "--json", file]);
    let report: serde_json::Value = serde_json::from_slice(&default.stdout).unwrap();
    assert!(report["fits"].get("loss").is_none(), "{report}");
    assert_eq!(stdout(&default), stdout(&measure_in(root, &["fit", "--json", "--loss", "log", file])));
    assert!(!stdout(&measure_in(root, &["fit", file])).contains("loss:"));
    // Our own results files are refitted with the loss asked for too.
    let out = measure_in(
        root,
        &["fit", "--loss", "absolute", "--json", "results/reference/2026-11-25-vm16-xeon-default.json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let file: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let workloads = file["workloads"].as_array().unwrap();
    let fitted = workloads.iter().filter(|w| w["fits"]["amdahl"]["serial_fraction"].is_number()).count();
    assert!(fitted >= 4, "{file}");
    assert!(
        workloads
            .iter()
            .filter(|w| w["fits"]["amdahl"]["serial_fraction"].is_number())
            .all(|w| w["fits"]["loss"] == "absolute"),
        "{file}"
    );
    let anywhere = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/r-usl-specsdm91.csv");
    assert_refused(&measure(&["fit", "--loss", "squared", anywhere]), 2, &["--loss", "squared"]);
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
        let mut args = util::two_rounds(&[
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
    // setup once, prepare before each of the warm-up and the 2 rounds at each j, cleanup once.
    let hooks = std::fs::read_to_string(&log).unwrap();
    let count = |line: &str| hooks.lines().filter(|l| *l == line).count();
    assert_eq!((count("setup"), count("prepare 1"), count("prepare 2"), count("cleanup")), (1, 3, 3, 1), "{hooks}");
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
    let no_color =
        util::measure_command().args(["fit", file, "--color", "auto"]).env("NO_COLOR", "1").output().unwrap();
    assert!(!stdout(&no_color).contains('\u{1b}'));
    assert!(!stdout(&measure(&["fit", file, "--json", "--color", "always"])).contains('\u{1b}'));
}
