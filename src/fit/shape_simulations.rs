//! Seeded simulations of the shapes the diagnosis must name (plateau, linear then a drop, a slow
//! decline, granularity, a sawtooth; a plateau then a decline, a rise to a peak then a fall below
//! one thread, a knee at the physical cores, laws with a systematic model error) and of the
//! curves it must not misread (linear, flat, straight curves with no break, near-linear data
//! rounded to two digits): times with 2% multiplicative log-normal noise, one sample per point and
//! five, through the same path as `measure fit` of a CSV curve. Counts, not timings, are
//! asserted; `cargo test --release shape_simulations -- --nocapture` prints them.

use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64Mcg;

use super::curve::SampleKind;
use super::diagnose::{Evidence, diagnose};
use super::regimes::Segments;
use super::shape::{Points, Shape};
use super::{Curve, Diagnosis, Law, Regime, Verdict, fit_curve};
use crate::import::precision::relative_rounding;
use crate::stats::percentile;
use crate::thread_set::CpuCounts;

/// Seeds per case.
const SEEDS: u64 = 200;

/// What a simulated curve is: its true speedup at its thread counts, and what is known beside it.
#[derive(Clone, Copy)]
struct Design<'a> {
    threads: &'a [usize],
    speedup: &'a dyn Fn(f64) -> f64,
    tasks: Option<usize>,
    cpus: Option<CpuCounts>,
    /// The significant digits each time is written with (as a published CSV would), when rounded.
    digits: Option<&'a dyn Fn(f64) -> i32>,
}

impl<'a> Design<'a> {
    fn new(threads: &'a [usize], speedup: &'a dyn Fn(f64) -> f64) -> Design<'a> {
        Design { threads, speedup, tasks: None, cpus: None, digits: None }
    }
}

/// A number written with `digits` significant digits, as text.
fn written(value: f64, digits: i32) -> String {
    let decimals = (digits - 1 - value.abs().log10().floor() as i32).max(0) as usize;
    format!("{value:.decimals$}")
}

/// The diagnosis of a curve of `design` with `samples` noisy times per point.
fn diagnosis(design: &Design<'_>, samples: usize, seed: u64) -> Diagnosis {
    let threads = design.threads;
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let normal = Normal::new(0.0f64, 0.02).unwrap();
    let mut data: Vec<Vec<f64>> = threads
        .iter()
        .map(|&j| (0..samples).map(|_| 3.0 / (design.speedup)(j as f64) * normal.sample(&mut rng).exp()).collect())
        .collect();
    // Rounded as written: each time to its digits, and each point's rounding read from the text.
    let mut rounding = Vec::new();
    if let Some(digits) = design.digits {
        for point in &mut data {
            let texts: Vec<String> = point.iter().map(|&t| written(t, digits(t))).collect();
            *point = texts.iter().map(|t| t.parse().unwrap()).collect();
            let cells: Vec<&str> = texts.iter().map(String::as_str).collect();
            rounding.push(relative_rounding(&cells).into_iter().fold(0.0, f64::max));
        }
    }
    let curve = Curve::from_samples(threads, &data, SampleKind::Time, seed ^ 0x5eed);
    let fits = fit_curve(&Curve { replicates: Vec::new(), ..curve.clone() });
    let speedups = curve.speedups().unwrap();
    let replicates = curve.replicate_speedups();
    let intervals: Vec<Option<[f64; 2]>> =
        (0..threads.len()).map(|i| percentile(replicates.iter().map(|r| r[i]).collect(), 0.95)).collect();
    diagnose(&Evidence {
        intervals: &intervals,
        rounding: &rounding,
        tasks: design.tasks,
        cpus: design.cpus,
        ..Evidence::of_curve(&curve.threads, &speedups, &fits)
    })
    .unwrap()
    .diagnosis
}

/// How many of [`SEEDS`] seeds give a diagnosis of `design` that `right` accepts, per sample count;
/// printed.
fn count_design(name: &str, design: &Design<'_>, right: &dyn Fn(&Diagnosis) -> bool) -> [u64; 2] {
    [1, 5].map(|samples| {
        let mut wrong = std::collections::BTreeMap::<&'static str, u64>::new();
        let mut hits = 0;
        for seed in 0..SEEDS {
            let d = diagnosis(design, samples, seed);
            if right(&d) {
                hits += 1;
            } else {
                *wrong.entry(d.verdict.kind()).or_default() += 1;
            }
        }
        println!("{name}, {samples} sample(s): {hits}/{SEEDS} right; otherwise {wrong:?}");
        hits
    })
}

/// How many of [`SEEDS`] seeds give a verdict that `right` accepts, per sample count; printed.
fn count(
    name: &str,
    threads: &[usize],
    speedup: &dyn Fn(f64) -> f64,
    tasks: Option<usize>,
    right: &dyn Fn(&Verdict) -> bool,
) -> [u64; 2] {
    count_design(name, &Design { tasks, ..Design::new(threads, speedup) }, &|d| right(&d.verdict))
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

/// A right count in at least `share` of seeds, for each sample count.
fn at_least(name: &str, hits: [u64; 2], least: u64) {
    for hits in hits {
        assert!(hits >= least, "{name}: right in {hits}/{SEEDS}");
    }
}

#[test]
fn a_plateau_then_a_decline_of_10_to_25_percent_is_a_peak_and_a_fall() {
    // Linear to 8, flat to 16 (or 32), then down 10% or 25% at the largest count, linearly in ln j.
    for (threads, flat_to) in [(pow2(64), 16.0), (dense(32), 16.0), (pow2(128), 32.0)] {
        let top = *threads.last().unwrap() as f64;
        for fall in [0.10, 0.25] {
            let shape = move |j: f64| {
                let down = if j <= flat_to { 0.0 } else { fall * (j / flat_to).ln() / (top / flat_to).ln() };
                j.min(8.0) * (1.0 - down)
            };
            let name = format!("linear to 8, flat to {flat_to}, then {:.0}% down by {top}", fall * 100.0);
            let right = |d: &Diagnosis| matches!(d.verdict, Verdict::PeakDecline { peak_threads: 4..=32, .. });
            let hits = count_design(&name, &Design::new(&threads, &shape), &right);
            // A 10% fall over the last doubling of seven points rests on one point: too little to
            // tell from a hiccup (`shape::LONE_FALL`); it is counted, not asserted.
            if fall > 0.2 || threads.len() > 8 {
                at_least(&name, hits, RIGHT);
            }
        }
    }
}

#[test]
fn a_rise_to_a_peak_then_a_fall_below_one_thread_is_the_peak_not_slower() {
    for threads in [pow2(64), pow2(256), dense(24)] {
        let top = *threads.last().unwrap() as f64;
        // Linear to 4, then falling as a power of j to 0.3 at the largest count.
        let slope = (4.0f64 / 0.3).ln() / (top / 4.0).ln();
        let shape = move |j: f64| if j <= 4.0 { j } else { 4.0 * (4.0 / j).powf(slope) };
        let name = format!("a peak of 4 at 4, then down to 0.3 at {top}");
        let right = |d: &Diagnosis| {
            matches!(d.verdict, Verdict::PeakDecline { peak_threads: 2..=8, .. })
                && matches!(d.then, Some(Regime::Falls { below_one_from: Some(_), .. }))
        };
        at_least(&name, count_design(&name, &Design::new(&threads, &shape), &right), RIGHT);
    }
}

#[test]
fn a_knee_at_the_physical_cores_is_named_with_what_smt_adds() {
    // 0.9 j to the P physical cores, then SMT siblings adding 10% or 20% by 2P.
    for (p, threads) in [(8, dense(16)), (4, dense(8)), (16, pow2(32))] {
        for gain in [0.10, 0.20] {
            let shape = move |j: f64| {
                let p = p as f64;
                if j <= p { 0.9 * j } else { 0.9 * p * (1.0 + gain * (j - p) / p) }
            };
            let cpus = Some(CpuCounts { usable: 2 * p, physical: p, sockets: 1 });
            let name = format!("0.9 j to {p} cores, then SMT adds {:.0}% by {}", gain * 100.0, 2 * p);
            let right = |d: &Diagnosis| {
                matches!(d.verdict, Verdict::Saturation { knee_threads, cpus: Some(_), .. } if knee_threads == p)
                    && matches!(d.then, Some(Regime::Rises { .. }))
            };
            let hits = count_design(&name, &Design { cpus, ..Design::new(&threads, &shape) }, &right);
            // Two points past the knee (pow2) carry one slope: counted, not asserted. A 10% rise
            // over one doubling with one sample per point at 2% noise is seen in nearly 90%.
            let least = if gain < 0.15 { SEEDS * 8 / 10 } else { RIGHT };
            if threads.len() > 6 {
                at_least(&name, hits, least);
            }
        }
    }
}

/// A systematic model error of `amplitude`: one smooth wave over ln j across the design.
fn wave(amplitude: f64, top: f64) -> impl Fn(f64) -> f64 {
    move |j: f64| 1.0 + amplitude * (std::f64::consts::TAU * j.ln() / top.ln()).sin()
}

#[test]
fn laws_with_a_systematic_model_error_of_2_to_4_percent_are_still_their_law() {
    for threads in [pow2(64), dense(16), dense(64)] {
        let top = *threads.last().unwrap() as f64;
        for amplitude in [0.02, 0.04] {
            let off = wave(amplitude, top);
            let amdahl = |j: f64| 1.0 / (0.1 + 0.9 / j) * off(j);
            let name = format!("Amdahl B = 0.1, {:.0}% off, on {} points to {top}", amplitude * 100.0, threads.len());
            let right = |d: &Diagnosis| matches!(d.verdict, Verdict::SerialFraction { .. });
            at_least(&name, count_design(&name, &Design::new(&threads, &amdahl), &right), RIGHT);
            // The USL peaking at half the largest count (sigma = 0.05): its peak is in the data.
            let kappa = 0.95 / (top / 2.0).powi(2);
            let usl = |j: f64| j / (1.0 + 0.05 * (j - 1.0) + kappa * j * (j - 1.0)) * off(j);
            let name = format!(
                "USL peaking at {}, {:.0}% off, on {} points to {top}",
                top / 2.0,
                amplitude * 100.0,
                threads.len()
            );
            let named = |d: &Diagnosis| {
                matches!(d.verdict, Verdict::ApproachingPeak { .. }) || matches!(d.law, Some(Law::Usl { .. }))
            };
            at_least(&name, count_design(&name, &Design::new(&threads, &usl), &named), RIGHT);
        }
    }
}

#[test]
fn near_linear_data_rounded_to_two_digits_do_not_oscillate() {
    // 95% efficiency, times written with two significant digits (three from 100 up).
    let digits = |t: f64| if t < 100.0 { 2 } else { 3 };
    for threads in [dense(16), pow2(512), dense(40)] {
        let near = |j: f64| 0.95 * j + 0.05;
        let name =
            format!("near-linear rounded to two digits on {} points to {}", threads.len(), threads.last().unwrap());
        let design = Design { digits: Some(&digits), ..Design::new(&threads, &near) };
        let right = |d: &Diagnosis| !matches!(d.verdict, Verdict::Oscillating { .. });
        for hits in count_design(&name, &design, &right) {
            assert!(SEEDS - hits <= FALSE_ALARMS, "{name}: {} oscillating in {SEEDS}", SEEDS - hits);
        }
    }
}

#[test]
fn straight_curves_have_no_false_breaks() {
    // Power laws S = j^a with 2% noise: one straight line in ln S on ln j.
    for threads in [pow2(64), dense(16), dense(64)] {
        for a in [1.0, 0.7, 0.3] {
            for samples in [1, 5] {
                let breaks = (0..SEEDS)
                    .filter(|&seed| {
                        let mut rng = Pcg64Mcg::seed_from_u64(seed);
                        let normal = Normal::new(0.0f64, 0.02).unwrap();
                        let data: Vec<Vec<f64>> = threads
                            .iter()
                            .map(|&j| {
                                (0..samples).map(|_| (j as f64).powf(-a) * normal.sample(&mut rng).exp()).collect()
                            })
                            .collect();
                        let curve = Curve::from_samples(&threads, &data, SampleKind::Time, seed ^ 0x5eed);
                        let speedups = curve.speedups().unwrap();
                        let replicates = curve.replicate_speedups();
                        let intervals: Vec<Option<[f64; 2]>> = (0..threads.len())
                            .map(|i| percentile(replicates.iter().map(|r| r[i]).collect(), 0.95))
                            .collect();
                        let points = Points {
                            threads: &threads,
                            speedups: &speedups,
                            intervals: &intervals,
                            ..Points::default()
                        };
                        let shape = Shape::read(&points).unwrap();
                        shape.segments.as_ref().is_some_and(|s: &Segments| !s.breaks.is_empty())
                    })
                    .count() as u64;
                println!(
                    "straight S = j^{a} on {} points to {}, {samples} sample(s): {}/{SEEDS} right (no break)",
                    threads.len(),
                    threads.last().unwrap(),
                    SEEDS - breaks
                );
                assert!(breaks <= FALSE_ALARMS, "j^{a} on {threads:?}: {breaks} false breaks in {SEEDS}");
            }
        }
    }
}

#[test]
fn two_thread_counts_at_the_near_linear_threshold_keep_one_kind() {
    // S(2) = 1.818 (B = 0.1: efficiency 0.909), the synthetic case: the kind of the
    // verdict is the same in nearly every seed, the other reading said beside it.
    let threads = [1, 2];
    let amdahl = |j: f64| 1.0 / (0.1 + 0.9 / j);
    let name = "two thread counts, S(2) = 1.82";
    let right = |d: &Diagnosis| matches!(d.verdict, Verdict::NearLinear { .. });
    let [_, five] = count_design(name, &Design::new(&threads, &amdahl), &right);
    assert!(five >= RIGHT, "{name}: near-linear in {five}/{SEEDS} with five samples");
}
