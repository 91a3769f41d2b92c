//! Choosing between Amdahl's law and the USL on the same points.
//!
//! # Method
//! Both models are compared on the speedups of the points with j > 1 by the small-sample Akaike
//! information criterion (Hurvich & Tsai, Biometrika 76(2), 1989):
//! AICc = n ln(SSE/n) + 2k + 2k(k+1)/(n-k-1), with k the model's parameters plus one for the
//! variance (Amdahl 2; USL 3, or 4 with lambda free). The USL contains Amdahl's law (kappa = 0), so
//! it always fits at least as well; it is chosen only when its AICc is lower by more than 2 (Burnham
//! & Anderson's threshold of substantial support). When there are too few points for AICc
//! (n <= k + 1), the USL is chosen only if its kappa is significantly above 0 (CI above 0).

use super::amdahl;
use super::curve::{Curve, Measure};
use super::usl::Usl;
use super::{AmdahlFit, Model, UslFit};
use crate::stats::finite;

/// Fills the fits' AICc and returns the better model (Amdahl or USL), if any fitted.
pub fn choose(curve: &Curve, amdahl_fit: &mut AmdahlFit, usl_fit: &mut UslFit) -> Option<Model> {
    let amdahl_ok = amdahl_fit.serial_fraction.is_some();
    let usl_params = match (usl_fit.sigma, usl_fit.kappa) {
        (Some(sigma), Some(kappa)) => Some(Usl { lambda: 1.0, sigma, kappa }),
        _ => None,
    };
    let Some(speedups) = curve.speedups() else {
        return usl_params.map(|_| Model::Usl);
    };
    let observed: Vec<(f64, f64)> =
        curve.threads.iter().zip(&speedups).filter(|(j, _)| **j > 1).map(|(&j, &s)| (j as f64, s)).collect();
    let n = observed.len();
    let floor = n as f64 * 1e-24;
    let aicc = |sse: f64, k: usize| -> Option<f64> {
        (n > k + 1).then(|| {
            let (n, k) = (n as f64, k as f64);
            n * (sse.max(floor) / n).ln() + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0)
        })
    };
    if let Some(b) = amdahl_fit.serial_fraction {
        let sse: f64 = observed.iter().map(|(j, s)| (s - amdahl::speedup(b, *j)).powi(2)).sum();
        amdahl_fit.aicc = aicc(sse, 2).and_then(finite);
    }
    if let Some(usl) = usl_params {
        let sse: f64 = observed.iter().map(|(j, s)| (s - usl.at(*j)).powi(2)).sum();
        usl_fit.aicc = aicc(sse, if curve.measure == Measure::Throughput { 4 } else { 3 }).and_then(finite);
    }
    match (amdahl_ok, usl_params.is_some()) {
        (false, false) => None,
        (true, false) => Some(Model::Amdahl),
        (false, true) => Some(Model::Usl),
        (true, true) => {
            let usl_better = match (amdahl_fit.aicc, usl_fit.aicc) {
                (Some(a), Some(u)) => u + 2.0 < a,
                _ => usl_fit.kappa_ci95.is_some_and(|[lo, _]| lo > 0.0),
            };
            Some(if usl_better { Model::Usl } else { Model::Amdahl })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::curve::SampleKind;
    use crate::fit::{amdahl, usl};

    fn best_for(seed: u64, times: impl Fn(f64) -> f64) -> Model {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
        let threads: Vec<usize> = (1..=12).collect();
        let samples: Vec<Vec<f64>> =
            threads.iter().map(|&j| vec![times(j as f64) * (1.0 + 0.01 * (rng.random::<f64>() - 0.5))]).collect();
        let curve = Curve::from_samples(&threads, &samples, SampleKind::Time, 1);
        let (mut a, mut u) = (amdahl::fit(&curve), usl::fit(&curve));
        let best = choose(&curve, &mut a, &mut u).unwrap();
        assert!(a.aicc.is_some() && u.aicc.is_some());
        best
    }

    #[test]
    fn amdahl_data_choose_amdahl_and_retrograde_data_choose_usl() {
        // +-0.5% uniform noise on 12 points. Amdahl data: the USL's extra parameter rarely earns its
        // AICc penalty (at most 4 of 20 seeds); retrograde data: the USL wins every time.
        let amdahl_wins = (0..20).filter(|&seed| best_for(seed, |j| 0.1 + 0.9 / j) == Model::Amdahl).count();
        assert!(amdahl_wins >= 16, "{amdahl_wins}");
        for seed in 0..20 {
            assert_eq!(best_for(seed, |j| (1.0 + 0.05 * (j - 1.0) + 0.01 * j * (j - 1.0)) / j), Model::Usl);
        }
    }
}
