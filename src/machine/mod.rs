//! The machine: its facts, read behind one seam, and its fingerprint in the results file.
//!
//! Every fact comes from sysfs and procfs under re-rootable [`Roots`] (`--sysfs`, `--procfs`,
//! `AMDAHL_SYSFS`, `AMDAHL_PROCFS`), so tests describe machines we do not have with fixture trees.
//! Every CPU count in the program — `N` and `P` of `--threads`, the tags, the warnings — comes
//! from [`Topology`]; nothing else calls `available_parallelism` or `num_cpus`. A fact that cannot
//! be read is `None` (null in the file), never a guess.
//!
//! - `roots`: where facts are read.
//! - `topology`: usable CPUs (affinity, cgroup quota), physical cores, sockets, SMT, NUMA.
//! - `busy`: whether the machine is busy now, from a short sample of `procfs/stat`.
//! - `environment`: governor, boost, load, steal and throttling, before and after a run, and the
//!   warnings they give.
//! - `ceilings`: what plain pinned threads reach here (compute, bandwidth, timer, the clock per j);
//!   `ceiling_cache` keeps them a day per machine fingerprint.

pub mod busy;
pub mod ceiling_cache;
pub mod ceilings;
pub mod environment;
pub mod fixture;
mod roots;
mod topology;

pub use roots::Roots;
pub use topology::{MAX_CPU_ID, Topology, parse_cpu_list, parse_cpu_list_checked};

use crate::results::{CacheInfo, EnvironmentRecord, FactRoots, Machine};
use crate::thread_set::CpuCounts;

/// Usable CPUs and physical cores of this machine, the values of `N` and `P` in `--threads`.
pub fn cpu_counts(roots: &Roots) -> CpuCounts {
    Topology::read(roots).cpu_counts()
}

/// Reads the fingerprint now, with the environment before the run (the runner adds `after`).
pub fn fingerprint(roots: &Roots) -> Machine {
    let topology = Topology::read(roots);
    let before = environment::snapshot(roots, &topology);
    Machine {
        hostname: roots.proc("sys/kernel/hostname"),
        cpu_brand: cpu_brand(roots),
        usable_cpus: topology.usable,
        physical_cores: topology.physical_cores,
        online_cpus: Some(topology.online.len()),
        threads_per_core: Some(topology.threads_per_core),
        smt_active: Some(topology.smt),
        affinity: Some(topology.allowed.clone()),
        caches: if roots.is_live() {
            amdahl_workloads::caches::cpu_caches()
                .into_iter()
                .map(|c| CacheInfo { level: c.level, kind: c.kind, size_bytes: c.size_bytes })
                .collect()
        } else {
            Vec::new()
        },
        os: std::env::consts::OS.to_owned(),
        kernel: roots.proc("sys/kernel/osrelease"),
        memory_bytes: memory_bytes(roots),
        governor: before.governor.clone(),
        boost: before.boost,
        load_before: before.load,
        load_after: None,
        busy_before: busy::sample(roots),
        sockets: Some(topology.sockets),
        numa_nodes: topology.numa_nodes,
        cpu_quota: topology.quota_cpus,
        environment: Some(EnvironmentRecord { before, after: None }),
        ceilings: None,
        roots: fact_roots(roots),
    }
}

/// The roots to record in the file: null when both are live, else each one that is not.
fn fact_roots(roots: &Roots) -> Option<FactRoots> {
    let live = Roots::default();
    let shown =
        |path: &std::path::Path, live: &std::path::Path| (path != live).then(|| path.to_string_lossy().into_owned());
    (!roots.is_live())
        .then(|| FactRoots { sysfs: shown(&roots.sysfs, &live.sysfs), procfs: shown(&roots.procfs, &live.procfs) })
}

/// The warnings about the machine's facts themselves, given once in a run's `warnings`: facts
/// refused or odd (impossible CPU ids, a quota that is no number, a fractional quota: see
/// [`Topology::warnings`]), and, when `timed_here` and the roots are not the live ones, that the
/// file's facts are a fixture's while its timings are this machine's.
pub fn fact_warnings(roots: &Roots, timed_here: bool) -> Vec<String> {
    let mut out = Topology::read(roots).warnings;
    if timed_here && let Some(r) = fact_roots(roots) {
        let named = |p: &Option<String>, live: &str| p.clone().unwrap_or_else(|| live.to_owned());
        out.push(format!(
            "the machine's facts (CPUs, quota, governor, load) were read from {} and {} (--sysfs/--procfs), not from this machine; the timings are this machine's, so they and the facts do not describe one machine",
            named(&r.sysfs, "/sys"),
            named(&r.procfs, "/proc")
        ));
    }
    out
}

fn cpu_brand(roots: &Roots) -> Option<String> {
    let info = roots.proc("cpuinfo")?;
    info.lines()
        .find(|l| l.starts_with("model name") || l.starts_with("Model") || l.starts_with("Hardware"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
}

fn memory_bytes(roots: &Roots) -> Option<u64> {
    let info = roots.proc("meminfo")?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The affinity mask of this process, from the kernel (for the live machine when
/// `Cpus_allowed_list` cannot be read).
#[cfg(target_os = "linux")]
fn affinity() -> Option<Vec<usize>> {
    // SAFETY: `set` is a plain bit array that sched_getaffinity fills; we pass its exact size, and
    // CPU_ISSET reads within it for indices below CPU_SETSIZE.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return None;
        }
        Some((0..libc::CPU_SETSIZE as usize).filter(|&c| libc::CPU_ISSET(c, &set)).collect())
    }
}

#[cfg(not(target_os = "linux"))]
fn affinity() -> Option<Vec<usize>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(parse_cpu_list("0-3,8,10-11"), Some(vec![0, 1, 2, 3, 8, 10, 11]));
        assert_eq!(parse_cpu_list("0"), Some(vec![0]));
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(parse_cpu_list("x"), None);
        // Repeated and overlapping ranges are merged; ids above the bound are refused, not
        // allocated for.
        assert_eq!(parse_cpu_list("4-5,0-2,1-3,0-2"), Some(vec![0, 1, 2, 3, 4, 5]));
        assert_eq!(parse_cpu_list(&vec!["0-65535"; 1000].join(",")).map(|l| l.len()), Some(65536));
        let refused = parse_cpu_list_checked("0-1048576").unwrap_err();
        assert!(refused.contains("1048576 is above 65536"), "{refused}");
        assert!(parse_cpu_list_checked("18446744073709551615").is_err());
    }

    #[test]
    fn fingerprint_is_consistent_with_the_cpu_counts() {
        let machine = fingerprint(&Roots::default());
        let cpus = cpu_counts(&Roots::default());
        assert_eq!(machine.usable_cpus, cpus.usable);
        assert!(machine.physical_cores >= 1);
        if let Some(affinity) = &machine.affinity {
            assert!(!affinity.is_empty());
        }
    }
}
