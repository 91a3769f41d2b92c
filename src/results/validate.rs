//! What a loaded results file must satisfy before anything is computed from it.
//!
//! Results files travel between machines and are edited by hand; a file that parses is not yet a
//! file that can be analysed. Each rule below guards a computation that would otherwise loop,
//! divide by zero, pair the wrong samples or print infinities, and each refusal names the field by
//! its path (`workloads[2].points[3].samples_ns`).
//!
//! - thread counts are 1..=[`MAX_THREADS`], strictly ascending within a workload (a duplicate
//!   would be fitted as a second point at the same j);
//! - every point has one sample per round from its `first_round` on (`first_round +
//!   samples_ns.len() == rounds`), which is what pairs round r of T(1) with round r of T(j) — except
//!   a failed point (with an `error`), whose samples were dropped, and a workload that has no rounds
//!   yet; j = 1, the baseline of every pair, has every round (`first_round` 0);
//! - `cpu_ns` and `involuntary_context_switches` have one entry per sample or none;
//! - every sample is 1 ns ..= [`MAX_SAMPLE_NS`] (about 11 days);
//! - the machine's CPU counts are at most [`MAX_THREADS`].
//!
//! A file whose run is still `running` (a crash, or a per-round save read while measuring) and a
//! workload stopped while `running` are legitimate and load.

use super::{Point, ResultsFile, WorkloadResult};

/// The largest thread count (and CPU count) a file may hold.
pub const MAX_THREADS: usize = 1_000_000;

/// The longest sample a file may hold, in nanoseconds.
pub const MAX_SAMPLE_NS: u64 = 1_000_000_000_000_000;

/// `Ok` or the first broken rule, as `path: what`.
pub fn validate(file: &ResultsFile) -> Result<(), String> {
    for (field, cpus) in
        [("machine.logical_cpus", file.machine.usable_cpus), ("machine.physical_cores", file.machine.physical_cores)]
    {
        if cpus > MAX_THREADS {
            return Err(format!("{field}: {cpus} is more than {MAX_THREADS}"));
        }
    }
    for (i, w) in file.workloads.iter().enumerate() {
        validate_workload(w).map_err(|(field, what)| format!("workloads[{i}]{field}: {what}"))?;
    }
    Ok(())
}

fn validate_workload(w: &WorkloadResult) -> Result<(), (String, String)> {
    let mut previous = 0;
    for (k, p) in w.points.iter().enumerate() {
        let at = |field: &str, what: String| (format!(".points[{k}].{field}"), what);
        if p.threads == 0 || p.threads > MAX_THREADS {
            return Err(at("threads", format!("{} is not a thread count (1..={MAX_THREADS})", p.threads)));
        }
        if p.threads <= previous {
            return Err(at(
                "threads",
                format!("{} after {previous}: thread counts must be distinct and ascending", p.threads),
            ));
        }
        previous = p.threads;
        validate_samples(p, w.rounds).map_err(|(field, what)| at(field, what))?;
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
    Ok(())
}
