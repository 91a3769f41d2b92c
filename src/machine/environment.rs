//! The machine's state before and after a run, and the warnings it gives.
//!
//! Recorded in `machine.environment` (before and after): the cpufreq governor, turbo/boost, the
//! load averages, the CPU time stolen by a hypervisor (`procfs/stat`), and thermal throttling
//! events (`thermal_throttle/*_throttle_count` of every allowed CPU). Each warning is given once,
//! in the results file's top-level `warnings` (and so on stderr and in every report):
//! - before: a governor other than `performance`; turbo/boost on; a busy machine (other work
//!   above half the usable CPUs: in the short sample of `stat` taken before the run, see
//!   `machine::busy`, else in the 1-minute load average); a debug build;
//! - after: more than 1% of the CPU time stolen during the run; any throttling during the run.

use super::{Roots, Topology};
use crate::results::{BusySample, Environment};

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
pub fn before_warnings(
    env: &Environment,
    sample: Option<&BusySample>,
    usable_cpus: usize,
    debug_build: bool,
) -> Vec<String> {
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
    if let Some(busy) = busy_load(env, sample, usable_cpus) {
        out.push(format!(
            "the machine is busy: {busy} on {usable_cpus} usable CPUs at the start; speedups will be low and noisy"
        ));
    }
    out
}

/// The machine's other work when it says the machine is busy (above half the usable CPUs): from
/// the `stat` sample when there is one, else the 1-minute load average. What the `busy` warning
/// says, and why ceilings measured then are not cached.
pub fn busy_load(env: &Environment, sample: Option<&BusySample>, usable_cpus: usize) -> Option<Busy> {
    let busy = match sample {
        Some(s) => Busy { load: s.load(), sample_seconds: Some(s.seconds) },
        None => Busy { load: env.load?[0], sample_seconds: None },
    };
    (busy.load > 0.5 * usable_cpus as f64).then_some(busy)
}

/// How busy the machine was, and what said so.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Busy {
    /// The other work, in CPUs (comparable with a load average).
    pub load: f64,
    /// The length of the `stat` sample that measured it; `None` for the 1-minute load average.
    pub sample_seconds: Option<f64>,
}

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.sample_seconds {
            Some(s) => write!(f, "{:.2} CPUs busy or runnable in a {s:.1} s sample of /proc/stat", self.load),
            None => write!(f, "load average {:.2}", self.load),
        }
    }
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
