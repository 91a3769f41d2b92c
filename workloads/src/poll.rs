//! The process-tree poller: where a command's threads spent one run, read from the kernel while
//! it runs.
//!
//! # Method
//! A command is a process group of its own (`command`): the poller, on a thread of its own, looks
//! every [`POLL_PERIOD`] (200 Hz asked; at least 100 Hz while the machine lets the thread run)
//! for the group's processes (a scan of `/proc`, reading `stat`'s process group only of the
//! process ids it has not seen before), reads each process's CPU clock (`clock_gettime` of its
//! process CPU clock: every thread's time on a CPU, dead threads' included) and, for every thread
//! under `/proc/PID/task/`, its state (`stat`: `R`, running or runnable) and its time runnable but
//! waiting for a CPU (`schedstat`'s `run_delay`).
//!
//! The **concurrency histogram** is sampled from the threads' states: each poll counts the
//! command's threads in state `R`, at most the usable CPUs (beyond them the rest are waiting, which
//! the run-queue part measures), and the wall time since the previous poll is put at that level.
//! Not from the growth of CPU time between polls: the kernel brings a running thread's CPU time up
//! to date only at its scheduler ticks (4 ms here) when another process reads it, so over 5-ms
//! intervals a thread spinning alone read 17% of its time at no thread on a CPU and 16% at two
//! (the first version of this poller; `/work/notes/36.md`). The histogram is a sample: over a run
//! of n polls its shares are within about 1/sqrt(n) of the truth for a phase that lasts many polls.
//! The first interval starts at the command's spawn; the last poll is taken when the command has
//! exited but before it is reaped.
//!
//! What it cannot see: the last slices of a process of the tree that exited (and was reaped by
//! its parent) between two polls, a process that left the group (`setsid`, `setpgid`), and a
//! phase shorter than a poll. The on-CPU total of the account therefore comes from the children's
//! `getrusage`, complete; [`TreePoll::cpu_ns`] says how much of it the polls saw.
//!
//! # Cost
//! A poll is a `getdents` of `/proc`, a `stat` read per new process id, and per process a read of
//! its CPU clock, a listing of its tasks and a `stat` and a `schedstat` read per thread: tens of system calls
//! for a command of a few threads. The poller's own CPU time is recorded ([`TreePoll::poller_cpu_ns`]); the
//! effect on T(j) is what the profile runs' `profile_over_timed` measures.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cpu_time::ThreadClock;

/// The time between two polls asked of the poller's thread.
pub const POLL_PERIOD: Duration = Duration::from_micros(5_000);

/// What the poller saw of one run of a command's process tree. Times are nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TreePoll {
    /// From the spawn to the last poll (after the command's exit).
    pub wall_ns: u64,
    /// Polls taken.
    pub polls: u64,
    /// The longest time between two polls.
    pub longest_gap_ns: u64,
    /// On-CPU time of the tree's threads seen by the polls.
    pub cpu_ns: u64,
    /// Time the tree's threads were runnable but waiting for a CPU, as the polls saw it.
    pub run_queue_ns: u64,
    /// The most threads of the tree seen at one poll.
    pub most_threads: usize,
    /// The processes of the tree seen.
    pub processes: usize,
    /// The wall time with k of the tree's threads on a CPU, at index k (see the module docs);
    /// sums to `wall_ns`.
    pub concurrency_ns: Vec<u64>,
    /// The poller thread's own CPU time; `None` where it cannot be read.
    pub poller_cpu_ns: Option<u64>,
    /// What the tree's threads ran: `perf_event`'s samples of the run (`command_samples`;
    /// addresses by file), or why there are none (`Samples::unavailable`).
    pub samples: crate::Samples,
}

/// One process's readings at a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessReading {
    /// The process.
    pub pid: i32,
    /// Its CPU clock: every thread's time on a CPU.
    pub cpu_ns: u64,
    /// Its threads in state `R` (running, or runnable).
    pub running: usize,
    /// Each thread's id and `schedstat`'s time runnable, not running.
    pub run_delays: Vec<(i32, u64)>,
}

/// The polls of one run added up (the arithmetic of the module docs, apart from `/proc`).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The most threads counted on a CPU at once: the usable CPUs.
    cpus: usize,
    last_at: u64,
    cpu: HashMap<i32, u64>,
    waits: HashMap<i32, u64>,
    processes: HashSet<i32>,
    poll: TreePoll,
}

impl Tally {
    /// The tally of a run on a machine of `cpus` usable CPUs.
    pub fn new(cpus: usize) -> Tally {
        Tally { cpus: cpus.max(1), ..Tally::default() }
    }

    /// Adds the poll taken at `at_ns` (from the spawn) with these readings.
    pub fn poll(&mut self, at_ns: u64, readings: &[ProcessReading]) {
        let gap = at_ns.saturating_sub(self.last_at);
        let (mut cpu, mut wait) = (0u64, 0u64);
        let (mut cpus, mut waits) = (HashMap::with_capacity(readings.len()), HashMap::new());
        for r in readings {
            cpu += r.cpu_ns.saturating_sub(self.cpu.get(&r.pid).copied().unwrap_or(0));
            cpus.insert(r.pid, r.cpu_ns);
            for &(tid, delay) in &r.run_delays {
                wait += delay.saturating_sub(self.waits.get(&tid).copied().unwrap_or(0));
                waits.insert(tid, delay);
            }
            self.processes.insert(r.pid);
        }
        (self.cpu, self.waits) = (cpus, waits);
        let threads: usize = readings.iter().map(|r| r.run_delays.len()).sum();
        let level = readings.iter().map(|r| r.running).sum::<usize>().min(self.cpus);
        let p = &mut self.poll;
        p.polls += 1;
        p.longest_gap_ns = p.longest_gap_ns.max(gap);
        p.cpu_ns += cpu;
        p.run_queue_ns += wait;
        p.most_threads = p.most_threads.max(threads);
        p.processes = self.processes.len();
        if p.concurrency_ns.len() <= level {
            p.concurrency_ns.resize(level + 1, 0);
        }
        p.concurrency_ns[level] += gap;
        p.wall_ns = at_ns;
        self.last_at = at_ns;
    }

    /// The run as polled so far.
    pub fn finish(self) -> TreePoll {
        self.poll
    }
}

/// A poller running beside one command.
#[derive(Debug)]
pub struct Poller {
    state: Arc<(Mutex<bool>, Condvar)>,
    thread: JoinHandle<TreePoll>,
}

impl Poller {
    /// Starts polling process group `group` (spawned at `spawned`) on a thread of its own, on a
    /// machine of `cpus` usable CPUs.
    pub fn start(group: i32, spawned: Instant, cpus: usize) -> std::io::Result<Poller> {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        let s = Arc::clone(&state);
        let thread = std::thread::Builder::new().name("command-poller".into()).spawn(move || {
            let mut tree = Tree::new(group);
            let mut tally = Tally::new(cpus);
            let (lock, wake) = &*s;
            loop {
                let readings = tree.read();
                tally.poll(spawned.elapsed().as_nanos() as u64, &readings);
                let stop = lock.lock().unwrap_or_else(|p| p.into_inner());
                if *stop {
                    break;
                }
                let (stop, _) = wake.wait_timeout(stop, POLL_PERIOD).unwrap_or_else(|p| p.into_inner());
                if *stop {
                    drop(stop);
                    // The last poll: the command has exited, not yet been reaped.
                    let readings = tree.read();
                    tally.poll(spawned.elapsed().as_nanos() as u64, &readings);
                    break;
                }
            }
            let mut poll = tally.finish();
            poll.poller_cpu_ns = ThreadClock::current().and_then(ThreadClock::read_ns);
            poll
        })?;
        Ok(Poller { state, thread })
    }

    /// Takes the last poll (the command exited, not yet reaped) and returns the run's tally.
    pub fn finish(self) -> Result<TreePoll, String> {
        {
            let (lock, wake) = &*self.state;
            *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
            wake.notify_all();
        }
        self.thread.join().map_err(|_| "the command's poller panicked".to_owned())
    }
}

/// The group's processes as the poller knows them.
struct Tree {
    group: i32,
    /// Process ids known to be in the group, and those known not to be.
    inside: HashSet<i32>,
    outside: HashSet<i32>,
}

impl Tree {
    fn new(group: i32) -> Tree {
        Tree { group, inside: HashSet::new(), outside: HashSet::new() }
    }

    /// Every process of the group now.
    fn read(&mut self) -> Vec<ProcessReading> {
        let mut out = Vec::new();
        let Ok(dir) = std::fs::read_dir("/proc") else { return out };
        let mut alive = HashSet::new();
        for entry in dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
            alive.insert(pid);
            if self.outside.contains(&pid) {
                continue;
            }
            if !self.inside.contains(&pid) {
                match process_group(pid) {
                    Some(g) if g == self.group => {
                        self.inside.insert(pid);
                    }
                    Some(_) => {
                        self.outside.insert(pid);
                        continue;
                    }
                    None => continue,
                }
            }
            if let Some(reading) = process(pid) {
                out.push(reading);
            }
        }
        // A process id that is gone may come back as another process.
        self.inside.retain(|p| alive.contains(p));
        self.outside.retain(|p| alive.contains(p));
        out
    }
}

/// The process group of `pid` from `/proc/PID/stat` (its fifth field, after the command name
/// in parentheses, which may hold anything).
fn process_group(pid: i32) -> Option<i32> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 1..];
    after.split_ascii_whitespace().nth(2)?.parse().ok()
}

/// `pid`'s CPU clock, its threads' states and run-queue waits; `None` when it is gone.
fn process(pid: i32) -> Option<ProcessReading> {
    let cpu_ns = process_cpu_ns(pid)?;
    let (mut running, mut run_delays) = (0, Vec::new());
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")) else { continue };
            // The state follows the command name in parentheses, which may hold anything.
            let state = stat.rfind(')').and_then(|i| stat[i + 1..].split_ascii_whitespace().next());
            running += usize::from(state == Some("R"));
            let delay = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat"))
                .ok()
                .and_then(|t| t.split_ascii_whitespace().nth(1).and_then(|d| d.parse::<u64>().ok()));
            run_delays.push((tid, delay.unwrap_or(0)));
        }
    }
    Some(ProcessReading { pid, cpu_ns, running, run_delays })
}

/// The CPU time of process `pid` (all its threads) from its process CPU clock (Linux's
/// `MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)`, what `clock_getcpuclockid` returns).
#[cfg(target_os = "linux")]
fn process_cpu_ns(pid: i32) -> Option<u64> {
    let clock = ((!pid) << 3) | 2;
    // SAFETY: clock_gettime writes one timespec into the zeroed value we own.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::clock_gettime(clock as libc::clockid_t, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(not(target_os = "linux"))]
fn process_cpu_ns(_pid: i32) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(pid: i32, cpu: u64, running: usize, waits: &[(i32, u64)]) -> ProcessReading {
        ProcessReading { pid, cpu_ns: cpu, running, run_delays: waits.to_vec() }
    }

    /// A run of 100 on 2 CPUs: one thread running for 20, then three (one in a new process) for
    /// 50 — at most two of them on a CPU —, then one for 20, then none for 10.
    #[test]
    fn the_histogram_holds_the_wall_time_at_each_level_seen() {
        let mut t = Tally::new(2);
        t.poll(20, &[r(1, 20, 1, &[(10, 0)])]);
        t.poll(70, &[r(1, 90, 2, &[(10, 0), (11, 5)]), r(2, 30, 1, &[(20, 0)])]);
        t.poll(90, &[r(1, 110, 1, &[(10, 0), (11, 9)]), r(2, 30, 0, &[(20, 0)])]);
        t.poll(100, &[r(1, 110, 0, &[(10, 0)])]);
        let p = t.finish();
        assert_eq!(p.concurrency_ns, vec![10, 40, 50]);
        assert_eq!(p.concurrency_ns.iter().sum::<u64>(), p.wall_ns);
        assert_eq!((p.cpu_ns, p.run_queue_ns), (140, 9));
        assert_eq!((p.most_threads, p.processes, p.polls, p.longest_gap_ns), (3, 2, 4, 50));
    }

    #[test]
    fn more_running_threads_than_cpus_count_as_the_cpus() {
        let mut t = Tally::new(2);
        t.poll(10, &[r(1, 20, 4, &[(1, 0), (2, 0), (3, 0), (4, 0)])]);
        assert_eq!(t.finish().concurrency_ns, vec![0, 0, 10]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_spinning_child_is_seen_on_a_cpu() {
        use std::os::unix::process::CommandExt;
        let spawned = Instant::now();
        let mut child = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .process_group(0)
            .spawn()
            .unwrap();
        let poller = Poller::start(child.id() as i32, spawned, 2).unwrap();
        child.wait().unwrap();
        let p = poller.finish().unwrap();
        assert!(p.polls >= 2 && p.processes >= 1, "{p:?}");
        assert_eq!(p.concurrency_ns.iter().sum::<u64>(), p.wall_ns);
        // The shell's loop ran on a CPU (whatever the machine's load, some of the time).
        assert!(p.cpu_ns > 0 && p.most_threads >= 1, "{p:?}");
    }
}
