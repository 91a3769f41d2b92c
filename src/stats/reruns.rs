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
//! (u the run's state, sd tau; e its own error, the sd its rounds give), the floor f is the
//! between-run sd beyond the runs' own, with the runs' variance expanded for being estimated
//! from n of them (a t prediction, as `attribution::growth` expands its small-sample intervals):
//!
//! `f^2 = max(0, (t(0.975, n - 1) / z(0.975))^2 s^2(x) - mean(own^2))`,
//!
//! so that a run's own sd and f, added in quadrature, make the t interval of the runs' spread:
//! (t/z)^2 is 4.8 from 3 runs, 2.0 from 5, 1.14 from 20, and f tends to the method-of-moments
//! tau as the runs grow. The coverage test below counts how often an interval so widened holds
//! the workload's long-run value. f of T(1) is the floor's `time`, the largest f of S(j) over
//! j > 1 its `speedup` (one figure for every j, as the constant floor's).
//!
//! # Limits
//! - The runs must measure the same code: the history's key holds the workload's name, version,
//!   parameters, backend, scaling and the measuring executable's size and modification time
//!   (`machine::rerun_history`), so a rebuilt bench starts a new history. Code that changes behind
//!   the same executable and parameters (an environment variable, a file it reads; every `--cmd`,
//!   which is why commands keep the constant floor) cannot be told from a state. A mixture of two
//!   builds is what makes a spread large, so each figure is capped at [`MAX_SD`], 10%: the largest
//!   between-run spread measured on a quiet machine was 3.9% (`synthetic`'s S(2)), which the
//!   expansion for a few runs takes to 6-8%. A capped floor is said. With the cap, a change of
//!   S by 30% or more is still told from a rerun whatever the history mixes.
//! - A machine's first runs of a workload (fewer than [`MIN_RUNS`] earlier ones younger than
//!   `machine::rerun_history::MAX_AGE`) have the constant floor only.
//! - The floor only widens: the constant floor stays the lower bound.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::noise_floor::{NoiseFloor, Z95};

/// The fewest earlier runs a floor is measured from.
pub const MIN_RUNS: usize = 3;

/// The largest floor the reruns may set, of either figure (a relative standard deviation).
pub const MAX_SD: f64 = 0.10;

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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RerunFloor {
    /// The relative standard deviations between runs beyond the runs' own: of T(1) (`time`) and
    /// the largest of S(j), j > 1 (`speedup`), each expanded for the count of runs and capped at
    /// 10% ([`MAX_SD`]).
    pub floor: NoiseFloor,
    /// How many earlier runs it was measured from.
    pub runs: usize,
    /// The age of the oldest of them when this run ended, seconds.
    pub oldest_s: u64,
    /// Whether a figure's spread was above the cap (10%) and cut to it: the runs may mix
    /// different code under one name.
    pub capped: bool,
}

impl RerunFloor {
    /// The floor of `earlier` runs (any order), the oldest of them `oldest_s` seconds ago; `None`
    /// with fewer than [`MIN_RUNS`].
    pub fn of(earlier: &[RerunSample], oldest_s: u64) -> Option<RerunFloor> {
        if earlier.len() < MIN_RUNS {
            return None;
        }
        let t1: Vec<RerunFigure> = earlier.iter().map(|s| s.t1).collect();
        let time = between_runs(&t1)?;
        let mut threads: Vec<usize> = earlier.iter().flat_map(|s| s.speedups.iter().map(|(j, _)| *j)).collect();
        threads.sort_unstable();
        threads.dedup();
        let speedup = threads
            .iter()
            .filter_map(|&j| {
                let at_j: Vec<RerunFigure> =
                    earlier.iter().filter_map(|s| s.speedups.iter().find(|(k, _)| *k == j).map(|(_, f)| *f)).collect();
                between_runs(&at_j)
            })
            .fold(0.0, f64::max);
        let capped = time > MAX_SD || speedup > MAX_SD;
        Some(RerunFloor {
            floor: NoiseFloor { time: time.min(MAX_SD), speedup: speedup.min(MAX_SD) },
            runs: earlier.len(),
            oldest_s,
            capped,
        })
    }

    /// Whether the file may hold it: sound numbers within the cap.
    pub fn is_valid(&self) -> bool {
        self.floor.is_valid() && self.floor.time <= MAX_SD && self.floor.speedup <= MAX_SD && self.runs >= MIN_RUNS
    }
}

/// The floor of `figures` (one per run, at least [`MIN_RUNS`]): the standard deviation between
/// them, expanded for their count, beyond their own; `None` with too few or a figure not finite.
pub fn between_runs(figures: &[RerunFigure]) -> Option<f64> {
    let n = figures.len();
    if n < MIN_RUNS || figures.iter().any(|f| !f.ln.is_finite() || !f.own_sd.is_finite()) {
        return None;
    }
    let mean = figures.iter().map(|f| f.ln).sum::<f64>() / n as f64;
    let variance = figures.iter().map(|f| (f.ln - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let own = figures.iter().map(|f| f.own_sd * f.own_sd).sum::<f64>() / n as f64;
    let expand = t975(n - 1) / Z95;
    Some((expand * expand * variance - own).max(0.0).sqrt())
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
    use crate::stats::noise_floor::standard_normal;
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
        assert!((between_runs(&figures).unwrap() - expected).abs() < 1e-12);
        // Runs that differ no more than their own intervals say: no spread beyond them.
        let quiet: Vec<RerunFigure> = [0.0, 0.01, -0.01, 0.005].iter().map(|&x| figure(x, 0.02)).collect();
        assert_eq!(between_runs(&quiet), Some(0.0));
        // Too few runs, or a figure not finite: nothing measured.
        assert_eq!(between_runs(&figures[..2]), None);
        assert_eq!(between_runs(&[figure(0.0, 0.01), figure(f64::NAN, 0.01), figure(0.1, 0.01)]), None);
    }

    fn sample(t1: f64, s2: f64, s4: Option<f64>) -> RerunSample {
        let mut speedups = vec![(2, figure(s2, 0.005))];
        speedups.extend(s4.map(|s| (4, figure(s, 0.005))));
        RerunSample { t1: figure(t1, 0.002), speedups }
    }

    #[test]
    fn the_floor_takes_t1s_spread_and_the_largest_of_the_speedups_and_caps_both() {
        // T(1) steady; S(2) in two states 6% apart; S(4) (in two of the runs only) steady.
        let runs: Vec<RerunSample> =
            (0..6).map(|i| sample(10.0, if i < 3 { 0.6 } else { 0.66 }, (i < 2).then_some(1.0))).collect();
        let floor = RerunFloor::of(&runs, 600).unwrap();
        let s2: Vec<RerunFigure> = runs.iter().map(|r| r.speedups[0].1).collect();
        assert_eq!(floor.floor.speedup, between_runs(&s2).unwrap());
        assert!(floor.floor.speedup > 0.03 && floor.floor.speedup < MAX_SD, "{floor:?}");
        assert_eq!(floor.floor.time, 0.0);
        assert_eq!((floor.runs, floor.oldest_s, floor.capped), (6, 600, false));
        assert!(floor.is_valid());
        // A mixture of two builds (S 1.9 and 1.0) is capped, and says so.
        let mixed: Vec<RerunSample> = (0..6).map(|i| sample(10.0, if i < 4 { 0.64 } else { 0.0 }, None)).collect();
        let capped = RerunFloor::of(&mixed, 60).unwrap();
        assert_eq!((capped.floor.speedup, capped.capped), (MAX_SD, true));
        assert_eq!(RerunFloor::of(&runs[..2], 60), None);
    }

    /// Seeded runs of a workload whose machine adds a run-level effect of sd `tau` (normal) to
    /// runs of own sd `own`: how often the interval of the run after `earlier` runs, widened by
    /// their floor where larger than `constant`, holds the workload's long-run value.
    fn coverage(tau: f64, own: f64, earlier: usize, constant: f64, sims: usize, seed: u64) -> f64 {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let mut z = || standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
        let mut held = 0;
        for _ in 0..sims {
            let mut run = || figure(tau * z() + own * z(), own);
            let history: Vec<RerunFigure> = (0..earlier).map(|_| run()).collect();
            let this = run();
            let floor = between_runs(&history).unwrap().max(constant);
            let half = Z95 * (own * own + floor * floor).sqrt();
            held += usize::from(this.ln.abs() <= half);
        }
        held as f64 / sims as f64
    }

    #[test]
    fn intervals_widened_by_the_reruns_floor_cover_the_long_run_value() {
        // The development machine's case: states of sd 4% beside an own sd of 1%, the constant
        // floor 0.5%. Without the reruns' floor the interval holds the long-run value in about
        // 2 * Phi(1.96 * 0.0112 / 0.0412) - 1 = 41% of runs.
        for (earlier, seed) in [(3, 1), (5, 2), (10, 3), (20, 4)] {
            let c = coverage(0.04, 0.01, earlier, 0.005, 4000, seed);
            assert!((0.93..=0.995).contains(&c), "{earlier} earlier runs: coverage {c}");
        }
        // No states: the floor adds little, and coverage stays near (above) 95%.
        let c = coverage(0.0, 0.01, 5, 0.005, 4000, 5);
        assert!((0.94..=1.0).contains(&c), "no states: coverage {c}");
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
