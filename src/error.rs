//! The library's error type. Every variant names what went wrong with which flag, file, workload or
//! value, and maps to one of the exit codes (README.md, "Exit codes").

use std::path::PathBuf;

/// Exit codes (README.md, "Exit codes"; BSD sysexits for 65 and 74).
pub mod exit_code {
    /// Everything went well.
    pub const OK: u8 = 0;
    /// The run finished, but at least one workload failed (panicked or gave a wrong checksum).
    pub const WORKLOAD_FAILED: u8 = 1;
    /// Bad flag or value.
    pub const USAGE: u8 = 2;
    /// Bad data: a file that is not ours, malformed, or of an unsupported version.
    pub const DATA: u8 = 65;
    /// Internal software error (a value that cannot be encoded).
    pub const SOFTWARE: u8 = 70;
    /// Input/output error.
    pub const IO: u8 = 74;
    /// A sample of in-process work outlived `--timeout` (as GNU `timeout` reports it).
    pub const TIMEOUT: u8 = 124;
    /// Interrupted by SIGINT (Ctrl-C); SIGTERM gives 143 and SIGHUP 129 (128 + the signal: a
    /// stopped run is no error, `app::signals` gives the code).
    pub const INTERRUPTED: u8 = 130;
}

/// What can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag's value was refused.
    #[error("{flag}: `{value}` {reason}")]
    Usage {
        /// The flag, e.g. `--threads`.
        flag: String,
        /// The value given.
        value: String,
        /// Why, with the limit.
        reason: String,
    },
    /// A workload spec (name or parameter) was refused.
    #[error("--workload: {0}")]
    Workload(#[from] amdahl_workloads::SpecError),
    /// A value could not be encoded as JSON (a bug: every type we encode is plain data).
    #[error("cannot encode {what} as JSON: {source}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The cause.
        source: serde_json::Error,
    },
    /// A file could not be read or written.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What we were doing.
        action: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// A file's contents were refused.
    #[error("{path}: {message}")]
    Data {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the position.
        message: String,
    },
    /// An output path is not something we write: a symbolic link, a folder, a device or FIFO.
    #[error("{path}: {what}")]
    UnsafeTarget {
        /// The path.
        path: PathBuf,
        /// What it is and what to do instead.
        what: String,
    },
    /// The output file exists and `--force` was not given.
    #[error("{0}: already exists; choose another name or add --force to overwrite")]
    WouldOverwrite(PathBuf),
    /// A workload failed outside a sweep (the timing of `--dry-run`).
    #[error("{0}")]
    WorkloadFailed(String),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage { .. } | Error::Workload(_) | Error::WouldOverwrite(_) | Error::UnsafeTarget { .. } => {
                exit_code::USAGE
            }
            Error::Encode { .. } => exit_code::SOFTWARE,
            Error::Io { .. } => exit_code::IO,
            Error::Data { .. } => exit_code::DATA,
            Error::WorkloadFailed(_) => exit_code::WORKLOAD_FAILED,
        }
    }

    /// A usage error for `flag`.
    pub fn usage(flag: &str, value: impl ToString, reason: impl Into<String>) -> Error {
        Error::Usage { flag: flag.to_owned(), value: value.to_string(), reason: reason.into() }
    }

    /// An I/O error on `path`; a file that is not UTF-8 text is bad data (65), not I/O.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::InvalidData {
            return Error::Data { path: path.into(), message: format!("{action}: not UTF-8 text ({source})") };
        }
        Error::Io { path: path.into(), action, source }
    }
}

impl Error {
    /// An encoding error while encoding `what`.
    pub fn encode(what: &'static str) -> impl FnOnce(serde_json::Error) -> Error {
        move |source| Error::Encode { what, source }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
