//! The machine: its facts, read behind one seam, and its fingerprint in the results file.
//!
//! Every fact comes from sysfs and procfs under re-rootable [`Roots`] (`--sysfs`, `--procfs`,
//! `AMDAHL_SYSFS`, `AMDAHL_PROCFS`), so tests describe machines we do not have with fixture trees.
//! Every CPU count in the program — `N` and `P` of `--threads`, the tags, the warnings — comes
//! from [`Topology`]; nothing else calls `available_parallelism` or `num_cpus`. A fact that cannot
//! be read is `None` (null in the file), never a guess.
//!
//! - `facts`: the machine's facts read once per command ([`MachineFacts`]): the topology at once,
//!   the fingerprint on first use; every part of a run reads this one value.
//! - `roots`: where facts are read.
//! - `topology`: usable CPUs (affinity, cgroup quota), physical cores, sockets, SMT, NUMA.
//! - `busy`: whether the machine is busy now, from a short sample of `procfs/stat`.
//! - `environment`: governor, boost, load, steal and throttling, before and after a run, and the
//!   warnings they give.
//! - `limits`: how many more threads this process may start (`RLIMIT_NPROC`, `vm.max_map_count`).
//! - `ceilings`: what plain pinned threads reach here (compute, bandwidth, timer, the clock per j);
//!   `ceiling_cache` keeps them a day per machine fingerprint.
//! - `rerun_history`: beside them, what each run of a workload leaves for its reruns (the spread
//!   between runs, `stats::reruns`).

pub mod busy;
pub mod ceiling_cache;
pub mod ceilings;
pub mod environment;
mod facts;
pub mod fixture;
pub mod limits;
pub mod rerun_history;
mod roots;
mod topology;

pub use facts::MachineFacts;
pub use roots::Roots;
pub use topology::{MAX_CPU_ID, Topology, parse_cpu_list, parse_cpu_list_checked};

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
}
