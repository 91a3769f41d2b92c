//! The Karp–Flatt metric: the experimentally determined serial fraction at each thread count,
//! e(j) = (1/S - 1/j) / (1 - 1/j) (Karp & Flatt, "Measuring parallel processor performance",
//! CACM 33(5), 1990).
//!
//! If Amdahl's law holds, e is the same at every j; an e that rises with j points to overhead that
//! grows with the thread count or a saturated shared resource, not to serial code. e is decreasing
//! in S, so the interval of e follows from the interval of S by swapping its ends.
//!
//! # Trend
//! "Does e rise with j beyond noise?", with a rise of at least [`MATERIAL_RISE`]:
//! - **paired rounds** (our sweeps): Mann–Kendall's rank test of a monotone trend (Mann,
//!   Econometrica 13, 1945; Kendall 1975) on e(j) at j > 1, one-sided at 5%. A rank test has power
//!   where a straight line has none: under saturation e rises and then levels off, which a
//!   least-squares slope of e against j reads as flat.
//! - **unpaired data** (one sample per point, or separately measured points): every e(j) is
//!   computed from the same measured T(1), whose error tilts the whole sequence one way — a rank
//!   test then calls 10-20% of flat curves rising. The test is instead the F test of the USL's
//!   kappa against Amdahl's law in the estimation frame (see `choose`), where T(1) is a fitted
//!   scale: for the USL, e(N) = sigma + kappa N (approximately), so kappa > 0 *is* a rising e.
//!   Over 200 seeded curves each (`simulations`): 1-5 flat (Amdahl) curves in 200 are called
//!   rising; curves that saturate at 8 threads are seen in 193/200 on j = 1..16 and 200/200 on
//!   1..64, but only in about 1 in 9 on powers of two to 64, where three points lie past the knee.
//!
//! The least-squares slope of e against j with its interval is reported too, as a size.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::curve::Curve;
use super::student_t::t975;
use crate::stats::{finite, percentile};

/// Karp–Flatt e(j) at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct KarpFlattPoint {
    /// j.
    pub threads: usize,
    /// e(j).
    pub value: Option<f64>,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
}

/// The trend of e(j) in j: the least-squares slope (descriptive) and Mann–Kendall's test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct KarpFlattTrend {
    /// Change of e per added thread.
    pub slope_per_thread: f64,
    /// Its 95% CI.
    pub ci95: Option<[f64; 2]>,
    /// Mann–Kendall's Z for a monotone trend of e in j; null with fewer than 4 points.
    #[serde(default)]
    pub mann_kendall_z: Option<f64>,
    /// e rises beyond noise: Mann–Kendall's Z above 1.645 (one-sided 5%) and a rise of at least
    /// [`MATERIAL_RISE`].
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
pub fn trend(curve: &Curve, usl_significant: bool) -> Option<KarpFlattTrend> {
    let speedups = curve.speedups()?;
    let slope_of = |s: &[f64]| -> Option<f64> {
        let pts: Vec<(f64, f64)> =
            curve.threads.iter().zip(s).filter_map(|(&j, &s)| Some((j as f64, karp_flatt(j, s)?))).collect();
        slope(&pts).map(|(b, _)| b)
    };
    let pts: Vec<(f64, f64)> =
        curve.threads.iter().zip(&speedups).filter_map(|(&j, &s)| Some((j as f64, karp_flatt(j, s)?))).collect();
    let (estimate, se) = slope(&pts)?;
    let replicates = curve.replicate_speedups();
    let ci95 = if !replicates.is_empty() {
        percentile(replicates.iter().filter_map(|r| slope_of(r)).collect(), 0.95)
    } else {
        let t = t975(pts.len().checked_sub(2)?)?;
        Some([estimate - t * se, estimate + t * se])
    }
    .filter(|ci| ci.iter().all(|x| x.is_finite()));
    let e: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let z = if curve.paired { mann_kendall_z(&e) } else { None };
    let (from, to) = (e.first().copied(), e.last().copied());
    let rise = e.iter().copied().fold(f64::NEG_INFINITY, f64::max) - from.unwrap_or(0.0);
    let significant = if curve.paired { z.is_some_and(|z| z > RISING_Z) } else { usl_significant };
    Some(KarpFlattTrend {
        slope_per_thread: finite(estimate)?,
        ci95,
        mann_kendall_z: z.and_then(finite),
        rising: significant && rise >= MATERIAL_RISE,
        from: from.and_then(finite),
        to: to.and_then(finite),
    })
}

/// The one-sided 5% point of the standard normal: Mann–Kendall's Z above it means e rises.
pub const RISING_Z: f64 = 1.645;

/// Mann–Kendall's Z for a monotone trend in `e` (in order of j): S = sum over i < k of
/// sign(e_k - e_i), var(S) = n(n-1)(2n+5)/18, Z = (S - sign S)/sqrt(var) (continuity corrected).
/// `None` with fewer than 4 values (the test cannot reach 5% below that).
pub fn mann_kendall_z(e: &[f64]) -> Option<f64> {
    let n = e.len();
    if n < 4 {
        return None;
    }
    let mut s = 0.0;
    for i in 0..n {
        for k in i + 1..n {
            s += (e[k] - e[i]).signum() * f64::from(u8::from(e[k] != e[i]));
        }
    }
    let var = (n * (n - 1) * (2 * n + 5)) as f64 / 18.0;
    Some((s - s.signum()) / var.sqrt())
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
        // Paired rounds: Mann–Kendall on e(j).
        let paired = |times: &[Vec<f64>]| {
            let rounds: Vec<Vec<f64>> = times.iter().map(|t| vec![t[0]; 5]).collect();
            Curve::from_paired_rounds(&threads, &rounds, 1)
        };
        let flat = trend(&paired(&amdahl), false).unwrap();
        assert!(flat.slope_per_thread.abs() < 1e-12 && !flat.rising);
        // Bandwidth saturation: speedup capped at 3.
        let capped: Vec<Vec<f64>> = threads.iter().map(|&j| vec![1.0 / (j as f64).min(3.0)]).collect();
        let rising = trend(&paired(&capped), false).unwrap();
        assert!(rising.mann_kendall_z.unwrap() > RISING_Z);
        // Unpaired: the F test of the USL's kappa decides.
        let unpaired = Curve::from_samples(&threads, &capped, SampleKind::Time, 1);
        assert!(trend(&unpaired, true).unwrap().rising && !trend(&unpaired, false).unwrap().rising);
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
