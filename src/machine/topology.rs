//! The CPUs this process may use, and how they are built: sockets, NUMA nodes, physical cores,
//! SMT siblings.
//!
//! # Method
//! - **Usable CPUs (N)**: the CPUs of `procfs/self/status` `Cpus_allowed_list` (the affinity mask)
//!   that are online (`sysfs/devices/system/cpu/online`), capped by the cgroup's CPU quota rounded
//!   up: cgroup v2 `cpu.max` or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`, in the cgroup that
//!   `procfs/self/cgroup` names. A container limited to 2 CPUs on a 192-CPU host has N = 2.
//! - **Physical cores (P)**: distinct (`physical_package_id`, `core_id`) pairs among the allowed
//!   CPUs, at most N. Unlike `num_cpus::get_physical`, this respects affinity and quotas.
//! - **SMT**: more than one allowed CPU in some core (`thread_siblings_list`), unless
//!   `smt/active` says 0.
//! - Sockets: distinct packages among the allowed CPUs; NUMA nodes: `sysfs/devices/system/node/online`,
//!   and each CPU's node from `node*/cpulist`.
//! - **Placement** (`--pin`, [`Topology::placement`]): `compact` orders the allowed CPUs by socket,
//!   then SMT rank (first threads of every core before their siblings), then core; `scatter` takes
//!   the first threads of every core round-robin over NUMA nodes (sockets where nodes are unknown),
//!   then the second threads the same way.
//!
//! A fact that cannot be read falls back to what the live system says (`available_parallelism`,
//! `num_cpus`) only when the roots are the live `/sys` and `/proc`; for a fixture tree it falls
//! back to one CPU per core, so a test sees exactly what its tree holds.

use std::collections::BTreeSet;

use super::Roots;
use super::roots::parse_fact;
use crate::placement::Pin;
use crate::thread_set::CpuCounts;

/// Where one allowed CPU sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuPlace {
    /// The kernel's CPU id.
    pub cpu: usize,
    /// Its socket (`physical_package_id`; 0 where unknown).
    pub package: usize,
    /// Its core within the socket (`core_id`; the CPU id where unknown).
    pub core: usize,
    /// Its rank among the allowed hardware threads of its core: 0 for the first, 1 for its SMT
    /// sibling...
    pub smt_rank: usize,
    /// Its NUMA node, where known.
    pub node: Option<usize>,
}

/// The CPUs of this process and their layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// CPUs online.
    pub online: Vec<usize>,
    /// CPUs this process may run on (affinity), among those online.
    pub allowed: Vec<usize>,
    /// The cgroup's CPU quota in CPUs, when limited.
    pub quota_cpus: Option<f64>,
    /// N: allowed CPUs, capped by the quota; at least 1.
    pub usable: usize,
    /// P: physical cores among the allowed CPUs, at most N; at least 1.
    pub physical_cores: usize,
    /// Sockets among the allowed CPUs.
    pub sockets: usize,
    /// NUMA nodes online, when known.
    pub numa_nodes: Option<usize>,
    /// The most hardware threads of one core among the allowed CPUs.
    pub threads_per_core: usize,
    /// Whether SMT siblings are in use.
    pub smt: bool,
    /// Where each allowed CPU sits, in CPU order.
    pub places: Vec<CpuPlace>,
}

impl Topology {
    /// Reads the topology under `roots`.
    pub fn read(roots: &Roots) -> Topology {
        let live = roots.is_live();
        let online = roots
            .sys("devices/system/cpu/online")
            .and_then(|s| parse_cpu_list(&s))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| (0..if live { live_parallelism() } else { 1 }).collect());
        let allowed_list = roots
            .proc("self/status")
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:").map(str::to_owned)))
            .and_then(|s| parse_cpu_list(&s))
            .or_else(|| if live { super::affinity() } else { None });
        let allowed: Vec<usize> = match allowed_list {
            Some(list) => list.into_iter().filter(|c| online.contains(c)).collect(),
            None => online.clone(),
        };
        let allowed = if allowed.is_empty() { online.clone() } else { allowed };
        let quota_cpus = cgroup_quota(roots);
        let by_quota = quota_cpus.map_or(usize::MAX, |q| (q.ceil() as usize).max(1));
        let usable = allowed.len().min(by_quota).max(1);

        let mut cores = BTreeSet::new();
        let mut sockets = BTreeSet::new();
        let mut threads_per_core = 1;
        let mut read_any = false;
        for &cpu in &allowed {
            let topo = |f: &str| roots.sys(&format!("devices/system/cpu/cpu{cpu}/topology/{f}"));
            let (Some(package), Some(core)) = (topo("physical_package_id"), topo("core_id")) else { continue };
            read_any = true;
            cores.insert((package.clone(), core));
            sockets.insert(package);
            if let Some(siblings) = topo("thread_siblings_list").and_then(|s| parse_cpu_list(&s)) {
                threads_per_core = threads_per_core.max(siblings.iter().filter(|c| allowed.contains(c)).count());
            }
        }
        let places = cpu_places(roots, &allowed);
        let smt_disabled = roots.sys("devices/system/cpu/smt/active").is_some_and(|s| s == "0");
        let physical = if read_any {
            cores.len()
        } else if live {
            num_cpus::get_physical()
        } else {
            allowed.len()
        };
        let smt = threads_per_core > 1 && !smt_disabled;
        Topology {
            usable,
            physical_cores: physical.clamp(1, usable),
            sockets: sockets.len().max(1),
            numa_nodes: roots.sys("devices/system/node/online").and_then(|s| parse_cpu_list(&s)).map(|l| l.len()),
            threads_per_core: if smt { threads_per_core } else { 1 },
            smt,
            quota_cpus,
            online,
            allowed,
            places,
        }
    }

    /// The CPU order of `pin`: a team pins its worker i to the i-th CPU (modulo the length).
    /// Empty for [`Pin::None`].
    pub fn placement(&self, pin: Pin) -> Vec<usize> {
        let mut places = self.places.clone();
        match pin {
            Pin::None => Vec::new(),
            Pin::Compact => {
                places.sort_by_key(|p| (p.package, p.smt_rank, p.core, p.cpu));
                places.iter().map(|p| p.cpu).collect()
            }
            Pin::Scatter => {
                places.sort_by_key(|p| (p.smt_rank, p.node.unwrap_or(p.package), p.package, p.core, p.cpu));
                let mut order = Vec::with_capacity(places.len());
                for rank in places.chunk_by(|a, b| a.smt_rank == b.smt_rank) {
                    let mut groups: Vec<std::collections::VecDeque<usize>> = rank
                        .chunk_by(|a, b| a.node.unwrap_or(a.package) == b.node.unwrap_or(b.package))
                        .map(|g| g.iter().map(|p| p.cpu).collect())
                        .collect();
                    while groups.iter().any(|g| !g.is_empty()) {
                        order.extend(groups.iter_mut().filter_map(|g| g.pop_front()));
                    }
                }
                order
            }
        }
    }

    /// N and P, for `--threads` and the tags.
    pub fn cpu_counts(&self) -> CpuCounts {
        CpuCounts { usable: self.usable, physical: self.physical_cores, sockets: self.sockets }
    }
}

/// Where each allowed CPU sits: socket, core, SMT rank and NUMA node from sysfs.
fn cpu_places(roots: &Roots, allowed: &[usize]) -> Vec<CpuPlace> {
    let mut node_of = std::collections::HashMap::new();
    if let Some(nodes) = roots.sys("devices/system/node/online").and_then(|s| parse_cpu_list(&s)) {
        for node in nodes {
            let cpus = roots.sys(&format!("devices/system/node/node{node}/cpulist")).and_then(|s| parse_cpu_list(&s));
            for cpu in cpus.unwrap_or_default() {
                node_of.insert(cpu, node);
            }
        }
    }
    let mut places: Vec<CpuPlace> = allowed
        .iter()
        .map(|&cpu| {
            let topo = |f: &str| {
                roots.sys(&format!("devices/system/cpu/cpu{cpu}/topology/{f}")).and_then(|s| s.parse::<usize>().ok())
            };
            CpuPlace {
                cpu,
                package: topo("physical_package_id").unwrap_or(0),
                core: topo("core_id").unwrap_or(cpu),
                smt_rank: 0,
                node: node_of.get(&cpu).copied(),
            }
        })
        .collect();
    let mut seen: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
    for place in &mut places {
        let rank = seen.entry((place.package, place.core)).or_insert(0);
        place.smt_rank = *rank;
        *rank += 1;
    }
    places
}

fn live_parallelism() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// The CPU quota of this process's cgroup, in CPUs: v2 `cpu.max` ("max 100000" is none), or v1
/// `cpu.cfs_quota_us` / `cpu.cfs_period_us` (a quota of -1 is none).
fn cgroup_quota(roots: &Roots) -> Option<f64> {
    let cgroups = roots.proc("self/cgroup").unwrap_or_default();
    let path_of = |want: &dyn Fn(&str, &str) -> bool| {
        cgroups.lines().find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (id, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            want(id, controllers).then(|| path.trim_end_matches('/').to_owned())
        })
    };
    // cgroup v2: the unified hierarchy, mounted at fs/cgroup (or fs/cgroup/unified beside v1).
    let v2 = path_of(&|id, controllers| id == "0" && controllers.is_empty()).unwrap_or_default();
    for base in ["fs/cgroup", "fs/cgroup/unified"] {
        if let Some(text) = roots.sys(&format!("{base}{v2}/cpu.max")) {
            let mut fields = text.split_whitespace();
            let (quota, period) = (fields.next()?, fields.next().and_then(parse_fact).filter(|p| *p > 0.0)?);
            return (quota != "max").then(|| parse_fact(quota).filter(|q| *q > 0.0).map(|q| q / period)).flatten();
        }
    }
    // cgroup v1: the cpu controller.
    let v1 = path_of(&|_, controllers| controllers.split(',').any(|c| c == "cpu")).unwrap_or_default();
    for base in ["fs/cgroup/cpu", "fs/cgroup/cpu,cpuacct"] {
        // v1 writes -1 for "no quota"; a NaN or infinity is no quota either.
        let read = |f: &str| {
            roots.sys(&format!("{base}{v1}/{f}")).and_then(|s| s.parse::<f64>().ok()).filter(|v| v.is_finite())
        };
        if let (Some(quota), Some(period)) = (read("cpu.cfs_quota_us"), read("cpu.cfs_period_us")) {
            return (quota > 0.0 && period > 0.0).then_some(quota / period);
        }
    }
    None
}

/// Parses kernel CPU lists such as `0-3,8,10-11`.
pub fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if a > b || b - a > 1 << 20 {
                    return None;
                }
                cpus.extend(a..=b);
            }
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    Some(cpus)
}
