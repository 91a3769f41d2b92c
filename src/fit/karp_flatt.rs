//! The Karp–Flatt metric: the experimentally determined serial fraction at each thread count,
//! e(j) = (1/S - 1/j) / (1 - 1/j) (Karp & Flatt, "Measuring parallel processor performance",
//! CACM 33(5), 1990).
//!
//! If Amdahl's law holds, e is the same at every j; an e that rises with j points to overhead that
//! grows with the thread count or a saturated shared resource, not to serial code. e is decreasing
//! in S, so the interval of e follows from the interval of S by swapping its ends.
//!
//! # Trend
//! "Does e rise with j beyond noise?" is answered by the least-squares slope of e(j) against j over
//! the points with j > 1: it rises when the slope's 95% CI lies above 0 — the percentile interval
//! over the curve's bootstrap replicates, or, for one sample per point, slope +- t(0.975; n-2) se —
//! and the fitted rise over the measured range is at least [`MATERIAL_RISE`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::curve::Curve;
use super::student_t::t975;
use crate::stats::{finite, percentile};

/// Karp–Flatt e(j) at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KarpFlattPoint {
    /// j.
    pub threads: usize,
    /// e(j).
    pub value: Option<f64>,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
}

/// The least-squares slope of e(j) against j.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KarpFlattTrend {
    /// Change of e per added thread.
    pub slope_per_thread: f64,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
    /// The CI lies above 0: e rises beyond noise.
    pub rising: bool,
    /// e at the smallest j > 1.
    pub from: Option<f64>,
    /// e at the largest j.
    pub to: Option<f64>,
}

/// The least rise of e over the measured range that counts (below it, a "rise" is rounding).
pub const MATERIAL_RISE: f64 = 0.01;

/// e(j) with its CI at every point with j > 1 of `curve` (needs a point at j = 1).
pub fn points(curve: &Curve) -> Vec<KarpFlattPoint> {
    let Some(speedups) = curve.speedups() else { return Vec::new() };
    let replicates = curve.replicate_speedups();
    curve
        .threads
        .iter()
        .enumerate()
        .filter(|(_, j)| **j > 1)
        .map(|(i, &j)| KarpFlattPoint {
            threads: j,
            value: karp_flatt(j, speedups[i]).and_then(finite),
            ci95: percentile(replicates.iter().filter_map(|r| karp_flatt(j, r[i])).collect(), 0.95),
        })
        .collect()
}

/// The slope of e(j) against j, with its CI; `None` with fewer than 2 points beyond j = 1 (3 for
/// data with one sample per point).
pub fn trend(curve: &Curve) -> Option<KarpFlattTrend> {
    let speedups = curve.speedups()?;
    let slope_of = |s: &[f64]| -> Option<f64> {
        let pts: Vec<(f64, f64)> =
            curve.threads.iter().zip(s).filter_map(|(&j, &s)| Some((j as f64, karp_flatt(j, s)?))).collect();
        slope(&pts).map(|(b, _)| b)
    };
    let pts: Vec<(f64, f64)> =
        curve.threads.iter().zip(&speedups).filter_map(|(&j, &s)| Some((j as f64, karp_flatt(j, s)?))).collect();
    let (estimate, se) = slope(&pts)?;
    let span = pts.last()?.0 - pts.first()?.0;
    let replicates = curve.replicate_speedups();
    let ci95 = if !replicates.is_empty() {
        percentile(replicates.iter().filter_map(|r| slope_of(r)).collect(), 0.95)
    } else {
        let t = t975(pts.len().checked_sub(2)?)?;
        Some([estimate - t * se, estimate + t * se])
    }
    .filter(|ci| ci.iter().all(|x| x.is_finite()));
    Some(KarpFlattTrend {
        slope_per_thread: finite(estimate)?,
        ci95,
        rising: ci95.is_some_and(|[lo, _]| lo > 0.0) && estimate * span >= MATERIAL_RISE,
        from: pts.first().map(|p| p.1).and_then(finite),
        to: pts.last().map(|p| p.1).and_then(finite),
    })
}

/// Least-squares slope of y on x and its standard error (0 with two points).
fn slope(pts: &[(f64, f64)]) -> Option<(f64, f64)> {
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let b = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx;
    let se = if pts.len() > 2 {
        let rss: f64 = pts.iter().map(|p| (p.1 - my - b * (p.0 - mx)).powi(2)).sum();
        (rss / (n - 2.0) / sxx).sqrt()
    } else {
        0.0
    };
    Some((b, se))
}

/// e(j) for speedup `s` at `threads`; `None` at j = 1 (undefined) or for a non-positive speedup.
pub fn karp_flatt(threads: usize, s: f64) -> Option<f64> {
    if threads < 2 || !(s.is_finite() && s > 0.0) {
        return None;
    }
    let inv_j = 1.0 / threads as f64;
    Some((1.0 / s - inv_j) / (1.0 - inv_j))
}

/// The interval of e(j) from the interval `[lo, hi]` of S(j).
pub fn karp_flatt_ci(threads: usize, speedup_ci: [f64; 2]) -> Option<[f64; 2]> {
    Some([karp_flatt(threads, speedup_ci[1])?, karp_flatt(threads, speedup_ci[0])?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::amdahl::speedup;

    #[test]
    fn constant_on_amdahl_data() {
        for j in 2..=8 {
            assert!((karp_flatt(j, speedup(0.1, j as f64)).unwrap() - 0.1).abs() < 1e-12);
        }
        assert_eq!(karp_flatt(1, 1.0), None);
    }

    #[test]
    fn trend_is_flat_on_amdahl_and_rising_on_saturation() {
        use crate::fit::curve::{Curve, SampleKind};
        let threads: Vec<usize> = (1..=8).collect();
        let amdahl: Vec<Vec<f64>> = threads.iter().map(|&j| vec![0.1 + 0.9 / j as f64]).collect();
        let flat = trend(&Curve::from_samples(&threads, &amdahl, SampleKind::Time, 1)).unwrap();
        assert!(flat.slope_per_thread.abs() < 1e-12 && !flat.rising);
        // Bandwidth saturation: speedup capped at 3.
        let capped: Vec<Vec<f64>> = threads.iter().map(|&j| vec![1.0 / (j as f64).min(3.0)]).collect();
        let rising = trend(&Curve::from_samples(&threads, &capped, SampleKind::Time, 1)).unwrap();
        assert!(rising.rising && rising.slope_per_thread > 0.0, "{rising:?}");
        assert_eq!(points(&Curve::from_samples(&threads, &capped, SampleKind::Time, 1)).len(), 7);
    }

    #[test]
    fn interval_swaps_ends() {
        let [lo, hi] = karp_flatt_ci(2, [1.6, 1.9]).unwrap();
        assert!(lo < hi);
        assert_eq!(lo, karp_flatt(2, 1.9).unwrap());
    }
}
