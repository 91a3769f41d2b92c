//! `TimeParts`: one point's thread-time account, from its profile runs — the parts as shares of
//! j x T(j), and the serial share of T(1).
//!
//! # Method
//! - Each profile run's parts ([`ProfileSample`]) are divided by its own thread-time j x T, so
//!   each run's shares add up to 1; a point's share of a part is the **mean** over its runs (so
//!   the point's shares add up to 1 too), with a Student-t 95% interval over the runs (none from
//!   a single run). The runs are few (one per profile round), so the interval is wide rather than
//!   a bootstrap's over five values, which covers less than it says.
//! - **Useful** is the work's CPU time at one thread: the median of the j = 1 runs' on-CPU work
//!   (times j for weak scaling, whose work grows with j). **Inflation** is the rest of a run's
//!   on-CPU work at j, signed (below zero: the work took less CPU time than at one thread, a
//!   cache effect). At j = 1 each run's own on-CPU work is useful and inflation is 0: the bar at
//!   j = 1 is the work's own composition. Without a j = 1 account, inflation is unknown and
//!   useful holds all the on-CPU work.
//! - **Serial share of T(1)**: the leader's serial code (its time outside the parallel calls,
//!   untracked stretches excluded) over the median timed T(1) — the quantity Amdahl's B is about,
//!   and the view that does not shrink as j grows.
//! - The profile runs carry the recorder, so they are kept out of every statistic of T(j). Each is
//!   compared with the timed sample of its own round (so a machine that drifts over the run does
//!   not read as the recorder's cost): the median of those ratios is `profile_over_timed`, and
//!   the account is marked **distorted** when it is more than [`DISTORTION`] from 1: the account
//!   then describes slower (or faster) runs than the timed ones, because the recorder slowed them
//!   (a call of a few hundred nanoseconds cannot carry its reads) or because the work's runs
//!   differ that much from one to the next (`contended` at j = 2: its two threads spin on one
//!   lock, or share one CPU, run by run).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ProfileSample;
use crate::fit::student_t::t975;
use crate::stats::{finite, median};

/// How far the profile runs' median wall time may be from the timed runs' median T(j) before
/// the account is marked distorted.
pub const DISTORTION: f64 = 0.03;

/// One share of the thread-time, with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Part {
    /// The mean share over the profile runs.
    pub share: f64,
    /// Its Student-t 95% interval over the runs; null from a single run.
    pub ci95: Option<[f64; 2]>,
}

impl Part {
    /// The mean of `values` with its t interval; `None` without values or with one not finite.
    pub fn of(values: &[f64]) -> Option<Part> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let n = values.len() as f64;
        let share = values.iter().sum::<f64>() / n;
        let ci95 = t975(values.len() - 1).map(|t| {
            let sd = (values.iter().map(|v| (v - share).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let half = t * sd / n.sqrt();
            [share - half, share + half]
        });
        Some(Part { share, ci95 })
    }

    /// The same part with its interval cut to [`lo`, `hi`] (a share cannot leave it; the cut
    /// interval covers whenever the uncut one does).
    fn within(self, lo: f64, hi: f64) -> Part {
        Part { ci95: self.ci95.map(|[a, b]| [a.max(lo), b.min(hi)]), ..self }
    }

    /// The lower end of the interval (the share itself without one).
    pub fn low(&self) -> f64 {
        self.ci95.map_or(self.share, |c| c[0])
    }

    /// The upper end of the interval (the share itself without one).
    pub fn high(&self) -> f64 {
        self.ci95.map_or(self.share, |c| c[1])
    }
}

/// The name of a part of the thread-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartName {
    /// The work's CPU time at one thread.
    Useful,
    /// On-CPU work beyond it.
    Inflation,
    /// Other workers idle while the leader runs serial code.
    Serial,
    /// Idle in a call after one's last task while others work.
    Imbalance,
    /// The team handing out work and assembling results.
    Dispatch,
    /// Off-CPU in the work, not runnable: locks, I/O, sleep.
    Blocked,
    /// Runnable, not running: other work, or more threads than CPUs.
    RunQueue,
}

impl PartName {
    /// Every part, in the order of the account.
    pub const ALL: [PartName; 7] = [
        PartName::Useful,
        PartName::Inflation,
        PartName::Serial,
        PartName::Imbalance,
        PartName::Dispatch,
        PartName::Blocked,
        PartName::RunQueue,
    ];

    /// The name in files and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            PartName::Useful => "useful",
            PartName::Inflation => "inflation",
            PartName::Serial => "serial",
            PartName::Imbalance => "imbalance",
            PartName::Dispatch => "dispatch",
            PartName::Blocked => "blocked",
            PartName::RunQueue => "run-queue",
        }
    }
}

/// The thread-time that cannot be split: off-CPU time in untracked stretches (the user's own
/// rayon code), which is one of `parts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Merged {
    /// The parts it is made of, not separable.
    pub parts: Vec<PartName>,
    /// Its share of the thread-time, with its interval.
    #[serde(flatten)]
    pub part: Part,
}

/// The parts merged in untracked stretches.
pub const MERGED_PARTS: [PartName; 4] = [PartName::Serial, PartName::Imbalance, PartName::Dispatch, PartName::Blocked];

/// One point's thread-time account (see the module docs): the parts as shares of j x T(j),
/// adding up to 1, and the serial share of T(1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct TimeParts {
    /// The profile runs it is made of.
    pub profile_runs: usize,
    /// The work's CPU time at one thread.
    pub useful: Part,
    /// On-CPU work beyond the work's CPU time at one thread (signed); null without a j = 1 account.
    pub inflation: Option<Part>,
    /// Other workers idle while the leader runs the work's serial code.
    pub serial: Part,
    /// Idle in calls after one's last task while others still work.
    pub imbalance: Part,
    /// The team handing out work (a call's start to a worker's first task, between its tasks) and
    /// assembling results.
    pub dispatch: Part,
    /// Off-CPU in the work, not runnable: locks, I/O, sleep (run-queue wait too when that is not
    /// measured).
    pub blocked: Part,
    /// Runnable, not running: other work, or more threads than CPUs; null when the kernel gives
    /// no schedstat (then in `blocked`).
    pub run_queue: Option<Part>,
    /// Off-CPU time in the user's own rayon code, where the parts it lists cannot be told apart;
    /// null when there was none.
    pub merged: Option<Merged>,
    /// The leader's serial code (outside the parallel calls) over the median timed T(1): Amdahl's
    /// B, measured.
    pub serial_share_of_t1: Option<Part>,
    /// The work's median on-CPU time at this j over its CPU time at one thread; null without a
    /// j = 1 account.
    pub cpu_factor: Option<f64>,
    /// The median over the profile runs of each one's wall time over the timed sample of its
    /// round.
    pub profile_over_timed: Option<f64>,
    /// Whether that ratio is more than `DISTORTION` (3%) from 1: the account describes runs
    /// slower (or faster) than the timed ones — the recorder's cost, or work whose runs differ by
    /// more than that from one to the next.
    pub distorted: bool,
}

/// What a point's account is read against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reference<'a> {
    /// The work's CPU time at one thread for this point's work (the median on-CPU work of the
    /// j = 1 profile runs, times j for weak scaling); `None` without one.
    pub useful_ns: Option<f64>,
    /// The median timed T(1).
    pub t1_ns: Option<f64>,
    /// The point's timed samples: sample i is round `first_round + i`.
    pub timed_ns: &'a [u64],
    /// The round of the point's first sample.
    pub first_round: usize,
}

impl TimeParts {
    /// The account of the profile runs `samples` of a point at `threads` (see the module docs);
    /// `None` without runs.
    pub fn of(samples: &[ProfileSample], threads: usize, reference: Reference<'_>) -> Option<TimeParts> {
        // A span run (its tasks timed, `work_span`) is not one of the account's.
        let runs: Vec<&ProfileSample> =
            samples.iter().filter(|s| s.wall_ns > 0 && s.longest_tasks_ns.is_none()).collect();
        if runs.is_empty() {
            return None;
        }
        let thread_time = |s: &ProfileSample| threads as f64 * s.wall_ns as f64;
        // Every part but inflation (signed) is a share of the thread-time: within [0, 1].
        let shares = |ns: &dyn Fn(&ProfileSample) -> f64| -> Option<Part> {
            Some(Part::of(&runs.iter().map(|s| ns(s) / thread_time(s)).collect::<Vec<_>>())?.within(0.0, 1.0))
        };
        // Inflation is signed, and still a share of the thread-time: within [-1, 1].
        let signed = |ns: &dyn Fn(&ProfileSample) -> f64| -> Option<Part> {
            Some(Part::of(&runs.iter().map(|s| ns(s) / thread_time(s)).collect::<Vec<_>>())?.within(-1.0, 1.0))
        };
        let useful_ns = reference.useful_ns.filter(|_| threads > 1);
        let (useful, inflation) = match useful_ns {
            Some(u) => (shares(&|_| u)?, Some(signed(&|s| s.work_cpu_ns as f64 - u)?)),
            None if threads == 1 => {
                (shares(&|s| s.work_cpu_ns as f64)?, Some(Part { share: 0.0, ci95: Some([0.0; 2]) }))
            }
            None => (shares(&|s| s.work_cpu_ns as f64)?, None),
        };
        let measured = runs.iter().all(|s| s.run_queue_ns.is_some());
        let merged = runs.iter().any(|s| s.merged_ns > 0);
        let ratios: Vec<f64> = runs
            .iter()
            .filter_map(|s| {
                let timed = *reference.timed_ns.get(s.round.checked_sub(reference.first_round)?)?;
                (timed > 0).then(|| s.wall_ns as f64 / timed as f64)
            })
            .collect();
        let cpus: Vec<f64> = runs.iter().map(|s| s.work_cpu_ns as f64).collect();
        let profile_over_timed = (!ratios.is_empty()).then(|| median(&ratios)).and_then(finite);
        Some(TimeParts {
            profile_runs: runs.len(),
            useful,
            inflation,
            serial: shares(&|s| s.serial_ns as f64)?,
            imbalance: shares(&|s| s.imbalance_ns as f64)?,
            dispatch: shares(&|s| s.dispatch_ns as f64)?,
            blocked: shares(&|s| {
                s.blocked_ns as f64 + if measured { 0.0 } else { s.run_queue_ns.unwrap_or(0) as f64 }
            })?,
            run_queue: if measured { shares(&|s| s.run_queue_ns.unwrap_or(0) as f64) } else { None },
            merged: if merged {
                shares(&|s| s.merged_ns as f64).map(|part| Merged { parts: MERGED_PARTS.to_vec(), part })
            } else {
                None
            },
            serial_share_of_t1: reference
                .t1_ns
                .filter(|t1| *t1 > 0.0)
                .and_then(|t1| Part::of(&runs.iter().map(|s| s.serial_code_ns as f64 / t1).collect::<Vec<_>>()))
                .map(|p| p.within(0.0, f64::INFINITY)),
            cpu_factor: reference.useful_ns.and_then(|u| finite(median(&cpus) / u)),
            profile_over_timed,
            distorted: profile_over_timed.is_some_and(|r| (r - 1.0).abs() > DISTORTION),
        })
    }

    /// The share of `part` (the merged time is in none of them).
    pub fn share(&self, part: PartName) -> Option<Part> {
        match part {
            PartName::Useful => Some(self.useful),
            PartName::Inflation => self.inflation,
            PartName::Serial => Some(self.serial),
            PartName::Imbalance => Some(self.imbalance),
            PartName::Dispatch => Some(self.dispatch),
            PartName::Blocked => Some(self.blocked),
            PartName::RunQueue => self.run_queue,
        }
    }

    /// The sum of every share (merged time included): 1 up to rounding, for an account whose
    /// runs' parts add up to their thread-time.
    pub fn total(&self) -> f64 {
        PartName::ALL.iter().filter_map(|p| self.share(*p)).map(|p| p.share).sum::<f64>()
            + self.merged.as_ref().map_or(0.0, |m| m.part.share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(wall: u64, cpu: u64, serial_code: u64, serial: u64, imbalance: u64, rq: Option<u64>) -> ProfileSample {
        ProfileSample {
            round: 0,
            wall_ns: wall,
            calls: 1,
            work_cpu_ns: cpu,
            serial_code_ns: serial_code,
            serial_ns: serial,
            imbalance_ns: imbalance,
            dispatch_ns: 0,
            blocked_ns: 0,
            run_queue_ns: rq,
            merged_ns: 0,
            longest_tasks_ns: None,
        }
    }

    #[test]
    fn shares_are_means_over_runs_that_add_up_to_one() {
        // j = 2, T = 100: 150 of work on the CPUs, 10 of serial code (10 idle), 40 of imbalance.
        let runs =
            [run(100, 150, 10, 10, 40, Some(0)), ProfileSample { round: 1, ..run(100, 150, 10, 10, 30, Some(10)) }];
        let reference = Reference { useful_ns: Some(140.0), t1_ns: Some(100.0), timed_ns: &[100, 100], first_round: 0 };
        let parts = TimeParts::of(&runs, 2, reference).unwrap();
        assert!((parts.useful.share - 0.7).abs() < 1e-12);
        assert!((parts.inflation.unwrap().share - 0.05).abs() < 1e-12);
        assert!((parts.imbalance.share - 0.175).abs() < 1e-12);
        assert!((parts.run_queue.unwrap().share - 0.025).abs() < 1e-12);
        assert!((parts.serial_share_of_t1.unwrap().share - 0.1).abs() < 1e-12);
        assert!((parts.total() - 1.0).abs() < 1e-12);
        let [lo, hi] = parts.imbalance.ci95.unwrap();
        assert!(lo < 0.175 && hi > 0.175 && lo > 0.0 - 1.0);
        assert_eq!(
            (parts.cpu_factor, parts.profile_over_timed, parts.distorted),
            (Some(150.0 / 140.0), Some(1.0), false)
        );
    }

    #[test]
    fn at_one_thread_the_work_is_all_useful_and_without_j1_inflation_is_unknown() {
        let runs = [run(100, 90, 100, 0, 0, Some(10))];
        let timed = [96, 120];
        let reference = Reference { useful_ns: Some(80.0), t1_ns: None, timed_ns: &timed, first_round: 0 };
        let one = TimeParts::of(&runs, 1, reference).unwrap();
        assert_eq!((one.useful.share, one.inflation.unwrap().share), (0.9, 0.0));
        assert_eq!(one.useful.ci95, None, "one run has no interval");
        assert!(one.distorted, "100 against the 96 timed in its round is more than 3% off");
        // Paired with its own round: the same run taken in round 5 of a point that started there.
        let late = [ProfileSample { round: 5, ..runs[0].clone() }];
        let reference = Reference { useful_ns: Some(80.0), t1_ns: None, timed_ns: &[99, 96], first_round: 5 };
        assert!(!TimeParts::of(&late, 1, reference).unwrap().distorted, "100 against 99");
        let nothing = Reference { useful_ns: None, t1_ns: None, timed_ns: &[], first_round: 0 };
        let two = TimeParts::of(&[run(50, 90, 0, 0, 10, None)], 2, nothing).unwrap();
        assert_eq!((two.useful.share, two.inflation, two.run_queue), (0.9, None, None));
        assert!(TimeParts::of(&[], 2, nothing).is_none());
        assert_eq!(two.profile_over_timed, None, "no timed sample to compare with");
    }

    /// The t interval of the mean covers at its rate: normal shares, 4,000 seeded sets of five.
    #[test]
    fn the_interval_of_a_share_covers_95_percent() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(35);
        let noise = Normal::new(0.2, 0.03).unwrap();
        let trials = 4000;
        let covered = (0..trials)
            .filter(|_| {
                let values: Vec<f64> = (0..5).map(|_| noise.sample(&mut rng)).collect();
                let part = Part::of(&values).unwrap();
                part.low() <= 0.2 && 0.2 <= part.high()
            })
            .count();
        let rate = covered as f64 / trials as f64;
        assert!((0.935..=0.965).contains(&rate), "{rate}");
    }
}
