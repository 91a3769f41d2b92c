//! Suites: a JSON list of workloads to run together, built-ins with parameters or commands, each
//! with its own thread set and an optional set-up command run once before it is measured.
//!
//! ```json
//! [
//!   {"workload": "primes"},
//!   {"workload": "sleep:serial=0.2", "threads": "1-32"},
//!   {"cmd": "xz -T{threads} -3 -c data.txt", "name": "xz", "kind": "parallel",
//!    "setup": "seq 1 2000000 > data.txt", "threads": "1-N"}
//! ]
//! ```
//! Fields: exactly one of `workload` (a built-in, `name:k=v,...`) or `cmd` (a command with
//! `{threads}`); optional `name` and `kind` (commands), `threads` (the `--threads` grammar; default:
//! `--threads`, else the kind's default), `setup` (run with `sh -c` before measuring, untimed), and
//! `check_output` (commands).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// One entry of a suite file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
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
    #[serde(default)]
    pub check_output: bool,
}

/// Reads a suite file.
pub fn read_suite(path: &Path) -> Result<Vec<SuiteEntry>> {
    // Under the input cap, and never from a FIFO or device (`--suite /dev/zero`).
    let text = crate::input::read_text(path, crate::input::InputLimit::DEFAULT)?;
    let bad = |message: String| Error::Data { path: path.to_owned(), message };
    let entries: Vec<SuiteEntry> = serde_json::from_str(&text).map_err(|e| {
        bad(format!("not a suite: a JSON list of workloads (line {}, column {}): {e}", e.line(), e.column()))
    })?;
    if entries.is_empty() {
        return Err(bad("the suite is empty".into()));
    }
    for (i, entry) in entries.iter().enumerate() {
        if entry.workload.is_some() == entry.cmd.is_some() {
            return Err(bad(format!("entry {i}: give exactly one of `workload` and `cmd`")));
        }
    }
    Ok(entries)
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
        ] {
            let path = dir.path().join("s.json");
            std::fs::write(&path, text).unwrap();
            let err = read_suite(&path).unwrap_err();
            assert_eq!(err.exit_code(), 65);
            assert!(err.to_string().contains(want), "{err}");
        }
    }
}
