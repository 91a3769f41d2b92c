//! A plan's cost against `--budget`: what the sweep and `--dry-run` estimate before measuring,
//! the thread counts left out to fit, the sample refused for being longer than the whole budget,
//! and the overrun said after the run.
//!
//! # Method
//! - **One sample at j** costs its run — known from the workload's parameters where they say it
//!   (`Workload::known_duration`: `sleep` is `size` x `ms` with its serial share), else T(1)
//!   (timed once) over S(j) guessed from the kind ([`guessed_speedup`]) — plus the harness's own
//!   cost: a fixed part (hooks, the clock's reads) and a part per thread (a team built from the
//!   crew and given back, each time asleep: `sweep::teams`), both measured ([`Harness`]).
//! - **A plan needs** the samples still to take at each count (its warm-up, if not yet taken, and
//!   `--min-rounds`, with the profile runs of in-process work in the first
//!   `sweep::PROFILE_ROUNDS` of them: the sweep counts them) times their cost. After the warm-up the sweep needs no guess: each count's
//!   warm-up, timed whole, is its cost.
//! - **To fit** ([`fit`]), counts leave the plan the costliest first — never j = 1 (every speedup
//!   is paired with it) nor the largest (the end of the curve) — until what is left fits in what
//!   is left of what the workload may plan with ([`plan_allowance`]: its even share of the
//!   time left, and half of each later workload's). When even those two do not fit, they are measured with the
//!   minimum rounds, which intervals need, and the sentence says by how much the plan overruns.
//!   `--allow-overrun` leaves every count in and says the same.
//! - **One sample longer than the whole budget** ([`too_long`]), where its cost is known before
//!   anything runs, is refused before anything is measured (exit 2) unless `--allow-overrun`.
//! - **After the run** ([`overrun`]), a run that took more than [`OVERRUN_TOLERANCE`] beyond its
//!   budget says by how much.

use amdahl_workloads::Kind;

use crate::error::Error;
use crate::quantity::format_duration_ns;
use crate::thread_set::{CpuCounts, threads_text};

/// The share of the budget a run may exceed before the overrun is said (the last write, the fits,
/// the environment read after the run).
pub const OVERRUN_TOLERANCE: f64 = 0.05;

/// The seconds a workload's plan is held against ([`fit`]) when `left` seconds of the run's
/// budget are left and `workloads_left` workloads are still to run, this one among them: its even
/// share of what is left, and half of each later workload's. A workload whose minimum needs more
/// than its even share (the default catalogue's `sleep`, five counts of known cost: about 7.5 s
/// against 4.4 s on 2 CPUs) keeps its counts where the later workloads can give way, each of them
/// held in turn against its own allowance of what is then left; the last may plan with all of it.
/// Rounds beyond the minimum still stop at the even share.
pub fn plan_allowance(left: f64, workloads_left: usize) -> f64 {
    let n = workloads_left.max(1) as f64;
    left / n * (n + 1.0) / 2.0
}

/// S(j) as the kind promises it, for estimates made before j is measured: min(j, N) for work that
/// computes, j for work that waits, 1 for sequential and contended work, and at most 4 for
/// memory-bound work.
pub fn guessed_speedup(kind: Kind, j: usize, cpus: CpuCounts) -> f64 {
    let computing = j.min(cpus.usable.max(1)) as f64;
    match kind {
        Kind::IoBound => j as f64,
        Kind::Sequential | Kind::Contended => 1.0,
        Kind::MemoryBound => computing.min(4.0),
        Kind::Parallel | Kind::Synthetic => computing,
    }
}

/// The harness's own cost of one sample, measured: seconds whatever j, and seconds per thread of
/// the team (built from the crew, its workers asleep, given back asleep).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Harness {
    /// Hooks, the clock's reads, the checksum: seconds a sample.
    pub per_sample: f64,
    /// A team's life: seconds a thread.
    pub per_thread: f64,
}

impl Harness {
    /// The harness's cost of one sample at `j`.
    pub fn at(&self, j: usize) -> f64 {
        self.per_sample + self.per_thread * j as f64
    }
}

/// Where a plan's estimate of one run comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RunCost {
    /// Known from the workload's parameters: seconds at j = 1.
    Known(f64),
    /// T(1), timed once (or `--target-ms`), over S(j) guessed from the kind.
    Timed(f64),
    /// Each count's warm-up, timed whole (the run and the harness).
    WarmedUp,
}

impl RunCost {
    /// What the estimate rests on, for the sentence.
    fn basis(&self, harness: &Harness) -> String {
        // The harness's cost, the parts measured (the fake clock measures none).
        let parts: Vec<String> = [(harness.per_sample, "a sample"), (harness.per_thread, "a thread")]
            .into_iter()
            .filter(|(s, _)| *s > 0.0)
            .map(|(s, per)| format!("{} {per}", seconds(s)))
            .collect();
        let own = if parts.is_empty() { String::new() } else { format!("; the harness's {}", parts.join(" and ")) };
        match self {
            RunCost::Known(t1) => format!("one run takes {} at j = 1, known from its parameters{own}", seconds(*t1)),
            RunCost::Timed(t1) => format!("T(1) = {} timed, S(j) guessed from the kind{own}", seconds(*t1)),
            RunCost::WarmedUp => "each count's warm-up, timed whole".to_owned(),
        }
    }
}

/// A duration in seconds as text with a fitting unit.
fn seconds(s: f64) -> String {
    format_duration_ns(s * 1e9)
}

/// The counts of a plan against the time left, after [`fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The counts measured, ascending.
    pub kept: Vec<usize>,
    /// The counts left out to fit, ascending.
    pub dropped: Vec<usize>,
    /// Seconds every count of the plan needs.
    pub needed: f64,
    /// Seconds the kept counts need.
    pub needed_kept: f64,
    /// Seconds left for them.
    pub available: f64,
    /// The counts never left out: j = 1, the largest, and the largest the fit uses.
    pub always: Vec<usize>,
    /// Whether `--allow-overrun` kept every count.
    pub allow_overrun: bool,
}

impl Fitted {
    /// Whether the kept counts fit in the time left.
    pub fn fits(&self) -> bool {
        self.needed_kept <= self.available
    }

    /// Seconds the kept counts need beyond the time left (0 when they fit).
    pub fn over(&self) -> f64 {
        (self.needed_kept - self.available).max(0.0)
    }
}

/// The counts of a plan that fit in `available` seconds, each count `(j, seconds)` with the
/// seconds its samples still to take need; counts are left out the costliest first, never the
/// first (j = 1) nor the last (the largest), unless `allow_overrun`. Counts above `fitted_up_to`
/// (the usable CPUs, for work that computes: such points are left out of the fit) leave before
/// any count the fit uses, and the largest count the fit uses stays too: without it no law is
/// fitted and the verdict rests on oversubscribed points alone.
pub fn fit(counts: &[(usize, f64)], available: f64, allow_overrun: bool, fitted_up_to: usize) -> Fitted {
    let needed: f64 = counts.iter().map(|(_, s)| s).sum();
    let largest_fitted = counts.iter().map(|(j, _)| *j).filter(|&j| j > 1 && j <= fitted_up_to).max();
    let mut always: Vec<usize> =
        [counts.first(), counts.last()].into_iter().flatten().map(|(j, _)| *j).chain(largest_fitted).collect();
    always.sort_unstable();
    always.dedup();
    let mut kept: Vec<(usize, f64)> = counts.to_vec();
    let mut dropped = Vec::new();
    let mut needed_kept = needed;
    if !allow_overrun {
        // The counts between the first and the last, but the largest the fit uses; those beyond
        // the fit last (they leave first), each group the costliest last.
        let mut candidates: Vec<(usize, f64)> = counts
            .iter()
            .copied()
            .skip(1)
            .take(counts.len().saturating_sub(2))
            .filter(|(j, _)| Some(*j) != largest_fitted)
            .collect();
        candidates.sort_by(|a, b| {
            (a.0 > fitted_up_to).cmp(&(b.0 > fitted_up_to)).then(a.1.total_cmp(&b.1)).then(a.0.cmp(&b.0))
        });
        while needed_kept > available
            && let Some((j, s)) = candidates.pop()
        {
            needed_kept -= s;
            dropped.push(j);
            kept.retain(|(k, _)| *k != j);
        }
    }
    dropped.sort_unstable();
    let kept = kept.into_iter().map(|(j, _)| j).collect();
    Fitted { kept, dropped, needed, needed_kept, available, always, allow_overrun }
}

/// What a plan that does not fit says, before measuring: the estimate and what it rests on, the
/// time left of the `allowance` the workload plans with ([`plan_allowance`]), the counts left out
/// (or, with `--allow-overrun`, that none is), and any overrun left. `None` when the whole plan
/// fits.
pub fn plan_sentence(
    name: &str,
    fitted: &Fitted,
    cost: RunCost,
    harness: &Harness,
    min_rounds: usize,
    allowance: f64,
) -> Option<String> {
    if fitted.needed <= fitted.available {
        return None;
    }
    let counts = fitted.kept.len() + fitted.dropped.len();
    let samples = match cost {
        RunCost::WarmedUp => format!("the minimum {min_rounds} rounds"),
        _ => format!("the warm-up and the minimum {min_rounds} rounds"),
    };
    let left = if allowance <= 0.0 {
        "with no share of the budget left for this workload (the machine's ceilings and the workloads before it took it)".to_owned()
    } else if fitted.available >= 0.0 {
        format!("against {:.1} s left of the {allowance:.1} s this workload may plan with", fitted.available)
    } else {
        format!(
            "with the {allowance:.1} s this workload may plan with already spent ({:.1} s so far)",
            allowance - fitted.available
        )
    };
    let head = format!(
        "{name}: the plan cannot meet the budget: {samples} of its {counts} thread counts need about {:.1} s ({}) {left}",
        fitted.needed,
        cost.basis(harness),
    );
    let always = threads_text(&fitted.always);
    let overrun = |over: f64| format!("about {over:.1} s over the budget");
    let tail = if fitted.allow_overrun {
        format!("--allow-overrun: every count is measured, {}", overrun(fitted.over()))
    } else if fitted.dropped.is_empty() && counts > 2 {
        format!(
            "none is left out (j = {always} always stay: 1, the largest, and the largest within the usable CPUs, without which no law is fitted): they are measured with the minimum {min_rounds} rounds, which intervals need: {}; a smaller size= or a larger --budget would fit",
            overrun(fitted.over())
        )
    } else if fitted.dropped.is_empty() {
        format!(
            "j = {} alone are measured with the minimum {min_rounds} rounds, which intervals need: {}; a smaller size= or a larger --budget would fit",
            threads_text(&fitted.kept),
            overrun(fitted.over())
        )
    } else if fitted.fits() {
        format!(
            "left out j = {} (the costliest first, keeping j = {always}), so the rest need about {:.1} s; --allow-overrun measures them all",
            threads_text(&fitted.dropped),
            fitted.needed_kept
        )
    } else {
        format!(
            "left out j = {} (the costliest first, keeping j = {always}); even j = {} alone need about {:.1} s and are measured with the minimum {min_rounds} rounds, which intervals need: {}",
            threads_text(&fitted.dropped),
            threads_text(&fitted.kept),
            fitted.needed_kept,
            overrun(fitted.over())
        )
    };
    Some(format!("{head}; {tail}"))
}

/// The refusal of a workload one of whose samples, known from its parameters to take
/// `sample_s` seconds at j = 1 (`basis` says why), is longer than the whole `budget_s`.
pub fn too_long(name: &str, sample_s: f64, basis: &str, budget_s: f64) -> Error {
    Error::usage(
        "--budget",
        budget_s,
        format!(
            "is shorter than one sample of `{name}`: one run at j = 1 takes about {sample_s:.0} s ({basis}); give a smaller size=, a larger --budget, or --allow-overrun"
        ),
    )
}

/// What a run that took `elapsed_s` against its `budget_s` says, when it overran by more than
/// [`OVERRUN_TOLERANCE`].
pub fn overrun(elapsed_s: f64, budget_s: f64) -> Option<String> {
    let over = elapsed_s - budget_s;
    (over > OVERRUN_TOLERANCE * budget_s).then(|| {
        format!(
            "the run took {elapsed_s:.1} s against its --budget of {budget_s:.1} s: {over:.1} s ({:.0}%) over (the minimum rounds and the warm-ups run whatever the budget; the warnings above say which workload could not fit)",
            100.0 * over / budget_s
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPUS: CpuCounts = CpuCounts { usable: 2, physical: 2, sockets: 1 };

    #[test]
    fn the_costliest_counts_leave_first_and_one_and_the_largest_stay() {
        // Costs rise with j, as oversubscribed teams do on 2 CPUs.
        let counts: Vec<(usize, f64)> = (1..=8).map(|j| (j, j as f64)).collect();
        let f = fit(&counts, 20.0, false, usize::MAX);
        assert_eq!(f.needed, 36.0);
        assert_eq!(f.dropped, [5, 6, 7], "the costliest between 1 and 8");
        assert_eq!(f.kept, [1, 2, 3, 4, 8]);
        assert_eq!(f.needed_kept, 18.0);
        assert!(f.fits());
        // Nothing to leave out: 1 and the largest stay, and the overrun is said.
        let f = fit(&counts, 5.0, false, usize::MAX);
        assert_eq!(f.kept, [1, 8]);
        assert!(!f.fits() && f.over() == 4.0);
        // --allow-overrun keeps them all.
        let f = fit(&counts, 5.0, true, usize::MAX);
        assert!(f.dropped.is_empty() && f.kept.len() == 8 && f.over() == 31.0);
        // A plan that fits is left alone, and says nothing.
        let f = fit(&counts, 100.0, false, usize::MAX);
        assert!(f.dropped.is_empty());
        assert_eq!(plan_sentence("w", &f, RunCost::WarmedUp, &Harness::default(), 5, 100.0), None);
    }

    /// On 2 CPUs, work that computes is fitted on j = 1, 2 only: j = 2 stays, and the
    /// oversubscribed counts leave first, the costliest first (the largest stays, as asked).
    #[test]
    fn counts_beyond_the_fit_leave_first_and_the_largest_fitted_count_stays() {
        let counts = [(1, 1.0), (2, 3.0), (4, 2.0)];
        let f = fit(&counts, 3.0, false, 2);
        assert!(f.dropped.is_empty() && f.kept == [1, 2, 4] && !f.fits(), "{f:?}");
        let said = plan_sentence("triad", &f, RunCost::WarmedUp, &Harness::default(), 5, 3.0).unwrap();
        assert!(said.contains("none is left out (j = 1, 2, 4 always stay"), "{said}");
        assert!(said.contains("about 3.0 s over the budget") && !said.contains("--allow-overrun:"), "{said}");
        // Before: j = 2 left, and no law could be fitted on j = 1 alone.
        assert_eq!(fit(&counts, 3.0, false, usize::MAX).kept, [1, 4]);
        let counts: Vec<(usize, f64)> = (1..=8).map(|j| (j, 9.0 - j as f64)).collect();
        let f = fit(&counts, 20.0, false, 2);
        assert_eq!(f.dropped, [3, 4, 5, 6], "beyond the fit, the costliest first: {f:?}");
        assert_eq!(f.kept, [1, 2, 7, 8]);
    }

    #[test]
    fn the_sentence_names_the_estimate_what_it_rests_on_and_the_counts_left_out() {
        let counts: Vec<(usize, f64)> = (1..=128).map(|j| (j, 0.01 * j as f64)).collect();
        let harness = Harness { per_sample: 1e-3, per_thread: 8e-6 };
        let f = fit(&counts, 9.0, false, usize::MAX);
        let said = plan_sentence("primes", &f, RunCost::Timed(35e-6), &harness, 5, 10.0).unwrap();
        assert!(said.starts_with("primes: the plan cannot meet the budget: the warm-up and the minimum 5 rounds of its 128 thread counts need about 82.6 s (T(1) = 35.00 us timed, S(j) guessed from the kind; the harness's 1.00 ms a sample and 8.00 us a thread) against 9.0 s left of the 10.0 s this workload may plan with; left out j = "), "{said}");
        assert!(said.contains("(the costliest first, keeping j = 1, 128), so the rest need about"), "{said}");
        assert!(f.dropped.iter().all(|&j| j > 1 && j < 128) && f.fits());
        let over = fit(&counts[..2], 0.001, false, usize::MAX);
        let said = plan_sentence("w", &over, RunCost::Known(600.0), &harness, 5, 1.0).unwrap();
        assert!(said.contains("one run takes 600.0 s at j = 1, known from its parameters"), "{said}");
        assert!(said.contains("j = 1, 2 alone are measured with the minimum 5 rounds"), "{said}");
        // Only the parts of the harness's cost measured are named; a workload left no share says so.
        let threads_only = Harness { per_sample: 0.0, per_thread: 2e-4 };
        let none_left = fit(&counts[..2], 0.0, false, usize::MAX);
        let said = plan_sentence("w", &none_left, RunCost::Timed(1e-5), &threads_only, 5, 0.0).unwrap();
        assert!(said.contains("(T(1) = 10.00 us timed, S(j) guessed from the kind; the harness's 200.0 us a thread) with no share of the budget left for this workload (the machine's ceilings and the workloads before it took it)"), "{said}");
        let all = fit(&counts, 9.0, true, usize::MAX);
        let said = plan_sentence("w", &all, RunCost::WarmedUp, &harness, 5, 10.0).unwrap();
        assert!(
            said.contains("(each count's warm-up, timed whole)")
                && said.contains("--allow-overrun: every count is measured, about 73.6 s over"),
            "{said}"
        );
    }

    #[test]
    fn an_overrun_is_said_with_its_size_beyond_the_tolerance() {
        assert_eq!(overrun(10.4, 10.0), None);
        let said = overrun(44.0, 10.0).unwrap();
        assert!(said.starts_with("the run took 44.0 s against its --budget of 10.0 s: 34.0 s (340%) over"), "{said}");
    }

    #[test]
    fn a_plan_may_take_half_of_each_later_workloads_share() {
        // Alone, or last: all that is left.
        assert_eq!(plan_allowance(25.0, 1), 25.0);
        // 17.6 s left for four: an even share of 4.4 s, and 3 x 2.2 s given way by the others.
        assert!((plan_allowance(17.6, 4) - 11.0).abs() < 1e-9);
        // Never more than what is left, never less than the even share.
        for n in 1..=50 {
            let a = plan_allowance(10.0, n);
            assert!(a <= 10.0 && a >= 10.0 / n as f64, "{n}: {a}");
        }
    }

    #[test]
    fn guessed_speedups_follow_the_kind() {
        assert_eq!(guessed_speedup(Kind::Parallel, 8, CPUS), 2.0);
        assert_eq!(guessed_speedup(Kind::IoBound, 8, CPUS), 8.0);
        assert_eq!(guessed_speedup(Kind::Contended, 8, CPUS), 1.0);
        assert_eq!(guessed_speedup(Kind::MemoryBound, 1, CPUS), 1.0);
    }
}
