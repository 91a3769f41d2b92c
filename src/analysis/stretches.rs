//! Stretches of a point's rounds that other work disturbed: a block of rounds whose CPU time per
//! run or whose utilisation departs from the other blocks' beyond the rounds' own noise.
//!
//! # Why
//! A sample's own signs of competing work (preemptions, a lone thread busy less than 90% of the
//! time, a paused sample: `analysis::disturbance`) miss a CPU taken away for a few seconds: on
//! the 2-CPU VM of issue 33, `primes` ran at S(2) = 1.07 for a whole stretch of a run (one of its
//! two threads had no CPU), and nothing tagged it. Every round of a point does the same work, so
//! its CPU time per run and its utilisation (CPU / (wall x min(j, usable CPUs))) are the same in
//! every stretch of a quiet run, whatever the program's serial part; a stretch where another task
//! held a CPU shows less utilisation (our threads waited to run) or, where the host counts the
//! stolen time as ours, more CPU time per run.
//!
//! # Method
//! The rounds are cut into [`BLOCKS`] stretches in time order (as `stats::states`). Each
//! stretch's median of the logs of both signals is held against the others' (the median of
//! their medians: one or two disturbed stretches of four leave it where the quiet ones are, and
//! a stretch where the work ran faster does not make the others look disturbed). A stretch is disturbed when it
//! departs in the direction of competition by at least [`MIN_DEPARTURE`] (20%: the machine's own
//! states, such as issue 33's 9% clock boost of one thread, stay states, measured by the
//! intervals) and by more than [`DEPARTURE_Z`] standard errors of a difference of two stretches'
//! medians, the rounds' scatter read from successive differences (a change of level moves one
//! difference, not their MAD). Four standard errors keep the eight comparisons of a point
//! (two signals, four stretches) below one false flag in ten thousand points of normal noise.
//!
//! Where three stretches of four were disturbed, the others' median is disturbed too, and the
//! stretches agree: the samples' own signs are left to see it.

use crate::analysed::DisturbedStretch;
use crate::stats::states::BLOCKS;
use crate::stats::{mad, median};

/// The smallest departure called a disturbance: 20% more CPU time per run, or 20% less
/// utilisation, than the other stretches'.
pub const MIN_DEPARTURE: f64 = 0.2;
/// How many standard errors of a difference of two stretches' medians a departure must exceed.
pub const DEPARTURE_Z: f64 = 4.0;
/// The fewest rounds a stretch holds before it is judged: with two, one slow warm-up round is
/// half of a stretch's median (a quiet `cargo bench` baseline of 9 rounds had its first two 21%
/// dearer and was called disturbed, which turned the gate's exit 1 for a real regression into 2).
pub const MIN_STRETCH_ROUNDS: usize = 5;

/// The disturbed stretches of a point whose samples took `cpu` and `wall` nanoseconds each (in
/// time order, one entry per sample), on `busy` = min(j, usable CPUs) CPUs; none with fewer than
/// [`BLOCKS`] x [`MIN_STRETCH_ROUNDS`] samples, unequal lengths or a value that is not positive.
pub fn disturbed(cpu: &[f64], wall: &[f64], busy: f64) -> Vec<DisturbedStretch> {
    let n = cpu.len();
    let positive = |x: &f64| *x > 0.0 && x.is_finite();
    if n != wall.len() || n < BLOCKS * MIN_STRETCH_ROUNDS || !(cpu.iter().chain(wall).all(positive) && busy > 0.0) {
        return Vec::new();
    }
    let log_cpu: Vec<f64> = cpu.iter().map(|c| c.ln()).collect();
    let log_util: Vec<f64> = cpu.iter().zip(wall).map(|(c, w)| (c / (w * busy)).ln()).collect();
    let bounds: Vec<usize> = (0..=BLOCKS).map(|k| k * n / BLOCKS).collect();
    let cpu_levels = Levels::of(&log_cpu, &bounds);
    let util_levels = Levels::of(&log_util, &bounds);
    let threshold = |levels: &Levels| (1.0 + MIN_DEPARTURE).ln().max(DEPARTURE_Z * levels.difference_se);
    let (cpu_threshold, util_threshold) =
        (threshold(&cpu_levels), threshold(&util_levels).max(-(1.0 - MIN_DEPARTURE).ln()));
    (0..BLOCKS)
        .filter_map(|k| {
            let more_cpu = cpu_levels.departure(k);
            let less_util = -util_levels.departure(k);
            (more_cpu > cpu_threshold || less_util > util_threshold).then(|| DisturbedStretch {
                from: bounds[k],
                to: bounds[k + 1],
                cpu_change: more_cpu.exp() - 1.0,
                utilisation_change: (-less_util).exp() - 1.0,
            })
        })
        .collect()
}

/// The stretches' medians of one signal's logs, and the standard error of a difference of two.
struct Levels {
    medians: Vec<f64>,
    difference_se: f64,
}

impl Levels {
    fn of(logs: &[f64], bounds: &[usize]) -> Levels {
        let medians = bounds.windows(2).map(|w| median(&logs[w[0]..w[1]])).collect();
        // sd(x[i+1] - x[i]) = sqrt(2) sigma; a median of b normal rounds has variance pi/2 sigma^2 / b.
        let steps: Vec<f64> = logs.windows(2).map(|w| w[1] - w[0]).collect();
        let sigma = 1.4826 * mad(&steps) / std::f64::consts::SQRT_2;
        let rounds = (logs.len() / BLOCKS) as f64;
        let difference_se = sigma * (std::f64::consts::PI / rounds).sqrt();
        Levels { medians, difference_se }
    }

    /// How far stretch `k`'s median is above the median of the other stretches' medians.
    fn departure(&self, k: usize) -> f64 {
        let others: Vec<f64> = (self.medians.iter().enumerate()).filter(|(i, _)| *i != k).map(|(_, m)| *m).collect();
        self.medians[k] - median(&others)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    /// `n` samples of CPU-bound work at j = 2 on 2 CPUs: 40 ms of CPU time a run, utilisation
    /// `util(i)` (the wall time follows), 1% noise on each.
    fn samples(n: usize, util: impl Fn(usize) -> f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let mut z = || crate::stats::noise_floor::standard_normal(1.0 - rng.random::<f64>(), rng.random::<f64>());
        (0..n)
            .map(|i| {
                let cpu = 40e6 * (0.01 * z()).exp();
                (cpu, cpu / (2.0 * util(i)) * (0.01 * z()).exp())
            })
            .unzip()
    }

    #[test]
    fn a_stretch_with_one_cpu_gone_is_flagged_and_only_it() {
        // Rounds 20-39 of 80: the second thread had no CPU (S(2) 1.9 -> 1.07: utilisation 0.55).
        let (cpu, wall) = samples(80, |i| if (20..40).contains(&i) { 0.55 } else { 0.97 }, 1);
        let flagged = disturbed(&cpu, &wall, 2.0);
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        let s = &flagged[0];
        assert_eq!((s.from, s.to), (20, 40));
        assert!((s.utilisation_change + 0.43).abs() < 0.02 && s.cpu_change.abs() < 0.02, "{s:?}");
    }

    #[test]
    fn more_cpu_time_per_run_in_a_stretch_is_flagged_too() {
        // The host counted stolen time as ours: the last quarter took 60% more CPU time (and
        // wall time) a run.
        let (mut cpu, mut wall) = samples(40, |_| 0.97, 2);
        cpu[30..].iter_mut().chain(&mut wall[30..]).for_each(|c| *c *= 1.6);
        let flagged = disturbed(&cpu, &wall, 2.0);
        assert_eq!(flagged.iter().map(|s| (s.from, s.to)).collect::<Vec<_>>(), [(30, 40)]);
        assert!((flagged[0].cpu_change - 0.6).abs() < 0.03, "{flagged:?}");
    }

    #[test]
    fn a_quiet_run_and_a_state_of_9_percent_are_not_disturbed() {
        for seed in 0..200 {
            let (cpu, wall) = samples(40, |_| 0.97, seed);
            assert!(disturbed(&cpu, &wall, 2.0).is_empty(), "seed {seed}");
        }
        // Issue 33's state: one thread 9% faster for a stretch (its CPU time a run 9% less).
        let (mut cpu, mut wall) = samples(40, |_| 0.97, 3);
        for i in 10..20 {
            cpu[i] *= 0.91;
            wall[i] *= 0.91;
        }
        assert!(disturbed(&cpu, &wall, 2.0).is_empty());
        // A stretch where the work ran 25% cheaper does not make the others disturbed.
        let (mut cpu, mut wall) = samples(40, |_| 0.97, 5);
        cpu[..10].iter_mut().chain(&mut wall[..10]).for_each(|c| *c *= 0.75);
        assert!(disturbed(&cpu, &wall, 2.0).is_empty());
        // Noisy rounds (a 30% scatter) do not make a 25% departure a disturbance.
        let mut rng = Pcg64Mcg::seed_from_u64(4);
        let (mut cpu, wall): (Vec<f64>, Vec<f64>) =
            (0..20).map(|_| (20e6 * 2.0 * (0.3 * (rng.random::<f64>() - 0.5)).exp(), 20e6)).unzip();
        cpu[..5].iter_mut().for_each(|c| *c *= 1.25);
        assert!(disturbed(&cpu, &wall, 2.0).is_empty());
    }

    /// A quiet bench's 9 rounds whose first two were 21% dearer (warm-up): too few rounds a
    /// stretch to judge, so not disturbed (it was, with stretches of two).
    #[test]
    fn a_short_run_with_slow_first_rounds_is_not_disturbed() {
        let (mut cpu, mut wall) = samples(9, |_| 0.99, 6);
        cpu[..2].iter_mut().chain(&mut wall[..2]).for_each(|c| *c *= 1.21);
        assert!(disturbed(&cpu, &wall, 1.0).is_empty());
    }

    #[test]
    fn too_few_or_bad_samples_say_nothing() {
        assert!(disturbed(&[1.0; 19], &[1.0; 19], 1.0).is_empty());
        assert!(disturbed(&[1.0; 20], &[1.0; 21], 1.0).is_empty());
        let mut cpu = [1.0; 20];
        cpu[3] = 0.0;
        assert!(disturbed(&cpu, &[1.0; 20], 1.0).is_empty());
        assert!(disturbed(&[1.0; 20], &[1.0; 20], 0.0).is_empty());
    }
}
