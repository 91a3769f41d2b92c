//! Which part of the thread-time account changed between two runs of one workload (for
//! `measure compare`): "serial grew from 10.0% to 15.0% of T(1)".
//!
//! # Method
//! Both runs' accounts are read at the largest thread count both have one at. For the serial
//! share of T(1) (from j = 2 for a command, whose j = 1 account cannot tell its serial part) and
//! for every part of j x T(j), the difference of the two shares gets a 95% interval from each
//! side's interval taken as a normal one (half-width / 1.96 as its standard error: wider than the
//! Student-t intervals' own over 5 runs, so conservative), added in quadrature, as `compare`
//! tests its figures. A part changed when that interval excludes 0; the changes are listed
//! largest first. A side without an interval (a single profile run) tests nothing.

use serde::Serialize;

use super::{Part, PartName, TimeParts};
use crate::stats::noise_floor::Z95;

/// One part that changed between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartChange {
    /// The part: a part of the account, or `serial-of-t1`.
    pub part: String,
    /// What its share is of: `T(1)` or `j x T(j)`.
    pub of: String,
    /// The thread count it is read at.
    pub threads: usize,
    /// Its share in each run.
    pub values: [f64; 2],
    /// The change (the second run's share less the first's).
    pub change: f64,
    /// Its 95% interval (excludes 0).
    pub change_ci95: [f64; 2],
}

impl PartChange {
    /// "serial grew from 10.0% to 15.0% of T(1) at 2 threads (+5.0 points [4.1, 5.9])".
    pub fn sentence(&self) -> String {
        let [lo, hi] = self.change_ci95.map(|x| 100.0 * x);
        format!(
            "{} {} from {:.1}% to {:.1}% of {} at {} thread{} ({:+.1} points [{lo:+.1}, {hi:+.1}])",
            if self.part == "serial-of-t1" { "serial" } else { &self.part },
            if self.change > 0.0 { "grew" } else { "shrank" },
            100.0 * self.values[0],
            100.0 * self.values[1],
            self.of,
            self.threads,
            if self.threads == 1 { "" } else { "s" },
            100.0 * self.change
        )
    }
}

/// The parts that changed from `a` to `b` (each: thread count and account; see the module docs),
/// largest first; `command` says whether the runs are a command's.
pub fn part_changes(a: &[(usize, &TimeParts)], b: &[(usize, &TimeParts)], command: bool) -> Vec<PartChange> {
    let Some(&(threads, pa, pb)) = a
        .iter()
        .filter_map(|(j, pa)| Some((*j, *pa, b.iter().find(|(k, _)| k == j)?.1)))
        .collect::<Vec<_>>()
        .iter()
        .max_by_key(|(j, _, _)| *j)
    else {
        return Vec::new();
    };
    let mut changes = Vec::new();
    let serial_readable = !command || threads > 1;
    if let (true, Some(x), Some(y)) = (serial_readable, pa.serial_share_of_t1, pb.serial_share_of_t1) {
        changes.extend(test("serial-of-t1", "T(1)", threads, x, y));
    }
    for part in PartName::ALL {
        if let (Some(x), Some(y)) = (pa.share(part), pb.share(part)) {
            changes.extend(test(part.as_str(), "j x T(j)", threads, x, y));
        }
    }
    changes.sort_by(|p, q| q.change.abs().total_cmp(&p.change.abs()));
    changes
}

/// The change from `x` to `y` when its interval excludes 0.
fn test(part: &str, of: &str, threads: usize, x: Part, y: Part) -> Option<PartChange> {
    let sd = |p: Part| p.ci95.map(|[lo, hi]| (hi - lo) / 2.0 / Z95);
    let half = Z95 * (sd(x)?.powi(2) + sd(y)?.powi(2)).sqrt();
    let change = y.share - x.share;
    let change_ci95 = [change - half, change + half];
    (change_ci95[0] > 0.0 || change_ci95[1] < 0.0).then(|| PartChange {
        part: part.to_owned(),
        of: of.to_owned(),
        threads,
        values: [x.share, y.share],
        change,
        change_ci95,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(share: f64, half: f64) -> Part {
        Part { share, ci95: Some([share - half, share + half]) }
    }

    fn account(serial_of_t1: f64, serial: f64, useful: f64) -> TimeParts {
        TimeParts {
            profile_runs: 5,
            useful: part(useful, 0.01),
            inflation: Some(part(0.0, 0.01)),
            serial: part(serial, 0.01),
            imbalance: part(0.02, 0.01),
            dispatch: part(0.0, 0.0),
            blocked: part(0.98 - useful - serial, 0.01),
            run_queue: Some(part(0.0, 0.0)),
            merged: None,
            serial_share_of_t1: Some(part(serial_of_t1, 0.005)),
            cpu_factor: None,
            profile_over_timed: None,
            distorted: false,
        }
    }

    #[test]
    fn a_grown_serial_part_is_named_with_its_interval_and_steady_parts_are_not() {
        let (a1, a2, b2) = (account(0.1, 0.0, 0.9), account(0.1, 0.09, 0.8), account(0.15, 0.13, 0.76));
        let changes = part_changes(&[(1, &a1), (2, &a2)], &[(2, &b2)], false);
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert_eq!(changes[0].part, "serial-of-t1");
        assert_eq!(changes[0].threads, 2);
        let said = changes[0].sentence();
        assert!(
            said.starts_with("serial grew from 10.0% to 15.0% of T(1) at 2 threads (+5.0 points [+4.3, +5.7])"),
            "{said}"
        );
        assert!(changes.iter().all(|c| c.part != "imbalance"), "imbalance 2% in both");
        assert!(changes.iter().any(|c| c.part == "useful" && c.sentence().contains("shrank")));
    }

    #[test]
    fn a_commands_serial_share_is_not_read_at_one_thread_and_no_common_j_is_no_change() {
        let (a, b) = (account(0.9, 0.0, 0.9), account(0.99, 0.0, 0.9));
        assert!(part_changes(&[(1, &a)], &[(1, &b)], true).is_empty());
        assert_eq!(part_changes(&[(1, &a)], &[(1, &b)], false)[0].part, "serial-of-t1");
        assert!(part_changes(&[(1, &a)], &[(2, &b)], false).is_empty());
    }
}
