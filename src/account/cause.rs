//! `Cause`: what the thread-time account measured, read beside the verdict — the verdict's
//! cause is inferred from the curve, this one is counted.
//!
//! # Rules
//! The account is read at one thread count: the largest above 1 with an account within `limit`
//! (the usable CPUs for work that computes, where the curve is fitted and more threads than CPUs
//! would only show their own run-queue wait; any count for work that waits).
//! - **A verdict that quotes Amdahl's B** (`serial-fraction`, and `near-linear`, `sequential`
//!   and `undetermined` with a B): the measured serial share of T(1) beside B, the other parts of
//!   the thread-time above 0.5%, and whether the two intervals overlap. When they do not and B is
//!   the larger, the rest of B is named: the largest part of the lost thread-time besides serial
//!   (for work declared parallel, typically dispatch and imbalance), provided the low end of its
//!   interval is above zero; otherwise the sentence says no part is surely there to make it up.
//! - **A plateau, a decline or a slowdown** (`saturation`, `peak-decline`, `slower`,
//!   `approaching-peak`, `memory-bandwidth`, `no-law-fits`, `granularity`): the part whose share
//!   of the thread-time surely grows most from j = 1 (the low end of its interval at least
//!   [`NOTABLE`] above its share at j = 1), in words: inflation is
//!   each unit of work costing more CPU time (memory bandwidth, caches, SMT siblings; a lock's
//!   cache line for contended work), blocked is threads waiting off-CPU (locks or I/O), run-queue
//!   is other work or more threads than CPUs. When the verdict says the limit is not serial
//!   code but the account measures a serial share of T(1) above [`NOTABLE`] beyond its interval,
//!   the disagreement is said.
//! - **The work's own rayon code** (a point with `merged` time: stretches of the user's rayon
//!   code the team's calls did not trace) can hold serial code the account cannot see, so there
//!   the measured serial share is a lower bound of B: it agrees when it is not above B's
//!   interval, and no other part is named as the rest of B; the sentence says how much of the
//!   thread-time was merged.
//! - Other verdicts get no cause. An account whose profile runs were distorted (their wall time
//!   more than 3% from the timed T(j)) says so after its numbers.

use amdahl_workloads::Kind;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Part, PartName, TimeParts};
use crate::fit::{Diagnosis, Fits, Verdict};

/// The least growth of a part's share of the thread-time worth naming, and the least serial share
/// of T(1) that contradicts a verdict of no serial code: 2 points.
pub const NOTABLE: f64 = 0.02;

/// The least share of the thread-time listed beside a measured serial share.
const LISTED: f64 = 0.005;

/// Where in-process work's serial code runs, as the clause says it.
const OUTSIDE_CALLS: &str = "runs outside the parallel calls";
/// Where a command's serial part runs, as the clause says it.
const ONE_ON_A_CPU: &str = "runs with one of the command's threads alone on a CPU";

/// One part of the thread-time and its share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PartShare {
    /// The part.
    pub part: PartName,
    /// Its share of the thread-time, with its interval.
    #[serde(flatten)]
    pub share: Part,
}

/// What the account measured, beside the verdict (tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Cause {
    /// The verdict quotes Amdahl's B: the measured serial share of T(1) beside it.
    SerialShare {
        /// The thread count the account is read at.
        threads: usize,
        /// Amdahl's fitted B.
        serial_fraction: f64,
        /// Its 95% interval, when it has one.
        serial_fraction_ci95: Option<[f64; 2]>,
        /// The leader's time outside the parallel calls over T(1), measured.
        serial_share_of_t1: Part,
        /// The other parts of the lost thread-time above 0.5%, largest first.
        others: Vec<PartShare>,
        /// Whether B's interval and the measured share's overlap.
        agrees: bool,
        /// When B exceeds the measured share beyond both intervals: the largest other part of
        /// the lost thread-time, which the rest of B is made of; none when that part's interval
        /// reaches zero (the account cannot say what the rest of B is).
        rest_of_b: Option<PartName>,
        /// The profile runs' median wall time over the timed T(j), when more than 3% from 1.
        distorted: Option<f64>,
        /// The off-CPU share of the thread-time in the work's own rayon code (untraced, where
        /// serial code can hide): the measured serial share is then a lower bound of B. Absent
        /// when there was none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        merged: Option<Part>,
    },
    /// A plateau, a decline or a slowdown: the part of the thread-time that grows most.
    Grows {
        /// The thread count the account is read at.
        threads: usize,
        /// The part.
        part: PartName,
        /// Its share of the thread-time at j = 1.
        from: f64,
        /// Its share at `threads`, with its interval.
        to: Part,
        /// The work's CPU time at `threads` over its CPU time at one thread.
        cpu_factor: Option<f64>,
        /// The measured serial share of T(1) at `threads`, when the verdict says the limit is no
        /// serial code and this is above 2% beyond its interval (the two disagree).
        serial_share_of_t1: Option<Part>,
        /// The profile runs' median wall time over the timed T(j), when more than 3% from 1.
        distorted: Option<f64>,
    },
}

/// One point's account, beside its speedup.
#[derive(Debug, Clone, Copy)]
pub struct AccountAt<'a> {
    /// j.
    pub threads: usize,
    /// Its account.
    pub parts: &'a TimeParts,
}

/// The parts of the lost thread-time (all but useful).
const LOST: &[PartName] = PartName::ALL.split_at(1).1;

impl Cause {
    /// The cause the account measured beside `verdict` (see the module docs); `points` ascending
    /// in threads, read at the largest count above 1 up to `limit`.
    pub fn read(diagnosis: &Diagnosis, fits: &Fits, points: &[AccountAt<'_>], limit: usize) -> Option<Cause> {
        let verdict = &diagnosis.verdict;
        // B quoted by the verdict, or by the second reading beside it (two thread counts).
        let quotes_b = |v: &Verdict| {
            matches!(
                v,
                Verdict::SerialFraction { .. }
                    | Verdict::NearLinear { serial_fraction: Some(_), until_threads: None, .. }
                    | Verdict::Sequential { serial_fraction: Some(_), .. }
                    | Verdict::Undetermined { serial_fraction: Some(_), .. }
            )
        };
        // B at or above 1 is no serial fraction (more threads are slower): what grows says more.
        let b_below_one = fits.amdahl.as_ref().and_then(|a| a.fitted()).is_some_and(|a| a.serial_fraction < 1.0);
        let serial_reading = b_below_one && (quotes_b(verdict) || diagnosis.alternative.as_ref().is_some_and(quotes_b));
        let one = points.iter().find(|p| p.threads == 1)?;
        let at = points.iter().rev().find(|p| p.threads > 1 && p.threads <= limit)?;
        let distorted = |p: &AccountAt<'_>| p.parts.profile_over_timed.filter(|_| p.parts.distorted);
        match verdict {
            _ if serial_reading => {
                let amdahl = fits.amdahl.as_ref()?.fitted()?;
                let b = amdahl.serial_fraction;
                let measured = at.parts.serial_share_of_t1?;
                let b_ci = amdahl.ci95;
                let [b_lo, b_hi] = b_ci.unwrap_or([b, b]);
                // Serial code inside the work's own rayon code is not seen: a lower bound then.
                let merged = at.parts.merged.as_ref().map(|m| m.part);
                let agrees = measured.low() <= b_hi && (merged.is_some() || b_lo <= measured.high());
                let mut others: Vec<PartShare> = LOST
                    .iter()
                    .filter(|p| **p != PartName::Serial)
                    .filter_map(|p| Some(PartShare { part: *p, share: at.parts.share(*p)? }))
                    .filter(|p| p.share.share >= LISTED)
                    .collect();
                others.sort_by(|a, b| b.share.share.total_cmp(&a.share.share));
                // The largest other part names the rest of B only when it is surely there.
                let rest_of_b = (!agrees && merged.is_none() && b_lo > measured.high())
                    .then(|| others.first().filter(|p| p.share.low() > 0.0).map(|p| p.part))
                    .flatten();
                Some(Cause::SerialShare {
                    threads: at.threads,
                    serial_fraction: b,
                    serial_fraction_ci95: b_ci,
                    serial_share_of_t1: measured,
                    others,
                    agrees,
                    rest_of_b,
                    distorted: distorted(at),
                    merged,
                })
            }
            Verdict::Saturation { .. }
            | Verdict::PeakDecline { .. }
            | Verdict::Slower { .. }
            | Verdict::ApproachingPeak { .. }
            | Verdict::MemoryBandwidth { .. }
            | Verdict::NoLawFits { .. }
            | Verdict::Granularity { .. }
            | Verdict::NearLinear { until_threads: Some(_), .. }
            | Verdict::Sequential { .. } => {
                // The part that surely grows most: by the low end of its interval at `at`.
                let (part, from, to) = LOST
                    .iter()
                    .filter_map(|p| Some((*p, one.parts.share(*p)?.share, at.parts.share(*p)?)))
                    .max_by(|a, b| (a.2.low() - a.1).total_cmp(&(b.2.low() - b.1)))?;
                if to.low() - from < NOTABLE {
                    return None;
                }
                let not_serial = matches!(verdict, Verdict::Saturation { .. } | Verdict::MemoryBandwidth { .. });
                let serial = at.parts.serial_share_of_t1.filter(|s| not_serial && s.low() > NOTABLE);
                Some(Cause::Grows {
                    threads: at.threads,
                    part,
                    from,
                    to,
                    cpu_factor: at.parts.cpu_factor,
                    serial_share_of_t1: serial,
                    distorted: distorted(at),
                })
            }
            _ => None,
        }
    }

    /// The clause of a command's account (`account::command`), whose serial part is not code
    /// outside parallel calls but the time with one of its threads alone on a CPU.
    pub fn command_clause(&self, kind: Option<Kind>) -> String {
        self.clause(kind).replace(OUTSIDE_CALLS, ONE_ON_A_CPU)
    }

    /// The clause appended to the verdict's sentence, for work of `kind`.
    pub fn clause(&self, kind: Option<Kind>) -> String {
        match self {
            Cause::SerialShare {
                threads, serial_share_of_t1: s, others, agrees, rest_of_b, distorted, merged, ..
            } => {
                let listed = if others.is_empty() {
                    String::new()
                } else {
                    let parts: Vec<String> =
                        others.iter().map(|p| format!("{} {}", p.part.as_str(), percent(p.share.share))).collect();
                    format!("; of the thread-time, {}", parts.join(", "))
                };
                let verdict = match (agrees, rest_of_b, merged) {
                    (true, _, Some(m)) => format!(
                        "; that share is a lower bound of B: {} of the thread-time ran off-CPU in the work's own rayon code, where serial code cannot be told apart",
                        percent(m.share)
                    ),
                    (true, _, None) => String::new(),
                    (false, Some(part), _) => format!(
                        "; B and the measured serial share disagree beyond their intervals: the rest of B is {}",
                        what_b_is(*part)
                    ),
                    (false, None, _) => "; B and the measured serial share disagree beyond their intervals, and no other part is surely above zero to make up the rest".to_owned(),
                };
                format!(
                    " — inferred from the curve; measured at {threads} threads: {} {} of T(1) {OUTSIDE_CALLS}{listed}{verdict}{}",
                    percent(s.share),
                    interval(s),
                    distortion(*distorted)
                )
            }
            Cause::Grows { threads, part, from, to, cpu_factor, serial_share_of_t1, distorted } => {
                let serial = serial_share_of_t1.map_or(String::new(), |s| {
                    format!(
                        "; but {} {} of T(1) {OUTSIDE_CALLS}, so the account and the curve's reading disagree: part of the limit is serial code",
                        percent(s.share),
                        interval(&s)
                    )
                });
                format!(
                    " — inferred from the curve; measured at {threads} threads: {} grows from {} of the thread-time at 1 thread to {} {} — {}{serial}{}",
                    part.as_str(),
                    percent(*from),
                    percent(to.share),
                    interval(to),
                    growth_words(*part, *threads, *cpu_factor, kind),
                    distortion(*distorted)
                )
            }
        }
    }
}

/// What a part that grows means, in words.
fn growth_words(part: PartName, threads: usize, cpu_factor: Option<f64>, kind: Option<Kind>) -> String {
    match part {
        PartName::Inflation => {
            let cost = cpu_factor.map_or("each unit of work costs more CPU time".to_owned(), |f| {
                format!("each unit of work costs {f:.1}x the CPU time at {threads} threads")
            });
            let why = match kind {
                Some(Kind::Contended) => "a contended lock: its cache line bounces between cores and waiters spin",
                Some(Kind::MemoryBound) => "memory bandwidth or caches",
                _ => "memory bandwidth, caches or SMT siblings",
            };
            format!("{cost}: {why}")
        }
        PartName::Blocked => "threads wait off-CPU: locks or I/O".to_owned(),
        PartName::RunQueue => "threads wait for a CPU: other work or more threads than CPUs".to_owned(),
        PartName::Serial => "the other threads idle while one runs the serial code".to_owned(),
        PartName::Imbalance => "threads idle at the barrier while others finish: load imbalance".to_owned(),
        PartName::Dispatch => "handing out the work and gathering it costs more than the tasks".to_owned(),
        PartName::Useful => "useful work".to_owned(),
    }
}

/// What the rest of B is made of, in words.
fn what_b_is(part: PartName) -> String {
    match part {
        PartName::Inflation => {
            "inflation (the same work costs more CPU time with more threads), not serial code".into()
        }
        PartName::Imbalance => "load imbalance, not serial code".into(),
        PartName::Dispatch => "the team's dispatch, not serial code".into(),
        PartName::Blocked => "threads blocked off-CPU, not serial code".into(),
        PartName::RunQueue => "threads waiting for a CPU, not serial code".into(),
        PartName::Serial | PartName::Useful => part.as_str().to_owned(),
    }
}

fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

fn interval(part: &Part) -> String {
    part.ci95.map_or("(one profile run)".to_owned(), |[lo, hi]| format!("[{:.1}, {:.1}]", 100.0 * lo, 100.0 * hi))
}

fn distortion(ratio: Option<f64>) -> String {
    ratio.map_or(String::new(), |r| {
        format!(
            " (the profile runs took {:.0}% {} than the timed runs of their rounds: this is the account of {} runs)",
            100.0 * (r - 1.0).abs(),
            if r > 1.0 { "longer" } else { "less" },
            if r > 1.0 { "slower" } else { "faster" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{AmdahlEstimate, Outcome};

    fn part(share: f64, half: f64) -> Part {
        Part { share, ci95: Some([share - half, share + half]) }
    }

    fn account(useful: f64, inflation: f64, serial: f64, imbalance: f64, serial_share: f64) -> TimeParts {
        TimeParts {
            profile_runs: 5,
            useful: part(useful, 0.01),
            inflation: Some(part(inflation, 0.01)),
            serial: part(serial, 0.005),
            imbalance: part(imbalance, 0.002),
            dispatch: part(0.002, 0.001),
            blocked: part(0.0, 0.0),
            run_queue: Some(part(0.0, 0.0)),
            merged: None,
            serial_share_of_t1: Some(part(serial_share, 0.004)),
            cpu_factor: Some(1.0 + inflation),
            profile_over_timed: Some(1.01),
            distorted: false,
        }
    }

    fn fits(b: f64, ci: [f64; 2]) -> Fits {
        Fits {
            amdahl: Some(Outcome::Fitted(AmdahlEstimate {
                serial_fraction: b,
                ci95: Some(ci),
                ci_method: None,
                ceiling: Some(1.0 / b),
                superlinear: false,
                threads_used: vec![1, 2],
                aicc: None,
                no_interval: None,
            })),
            ..Fits::default()
        }
    }

    #[test]
    fn a_serial_fraction_is_quoted_beside_the_measured_serial_share() {
        let (one, two) = (account(1.0, 0.0, 0.0, 0.0, 0.1), account(0.9, 0.01, 0.082, 0.006, 0.103));
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &two }];
        let verdict = Verdict::SerialFraction { threads: 2, speedup: 1.8, serial_fraction: 0.11, ceiling: 9.1 };
        let cause = Cause::read(&Diagnosis::of(verdict.clone()), &fits(0.11, [0.10, 0.14]), &points, 2).unwrap();
        let Cause::SerialShare { agrees, rest_of_b, ref others, threads, .. } = cause else { panic!("{cause:?}") };
        assert!(agrees && rest_of_b.is_none() && threads == 2);
        assert_eq!(others.iter().map(|p| p.part).collect::<Vec<_>>(), [PartName::Inflation, PartName::Imbalance]);
        let text = cause.clause(Some(Kind::Synthetic));
        assert!(
            text.contains("measured at 2 threads: 10.3% [9.9, 10.7] of T(1) runs outside the parallel calls"),
            "{text}"
        );
        assert!(text.contains("inflation 1.0%, imbalance 0.6%") && text.contains("inferred from the curve"), "{text}");
        // A command's serial part is its time with one thread alone on a CPU, not code outside calls.
        let said = cause.command_clause(Some(Kind::Synthetic));
        assert!(
            said.contains("10.3% [9.9, 10.7] of T(1) runs with one of the command's threads alone on a CPU"),
            "{said}"
        );
        assert!(!said.contains("parallel calls"), "{said}");
        // A B well above the serial share: the rest of B is named when that part is surely there
        // (inflation 3% [2, 4]); not when its interval reaches zero (inflation 1% [0, 2]).
        let inflated = account(0.87, 0.03, 0.082, 0.006, 0.103);
        let surely = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &inflated }];
        let cause = Cause::read(&Diagnosis::of(verdict.clone()), &fits(0.2, [0.18, 0.22]), &surely, 2).unwrap();
        assert!(
            cause.clause(None).contains("disagree beyond their intervals: the rest of B is inflation"),
            "{cause:?}"
        );
        let cause = Cause::read(&Diagnosis::of(verdict.clone()), &fits(0.2, [0.18, 0.22]), &points, 2).unwrap();
        assert!(matches!(cause, Cause::SerialShare { rest_of_b: None, agrees: false, .. }), "{cause:?}");
        let text = cause.clause(None);
        assert!(text.contains("disagree beyond their intervals, and no other part is surely above zero"), "{text}");
        assert!(!text.contains("the rest of B is"), "{text}");
    }

    /// The work's own rayon code (merged time) can hide serial code: the measured share is a
    /// lower bound of B, never "the rest of B is inflation".
    #[test]
    fn serial_code_the_account_cannot_see_makes_the_measured_share_a_lower_bound() {
        let one = account(1.0, 0.0, 0.0, 0.0, 1.0);
        let mut two = account(0.88, 0.08, 0.0, 0.0, 0.0);
        two.merged = Some(crate::account::parts::Merged {
            parts: crate::account::parts::MERGED_PARTS.to_vec(),
            part: part(0.022, 0.005),
        });
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &two }];
        let verdict = Verdict::SerialFraction { threads: 2, speedup: 1.53, serial_fraction: 0.3, ceiling: 3.3 };
        let cause = Cause::read(&Diagnosis::of(verdict.clone()), &fits(0.3, [0.17, 0.42]), &points, 2).unwrap();
        assert!(
            matches!(cause, Cause::SerialShare { agrees: true, rest_of_b: None, merged: Some(_), .. }),
            "{cause:?}"
        );
        let text = cause.clause(None);
        assert!(
            text.contains(
                "that share is a lower bound of B: 2.2% of the thread-time ran off-CPU in the work's own rayon code"
            ),
            "{text}"
        );
        assert!(!text.contains("disagree") && !text.contains("the rest of B is"), "{text}");
        // Above B's interval, the lower bound still contradicts B.
        let mut over = account(0.5, 0.0, 0.5, 0.0, 0.6);
        over.merged = two.merged.clone();
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &over }];
        let cause = Cause::read(&Diagnosis::of(verdict.clone()), &fits(0.3, [0.17, 0.42]), &points, 2).unwrap();
        assert!(matches!(cause, Cause::SerialShare { agrees: false, rest_of_b: None, .. }), "{cause:?}");
    }

    /// Two thread counts: the verdict says near-linear and the B beside it is the second reading
    /// (`alternative`); the measured serial share is still quoted. A B at or above 1 is no serial
    /// fraction: no rest of B is named there.
    #[test]
    fn a_b_in_the_second_reading_is_quoted_and_a_b_above_one_is_not() {
        let (one, two) = (account(1.0, 0.0, 0.0, 0.0, 0.1), account(0.9, 0.01, 0.082, 0.006, 0.104));
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &two }];
        let near =
            Verdict::NearLinear { threads: 2, speedup: 1.8, until_threads: None, serial_fraction: None, ceiling: None };
        let mut diagnosis = Diagnosis::of(near.clone());
        assert!(Cause::read(&diagnosis, &fits(0.11, [0.08, 0.14]), &points, 2).is_none());
        diagnosis.alternative =
            Some(Verdict::SerialFraction { threads: 2, speedup: 1.8, serial_fraction: 0.11, ceiling: 9.1 });
        let cause = Cause::read(&diagnosis, &fits(0.11, [0.08, 0.14]), &points, 2).unwrap();
        assert!(matches!(cause, Cause::SerialShare { agrees: true, .. }), "{cause:?}");
        // Sequential with B = 1.03: slower with more threads; the part that grows is read instead.
        let slower = account(0.45, 0.18, 0.3, 0.0, 0.99);
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &slower }];
        let sequential = Verdict::Sequential { threads: 2, speedup: 0.97, serial_fraction: Some(1.03) };
        let cause = Cause::read(&Diagnosis::of(sequential), &fits(1.03, [1.0, 1.06]), &points, 2).unwrap();
        assert!(matches!(cause, Cause::Grows { part: PartName::Serial | PartName::Inflation, .. }), "{cause:?}");
        assert!(!cause.clause(None).contains("the rest of B"), "{cause:?}");
    }

    #[test]
    fn a_plateau_names_the_part_that_grows() {
        let (one, two) = (account(1.0, 0.0, 0.0, 0.0, 0.0), account(0.66, 0.34, 0.0, 0.0, 0.001));
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &two }];
        let verdict = Verdict::MemoryBandwidth {
            threads: 2,
            speedup: 1.3,
            gb_per_s: None,
            knee_threads: None,
            ceiling: None,
            serial_fraction: None,
        };
        let cause = Cause::read(&Diagnosis::of(verdict.clone()), &Fits::default(), &points, 2).unwrap();
        assert!(matches!(cause, Cause::Grows { part: PartName::Inflation, serial_share_of_t1: None, .. }));
        let text = cause.clause(Some(Kind::MemoryBound));
        assert!(
            text.contains("inflation grows from 0.0% of the thread-time at 1 thread to 34.0% [33.0, 35.0]"),
            "{text}"
        );
        assert!(text.contains("each unit of work costs 1.3x the CPU time at 2 threads: memory bandwidth or caches"));
        // Nothing grows: no cause.
        let flat = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &one }];
        assert!(Cause::read(&Diagnosis::of(verdict.clone()), &Fits::default(), &flat, 2).is_none());
        // Verdicts that name no cause get none; nor does an account without j = 1.
        let near =
            Verdict::NearLinear { threads: 2, speedup: 2.0, until_threads: None, serial_fraction: None, ceiling: None };
        assert!(Cause::read(&Diagnosis::of(near.clone()), &Fits::default(), &points, 2).is_none());
        assert!(Cause::read(&Diagnosis::of(verdict.clone()), &Fits::default(), &points[1..], 2).is_none());
    }

    #[test]
    fn a_saturation_with_measured_serial_code_says_they_disagree() {
        let (one, two) = (account(1.0, 0.0, 0.0, 0.0, 0.0), account(0.5, 0.3, 0.1, 0.0, 0.1));
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 4, parts: &two }];
        let verdict = Verdict::Saturation { knee_threads: 2, peak_speedup: 2.0, gb_per_s: None, cpus: None };
        let text = Cause::read(&Diagnosis::of(verdict.clone()), &Fits::default(), &points, 4).unwrap().clause(None);
        assert!(text.contains("but 10.0% [9.6, 10.4] of T(1) runs outside the parallel calls"), "{text}");
    }

    #[test]
    fn a_distorted_account_says_so() {
        let (one, mut two) = (account(1.0, 0.0, 0.0, 0.0, 0.0), account(0.5, 0.0, 0.0, 0.5, 0.0));
        (two.profile_over_timed, two.distorted) = (Some(1.8), true);
        let points = [AccountAt { threads: 1, parts: &one }, AccountAt { threads: 2, parts: &two }];
        let text =
            Cause::read(&Diagnosis::of(Verdict::Slower { threads: 2, speedup: 0.5 }), &Fits::default(), &points, 2)
                .unwrap()
                .clause(Some(Kind::Sequential));
        assert!(
            text.contains("imbalance grows") && text.contains("took 80% longer than the timed runs of their rounds"),
            "{text}"
        );
    }
}
