//! The watchdog: notices a sample that does not return in time.
//!
//! A command that outlives its timeout is killed by its own instance and the point fails (see
//! `amdahl_workloads::CommandWorkload`). Work that runs in-process cannot be stopped — threads
//! cannot be killed — so the only safe end is the process's: the watchdog calls its `on_hang`
//! action (the binary saves every completed round through the journal and exits 124, naming the
//! workload and j). For commands the watchdog waits a grace period beyond their own timeout, in
//! case killing them did not make them return.
//!
//! One thread per watchdog waits on a condition variable for the armed deadline; arming and
//! disarming around each sample cost a lock and a notify, outside the timed region.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// What hung: the workload, the thread count and the timeout it outlived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hang {
    /// The workload.
    pub workload: String,
    /// j.
    pub threads: usize,
    /// The timeout it outlived.
    pub timeout: Duration,
}

struct Armed {
    hang: Hang,
    deadline: Instant,
}

#[derive(Default)]
struct Shared {
    armed: Option<Armed>,
    generation: u64,
    stop: bool,
}

/// See the module docs.
pub struct Watchdog {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    /// A watchdog that calls `on_hang` when an armed deadline passes before it is disarmed.
    pub fn new(on_hang: impl Fn(&Hang) + Send + 'static) -> Watchdog {
        let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
        let watched = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name("watchdog".into()).spawn(move || watch(&watched, on_hang)).ok();
        Watchdog { shared, thread }
    }

    /// Arms the deadline `timeout` from now for `workload` at `threads`.
    pub fn arm(&self, workload: &str, threads: usize, timeout: Duration) {
        let hang = Hang { workload: workload.to_owned(), threads, timeout };
        self.with(|s| {
            s.armed = Some(Armed { hang, deadline: Instant::now() + timeout });
            s.generation += 1;
        });
    }

    /// The sample returned in time.
    pub fn disarm(&self) {
        self.with(|s| {
            s.armed = None;
            s.generation += 1;
        });
    }

    fn with(&self, change: impl FnOnce(&mut Shared)) {
        let (lock, condvar) = &*self.shared;
        if let Ok(mut shared) = lock.lock() {
            change(&mut shared);
        }
        condvar.notify_all();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.with(|s| s.stop = true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn watch(shared: &(Mutex<Shared>, Condvar), on_hang: impl Fn(&Hang)) {
    let (lock, condvar) = shared;
    let Ok(mut state) = lock.lock() else { return };
    loop {
        if state.stop {
            return;
        }
        let Some(deadline) = state.armed.as_ref().map(|a| a.deadline) else {
            state = match condvar.wait(state) {
                Ok(s) => s,
                Err(_) => return,
            };
            continue;
        };
        let now = Instant::now();
        if now >= deadline {
            let hang = state.armed.take().map(|a| a.hang);
            drop(state);
            if let Some(hang) = hang {
                on_hang(&hang);
            }
            state = match lock.lock() {
                Ok(s) => s,
                Err(_) => return,
            };
            continue;
        }
        let generation = state.generation;
        state = match condvar.wait_timeout_while(state, deadline - now, |s| s.generation == generation && !s.stop) {
            Ok((s, _)) => s,
            Err(_) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn a_disarmed_sample_is_left_alone_and_a_late_one_is_reported() {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let dog = Watchdog::new(move |hang| {
            let _ = tx.lock().unwrap().send(hang.clone());
        });
        dog.arm("quick", 2, Duration::from_millis(50));
        dog.disarm();
        assert!(rx.recv_timeout(Duration::from_millis(150)).is_err());
        dog.arm("stuck", 4, Duration::from_millis(20));
        let hang = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!((hang.workload.as_str(), hang.threads), ("stuck", 4));
    }
}
