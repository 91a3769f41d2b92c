//! Suites: a JSON list of workloads to run together, built-ins with parameters or commands, each
//! with its own thread set and an optional set-up command run once before it is measured.
//!
//! ```json
//! [
//!   {"workload": "primes"},
//!   {"workload": "sleep:serial=0.2", "threads": "1-32"},
//!   {"cmd": "xz -T{threads} -3 -c data.txt", "name": "xz", "kind": "parallel",
//!    "setup": "seq 1 2000000 > data.txt", "threads": "1-N"},
//!   {"cmd": "make -s -B -j{threads}", "name": "make", "tasks": 16},
//!   {"cmd": "./stream -t {threads}", "kind": "memory-bound", "bytes": "2G"}
//! ]
//! ```
//! Fields: exactly one of `workload` (a built-in, `name:k=v,...`) or `cmd` (a command with
//! `{threads}`); optional `name` and `kind` (commands), `threads` (the `--threads` grammar; default:
//! `--threads`, else the kind's default), `setup` (run with `sh -c` before measuring, untimed),
//! `check_output` (commands), and what a command declares about itself, as `--tasks` and `--bytes`
//! do: `tasks`, its independent tasks per run (a JSON integer from 1 to 2^32), and `bytes`, what
//! one run moves to and from memory (a JSON integer, or a string with K, M or G such as `"1G"`).
//!
//! [`read_suite`] checks every entry and returns them typed; a refusal is bad data (exit 65)
//! naming the file, the entry's index and the key. Unknown keys are refused, and so are `tasks`
//! and `bytes` on a built-in `workload` entry: built-ins know their own.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::quantity::{MAX_TASKS, parse_bytes, parse_tasks};

/// One entry of a suite file, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SuiteEntry {
    /// A built-in workload with parameters.
    pub workload: Option<String>,
    /// A command.
    pub cmd: Option<String>,
    /// The command's name.
    pub name: Option<String>,
    /// The command's kind.
    pub kind: Option<String>,
    /// Thread counts.
    pub threads: Option<String>,
    /// A set-up command, run once before measuring.
    pub setup: Option<String>,
    /// Hash the command's output at every j.
    pub check_output: bool,
    /// The command's independent tasks per run (`tasks`), 1 to 2^32.
    pub tasks: Option<usize>,
    /// Bytes one run of the command moves to and from memory (`bytes`), at least 1.
    pub bytes: Option<u64>,
}

/// An entry as written in the file, its numbers not yet checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    workload: Option<String>,
    cmd: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    threads: Option<String>,
    setup: Option<String>,
    #[serde(default)]
    check_output: bool,
    tasks: Option<Value>,
    bytes: Option<Value>,
}

/// Reads a suite file.
pub fn read_suite(path: &Path) -> Result<Vec<SuiteEntry>> {
    // Under the input cap, and never from a FIFO or device (`--suite /dev/zero`).
    let text = crate::input::read_text(path, crate::input::InputLimit::DEFAULT)?;
    let bad = |message: String| Error::Data { path: path.to_owned(), message };
    let entries: Vec<RawEntry> = serde_json::from_str(&text).map_err(|e| {
        bad(format!("not a suite: a JSON list of workloads (line {}, column {}): {e}", e.line(), e.column()))
    })?;
    if entries.is_empty() {
        return Err(bad("the suite is empty".into()));
    }
    entries.into_iter().enumerate().map(|(i, raw)| checked(raw).map_err(|e| bad(format!("entry {i}: {e}")))).collect()
}

/// One entry's checks, its refusals naming the key.
fn checked(raw: RawEntry) -> std::result::Result<SuiteEntry, String> {
    if raw.workload.is_some() == raw.cmd.is_some() {
        return Err("give exactly one of `workload` and `cmd`".into());
    }
    if let Some(workload) = &raw.workload {
        for (key, given) in [("tasks", raw.tasks.is_some()), ("bytes", raw.bytes.is_some())] {
            if given {
                return Err(format!(
                    "`{key}` is for `cmd` entries: the built-in workload `{workload}` knows its own {}",
                    if key == "tasks" { "task count" } else { "bytes per run" }
                ));
            }
        }
    }
    let tasks = raw
        .tasks
        .map(|v| match v {
            Value::Number(n) => parse_tasks("tasks", &n.to_string()),
            other => Err(Error::usage("tasks", other, format!("is not a whole number from 1 to {MAX_TASKS}"))),
        })
        .transpose()
        .map_err(|e| e.to_string())?;
    let bytes = raw
        .bytes
        .map(|v| match v {
            Value::Number(n) => parse_bytes("bytes", &n.to_string()),
            Value::String(s) => parse_bytes("bytes", &s),
            other => Err(Error::usage(
                "bytes",
                other,
                "is not a size (a whole number of bytes, or a string such as \"512MiB\")",
            )),
        })
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(SuiteEntry {
        workload: raw.workload,
        cmd: raw.cmd,
        name: raw.name,
        kind: raw.kind,
        threads: raw.threads,
        setup: raw.setup,
        check_output: raw.check_output,
        tasks,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_suite() {
        let dir = tempfile::tempdir().unwrap();
        for (text, want) in [
            ("{}", "not a suite"),
            ("[]", "empty"),
            ("[{\"workload\": \"primes\", \"cmd\": \"x\"}]", "entry 0: give exactly one"),
            ("[{\"workload\": \"primes\", \"speed\": 1}]", "unknown field"),
            ("[{\"cmd\": \"true\", \"task\": 3}]", "unknown field `task`"),
            ("[{\"workload\": \"primes\", \"tasks\": 4}]", "entry 0: `tasks` is for `cmd` entries"),
            (
                "[{\"cmd\": \"true\"}, {\"workload\": \"triad\", \"bytes\": \"1M\"}]",
                "entry 1: `bytes` is for `cmd` entries: the built-in workload `triad` knows its own",
            ),
            (
                "[{\"cmd\": \"true\", \"tasks\": 0}]",
                "entry 0: tasks: `0` is out of range (a whole number from 1 to 4294967296)",
            ),
            ("[{\"cmd\": \"true\", \"tasks\": 4294967297}]", "entry 0: tasks: `4294967297` is out of range"),
            ("[{\"cmd\": \"true\", \"tasks\": -2}]", "entry 0: tasks: `-2` is not a task count"),
            ("[{\"cmd\": \"true\", \"tasks\": 2.5}]", "entry 0: tasks: `2.5` is not a task count"),
            ("[{\"cmd\": \"true\", \"tasks\": \"3\"}]", "entry 0: tasks: `\"3\"` is not a whole number"),
            ("[{\"cmd\": \"true\", \"bytes\": 0}]", "entry 0: bytes: `0` is zero (at least 1 byte)"),
            ("[{\"cmd\": \"true\", \"bytes\": \"-1M\"}]", "entry 0: bytes: `-1M` is not a size"),
            ("[{\"cmd\": \"true\", \"bytes\": \"lots\"}]", "entry 0: bytes: `lots` is not a size"),
            ("[{\"cmd\": \"true\", \"bytes\": true}]", "entry 0: bytes: `true` is not a size"),
        ] {
            let path = dir.path().join("s.json");
            std::fs::write(&path, text).unwrap();
            let err = read_suite(&path).unwrap_err();
            assert_eq!(err.exit_code(), 65);
            assert!(err.to_string().contains(want), "{err}");
        }
    }

    #[test]
    fn commands_declare_their_tasks_and_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let text = r#"[{"cmd": "a {threads}", "tasks": 16, "bytes": "1M"},
                       {"cmd": "b {threads}", "bytes": 4096, "tasks": 4294967296},
                       {"cmd": "c {threads}", "tasks": null},
                       {"workload": "primes"}]"#;
        std::fs::write(&path, text).unwrap();
        let entries = read_suite(&path).unwrap();
        let declared: Vec<_> = entries.iter().map(|e| (e.tasks, e.bytes)).collect();
        assert_eq!(declared, [(Some(16), Some(1 << 20)), (Some(1 << 32), Some(4096)), (None, None), (None, None)]);
    }
}
