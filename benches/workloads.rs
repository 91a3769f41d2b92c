//! Criterion benches of every built-in workload at a fixed, reduced size, at thread counts 1..N
//! (N = usable CPUs): one `BenchmarkGroup` per workload, the thread count as the `BenchmarkId`
//! parameter, so that `measure fit --criterion target/criterion/<workload>` explains the curve.
//! Teams (rayon pools) and instances are built outside the timed closure.
//!
//! `cargo bench --bench workloads`; `cargo bench -- --test` runs each once.

use std::time::Duration;

use amdahl_workloads::{Backend, Team, WorkloadSpec};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Each workload at a size that keeps one iteration in the tens of milliseconds.
const BENCH_SPECS: &[&str] = &[
    "primes:size=300000",
    "mc-pi:size=2000000",
    "newton:size=1000000",
    "three-body:size=20000",
    "sleep:size=16,ms=1",
    "synthetic:size=8000000",
    "triad:mib=64,size=1",
    "contended:size=200000",
];

fn workloads(c: &mut Criterion) {
    let usable = std::thread::available_parallelism().map_or(1, |n| n.get());
    for text in BENCH_SPECS {
        let spec = WorkloadSpec::parse(text).expect("bench specs are valid");
        let mut instance = spec.workload.prepare(&spec.params).expect("bench workloads prepare");
        let mut group = c.benchmark_group(spec.workload.name());
        group.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
        for threads in 1..=usable {
            let team = Team::new(threads, Backend::Rayon).expect("team");
            group.bench_with_input(BenchmarkId::from_parameter(threads), &team, |b, team| {
                b.iter(|| instance.run(team));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, workloads);
criterion_main!(benches);
