//! Seeded simulations of the shapes the diagnosis must name (plateau, linear then a drop, a slow
//! decline, granularity, a sawtooth) and of the curves it must not misread (linear, flat): times
//! with 2% multiplicative log-normal noise, one sample per point and five, through the same path
//! as `measure fit` of a CSV curve. Counts, not timings, are asserted; `cargo test --release
//! shape_simulations -- --nocapture` prints them.

use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64Mcg;

use super::curve::SampleKind;
use super::diagnose::{Evidence, diagnose};
use super::{Curve, Verdict, fit_curve};
use crate::stats::percentile;

/// Seeds per case.
const SEEDS: u64 = 200;

/// The verdict of a curve whose true speedup is `speedup(j)`, with `samples` noisy times per point.
fn verdict(
    threads: &[usize],
    speedup: &dyn Fn(f64) -> f64,
    samples: usize,
    tasks: Option<usize>,
    seed: u64,
) -> Verdict {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let normal = Normal::new(0.0f64, 0.02).unwrap();
    let data: Vec<Vec<f64>> = threads
        .iter()
        .map(|&j| (0..samples).map(|_| 3.0 / speedup(j as f64) * normal.sample(&mut rng).exp()).collect())
        .collect();
    let curve = Curve::from_samples(threads, &data, SampleKind::Time, seed ^ 0x5eed);
    let fits = fit_curve(&Curve { replicates: Vec::new(), ..curve.clone() });
    let speedups = curve.speedups().unwrap();
    let replicates = curve.replicate_speedups();
    let intervals: Vec<Option<[f64; 2]>> =
        (0..threads.len()).map(|i| percentile(replicates.iter().map(|r| r[i]).collect(), 0.95)).collect();
    diagnose(&Evidence { intervals: &intervals, tasks, ..Evidence::of_curve(&curve.threads, &speedups, &fits) })
        .unwrap()
        .verdict
}

/// How many of [`SEEDS`] seeds give a verdict that `right` accepts, per sample count; printed.
fn count(
    name: &str,
    threads: &[usize],
    speedup: &dyn Fn(f64) -> f64,
    tasks: Option<usize>,
    right: &dyn Fn(&Verdict) -> bool,
) -> [u64; 2] {
    [1, 5].map(|samples| {
        let mut wrong = std::collections::BTreeMap::<&'static str, u64>::new();
        let mut hits = 0;
        for seed in 0..SEEDS {
            let v = verdict(threads, speedup, samples, tasks, seed);
            if right(&v) {
                hits += 1;
            } else {
                *wrong.entry(v.kind()).or_default() += 1;
            }
        }
        println!("{name}, {samples} sample(s): {hits}/{SEEDS} right; otherwise {wrong:?}");
        hits
    })
}

fn pow2(top: usize) -> Vec<usize> {
    (0..).map(|k| 1usize << k).take_while(|&j| j <= top).collect()
}

fn dense(top: usize) -> Vec<usize> {
    (1..=top).collect()
}

/// At least 90% of seeds.
const RIGHT: u64 = SEEDS * 9 / 10;
/// At most 5% of seeds.
const FALSE_ALARMS: u64 = SEEDS / 20;

#[test]
fn plateaus_are_saturation_with_their_knee() {
    let plateau = |j: f64| j.min(8.0);
    let at_knee = |v: &Verdict| matches!(v, Verdict::Saturation { knee_threads: 4..=16, .. });
    for threads in [pow2(64), dense(16)] {
        for hits in count(&format!("plateau at 8 on {threads:?}"), &threads, &plateau, None, &at_knee) {
            assert!(hits >= RIGHT, "plateau named in {hits}/{SEEDS}");
        }
    }
}

#[test]
fn a_drop_and_a_slow_decline_past_the_maximum_are_named() {
    let drop = |j: f64| if j <= 8.0 { j } else { 8.0 * (8.0 / j).sqrt() };
    // Flat at 8 from 8 on, falling 10% (linearly in ln j) over the last half of the design.
    let slow = |from: f64, top: f64| {
        move |j: f64| {
            let fall = if j <= from { 0.0 } else { 0.1 * (j / from).ln() / (top / from).ln() };
            j.min(8.0) * (1.0 - fall)
        }
    };
    let declines = |v: &Verdict| matches!(v, Verdict::PeakDecline { peak_threads: 4..=16, .. });
    for threads in [pow2(64), dense(64)] {
        for hits in count(&format!("linear then a drop on {threads:?}"), &threads, &drop, None, &declines) {
            assert!(hits >= RIGHT, "drop named in {hits}/{SEEDS}");
        }
        let (from, top) = (threads[threads.len() / 2] as f64, *threads.last().unwrap() as f64);
        let name = format!("a 10% decline over the last half of {threads:?}");
        let [one, five] = count(&name, &threads, &slow(from, top), None, &|v| matches!(v, Verdict::PeakDecline { .. }));
        assert!(five >= RIGHT, "slow decline named in {five}/{SEEDS} with five samples");
        // One sample per point on seven points: three past the knee carry the 10% fall, and the
        // curve's own noise is known from two clean differences; found in about a quarter to a
        // third of seeds (see the closing note of the issue). Dense designs meet 90%.
        let least = if threads.len() > 8 { RIGHT } else { SEEDS / 5 };
        assert!(one >= least, "slow decline named in {one}/{SEEDS} with one sample");
    }
}

#[test]
fn tasks_that_do_not_divide_are_granularity() {
    for (tasks, threads) in [(12, dense(16)), (24, pow2(32))] {
        let bound = move |j: f64| tasks as f64 / (tasks as f64 / j).ceil();
        let name = format!("{tasks} tasks on {threads:?}");
        let right = |v: &Verdict| matches!(v, Verdict::Granularity { .. });
        for hits in count(&name, &threads, &bound, Some(tasks), &right) {
            assert!(hits >= RIGHT, "granularity named in {hits}/{SEEDS}");
        }
    }
}

#[test]
fn a_sawtooth_of_placement_oscillates() {
    let saw = |j: f64| if j > 1.0 && j as usize % 2 == 1 { 0.85 * j } else { j };
    for threads in [dense(16), dense(24)] {
        let name = format!("sawtooth on {threads:?}");
        for hits in count(&name, &threads, &saw, None, &|v| matches!(v, Verdict::Oscillating { .. })) {
            assert!(hits >= RIGHT, "sawtooth named in {hits}/{SEEDS}");
        }
    }
}

#[test]
fn linear_and_flat_curves_are_not_called_retrograde_or_saturating() {
    let alarm = |v: &Verdict| {
        matches!(v, Verdict::PeakDecline { .. } | Verdict::Saturation { .. } | Verdict::ApproachingPeak { .. })
    };
    for threads in [pow2(64), dense(16)] {
        let linear = |j: f64| j;
        let flat = |_: f64| 1.0;
        for (name, curve) in [("linear", &linear as &dyn Fn(f64) -> f64), ("flat", &flat)] {
            let name = format!("{name} on {threads:?} (false alarms)");
            for hits in count(&name, &threads, curve, None, &|v| !alarm(v)) {
                assert!(SEEDS - hits <= FALSE_ALARMS, "{name}: {} false alarms in {SEEDS}", SEEDS - hits);
            }
        }
        let right = |v: &Verdict| matches!(v, Verdict::NearLinear { until_threads: None, .. });
        for hits in count(&format!("linear on {threads:?}"), &threads, &|j| j, None, &right) {
            assert!(hits >= RIGHT, "near-linear named in {hits}/{SEEDS}");
        }
    }
}

#[test]
fn amdahl_truths_are_bounded_by_their_serial_fraction() {
    for threads in [pow2(64), dense(16), dense(64)] {
        for b in [0.05, 0.2] {
            let law = move |j: f64| 1.0 / (b + (1.0 - b) / j);
            let name = format!("Amdahl B = {b} on {} points to {}", threads.len(), threads.last().unwrap());
            let right = |v: &Verdict| matches!(v, Verdict::SerialFraction { .. });
            for hits in count(&name, &threads, &law, None, &right) {
                assert!(hits >= RIGHT, "{name}: serial fraction named in {hits}/{SEEDS}");
            }
        }
    }
}
