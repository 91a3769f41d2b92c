//! How many more threads this process may start: what the sweep's plan checks its largest team
//! against before anything is measured, and what `--dry-run` says.
//!
//! Two limits, read under the procfs root like every fact (a fixture tree may describe them; one
//! that does not has none known):
//! - `RLIMIT_NPROC` (`Max processes` of `self/limits`, the soft limit): processes and threads of
//!   the user, all processes together, so the threads the user has now (`Threads:` of every
//!   `PID/status` whose real `Uid:` is ours) count against it. The kernel exempts root, so it does
//!   not bind a process whose real uid is 0.
//! - `vm.max_map_count` (`sys/vm/max_map_count`): memory maps of this process; each thread's stack
//!   takes [`MAPS_PER_THREAD`] (the stack and the guard page below it), and the maps in use now
//!   (`self/maps`) are already spent.
//!
//! The room is the smaller; either unknown (absent, unlimited, unreadable) leaves the other.

use super::Roots;

/// Memory maps a thread takes: its stack and the guard page below it.
pub const MAPS_PER_THREAD: u64 = 2;

/// A limit and how much of it is in use now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Used {
    /// The limit.
    pub limit: u64,
    /// In use now.
    pub in_use: u64,
}

/// The limits on this process's threads (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThreadLimits {
    /// `RLIMIT_NPROC`'s soft limit and the user's threads now, where it binds.
    pub nproc: Option<Used>,
    /// `vm.max_map_count` and this process's maps now.
    pub maps: Option<Used>,
}

/// The most threads this process may start, and the sentence naming the limit that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// More threads the process may start.
    pub threads: usize,
    /// Which limit, with its numbers.
    pub because: String,
}

impl ThreadLimits {
    /// The limits under `roots`.
    pub fn read(roots: &Roots) -> ThreadLimits {
        let nproc = roots
            .proc("self/limits")
            .and_then(|limits| soft_limit(&limits, "Max processes"))
            .filter(|_| real_uid(roots) != Some(0))
            .map(|limit| Used { limit, in_use: user_threads(roots) });
        let maps = roots
            .proc("sys/vm/max_map_count")
            .and_then(|text| text.trim().parse::<u64>().ok())
            .map(|limit| Used { limit, in_use: roots.proc("self/maps").map_or(0, |m| m.lines().count() as u64) });
        ThreadLimits { nproc, maps }
    }

    /// The most threads this process may start, by the tighter limit; `None` when neither is
    /// known.
    pub fn room(&self) -> Option<Room> {
        let nproc = self.nproc.map(|u| Room {
            threads: u.limit.saturating_sub(u.in_use) as usize,
            because: format!("RLIMIT_NPROC = {}, {} threads of this user running", u.limit, u.in_use),
        });
        let maps = self.maps.map(|u| Room {
            threads: (u.limit.saturating_sub(u.in_use) / MAPS_PER_THREAD) as usize,
            because: format!(
                "vm.max_map_count = {}, {} maps in use, {MAPS_PER_THREAD} a thread's stack",
                u.limit, u.in_use
            ),
        });
        match (nproc, maps) {
            (Some(a), Some(b)) => Some(if a.threads <= b.threads { a } else { b }),
            (a, b) => a.or(b),
        }
    }
}

/// The soft limit of the `name` line of a `limits` file; `None` when unlimited or unreadable.
fn soft_limit(limits: &str, name: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// The real uid of this process (`Uid:` of `self/status`).
fn real_uid(roots: &Roots) -> Option<u32> {
    status_field(&roots.proc("self/status")?, "Uid:")
}

/// The first number of a `status` file's `field` line.
fn status_field(status: &str, field: &str) -> Option<u32> {
    status.lines().find_map(|l| l.strip_prefix(field))?.split_whitespace().next()?.parse().ok()
}

/// The threads of every process whose real uid is this process's.
fn user_threads(roots: &Roots) -> u64 {
    let Some(uid) = real_uid(roots) else { return 0 };
    let Ok(entries) = std::fs::read_dir(&roots.procfs) else { return 0 };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())).map(str::to_owned))
        .filter_map(|pid| roots.proc(&format!("{pid}/status")))
        .filter(|status| status_field(status, "Uid:") == Some(uid))
        .filter_map(|status| status_field(&status, "Threads:"))
        .map(u64::from)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Roots) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join("proc").join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let roots = Roots { sysfs: dir.path().join("sys"), procfs: dir.path().join("proc") };
        (dir, roots)
    }

    const LIMITS: &str = "Limit                     Soft Limit           Hard Limit           Units\nMax processes             500                  600                  processes\n";

    #[test]
    fn the_tighter_limit_gives_the_room_and_names_itself() {
        let (_dir, roots) = tree(&[
            ("self/limits", LIMITS),
            ("self/status", "Name:\tmeasure\nUid:\t1000\t1000\t1000\t1000\nThreads:\t3\n"),
            ("self/maps", "a\nb\nc\nd\n"),
            ("sys/vm/max_map_count", "65530\n"),
            ("41/status", "Uid:\t1000\t1000\t1000\t1000\nThreads:\t17\n"),
            ("42/status", "Uid:\t0\t0\t0\t0\nThreads:\t900\n"),
        ]);
        let limits = ThreadLimits::read(&roots);
        // `self` is not a PID: the user's threads are those of 41 (42 is root's).
        assert_eq!(limits.nproc, Some(Used { limit: 500, in_use: 17 }));
        assert_eq!(limits.maps, Some(Used { limit: 65530, in_use: 4 }));
        let room = limits.room().unwrap();
        assert_eq!(room.threads, 483);
        assert_eq!(room.because, "RLIMIT_NPROC = 500, 17 threads of this user running");
        let maps_only = ThreadLimits { nproc: None, ..limits }.room().unwrap();
        assert_eq!(maps_only.threads, 32763);
        assert!(maps_only.because.starts_with("vm.max_map_count = 65530, 4 maps in use"));
    }

    #[test]
    fn root_is_exempt_from_rlimit_nproc_and_unknown_limits_leave_no_room_known() {
        let (_dir, roots) = tree(&[("self/limits", LIMITS), ("self/status", "Uid:\t0\t0\t0\t0\n")]);
        assert_eq!(ThreadLimits::read(&roots), ThreadLimits::default());
        assert_eq!(ThreadLimits::default().room(), None);
        let unlimited = LIMITS.replace("500 ", "unlimited ");
        let (_dir, roots) = tree(&[("self/limits", &unlimited), ("self/status", "Uid:\t5\t5\t5\t5\n")]);
        assert_eq!(ThreadLimits::read(&roots).nproc, None);
    }
}
