//! The seeded percentile bootstrap (Efron & Tibshirani, "An Introduction to the Bootstrap", 1993,
//! ch. 13).
//!
//! To put a confidence interval on a statistic of n rounds, draw n round indices with replacement,
//! compute the statistic on them, repeat [`RESAMPLES`] times, and take the 2.5% and 97.5%
//! percentiles of the results. Resampling *rounds* (not single samples) keeps the pairing of a
//! round's T(1) with its T(j). The generator is PCG-64 (O'Neill 2014) seeded from the run's seed,
//! so a given seed and data always give the same interval.
//!
//! # Many rounds
//! The cost of a plain bootstrap grows with n; a file of 10^6 rounds would take minutes to refit.
//! Beyond [`MAX_RESAMPLE_SIZE`] rounds each resample draws only m = [`MAX_RESAMPLE_SIZE`] rounds
//! (the m-out-of-n bootstrap: Bickel, Götze & van Zwet, Statistica Sinica 7, 1997) and every
//! replicate's deviation from the full-sample estimate is scaled by sqrt(m/n), the ratio of the
//! standard errors of a root-n statistic such as the median at sizes m and n. Below that size
//! nothing changes; above it the work stays bounded whatever n.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::summary::percentile_sorted;

/// Resamples per interval.
pub const RESAMPLES: usize = 2000;

/// The most rounds one resample draws (see the module docs).
pub const MAX_RESAMPLE_SIZE: usize = 4096;

/// How many rounds a resample of `n` draws, and the factor sqrt(m/n) that scales replicates'
/// deviations from the estimate (1 when m = n).
pub fn resample_size(n: usize) -> (usize, f64) {
    let m = n.min(MAX_RESAMPLE_SIZE);
    (m, if m == n { 1.0 } else { (m as f64 / n as f64).sqrt() })
}

/// A seeded bootstrap over `n` rounds.
pub struct Bootstrap {
    rng: Pcg64Mcg,
    indices: Vec<usize>,
}

impl Bootstrap {
    /// A bootstrap over `rounds` rounds, seeded.
    pub fn new(seed: u64, rounds: usize) -> Bootstrap {
        Bootstrap { rng: Pcg64Mcg::seed_from_u64(seed), indices: vec![0; rounds] }
    }

    /// The statistic on [`RESAMPLES`] resamples of round indices; non-finite results are dropped.
    /// Beyond [`MAX_RESAMPLE_SIZE`] rounds the replicates are m-out-of-n ones, rescaled around the
    /// statistic of all rounds (see the module docs).
    pub fn replicates(&mut self, mut statistic: impl FnMut(&[usize]) -> f64) -> Vec<f64> {
        let n = self.indices.len();
        let mut out = Vec::with_capacity(RESAMPLES);
        if n == 0 {
            return out;
        }
        let (m, scale) = resample_size(n);
        let estimate = if m < n {
            self.indices.iter_mut().enumerate().for_each(|(i, slot)| *slot = i);
            statistic(&self.indices)
        } else {
            0.0
        };
        for _ in 0..RESAMPLES {
            for slot in self.indices[..m].iter_mut() {
                *slot = self.rng.random_range(0..n);
            }
            let value = statistic(&self.indices[..m]);
            let value = if m < n { estimate + (value - estimate) * scale } else { value };
            if value.is_finite() {
                out.push(value);
            }
        }
        out
    }

    /// The 95% percentile interval of the statistic; `None` without finite replicates.
    pub fn ci95(&mut self, statistic: impl FnMut(&[usize]) -> f64) -> Option<[f64; 2]> {
        let replicates = self.replicates(statistic);
        percentile(replicates, 0.95)
    }
}

/// The central `level` interval of `values` by percentiles; `None` when empty.
pub fn percentile(mut values: Vec<f64>, level: f64) -> Option<[f64; 2]> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Some([percentile_sorted(&values, tail), percentile_sorted(&values, 1.0 - tail)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::median;

    #[test]
    fn constant_data_give_a_zero_width_interval() {
        let data = [5.0; 10];
        let ci = Bootstrap::new(1, data.len()).ci95(|idx| median(&idx.iter().map(|&i| data[i]).collect::<Vec<_>>()));
        assert_eq!(ci, Some([5.0, 5.0]));
    }

    #[test]
    fn same_seed_same_interval_and_plausible_width() {
        // 50 draws of a uniform(0,1) sample from a fixed generator: the mean's 95% CI should cover 0.5
        // and be about 2 * 1.96 * sqrt(1/12/50) = 0.16 wide.
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        let data: Vec<f64> = (0..50).map(|_| rng.random::<f64>()).collect();
        let mean = |idx: &[usize]| idx.iter().map(|&i| data[i]).sum::<f64>() / idx.len() as f64;
        let a = Bootstrap::new(3, data.len()).ci95(mean).unwrap();
        let b = Bootstrap::new(3, data.len()).ci95(mean).unwrap();
        assert_eq!(a, b);
        assert!(a[0] < 0.5 && 0.5 < a[1], "{a:?}");
        assert!((0.10..0.22).contains(&(a[1] - a[0])), "{a:?}");
    }

    #[test]
    fn percentile_of_nothing_is_none() {
        assert_eq!(percentile(vec![], 0.95), None);
        assert_eq!(Bootstrap::new(1, 0).ci95(|_| 1.0), None);
    }
}
