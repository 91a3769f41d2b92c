//! Real scaling curves measured by other people (`tests/data/curves/`, with their sources and
//! published readings in its README; R `usl`'s two examples in `tests/data/`): `measure fit` must
//! name each one's shape, its key number and what follows it (`then`, `law`) as a careful reader of
//! the same numbers would — the README's "a right sentence names" column, with the flags it names.
//! The rules are general; nothing here is tuned to one file.

use crate::util::{measure_in, stderr};
use serde_json::Value;

/// `measure fit --json` of `FILE` (under `tests/data/`) with `flags`: the curve's report.
fn fit(file: &str, flags: &[&str]) -> Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = format!("tests/data/{file}");
    let mut args = vec!["fit", "--json"];
    args.extend(flags);
    args.push(&path);
    let out = measure_in(root, &args);
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["diagnosis"].is_string(), "{file}: no sentence: {report}");
    report
}

fn kind(v: &Value) -> &str {
    v["kind"].as_str().unwrap_or_default()
}

fn number(v: &Value, field: &str) -> f64 {
    v[field].as_f64().unwrap_or(f64::NAN)
}

fn sentence(report: &Value) -> &str {
    report["diagnosis"].as_str().unwrap_or_default()
}

#[test]
fn pgbench_read_only_peaks_near_the_cpu_count_and_declines_slowly() {
    let report = fit("curves/pgbench-c5d-metal-ro.csv", &["--cpus", "96"]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "peak-decline", "{report}");
    assert!((48.0..=128.0).contains(&number(v, "peak_threads")), "{v}");
    assert!((0.07..=0.11).contains(&number(v, "drop")), "{v}");
    // The slow decline past a flat top that holds the 96 CPUs; no USL peak far from the measured.
    let then = &report["then"];
    assert_eq!((kind(then), then["steady"].as_bool()), ("falls", Some(true)), "{then}");
    assert!(sentence(&report).contains("the 96 usable CPUs within it"), "{}", sentence(&report));
    assert!(report["law"].is_null(), "{}", report["law"]);
}

#[test]
fn a_read_write_mutex_saturates_from_its_knee() {
    let report = fit("curves/go-gorilla-context-rwmutex.csv", &[]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "saturation", "{v}");
    assert!((2.0..=8.0).contains(&number(v, "knee_threads")), "{v}");
    assert!(!sentence(&report).contains("1/B"), "{}", sentence(&report));
}

#[test]
fn stream_triad_is_memory_bandwidth_near_100_gb_per_s() {
    let report = fit("curves/stream-triad-epyc7451-lyra.csv", &["--kind", "memory-bound", "--unit", "MB/s"]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "memory-bandwidth", "{v}");
    assert!((90.0..=110.0).contains(&number(v, "gb_per_s")), "{v}");
    assert!((4.0..=12.0).contains(&number(v, "knee_threads")), "{v}");
    // Without being told, a plateau: no serial-fraction ceiling below the measured 5.6x.
    let untold = fit("curves/stream-triad-epyc7451-lyra.csv", &[]);
    assert_eq!(kind(&untold["verdict"]), "saturation", "{untold}");
    assert!((4.0..=12.0).contains(&number(&untold["verdict"], "knee_threads")), "{untold}");
}

#[test]
fn a_tensor_contraction_is_near_linear_then_falls_never_a_serial_fraction_headline() {
    let report = fit("curves/hoscf-ttvc.csv", &[]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "near-linear", "{v}");
    assert!((16.0..=32.0).contains(&number(v, "until_threads")), "{v}");
    // What the 32 threads past the stretch add.
    assert_eq!(kind(&report["then"]), "rises", "{}", report["then"]);
    assert!(!sentence(&report).contains("1/B"), "{}", sentence(&report));
}

#[test]
fn memcached_without_a_single_thread_point_peaks_near_six() {
    let report = fit("curves/gunther-memcached-noX1.csv", &[]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "peak-decline", "{v}");
    assert!((5.0..=8.0).contains(&number(v, "peak_threads")), "{v}");
    // One baseline, said: S is relative to a fitted single-thread rate.
    assert_eq!(report["fits"]["speedup_baseline"], "fitted");
    assert!(sentence(&report).contains("relative to a fitted single-thread rate"));
    // The USL describes Gunther's example, its peak where the measured one is.
    let law = &report["law"];
    assert_eq!(law["model"], "usl", "{law}");
    let [lo, hi] = [law["peak_threads_ci95"][0].as_f64().unwrap(), law["peak_threads_ci95"][1].as_f64().unwrap()];
    assert!(lo <= 8.0 && hi >= 4.0, "{law}");
}

#[test]
fn threaded_rsync_rises_stays_flat_then_falls_past_the_plateau() {
    let report = fit("curves/rsync424-zstd-level8-threads.csv", &[]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "peak-decline", "{v}");
    assert!((4.0..=8.0).contains(&number(v, "peak_threads")), "{v}");
    assert!((0.2..=0.25).contains(&number(v, "drop")), "{v}");
    let then = &report["then"];
    assert_eq!((kind(then), number(then, "from_threads")), ("falls", 8.0), "{then}");
    // A flat top is a resource's limit, not the USL's rounded peak.
    assert!(report["law"].is_null(), "{}", report["law"]);
    assert!(sentence(&report).contains("flat to 8"), "{}", sentence(&report));
}

#[test]
fn lightgbm_on_small_data_peaks_at_eight_then_falls_below_one_thread() {
    let report = fit("curves/gbmperf-c7a-lightgbm-1m.csv", &["--cpus", "192"]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "peak-decline", "not `slower`: {v}");
    assert_eq!(number(v, "peak_threads"), 8.0, "{v}");
    assert!((number(v, "peak_speedup") - 4.15).abs() < 0.01, "{v}");
    let then = &report["then"];
    assert_eq!((kind(then), then["steady"].as_bool(), number(then, "below_one_from")), ("falls", Some(true), 192.0));
}

#[test]
fn lightgbm_on_large_data_peaks_near_48_then_collapses_at_two_sockets() {
    let report = fit("curves/gbmperf-c7a-lightgbm-10m.csv", &["--cpus", "192"]);
    let v = &report["verdict"];
    assert_eq!(kind(v), "peak-decline", "{v}");
    assert_eq!(number(v, "peak_threads"), 48.0, "{v}");
    let then = &report["then"];
    assert_eq!((kind(then), number(then, "below_one_from")), ("falls", 192.0), "{then}");
    assert_eq!(then["cliff"], serde_json::json!([96, 192]), "{then}");
    // The USL's N* (23 [15, 35]) is where the data still rise: never quoted.
    assert!(!sentence(&report).contains("USL"), "{}", sentence(&report));
}

#[test]
fn arrow_memory_reads_are_a_bandwidth_plateau_never_a_serial_fraction() {
    let untold = fit("curves/arrow3378-memory-bandwidth-read.csv", &[]);
    let v = &untold["verdict"];
    assert_eq!(kind(v), "saturation", "{v}");
    assert!((4.0..=8.0).contains(&number(v, "knee_threads")), "{v}");
    let told = fit("curves/arrow3378-memory-bandwidth-read.csv", &["--kind", "memory-bound", "--unit", "GB/s"]);
    let v = &told["verdict"];
    assert_eq!(kind(v), "memory-bandwidth", "{v}");
    assert!((33.0..=37.0).contains(&number(v, "gb_per_s")), "{v}");
    assert!((4.0..=8.0).contains(&number(v, "knee_threads")), "{v}");
    // Amdahl's law rises through the plateau the points show flat: no B beside the bandwidth.
    assert!(v["serial_fraction"].is_null() && !sentence(&told).contains("B ="), "{}", sentence(&told));
}

#[test]
fn lightgbm_on_four_cores_saturates_at_the_cores_and_smt_adds_little() {
    let report = fit("curves/lightgbm736-higgs-i7-7700k.csv", &["--cpus", "8", "--physical-cores", "4"]);
    let v = &report["verdict"];
    assert_eq!((kind(v), number(v, "knee_threads"), number(v, "cpus")), ("saturation", 4.0, 4.0), "{v}");
    let then = &report["then"];
    assert_eq!((kind(then), number(then, "from_threads"), number(then, "threads")), ("rises", 4.0, 8.0));
    assert!((0.1..=0.2).contains(&number(then, "gain")), "{then}");
    assert!(sentence(&report).contains("the SMT siblings add only 14% by 8"), "{}", sentence(&report));
}

#[test]
fn sha256_hashing_is_near_linear_to_64() {
    let report = fit("curves/blkhash-c7g-metal-sha256-data.csv", &[]);
    let v = &report["verdict"];
    assert_eq!((kind(v), number(v, "threads")), ("near-linear", 64.0), "{v}");
    assert!(v["until_threads"].is_null() && (number(v, "speedup") - 63.5).abs() < 0.01, "{v}");
}

#[test]
fn r_usl_examples_are_their_laws() {
    // The ray tracer, rounded to two digits: R's Amdahl example is bounded by its serial fraction.
    let raytracer = fit("r-usl-raytracer.csv", &[]);
    let v = &raytracer["verdict"];
    assert_eq!(kind(v), "serial-fraction", "{raytracer}");
    assert!((0.04..=0.07).contains(&number(v, "serial_fraction")), "{v}");
    // SPEC SDM91 falls 8% past 72 over three points: a peak and a fall, the USL named beside it.
    let spec = fit("r-usl-specsdm91.csv", &[]);
    let v = &spec["verdict"];
    assert_eq!((kind(v), number(v, "peak_threads")), ("peak-decline", 72.0), "{spec}");
    assert_eq!(spec["law"]["model"], "usl", "{}", spec["law"]);
}
