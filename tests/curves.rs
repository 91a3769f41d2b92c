//! Real scaling curves measured by other people (`tests/data/curves/`, with their sources and
//! published readings in its README): `measure fit` must name each one's shape and its key number
//! as a careful reader of the same numbers would. The rules are general; nothing here is tuned to
//! one file.

use crate::util::{measure_in, stderr};
use serde_json::Value;

/// `measure fit --json` of `tests/data/curves/FILE` with `flags`: its verdict.
fn verdict(file: &str, flags: &[&str]) -> Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = format!("tests/data/curves/{file}");
    let mut args = vec!["fit", "--json"];
    args.extend(flags);
    args.push(&path);
    let out = measure_in(root, &args);
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["diagnosis"].is_string(), "{file}: no sentence: {report}");
    report["verdict"].clone()
}

fn kind(v: &Value) -> &str {
    v["kind"].as_str().unwrap_or_default()
}

fn number(v: &Value, field: &str) -> f64 {
    v[field].as_f64().unwrap_or(f64::NAN)
}

#[test]
fn pgbench_read_only_peaks_near_the_cpu_count_and_declines_slowly() {
    let v = verdict("pgbench-c5d-metal-ro.csv", &["--cpus", "96"]);
    let at = match kind(&v) {
        "peak-decline" => number(&v, "peak_threads"),
        "saturation" => number(&v, "knee_threads"),
        other => panic!("pgbench: {other}: {v}"),
    };
    assert!((48.0..=128.0).contains(&at), "pgbench: at {at}: {v}");
}

#[test]
fn a_read_write_mutex_saturates_from_its_knee() {
    let v = verdict("go-gorilla-context-rwmutex.csv", &[]);
    assert_eq!(kind(&v), "saturation", "{v}");
    assert!((2.0..=8.0).contains(&number(&v, "knee_threads")), "{v}");
}

#[test]
fn stream_triad_is_memory_bandwidth_near_100_gb_per_s() {
    let v = verdict("stream-triad-epyc7451-lyra.csv", &["--kind", "memory-bound", "--unit", "MB/s"]);
    match kind(&v) {
        "memory-bandwidth" => {
            assert!((90.0..=110.0).contains(&number(&v, "gb_per_s")), "{v}");
            assert!((4.0..=12.0).contains(&number(&v, "knee_threads")), "{v}");
        }
        "saturation" => assert!((4.0..=12.0).contains(&number(&v, "knee_threads")), "{v}"),
        other => panic!("stream: {other}: {v}"),
    }
    // Without being told, still no serial-fraction ceiling below the measured 5.6x.
    let untold = verdict("stream-triad-epyc7451-lyra.csv", &[]);
    assert_ne!(kind(&untold), "serial-fraction", "{untold}");
}

#[test]
fn a_tensor_contraction_is_near_linear_then_falls_never_a_serial_fraction_headline() {
    let v = verdict("hoscf-ttvc.csv", &[]);
    match kind(&v) {
        "near-linear" => {
            let until = v["until_threads"].as_f64().unwrap_or(number(&v, "threads"));
            assert!((16.0..=64.0).contains(&until), "{v}");
        }
        "saturation" => assert!((16.0..=64.0).contains(&number(&v, "knee_threads")), "{v}"),
        other => panic!("hoscf: {other}: {v}"),
    }
}

#[test]
fn memcached_without_a_single_thread_point_peaks_near_six() {
    let v = verdict("gunther-memcached-noX1.csv", &[]);
    assert_eq!(kind(&v), "peak-decline", "{v}");
    assert!((5.0..=8.0).contains(&number(&v, "peak_threads")), "{v}");
    // One baseline, said: S is relative to a fitted single-thread rate.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = measure_in(root, &["fit", "--json", "tests/data/curves/gunther-memcached-noX1.csv"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["fits"]["speedup_baseline"], "fitted");
    assert!(report["diagnosis"].as_str().unwrap().contains("relative to a fitted single-thread rate"));
}
