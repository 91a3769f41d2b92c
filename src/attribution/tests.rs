use std::hint::black_box;

use amdahl_workloads::{Backend, Phase, Sample, Samples, Team, Trace};

use super::symbols::{Symbol, resolve};
use super::*;

/// A trace of leader 0 carrying these samples.
fn traced(samples: Vec<Sample>) -> Trace {
    let mut trace = crate::account::simulate::ideal_trace(2, 1, 1);
    trace.leader = 0;
    trace.samples = Samples { taken: samples, ..Samples::default() };
    trace
}

fn sample(worker: usize, phase: Phase, frames: &[usize]) -> Sample {
    Sample { worker, at_ns: None, phase, frames: frames.to_vec() }
}

/// Addresses 100..199 are in `f`, 200..299 in `g`, 300..399 in `main`; the rest unknown.
fn fake(address: usize) -> Option<Symbol> {
    let function = match address / 100 {
        1 => "f",
        2 => "g",
        3 => "main",
        _ => return None,
    };
    Some(Symbol { function: function.into(), location: Some(format!("x.rs:{address}")), inlined: None })
}

#[test]
fn self_and_inclusive_shares_count_the_leaders_serial_samples_alone() {
    let mut tally = Tally::default();
    tally.add(&traced(vec![
        sample(0, Phase::Serial, &[110, 201, 301]),
        sample(0, Phase::Serial, &[110, 201, 301]),
        sample(0, Phase::Serial, &[210, 301]),
        sample(0, Phase::Serial, &[120, 121, 301]), // recursion: f counted once inclusive
        sample(0, Phase::InCall, &[110, 301]),
        sample(1, Phase::Serial, &[110, 301]),
        sample(0, Phase::Other, &[110, 301]),
    ]));
    let w = tally.attribute(&mut fake).unwrap();
    assert_eq!((w.serial_samples, w.samples, w.frames, w.note.as_deref()), (4, 7, Frames::Walked, None));
    let f = &w.functions[0];
    assert_eq!((f.function.as_str(), f.self_share, f.inclusive_share), ("f", 0.75, 0.75));
    assert_eq!(f.location.as_deref(), Some("x.rs:110"));
    let g = &w.functions[1];
    assert_eq!((g.function.as_str(), g.self_share, g.inclusive_share), ("g", 0.25, 0.75));
    // A caller's location is its call site (the return address less one).
    assert_eq!(g.location.as_deref(), Some("x.rs:200"));
    // `main`, on every stack with no self share, is a root: left out.
    assert_eq!(w.functions.len(), 2, "{w:?}");
}

#[test]
fn without_callers_it_is_by_the_leaf_and_without_symbols_it_says_how_to_get_them() {
    let mut tally = Tally::default();
    tally.add(&traced(vec![sample(0, Phase::Serial, &[110]), sample(0, Phase::Serial, &[210, 999_999])]));
    let w = tally.attribute(&mut fake).unwrap();
    assert_eq!(w.frames, Frames::Walked);
    tally.add(&traced(vec![sample(0, Phase::Serial, &[110]), sample(0, Phase::Serial, &[110])]));
    let w = tally.attribute(&mut fake).unwrap();
    assert_eq!(w.frames, Frames::LeafOnly);
    assert!(w.note.as_deref().unwrap().contains("force-frame-pointers"), "{:?}", w.note);
    assert_eq!(w.functions[0].inclusive_share, w.functions[0].self_share);
    // No function known: no names, and the note says what is missing.
    let w = tally.attribute(&mut |_| None).unwrap();
    assert!(w.functions.is_empty());
    assert!(w.note.as_deref().unwrap().starts_with("functions unknown: "), "{:?}", w.note);
    // No samples at all, with the sampler's reason.
    let mut off = Tally::default();
    let mut trace = traced(Vec::new());
    trace.samples.unavailable = Some("sampling is off".into());
    off.add(&trace);
    assert_eq!(off.attribute(&mut fake).unwrap().note.as_deref(), Some("no samples: sampling is off"));
    assert_eq!(Tally::default().attribute(&mut fake), None);
}

/// The work of one unit: a step of a 64-bit LCG (never folded away).
fn unit(x: u64) -> u64 {
    black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
}

/// Units of work that take about 30 ms of CPU time on a 2020s core at j = 1 (exactness does not
/// matter: the share does).
const SERIAL_UNITS: u64 = 30_000_000;

#[inline(never)]
fn serial_merge(units: u64) -> u64 {
    (0..units).fold(1, |x, _| unit(x))
}

#[inline(never)]
fn serial_other_merge(units: u64) -> u64 {
    (0..units).fold(3, |x, _| unit(x))
}

/// Profile runs of a work whose serial 10% is `serial` and the rest 64 parallel tasks; their
/// tally.
fn profiled(j: usize, serial: fn(u64) -> u64) -> Tally {
    profiled_by(j, serial, Source::PerfEvent)
}

/// The same, sampled by `source` (`PerfEvent`: where allowed, else the timers).
fn profiled_by(j: usize, serial: fn(u64) -> u64, source: Source) -> Tally {
    let team = Team::new(j, Backend::Rayon).unwrap();
    team.sample_profiles_with(source);
    let mut tally = Tally::default();
    for _ in 0..5 {
        let trace = team.install(|| {
            let profile = team.start_profile().unwrap();
            profile.begin();
            let s = serial(SERIAL_UNITS);
            // black_box after the call: not a tail call, so its frame stays.
            black_box(s);
            let p = team.map_reduce(
                64,
                0u64,
                |t| (0..SERIAL_UNITS * 9 / 64).fold(t as u64, |x, _| unit(x)),
                u64::wrapping_add,
            );
            black_box(p);
            profile.end();
            profile.finish().unwrap()
        });
        assert_eq!(trace.samples.unavailable, None);
        if source == Source::Timer || amdahl_workloads::perf_event_allowed().is_ok() {
            assert_eq!(trace.samples.source, source, "{:?}", trace.samples.perf_event);
        }
        tally.add(&trace);
    }
    tally
}

#[test]
#[cfg(all(feature = "where", target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
fn the_serial_part_is_named_for_the_function_it_runs_in_and_moves_with_it() {
    for j in [2, 4] {
        for (serial, name) in
            [(serial_merge as fn(u64) -> u64, "serial_merge"), (serial_other_merge, "serial_other_merge")]
        {
            let w = profiled(j, serial).attribute(&mut resolve).unwrap();
            // 5 runs of about 30 ms serial CPU time, sampled each 1 ms at the tick (at most 10 ms).
            assert!(w.serial_samples >= 10, "j = {j}: {w:?}");
            assert_eq!(w.frames, Frames::Walked, "j = {j}: {w:?}");
            let top = &w.functions[0];
            assert!(top.function.ends_with(&format!("::{name}")), "j = {j}: {w:?}");
            assert!(top.self_share >= 0.9, "j = {j}: {w:?}");
            assert!(top.location.as_deref().is_some_and(|l| l.starts_with("src/attribution/tests.rs:")), "{w:?}");
        }
    }
}

#[test]
#[cfg(all(feature = "where", target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
fn perf_event_and_the_timers_name_the_same_serial_function() {
    if let Err(why) = amdahl_workloads::perf_event_allowed() {
        eprintln!("skipped: perf_event cannot sample here ({why})");
        return;
    }
    for j in [1, 2] {
        let by_perf = profiled_by(j, serial_other_merge, Source::PerfEvent).attribute(&mut resolve).unwrap();
        let by_timer = profiled_by(j, serial_other_merge, Source::Timer).attribute(&mut resolve).unwrap();
        assert_eq!((by_perf.source, by_perf.perf_event.as_deref()), (Some(Source::PerfEvent), None), "{by_perf:?}");
        assert_eq!(by_timer.source, Some(Source::Timer), "{by_timer:?}");
        assert_eq!(by_timer.perf_event.as_deref(), Some("the timer sampler was asked for"), "{by_timer:?}");
        for w in [&by_perf, &by_timer] {
            // 5 runs of about 30 ms serial CPU time, every 1 ms of it.
            assert!(w.serial_samples >= 10, "j = {j}: {w:?}");
            assert_eq!(w.frames, Frames::Walked, "j = {j}: {w:?}");
            assert!(w.functions[0].function.ends_with("::serial_other_merge"), "j = {j}: {w:?}");
            assert!(w.functions[0].self_share >= 0.9, "j = {j}: {w:?}");
        }
    }
}

/// Three workers: serial 0..10 (`serial_part`), one call 10..100 (barrier 100) in which worker 0
/// runs `slow_task` 10..100, worker 1 `even` 10..50 and worker 2 `even` 10..40; one sample of
/// every running worker each unit of time, each worth 1 ns of CPU.
fn imbalanced_trace() -> Trace {
    use amdahl_workloads::{CallRecord, WorkerSpan};
    let span = |first_ns, last_ns| Some(WorkerSpan { first_ns, last_ns, busy_ns: last_ns - first_ns });
    let mut trace = crate::account::simulate::ideal_trace(3, 10, 270);
    trace.wall_ns = 100;
    trace.call_records = vec![CallRecord {
        start_ns: 10,
        barrier_ns: 100,
        end_ns: 100,
        workers: vec![span(10, 100), span(10, 50), span(10, 40)],
    }];
    let mut taken = Vec::new();
    let at = |worker, t, pc: usize| Sample { worker, at_ns: Some(t), phase: Phase::Other, frames: vec![pc, 301] };
    for t in 0..10 {
        taken.push(at(0, t, 150)); // serial_part
    }
    for t in 10..100 {
        taken.push(at(0, t, 250)); // slow_task
    }
    for t in 10..50 {
        taken.push(at(1, t, 450));
    }
    for t in 10..40 {
        taken.push(at(2, t, 450));
    }
    let counts = [100u64, 40, 30];
    trace.samples = Samples { taken, cpu_ns: counts.iter().map(|&c| Some(c)).collect(), ..Samples::default() };
    trace
}

fn named(address: usize) -> Option<Symbol> {
    let function = match address / 100 {
        1 => "serial_part",
        2 => "slow_task",
        3 => "main",
        4 => "even",
        _ => return None,
    };
    Some(Symbol {
        function: function.into(),
        location: None,
        inlined: (address % 100 == 99).then(|| "core::sync::atomic::atomic_cxchg".into()),
    })
}

#[test]
fn the_slow_task_carries_the_imbalance_blame() {
    use super::blame::{Blamed, shares};
    let mut tally = functions::FunctionTally::default();
    tally.add(&imbalanced_trace());
    tally.add(&imbalanced_trace());
    let f = tally.resolve(&mut named).unwrap();
    // 40..50: two running, each carries (3-2)/2; 50..100: slow_task alone carries 2.
    let imbalance = shares(&f, Blamed::Imbalance);
    assert_eq!(imbalance[0].function, "slow_task");
    assert!((imbalance[0].share - 105.0 / 110.0).abs() < 1e-9, "{imbalance:?}");
    assert!((imbalance[0].ns_per_run - 105.0).abs() < 1e-9);
    // The serial part: the leader alone, 10 units, the two others idle.
    let serial = shares(&f, Blamed::Serial);
    assert_eq!((serial[0].function.as_str(), serial[0].ns_per_run), ("serial_part", 20.0));
    // CPU time per run and the critical path: serial_part then the last worker (slow_task).
    let slow = f.function("slow_task").unwrap();
    assert_eq!((slow.cpu_ns.clone(), slow.path_ns.clone()), (vec![90, 90], vec![90, 90]));
    assert_eq!(f.function("even").unwrap().cpu_ns, vec![70, 70]);
    assert_eq!(f.runs[0].cpu_ns, 170);
    assert_eq!(f.function("serial_part").unwrap().path_ns, vec![10, 10]);
    // Halving slow_task: 45 of the 100 units of the path go.
    let w = super::what_if::predict(&f, "slow_task", 2.0, 100.0).unwrap();
    assert!((w.predicted_ns - 55.0).abs() < 1e-9);
}

#[test]
fn samples_past_the_recorded_calls_are_untimed_and_the_span_run_is_left_out() {
    let mut trace = imbalanced_trace();
    trace.calls = 5;
    trace.samples.taken.push(Sample { worker: 1, at_ns: Some(100), phase: Phase::Other, frames: vec![450] });
    let mut tally = functions::FunctionTally::default();
    tally.add(&trace);
    assert_eq!(tally.resolve(&mut named).unwrap().untimed_samples, 1);
    let mut span_run = imbalanced_trace();
    span_run.longest_tasks_ns = Some(90);
    let mut none = functions::FunctionTally::default();
    none.add(&span_run);
    assert_eq!(none.resolve(&mut named), None);
}

#[test]
fn perf_event_samples_weigh_their_period_and_lost_ones_are_not_spread_over_the_rest() {
    // The same run, every sample kept, then with the last 60 units of `slow_task` lost (a full
    // ring): by the timers' rule the 30 kept would carry all 100 ns of worker 0's CPU time.
    let mut full = imbalanced_trace();
    full.samples.period_ns = Some(1);
    let mut lost = full.clone();
    lost.samples.taken.retain(|x| !(x.worker == 0 && x.at_ns.is_some_and(|t| t >= 40)));
    lost.samples.filled = 1;
    let tally_of = |trace: &Trace| {
        let mut tally = functions::FunctionTally::default();
        tally.add(trace);
        tally.resolve(&mut named).unwrap()
    };
    let (f_full, f_lost) = (tally_of(&full), tally_of(&lost));
    assert_eq!(f_full.function("slow_task").unwrap().cpu_ns, vec![90]);
    assert_eq!(f_lost.function("slow_task").unwrap().cpu_ns, vec![30]);
    assert_eq!(f_lost.function("serial_part").unwrap().cpu_ns, vec![10], "not inflated by the lost samples");
    // The timers' rule for comparison: worker 0's 100 ns over its 40 kept samples.
    let mut timer = lost.clone();
    timer.samples.period_ns = None;
    assert_eq!(tally_of(&timer).function("serial_part").unwrap().cpu_ns, vec![25]);
    // The loss is said in `where`.
    let mut tally = Tally::default();
    tally.add_samples(&Samples { filled: 1, ..lost.samples.clone() }, Some(0));
    let w = tally.attribute(&mut |_| None).unwrap();
    assert!(w.note.as_deref().is_some_and(|n| n.contains("samples lost to a full buffer")), "{w:?}");
}

#[test]
fn the_leader_outside_the_calls_of_a_run_with_its_own_rayon_code_is_not_blamed_as_serial() {
    let mut trace = imbalanced_trace();
    trace.untracked_ns = 10;
    let mut tally = functions::FunctionTally::default();
    tally.add(&trace);
    let f = tally.resolve(&mut named).unwrap();
    assert!(super::blame::shares(&f, super::blame::Blamed::Serial).is_empty());
    assert_eq!(f.function("serial_part").unwrap().path_ns, vec![0]);
    assert_eq!(f.untimed_samples, 10);
}
