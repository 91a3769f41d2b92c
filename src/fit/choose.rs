//! Choosing between Amdahl's law and the USL on the same points.
//!
//! # Method
//! Both laws are fitted in one frame (`frame`): the same points, the same scale treatment and the
//! same loss (least squares on ln cost, or on the measured values under `--loss absolute`: the
//! curve's [`Loss`](super::Loss)), and Amdahl's law is the USL with kappa = 0. Nested models
//! fitted by least squares are compared by the **F test** of the extra parameter:
//! F = (SSE_Amdahl - SSE_USL) / (SSE_USL / (n - p_USL)) on 1 and n - p_USL degrees of freedom. The
//! USL is chosen when its kappa is above 0 and p < 0.05, so on data that follow Amdahl's law it is
//! chosen wrongly at most about 5% of the time (less, as kappa sits on its bound 0 half the time),
//! whatever the number of points. The F test is used rather than AICc because AICc's penalty for a
//! parameter shrinks relative to the evidence as points are added, where the test keeps its error
//! rate fixed; AICc of both fits is still reported, on the same residuals, for readers who prefer it.
//! Without a degree of freedom left for the test (as many points as USL parameters) the data
//! cannot decide, and the simpler law stands (`usl_p_value` is then null).
//!
//! AICc = n ln(SSE/n) + 2k + 2k(k+1)/(n-k-1) (Hurvich & Tsai, Biometrika 76(2), 1989), k the
//! estimated parameters plus one for the variance.

use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use super::frame::{Frame, FrameFit, Law};
use super::{AmdahlFit, Curve, Model, UslFit};
use crate::stats::finite;

/// The choice and its evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    /// The better model, if any was fitted.
    pub best: Option<Model>,
    /// The F test's p-value for kappa = 0; `None` when it could not be computed.
    pub p_value: Option<f64>,
}

/// The significance level of the F test.
pub const ALPHA: f64 = 0.05;

/// Fills both fits' AICc and chooses the better model.
pub fn choose(curve: &Curve, amdahl_fit: &mut AmdahlFit, usl_fit: &mut UslFit) -> Choice {
    let amdahl_ok = amdahl_fit.fitted().is_some();
    let usl_ok = usl_fit.fitted().is_some();
    let fitted = Frame::of(curve).and_then(|frame| {
        let a = frame.fit(Law::Amdahl, None)?;
        let u = frame.fit(Law::Usl, None);
        Some((frame, a, u))
    });
    let mut p_value = None;
    if let Some((frame, a, u)) = &fitted {
        let usl_params = 2 + usize::from(frame.scale_free);
        // A law that was not fitted has too few points for an AICc too.
        if let Some(amdahl) = amdahl_fit.fitted_mut() {
            amdahl.aicc = aicc(frame.len(), a.sse, a.params);
        }
        if let Some(u) = u {
            if let Some(usl) = usl_fit.fitted_mut() {
                usl.aicc = aicc(frame.len(), u.sse, usl_params);
            }
            p_value = f_test(frame.len(), a, u, usl_params);
        }
    }
    let best = match (amdahl_ok, usl_ok) {
        (false, false) => None,
        (true, false) => Some(Model::Amdahl),
        (false, true) => Some(Model::Usl),
        (true, true) => {
            let kappa_positive = usl_fit.fitted().is_some_and(|u| u.kappa > 0.0);
            Some(if kappa_positive && p_value.is_some_and(|p| p < ALPHA) { Model::Usl } else { Model::Amdahl })
        }
    };
    Choice { best, p_value }
}

fn aicc(n: usize, sse: f64, params: usize) -> Option<f64> {
    let k = params + 1;
    (n > k + 1)
        .then(|| {
            let (n, k) = (n as f64, k as f64);
            let floor = n * 1e-24;
            n * (sse.max(floor) / n).ln() + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0)
        })
        .and_then(finite)
}

/// The p-value of the F test of kappa = 0 (see the module docs).
fn f_test(n: usize, amdahl: &FrameFit, usl: &FrameFit, usl_params: usize) -> Option<f64> {
    let dof = n.checked_sub(usl_params).filter(|d| *d > 0)?;
    let gain = (amdahl.sse - usl.sse).max(0.0);
    let scale = amdahl.sse.max(1e-300);
    if usl.sse <= 1e-24 * scale {
        // The USL is exact: it wins unless Amdahl's law is exact too.
        return Some(if gain <= 1e-24 * scale { 1.0 } else { 0.0 });
    }
    let f = gain / (usl.sse / dof as f64);
    let dist = FisherSnedecor::new(1.0, dof as f64).ok()?;
    finite(1.0 - dist.cdf(f))
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
        let best = choose(&curve, &mut a, &mut u).best.unwrap();
        assert!(a.fitted().unwrap().aicc.is_some() && u.fitted().unwrap().aicc.is_some());
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
