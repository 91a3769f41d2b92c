//! The paired speedup S(j) = T(1)/T(j) of an interleaved sweep.
//!
//! Every round measures every j once, so round r gives a pair (T1_r, Tj_r) taken moments apart under
//! the same conditions. S(j) is the median over rounds of the per-round ratios T1_r / Tj_r, which
//! cancels slow drift (heat, frequency, background load) that would bias a ratio of separate
//! medians; its 95% CI is the percentile bootstrap over rounds (see `bootstrap`).

use super::bootstrap::Bootstrap;
use super::summary::median;

/// S(j) with its CI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedSpeedup {
    /// Median of the per-round ratios.
    pub speedup: f64,
    /// 95% percentile-bootstrap interval.
    pub ci95: [f64; 2],
}

impl PairedSpeedup {
    /// Half the CI's width relative to S: the precision the adaptive stop aims at.
    pub fn relative_half_width(&self) -> f64 {
        (self.ci95[1] - self.ci95[0]) / 2.0 / self.speedup
    }
}

/// S(j) from paired samples `t1[r]`, `tj[r]` (same length, one per round, all positive).
pub fn paired_speedup(t1: &[f64], tj: &[f64], seed: u64) -> PairedSpeedup {
    let ratios: Vec<f64> = t1.iter().zip(tj).map(|(a, b)| a / b).collect();
    let speedup = median(&ratios);
    let mut resampled = Vec::with_capacity(ratios.len());
    let ci95 = Bootstrap::new(seed, ratios.len())
        .ci95(|idx| {
            resampled.clear();
            resampled.extend(idx.iter().map(|&i| ratios[i]));
            median(&resampled)
        })
        .unwrap_or([speedup, speedup]);
    PairedSpeedup { speedup, ci95 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_pairs_give_exact_speedup() {
        let t1 = [100.0, 200.0, 150.0];
        let t2 = [50.0, 100.0, 75.0];
        let s = paired_speedup(&t1, &t2, 1);
        assert_eq!(s.speedup, 2.0);
        assert_eq!(s.ci95, [2.0, 2.0]);
        assert_eq!(s.relative_half_width(), 0.0);
    }

    #[test]
    fn pairing_cancels_drift() {
        // The machine slows down 1% per round; every round's ratio is still exactly 2.
        let t1: Vec<f64> = (0..20).map(|r| 100.0 * 1.01f64.powi(r)).collect();
        let t2: Vec<f64> = t1.iter().map(|t| t / 2.0).collect();
        assert_eq!(paired_speedup(&t1, &t2, 5).speedup, 2.0);
    }
}
