//! Criterion benches of the harness itself: what a clock read, a team round trip and a fit cost,
//! so the overhead that `measure` adds to a sample, and the time it spends between rounds, are
//! known numbers.
//!
//! What a sample costs besides its work (see `sweep::sample`), each at j = 1 and 2:
//! - inside the timed window: waking the team. `team/cold/*` times a run of j empty tasks on a
//!   team whose workers have fallen asleep (as they have between two samples of one j, the other
//!   counts being measured in between), started from outside the pool as the sweep once did;
//!   `team/cold_inside/*` times the same from the team's worker 0, as `run_sample` now does (the
//!   clock starts and stops on a running worker, as the ceilings' time runs from the first
//!   worker's start to the last one's end). `team/round_trip/*` is the same run on a hot team.
//! - outside it, between samples: the CPU-time reads of every worker (`clock/team_cpu_ns/*`:
//!   one system call per worker, twice a sample) and the process's involuntary context switches
//!   (`clock/rusage/*`: `getrusage`, which the kernel sums over every thread of the process, so
//!   it grows with all the teams alive, shown with 1,024 idle workers beside); and the team's own
//!   life (`team/crew/*`: built from the sweep's crew of threads, its workers asleep, given back
//!   and asleep again, as every sample does it).
//!
//! `cargo bench --bench harness`; `cargo bench -- --test` runs each once;
//! `cargo bench --bench harness -- --warm-up-time 1 --measurement-time 3 team/` for the above.

use std::hint::black_box;
use std::time::{Duration, Instant};

use amdahl::fit::{Curve, SampleKind, fit_curve};
use amdahl::sweep::{Clock, CpuSource, RealClock};
use amdahl_workloads::{Backend, Crew, Team};
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

/// How long the workers of a team are left idle before a cold run: long enough that rayon's idle
/// workers have stopped spinning and sleep.
const IDLE: Duration = Duration::from_millis(2);

fn team_round_trip(c: &mut Criterion) {
    for backend in Backend::ALL {
        for j in [1, 2] {
            let team = Team::new(j, backend).expect("team");
            c.bench_function(&format!("team/round_trip/{backend}/{j}"), |b| b.iter(|| team.map(j, black_box)));
            c.bench_function(&format!("team/cold/{backend}/{j}"), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| {
                            std::thread::sleep(IDLE);
                            let start = Instant::now();
                            black_box(team.map(j, black_box));
                            start.elapsed()
                        })
                        .sum()
                })
            });
            c.bench_function(&format!("team/cold_inside/{backend}/{j}"), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| {
                            std::thread::sleep(IDLE);
                            team.install(|| {
                                let start = Instant::now();
                                black_box(team.map(j, black_box));
                                start.elapsed()
                            })
                        })
                        .sum()
                })
            });
        }
    }
}

/// A team's life as the sweep lives it for every sample (`sweep::teams`): built from a crew whose
/// threads are started, its workers waited for until asleep, dropped, its workers waited for until
/// back and asleep. What a sample costs outside its timed window, per j.
fn team_from_crew(c: &mut Criterion) {
    for backend in Backend::ALL {
        let crew = Crew::new(&[]);
        crew.grow(64).expect("crew");
        for j in [1, 2, 16, 64] {
            c.bench_function(&format!("team/crew/{backend}/{j}"), |b| {
                b.iter(|| drop(black_box(crew.team(j, backend).expect("team"))))
            });
        }
    }
}

fn cpu_reads(c: &mut Criterion) {
    for j in [1, 2, 16, 64] {
        let team = Team::new(j, Backend::Rayon).expect("team");
        c.bench_function(&format!("clock/team_cpu_ns/{j}"), |b| b.iter(|| team.cpu_ns()));
    }
    // An empty sample with no CPU-time reads: what is left is getrusage, twice for the process and
    // twice for its children.
    let clock = RealClock::new();
    let nothing = || Some(0);
    c.bench_function("clock/rusage/few_threads", |b| {
        b.iter(|| clock.measure(1, None, CpuSource::Threads(&nothing), &mut || {}))
    });
    let idle = Team::new(1024, Backend::Rayon).expect("team");
    c.bench_function("clock/rusage/1024_more_threads", |b| {
        b.iter(|| clock.measure(1, None, CpuSource::Threads(&nothing), &mut || {}))
    });
    drop(idle);
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

criterion_group!(benches, clock, team_round_trip, team_from_crew, cpu_reads, fit);
criterion_main!(benches);
