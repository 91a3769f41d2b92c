//! The process-tree poller: where a command's threads spent one run, read from the kernel while
//! it runs.
//!
//! # Method
//! A command is a process group of its own (`command`): the poller, on a thread of its own, looks
//! every [`POLL_PERIOD`] (200 Hz asked; at least 100 Hz while the machine lets the thread run)
//! for the group's processes (a scan of `/proc`, reading `stat`'s process group only of the
//! process ids it has not seen before) and reads every thread's `schedstat` under
//! `/proc/PID/task/` (time on a CPU, time runnable but waiting for one). Between two polls the
//! threads' on-CPU time grew by C in a wall time of D: the command had C / D of its threads on a
//! CPU on average. The **concurrency histogram** puts D at the levels below and above that mean
//! in proportion (D x (1 - frac) at the floor, D x frac at the ceiling), so that the histogram's
//! mean concurrency is exactly the polled on-CPU time over the wall time. A thread first seen at
//! a poll was born since the previous one: its whole time counts in that interval. The first
//! interval starts at the command's spawn; the last poll is taken when the command has exited but
//! before it is reaped, so its own threads' last slices count.
//!
//! What it cannot see: the last slices of a process of the tree that exited (and was reaped by
//! its parent) between two polls, and a process that left the group (`setsid`, `setpgid`). The
//! on-CPU total of the account therefore comes from the children's `getrusage`, complete; the
//! histogram from the polls ([`TreePoll::cpu_ns`] says how much of it they saw).
//!
//! # Cost
//! A poll is a `getdents` of `/proc`, a `stat` read per new process id, and per process a
//! listing of its tasks and a `schedstat` read per thread: tens of system calls for a command
//! of a few threads. The poller's own CPU time is recorded ([`TreePoll::poller_cpu_ns`]); the
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
}

/// One thread's readings at a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadReading {
    /// The process.
    pub pid: i32,
    /// The thread.
    pub tid: i32,
    /// `schedstat`'s time on a CPU.
    pub on_cpu_ns: u64,
    /// `schedstat`'s time runnable, not running.
    pub run_delay_ns: u64,
}

/// The polls of one run added up (the arithmetic of the module docs, apart from `/proc`).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    last_at: u64,
    seen: HashMap<i32, (u64, u64)>,
    processes: HashSet<i32>,
    poll: TreePoll,
}

impl Tally {
    /// Adds the poll taken at `at_ns` (from the spawn) with these readings.
    pub fn poll(&mut self, at_ns: u64, readings: &[ThreadReading]) {
        let gap = at_ns.saturating_sub(self.last_at);
        let (mut cpu, mut wait) = (0u64, 0u64);
        let mut now = HashMap::with_capacity(readings.len());
        for r in readings {
            let (cpu0, wait0) = self.seen.get(&r.tid).copied().unwrap_or((0, 0));
            cpu += r.on_cpu_ns.saturating_sub(cpu0);
            wait += r.run_delay_ns.saturating_sub(wait0);
            now.insert(r.tid, (r.on_cpu_ns, r.run_delay_ns));
            self.processes.insert(r.pid);
        }
        self.seen = now;
        let p = &mut self.poll;
        p.polls += 1;
        p.longest_gap_ns = p.longest_gap_ns.max(gap);
        p.cpu_ns += cpu;
        p.run_queue_ns += wait;
        p.most_threads = p.most_threads.max(readings.len());
        p.processes = self.processes.len();
        if gap > 0 {
            // More on-CPU time than threads x wall (a reading's own lag) is cut to what the
            // threads seen could have had.
            let level = (cpu as f64 / gap as f64).min(readings.len().max(1) as f64);
            let floor = level.floor() as usize;
            let above = ((level - floor as f64) * gap as f64).round() as u64;
            let at = |p: &mut TreePoll, k: usize, ns: u64| {
                if p.concurrency_ns.len() <= k {
                    p.concurrency_ns.resize(k + 1, 0);
                }
                p.concurrency_ns[k] += ns;
            };
            at(p, floor, gap - above.min(gap));
            if above > 0 {
                at(p, floor + 1, above.min(gap));
            }
        }
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
    /// Starts polling process group `group` (spawned at `spawned`) on a thread of its own.
    pub fn start(group: i32, spawned: Instant) -> std::io::Result<Poller> {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        let s = Arc::clone(&state);
        let thread = std::thread::Builder::new().name("command-poller".into()).spawn(move || {
            let mut tree = Tree::new(group);
            let mut tally = Tally::default();
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

    /// Every thread of the group now.
    fn read(&mut self) -> Vec<ThreadReading> {
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
            threads(pid, &mut out);
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

/// Appends every thread of `pid` with its schedstat.
fn threads(pid: i32, out: &mut Vec<ThreadReading>) {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return };
    for task in tasks.flatten() {
        let Some(tid) = task.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat")) else { continue };
        let mut fields = text.split_ascii_whitespace().map(str::parse::<u64>);
        if let (Some(Ok(on_cpu_ns)), Some(Ok(run_delay_ns))) = (fields.next(), fields.next()) {
            out.push(ThreadReading { pid, tid, on_cpu_ns, run_delay_ns });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(tid: i32, cpu: u64, wait: u64) -> ThreadReading {
        ThreadReading { pid: tid / 10, tid, on_cpu_ns: cpu, run_delay_ns: wait }
    }

    /// A run of 100: one thread alone on its CPU for 20, then three threads (one new) all on a
    /// CPU for 50, then one and a half on average for 20, then nothing for 10.
    #[test]
    fn the_histogram_holds_the_wall_time_at_each_level_and_its_mean_is_the_polled_cpu() {
        let mut t = Tally::default();
        t.poll(20, &[r(10, 20, 0)]);
        t.poll(70, &[r(10, 70, 0), r(11, 50, 5), r(20, 50, 0)]);
        t.poll(90, &[r(10, 90, 0), r(11, 60, 9), r(20, 50, 0)]);
        t.poll(100, &[r(10, 90, 0)]);
        let p = t.finish();
        assert_eq!(p.concurrency_ns, vec![10, 30, 10, 50]);
        assert_eq!(p.concurrency_ns.iter().sum::<u64>(), p.wall_ns);
        let mean: u64 = p.concurrency_ns.iter().enumerate().map(|(k, ns)| k as u64 * ns).sum();
        assert_eq!((mean, p.cpu_ns), (200, 200));
        assert_eq!((p.run_queue_ns, p.most_threads, p.processes, p.polls, p.longest_gap_ns), (9, 3, 2, 4, 50));
    }

    #[test]
    fn a_reading_beyond_the_threads_wall_time_is_cut_to_it() {
        let mut t = Tally::default();
        t.poll(10, &[r(10, 25, 0)]);
        assert_eq!(t.finish().concurrency_ns, vec![0, 10]);
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
        let poller = Poller::start(child.id() as i32, spawned).unwrap();
        child.wait().unwrap();
        let p = poller.finish().unwrap();
        assert!(p.polls >= 2 && p.processes >= 1, "{p:?}");
        assert_eq!(p.concurrency_ns.iter().sum::<u64>(), p.wall_ns);
        // The shell's loop runs on a CPU (whatever the machine's load, it ran some of the time).
        assert!(p.cpu_ns > 0 && p.concurrency_ns.len() >= 2, "{p:?}");
    }
}
