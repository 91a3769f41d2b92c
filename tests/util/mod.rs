#![allow(dead_code)] // each test crate uses some of these helpers

//! Helpers for the integration tests: run the `measure` binary and look at what it did.

use std::path::Path;
use std::process::{Command, Output};

/// The `measure` binary, its ceilings cache in the tests' own temporary folder (never the user's).
pub fn measure_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_measure"));
    command.env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"));
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
