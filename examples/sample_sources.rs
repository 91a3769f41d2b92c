//! The two samplers of profile runs side by side: for each built-in workload named (default
//! `synthetic:b=0.1`, `newton`, `primes`) and each thread count (default 1 and 2), five profile
//! runs sampled by `perf_event` and five by the per-thread timers, every worker's samples tallied
//! by the innermost of the program's own functions inlined where their program counter lies
//! (the work itself, where the `where` table names the outermost), and its file, the top three of
//! each printed with its share of the samples.
//!
//! `cargo run --release --example sample_sources [-- WORKLOAD... [-t 1,2,4]]`. Without the
//! `perf-event2` feature, or where the kernel refuses it, both columns are the timers' and the
//! first line says why.

use std::collections::HashMap;

use amdahl::attribution::symbols::inlined;
use amdahl_workloads::{Backend, Samples, Source, Team, WorkloadSpec, perf_event_allowed};

/// Profile runs per workload, count and source.
const RUNS: usize = 5;

fn main() {
    let mut names: Vec<String> = Vec::new();
    let mut counts = vec![1usize, 2];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-t" {
            let list = args.next().unwrap_or_default();
            counts = list.split(',').map(|c| c.trim().parse().expect("-t takes counts like 1,2,4")).collect();
        } else {
            names.push(arg);
        }
    }
    if names.is_empty() {
        names = ["synthetic:b=0.1", "newton", "primes"].map(String::from).to_vec();
    }
    match perf_event_allowed() {
        Ok(()) => println!("perf_event: allowed"),
        Err(why) => println!("perf_event: not used ({why})"),
    }
    println!("| workload | j | source | samples | top functions (share of all samples, self) |");
    println!("|---|---|---|---|---|");
    for name in &names {
        let spec = WorkloadSpec::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut instance = spec.workload.prepare(&spec.params).unwrap_or_else(|e| panic!("{name}: {e}"));
        for &j in &counts {
            let team = Team::new(j, Backend::Rayon).expect("a team");
            for source in [Source::PerfEvent, Source::Timer] {
                team.sample_profiles_with(source);
                let mut taken: Vec<Samples> = Vec::new();
                for _ in 0..RUNS {
                    let trace = team.install(|| {
                        let profile = team.start_profile().expect("a profile run");
                        profile.begin();
                        std::hint::black_box(instance.run(&team));
                        profile.end();
                        profile.finish().expect("a trace")
                    });
                    taken.push(trace.samples);
                }
                let used = taken.iter().map(|s| s.source).max_by_key(|s| *s == Source::PerfEvent).unwrap_or_default();
                println!("| {name} | {j} | {} | {} | {} |", label(used), count(&taken), top(&taken));
            }
        }
    }
}

fn label(source: Source) -> &'static str {
    match source {
        Source::PerfEvent => "perf_event",
        Source::Timer => "timer",
    }
}

fn count(runs: &[Samples]) -> usize {
    runs.iter().map(|s| s.taken.len()).sum()
}

/// The three functions holding most samples, with their shares.
fn top(runs: &[Samples]) -> String {
    let mut by: HashMap<String, usize> = HashMap::new();
    let mut cache: HashMap<usize, String> = HashMap::new();
    for sample in runs.iter().flat_map(|s| &s.taken) {
        let Some(&pc) = sample.frames.first() else { continue };
        let name = cache
            .entry(pc)
            .or_insert_with(|| {
                // The innermost of the program's own functions inlined there (the work, not the
                // team's task wrapper it is inlined into), by file, not line: one row a function.
                let frames = inlined(pc);
                let own = frames.iter().find(|(_, own)| *own).or(frames.last());
                own.map_or("(unknown)".to_owned(), |(s, _)| {
                    let name = s.function.split('<').next().unwrap_or(&s.function);
                    match &s.location {
                        Some(l) => format!("`{name}` ({})", l.rsplit_once(':').map_or(l.as_str(), |(f, _)| f)),
                        None => format!("`{name}`"),
                    }
                })
            })
            .clone();
        *by.entry(name).or_default() += 1;
    }
    let total = count(runs).max(1) as f64;
    let mut rows: Vec<(String, usize)> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.iter().take(3).map(|(f, n)| format!("{f} {:.0}%", 100.0 * *n as f64 / total)).collect::<Vec<_>>().join("; ")
}
