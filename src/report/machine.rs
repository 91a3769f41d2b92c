//! The text of `measure machine`: the facts, then each ceiling as a table.

use std::fmt::Write;

use crate::results::{Ceilings, Machine};

/// The facts of `machine` and its `ceilings` (when measured), as text.
pub fn machine_text(machine: &Machine, ceilings: Option<&Ceilings>) -> String {
    let mut out = String::new();
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "unknown".to_owned());
    let _ = writeln!(out, "machine: {}", or_unknown(machine.cpu_brand.clone()));
    let smt = match machine.smt_active {
        Some(true) => format!("SMT on, {} threads per core", machine.threads_per_core.unwrap_or(2)),
        Some(false) => "no SMT".to_owned(),
        None => "SMT unknown".to_owned(),
    };
    let _ = writeln!(
        out,
        "  usable CPUs (N): {}   physical cores (P): {}   sockets: {}   NUMA nodes: {}   {smt}",
        machine.usable_cpus,
        machine.physical_cores,
        or_unknown(machine.sockets.map(|s| s.to_string())),
        or_unknown(machine.numa_nodes.map(|s| s.to_string())),
    );
    if let Some(quota) = machine.cpu_quota {
        let _ = writeln!(out, "  cgroup CPU quota: {quota:.2} CPUs");
    }
    let env = machine.environment.as_ref().map(|e| &e.before);
    let _ = writeln!(
        out,
        "  governor: {}   turbo/boost: {}   load: {}   memory: {}   kernel: {}",
        or_unknown(env.and_then(|e| e.governor.clone())),
        or_unknown(env.and_then(|e| e.boost).map(|b| if b { "on" } else { "off" }.to_owned())),
        or_unknown(env.and_then(|e| e.load).map(|l| format!("{:.2} {:.2} {:.2}", l[0], l[1], l[2]))),
        or_unknown(machine.memory_bytes.map(|b| format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64))),
        or_unknown(machine.kernel.clone()),
    );
    let Some(c) = ceilings else { return out };
    let source = if c.cached { "from the cache" } else { "measured now" };
    let _ = writeln!(
        out,
        "\nceilings: plain std threads pinned `{}`, {source} ({}, {:.1} s)",
        c.placement, c.measured_utc, c.seconds
    );
    if !c.compute.is_empty() {
        let _ = writeln!(out, "  compute (register-only spin loop, fixed total work):");
        let _ = writeln!(out, "  {:>5}  {:>7}  {:>6}  {:>7}", "j", "S_max", "clock", "MHz");
        for x in &c.compute {
            let mhz = x.mhz.map_or("-".to_owned(), |m| format!("{m:.0}"));
            let _ = writeln!(out, "  {:>5}  {:>7.2}  {:>6.3}  {:>7}", x.threads, x.speedup, x.relative_clock, mhz);
        }
    }
    if !c.bandwidth.is_empty() {
        let one = c.bandwidth.first().map(|b| b.gb_per_s).unwrap_or(f64::NAN);
        let _ = writeln!(out, "  memory bandwidth (STREAM triad, best of 3):");
        let _ = writeln!(out, "  {:>5}  {:>8}  {:>7}", "j", "GB/s", "x j=1");
        for x in &c.bandwidth {
            let _ = writeln!(out, "  {:>5}  {:>8.1}  {:>7.2}", x.threads, x.gb_per_s, x.gb_per_s / one);
        }
    }
    if !c.timer.is_empty() {
        let _ = writeln!(out, "  timer (threads that only sleep, 2 x 10 ms each):");
        let _ = writeln!(out, "  {:>5}  {:>7}", "j", "S_max");
        for x in &c.timer {
            let _ = writeln!(out, "  {:>5}  {:>7.2}", x.threads, x.speedup);
        }
    }
    out
}
