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
//! - **Refused facts** ([`Topology::warnings`]): a CPU list naming an id above [`MAX_CPU_ID`] (ranges
//!   are merged before they are expanded, and looked up in sets, so a hostile list costs at most
//!   65 537 ids); a cgroup quota or period that is a NaN, infinite, negative or zero (v1's -1 is
//!   "no quota"). Each is read as unknown, with a warning. A fractional quota (1.5 CPUs: N = 2)
//!   gives a warning too, and the points above it are tagged `over-quota` by the run. A fact file
//!   that is there but is no fact (a device, a folder, an empty file, over 4 MiB) is named in a
//!   warning with where the count then comes from (`Roots::sys_fact`).
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
    /// Facts refused or worth a word: a CPU list naming impossible ids, a cgroup quota that is
    /// no number or negative, a fractional quota. Given once in the results file's `warnings`.
    pub warnings: Vec<String>,
}

impl Topology {
    /// Reads the topology under `roots`.
    pub fn read(roots: &Roots) -> Topology {
        let live = roots.is_live();
        let mut warnings = Vec::new();
        let (online, allowed) = online_and_allowed(roots, &mut warnings);
        let (quota_cpus, quota_warning) = cgroup_quota(roots);
        warnings.extend(quota_warning);
        let by_quota = quota_cpus.map_or(usize::MAX, |q| (q.ceil() as usize).max(1));
        let usable = allowed.len().min(by_quota).max(1);
        if let Some(q) = quota_cpus.filter(|q| q.fract() != 0.0 && (*q as usize) < allowed.len()) {
            warnings.push(format!(
                "the cgroup's CPU quota is {q} CPUs, not a whole number: N = {} rounds it up, and points above {q} threads are tagged `over-quota` (a short sample can fit inside one CFS period and show more speedup than the quota gives over time)",
                (q.ceil() as usize).max(1)
            ));
        }
        let cores = Cores::read(roots, &allowed);
        let places = cpu_places(roots, &allowed);
        let smt_disabled = roots.sys("devices/system/cpu/smt/active").is_some_and(|s| s == "0");
        let physical = if cores.read_any {
            cores.cores
        } else if live {
            num_cpus::get_physical()
        } else {
            allowed.len()
        };
        let smt = cores.threads_per_core > 1 && !smt_disabled;
        Topology {
            usable,
            physical_cores: physical.clamp(1, usable),
            sockets: cores.sockets.max(1),
            numa_nodes: roots.sys("devices/system/node/online").and_then(|s| parse_cpu_list(&s)).map(|l| l.len()),
            threads_per_core: if smt { cores.threads_per_core } else { 1 },
            smt,
            quota_cpus,
            online,
            allowed,
            places,
            warnings,
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

/// The online CPUs and, among them, those this process may run on (its affinity mask), with a
/// warning in `warnings` for a list refused or a fact file that is there but no fact.
fn online_and_allowed(roots: &Roots, warnings: &mut Vec<String>) -> (Vec<usize>, Vec<usize>) {
    let live = roots.is_live();
    let mut cpu_list = |what: &str, text: Option<String>| -> Option<Vec<usize>> {
        match parse_cpu_list_checked(&text?) {
            Ok(list) => Some(list),
            Err(why) => {
                warnings.push(format!("{what} was refused ({why}); it is read as unknown"));
                None
            }
        }
    };
    // A fact that is there but is no fact (a device, a folder, an empty file) is said, with
    // where the count then comes from; a fact that is absent is the fallback's quietly.
    let mut unreadable = Vec::new();
    let mut fact = |read: Result<Option<String>, String>, fallback: &str| {
        read.unwrap_or_else(|why| {
            unreadable.push(format!("{why}: {fallback}"));
            None
        })
    };
    let online_text = fact(
        roots.sys_fact("devices/system/cpu/online"),
        if live {
            "the online CPUs are taken from the live system's own count"
        } else {
            "the online CPUs are taken as one CPU, all a fixture tree then says"
        },
    );
    let status_text = fact(
        roots.proc_fact("self/status"),
        if live {
            "the affinity mask is taken from the live system"
        } else {
            "every online CPU is taken as allowed (no affinity mask)"
        },
    );
    let online = cpu_list("the list of online CPUs (sysfs devices/system/cpu/online)", online_text)
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| (0..if live { live_parallelism() } else { 1 }).collect());
    let status =
        status_text.and_then(|s| s.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:").map(str::to_owned)));
    let allowed_list = cpu_list("the affinity mask (procfs self/status Cpus_allowed_list)", status)
        .or_else(|| if live { super::affinity() } else { None });
    warnings.extend(unreadable);
    let online_set: BTreeSet<usize> = online.iter().copied().collect();
    let allowed: Vec<usize> = match allowed_list {
        Some(list) => list.into_iter().filter(|c| online_set.contains(c)).collect(),
        None => online.clone(),
    };
    let allowed = if allowed.is_empty() { online.clone() } else { allowed };
    (online, allowed)
}

/// The physical cores and sockets of the allowed CPUs, and the most SMT siblings of one core
/// among them, from each CPU's `topology/` in sysfs.
struct Cores {
    /// Distinct (package, core) pairs.
    cores: usize,
    /// Distinct packages.
    sockets: usize,
    /// The most allowed hardware threads of one core.
    threads_per_core: usize,
    /// Whether any CPU's package and core could be read.
    read_any: bool,
}

impl Cores {
    fn read(roots: &Roots, allowed: &[usize]) -> Cores {
        let allowed_set: BTreeSet<usize> = allowed.iter().copied().collect();
        let mut cores = BTreeSet::new();
        let mut sockets = BTreeSet::new();
        let mut threads_per_core = 1;
        let mut read_any = false;
        for &cpu in allowed {
            let topo = |f: &str| roots.sys(&format!("devices/system/cpu/cpu{cpu}/topology/{f}"));
            let (Some(package), Some(core)) = (topo("physical_package_id"), topo("core_id")) else { continue };
            read_any = true;
            cores.insert((package.clone(), core));
            sockets.insert(package);
            if let Some(siblings) = topo("thread_siblings_list").and_then(|s| parse_cpu_list(&s)) {
                threads_per_core = threads_per_core.max(siblings.iter().filter(|c| allowed_set.contains(c)).count());
            }
        }
        Cores { cores: cores.len(), sockets: sockets.len(), threads_per_core, read_any }
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
/// `cpu.cfs_quota_us` / `cpu.cfs_period_us` (a quota of -1 is none); with a warning when the file
/// holds no usable number (a NaN, a negative or zero quota or period), which is then no quota
/// rather than a guess.
fn cgroup_quota(roots: &Roots) -> (Option<f64>, Option<String>) {
    let cgroups = roots.proc("self/cgroup").unwrap_or_default();
    let path_of = |want: &dyn Fn(&str, &str) -> bool| {
        cgroups.lines().find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (id, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            want(id, controllers).then(|| path.trim_end_matches('/').to_owned())
        })
    };
    let refused = |file: &str, text: &str| {
        let shown: String = text.chars().take(40).flat_map(char::escape_debug).collect();
        Some(format!(
            "the cgroup's CPU quota ({file} = `{shown}`) is no positive number; it is ignored, so N is not capped by a quota"
        ))
    };
    // cgroup v2: the unified hierarchy, mounted at fs/cgroup (or fs/cgroup/unified beside v1).
    let v2 = path_of(&|id, controllers| id == "0" && controllers.is_empty()).unwrap_or_default();
    for base in ["fs/cgroup", "fs/cgroup/unified"] {
        if let Some(text) = roots.sys(&format!("{base}{v2}/cpu.max")) {
            let mut fields = text.split_whitespace();
            let quota = fields.next().unwrap_or_default();
            let period = fields.next().and_then(parse_fact).filter(|p| *p > 0.0);
            return match (quota, period) {
                ("max", Some(_)) => (None, None),
                (quota, Some(period)) => match parse_fact(quota).filter(|q| *q > 0.0) {
                    Some(q) => (Some(q / period), None),
                    None => (None, refused("cpu.max", &text)),
                },
                (_, None) => (None, refused("cpu.max", &text)),
            };
        }
    }
    // cgroup v1: the cpu controller.
    let v1 = path_of(&|_, controllers| controllers.split(',').any(|c| c == "cpu")).unwrap_or_default();
    for base in ["fs/cgroup/cpu", "fs/cgroup/cpu,cpuacct"] {
        let read = |f: &str| roots.sys(&format!("{base}{v1}/{f}"));
        if let (Some(quota), Some(period)) = (read("cpu.cfs_quota_us"), read("cpu.cfs_period_us")) {
            // v1 writes -1 for "no quota".
            if quota == "-1" {
                return (None, None);
            }
            return match (parse_fact(&quota).filter(|q| *q > 0.0), parse_fact(&period).filter(|p| *p > 0.0)) {
                (Some(q), Some(p)) => (Some(q / p), None),
                _ => (None, refused("cpu.cfs_quota_us / cpu.cfs_period_us", &format!("{quota} / {period}"))),
            };
        }
    }
    (None, None)
}

/// The highest CPU id believed: the kernel's `NR_CPUS` is at most 8192 today; an id above this in
/// a (fixture) list is refused, never allocated for.
pub const MAX_CPU_ID: usize = 1 << 16;

/// Parses kernel CPU lists such as `0-3,8,10-11`: the CPUs ascending, each once. `None` for text
/// that is no CPU list or names an id above [`MAX_CPU_ID`] ([`parse_cpu_list_checked`] says why).
pub fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    parse_cpu_list_checked(text).ok()
}

/// [`parse_cpu_list`], with the reason a list is refused. Ranges are merged before they are
/// expanded, so the result holds at most `MAX_CPU_ID + 1` ids however often a range repeats.
pub fn parse_cpu_list_checked(text: &str) -> Result<Vec<usize>, String> {
    let id = |t: &str| -> Result<usize, String> {
        let v: usize = t.trim().parse().map_err(|_| {
            let shown: String = t.trim().chars().take(24).flat_map(char::escape_debug).collect();
            format!("`{shown}` is no CPU id")
        })?;
        if v > MAX_CPU_ID {
            return Err(format!("CPU id {v} is above {MAX_CPU_ID}, more than any kernel supports"));
        }
        Ok(v)
    };
    let mut ranges = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (id(a)?, id(b)?),
            None => (id(part)?, id(part)?),
        };
        if a > b {
            return Err(format!("the range `{a}-{b}` runs backwards"));
        }
        ranges.push((a, b));
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    Ok(merged.into_iter().flat_map(|(a, b)| a..=b).collect())
}
