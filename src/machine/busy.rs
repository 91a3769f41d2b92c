//! Whether the machine is busy now, from a short sample of `procfs/stat`.
//!
//! The 1-minute load average is an exponential average over a minute: a run that ended a second
//! ago still weighs on it, so the next run would call the machine busy with its own shadow. What
//! matters is what competes for the CPUs now, so before a run `stat` is read twice,
//! [`INTERVAL`] apart (through [`Roots`], so a fixture tree answers at once and never waits):
//!
//! - from the aggregate `cpu` line, the ticks that passed between the readings (`total`: the
//!   first eight fields, user nice system idle iowait irq softirq steal; guest time is inside
//!   user) and those that were busy (all but idle and iowait; stolen time is busy: another guest
//!   had the CPU); busy CPUs = busy / total x the CPUs counted (its `cpuN` lines), 0 when no tick
//!   passed (a fixture's `stat` never moves);
//! - `procs_running` at each reading: the tasks runnable then, the reading thread among them; the
//!   fewer of the two, less one, counts the tasks that ran through the whole sample.
//!
//! The machine's other work is the larger of the two, in CPUs like a load average
//! ([`BusySample::load`]); it is busy when that is above half the usable CPUs (the threshold the
//! load average had). The sample is recorded as it was read (`machine.busy_before`), so readers
//! recompute from it; the load averages stay recorded facts (`load_before`, `load_after`) and judge
//! only where no sample exists (a `stat` that cannot be read, and older files).

use std::time::{Duration, Instant};

use super::Roots;
use crate::results::BusySample;

/// How long the sample lasts on a live procfs.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// One reading of `stat`: what a [`BusySample`] is the difference of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Busy ticks of the `cpu` line since boot.
    pub busy: u64,
    /// All ticks of the `cpu` line since boot.
    pub total: u64,
    /// The `cpuN` lines: the CPUs the ticks are counted over.
    pub cpus: usize,
    /// `procs_running`, when present.
    pub procs_running: Option<u64>,
}

/// Parses the text of `stat`; `None` without a well-formed `cpu` line of at least eight numbers
/// or without any `cpuN` line.
pub fn parse(stat: &str) -> Option<Reading> {
    let line = stat.lines().find(|l| l.split_whitespace().next() == Some("cpu"))?;
    let ticks = line.split_whitespace().skip(1).take(8).map(|f| f.parse::<u64>().ok()).collect::<Option<Vec<_>>>()?;
    if ticks.len() < 8 {
        return None;
    }
    let total = ticks.iter().try_fold(0u64, |a, &t| a.checked_add(t))?;
    let busy = total - ticks[3] - ticks[4];
    let cpus = stat
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.strip_prefix("cpu"))
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .count();
    let procs_running =
        stat.lines().find_map(|l| l.strip_prefix("procs_running")).and_then(|rest| rest.trim().parse::<u64>().ok());
    (cpus > 0).then_some(Reading { busy, total, cpus, procs_running })
}

/// The sample between two readings of `stat` taken `seconds` apart: `None` unless both parse.
/// Counters that went backwards (a different machine, a wrapped counter) count as no tick passed.
pub fn between(first: &str, second: &str, seconds: f64) -> Option<BusySample> {
    let (a, b) = (parse(first)?, parse(second)?);
    let total_ticks = b.total.saturating_sub(a.total);
    let busy_ticks = b.busy.saturating_sub(a.busy).min(total_ticks);
    Some(BusySample {
        seconds: if seconds.is_finite() { seconds.max(0.0) } else { 0.0 },
        cpus: b.cpus,
        busy_ticks,
        total_ticks,
        procs_running: a.procs_running.zip(b.procs_running).map(|(x, y)| [x, y]),
    })
}

/// Samples `stat` under `roots`: two readings [`INTERVAL`] apart on the live `/proc`, at once on
/// any other procfs (a fixture tree does not change; nothing is gained by waiting). `None` when
/// `stat` cannot be read or parsed.
pub fn sample(roots: &Roots) -> Option<BusySample> {
    let first = roots.proc("stat")?;
    parse(&first)?;
    let start = Instant::now();
    if waits(roots) {
        std::thread::sleep(INTERVAL);
    }
    let second = roots.proc("stat")?;
    between(&first, &second, start.elapsed().as_secs_f64())
}

/// Whether [`sample`] waits [`INTERVAL`] between its readings: on the live `/proc` only.
fn waits(roots: &Roots) -> bool {
    roots.procfs == Roots::default().procfs
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = "cpu  1000 0 100 10000 50 0 0 0 0 0\ncpu0 500 0 50 5000 25 0 0 0 0 0\ncpu1 500 0 50 5000 25 0 0 0 0 0\nintr 1 2\nctxt 5\nprocs_running 3\nprocs_blocked 0\n";

    #[test]
    fn a_reading_has_busy_and_total_ticks_cpus_and_runnable_tasks() {
        let r = parse(FIRST).unwrap();
        assert_eq!(r, Reading { busy: 1100, total: 11_150, cpus: 2, procs_running: Some(3) });
        // Guest fields are inside user: only the first eight count.
        let guest = parse("cpu 1 2 3 4 5 6 7 8 100 100\ncpu0 1 2 3 4 5 6 7 8 100 100").unwrap();
        assert_eq!((guest.busy, guest.total, guest.procs_running), (1 + 2 + 3 + 6 + 7 + 8, 36, None));
    }

    #[test]
    fn malformed_stat_is_no_reading() {
        for text in [
            "",
            "cpu0 1 2 3 4 5 6 7 8",
            "cpu 1 2 3 4 5 6 7\ncpu0 1 2 3 4 5 6 7",
            "cpu 1 2 3 x 5 6 7 8\ncpu0 1",
            "cpu 1 2 3 4 5 6 7 8",
            "cpu 18446744073709551615 1 0 0 0 0 0 0\ncpu0 1",
            "cpufreq 1 2 3 4 5 6 7 8\ncpux 1",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn busy_cpus_and_runnable_tasks_between_two_readings() {
        // 400 ticks passed on 2 CPUs, 300 of them busy (steal counts): 1.5 CPUs busy.
        let second = "cpu  1200 0 150 10080 70 0 0 50 0 0\ncpu0 1\ncpu1 1\nprocs_running 2\n";
        let s = between(FIRST, second, 0.2).unwrap();
        assert_eq!(
            s,
            BusySample { seconds: 0.2, cpus: 2, busy_ticks: 300, total_ticks: 400, procs_running: Some([3, 2]) }
        );
        assert_eq!(s.load(), 1.5);
        // Idle CPUs but five tasks runnable at both readings (one of them the reader): 4.
        let crowded = "cpu  1000 0 100 10400 50 0 0 0\ncpu0 1\ncpu1 1\nprocs_running 5\n";
        let first = FIRST.replace("procs_running 3", "procs_running 6");
        assert_eq!(between(&first, crowded, 0.2).unwrap().load(), 4.0);
        // The same text twice (a fixture): no tick passed, nothing ran but the reader.
        let quiet = FIRST.replace("procs_running 3", "procs_running 1");
        let still = between(&quiet, &quiet, 0.0).unwrap();
        assert_eq!((still.busy_ticks, still.total_ticks, still.load()), (0, 0, 0.0));
        // Counters that went backwards are no ticks, never an underflow.
        let back = between(second, FIRST, 0.2).unwrap();
        assert_eq!((back.busy_ticks, back.total_ticks), (0, 0));
        assert_eq!(between(FIRST, "cpu 1", 0.2), None);
        assert_eq!(between(FIRST, FIRST, f64::NAN).unwrap().seconds, 0.0);
    }

    #[test]
    fn a_fixture_tree_is_sampled_at_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("stat"), FIRST).unwrap();
        let roots = Roots { sysfs: dir.path().to_owned(), procfs: dir.path().to_owned() };
        // Decided by the roots, not by a clock a loaded machine could slow.
        assert!(!waits(&roots) && waits(&Roots::default()));
        let s = sample(&roots).unwrap();
        assert_eq!((s.busy_ticks, s.total_ticks, s.procs_running, s.load()), (0, 0, Some([3, 3]), 2.0));
        std::fs::remove_file(dir.path().join("stat")).unwrap();
        assert_eq!(sample(&roots), None);
    }
}
