//! The machine's state before and after a run, and the warnings it gives.
//!
//! Recorded in `machine.environment` (before and after): the cpufreq governor, turbo/boost, the
//! load averages, the CPU time stolen by a hypervisor (`procfs/stat`), and thermal throttling
//! events (`thermal_throttle/*_throttle_count` of every allowed CPU). Each warning is given once,
//! in the results file's top-level `warnings` (and so on stderr and in every report):
//! - before: a governor other than `performance`; turbo/boost on; a busy machine (1-minute load
//!   above half the usable CPUs); a debug build;
//! - after: more than 1% of the CPU time stolen during the run; any throttling during the run.

use super::{Roots, Topology};
use crate::results::Environment;

/// The state now.
pub fn snapshot(roots: &Roots, topology: &Topology) -> Environment {
    let (steal_ticks, total_ticks) = steal_and_total(roots).unzip();
    let throttle = topology
        .allowed
        .iter()
        .flat_map(|cpu| ["core_throttle_count", "package_throttle_count"].map(|f| (cpu, f)))
        .filter_map(|(cpu, f)| roots.sys(&format!("devices/system/cpu/cpu{cpu}/thermal_throttle/{f}")))
        .filter_map(|s| s.parse::<u64>().ok())
        .reduce(|a, b| a.saturating_add(b));
    Environment {
        governor: roots.sys(&format!(
            "devices/system/cpu/cpu{}/cpufreq/scaling_governor",
            topology.allowed.first().copied().unwrap_or(0)
        )),
        boost: boost(roots),
        load: roots.proc("loadavg").and_then(|text| {
            let mut fields = text.split_whitespace().map(super::roots::parse_fact);
            Some([fields.next()??, fields.next()??, fields.next()??])
        }),
        steal_ticks,
        total_ticks,
        throttle_events: throttle,
    }
}

/// Boost from the generic cpufreq knob, or the inverse of intel_pstate's `no_turbo`.
fn boost(roots: &Roots) -> Option<bool> {
    if let Some(b) = roots.sys("devices/system/cpu/cpufreq/boost") {
        return Some(b == "1");
    }
    roots.sys("devices/system/cpu/intel_pstate/no_turbo").map(|s| s == "0")
}

/// Stolen and total CPU ticks since boot, from the `cpu` line of `procfs/stat`.
fn steal_and_total(roots: &Roots) -> Option<(u64, u64)> {
    let stat = roots.proc("stat")?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal [guest guest_nice] (guest time is in user).
    let steal = *ticks.get(7)?;
    Some((steal, ticks.iter().take(8).sum()))
}

/// The warnings about the state before a run.
pub fn before_warnings(env: &Environment, usable_cpus: usize, debug_build: bool) -> Vec<String> {
    let mut out = Vec::new();
    if debug_build {
        out.push("this is a debug build: timings are not representative; use `cargo run --release`".to_owned());
    }
    if let Some(governor) = env.governor.as_deref().filter(|g| *g != "performance") {
        out.push(format!(
            "the cpufreq governor is `{governor}`, not `performance`: the clock follows the load, so timings drift"
        ));
    }
    if env.boost == Some(true) {
        out.push(
            "turbo/boost is on: T(1) runs at a higher clock than many busy threads do, so every speedup is understated"
                .to_owned(),
        );
    }
    if let Some(load1) = busy_load(env, usable_cpus) {
        out.push(format!(
            "the machine is busy: load average {load1:.2} on {usable_cpus} usable CPUs at the start; speedups will be low and noisy"
        ));
    }
    out
}

/// The 1-minute load average when it says the machine is busy (above half the usable CPUs): what
/// the `busy` warning says, and why ceilings measured then are not cached.
pub fn busy_load(env: &Environment, usable_cpus: usize) -> Option<f64> {
    env.load.map(|[load1, ..]| load1).filter(|&load1| load1 > 0.5 * usable_cpus as f64)
}

/// The warnings about what happened during a run.
pub fn after_warnings(before: &Environment, after: &Environment) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(s0), Some(t0), Some(s1), Some(t1)) =
        (before.steal_ticks, before.total_ticks, after.steal_ticks, after.total_ticks)
        && t1 > t0
    {
        let share = s1.saturating_sub(s0) as f64 / (t1 - t0) as f64;
        if share > 0.01 {
            out.push(format!(
                "the hypervisor stole {:.1}% of the CPU time during the run (a noisy neighbour): speedups are noisy",
                share * 100.0
            ));
        }
    }
    if let (Some(a), Some(b)) = (before.throttle_events, after.throttle_events)
        && b > a
    {
        out.push(format!("the CPUs were thermally throttled {} times during the run: timings are slowed", b - a));
    }
    out
}
