//! Whether a thread of this process is asleep in the kernel, read from
//! `/proc/self/task/<tid>/stat` (Linux): what [`wait_asleep`] waits for before a sample starts, so
//! that no worker of ours is still spinning (rayon's idle workers yield 33 times before they sleep,
//! a `threads` team after every `broadcast`) while another team is timed.
//!
//! The state is the kernel's one-letter field after the thread's name: `R` is running or
//! runnable, anything else (`S` sleeping, `D` waiting for I/O, `T` stopped) takes no CPU. A thread
//! blocked for an instant on a contended lock also reads `S`, so a wait takes a thread as asleep
//! only when a second pass over all of them still finds it so.
//!
//! Elsewhere there is no such file: [`state`] is [`ThreadState::Unknown`] and [`wait_asleep`]
//! returns at once, having waited for nothing.

use std::time::{Duration, Instant};

/// A thread's id as the kernel numbers it (`gettid`).
pub type Tid = i32;

/// What a thread is doing, as far as the kernel says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// Running or runnable (`R`).
    Running,
    /// Asleep in the kernel, taking no CPU (`S`, `D`, a stopped or traced thread).
    Asleep,
    /// No such thread in this process (it exited).
    Gone,
    /// Not readable here (not Linux).
    Unknown,
}

/// The calling thread's id.
#[cfg(target_os = "linux")]
pub fn current_tid() -> Option<Tid> {
    // SAFETY: gettid takes no arguments and cannot fail.
    Some(unsafe { libc::syscall(libc::SYS_gettid) } as Tid)
}

/// The calling thread's id.
#[cfg(not(target_os = "linux"))]
pub fn current_tid() -> Option<Tid> {
    None
}

/// The state of thread `tid` of this process now.
#[cfg(target_os = "linux")]
pub fn state(tid: Tid) -> ThreadState {
    match std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")) {
        Ok(stat) => parse_state(&stat).unwrap_or(ThreadState::Unknown),
        Err(_) => ThreadState::Gone,
    }
}

/// The state of thread `tid` of this process now.
#[cfg(not(target_os = "linux"))]
pub fn state(_tid: Tid) -> ThreadState {
    ThreadState::Unknown
}

/// The state in a `stat` line: the field after the name, which is in parentheses and may itself
/// hold spaces and parentheses (so the last `)` ends it).
fn parse_state(stat: &str) -> Option<ThreadState> {
    let after = &stat[stat.rfind(')')? + 1..];
    Some(match after.trim_start().chars().next()? {
        'R' => ThreadState::Running,
        _ => ThreadState::Asleep,
    })
}

/// Waits until every thread of `tids` is asleep (or gone), for at most `limit`; returns those still
/// running when it gave up (empty: all asleep, or nothing to read here). Between looks it yields
/// the CPU to them a few times (a thread about to sleep needs microseconds), then sleeps, longer
/// each time up to [`LONGEST_PAUSE`]: with hundreds of threads spinning down on a few CPUs, a
/// waiter that only yields takes its turn among them and slows them all.
pub fn wait_asleep(tids: &[Tid], limit: Duration) -> Vec<Tid> {
    let running = |tid: &Tid| state(*tid) == ThreadState::Running;
    let start = Instant::now();
    let mut pending: Vec<Tid> = tids.to_vec();
    let mut pause = Duration::from_micros(20);
    for look in 0u32.. {
        pending.retain(running);
        if pending.is_empty() {
            // The confirming pass: a thread seen blocked on a contended lock is running again.
            pending = tids.iter().copied().filter(running).collect();
            if pending.is_empty() {
                return pending;
            }
        }
        if start.elapsed() >= limit {
            break;
        }
        if look < 8 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(pause);
            pause = (pause * 2).min(LONGEST_PAUSE);
        }
    }
    pending
}

/// The longest pause of [`wait_asleep`] between two looks.
pub const LONGEST_PAUSE: Duration = Duration::from_millis(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_is_the_field_after_the_last_parenthesis() {
        assert_eq!(parse_state("12 (amdahl-w0) S 1 2 3"), Some(ThreadState::Asleep));
        assert_eq!(parse_state("12 (odd) name) R 1 2 3"), Some(ThreadState::Running));
        assert_eq!(parse_state("12 (x) D 1"), Some(ThreadState::Asleep));
        assert_eq!(parse_state("garbage"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_blocked_on_a_channel_is_asleep_and_one_that_exited_is_gone() {
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let sleeper = std::thread::spawn(move || {
            tid_tx.send(current_tid().unwrap()).unwrap();
            go_rx.recv().unwrap();
        });
        let tid = tid_rx.recv().unwrap();
        assert_eq!(wait_asleep(&[tid], Duration::from_secs(60)), Vec::<Tid>::new());
        assert_eq!(state(tid), ThreadState::Asleep);
        // The calling thread is running while it reads its own state.
        assert_eq!(state(current_tid().unwrap()), ThreadState::Running);
        go_tx.send(()).unwrap();
        sleeper.join().unwrap();
        // The kernel reaps an exited thread just after `join` returns.
        let reaped = Instant::now();
        while state(tid) != ThreadState::Gone {
            assert!(reaped.elapsed() < Duration::from_secs(60), "thread {tid} was never reaped");
            std::thread::yield_now();
        }
    }
}
