//! This machine as one command sees it ([`MachineFacts`]): its facts read once, when the command
//! starts, into one value that is passed down, so no two parts of one run can see two machines.
//!
//! The topology (usable CPUs, cores, sockets, the CPU order of each `--pin`, the facts refused) is
//! read at once; the fingerprint the results file records (host, CPU, memory, caches, the
//! environment before the run and whether the machine is busy: a short sample of `procfs/stat`)
//! is read on first use from the same topology, so a request refused, a dry run or an import pays
//! nothing for it; so are the limits on this process's threads (`limits`), which the sweep and the
//! dry run plan against. The thread plan (N, P), the fingerprint, the fact warnings, the sweep's
//! placement and the ceilings' placement all read this value. Only the environment after the run
//! is read again ([`MachineFacts::environment_now`]): it is meant to be compared with the one
//! before.

use std::sync::OnceLock;

use super::limits::ThreadLimits;
use super::{Roots, Topology, busy, environment};
use crate::placement::Pin;
use crate::results::{CacheInfo, Environment, EnvironmentRecord, FactRoots, Machine};
use crate::thread_set::CpuCounts;

/// The machine's facts, read once (see the module docs).
#[derive(Debug, Clone)]
pub struct MachineFacts {
    roots: Roots,
    topology: Topology,
    fingerprint: OnceLock<Machine>,
    thread_limits: OnceLock<ThreadLimits>,
}

impl MachineFacts {
    /// Reads the topology under `roots`; the fingerprint is read on first use.
    pub fn read(roots: &Roots) -> MachineFacts {
        MachineFacts {
            roots: roots.clone(),
            topology: Topology::read(roots),
            fingerprint: OnceLock::new(),
            thread_limits: OnceLock::new(),
        }
    }

    /// These facts with N, P and the sockets replaced by `cpus`: the machine a run on the fake
    /// clock pretends to be (its other facts are this machine's, read under the same roots).
    pub fn pretending(mut self, cpus: CpuCounts) -> MachineFacts {
        (self.topology.usable, self.topology.physical_cores, self.topology.sockets) =
            (cpus.usable, cpus.physical, cpus.sockets);
        self.fingerprint = OnceLock::new();
        self
    }

    /// Where the facts were read.
    pub fn roots(&self) -> &Roots {
        &self.roots
    }

    /// The CPUs and their layout.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// Usable CPUs, physical cores and sockets: the values of `N` and `P` in `--threads`.
    pub fn cpu_counts(&self) -> CpuCounts {
        self.topology.cpu_counts()
    }

    /// The CPUs a run pinned by `pin` places its threads on, in order.
    pub fn placement(&self, pin: Pin) -> Vec<usize> {
        self.topology.placement(pin)
    }

    /// The fingerprint to record, with the environment before the run (the runner adds `after`):
    /// read on first use, then the same every time.
    pub fn fingerprint(&self) -> &Machine {
        self.fingerprint.get_or_init(|| fingerprint(&self.roots, &self.topology))
    }

    /// The limits on this process's threads (`RLIMIT_NPROC`, `vm.max_map_count`): read on first
    /// use, then the same every time.
    pub fn thread_limits(&self) -> &ThreadLimits {
        self.thread_limits.get_or_init(|| ThreadLimits::read(&self.roots))
    }

    /// The environment now, on the CPUs of the facts (what the runner reads after the run).
    pub fn environment_now(&self) -> Environment {
        environment::snapshot(&self.roots, &self.topology)
    }

    /// The warnings about the machine's facts themselves, given once in a run's `warnings`: facts
    /// refused or odd (impossible CPU ids, a quota that is no number, a fractional quota: see
    /// [`Topology::warnings`]), and, when `timed_here` and the roots are not the live ones, that
    /// the file's facts are a fixture's while its timings are this machine's.
    pub fn fact_warnings(&self, timed_here: bool) -> Vec<String> {
        let mut out = self.topology.warnings.clone();
        if timed_here && let Some(r) = fact_roots(&self.roots) {
            let named = |p: &Option<String>, live: &str| p.clone().unwrap_or_else(|| live.to_owned());
            out.push(format!(
                "the machine's facts (CPUs, quota, governor, load) were read from {} and {} (--sysfs/--procfs), not from this machine; the timings are this machine's, so they and the facts do not describe one machine",
                named(&r.sysfs, "/sys"),
                named(&r.procfs, "/proc")
            ));
        }
        out
    }
}

#[cfg(test)]
impl MachineFacts {
    /// This machine (the live roots) pretending to have `cpus`: the machine of a run on the fake
    /// clock.
    pub fn fake(cpus: CpuCounts) -> MachineFacts {
        MachineFacts::read(&Roots::default()).pretending(cpus)
    }
}

/// The fingerprint of the machine of `topology` under `roots`, with the environment now as the
/// one before the run.
fn fingerprint(roots: &Roots, topology: &Topology) -> Machine {
    let before = environment::snapshot(roots, topology);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_read_once_from_the_topology_of_the_facts() {
        let facts = MachineFacts::read(&Roots::default());
        let machine = facts.fingerprint();
        assert_eq!(machine.cpu_counts(), facts.cpu_counts());
        assert!(machine.physical_cores >= 1);
        if let Some(affinity) = &machine.affinity {
            assert!(!affinity.is_empty());
        }
        // The same value every time: the busy sample is not taken again.
        assert!(std::ptr::eq(machine, facts.fingerprint()));
        let pretend = CpuCounts { usable: 48, physical: 24, sockets: 2 };
        let pretending = facts.clone().pretending(pretend);
        assert_eq!((pretending.cpu_counts(), pretending.fingerprint().cpu_counts()), (pretend, pretend));
    }
}
