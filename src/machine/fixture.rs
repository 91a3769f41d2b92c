//! Fixture trees: a sysfs and a procfs describing a machine we do not have, for tests and for
//! trying `measure run --sysfs DIR/sys --procfs DIR/proc`. Only the files the seam reads are
//! written. CPUs are numbered as Linux numbers them: first threads of every core on every socket,
//! then their SMT siblings.

use std::fs;
use std::io;
use std::path::Path;

/// A machine to describe.
#[derive(Debug, Clone, PartialEq)]
pub struct FixtureMachine {
    /// Sockets.
    pub sockets: usize,
    /// Physical cores per socket.
    pub cores_per_socket: usize,
    /// Hardware threads per core (1: no SMT).
    pub threads_per_core: usize,
    /// `Cpus_allowed_list`, when restricted (e.g. `0-3`).
    pub allowed: Option<String>,
    /// cgroup v2 `cpu.max`, when limited (e.g. `200000 100000`: 2 CPUs).
    pub cpu_max: Option<String>,
    /// The cpufreq governor.
    pub governor: Option<String>,
    /// intel_pstate `no_turbo` (`0`: turbo on).
    pub no_turbo: Option<String>,
    /// The `cpu` line's ticks of `/proc/stat`: user nice system idle iowait irq softirq steal.
    pub stat_ticks: [u64; 8],
    /// `procs_running` of `/proc/stat`: the runnable tasks, the reader among them.
    pub procs_running: u64,
    /// Thermal throttle count of each core.
    pub throttle_count: Option<u64>,
    /// `/proc/loadavg`.
    pub loadavg: String,
    /// `vm.max_map_count` (`/proc/sys/vm/max_map_count`), when described: the limit on memory
    /// maps, two a thread (`machine::limits`).
    pub max_map_count: Option<u64>,
}

impl Default for FixtureMachine {
    fn default() -> Self {
        FixtureMachine {
            sockets: 1,
            cores_per_socket: 2,
            threads_per_core: 1,
            allowed: None,
            cpu_max: None,
            governor: None,
            no_turbo: None,
            stat_ticks: [1000, 0, 100, 10_000, 0, 0, 0, 0],
            procs_running: 1,
            throttle_count: None,
            loadavg: "0.01 0.02 0.03 1/100 1".to_owned(),
            max_map_count: None,
        }
    }
}

impl FixtureMachine {
    /// All logical CPUs.
    pub fn cpus(&self) -> usize {
        self.sockets * self.cores_per_socket * self.threads_per_core
    }

    /// Writes `dir/sys` and `dir/proc`.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let (sys, proc) = (dir.join("sys"), dir.join("proc"));
        let put = |path: &Path, text: &str| -> io::Result<()> {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, format!("{text}\n"))
        };
        let cpu = sys.join("devices/system/cpu");
        let n = self.cpus();
        let cores = self.sockets * self.cores_per_socket;
        put(&cpu.join("online"), &format!("0-{}", n - 1))?;
        put(&cpu.join("smt/active"), if self.threads_per_core > 1 { "1" } else { "0" })?;
        for c in 0..n {
            let core = c % cores;
            let siblings: Vec<String> = (0..self.threads_per_core).map(|t| (core + t * cores).to_string()).collect();
            let topo = cpu.join(format!("cpu{c}/topology"));
            put(&topo.join("physical_package_id"), &(core / self.cores_per_socket).to_string())?;
            put(&topo.join("core_id"), &(core % self.cores_per_socket).to_string())?;
            put(&topo.join("thread_siblings_list"), &siblings.join(","))?;
            if let Some(governor) = &self.governor {
                put(&cpu.join(format!("cpu{c}/cpufreq/scaling_governor")), governor)?;
            }
            if let Some(count) = self.throttle_count {
                put(&cpu.join(format!("cpu{c}/thermal_throttle/core_throttle_count")), &count.to_string())?;
            }
        }
        if let Some(no_turbo) = &self.no_turbo {
            put(&cpu.join("intel_pstate/no_turbo"), no_turbo)?;
        }
        put(&sys.join("devices/system/node/online"), &format!("0-{}", self.sockets - 1))?;
        for socket in 0..self.sockets {
            let cpus: Vec<String> =
                (0..n).filter(|c| (c % cores) / self.cores_per_socket == socket).map(|c| c.to_string()).collect();
            put(&sys.join(format!("devices/system/node/node{socket}/cpulist")), &cpus.join(","))?;
        }
        if let Some(max) = &self.cpu_max {
            put(&sys.join("fs/cgroup/cpu.max"), max)?;
        }
        let allowed = self.allowed.clone().unwrap_or_else(|| format!("0-{}", n - 1));
        put(&proc.join("self/status"), &format!("Name:\tmeasure\nCpus_allowed_list:\t{allowed}"))?;
        put(&proc.join("self/cgroup"), "0::/")?;
        let ticks: Vec<String> = self.stat_ticks.iter().map(u64::to_string).collect();
        let per_cpu: String = (0..n).map(|c| format!("cpu{c} 0 0 0 0 0 0 0 0 0 0\n")).collect();
        let stat = format!("cpu  {} 0 0\n{per_cpu}procs_running {}", ticks.join(" "), self.procs_running);
        put(&proc.join("stat"), &stat)?;
        put(&proc.join("loadavg"), &self.loadavg)?;
        if let Some(maps) = self.max_map_count {
            put(&proc.join("sys/vm/max_map_count"), &maps.to_string())?;
        }
        put(&proc.join("sys/kernel/hostname"), "fixture")?;
        put(&proc.join("cpuinfo"), "model name\t: Fixture CPU")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::environment::{after_warnings, before_warnings, snapshot};
    use super::*;
    use crate::machine::{Roots, Topology};
    use crate::placement::Pin;

    fn roots_of(machine: &FixtureMachine) -> (tempfile::TempDir, Roots) {
        let dir = tempfile::tempdir().unwrap();
        machine.write(dir.path()).unwrap();
        let roots = Roots { sysfs: dir.path().join("sys"), procfs: dir.path().join("proc") };
        (dir, roots)
    }

    fn big() -> FixtureMachine {
        FixtureMachine { sockets: 2, cores_per_socket: 48, threads_per_core: 2, ..FixtureMachine::default() }
    }

    #[test]
    fn a_192_cpu_two_socket_smt_machine() {
        let (_dir, roots) = roots_of(&big());
        let t = Topology::read(&roots);
        assert_eq!((t.usable, t.physical_cores, t.sockets, t.threads_per_core, t.smt), (192, 96, 2, 2, true));
        assert_eq!(t.numa_nodes, Some(2));
    }

    #[test]
    fn compact_fills_a_socket_before_siblings_and_scatter_alternates_sockets() {
        let machine =
            FixtureMachine { sockets: 2, cores_per_socket: 3, threads_per_core: 2, ..FixtureMachine::default() };
        let (_dir, roots) = roots_of(&machine);
        let t = Topology::read(&roots);
        // Linux numbering: CPUs 0-2 socket 0, 3-5 socket 1, then their siblings 6-8 and 9-11.
        assert_eq!(t.placement(Pin::Compact), [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11]);
        assert_eq!(t.placement(Pin::Scatter), [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
        assert!(t.placement(Pin::None).is_empty());
        let (_dir, roots) = roots_of(&FixtureMachine { allowed: Some("1,4,7".into()), ..machine });
        assert_eq!(Topology::read(&roots).placement(Pin::Compact), [1, 7, 4]);
    }

    #[test]
    fn a_cgroup_quota_and_an_affinity_mask_cap_the_usable_cpus() {
        let (_dir, roots) = roots_of(&FixtureMachine { cpu_max: Some("200000 100000".into()), ..big() });
        let t = Topology::read(&roots);
        assert_eq!((t.usable, t.physical_cores, t.quota_cpus), (2, 2, Some(2.0)));
        let (_dir, roots) = roots_of(&FixtureMachine { cpu_max: Some("max 100000".into()), ..big() });
        assert_eq!(Topology::read(&roots).usable, 192);
        // Four first threads: four cores, no sibling allowed, so no SMT in use.
        let (_dir, roots) = roots_of(&FixtureMachine { allowed: Some("0-3".into()), ..big() });
        let t = Topology::read(&roots);
        assert_eq!((t.usable, t.physical_cores, t.smt), (4, 4, false));
        // A core and its sibling: two CPUs, one core.
        let (_dir, roots) = roots_of(&FixtureMachine { allowed: Some("0,96".into()), ..big() });
        let t = Topology::read(&roots);
        assert_eq!((t.usable, t.physical_cores, t.smt), (2, 1, true));
    }

    #[test]
    fn a_machine_without_smt_has_p_equal_to_n() {
        let (_dir, roots) = roots_of(&FixtureMachine::default());
        let t = Topology::read(&roots);
        assert_eq!((t.usable, t.physical_cores, t.smt, t.threads_per_core), (2, 2, false, 1));
    }

    #[test]
    fn each_environment_warning_before_and_after() {
        let quiet = FixtureMachine { governor: Some("performance".into()), no_turbo: Some("1".into()), ..big() };
        let (_dir, roots) = roots_of(&quiet);
        let t = Topology::read(&roots);
        let sample = crate::machine::busy::sample(&roots);
        assert!(before_warnings(&snapshot(&roots, &t), sample.as_ref(), t.usable, false).is_empty());

        let noisy = FixtureMachine {
            governor: Some("powersave".into()),
            no_turbo: Some("0".into()),
            loadavg: "150.0 140.0 120.0 3/900 7".into(),
            procs_running: 121,
            throttle_count: Some(5),
            ..big()
        };
        let (_dir, roots) = roots_of(&noisy);
        let t = Topology::read(&roots);
        let before = snapshot(&roots, &t);
        let sample = crate::machine::busy::sample(&roots);
        let warnings = before_warnings(&before, sample.as_ref(), t.usable, true);
        assert_eq!(warnings.len(), 4, "{warnings:#?}");
        let busy = "120.00 CPUs busy or runnable in a 0.0 s sample of /proc/stat on 192";
        for part in ["debug build", "governor is `powersave`", "turbo/boost is on", busy] {
            assert_eq!(warnings.iter().filter(|w| w.contains(part)).count(), 1, "{part}: {warnings:#?}");
        }
        // Without a sample the load average judges; a quiet sample overrules it.
        let by_load = before_warnings(&before, None, t.usable, false);
        assert_eq!(
            by_load.iter().filter(|w| w.contains("busy: load average 150.00 on 192")).count(),
            1,
            "{by_load:#?}"
        );
        let idle = crate::results::BusySample { procs_running: Some([1, 1]), ..sample.clone().unwrap() };
        assert!(!before_warnings(&before, Some(&idle), t.usable, false).iter().any(|w| w.contains("machine is busy")));
        // During the run: 5% of the ticks stolen, and one more throttle event on every core.
        let later =
            FixtureMachine { stat_ticks: [1950, 0, 100, 10_000, 0, 0, 0, 50], throttle_count: Some(6), ..noisy };
        let (_dir2, roots2) = roots_of(&later);
        let after = snapshot(&roots2, &Topology::read(&roots2));
        let during = after_warnings(&before, &after);
        assert_eq!(during.len(), 2, "{during:#?}");
        assert!(during[0].contains("stole 5.0% of the CPU time"), "{during:#?}");
        assert!(during[1].contains("throttled 192 times"), "{during:#?}");
    }
}
