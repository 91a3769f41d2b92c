//! `measure fit` and `measure predict`: our results files (refitted exactly as the pinned fixtures
//! in `tests/data/refit/` say, under either loss), CSV curves, hyperfine scans and criterion groups;
//! the published schema.

use serde_json::Value;

use crate::util::{Run, assert_refused, measure, measure_in, stderr, stdout, str_path};

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
    assert!(Run::of("synthetic:size=200000,b=0.3").rounds(3).out(&file).output().status.success());
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
