//! Criterion benches of the harness itself: what a clock read, a team round trip and a fit cost,
//! so the overhead that `measure` adds to a sample, and the time it spends between rounds, are
//! known numbers.
//!
//! `cargo bench --bench harness`; `cargo bench -- --test` runs each once.

use std::hint::black_box;
use std::time::Instant;

use amdahl::fit::{Curve, SampleKind, fit_curve};
use amdahl::sweep::{Clock, CpuSource, RealClock};
use amdahl_workloads::{Backend, Team};
use criterion::{Criterion, criterion_group, criterion_main};

fn clock(c: &mut Criterion) {
    c.bench_function("clock/instant_now", |b| b.iter(Instant::now));
    let clock = RealClock::new();
    c.bench_function("clock/measure_empty_sample", |b| {
        b.iter(|| clock.measure(1, None, CpuSource::Process, &mut || {}))
    });
    let team = Team::new(2, Backend::Rayon).expect("team");
    let team_cpu = || team.cpu_ns();
    c.bench_function("clock/measure_empty_sample_team_cpu", |b| {
        b.iter(|| clock.measure(2, None, CpuSource::Threads(&team_cpu), &mut || {}))
    });
}

fn team_round_trip(c: &mut Criterion) {
    for backend in Backend::ALL {
        let team = Team::new(2, backend).expect("team");
        c.bench_function(&format!("team/round_trip/{backend}"), |b| b.iter(|| team.map(2, black_box)));
    }
}

/// A 16-point USL-shaped curve: one sample per point, and 10 samples per point (bootstrap CIs).
fn fit(c: &mut Criterion) {
    let threads: Vec<usize> = (1..=16).collect();
    let time = |j: usize, k: usize| {
        (1.0 + 0.05 * (j as f64 - 1.0) + 0.002 * (j * (j - 1)) as f64) / j as f64 * (1.0 + 0.001 * k as f64)
    };
    let single: Vec<Vec<f64>> = threads.iter().map(|&j| vec![time(j, 0)]).collect();
    let curve = Curve::from_samples(&threads, &single, SampleKind::Time, 1);
    c.bench_function("fit/16_points", |b| b.iter(|| fit_curve(black_box(&curve))));
    let repeated: Vec<Vec<f64>> = threads.iter().map(|&j| (0..10).map(|k| time(j, k)).collect()).collect();
    let curve = Curve::from_samples(&threads, &repeated, SampleKind::Time, 1);
    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.bench_function("16_points_2000_bootstrap_replicates", |b| b.iter(|| fit_curve(black_box(&curve))));
    group.finish();
}

criterion_group!(benches, clock, team_round_trip, fit);
criterion_main!(benches);
