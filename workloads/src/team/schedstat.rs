//! Each worker's run-queue wait from the kernel: `/proc/self/task/TID/schedstat`.
//!
//! The file holds three numbers: time on a CPU, time **waiting on a run queue** (runnable, not
//! running: `run_delay`) and timeslices, the first two in nanoseconds. It is readable without
//! privileges for the process's own threads. The first number of a running thread lags (it is
//! brought up to date at ticks and switches: a thread spinning for half a second on this
//! project's VM read 1.4 ms), so on-CPU time comes from the thread's CPU clock, and only the
//! wait is read here, at the ends of a window in which the workers have stopped (a wait is
//! counted when the thread next runs, so none is pending then).
//!
//! The files are opened at a team's first profile run and read with `pread` (0.8 us each on a 2-CPU VM). The
//! probe says why the wait is missing: no `/proc` (not Linux), a file that cannot be opened, or
//! a kernel built without scheduler statistics (`CONFIG_SCHED_INFO`), whose files read zero.

use std::fs::File;

/// The schedstat files of a team's workers, or why they cannot be read.
#[derive(Debug)]
pub(crate) enum Schedstat {
    /// One open file per worker.
    Open(Vec<File>),
    /// Why run-queue wait is not measured.
    Missing(String),
}

/// One reading of a thread's schedstat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    /// Time on a CPU (lags for a running thread).
    pub on_cpu_ns: u64,
    /// Time runnable, not running.
    pub run_delay_ns: u64,
}

impl Schedstat {
    /// Opens the schedstat of every thread in `tids` (worker order); `None` tids (not Linux) make
    /// it missing.
    pub(crate) fn open(tids: &[Option<i32>]) -> Schedstat {
        let mut files = Vec::with_capacity(tids.len());
        for tid in tids {
            let Some(tid) = tid else {
                return Schedstat::Missing("no per-thread schedstat on this system (Linux only)".into());
            };
            let path = format!("/proc/self/task/{tid}/schedstat");
            match File::open(&path) {
                Ok(file) => files.push(file),
                Err(e) => return Schedstat::Missing(format!("cannot read {path}: {e}")),
            }
        }
        Schedstat::Open(files)
    }

    /// Reads every worker's file, or says why not.
    pub(crate) fn read(&self) -> Result<Vec<Reading>, String> {
        match self {
            Schedstat::Missing(why) => Err(why.clone()),
            Schedstat::Open(files) => files.iter().map(read_one).collect(),
        }
    }
}

#[cfg(unix)]
fn read_one(file: &File) -> Result<Reading, String> {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 96];
    let n = file.read_at(&mut buf, 0).map_err(|e| format!("cannot read a worker's schedstat: {e}"))?;
    parse(&buf[..n]).ok_or_else(|| {
        format!("a worker's schedstat is not three numbers: {:?}", String::from_utf8_lossy(&buf[..n]).trim())
    })
}

#[cfg(not(unix))]
fn read_one(_file: &File) -> Result<Reading, String> {
    Err("no per-thread schedstat on this system (Linux only)".into())
}

/// `ON_CPU RUN_DELAY SLICES`.
fn parse(text: &[u8]) -> Option<Reading> {
    let text = std::str::from_utf8(text).ok()?;
    let mut fields = text.split_ascii_whitespace().map(str::parse::<u64>);
    let (on_cpu_ns, run_delay_ns, _slices) = (fields.next()?.ok()?, fields.next()?.ok()?, fields.next()?.ok()?);
    Some(Reading { on_cpu_ns, run_delay_ns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_three_numbers_and_refuses_the_rest() {
        assert_eq!(
            parse(b"82552041 39412703 209\n"),
            Some(Reading { on_cpu_ns: 82_552_041, run_delay_ns: 39_412_703 })
        );
        assert_eq!(parse(b"1 2\n"), None);
        assert_eq!(parse(b"a b c\n"), None);
        assert_eq!(parse(b""), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_threads_schedstat_is_read_or_its_absence_said() {
        match Schedstat::open(&[crate::thread_state::current_tid()]) {
            Schedstat::Open(files) => assert_eq!(files.len(), 1),
            Schedstat::Missing(why) => assert!(why.contains("schedstat"), "{why}"),
        }
        assert!(matches!(Schedstat::open(&[None]), Schedstat::Missing(why) if why.contains("Linux only")));
        let gone = Schedstat::open(&[Some(i32::MAX)]);
        assert!(matches!(gone, Schedstat::Missing(why) if why.contains("cannot read /proc/self/task/")));
    }
}
