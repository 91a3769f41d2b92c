//! Pinning a thread to one CPU (`sched_setaffinity` on Linux; elsewhere pinning is refused).
//!
//! A hand-written call rather than the `core_affinity` crate: that crate numbers CPUs by its own
//! enumeration of the current mask, while the placements of `amdahl` name the kernel's CPU ids
//! from sysfs, and pinning needs exactly one system call.

/// Pins the calling thread to CPU `cpu`; false when the system refuses (no such CPU, not in the
/// cgroup's set, or not Linux).
#[cfg(target_os = "linux")]
pub fn pin_current_thread(cpu: usize) -> bool {
    if cpu >= libc::CPU_SETSIZE as usize {
        return false;
    }
    // SAFETY: `set` is a plain bit array, zeroed, and CPU_SET writes bit `cpu` < CPU_SETSIZE
    // inside it; sched_setaffinity reads exactly `size_of::<cpu_set_t>()` bytes of it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// Pins the calling thread to CPU `cpu`; false when the system refuses (no such CPU, not in the
/// cgroup's set, or not Linux).
#[cfg(not(target_os = "linux"))]
pub fn pin_current_thread(_cpu: usize) -> bool {
    false
}

/// The CPU the calling thread runs on now, where the system says.
#[cfg(target_os = "linux")]
pub fn current_cpu() -> Option<usize> {
    // SAFETY: sched_getcpu takes no arguments and returns -1 on failure.
    let cpu = unsafe { libc::sched_getcpu() };
    usize::try_from(cpu).ok()
}

/// The CPU the calling thread runs on now, where the system says.
#[cfg(not(target_os = "linux"))]
pub fn current_cpu() -> Option<usize> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_thread_runs_on_its_cpu_and_a_missing_cpu_is_refused() {
        let on_zero = std::thread::spawn(|| (pin_current_thread(0), current_cpu())).join().unwrap();
        assert_eq!(on_zero, (true, Some(0)));
        assert!(!std::thread::spawn(|| pin_current_thread(100_000)).join().unwrap());
        assert!(!std::thread::spawn(|| pin_current_thread(libc::CPU_SETSIZE as usize - 1)).join().unwrap());
    }
}
