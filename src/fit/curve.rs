//! `Curve`: the measured points every fitter works on, with the bootstrap replicates that carry
//! their uncertainty.
//!
//! A curve holds one value per distinct thread count — a speedup S(j) (S(1) = 1 by construction)
//! or a throughput X(N) — and, when the data have more than one sample per point, bootstrap
//! replicates of the whole vector of values. Fitters fit the values for the estimate and every
//! replicate for the percentile CI (Efron & Tibshirani 1993, ch. 13). Without replicates (one sample
//! per point) fitters fall back to intervals from the residuals (Student t).
//!
//! Replicates of our own runs resample whole **rounds**, the same round indices at every j, so the
//! pairing of each round's T(1) with its T(j) survives ([`Curve::from_paired_rounds`]). Imported
//! samples carry no pairing and are resampled within each thread count ([`Curve::from_samples`]).

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::Loss;
use crate::stats::{RESAMPLES, median, resample_size};

/// What a curve's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// S(j) = T(1)/T(j); the value at j = 1 is 1.
    Speedup,
    /// Work per unit time X(N); the USL fits a scale factor lambda as well.
    Throughput,
}

/// The kind of raw samples a curve is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleKind {
    /// Durations: smaller is better.
    Time,
    /// Throughputs: larger is better.
    Throughput,
}

/// Measured points, ascending in threads, with bootstrap replicates of the values.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Distinct thread counts, ascending.
    pub threads: Vec<usize>,
    /// One value per thread count.
    pub values: Vec<f64>,
    /// What the values are.
    pub measure: Measure,
    /// Bootstrap replicates of `values`; empty when there is one sample per point.
    pub replicates: Vec<Vec<f64>>,
    /// Whether the values are paired-round speedups (T(1)'s noise cancels round by round; see
    /// `frame`), rather than values of separately measured points.
    pub paired: bool,
    /// The rounds the replicates resample (paired), or the fewest samples of a point (unpaired).
    pub samples: usize,
    /// Unpaired data only: the cost (time, or 1/throughput) of every sample at each point, for a
    /// fit on all of them (see `frame`); empty for paired rounds.
    pub costs: Vec<Vec<f64>>,
    /// The loss the laws are fitted with ([`Loss::Log`] unless asked otherwise: [`Curve::with_loss`]).
    pub loss: Loss,
}

impl Curve {
    /// The same curve, its laws to be fitted with `loss`.
    pub fn with_loss(self, loss: Loss) -> Curve {
        Curve { loss, ..self }
    }

    /// The speedups S(j): the values of a speedup curve, or X(j)/X(1) of a throughput curve with a
    /// point at j = 1. `None` without a point at j = 1.
    pub fn speedups(&self) -> Option<Vec<f64>> {
        normalise(&self.threads, &self.values)
    }

    /// The speedups of every replicate (see [`Curve::speedups`]).
    pub fn replicate_speedups(&self) -> Vec<Vec<f64>> {
        self.replicates.iter().filter_map(|r| normalise(&self.threads, r)).collect()
    }

    /// Keeps only the points whose thread count passes `keep`.
    pub fn filter(&self, keep: impl Fn(usize) -> bool) -> Curve {
        let idx: Vec<usize> = (0..self.threads.len()).filter(|&i| keep(self.threads[i])).collect();
        let pick = |v: &Vec<f64>| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        Curve {
            threads: idx.iter().map(|&i| self.threads[i]).collect(),
            values: pick(&self.values),
            measure: self.measure,
            replicates: self.replicates.iter().map(pick).collect(),
            paired: self.paired,
            samples: self.samples,
            costs: idx.iter().filter_map(|&i| self.costs.get(i).cloned()).collect(),
            loss: self.loss,
        }
    }

    /// A speedup curve from paired rounds: `samples[k][r]` is the time of round r at `threads[k]`,
    /// every point has the same rounds, and `threads[0]` is 1. S(j) is the median over rounds of
    /// T1_r/Tj_r; replicates draw whole rounds.
    pub fn from_paired_rounds(threads: &[usize], samples: &[Vec<f64>], seed: u64) -> Curve {
        Curve::from_paired_rounds_from(threads, samples, &vec![0; threads.len()], seed)
    }

    /// A speedup curve from paired rounds where point k was measured from round `first[k]` on
    /// (`samples[k][i]` is round `first[k] + i`; `threads[0]` is 1 and has every round). S(j) is
    /// the median over its rounds of T1_r/Tj_r. Replicates draw whole rounds within each stretch of
    /// rounds that the same points share (a stratified bootstrap), so every resampled point keeps
    /// as many rounds as it has, each still paired with its T(1); with one stretch this is the
    /// plain bootstrap of rounds (m-out-of-n beyond `MAX_RESAMPLE_SIZE` rounds).
    pub fn from_paired_rounds_from(threads: &[usize], samples: &[Vec<f64>], first: &[usize], seed: u64) -> Curve {
        Curve::paired(threads, samples, first, Some(seed))
    }

    /// The same curve's point estimates only, without bootstrap replicates: for decisions during a
    /// sweep (where to add a thread count), which need no interval.
    pub fn paired_estimates(threads: &[usize], samples: &[Vec<f64>], first: &[usize]) -> Curve {
        Curve::paired(threads, samples, first, None)
    }

    /// [`Curve::from_paired_rounds_from`], with replicates drawn from `seed` when given.
    fn paired(threads: &[usize], samples: &[Vec<f64>], first: &[usize], seed: Option<u64>) -> Curve {
        let rounds = samples.first().map_or(0, Vec::len);
        let ratios: Vec<Vec<f64>> = samples
            .iter()
            .zip(first)
            .map(|(s, &f)| samples[0][f.min(rounds)..].iter().zip(s).map(|(t1, tj)| t1 / tj).collect())
            .collect();
        let values: Vec<f64> = ratios.iter().map(|r| median(r)).collect();
        // Stretches of rounds [start, end) within which the same points are present.
        let mut bounds: Vec<usize> = first.iter().copied().filter(|&f| f < rounds).chain([0, rounds]).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let stretches: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        let mut replicates = Vec::new();
        if let Some(seed) = seed.filter(|_| rounds >= 2) {
            let (m, scale) = if stretches.len() == 1 { resample_size(rounds) } else { (rounds, 1.0) };
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            let mut idx = vec![0; m];
            let mut scratch = Vec::with_capacity(m);
            for _ in 0..RESAMPLES {
                // `idx` holds the drawn rounds, stretch by stretch, in stretch order.
                if stretches.len() == 1 {
                    idx.iter_mut().for_each(|i| *i = rng.random_range(0..rounds));
                } else {
                    for &(start, end) in &stretches {
                        for slot in &mut idx[start..end] {
                            *slot = rng.random_range(start..end);
                        }
                    }
                }
                replicates.push(
                    ratios
                        .iter()
                        .zip(first)
                        .zip(&values)
                        .map(|((r, &f), &estimate)| {
                            scratch.clear();
                            if stretches.len() == 1 {
                                scratch.extend(idx.iter().map(|&i| r[i]));
                            } else {
                                scratch.extend(idx[f..].iter().map(|&i| r[i - f]));
                            }
                            let value = median(&scratch);
                            if m < rounds { estimate + (value - estimate) * scale } else { value }
                        })
                        .collect(),
                );
            }
        }
        Curve {
            threads: threads.to_vec(),
            values,
            measure: Measure::Speedup,
            replicates,
            paired: true,
            costs: Vec::new(),
            samples: rounds,
            loss: Loss::Log,
        }
    }

    /// A curve from unpaired samples per thread count (`threads` ascending and distinct). Times
    /// become a speedup curve when there is a point at j = 1 (S = median T1 / median Tj), else a
    /// throughput curve of 1/median T; throughputs stay throughputs (medians). Replicates resample
    /// within each thread count, and exist only when every point has at least two samples.
    pub fn from_samples(threads: &[usize], samples: &[Vec<f64>], kind: SampleKind, seed: u64) -> Curve {
        let to_values = |medians: Vec<f64>| -> (Vec<f64>, Measure) {
            match kind {
                SampleKind::Throughput => (medians, Measure::Throughput),
                SampleKind::Time => match threads.first() {
                    Some(1) => (medians.iter().map(|t| medians[0] / t).collect(), Measure::Speedup),
                    _ => (medians.iter().map(|t| 1.0 / t).collect(), Measure::Throughput),
                },
            }
        };
        let (values, measure) = to_values(samples.iter().map(|s| median(s)).collect());
        let mut replicates = Vec::new();
        if samples.iter().all(|s| s.len() >= 2) {
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            let mut scratch = Vec::new();
            let estimates: Vec<f64> = samples.iter().map(|s| median(s)).collect();
            for _ in 0..RESAMPLES {
                let medians = samples
                    .iter()
                    .zip(&estimates)
                    .map(|(s, &estimate)| {
                        // m-out-of-n beyond MAX_RESAMPLE_SIZE samples, rescaled (see `stats::bootstrap`).
                        let (m, scale) = resample_size(s.len());
                        scratch.clear();
                        scratch.extend((0..m).map(|_| s[rng.random_range(0..s.len())]));
                        let value = median(&scratch);
                        if m < s.len() { estimate + (value - estimate) * scale } else { value }
                    })
                    .collect();
                replicates.push(to_values(medians).0);
            }
        }
        let costs = samples
            .iter()
            .map(|s| s.iter().map(|&v| if kind == SampleKind::Throughput { 1.0 / v } else { v }).collect())
            .collect();
        let samples = samples.iter().map(Vec::len).min().unwrap_or(0);
        Curve { threads: threads.to_vec(), values, measure, replicates, paired: false, samples, costs, loss: Loss::Log }
    }
}

fn normalise(threads: &[usize], values: &[f64]) -> Option<Vec<f64>> {
    let base = values[threads.iter().position(|&j| j == 1)?];
    Some(values.iter().map(|v| v / base).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_rounds_give_median_ratios_and_paired_replicates() {
        let threads = [1, 2];
        // Round 2 is slow at every j: pairing keeps its ratio at exactly 2.
        let samples = vec![vec![10.0, 10.0, 30.0], vec![5.0, 5.0, 15.0]];
        let curve = Curve::from_paired_rounds(&threads, &samples, 1);
        assert_eq!(curve.values, [1.0, 2.0]);
        assert_eq!(curve.replicates.len(), RESAMPLES);
        assert!(curve.replicates.iter().all(|r| r == &[1.0, 2.0]));
    }

    #[test]
    fn samples_become_speedups_or_throughputs() {
        let t = Curve::from_samples(&[1, 4], &[vec![8.0], vec![2.0]], SampleKind::Time, 1);
        assert_eq!((t.values.clone(), t.measure), (vec![1.0, 4.0], Measure::Speedup));
        assert!(t.replicates.is_empty());
        let no_one = Curve::from_samples(&[2, 4], &[vec![0.5], vec![0.25]], SampleKind::Time, 1);
        assert_eq!((no_one.values.clone(), no_one.measure), (vec![2.0, 4.0], Measure::Throughput));
        assert_eq!(no_one.speedups(), None);
        let x = Curve::from_samples(&[1, 2], &[vec![100.0, 100.0], vec![180.0, 180.0]], SampleKind::Throughput, 1);
        assert_eq!(x.speedups(), Some(vec![1.0, 1.8]));
        assert_eq!(x.replicates.len(), RESAMPLES);
    }

    #[test]
    fn filter_keeps_replicates_aligned() {
        let samples = vec![vec![10.0, 12.0], vec![5.0, 6.0], vec![4.0, 4.0]];
        let curve = Curve::from_paired_rounds(&[1, 2, 8], &samples, 3).filter(|j| j <= 2);
        assert_eq!(curve.threads, [1, 2]);
        assert!(curve.replicates.iter().all(|r| r.len() == 2));
    }
}
