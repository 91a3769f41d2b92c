//! Helpers of the integration tests: run the `measure` binary (a small run built by [`Run`],
//! a command in the background), wait for it within a hang guard, and read what it did (its
//! output, the JSON it wrote, the warnings in it).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `measure` binary, its ceilings cache in the tests' own temporary folder (never the user's),
/// and no rerun history (`machine::rerun_history`): one test's runs must not widen another's
/// intervals. The test that wants a history gives it a folder of its own.
pub fn measure_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_measure"));
    command.env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR")).env("AMDAHL_RERUNS", "0");
    command
}

/// `measure run` with two rounds at j = 1, 2 and no progress: add `-w`, `--out` and the rest.
pub const TWO_ROUNDS: &[&str] = &["run", "-t", "1,2", "--min-rounds", "2", "--max-rounds", "2", "-q"];

/// `TWO_ROUNDS` followed by `more`.
pub fn two_rounds<'a>(more: &[&'a str]) -> Vec<&'a str> {
    TWO_ROUNDS.iter().copied().chain(more.iter().copied()).collect()
}

/// Runs `measure` with `args` in `dir`, without a terminal.
pub fn measure_in(dir: &Path, args: &[&str]) -> Output {
    measure_command().args(args).current_dir(dir).output().expect("the measure binary runs")
}

/// Runs `measure` with `args` in a scratch folder.
pub fn measure(args: &[&str]) -> Output {
    measure_in(&std::env::temp_dir(), args)
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts the exit code and that stderr mentions every one of `parts`.
pub fn assert_refused(out: &Output, code: i32, parts: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    for part in parts {
        assert!(err.contains(part), "stderr lacks `{part}`: {err}");
    }
    assert!(!err.contains("panicked"), "panicked: {err}");
}

/// Waits (at most 60 s, a hang guard) until process `pid` catches `signal` (its bit in `SigCgt`
/// of `/proc/PID/status`): a signal sent before the process installed its handlers would end it
/// by the default action, or be lost when it started with the signal ignored. Tests that signal
/// a child wait for this rather than sleeping a guessed time, so a loaded machine cannot fail them.
pub fn wait_until_catching(pid: u32, signal: i32) {
    let start = std::time::Instant::now();
    let bit = 1u64 << (signal - 1);
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & bit != 0);
        if caught {
            return;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "process {pid} never caught signal {signal}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A run of `measure` built step by step: by default `-t 1,2`, two rounds (min and max), no
/// progress or table (`-q`, unless `shown`), in a scratch folder. `output` runs it; `json` runs it, checks that it
/// succeeded and reads the results file it wrote.
#[derive(Debug, Clone)]
pub struct Run {
    workloads: Vec<String>,
    threads: String,
    rounds: usize,
    out: Option<PathBuf>,
    more: Vec<String>,
    dir: PathBuf,
    quiet: bool,
}

impl Run {
    /// `measure run -w WORKLOAD -t 1,2 --min-rounds 2 --max-rounds 2 -q`.
    pub fn of(workload: &str) -> Run {
        Run::of_all(&[workload])
    }

    /// The same with a `-w` for each of `workloads`.
    pub fn of_all(workloads: &[&str]) -> Run {
        Run {
            workloads: workloads.iter().map(|w| (*w).to_owned()).collect(),
            threads: "1,2".to_owned(),
            rounds: 2,
            out: None,
            more: Vec::new(),
            dir: std::env::temp_dir(),
            quiet: true,
        }
    }

    /// `-t`.
    pub fn threads(mut self, threads: &str) -> Run {
        self.threads = threads.to_owned();
        self
    }

    /// `--min-rounds` and `--max-rounds`.
    pub fn rounds(mut self, rounds: usize) -> Run {
        self.rounds = rounds;
        self
    }

    /// `--out`.
    pub fn out(mut self, path: &Path) -> Run {
        self.out = Some(path.to_owned());
        self
    }

    /// More flags, after the others.
    pub fn args(mut self, more: &[&str]) -> Run {
        self.more.extend(more.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Without `-q`: the progress and the table are shown.
    pub fn shown(mut self) -> Run {
        self.quiet = false;
        self
    }

    /// Run in `dir`.
    pub fn in_dir(mut self, dir: &Path) -> Run {
        self.dir = dir.to_owned();
        self
    }

    /// The command line after `measure`.
    pub fn command_line(&self) -> Vec<String> {
        let mut args = vec!["run".to_owned()];
        for w in &self.workloads {
            args.extend(["-w".to_owned(), w.clone()]);
        }
        let rounds = self.rounds.to_string();
        args.extend(["-t", &self.threads, "--min-rounds", &rounds, "--max-rounds", &rounds].map(str::to_owned));
        if self.quiet {
            args.push("-q".to_owned());
        }
        if let Some(out) = &self.out {
            args.extend(["--out".to_owned(), out.to_str().unwrap().to_owned()]);
        }
        args.extend(self.more.iter().cloned());
        args
    }

    /// Runs it.
    pub fn output(&self) -> Output {
        measure_command().args(self.command_line()).current_dir(&self.dir).output().expect("the measure binary runs")
    }

    /// Starts it in the background (see [`spawn`]).
    pub fn spawn(&self) -> Child {
        spawn(measure_command().args(self.command_line()).current_dir(&self.dir))
    }

    /// Runs it, asserts that it succeeded, and reads the results file (`--out`).
    pub fn json(&self) -> (Output, Value) {
        let out = self.output();
        assert!(out.status.success(), "{:?}: {}", self.command_line(), stderr(&out));
        let path = self.out.as_deref().expect("a run whose results are read has --out");
        (out, read_json(path))
    }
}

/// A quick sweep of `sleep` writing to `out`, with `more` flags.
pub fn quick_run<'a>(out: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "-w", "sleep:ms=1,size=4", "-t", "1,2", "--min-rounds", "2", "--max-rounds", "2"];
    args.extend(["-q", "--no-ceilings", "--out", out]);
    args.extend(more);
    args
}

/// A committed results file (`results/reference/`): a sweep of `synthetic:b=0.25`.
pub fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("results/reference/2026-11-25-vm16-xeon-synthetic-b025.json")
}

/// A small complete results file made by a real run (three rounds at j = 1, 2), at
/// `dir/small.json`.
pub fn small_results(dir: &Path) -> PathBuf {
    let path = dir.join("small.json");
    Run::of("synthetic:size=100000").rounds(3).out(&path).json();
    path
}

/// A path as the `&str` a command line takes.
pub fn str_path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The JSON of the file at `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The `warnings` of a results file (or of `measure machine --json`).
pub fn warnings_of(value: &Value) -> Vec<String> {
    value["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_owned()).collect()
}

/// Starts `command` with no standard input and its output captured.
pub fn spawn(command: &mut Command) -> Child {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("measure starts")
}

/// `measure` with `args` started in the background in `dir`.
pub fn spawn_in(dir: &Path, args: &[&str]) -> Child {
    spawn(measure_command().args(args).current_dir(dir))
}

/// Sends `signal` to `child`.
pub fn signal(child: &Child, signal: i32) {
    // SAFETY: kill sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

/// Polls `path` until `ready` holds for its JSON (at most 60 s).
pub fn wait_for(path: &Path, ready: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        if let Some(json) = std::fs::read(path).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            && ready(&json)
        {
            return json;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{} never became ready", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for `child` at most `bound` (a hang guard): its output, or a panic naming `what`.
pub fn finish_within(mut child: Child, bound: Duration, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > bound {
            let _ = child.kill();
            panic!("{what}: still running after {bound:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Makes a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a NUL-terminated path in a temporary folder of ours.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Whether the tests run as root (and so may run the binary as `nobody`).
pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs `command` as `nobody` (uid and gid 65534), with at most `tasks` processes and threads of
/// that user when given.
pub fn as_nobody(command: &mut Command, tasks: Option<u64>) {
    // SAFETY: between fork and exec only async-signal-safe calls: setrlimit, setgroups, setgid,
    // setuid.
    unsafe {
        command.pre_exec(move || {
            if let Some(n) = tasks {
                let limit = libc::rlimit { rlim_cur: n, rlim_max: n };
                if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Threads now running as `nobody` (they count against its process limit).
pub fn tasks_of_nobody() -> u64 {
    let mut tasks = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let status: PathBuf = entry.path().join("status");
        let Ok(text) = std::fs::read_to_string(status) else { continue };
        let field = |name: &str| text.lines().find(|l| l.starts_with(name)).map(str::to_owned);
        let nobody = field("Uid:").is_some_and(|l| l.split_whitespace().nth(1) == Some("65534"));
        if nobody {
            tasks += field("Threads:").and_then(|l| l.split_whitespace().nth(1)?.parse().ok()).unwrap_or(1);
        }
    }
    tasks
}
