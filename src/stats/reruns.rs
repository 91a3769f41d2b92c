//! The spread between reruns of one workload on one machine, measured from its earlier runs
//! (kept by `machine::rerun_history`): the part of the run-to-run noise that the machine's states
//! add to *this* workload, which a run of a few seconds cannot see from inside.
//!
//! # Why
//! A run's intervals describe its own rounds; the constant floor (`stats::noise_floor`) adds the
//! development machine's typical rerun spread, and the stretches of a run (`stats::states`) add
//! states that come and go within it. States that last longer than a run are in neither. On the
//! 2-CPU development VM, `synthetic`'s T(2) was 71 ms for about 50 s of back-to-back runs and
//! 77 ms for the next 50 s, with T(1) steady: S(2) 1.80 or 1.66, each run's interval +-1-3%, so a
//! rerun was called different from a run in the other state (23 of 90 pairs). A machine-wide probe
//! (a spin loop's S) moved 1% while `synthetic`'s moved 13%: the states belong to the workload
//! on the machine, so they are measured per workload.
//!
//! # Method
//! pyperf spreads a benchmark over 20 worker processes and reports the spread between them; here
//! the runs a user already makes are the workers. Every complete, undisturbed run of an
//! in-process workload leaves [`RerunSample`]: ln T(1) and ln S(j) with the standard deviation its
//! own rounds give them (the bootstrap's, before any floor). From the earlier runs of the same
//! workload on the same machine ([`MIN_RUNS`] or more), in a random-effects model x = mu + u + e
//! (u the run's state, sd tau; e its own error, the sd its rounds give), the floor f of each
//! figure is the between-run sd beyond the runs' own, with the runs' variance expanded for being
//! estimated from n of them (a t prediction, as `attribution::growth` expands its small-sample
//! intervals):
//!
//! `f^2 = max(0, (t(0.975, n - 1) / z(0.975))^2 s^2(x) - mean(own^2))`,
//!
//! so that a run's own sd and f, added in quadrature, make the t interval of the runs' spread:
//! (t/z)^2 is 2.0 from 5 runs, 1.3 from 10, 1.14 from 20, and f tends to the method-of-moments
//! tau as the runs grow. A rare state adds little variance but lies far: `synthetic`'s S(2) at
//! the default size sat 5.1% low (0.053 in ln) in one run of sixteen, where the variance gave a
//! floor of 1.0% (a 95% bound of 2.8% with the own 1%). So f is the larger of that and the
//! farthest run from the runs' median over z, beyond that run's own:
//! `f^2 = max(f^2, (max |x - median| / z)^2 - own_far^2)`. This rule is conservative where there
//! is no state: the largest of n errors exceeds 1.96 sd more often as n grows, so from about 15
//! runs it often sets the floor, and intervals with no state cover about 98% rather than 95% (the
//! tests count it). A stricter quantile for the largest of n (z at 1 - 0.025/n) would not be, but
//! would give a rare state seen once only half the floor; the wider side was chosen, measured by
//! the A/A series in the closing note of issue 33. T(1) has one floor (`time`), and each j > 1 its own (`speedup`): states
//! need not move every j alike, and the largest of several noisy estimates would be biased up.
//! The tests below count how often intervals so widened hold the long-run value (runs in
//! independent states) and how often two runs are called different when states persist over
//! several runs.
//!
//! # Limits
//! - The runs must measure the same code: the history's key holds the workload's name, version,
//!   parameters, backend, scaling, hooks and the measuring executable's identity
//!   (`machine::rerun_history`), so a rebuilt bench starts a new history. Code that changes
//!   behind the same executable and parameters (an environment variable, a file it reads; every
//!   `--cmd`, which is why commands keep the constant floor) cannot be told from a state. A
//!   mixture of two builds is what makes a spread large, so the between-run sd a history
//!   estimates is capped at [`MAX_SD`], 10% (the largest measured on a quiet machine was 3.9%,
//!   `synthetic`'s S(2)), before the expansion for its count; a capped floor is said. Two runs
//!   whose histories are both capped tell a change of S from a rerun only beyond about 35% (from
//!   5 runs) to 32% (from 20).
//! - States that persist over several runs make young histories agree with themselves: a history
//!   that has seen one state sets a small floor, and the first run in the other state is called
//!   different. The more runs (up to [`MAX_RUNS`](crate::machine::rerun_history::MAX_RUNS)) the
//!   history holds, the more states it has seen.
//! - A run's figure [`MAX_STATE_DEPARTURE`] or more from the runs' median there is left out of
//!   that figure (and counted, `left_out`): a state moves a figure by a few percent, while a
//!   run that lost half its CPU time to the host moved `primes`' S(2) by 46% without any sign the
//!   run could see. So a history that mixes two builds keeps the larger camp and leaves the other
//!   out (counted); only a near-even split within a factor 1.65 keeps both, and is capped. A j
//!   left with fewer than [`MIN_RUNS`] runs has no floor of its own (the constant floor), and
//!   T(1) left with fewer has none at all; the cut-off ignores each run's own sd, so a workload
//!   whose own sd nears 10% loses a few runs to it.
//! - A machine's first runs of a workload (fewer than [`MIN_RUNS`] earlier ones younger than
//!   `machine::rerun_history::MAX_AGE`) have the constant floor only.
//! - The floor only widens: the constant floor stays the lower bound.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::noise_floor::Z95;

/// The fewest earlier runs a floor is measured from.
pub const MIN_RUNS: usize = 5;

/// The largest between-run standard deviation the reruns may estimate, of any figure, before
/// the expansion for their count.
pub const MAX_SD: f64 = 0.10;

/// How far (on the log scale: 0.25 is a factor 1.28, 28% above or 22% below) a run's figure may lie from the
/// median of the runs' and still be one of the machine's states. The states measured on the
/// development VM moved S(2) by 3-13%; what moved it by 46% was the host taking half of the VM's
/// CPU time for a whole run (`primes` S(2) 1.07 against 1.99, its threads' CPU time doubled, no
/// sign the run could see), which had set a floor of 10.7% for the next 20 runs.
pub const MAX_STATE_DEPARTURE: f64 = 0.25;

/// Which of `figures` lie [`MAX_STATE_DEPARTURE`] or more from their median.
fn beyond_any_state(figures: &[RerunFigure]) -> Vec<bool> {
    let lns: Vec<f64> = figures.iter().map(|f| f.ln).collect();
    let middle = if lns.is_empty() { 0.0 } else { super::median(&lns) };
    lns.iter().map(|x| (x - middle).abs() >= MAX_STATE_DEPARTURE).collect()
}

/// One figure of one run: its value on the log scale and the standard deviation its own rounds
/// give it (a 95% interval's log half-width over z).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RerunFigure {
    /// ln of the figure (T(1) in ns, or S(j)).
    pub ln: f64,
    /// Its own standard deviation on the log scale.
    pub own_sd: f64,
}

impl RerunFigure {
    /// The figure `estimate` with its own 95% interval `ci` (before any floor); `None` unless
    /// all are finite and positive.
    pub fn of(estimate: f64, ci: [f64; 2]) -> Option<RerunFigure> {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !(positive(estimate) && positive(ci[0]) && positive(ci[1]) && ci[0] <= ci[1]) {
            return None;
        }
        Some(RerunFigure { ln: estimate.ln(), own_sd: (ci[1] / ci[0]).ln() / (2.0 * Z95) })
    }
}

/// What one run leaves for the runs after it: T(1) and S(j) of each j > 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RerunSample {
    /// T(1).
    pub t1: RerunFigure,
    /// S(j) of each j > 1 measured, ascending in j.
    pub speedups: Vec<(usize, RerunFigure)>,
}

/// The floor one workload's earlier runs on this machine set (recorded per workload in the
/// results file; its intervals were widened by it where larger than the constant floor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RerunFloor {
    /// The relative standard deviation of T(1) between runs beyond the runs' own, expanded for
    /// their count.
    pub time: f64,
    /// The same of S(j), per j > 1 that at least [`MIN_RUNS`] of the runs measured, ascending.
    pub speedup: Vec<SpeedupFloor>,
    /// How many earlier runs it was measured from.
    pub runs: usize,
    /// How many of them were left out of a figure for lying [`MAX_STATE_DEPARTURE`] or more from
    /// the runs' median there: taken as no state of the machine (a CPU taken away for the whole
    /// run, other code under the same name).
    #[serde(default)]
    pub left_out: usize,
    /// The age of the oldest of them when this run ended, seconds.
    pub oldest_s: u64,
    /// Whether a figure's between-run spread was above [`MAX_SD`] (10%) and taken as 10%: the
    /// runs may mix different code under one name.
    pub capped: bool,
}

/// The floor of S(j) at one j.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SpeedupFloor {
    /// j.
    pub threads: usize,
    /// The relative standard deviation of S(j) between runs beyond their own, expanded.
    pub sd: f64,
}

/// One figure's floor: the sd, and whether the spread was capped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The floor (a relative standard deviation).
    pub sd: f64,
    /// Whether the between-run spread was above [`MAX_SD`] and taken as it.
    pub capped: bool,
}

impl RerunFloor {
    /// The floor of `earlier` runs (any order), the oldest of them `oldest_s` seconds ago; `None`
    /// with fewer than [`MIN_RUNS`].
    pub fn of(earlier: &[RerunSample], oldest_s: u64) -> Option<RerunFloor> {
        if earlier.len() < MIN_RUNS {
            return None;
        }
        // Each figure of each run, by the run's index; a run far from the others in any figure is
        // left out of that figure, and counted once.
        let mut left_out = vec![false; earlier.len()];
        let mut spread_of = |figures: Vec<(usize, RerunFigure)>| -> Option<Spread> {
            let far = beyond_any_state(&figures.iter().map(|(_, f)| *f).collect::<Vec<_>>());
            let kept: Vec<RerunFigure> = (figures.iter().zip(&far))
                .filter_map(|((run, figure), &far)| {
                    left_out[*run] |= far;
                    (!far).then_some(*figure)
                })
                .collect();
            between_runs(&kept)
        };
        let time = spread_of(earlier.iter().map(|s| s.t1).enumerate().collect())?;
        let mut by_threads: BTreeMap<usize, Vec<(usize, RerunFigure)>> = BTreeMap::new();
        for (run, sample) in earlier.iter().enumerate() {
            for (j, figure) in &sample.speedups {
                by_threads.entry(*j).or_default().push((run, *figure));
            }
        }
        let speedups: Vec<(usize, Spread)> =
            by_threads.into_iter().filter_map(|(j, figures)| Some((j, spread_of(figures)?))).collect();
        Some(RerunFloor {
            time: time.sd,
            speedup: speedups.iter().map(|&(threads, s)| SpeedupFloor { threads, sd: s.sd }).collect(),
            runs: earlier.len(),
            left_out: left_out.iter().filter(|&&l| l).count(),
            oldest_s,
            capped: time.capped || speedups.iter().any(|(_, s)| s.capped),
        })
    }

    /// The floor of S(j) at `threads`: 0 where the runs did not measure it.
    pub fn speedup_at(&self, threads: usize) -> f64 {
        self.speedup.iter().find(|f| f.threads == threads).map_or(0.0, |f| f.sd)
    }

    /// The largest floor of S(j).
    pub fn largest_speedup(&self) -> Option<SpeedupFloor> {
        self.speedup.iter().copied().max_by(|a, b| a.sd.total_cmp(&b.sd))
    }

    /// Why the file may not hold it, if it may not: a floor outside 0..=50%, a j below 2 or out
    /// of order, fewer runs than [`MIN_RUNS`] or more than a history keeps, an age past a day.
    pub fn fault(&self) -> Option<String> {
        let sound = |sd: f64| sd.is_finite() && (0.0..=super::NoiseFloor::MAX).contains(&sd);
        if !sound(self.time) {
            return Some(format!("time {:?} is not a floor (0 to 0.5)", self.time));
        }
        let mut previous = 1;
        for f in &self.speedup {
            if f.threads <= previous || f.threads > crate::thread_set::MAX_RECORDED_THREADS {
                return Some(format!("speedup at j = {} after j = {previous}: must be j > 1, ascending", f.threads));
            }
            if !sound(f.sd) {
                return Some(format!("speedup at j = {}: {:?} is not a floor (0 to 0.5)", f.threads, f.sd));
            }
            previous = f.threads;
        }
        let most = crate::machine::rerun_history::MAX_RUNS;
        if !(MIN_RUNS..=most).contains(&self.runs) {
            return Some(format!("runs {} is not from {MIN_RUNS} to {most}", self.runs));
        }
        if self.left_out > self.runs {
            return Some(format!("left_out {} is more than its {} runs", self.left_out, self.runs));
        }
        let day = crate::machine::rerun_history::MAX_AGE.as_secs();
        (self.oldest_s > day).then(|| format!("oldest_s {} is more than a day ({day} s)", self.oldest_s))
    }
}

/// The floor of `figures` (one per run, at least [`MIN_RUNS`]), the larger of two reckonings of
/// how far a rerun may land: their standard deviation, expanded for their count (Student's t
/// over z), beyond their mean own sd; and the farthest of them from their median, over z, beyond
/// that run's own sd (a rare state); each capped at [`MAX_SD`] before the expansion, the floor at
/// 50% (`NoiseFloor::MAX`). `None` with too few or a figure not finite.
pub fn between_runs(figures: &[RerunFigure]) -> Option<Spread> {
    let n = figures.len();
    if n < MIN_RUNS || figures.iter().any(|f| !f.ln.is_finite() || !f.own_sd.is_finite()) {
        return None;
    }
    let lns: Vec<f64> = figures.iter().map(|f| f.ln).collect();
    let mean = lns.iter().sum::<f64>() / n as f64;
    let variance = lns.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let own = figures.iter().map(|f| f.own_sd * f.own_sd).sum::<f64>() / n as f64;
    let middle = super::median(&lns);
    let (far, far_own) = (figures.iter())
        .map(|f| ((f.ln - middle).abs(), f.own_sd * f.own_sd))
        .fold((0.0, 0.0), |best, this| if this.0 > best.0 { this } else { best });
    let farthest = far / Z95;
    let capped = variance - own > MAX_SD * MAX_SD || farthest * farthest - far_own > MAX_SD * MAX_SD;
    // Each spread beyond its own, the between-run part capped at MAX_SD first.
    let beyond = |spread: f64, own: f64, expand: f64| {
        (expand * expand * spread.min(MAX_SD * MAX_SD + own) - own).max(0.0).sqrt()
    };
    let by_variance = beyond(variance, own, t975(n - 1) / Z95);
    // The farthest run's own error is part of its distance: its own variance is what it loses.
    let by_farthest = beyond(farthest * farthest, far_own, 1.0);
    // A file holds floors up to the noise floor's maximum (runs whose own sd is that large).
    let sd = by_variance.max(by_farthest);
    Some(Spread { sd: sd.min(super::NoiseFloor::MAX), capped })
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (a table to 30, then the normal
/// with its first correction).
fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => Z95 + (Z95.powi(3) + Z95) / (4.0 * df as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::noise_floor::{standard_normal, widen};
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    fn figure(ln: f64, own_sd: f64) -> RerunFigure {
        RerunFigure { ln, own_sd }
    }

    #[test]
    fn a_figure_reads_its_own_interval_on_the_log_scale() {
        let f = RerunFigure::of(2.0, [2.0 / 1.1, 2.0 * 1.1]).unwrap();
        assert!((f.ln - 2f64.ln()).abs() < 1e-12);
        assert!((f.own_sd - 1.1f64.ln() / Z95).abs() < 1e-12);
        for bad in [(0.0, [1.0, 2.0]), (1.0, [0.0, 2.0]), (1.0, [2.0, 1.0]), (f64::NAN, [1.0, 2.0])] {
            assert_eq!(RerunFigure::of(bad.0, bad.1), None, "{bad:?}");
        }
    }

    #[test]
    fn the_spread_beyond_the_runs_own_is_measured_and_expanded_for_their_count() {
        // Two states 8% apart, five runs each, own sd 1%: the sample variance of the ten is
        // 0.04^2 * 10/9 (sd 4.2%), expanded by (t(0.975, 9) / z)^2 = (2.262 / 1.960)^2, less the
        // own 1%^2: a floor of 4.76%.
        let figures: Vec<RerunFigure> = (0..10).map(|i| figure(if i % 2 == 0 { 0.0 } else { 0.08 }, 0.01)).collect();
        let expected = ((2.262f64 / Z95).powi(2) * 0.04 * 0.04 * 10.0 / 9.0 - 0.0001).sqrt();
        assert!((expected - 0.0476).abs() < 1e-4, "{expected}");
        let spread = between_runs(&figures).unwrap();
        assert!((spread.sd - expected).abs() < 1e-12 && !spread.capped, "{spread:?}");
        // Runs that differ no more than their own intervals say: no spread beyond them.
        let quiet: Vec<RerunFigure> = [0.0, 0.01, -0.01, 0.005, 0.0].iter().map(|&x| figure(x, 0.02)).collect();
        assert_eq!(between_runs(&quiet), Some(Spread { sd: 0.0, capped: false }));
        // Too few runs, or a figure not finite: nothing measured.
        assert_eq!(between_runs(&figures[..MIN_RUNS - 1]), None);
        let mut broken = figures.clone();
        broken[3].ln = f64::NAN;
        assert_eq!(between_runs(&broken), None);
    }

    #[test]
    fn a_rare_state_sets_the_floor_by_how_far_it_lay_not_by_the_variance_it_adds() {
        // `synthetic`'s S(2) at the default size: fifteen runs at 1.80, one at 1.708 (5.1% low,
        // 0.053 in ln), own sd 1%. The variance gives 1.0% beyond the own (a 95% bound of 2.8%
        // with it, where the reruns showed 5.1%); the farthest run gives 0.053 / z beyond its
        // own: 2.5%.
        let mut figures: Vec<RerunFigure> = (0..15).map(|_| figure(1.80f64.ln(), 0.01)).collect();
        figures.push(figure(1.708f64.ln(), 0.01));
        let far = (1.80f64 / 1.708).ln();
        let expected = ((far / Z95).powi(2) - 0.0001).sqrt();
        let spread = between_runs(&figures).unwrap();
        assert!((spread.sd - expected).abs() < 1e-12 && !spread.capped, "{spread:?} against {expected}");
        let variance = far * far * 16.0 / 256.0;
        let by_variance = ((2.131f64 / Z95).powi(2) * variance - 0.0001).sqrt();
        assert!(by_variance < 0.011 && spread.sd > 0.024, "{by_variance} {spread:?}");
    }

    #[test]
    fn a_spread_beyond_the_cap_is_taken_as_the_cap_before_the_expansion_and_said() {
        // Two builds under one name: S 1.9 in four runs, 1.0 in two (own sd 0): capped at 10%,
        // then expanded for six runs, (t(0.975, 5) / z) * 10% = 13.1%.
        let mixed: Vec<RerunFigure> = (0..6).map(|i| figure(if i < 4 { 0.64 } else { 0.0 }, 0.0)).collect();
        let s = between_runs(&mixed).unwrap();
        assert!(s.capped && (s.sd - 2.571 / Z95 * MAX_SD).abs() < 1e-9, "{s:?}");
        // Just below the cap the expanded floor may exceed 10% and is not capped.
        let states: Vec<RerunFigure> = (0..6).map(|i| figure(if i % 2 == 0 { 0.0 } else { 0.18 }, 0.0)).collect();
        let s = between_runs(&states).unwrap();
        assert!(!s.capped && s.sd > MAX_SD, "{s:?}");
    }

    fn sample(t1: f64, s2: f64, s4: Option<f64>) -> RerunSample {
        let mut speedups = vec![(2, figure(s2, 0.005))];
        speedups.extend(s4.map(|s| (4, figure(s, 0.005))));
        RerunSample { t1: figure(t1, 0.002), speedups }
    }

    #[test]
    fn the_floor_has_t1s_spread_and_each_js_own() {
        // T(1) steady; S(2) in two states 6% apart; S(4) steady, and measured in only five runs.
        let runs: Vec<RerunSample> =
            (0..6).map(|i| sample(10.0, if i < 3 { 0.6 } else { 0.66 }, (i < 5).then_some(1.0))).collect();
        let floor = RerunFloor::of(&runs, 600).unwrap();
        let s2: Vec<RerunFigure> = runs.iter().map(|r| r.speedups[0].1).collect();
        assert_eq!(floor.speedup_at(2), between_runs(&s2).unwrap().sd);
        assert!(floor.speedup_at(2) > 0.03, "{floor:?}");
        assert_eq!((floor.speedup_at(4), floor.speedup_at(8), floor.time), (0.0, 0.0, 0.0));
        assert_eq!(floor.largest_speedup().map(|f| f.threads), Some(2));
        assert_eq!((floor.runs, floor.oldest_s, floor.capped), (6, 600, false));
        assert_eq!(floor.fault(), None);
        // S(4) in fewer than MIN_RUNS runs has no floor of its own.
        let fewer: Vec<RerunSample> = (0..6).map(|i| sample(10.0, 0.6, (i < 4).then_some(1.0))).collect();
        assert_eq!(RerunFloor::of(&fewer, 60).unwrap().speedup.iter().map(|f| f.threads).collect::<Vec<_>>(), [2]);
        assert_eq!(RerunFloor::of(&runs[..MIN_RUNS - 1], 60), None);
    }

    #[test]
    fn a_run_far_from_the_others_is_no_state_and_is_left_out() {
        // Nine runs of S(2) about 1.99, one at 1.07 (the host took half the CPU time of the
        // whole run): left out, the floor is the nine's; with it, the floor would be over 10%.
        let mut runs: Vec<RerunSample> =
            (0..9).map(|i| sample(10.0, 1.99f64.ln() + 0.002 * (i % 3) as f64, None)).collect();
        runs.push(sample(10.0, 1.07f64.ln(), None));
        let floor = RerunFloor::of(&runs, 60).unwrap();
        assert_eq!(floor.left_out, 1);
        assert_eq!(floor.speedup_at(2), RerunFloor::of(&runs[..9], 60).unwrap().speedup_at(2));
        assert!(floor.speedup_at(2) < 0.01, "{floor:?}");
        let s2: Vec<RerunFigure> = runs.iter().map(|r| r.speedups[0].1).collect();
        assert!(between_runs(&s2).unwrap().sd > 0.1, "what the run would have set");
        // States a few percent apart are kept whole.
        let states: Vec<RerunSample> = (0..10).map(|i| sample(10.0, if i < 3 { 0.5 } else { 0.62 }, None)).collect();
        assert_eq!(RerunFloor::of(&states, 60).unwrap().left_out, 0);
        // Left out of T(1) counts the run once, and too few left measure nothing.
        let mut slow = runs[..6].to_vec();
        slow[0].t1.ln += 0.4;
        assert_eq!(RerunFloor::of(&slow, 60).unwrap().left_out, 1);
        slow[1].t1.ln += 0.4;
        assert_eq!(RerunFloor::of(&slow, 60), None, "four runs of T(1) left");
    }

    #[test]
    fn every_floor_a_history_gives_is_one_a_file_may_hold() {
        let far = |k: usize, s2: f64| (0..k).map(move |_| sample(10.0, s2, None));
        // One run far in S(2) among five; one far in T(1) and another far in S(2) among six;
        // two builds; an S(j) in two runs far apart; runs whose own sd is huge.
        let mut one_far: Vec<RerunSample> = far(4, 0.69).collect();
        one_far.push(sample(10.0, 0.07, None));
        let mut two_far: Vec<RerunSample> = far(6, 0.69).collect();
        two_far[0].t1.ln += 0.4;
        two_far[1].speedups[0].1.ln = 0.07;
        let builds: Vec<RerunSample> = far(4, 0.64).chain(far(2, 0.0)).collect();
        let mut sparse: Vec<RerunSample> = far(6, 0.69).collect();
        sparse[0].speedups.push((4, figure(0.2, 0.01)));
        sparse[1].speedups.push((4, figure(0.9, 0.01)));
        let noisy: Vec<RerunSample> = (0..5)
            .map(|i| RerunSample { t1: figure(0.1 * i as f64, 0.6), speedups: vec![(2, figure(0.0, 0.6))] })
            .collect();
        for history in [one_far, two_far, builds, sparse, noisy] {
            let floor = RerunFloor::of(&history, 60);
            assert_eq!(floor.as_ref().and_then(RerunFloor::fault), None, "{floor:?}");
        }
    }

    #[test]
    fn a_floor_a_file_may_not_hold_says_why() {
        let sound = RerunFloor::of(&vec![sample(10.0, 0.6, Some(1.0)); 6], 60).unwrap();
        let faults = [
            RerunFloor { time: f64::NAN, ..sound.clone() },
            RerunFloor { speedup: vec![SpeedupFloor { threads: 1, sd: 0.01 }], ..sound.clone() },
            RerunFloor {
                speedup: vec![SpeedupFloor { threads: 4, sd: 0.0 }, SpeedupFloor { threads: 2, sd: 0.0 }],
                ..sound.clone()
            },
            RerunFloor { speedup: vec![SpeedupFloor { threads: 2, sd: 0.7 }], ..sound.clone() },
            RerunFloor { runs: 2, ..sound.clone() },
            RerunFloor { runs: 10_000, ..sound.clone() },
            RerunFloor { oldest_s: u64::MAX, ..sound.clone() },
            RerunFloor { left_out: 7, ..sound.clone() },
        ];
        for f in faults {
            assert!(f.fault().is_some(), "{f:?}");
        }
        assert_eq!(sound.fault(), None);
    }

    /// How often the interval of a run whose S(2) carries a run-level effect of sd `tau`
    /// (independent between runs) and its own sd `own`, widened by the floor of `earlier` such
    /// runs where larger than `constant`, holds the workload's long-run S(2). Through
    /// [`RerunFloor::of`] and `widen`, as the analysis does.
    fn coverage(tau: f64, own: f64, earlier: usize, constant: f64, sims: usize, seed: u64) -> f64 {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let mut z = || standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
        let mut held = 0;
        for _ in 0..sims {
            let mut run = || figure(tau * z() + own * z(), own);
            let history: Vec<RerunSample> =
                (0..earlier).map(|_| RerunSample { t1: figure(0.0, own), speedups: vec![(2, run())] }).collect();
            let this = run();
            let floor = RerunFloor::of(&history, 60).unwrap().speedup_at(2).max(constant);
            let estimate = this.ln.exp();
            let own_ci = [estimate * (-Z95 * own).exp(), estimate * (Z95 * own).exp()];
            let ci = widen(own_ci, estimate, floor);
            held += usize::from(ci[0] <= 1.0 && 1.0 <= ci[1]);
        }
        held as f64 / sims as f64
    }

    #[test]
    fn intervals_widened_by_the_reruns_floor_cover_the_long_run_value() {
        // The development machine's case: states of sd 4% beside an own sd of 1%, the constant
        // floor 0.5%. Without the reruns' floor the interval holds the long-run value in about
        // 2 Phi(1.96 * 0.0112 / 0.0412) - 1 = 41% of runs.
        for (earlier, seed) in [(5, 2), (10, 3), (20, 4)] {
            let c = coverage(0.04, 0.01, earlier, 0.005, 4000, seed);
            assert!((0.93..=0.98).contains(&c), "{earlier} earlier runs: coverage {c}");
        }
        assert!(coverage(0.04, 0.01, 5, 0.5, 4000, 1) > 0.999, "the check can tell an interval too wide");
        // No states: the floor adds what its estimate's own noise needs, and coverage stays
        // near 95%, above it from few runs.
        for (earlier, seed) in [(5, 5), (20, 6)] {
            let c = coverage(0.0, 0.01, earlier, 0.005, 4000, seed);
            assert!((0.94..=0.995).contains(&c), "no states, {earlier} earlier runs: coverage {c}");
        }
    }

    /// Runs on a machine that switches between two states of S(2) `gap` apart with probability
    /// `switch` after each run (so a state lasts 1/`switch` runs), own sd `own`: each run's
    /// interval widened as the analysis does by the floor of the runs before it (the last
    /// `kept`, from [`MIN_RUNS`] on; the constant floor before) or by the constant floor alone
    /// (`reruns` false). Returns how often two runs of the series are called different
    /// (their difference's 95% interval excludes 0), over every pair.
    fn pairs_called_different(reruns: bool, gap: f64, switch: f64, own: f64, seed: u64) -> f64 {
        const RUNS: usize = 60;
        let kept = crate::machine::rerun_history::MAX_RUNS;
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let (mut state, mut runs) = (0.0, Vec::new());
        for k in 0..RUNS {
            let z = standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
            let this = figure(state + own * z, own);
            let history: Vec<RerunSample> = runs[k.saturating_sub(kept)..]
                .iter()
                .map(|&(f, _): &(RerunFigure, f64)| RerunSample { t1: figure(0.0, own), speedups: vec![(2, f)] })
                .collect();
            let floor = if reruns { RerunFloor::of(&history, 60).map_or(0.0, |f| f.speedup_at(2)) } else { 0.0 };
            let sd = own.hypot(floor.max(0.005));
            runs.push((this, sd));
            if rng.random::<f64>() < switch {
                state = if state == 0.0 { gap } else { 0.0 };
            }
        }
        let mut called = 0;
        let mut pairs = 0;
        for a in 0..RUNS {
            for b in a + 1..RUNS {
                let ((x, sx), (y, sy)) = (runs[a], runs[b]);
                called += usize::from((x.ln - y.ln).abs() > Z95 * sx.hypot(sy));
                pairs += 1;
            }
        }
        called as f64 / pairs as f64
    }

    #[test]
    fn states_that_outlast_runs_are_not_called_changes_once_the_history_has_seen_them() {
        // Two states 8% apart that last five runs on average, own sd 1%: with the constant floor
        // alone about half of all pairs straddle the states and are called different; with the
        // reruns' floor few are (mostly pairs with the first runs, before the history has seen
        // both states). Averaged over ten seeded series.
        let mean = |reruns: bool| {
            (0..10).map(|seed| pairs_called_different(reruns, 0.08, 0.2, 0.01, seed)).sum::<f64>() / 10.0
        };
        let (without, with) = (mean(false), mean(true));
        assert!(without > 0.3, "constant floor alone: {without}");
        assert!(with < 0.08, "with the reruns' floor: {with}");
        // A machine without such states keeps near 5%.
        let quiet = (0..10).map(|seed| pairs_called_different(true, 0.0, 0.2, 0.01, seed)).sum::<f64>() / 10.0;
        assert!(quiet < 0.06, "no states: {quiet}");
    }

    #[test]
    fn t_quantiles_follow_the_table_and_the_normal_beyond_it() {
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(9), 2.262);
        assert!((t975(40) - 2.021).abs() < 0.002, "{}", t975(40));
        assert!((t975(1000) - 1.9623).abs() < 0.0005, "{}", t975(1000));
        assert_eq!(t975(0), f64::INFINITY);
    }
}
