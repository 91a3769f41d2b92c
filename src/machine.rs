//! The machine fingerprint: what a results file says about where it was measured.
//!
//! Sources, Linux first: `/proc/cpuinfo` (CPU model), `std::thread::available_parallelism`
//! (usable CPUs: affinity and cgroup quota), `num_cpus::get_physical` (physical cores — it ignores
//! affinity and cgroups, so both are recorded), `sched_getaffinity(2)`, sysfs (SMT, caches,
//! cpufreq governor, boost), `/proc/meminfo`, `/proc/loadavg`, `/proc/sys/kernel/*`. A fact that
//! cannot be read is `None` (null in the file), never a guess.

use std::fs;

use crate::results::{CacheInfo, Machine};
use crate::thread_set::CpuCounts;

/// Usable CPUs and physical cores, the values of `N` and `P` in `--threads`.
pub fn cpu_counts() -> CpuCounts {
    let usable = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    CpuCounts { usable, physical: num_cpus::get_physical().max(1) }
}

/// Reads the fingerprint now (`load_after` is left empty; fill it at the end of the run).
pub fn fingerprint() -> Machine {
    let cpus = cpu_counts();
    Machine {
        hostname: read_trimmed("/proc/sys/kernel/hostname"),
        cpu_brand: cpu_brand(),
        usable_cpus: cpus.usable,
        physical_cores: cpus.physical,
        online_cpus: read_trimmed("/sys/devices/system/cpu/online").and_then(|s| parse_cpu_list(&s)).map(|l| l.len()),
        threads_per_core: read_trimmed("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list")
            .and_then(|s| parse_cpu_list(&s))
            .map(|l| l.len()),
        smt_active: read_trimmed("/sys/devices/system/cpu/smt/active").map(|s| s == "1"),
        affinity: affinity(),
        caches: amdahl_workloads::caches::cpu_caches()
            .into_iter()
            .map(|c| CacheInfo { level: c.level, kind: c.kind, size_bytes: c.size_bytes })
            .collect(),
        os: std::env::consts::OS.to_owned(),
        kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        memory_bytes: memory_bytes(),
        governor: read_trimmed("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        boost: boost(),
        load_before: load_average(),
        load_after: None,
    }
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> Option<[f64; 3]> {
    let text = read_trimmed("/proc/loadavg")?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

fn read_trimmed(path: &str) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn cpu_brand() -> Option<String> {
    let info = fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name") || l.starts_with("Model") || l.starts_with("Hardware"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
}

fn memory_bytes() -> Option<u64> {
    let info = fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Boost from the generic cpufreq knob, or the inverse of intel_pstate's `no_turbo`.
fn boost() -> Option<bool> {
    if let Some(b) = read_trimmed("/sys/devices/system/cpu/cpufreq/boost") {
        return Some(b == "1");
    }
    read_trimmed("/sys/devices/system/cpu/intel_pstate/no_turbo").map(|s| s == "0")
}

/// Parses kernel CPU lists such as `0-3,8,10-11`.
pub fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
                if a > b {
                    return None;
                }
                cpus.extend(a..=b);
            }
            None => cpus.push(part.parse().ok()?),
        }
    }
    Some(cpus)
}

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
    }

    #[test]
    fn fingerprint_is_consistent_with_the_cpu_counts() {
        let machine = fingerprint();
        let cpus = cpu_counts();
        assert_eq!(machine.usable_cpus, cpus.usable);
        assert!(machine.physical_cores >= 1);
        if let Some(affinity) = &machine.affinity {
            assert!(!affinity.is_empty());
        }
    }
}
