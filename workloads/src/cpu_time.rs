//! The CPU time of one thread, readable from another: the clock of `pthread_getcpuclockid`.
//!
//! A team records the clock of each of its workers when they start, so the runner can count the
//! CPU time of exactly the team that ran a sample: process CPU time would also count the workers
//! of other teams still spinning down after their last run, and the measuring thread.

/// The CPU-time clock of one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadClock(#[cfg(unix)] libc::clockid_t);

impl ThreadClock {
    /// The clock of the calling thread, where the system has one.
    #[cfg(unix)]
    pub fn current() -> Option<ThreadClock> {
        let mut id: libc::clockid_t = 0;
        // SAFETY: pthread_self is always valid for the calling thread; pthread_getcpuclockid
        // writes one clockid_t to the pointer we own.
        let rc = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut id) };
        (rc == 0).then_some(ThreadClock(id))
    }

    /// The clock of the calling thread, where the system has one.
    #[cfg(not(unix))]
    pub fn current() -> Option<ThreadClock> {
        None
    }

    /// The clock's id, for `clock_gettime` and `timer_create`.
    #[cfg(unix)]
    pub fn id(self) -> libc::clockid_t {
        self.0
    }

    /// The thread's CPU time so far (user + system), while it lives.
    #[cfg(unix)]
    pub fn read_ns(self) -> Option<u64> {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes one timespec to the value we own.
        let rc = unsafe { libc::clock_gettime(self.0, &mut ts) };
        (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
    }

    /// The thread's CPU time so far (user + system), while it lives.
    #[cfg(not(unix))]
    pub fn read_ns(self) -> Option<u64> {
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn another_threads_cpu_time_is_read_and_grows_with_its_work() {
        // The worker spins until its own CPU clock has run 30 ms, then says so: no wall-clock
        // guess that a loaded machine (the worker hardly scheduled) could outlast.
        let (tx, rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            let own = ThreadClock::current().unwrap();
            tx.send(ThreadClock::current().unwrap()).unwrap();
            go_rx.recv().unwrap();
            let start = own.read_ns().unwrap();
            let mut x = 1u64;
            while own.read_ns().unwrap() < start + 30_000_000 {
                for _ in 0..1000 {
                    x = std::hint::black_box(x.wrapping_mul(3));
                }
            }
            done_tx.send(()).unwrap();
            go_rx.recv().ok();
        });
        let clock = rx.recv().unwrap();
        let before = clock.read_ns().unwrap();
        go_tx.send(()).unwrap();
        done_rx.recv().unwrap();
        let after = clock.read_ns().unwrap();
        drop(go_tx);
        worker.join().unwrap();
        assert!(after >= before + 30_000_000, "{before} -> {after}");
    }
}
