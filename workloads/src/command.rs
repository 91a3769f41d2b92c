//! Any external command as a workload: `xz -T{threads} -c big.bin`, `make -j{threads}`,
//! `mpirun -np {threads} ./app`.
//!
//! Each run starts the command once with `{threads}` replaced by j (and `{size}` by the `size`
//! parameter, which weak scaling multiplies by j), waits for it, and is timed as a whole process.
//! The command runs through `sh -c` only when its text holds shell syntax (pipes, redirections,
//! quotes, globs, variables...); otherwise it is split on whitespace and started directly, so the
//! shell's own start-up is not timed. Its standard input is empty and its output discarded
//! (`check_output` hashes standard output instead, to prove that every j prints the same result;
//! reading and hashing it is then part of the timed run).
//! A non-zero exit is a failed run, reported with the tail of the command's standard error.
//!
//! What the tool cannot see inside a process, the user may declare: the command's **tasks**
//! ([`CommandWorkload::with_tasks`], `--tasks`), its independent pieces of work, which become its
//! [`Workload::parallelism`] (the default plan stops there, and the results file records it); and
//! its **bytes** ([`CommandWorkload::with_bytes`], `--bytes`), what one run at `size` 1 moves to
//! and from memory, which becomes [`Instance::bytes_per_run`] so that bandwidth is reported in
//! GB/s. A template with `{size}` does size times the work, so it moves `bytes` x `size` (weak
//! scaling, `--target-ms`); one without moves `bytes` at every size. Neither is checked against
//! what the command really does.
//!
//! Each run starts in a **process group of its own**, so that everything the command started can
//! be stopped together: when a run outlasts its timeout ([`Instance::set_timeout`]) the group is
//! killed and the run fails with "timed out after ..."; [`kill_running_commands`] kills every
//! running group (the runner calls it on Ctrl-C, which a terminal no longer delivers to a child in
//! another group). No command outlives the runner's decision to stop it.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::checksum::{SEED, mix};
use crate::poll::{Poller, TreePoll};
use crate::{Checksum, Instance, Kind, ParamSpec, Params, Samples, Team, Workload, WorkloadError};

/// The most bytes of a command's standard error kept for its error message.
pub const STDERR_TAIL: usize = 4096;
/// How long after the command's exit its hashed standard output may take to close.
pub const OUTPUT_GRACE: Duration = Duration::from_secs(1);
/// How long after a run (untimed) its standard error may take to close before the command is
/// said to have left processes behind.
pub const LINGER_GRACE: Duration = Duration::from_millis(500);

/// An external command run at each thread count.
#[derive(Debug, Clone)]
pub struct CommandWorkload {
    name: String,
    kind: Kind,
    template: String,
    check_output: bool,
    /// Declared independent tasks of one run.
    tasks: Option<usize>,
    /// Declared bytes moved by one run at size 1.
    bytes: Option<u64>,
}

const PARAMS: &[ParamSpec] = &[ParamSpec::integer(
    "size",
    "substituted for {size} in the command (weak scaling multiplies it by j)",
    1,
    1,
    1 << 53,
)];

/// Characters that make a command need a shell.
const SHELL_SYNTAX: &[char] =
    &['|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', '*', '?', '[', ']', '#', '~', '\n'];

impl CommandWorkload {
    /// The command `template` (`{threads}` and `{size}` stand for j and the size) as a workload
    /// called `name`, expected to scale like `kind`; with `check_output`, its standard output must
    /// be the same at every j.
    pub fn new(template: &str, name: &str, kind: Kind, check_output: bool) -> CommandWorkload {
        CommandWorkload {
            name: name.to_owned(),
            kind,
            template: template.to_owned(),
            check_output,
            tasks: None,
            bytes: None,
        }
    }

    /// The same command declared to have `tasks` independent tasks per run: its
    /// [`Workload::parallelism`].
    pub fn with_tasks(self, tasks: usize) -> CommandWorkload {
        CommandWorkload { tasks: Some(tasks), ..self }
    }

    /// The same command declared to move `bytes` to and from memory in one run at `size` 1 (see
    /// the module docs for other sizes): its instances' [`Instance::bytes_per_run`].
    pub fn with_bytes(self, bytes: u64) -> CommandWorkload {
        CommandWorkload { bytes: Some(bytes), ..self }
    }

    /// The bytes one run at `size` moves, when declared: `bytes` x `size` for a template with
    /// `{size}` (saturating), `bytes` otherwise.
    pub fn bytes_at(&self, size: u64) -> Option<u64> {
        let bytes = self.bytes?;
        Some(if self.template.contains("{size}") { bytes.saturating_mul(size) } else { bytes })
    }

    /// The same command under another name.
    pub fn named(self, name: &str) -> CommandWorkload {
        CommandWorkload { name: name.to_owned(), ..self }
    }

    /// The command text with its placeholders.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The command text for `threads` and `size`.
    pub fn command_line(&self, threads: usize, size: u64) -> String {
        self.template.replace("{threads}", &threads.to_string()).replace("{size}", &size.to_string())
    }

    /// Whether the command runs through `sh -c`.
    pub fn needs_shell(text: &str) -> bool {
        text.contains(SHELL_SYNTAX)
    }

    /// The program the command starts (the shell's first word for shell commands, when it is a
    /// plain word), to check that it exists before anything is measured.
    pub fn program(&self) -> Option<String> {
        let first = self.template.split_whitespace().next()?;
        let plain = first.chars().all(|c| c.is_ascii_alphanumeric() || "-_./+".contains(c));
        plain.then(|| first.to_owned())
    }
}

impl Workload for CommandWorkload {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> Kind {
        self.kind
    }
    fn description(&self) -> &str {
        &self.template
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn command(&self) -> Option<&str> {
        Some(&self.template)
    }
    fn prepare(&self, params: &Params) -> Result<Box<dyn Instance>, WorkloadError> {
        Ok(Box::new(CommandInstance {
            workload: self.clone(),
            size: params.integer("size"),
            timeout: None,
            deadline: None,
            stderr: None,
            poll: Polling::Off,
        }))
    }
    fn parallelism(&self, _params: &Params) -> Option<usize> {
        self.tasks
    }
    fn warnings(&self, _params: &Params) -> Vec<String> {
        if self.template.contains("{threads}") {
            Vec::new()
        } else {
            vec![format!("{}: the command has no {{threads}}, so the thread count never reaches it", self.name)]
        }
    }
}

struct CommandInstance {
    workload: CommandWorkload,
    size: u64,
    timeout: Option<Duration>,
    deadline: Option<Deadline>,
    /// The standard error of the last run, still being read when the run ended.
    stderr: Option<Tail>,
    /// Whether the next run is polled, or what the last polled run's poller saw.
    poll: Polling,
}

/// The poller's state for the instance's runs (`crate::poll`).
#[derive(Debug)]
enum Polling {
    Off,
    /// The next run is polled, on a machine of this many usable CPUs.
    Next(usize),
    /// The last run was.
    Done(Box<Result<TreePoll, String>>),
}

/// The process groups of the commands running now.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Set by [`kill_running_commands`]: every command started from then on is killed at once.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Kills (SIGKILL) the process group of every command running now, and of every command started
/// from now on (one that was being started as the runner decided to stop must not escape); their
/// runs then fail, and the runner, which asked for this, reads that as an interruption.
pub fn kill_running_commands() {
    let Ok(running) = RUNNING.lock() else { return };
    STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
    for &group in running.iter() {
        kill_group(group);
    }
}

fn kill_group(group: i32) {
    // SAFETY: killpg only sends a signal; the group is one we created and still track.
    unsafe {
        libc::killpg(group, libc::SIGKILL);
    }
}

/// Kills a run's process group when its timeout passes. One thread per instance, started with the
/// first run that has a timeout and ended when the instance is dropped; each run only arms and
/// disarms it (a lock and a notify), so nothing is spawned inside the timed run.
struct Deadline {
    shared: Arc<(Mutex<DeadlineState>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct DeadlineState {
    /// The deadline and the process group it kills.
    armed: Option<(Instant, i32)>,
    expired: bool,
    stop: bool,
}

impl Deadline {
    fn new() -> Deadline {
        let shared = Arc::new((Mutex::new(DeadlineState::default()), Condvar::new()));
        let watched = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name("command-deadline".into()).spawn(move || watch(&watched)).ok();
        Deadline { shared, thread }
    }

    fn arm(&self, group: i32, timeout: Duration) {
        self.with(|s| {
            s.armed = Some((Instant::now() + timeout, group));
            s.expired = false;
        });
    }

    /// The run ended; returns whether the deadline killed it.
    fn disarm(&self) -> bool {
        let mut expired = false;
        self.with(|s| {
            s.armed = None;
            expired = std::mem::take(&mut s.expired);
        });
        expired
    }

    fn with(&self, change: impl FnOnce(&mut DeadlineState)) {
        let (lock, condvar) = &*self.shared;
        if let Ok(mut state) = lock.lock() {
            change(&mut state);
        }
        condvar.notify_all();
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        self.with(|s| s.stop = true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn watch(shared: &(Mutex<DeadlineState>, Condvar)) {
    let (lock, condvar) = shared;
    let Ok(mut state) = lock.lock() else { return };
    while !state.stop {
        let wait = match state.armed {
            None => None,
            Some((deadline, group)) => {
                let now = Instant::now();
                if now >= deadline {
                    kill_group(group);
                    state.armed = None;
                    state.expired = true;
                    continue;
                }
                Some(deadline - now)
            }
        };
        state = match wait {
            None => condvar.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner()),
            Some(d) => condvar.wait_timeout(state, d).unwrap_or_else(|poisoned| poisoned.into_inner()).0,
        };
    }
}

impl Instance for CommandInstance {
    fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    fn run(&mut self, team: &Team) -> Checksum {
        match self.try_run(team) {
            Ok(checksum) => checksum,
            Err(message) => panic!("{message}"),
        }
    }

    fn try_run(&mut self, team: &Team) -> Result<Checksum, String> {
        let line = self.workload.command_line(team.threads(), self.size);
        let mut command = if CommandWorkload::needs_shell(&line) {
            let mut c = Command::new("sh");
            c.arg("-c").arg(&line);
            c
        } else {
            let mut words = line.split_whitespace();
            let mut c = Command::new(words.next().unwrap_or("true"));
            c.args(words);
            c
        };
        command.stdout(if self.workload.check_output { Stdio::piped() } else { Stdio::null() });
        let deadline = self.timeout.map(|t| (self.deadline.get_or_insert_with(Deadline::new) as &Deadline, t));
        let polled = match self.poll {
            Polling::Next(cpus) => Some(cpus),
            Polling::Off | Polling::Done(_) => None,
        };
        // Armed on this thread right before the spawn: the command inherits the events.
        let sampler = polled.map(|_| CommandSampling::arm());
        let spawned = Instant::now();
        let mut run = Grouped::spawn(command, deadline).map_err(|e| format!("cannot start `{line}`: {e}"))?;
        let poller = polled.map(|cpus| Poller::start(run.group, spawned, cpus));
        let stdout = run.child.stdout.take().map(hash_stream);
        let ended = match poller {
            Some(poller) => {
                // The last poll sees the command exited but not reaped: its own threads' last
                // slices count.
                run.wait_unreaped();
                let samples = sampler.map(CommandSampling::finish).unwrap_or_default();
                let poll = poller
                    .map_err(|e| format!("cannot start the poller: {e}"))
                    .and_then(Poller::finish)
                    .map(|poll| TreePoll { samples, ..poll });
                self.poll = Polling::Done(Box::new(poll));
                run.wait(deadline.map(|(d, _)| d))
            }
            None => run.wait(deadline.map(|(d, _)| d)),
        };
        self.stderr = Some(run.stderr);
        let status = ended.status.map_err(|e| format!("cannot wait for `{line}`: {e}"))?;
        if ended.timed_out {
            let after = self.timeout.map(|t| format!("{:.3} s", t.as_secs_f64())).unwrap_or_default();
            return Err(format!("`{line}` timed out after {after} (--timeout); its process group was killed"));
        }
        if !status.success() {
            let tail = self.stderr.take().map(|t| t.text(OUTPUT_GRACE)).unwrap_or_default();
            return Err(format!("`{line}` failed ({status}){}", said(&tail)));
        }
        match stdout.map(|hash| hash.recv_timeout(OUTPUT_GRACE)) {
            None => Ok(Checksum::of_u64s([])),
            Some(Ok(Ok(hash))) => Ok(hash),
            Some(Ok(Err(e))) => Err(format!("`{line}`: cannot read its standard output ({e})")),
            Some(Err(_)) => Err(format!(
                "`{line}` exited, but a process it started outside its process group still holds its standard output, so the output cannot be checked"
            )),
        }
    }

    fn bytes_per_run(&self) -> Option<u64> {
        self.workload.bytes_at(self.size)
    }

    fn poll_next_run(&mut self, cpus: usize) -> bool {
        self.poll = Polling::Next(cpus);
        cfg!(target_os = "linux")
    }

    fn take_poll(&mut self) -> Option<Result<TreePoll, String>> {
        match std::mem::replace(&mut self.poll, Polling::Off) {
            Polling::Done(poll) => Some(*poll),
            Polling::Off | Polling::Next(_) => None,
        }
    }

    fn after_run(&mut self) -> Option<String> {
        let tail = self.stderr.take()?;
        (!tail.closed_within(LINGER_GRACE)).then(|| {
            format!(
                "`{}` left a process running that holds its standard error (started outside its process group, e.g. with setsid); it is not stopped, and each run ended at the command's own exit",
                self.workload.template
            )
        })
    }
}

/// A child in a process group of its own, registered so that [`kill_running_commands`] and a
/// deadline can kill the whole group; its standard error read on a thread of its own.
struct Grouped {
    child: Child,
    group: i32,
    stderr: Tail,
}

/// How a grouped child ended.
struct Ended {
    status: std::io::Result<std::process::ExitStatus>,
    timed_out: bool,
}

impl Grouped {
    /// Starts `command` (standard input empty, standard error piped) in a new process group, with
    /// `deadline` armed for its timeout.
    fn spawn(mut command: Command, deadline: Option<(&Deadline, Duration)>) -> std::io::Result<Grouped> {
        command.stdin(Stdio::null()).stderr(Stdio::piped()).process_group(0);
        let mut child = command.spawn()?;
        let group = child.id() as i32;
        if let Ok(mut running) = RUNNING.lock() {
            running.push(group);
            // Under the lock that `kill_running_commands` takes: either it sees this group, or
            // this sees that it ran.
            if STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
                kill_group(group);
            }
        }
        if let Some((deadline, timeout)) = deadline {
            deadline.arm(group, timeout);
        }
        let stderr = Tail::read(child.stderr.take());
        Ok(Grouped { child, group, stderr })
    }

    /// Waits for the child's exit without reaping it (its `/proc` entry stays for a last poll).
    fn wait_unreaped(&self) {
        #[cfg(target_os = "linux")]
        loop {
            // SAFETY: waitid writes one siginfo_t into the zeroed value we own; WNOWAIT leaves
            // the child to `Child::wait`.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            let rc = unsafe {
                libc::waitid(libc::P_PID, self.child.id() as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT)
            };
            if rc == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                break;
            }
        }
    }

    /// Waits for the child's exit (not for its pipes), disarms the `deadline` it was spawned
    /// with, then kills what it left in its group.
    fn wait(&mut self, deadline: Option<&Deadline>) -> Ended {
        let status = self.child.wait();
        let timed_out = deadline.is_some_and(Deadline::disarm);
        if let Ok(mut running) = RUNNING.lock() {
            running.retain(|&g| g != self.group);
        }
        // Whatever the command left in its group (background jobs) goes with it.
        kill_group(self.group);
        Ended { status, timed_out }
    }
}

/// The last [`STDERR_TAIL`] bytes of a pipe, read on a thread of its own until the pipe closes.
struct Tail {
    text: Arc<Mutex<Vec<u8>>>,
    closed: Receiver<()>,
}

impl Tail {
    fn read(pipe: Option<impl Read + Send + 'static>) -> Tail {
        let text = Arc::new(Mutex::new(Vec::new()));
        let (done, closed) = std::sync::mpsc::channel();
        let kept = Arc::clone(&text);
        let reader = move || {
            if let Some(mut pipe) = pipe {
                let mut buffer = [0u8; 8192];
                while let Ok(n) = pipe.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut tail) = kept.lock() {
                        tail.extend_from_slice(&buffer[..n]);
                        let excess = tail.len().saturating_sub(STDERR_TAIL);
                        tail.drain(..excess);
                    }
                }
            }
            let _ = done.send(());
        };
        if std::thread::Builder::new().name("command-stderr".into()).spawn(reader).is_err() {
            // No thread: the pipe is dropped unread (the command then sees EPIPE on stderr).
        }
        Tail { text, closed }
    }

    /// Whether the pipe closed within `wait`.
    fn closed_within(&self, wait: Duration) -> bool {
        !matches!(self.closed.recv_timeout(wait), Err(RecvTimeoutError::Timeout))
    }

    /// The text kept, after waiting at most `wait` for the pipe to close.
    fn text(&self, wait: Duration) -> String {
        self.closed_within(wait);
        let bytes = self.text.lock().map(|t| t.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Hashes a pipe as a stream, on a thread of its own: 8-byte big-endian words (the last one
/// shorter), then the length; the same fingerprint as hashing the whole output at once.
fn hash_stream(mut pipe: impl Read + Send + 'static) -> Receiver<std::io::Result<Checksum>> {
    let (send, receive) = std::sync::mpsc::channel();
    let hasher = move || {
        let (mut state, mut word, mut in_word, mut length) = (SEED, 0u64, 0usize, 0u64);
        let mut buffer = [0u8; 65536];
        let result = loop {
            match pipe.read(&mut buffer) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    length += n as u64;
                    for &b in &buffer[..n] {
                        word = (word << 8) | u64::from(b);
                        in_word += 1;
                        if in_word == 8 {
                            state = mix(state, word);
                            (word, in_word) = (0, 0);
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        if in_word > 0 {
            state = mix(state, word);
        }
        let _ = send.send(result.map(|()| Checksum(mix(state, length))));
    };
    if let Err(e) = std::thread::Builder::new().name("command-stdout".into()).spawn(hasher) {
        let (send, failed) = std::sync::mpsc::channel();
        let _ = send.send(Err(e));
        return failed;
    }
    receive
}

/// `: ` and what a failed process said on standard error, or nothing when it said nothing (no
/// trailing colon).
fn said(stderr: &str) -> String {
    let stderr = stderr.trim();
    if stderr.is_empty() { String::new() } else { format!(": {stderr}") }
}

/// Runs a `--setup`, `--prepare` or `--cleanup` hook with `sh -c`, untimed, like a command: in a
/// process group of its own (killed on Ctrl-C by [`kill_running_commands`], and with everything it
/// left behind when it ends), bounded by `timeout`, its standard error's tail in the error. `Ok`
/// carries a warning when the hook left a process running outside its group (one that holds its
/// standard error half a second after the hook exited, as `setsid daemon &` does).
pub fn run_hook(hook: &str, timeout: Option<Duration>) -> Result<Option<String>, String> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(hook).stdout(Stdio::null());
    let deadline = timeout.map(|_| Deadline::new());
    let armed = deadline.as_ref().zip(timeout);
    let mut run = Grouped::spawn(command, armed).map_err(|e| format!("cannot start `sh -c {hook}`: {e}"))?;
    let ended = run.wait(deadline.as_ref());
    let status = ended.status.map_err(|e| format!("cannot wait for `{hook}`: {e}"))?;
    if ended.timed_out {
        let after = timeout.map(|t| format!("{:.3} s", t.as_secs_f64())).unwrap_or_default();
        return Err(format!("`{hook}` timed out after {after} (--timeout); its process group was killed"));
    }
    if status.success() {
        Ok((!run.stderr.closed_within(LINGER_GRACE)).then(|| {
            format!(
                "`{hook}` left a process running that holds its standard error (started outside its process group, e.g. with setsid); it is not stopped"
            )
        }))
    } else {
        Err(format!("`{hook}` ({status}){}", said(&run.stderr.text(OUTPUT_GRACE))))
    }
}

/// The `perf_event` sampling of one profile run of a command (`command_samples`), or why there is
/// none: commands are sampled by `perf_event` alone (a timer of ours cannot interrupt another
/// process).
enum CommandSampling {
    #[cfg(all(feature = "perf-event2", target_os = "linux"))]
    Armed(crate::command_samples::CommandSampler),
    Refused(String),
}

impl CommandSampling {
    fn arm() -> CommandSampling {
        if let Err(why) = crate::perf_event_allowed() {
            return CommandSampling::Refused(why);
        }
        let Some(interval_ns) = crate::team::sampler::interval_ns() else {
            return CommandSampling::Refused("sampling is off (AMDAHL_SAMPLE_NS=0)".into());
        };
        #[cfg(all(feature = "perf-event2", target_os = "linux"))]
        return match crate::command_samples::CommandSampler::arm(interval_ns) {
            Ok(armed) => CommandSampling::Armed(armed),
            Err(why) => CommandSampling::Refused(why),
        };
        #[cfg(not(all(feature = "perf-event2", target_os = "linux")))]
        CommandSampling::Refused(format!("perf_event at {interval_ns} ns is not built in"))
    }

    fn finish(self) -> Samples {
        match self {
            #[cfg(all(feature = "perf-event2", target_os = "linux"))]
            CommandSampling::Armed(armed) => armed.finish(),
            CommandSampling::Refused(why) => Samples {
                source: crate::Source::PerfEvent,
                perf_event: Some(why.clone()),
                unavailable: Some(format!("a command is sampled by perf_event alone, which is not used: {why}")),
                ..Samples::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Backend;

    fn team(j: usize) -> Team {
        Team::new(j, Backend::Threads).unwrap()
    }

    #[test]
    fn a_failure_that_said_nothing_leaves_no_trailing_colon() {
        let err = run_hook("exit 3", None).unwrap_err();
        assert!(err.ends_with("(exit status: 3)"), "{err}");
        let err = run_hook("echo broke >&2; exit 3", None).unwrap_err();
        assert!(err.ends_with("(exit status: 3): broke"), "{err}");
        assert_eq!(said("  \n"), "");
    }

    #[test]
    fn substitutes_and_runs_directly_or_through_the_shell() {
        let direct = &CommandWorkload::new("true {threads}", "t", Kind::Parallel, false);
        assert_eq!(direct.command_line(4, 1), "true 4");
        assert!(!CommandWorkload::needs_shell("xz -T4 -c big.bin"));
        assert!(CommandWorkload::needs_shell("seq 10 | wc -l"));
        let params = Params::defaults(direct).unwrap();
        assert!(direct.prepare(&params).unwrap().try_run(&team(2)).is_ok());
        assert!(direct.warnings(&params).is_empty());
    }

    #[test]
    fn declared_tasks_and_bytes_become_parallelism_and_bytes_per_run() {
        let plain = &CommandWorkload::new("true {threads}", "t", Kind::MemoryBound, false);
        let params = Params::defaults(plain).unwrap();
        assert_eq!(plain.parallelism(&params), None);
        assert_eq!(plain.prepare(&params).unwrap().bytes_per_run(), None);
        let declared = &plain.clone().with_tasks(3).with_bytes(1 << 20);
        assert_eq!(declared.parallelism(&params), Some(3));
        assert_eq!(declared.prepare(&params).unwrap().bytes_per_run(), Some(1 << 20));
        // Weak scaling and --target-ms change the size: without {size} the command does not.
        let mut bigger = params.clone();
        bigger.set("size", 4.0);
        assert_eq!(declared.prepare(&bigger).unwrap().bytes_per_run(), Some(1 << 20));
        assert_eq!(declared.parallelism(&bigger), Some(3));
        let sized = &CommandWorkload::new("stream -n {size} -t {threads}", "s", Kind::MemoryBound, false)
            .with_bytes(24)
            .named("stream");
        assert_eq!(sized.prepare(&bigger).unwrap().bytes_per_run(), Some(96));
        assert_eq!(sized.bytes_at(u64::MAX), Some(u64::MAX));
    }

    #[test]
    fn checked_output_is_the_same_at_every_j_when_the_program_is_right() {
        let echo = &CommandWorkload::new("seq 1 {size} | sort -n --parallel={threads}", "sort", Kind::Parallel, true);
        let mut params = Params::defaults(echo).unwrap();
        params.set("size", 1000.0);
        let mut instance = echo.prepare(&params).unwrap();
        let one = instance.try_run(&team(1)).unwrap();
        assert_eq!(instance.try_run(&team(3)).unwrap(), one);
    }

    #[test]
    fn a_run_past_its_timeout_is_killed_with_its_process_group() {
        let dir = std::env::temp_dir().join(format!("amdahl-timeout-test-{}", std::process::id()));
        let marker = dir.with_extension("marker");
        // The command starts a grandchild that would write the marker after 3 s.
        let template = format!("sh -c 'sleep 3 && touch {} & sleep 30'", marker.display());
        let hung = &CommandWorkload::new(&template, "hung", Kind::Parallel, false);
        let mut instance = hung.prepare(&Params::defaults(hung).unwrap()).unwrap();
        instance.set_timeout(Some(Duration::from_millis(200)));
        let err = instance.try_run(&team(1)).unwrap_err();
        assert!(err.contains("timed out after 0.200 s"), "{err}");
        std::thread::sleep(Duration::from_millis(3300));
        assert!(!marker.exists(), "the grandchild survived the kill");
        assert!(RUNNING.lock().unwrap().is_empty());
    }

    #[test]
    fn failure_reports_the_tail_of_stderr() {
        let failing = &CommandWorkload::new("sh -c 'echo broken pipe dream >&2; exit 3'", "f", Kind::Parallel, false);
        let mut instance = failing.prepare(&Params::defaults(failing).unwrap()).unwrap();
        let err = instance.try_run(&team(1)).unwrap_err();
        assert!(err.contains("broken pipe dream") && err.contains("exit status: 3"), "{err}");
        assert_eq!(failing.warnings(&Params::defaults(failing).unwrap()).len(), 1);
        let missing = &CommandWorkload::new("no-such-program-amdahl {threads}", "m", Kind::Parallel, false);
        assert!(
            missing
                .prepare(&Params::defaults(missing).unwrap())
                .unwrap()
                .try_run(&team(1))
                .unwrap_err()
                .contains("cannot start")
        );
        assert_eq!(missing.program().as_deref(), Some("no-such-program-amdahl"));
    }
}
