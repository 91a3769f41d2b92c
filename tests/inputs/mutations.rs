//! Property tests: every prefix and random mutation of a valid results file or CSV curve is either
//! loaded or refused with a clean error — never a panic — and whatever loads can be refitted,
//! predicted, compared and rendered in every format without a panic.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use amdahl::attribution::functions::{FunctionCpu, Functions, RunCpu};
use amdahl::config::RunRequest;
use amdahl::fit_command::{explain_samples, refit};
use amdahl::import::parse_csv;
use amdahl::machine::{MachineFacts, Roots};
use amdahl::predict::predict_results;
use amdahl::report::{Exporter, Html, Json, Markdown, Table, curve_table};
use amdahl::results::{ResultsFile, parse};
use amdahl::stats::reruns::{RerunFloor, SpeedupFloor};
use amdahl::sweep::{FakeClock, Journal, RunContext, Silent, run};
use amdahl::thread_set::CpuCounts;
use proptest::prelude::*;
use serde_json::Value;

/// A small valid results file: a fake-clock run of two workloads at j = 1..3.
fn valid() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cpus = CpuCounts { usable: 2, physical: 2, sockets: 1 };
        let config = RunRequest {
            workloads: vec!["synthetic:b=0.2,size=50000".into(), "synthetic:b=0.6,size=20000".into()],
            threads: Some("1-3".into()),
            out: Some(dir.path().join("r.json")),
            min_rounds: Some(3),
            max_rounds: Some(3),
            ..Default::default()
        }
        .resolve(cpus)
        .unwrap();
        // The machine is this one pretending to have two CPUs (`RunContext::quiet` is the library's
        // tests' alone).
        let machine = MachineFacts::read(&Roots::default()).pretending(cpus);
        let outcome = run(
            &config,
            RunContext {
                clock: &FakeClock::with_noise(7, 0.02),
                observer: &mut Silent,
                interrupted: &AtomicBool::new(false),
                machine: &machine,
                argv: vec!["measure".into()],
                results_dir: dir.path().into(),
                journal: &Journal::new(),
                watchdog: None,
                ceilings: None,
                reruns: None,
            },
        )
        .unwrap();
        // A floor from earlier runs on the first workload, so that its fields are mutated too.
        let mut results = outcome.results;
        results.workloads[0].rerun_floor = Some(RerunFloor {
            time: 0.002,
            speedup: vec![SpeedupFloor { threads: 2, sd: 0.03 }, SpeedupFloor { threads: 3, sd: 0.01 }],
            runs: 6,
            left_out: 1,
            oldest_s: 420,
            capped: false,
        });
        // Profiles by function at j = 1 and 2, one function left out at j = 1 (its bound kept),
        // so that they are mutated and their growth rendered too.
        let run = RunCpu { wall_ns: 2_000_000, cpu_ns: 3_000_000, samples: 12 };
        let function = |name: &str, cpu: u64| FunctionCpu {
            function: name.into(),
            inlined: None,
            location: Some("src/lib.rs:7".into()),
            cpu_ns: vec![cpu, cpu + 10_000],
            path_ns: vec![cpu / 2, cpu / 2],
            serial_blame_ns: cpu / 4,
            imbalance_blame_ns: cpu / 8,
        };
        results.workloads[0].points[0].functions = Some(Functions {
            runs: vec![run; 2],
            functions: vec![function("work", 1_000_000)],
            untimed_samples: 1,
            left_out_ns: vec![40_000, 30_000],
        });
        results.workloads[0].points[1].functions = Some(Functions {
            runs: vec![run; 2],
            functions: vec![function("work", 1_000_000), function("left_out_at_one", 300_000)],
            untimed_samples: 0,
            left_out_ns: Vec::new(),
        });
        serde_json::to_string_pretty(&results).unwrap()
    })
}

/// Everything a command does with a loaded file.
fn exercise(mut file: ResultsFile) {
    refit(&mut file);
    let _ = predict_results(&file, &[1, 2, 4, 1000]);
    let named = vec![("a".to_owned(), file.clone()), ("b".to_owned(), file.clone())];
    let _ = amdahl::compare::compare(&named);
    for exporter in [&Table as &dyn Exporter, &Markdown, &Html, &Json] {
        exporter.render(&file).unwrap();
    }
}

/// Every leaf of a JSON value, as a JSON pointer.
fn leaves(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| leaves(v, format!("{at}/{k}"), out)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

fn odd_values() -> Vec<Value> {
    serde_json::from_str(
        r#"[0, -1, 1, 2, 1e308, -1e308, 1e-300, 0.5, 18446744073709551615, 9007199254740993, 1000000, 1025,
            "", "x", "running", "amdahl", "weak", null, true, [], {}, [0], [1, 1]]"#,
    )
    .unwrap()
}

fn path() -> &'static Path {
    Path::new("mutated.json")
}

#[test]
fn the_unmutated_file_loads_and_is_exercised() {
    exercise(parse(path(), valid()).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_prefix_loads_or_is_refused(cut in 0.0f64..1.0) {
        let text = valid();
        let n = (text.len() as f64 * cut) as usize;
        if let Some(prefix) = text.get(..n)
            && let Ok(file) = parse(path(), prefix)
        {
            exercise(file);
        }
    }

    #[test]
    fn byte_mutations_load_or_are_refused(edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 1..6)) {
        let mut bytes = valid().as_bytes().to_vec();
        for (at, byte) in edits {
            let i = ((bytes.len() - 1) as f64 * at) as usize;
            bytes[i] = byte;
        }
        if let Ok(file) = parse(path(), &String::from_utf8_lossy(&bytes)) {
            exercise(file);
        }
    }

    #[test]
    fn field_mutations_load_or_are_refused(edits in prop::collection::vec((0.0f64..1.0, 0usize..23), 1..4)) {
        let mut json: Value = serde_json::from_str(valid()).unwrap();
        let odd = odd_values();
        for (at, which) in edits {
            let mut all = Vec::new();
            leaves(&json, String::new(), &mut all);
            let pointer = &all[((all.len() - 1) as f64 * at) as usize];
            if let Some(leaf) = json.pointer_mut(pointer) {
                *leaf = odd[which % odd.len()].clone();
            }
        }
        if let Ok(file) = parse(path(), &json.to_string()) {
            exercise(file);
        }
    }

    /// Valid but wild samples (1 ns to 11 days, in any order): these always load, so the whole
    /// analysis and every renderer run on extreme data.
    #[test]
    fn wild_samples_are_analysed_and_rendered(samples in prop::collection::vec(prop_oneof![Just(1u64), Just(1_000_000_000_000_000u64), 1u64..1_000_000_000_000_000], 9..10)) {
        let mut json: Value = serde_json::from_str(valid()).unwrap();
        let mut wild = samples.into_iter();
        for point in json["workloads"][0]["points"].as_array_mut().unwrap() {
            for sample in point["samples_ns"].as_array_mut().unwrap() {
                *sample = wild.next().unwrap_or(1).into();
            }
        }
        let file = parse(path(), &json.to_string());
        prop_assert!(file.is_ok(), "{:?}", file.err());
        exercise(file.unwrap());
    }

    #[test]
    fn csv_curves_load_or_are_refused(
        header in prop::sample::select(vec!["threads,seconds", "concurrency,throughput", "threads,nanoseconds,x", "seconds", ""]),
        rows in prop::collection::vec(
            (prop::sample::select(vec!["1", "2", "4", "0", "-1", "1000001", "x", "", "3.5"]),
             prop::sample::select(vec!["1", "0.5", "2e-3", "0", "-1", "1e308", "1e-300", "NaN", "inf", "", "abc"])),
            0..12),
        blank_every in 0usize..4,
    ) {
        let mut text = format!("{header}\n");
        for (i, (j, v)) in rows.iter().enumerate() {
            if blank_every > 0 && i % blank_every == 0 {
                text.push('\n');
            }
            text += &format!("{j},{v}\n");
        }
        if let Ok(samples) = parse_csv(Path::new("curve.csv"), &text) {
            let report = explain_samples("curve.csv", &samples, 1, &amdahl::fit_command::CurveContext::default()).unwrap();
            let printed = curve_table(&report).into_text();
            prop_assert!(!printed.contains("inf") && !printed.contains("NaN"), "{printed}");
        }
    }
}
