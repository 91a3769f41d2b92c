//! Whether a law describes the measured points within their noise: the lack-of-fit statistics the
//! rules of the diagnosis ask before a law may give the headline.
//!
//! # Method
//! - **A law fits** when the chi-square of its log residuals, each point's noise (`shape`'s sd)
//!   widened by [`MODEL_TOLERANCE`], lies below its [`LAW_FIT_QUANTILE`] quantile. With a fitted
//!   baseline, or one sample per point (every S shares T(1)'s error), the residuals' mean is free
//!   (one degree of freedom less). With no degree of freedom left the answer is unknown, taken
//!   as "fits". The law's speedups are `amdahl::speedup` and the USL's own (`Usl::at`).
//! - **A plateau flatter than the law**: the law's growth from the shape's knee to the last point
//!   against the measured growth, with the tail's own scatter around its mean as the noise where
//!   it has three points or more (a flat tail is its own evidence of quiet points), else the
//!   points' noise; flatter beyond [`PLATEAU_Z`] sqrt(2) noise and at least [`MIN_PLATEAU_RISE`].
//!   A law that rises through a measured plateau does not describe it.
//! - **The USL's peak meets the measured one** when N*'s interval reaches the measured maximum's
//!   neighbours: a USL peak away from the measured one is not quoted.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::Facts;
use crate::fit::shape::MIN_SHAPE_SD;
use crate::fit::usl::Usl;
use crate::fit::{Model, SpeedupBaseline, UslEstimate, amdahl};

/// The systematic deviation a law may show beside the points' noise and still fit (log scale): 1%.
/// Laws are idealisations; a real curve a percent off them is still described by them.
pub const MODEL_TOLERANCE: f64 = 0.01;

/// The quantile of the chi-square distribution below which a law fits: 0.99 (a law is rejected
/// only when its residuals are that unlikely under the points' noise).
pub const LAW_FIT_QUANTILE: f64 = 0.99;

/// How many standard deviations of the difference of two points' noise a law must rise through a
/// plateau by to be rejected there: 3 (times sqrt(2), the noise of a difference).
pub const PLATEAU_Z: f64 = 3.0;

/// The least rise (log scale) through a plateau that rejects a law, however quiet the points: 3%.
pub const MIN_PLATEAU_RISE: f64 = 0.03;

impl Facts<'_> {
    /// The USL's speedup law, when sigma and kappa were fitted.
    pub(super) fn usl_speedup(&self) -> Option<Usl> {
        Some(self.e.fits.usl_fitted()?.speedup_law())
    }

    /// Whether `model` describes the points within their noise (see the module docs).
    pub(super) fn law_fits(&self, model: Model) -> bool {
        let predicted: Vec<f64> = match model {
            Model::Amdahl => {
                let Some((b, _)) = self.amdahl() else { return false };
                self.e.threads.iter().map(|&j| amdahl::speedup(b, j as f64)).collect()
            }
            Model::Usl => {
                let Some(law) = self.usl_speedup() else { return false };
                self.e.threads.iter().map(|&j| law.at(j as f64)).collect()
            }
            _ => return true,
        };
        if predicted.iter().any(|p| !(p.is_finite() && *p > 0.0)) {
            return false;
        }
        let mut residuals: Vec<f64> = self.e.speedups.iter().zip(&predicted).map(|(s, p)| s.ln() - p.ln()).collect();
        let parameters = match model {
            Model::Usl => 2,
            _ => 1,
        };
        let mut dof = residuals.len() as i64 - parameters;
        // A fitted baseline, or one-sample points that all share T(1)'s error: the level is free.
        let shared_baseline = self.shape.as_ref().is_some_and(|s| !s.from_intervals);
        if self.e.fits.speedup_baseline == Some(SpeedupBaseline::Fitted) || shared_baseline {
            let mean = residuals.iter().sum::<f64>() / residuals.len() as f64;
            residuals.iter_mut().for_each(|r| *r -= mean);
            dof -= 1;
        }
        if dof < 1 {
            return true;
        }
        let chi2: f64 =
            residuals.iter().enumerate().map(|(i, r)| r * r / (self.sd(i).powi(2) + MODEL_TOLERANCE.powi(2))).sum();
        ChiSquared::new(dof as f64).map(|d| chi2 <= d.inverse_cdf(LAW_FIT_QUANTILE)).unwrap_or(true)
    }

    /// Whether the plateau after the shape's knee is flatter than `law` predicts, beyond noise
    /// (see the module docs).
    pub(super) fn plateau_flatter_than(&self, law: impl Fn(f64) -> f64) -> bool {
        let Some(knee) = self.shape.as_ref().and_then(|s| s.knee) else { return false };
        let last = self.e.threads.len() - 1;
        let y = |i: usize| self.e.speedups[i].ln();
        let tail: Vec<f64> = (knee..=last).map(y).collect();
        let noise = if tail.len() >= 3 {
            let mean = tail.iter().sum::<f64>() / tail.len() as f64;
            let var = tail.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (tail.len() - 1) as f64;
            var.sqrt().max(MIN_SHAPE_SD)
        } else {
            self.sd(knee).max(self.sd(last))
        };
        let (j_knee, j_last) = (self.e.threads[knee] as f64, self.e.threads[last] as f64);
        let predicted = law(j_last).ln() - law(j_knee).ln();
        let measured = y(last) - y(knee);
        predicted - measured > (PLATEAU_Z * std::f64::consts::SQRT_2 * noise).max(MIN_PLATEAU_RISE)
    }

    /// The USL's fit, when it is the better model, has a peak N*, and (given the index of the
    /// measured maximum) N*'s interval meets the measured maximum's neighbours.
    pub(super) fn usl_peak_near(&self, measured_peak: Option<usize>) -> Option<&UslEstimate> {
        let usl = self.e.fits.usl_fitted().filter(|_| self.e.fits.best == Some(Model::Usl))?;
        usl.peak_threads?;
        if let Some(i) = measured_peak {
            let [lo, hi] = usl.peak_threads_ci95?;
            let below = self.e.threads[i.saturating_sub(1)] as f64;
            let above = self.e.threads[(i + 1).min(self.e.threads.len() - 1)] as f64;
            if hi < below || lo > above {
                return None;
            }
        }
        Some(usl)
    }
}
