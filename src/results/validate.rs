//! What a loaded results file must satisfy before anything is computed from it.
//!
//! Results files travel between machines and are edited by hand; a file that parses is not yet a
//! file that can be analysed. Each rule below guards a computation that would otherwise loop,
//! divide by zero, pair the wrong samples or print infinities, and each refusal names the field by
//! its path (`workloads[2].points[3].samples_ns`).
//!
//! - thread counts are 1..=[`MAX_RECORDED_THREADS`], strictly ascending within a workload (a duplicate
//!   would be fitted as a second point at the same j);
//! - every point has one sample per round from its `first_round` on (`first_round +
//!   samples_ns.len() == rounds`), which is what pairs round r of T(1) with round r of T(j) — except
//!   a failed point (with an `error`), whose samples were dropped, and a workload that has no rounds
//!   yet; j = 1, the baseline of every pair, has every round (`first_round` 0);
//! - `cpu_ns` and `involuntary_context_switches` have one entry per sample or none;
//! - every sample is 1 ns ..= [`MAX_SAMPLE_NS`] (about 11 days);
//! - every profile run (`profile`, the thread-time account's) lasted 1 ns ..= [`MAX_SAMPLE_NS`]
//!   (its shares divide by it), had no more serial code than wall time, and its parts add up to
//!   its thread-time j x `wall_ns` within 1% (the split makes them add up exactly; a file whose
//!   parts do not cannot be read as an account, and its shares would not add up to 1);
//! - the machine's CPU counts are at most [`MAX_RECORDED_THREADS`];
//! - the machine's busy sample (`busy_before`) has at least one CPU, no more busy ticks than
//!   ticks, and a finite, non-negative length;
//! - the machine's ceilings are physical: thread counts 1..=[`MAX_RECORDED_THREADS`], a compute or timer
//!   speedup in (0, 4 j] ([`CEILING_SLACK`]; compute also at most 4 x the usable CPUs), a
//!   relative clock in (0, 10], MHz and GB/s positive and finite below [`MAX_CEILING_RATE`] (a
//!   `1e308` would break every table that divides by it).
//!
//! A file whose run is still `running` (a crash, or a per-round save read while measuring) and a
//! workload stopped while `running` are legitimate and load.

use super::{Ceilings, Point, ResultsFile, WorkloadResult};
use crate::thread_set::MAX_RECORDED_THREADS;

/// The longest sample a file may hold, in nanoseconds.
pub const MAX_SAMPLE_NS: u64 = 1_000_000_000_000_000;

/// How far a recorded speedup ceiling may exceed its bound (j, or the usable CPUs) and the file
/// still load. Generous on purpose: a run records the ceilings it measured even when noise on a
/// loaded machine put them above j (the cache refuses those, `machine::ceiling_cache`), and a
/// file we wrote must always load; only the absurd (57 on 2 CPUs, a 1e308) is refused.
pub const CEILING_SLACK: f64 = 4.0;

/// The largest clock (MHz) or bandwidth (GB/s) a ceiling may record.
pub const MAX_CEILING_RATE: f64 = 1e6;

/// `Ok` or the first broken rule, as `path: what`.
pub fn validate(file: &ResultsFile) -> Result<(), String> {
    for (field, cpus) in
        [("machine.logical_cpus", file.machine.usable_cpus), ("machine.physical_cores", file.machine.physical_cores)]
    {
        if cpus > MAX_RECORDED_THREADS {
            return Err(format!("{field}: {cpus} is more than {MAX_RECORDED_THREADS}"));
        }
    }
    if let Some(b) = &file.machine.busy_before {
        if b.cpus == 0 || b.cpus > MAX_RECORDED_THREADS {
            return Err(format!("machine.busy_before.cpus: {} is not a CPU count", b.cpus));
        }
        if b.busy_ticks > b.total_ticks {
            return Err(format!("machine.busy_before.busy_ticks: {} is more than total_ticks", b.busy_ticks));
        }
        if !(b.seconds.is_finite() && b.seconds >= 0.0) {
            return Err(format!("machine.busy_before.seconds: {} is not a duration", b.seconds));
        }
    }
    if let Some(floors) = &file.config.noise_floor {
        for (field, floor) in [("in_process", floors.in_process), ("command", floors.command)] {
            if !floor.is_valid() {
                return Err(format!(
                    "config.noise_floor.{field}: {{time: {:?}, speedup: {:?}}} is not a noise floor (each from 0 to 0.5)",
                    floor.time, floor.speedup
                ));
            }
        }
    }
    if let Some(ceilings) = &file.machine.ceilings {
        validate_ceilings(ceilings, file.machine.usable_cpus)
            .map_err(|(field, what)| format!("machine.ceilings.{field}: {what}"))?;
    }
    for (i, w) in file.workloads.iter().enumerate() {
        validate_workload(w).map_err(|(field, what)| format!("workloads[{i}]{field}: {what}"))?;
    }
    Ok(())
}

fn validate_workload(w: &WorkloadResult) -> Result<(), (String, String)> {
    if let Some(why) = w.rerun_floor.as_ref().and_then(|r| r.fault()) {
        return Err((".rerun_floor".to_owned(), why));
    }
    let mut previous = 0;
    for (k, p) in w.points.iter().enumerate() {
        let at = |field: &str, what: String| (format!(".points[{k}].{field}"), what);
        if p.threads == 0 || p.threads > MAX_RECORDED_THREADS {
            return Err(at("threads", format!("{} is not a thread count (1..={MAX_RECORDED_THREADS})", p.threads)));
        }
        if p.threads <= previous {
            return Err(at(
                "threads",
                format!("{} after {previous}: thread counts must be distinct and ascending", p.threads),
            ));
        }
        previous = p.threads;
        validate_samples(p, w.rounds).map_err(|(field, what)| at(field, what))?;
        if let Some(functions) = &p.functions {
            validate_functions(functions).map_err(|(field, what)| at(&format!("functions.{field}"), what))?;
        }
    }
    Ok(())
}

/// A point's functions (`attribution::functions`): each function's per-run series, and the bound
/// of those left out where any were, as long as the runs they are per.
fn validate_functions(f: &crate::attribution::functions::Functions) -> Result<(), (String, String)> {
    let runs = f.runs.len();
    if !f.left_out_ns.is_empty() && f.left_out_ns.len() != runs {
        return Err((
            "left_out_ns".to_owned(),
            format!(
                "{} values for {runs} runs: one per profile run (`runs`), or none when nothing was left out",
                f.left_out_ns.len()
            ),
        ));
    }
    for (i, function) in f.functions.iter().enumerate() {
        for (name, series) in [("cpu_ns", &function.cpu_ns), ("path_ns", &function.path_ns)] {
            if series.len() != runs {
                return Err((
                    format!("functions[{i}].{name}"),
                    format!("{} values for {runs} runs: one per profile run (`runs`)", series.len()),
                ));
            }
        }
    }
    Ok(())
}

fn validate_samples(p: &Point, rounds: usize) -> Result<(), (&'static str, String)> {
    let n = p.samples_ns.len();
    let dropped = p.error.is_some() && n == 0;
    if p.threads == 1 && p.first_round != 0 {
        return Err(("first_round", format!("{} at j = 1, which pairs with every round: must be 0", p.first_round)));
    }
    if p.first_round > rounds {
        return Err(("first_round", format!("{} is beyond the workload's {rounds} rounds", p.first_round)));
    }
    if rounds > 0 && p.first_round.saturating_add(n) != rounds && !dropped {
        let from = if p.first_round > 0 { format!(" from round {}", p.first_round) } else { String::new() };
        return Err((
            "samples_ns",
            format!("{n} samples{from}, but the workload has {rounds} rounds (one sample per round pairs the points)"),
        ));
    }
    if rounds == 0 && n > 0 {
        return Err(("samples_ns", format!("{n} samples, but the workload has 0 rounds")));
    }
    if let Some(bad) = p.samples_ns.iter().position(|&s| s == 0 || s > MAX_SAMPLE_NS) {
        return Err(("samples_ns", format!("sample {bad} is {} ns (1..={MAX_SAMPLE_NS})", p.samples_ns[bad])));
    }
    for (field, len) in
        [("cpu_ns", p.cpu_ns.len()), ("involuntary_context_switches", p.involuntary_context_switches.len())]
    {
        if len != 0 && len != n {
            return Err((field, format!("{len} entries for {n} samples")));
        }
    }
    validate_profile(p)
}

/// The profile runs' rules (see the module docs).
fn validate_profile(p: &Point) -> Result<(), (&'static str, String)> {
    for (r, run) in p.profile.iter().enumerate() {
        let refuse = |what: String| Err(("profile", format!("run {r}: {what}")));
        if run.wall_ns == 0 || run.wall_ns > MAX_SAMPLE_NS {
            return refuse(format!("wall_ns is {} (1..={MAX_SAMPLE_NS})", run.wall_ns));
        }
        if run.serial_code_ns > run.wall_ns {
            return refuse(format!("serial_code_ns {} is more than its wall_ns {}", run.serial_code_ns, run.wall_ns));
        }
        let thread_time = p.threads as f64 * run.wall_ns as f64;
        let parts = run.parts_ns();
        if (parts - thread_time).abs() > 0.01 * thread_time {
            return refuse(format!(
                "its parts add up to {parts:.0} ns, not its thread-time {thread_time:.0} ns (j x wall_ns) within 1%"
            ));
        }
    }
    Ok(())
}

/// `v` in a short form: `1e308`, not its 309 digits.
fn short(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e9).contains(&v.abs()) { format!("{v:e}") } else { v.to_string() }
}

/// The ceilings' rules (see the module docs); `Err` names the field below `machine.ceilings`.
fn validate_ceilings(c: &Ceilings, usable_cpus: usize) -> Result<(), (String, String)> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !(c.seconds.is_finite() && c.seconds >= 0.0) {
        return Err(("seconds".into(), format!("{} is not a time in seconds", short(c.seconds))));
    }
    let threads = |field: String, j: usize| {
        if j == 0 || j > MAX_RECORDED_THREADS {
            Err((field, format!("{j} is not a thread count (1..={MAX_RECORDED_THREADS})")))
        } else {
            Ok(j as f64)
        }
    };
    let speedup = |field: String, s: f64, bound: f64| {
        if positive(s) && s <= bound * CEILING_SLACK {
            Ok(())
        } else {
            Err((
                field,
                format!(
                    "{} is not a speedup this machine can reach (more than 0, at most {bound} x {CEILING_SLACK})",
                    short(s)
                ),
            ))
        }
    };
    for (k, e) in c.compute.iter().enumerate() {
        let j = threads(format!("compute[{k}].threads"), e.threads)?;
        // An old file may not know its usable CPUs (0): then j alone bounds the speedup.
        let bound = if usable_cpus == 0 { j } else { j.min(usable_cpus as f64) };
        speedup(format!("compute[{k}].speedup"), e.speedup, bound)?;
        if !(positive(e.relative_clock) && e.relative_clock <= 10.0) {
            return Err((
                format!("compute[{k}].relative_clock"),
                format!("{} is outside (0, 10]", short(e.relative_clock)),
            ));
        }
        if let Some(mhz) = e.mhz.filter(|m| !(positive(*m) && *m < MAX_CEILING_RATE)) {
            return Err((
                format!("compute[{k}].mhz"),
                format!("{} is not a clock in MHz (0..{MAX_CEILING_RATE:e})", short(mhz)),
            ));
        }
    }
    for (k, e) in c.bandwidth.iter().enumerate() {
        threads(format!("bandwidth[{k}].threads"), e.threads)?;
        if !(positive(e.gb_per_s) && e.gb_per_s < MAX_CEILING_RATE) {
            return Err((
                format!("bandwidth[{k}].gb_per_s"),
                format!("{} is not a bandwidth in GB/s (0..{MAX_CEILING_RATE:e})", short(e.gb_per_s)),
            ));
        }
    }
    for (k, e) in c.timer.iter().enumerate() {
        let j = threads(format!("timer[{k}].threads"), e.threads)?;
        speedup(format!("timer[{k}].speedup"), e.speedup, j)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> ResultsFile {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results/reference/2026-11-26-vm16-xeon-default.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn ceilings_outside_physics_are_refused_by_field() {
        let file = reference();
        assert!(file.machine.ceilings.as_ref().is_some_and(|c| !c.compute.is_empty()));
        validate(&file).unwrap();
        type Breaks = fn(&mut Ceilings);
        let cases: [(Breaks, &str); 6] = [
            (|c| c.compute[1].speedup = 1e308, "machine.ceilings.compute[1].speedup: 1e308 is not a speedup"),
            (|c| c.compute[1].speedup = f64::NAN, "machine.ceilings.compute[1].speedup: NaN"),
            (|c| c.compute[1].relative_clock = 0.0, "machine.ceilings.compute[1].relative_clock: 0 is outside (0, 10]"),
            (|c| c.compute[0].mhz = Some(-1.0), "machine.ceilings.compute[0].mhz: -1 is not a clock"),
            (|c| c.compute[0].threads = 0, "machine.ceilings.compute[0].threads: 0 is not a thread count"),
            (|c| c.seconds = -1.0, "machine.ceilings.seconds: -1"),
        ];
        for (break_it, says) in cases {
            let mut file = reference();
            break_it(file.machine.ceilings.as_mut().unwrap());
            let err = validate(&file).unwrap_err();
            assert!(err.starts_with(says), "{err}");
        }
        let mut file = reference();
        let ceilings = file.machine.ceilings.as_mut().unwrap();
        ceilings.bandwidth = vec![super::super::BandwidthCeiling { threads: 1, gb_per_s: 1e308 }];
        ceilings.timer = vec![super::super::TimerCeiling { threads: 2, speedup: 57.0 }];
        assert!(validate(&file).unwrap_err().starts_with("machine.ceilings.bandwidth[0].gb_per_s: 1e308"));
        file.machine.ceilings.as_mut().unwrap().bandwidth.clear();
        assert!(validate(&file).unwrap_err().starts_with("machine.ceilings.timer[0].speedup: 57 is not a speedup"));
        // What noise on a loaded machine can measure (and a run then records) still loads.
        file.machine.ceilings.as_mut().unwrap().timer = vec![super::super::TimerCeiling { threads: 2, speedup: 2.34 }];
        validate(&file).unwrap();
    }

    #[test]
    fn a_rerun_floor_outside_its_bounds_is_refused_by_field() {
        use crate::stats::reruns::{RerunFloor, SpeedupFloor};
        let mut file = reference();
        let sound = RerunFloor {
            time: 0.001,
            speedup: vec![SpeedupFloor { threads: 2, sd: 0.02 }],
            runs: 5,
            left_out: 0,
            oldest_s: 600,
            capped: false,
        };
        file.workloads[0].rerun_floor = Some(sound.clone());
        validate(&file).unwrap();
        file.workloads[0].rerun_floor = Some(RerunFloor { oldest_s: u64::MAX, ..sound.clone() });
        assert_eq!(
            validate(&file).unwrap_err(),
            "workloads[0].rerun_floor: oldest_s 18446744073709551615 is more than a day (86400 s)"
        );
        file.workloads[0].rerun_floor =
            Some(RerunFloor { speedup: vec![SpeedupFloor { threads: 2, sd: f64::NAN }], ..sound });
        assert!(validate(&file).unwrap_err().starts_with("workloads[0].rerun_floor: speedup at j = 2: NaN"));
    }

    #[test]
    fn functions_whose_series_do_not_match_their_runs_are_refused_by_field() {
        use crate::attribution::functions::{FunctionCpu, Functions, RunCpu};
        let mut file = reference();
        let run = RunCpu { wall_ns: 1_000_000, cpu_ns: 2_000_000, samples: 8 };
        let function = FunctionCpu {
            function: "work".into(),
            inlined: None,
            location: None,
            cpu_ns: vec![900_000, 950_000],
            path_ns: vec![400_000, 420_000],
            serial_blame_ns: 0,
            imbalance_blame_ns: 0,
        };
        let functions = Functions {
            runs: vec![run; 2],
            functions: vec![function.clone()],
            untimed_samples: 0,
            left_out_ns: Vec::new(),
        };
        file.workloads[0].points[1].functions = Some(functions.clone());
        validate(&file).unwrap();
        let short = FunctionCpu { path_ns: vec![400_000], ..function };
        file.workloads[0].points[1].functions = Some(Functions { functions: vec![short], ..functions.clone() });
        assert_eq!(
            validate(&file).unwrap_err(),
            "workloads[0].points[1].functions.functions[0].path_ns: 1 values for 2 runs: one per profile run (`runs`)"
        );
        // What was left out: one bound a run, or none.
        file.workloads[0].points[1].functions =
            Some(Functions { left_out_ns: vec![30_000, 20_000], ..functions.clone() });
        validate(&file).unwrap();
        file.workloads[0].points[1].functions = Some(Functions { left_out_ns: vec![30_000], ..functions });
        assert_eq!(
            validate(&file).unwrap_err(),
            "workloads[0].points[1].functions.left_out_ns: 1 values for 2 runs: one per profile run (`runs`), or \
             none when nothing was left out"
        );
    }

    #[test]
    fn an_impossible_busy_sample_is_refused_by_field() {
        let sample = super::super::BusySample {
            seconds: 0.2,
            cpus: 2,
            busy_ticks: 10,
            total_ticks: 40,
            procs_running: Some([1, 1]),
        };
        let mut file = reference();
        assert!(file.machine.busy_before.is_none(), "a file from before the sample");
        file.machine.busy_before = Some(sample.clone());
        validate(&file).unwrap();
        let cases = [
            (super::super::BusySample { cpus: 0, ..sample.clone() }, "machine.busy_before.cpus: 0"),
            (super::super::BusySample { busy_ticks: 41, ..sample.clone() }, "machine.busy_before.busy_ticks: 41"),
            (super::super::BusySample { seconds: -1.0, ..sample.clone() }, "machine.busy_before.seconds: -1"),
        ];
        for (broken, says) in cases {
            file.machine.busy_before = Some(broken);
            let err = validate(&file).unwrap_err();
            assert!(err.starts_with(says), "{err}");
        }
    }

    #[test]
    fn profile_runs_that_are_no_account_are_refused_by_field() {
        let mut file = reference();
        let point = &mut file.workloads[0].points[1];
        let j = point.threads as u64;
        let run = crate::account::ProfileSample {
            round: 0,
            wall_ns: 1_000,
            calls: 1,
            work_cpu_ns: 900 * j,
            serial_code_ns: 50,
            serial_ns: 100 * j,
            imbalance_ns: 0,
            dispatch_ns: 0,
            blocked_ns: 0,
            run_queue_ns: Some(0),
            merged_ns: 0,
            longest_tasks_ns: None,
        };
        point.profile = vec![run.clone()];
        validate(&file).unwrap();
        let cases = [
            (crate::account::ProfileSample { wall_ns: 0, ..run.clone() }, "wall_ns is 0"),
            (crate::account::ProfileSample { serial_code_ns: 2_000, ..run.clone() }, "serial_code_ns 2000 is more"),
            (crate::account::ProfileSample { work_cpu_ns: u64::MAX, ..run.clone() }, "its parts add up to"),
        ];
        for (broken, says) in cases {
            file.workloads[0].points[1].profile = vec![broken];
            let err = validate(&file).unwrap_err();
            assert!(err.starts_with("workloads[0].points[1].profile: run 0: ") && err.contains(says), "{err}");
        }
    }
}
