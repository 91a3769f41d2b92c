//! `measure compare` and `measure report`: pairs of runs tested figure by figure, verdicts side by
//! side, HTML pages, SVG charts and Markdown.

use std::path::Path;

use crate::util::{Run, assert_refused, measure, stderr, stdout, two_rounds};

/// A small real run written to `dir/name`, returning its path.
fn small_run(dir: &Path, name: &str, workloads: &[&str]) -> String {
    let path = dir.join(name);
    Run::of_all(workloads).rounds(5).out(&path).json();
    path.to_str().unwrap().to_owned()
}

#[test]
fn compare_keeps_threads_runs_from_before_persistent_workers_apart_and_shows_fidelity() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, backend: &str| {
        let path = dir.path().join(name);
        let out = Run::of("synthetic:size=200000,b=0.3").rounds(3).args(&["--backend", backend]).out(&path).output();
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
    let run = Run::of("synthetic:size=100000").threads("1-4").args(&["--no-ceilings"]).out(&four).output();
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
    let out = measure(&two_rounds(&["-w", "synthetic:size=100000", "--report", "--out", path.to_str().unwrap()]));
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
    let text = std::fs::read_to_string(&a).unwrap().replacen("\"schema_version\": 4", "\"schema_version\": 7", 1);
    std::fs::write(&future, text).unwrap();
    assert_refused(
        &measure(&["compare", &a, future.to_str().unwrap()]),
        65,
        &["future.json", "schema_version 7", "[1, 2, 3, 4]"],
    );
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &std::fs::read_to_string(&a).unwrap()[..200]).unwrap();
    assert_refused(&measure(&["compare", &a, truncated.to_str().unwrap()]), 65, &["truncated.json", "line"]);
    assert_refused(&measure(&["compare", &a, "/nonexistent/x.json"]), 74, &["/nonexistent/x.json"]);
    assert_refused(&measure(&["report", "/nonexistent/x.json"]), 74, &["/nonexistent/x.json"]);
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
    let diagnoses = &synthetic["pairs"][0]["diagnosis"];
    let verdicts = [diagnoses[0]["verdict"].clone(), diagnoses[1]["verdict"].clone()];
    // Each side's own refit: the kind with its evidence, and what qualifies it.
    let fit = |file: &str| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_slice(&measure(&["fit", file, "--json"]).stdout).unwrap();
        v["workloads"].as_array().unwrap().iter().find(|w| w["name"] == "synthetic").unwrap().clone()
    };
    for (side, file) in [&a, &b].into_iter().enumerate() {
        let own = fit(file);
        assert_eq!(verdicts[side], own["verdict"]);
        for qualifier in ["then", "law", "alternative", "disturbed"] {
            assert_eq!(diagnoses[side][qualifier], own[qualifier], "{qualifier}");
        }
    }
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

/// Regression: `compare` once drew its bootstrap with the run's seed instead of the workload's, so
/// the interval of B it printed differed from the one `measure fit` printed for the same file.
#[test]
fn compare_and_fit_agree_on_the_interval_of_b() {
    let dir = tempfile::tempdir().unwrap();
    // Two workloads, so the second's seed is mixed with its index; 15 rounds, so that the
    // bootstrap percentiles depend on the seed at all (with 3 rounds they are the extremes).
    let run = |name: &str| {
        let path = dir.path().join(name);
        let out = Run::of_all(&["mc-pi:size=100000", "synthetic:size=200000,b=0.3"]).rounds(15).out(&path).output();
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

/// Two runs on one machine are runs, labelled by file; machines only when the machines differ.
/// The page's legend names each curve by its file then, and each machine ceiling is drawn with
/// markers that the ideal line and the fitted curve cannot hide.
#[test]
fn runs_of_one_machine_are_compared_as_runs_and_named_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let reference = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference/");
    let (a, b) = (
        format!("{reference}2026-11-25-vm16-xeon-default.json"),
        format!("{reference}2026-11-26-vm16-xeon-default.json"),
    );
    let html = dir.path().join("c.html");
    let out = measure(&["compare", &a, &b, "--html", html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<h1>amdahl: comparison of runs on one machine</h1>"), "{page}");
    assert!(page.contains("2026-11-26-vm16-xeon-default.json:") && !page.contains("(16 CPUs)"));
    assert!(page.contains("machine ceiling") && page.contains("<polygon"), "the ceiling's markers");
    let text = stdout(&measure(&["compare", &a, &b]));
    assert!(text.starts_with("Runs, on one machine:\n"), "{text}");

    // Another host: machines, named by CPU.
    let mut other = crate::util::read_json(std::path::Path::new(&b));
    other["machine"]["hostname"] = "elsewhere".into();
    let c = dir.path().join("other.json");
    std::fs::write(&c, other.to_string()).unwrap();
    let html = dir.path().join("m.html");
    let out = measure(&["compare", &a, c.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty() || stdout(&out).starts_with("Machines:"), "{}", stdout(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("comparison of machines") && page.contains("(16 CPUs)"), "{page}");
    assert!(stdout(&measure(&["compare", &a, c.to_str().unwrap()])).starts_with("Machines:\n"));
}

/// `measure what-if` on a file whose points carry a per-function profile (written in here, so the
/// prediction is known: `serial_part` on a third of every run's critical path), and its refusals.
#[test]
fn what_if_predicts_from_the_points_functions_and_refuses_with_documented_codes() {
    let dir = tempfile::tempdir().unwrap();
    let file = small_run(dir.path(), "r.json", &["synthetic:size=200000,b=0.3"]);
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let profile = serde_json::json!({
        "runs": [{ "wall_ns": 300, "cpu_ns": 300, "samples": 3 }, { "wall_ns": 300, "cpu_ns": 300, "samples": 3 }],
        "functions": [{ "function": "serial_part", "cpu_ns": [100, 100], "path_ns": [100, 100],
                        "serial_blame_ns": 100, "imbalance_blame_ns": 0 }],
        "untimed_samples": 0
    });
    for point in value["workloads"][0]["points"].as_array_mut().unwrap() {
        point["functions"] = profile.clone();
    }
    let with = dir.path().join("with.json");
    std::fs::write(&with, value.to_string()).unwrap();
    let with = with.to_str().unwrap();
    let out = measure(&["what-if", with, "--faster", "serial_part=2x"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("synthetic: if `serial_part` ran 2x faster") && text.contains("-16.7%"), "{text}");
    assert!(text.contains("limits: first order"), "{text}");
    let json = measure(&["what-if", with, "--faster", "serial_part=2", "--json"]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(parsed["factor"], 2.0);
    assert_refused(&measure(&["what-if", with, "--faster", "nowhere=2"]), 2, &["--faster", "serial_part"]);
    assert_refused(&measure(&["what-if", with, "--faster", "serial_part"]), 2, &["--faster", "FUNCTION=FACTOR"]);
    for point in value["workloads"][0]["points"].as_array_mut().unwrap() {
        point.as_object_mut().unwrap().remove("functions");
    }
    let without = dir.path().join("without.json");
    std::fs::write(&without, value.to_string()).unwrap();
    assert_refused(&measure(&["what-if", without.to_str().unwrap(), "--faster", "serial_part=2"]), 65, &["functions"]);
}
