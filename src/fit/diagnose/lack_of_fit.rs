//! Whether a law describes the measured points within what real curves allow: the statistics
//! the rules of the diagnosis ask before a law may give the headline or be named beside a shape.
//!
//! # Method
//! - **A law describes the points** when its relative error is no larger than real one-sample
//!   curves show against the laws the field accepts for them, beside the points' own noise.
//!   Laws are idealisations: R's `usl` fits Amdahl's law to its ray-tracer example with an error
//!   of about 5% (root mean square, its data rounded to two digits) and the USL to SPEC SDM91
//!   with about 5.5%, and a law 2–4% off an exact curve throughout is still that law
//!   (`shape_simulations`). With the residuals r_i = ln S_i - ln S_law(j_i) (their mean removed
//!   when the level is free: a fitted baseline, or one-sample points that all share T(1)'s
//!   error), each point's allowance is a_i^2 = sd_i^2 + [`LAW_RMS_ERROR`]^2 (sd_i its noise, as
//!   `shape` reads it, rounding included), and the law describes the points when
//!   (1) the sum of r_i^2 / a_i^2 lies below its chi-square [`LAW_FIT_QUANTILE`] quantile;
//!   (2) no point misses by more than [`LAW_MAX_ERROR`] beyond 2 sd_i (one point far off is a
//!   feature the law lacks); and (3) no run of consecutive residuals of one sign (a stretch
//!   the law misses systematically, such as a knee it rounds) has a mean beyond [`LAW_RUN_ERROR`]
//!   plus 2 sd / sqrt(length); and (4) its root mean square error is at most [`LAW_MOST_ERROR`]
//!   however noisy the points (noise may keep a law from being rejected, never make it the
//!   explanation). With no degree of freedom left, (4) alone decides.
//! - **A plateau flatter than the law**: the law's growth from the shape's knee to the last point
//!   against the measured growth, with the tail's own scatter around its mean as the noise where
//!   it has three points or more (a flat tail is its own evidence of quiet points), else the
//!   points' noise; flatter beyond [`PLATEAU_Z`] sqrt(2) noise and at least [`MIN_PLATEAU_RISE`].
//!   A law that rises through a measured plateau does not describe it.
//! - **The USL's peak holds the measured one** when N*'s interval meets the span around the
//!   measured top (the maximum and the points next to it within noise of it) that the points
//!   leave to the true peak (from halfway, on the log scale, to the top's lower neighbour to
//!   halfway to its upper one): a USL peak where the data say it is not is never quoted, and one
//!   whose interval only touches the neighbours is not either.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::Facts;
use crate::fit::shape::{MIN_DECLINE, MIN_SHAPE_SD};
use crate::fit::usl::Usl;
use crate::fit::{Model, SpeedupBaseline, UslEstimate, amdahl};

/// The relative error (root mean square, log scale) a law may show against a real curve beside
/// the points' noise and still describe it: 5%.
pub const LAW_RMS_ERROR: f64 = 0.05;

/// The most one point may miss the law by beyond twice its noise (log scale): 12%.
pub const LAW_MAX_ERROR: f64 = 0.12;

/// The most a run of residuals of one sign may miss the law by on average, beyond its noise
/// (log scale): 6%.
pub const LAW_RUN_ERROR: f64 = 0.06;

/// The largest relative error (root mean square, log scale) of a law said to describe a curve,
/// however noisy its points: 8%. Noise may excuse a law's misfit when the law is only not
/// rejected, never when the law is named as what the curve shows.
pub const LAW_MOST_ERROR: f64 = 0.08;

/// The quantile of the chi-square distribution below which a law describes the points: 0.99 (a
/// law is rejected only when its errors are that unlikely within the allowance).
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

    /// The law's speedups at every measured count, when fitted and positive.
    fn predicted(&self, model: Model) -> Option<Vec<f64>> {
        let predicted: Vec<f64> = match model {
            Model::Amdahl => {
                let (b, _) = self.amdahl()?;
                self.e.threads.iter().map(|&j| amdahl::speedup(b, j as f64)).collect()
            }
            Model::Usl => {
                let law = self.usl_speedup()?;
                self.e.threads.iter().map(|&j| law.at(j as f64)).collect()
            }
            Model::Gustafson => return None,
        };
        predicted.iter().all(|p| p.is_finite() && *p > 0.0).then_some(predicted)
    }

    /// Whether `model` describes the points (see the module docs); Gustafson's law is not held to
    /// them here.
    pub(super) fn law_describes(&self, model: Model) -> bool {
        if model == Model::Gustafson {
            return true;
        }
        let parameters = if model == Model::Usl { 2 } else { 1 };
        self.predicted(model).and_then(|p| self.describes(&p, parameters)).is_some()
    }

    /// The root mean square relative error of `model` over the first `points` points.
    pub(super) fn law_error(&self, model: Model, points: usize) -> Option<f64> {
        let predicted = self.predicted(model)?;
        let residuals = self.residuals(&predicted[..points.min(predicted.len())]);
        Some((residuals.iter().map(|r| r * r).sum::<f64>() / residuals.len().max(1) as f64).sqrt())
    }

    /// The log residuals of the first points against `predicted`, their mean removed when the
    /// level is free.
    fn residuals(&self, predicted: &[f64]) -> Vec<f64> {
        let mut residuals: Vec<f64> = self.e.speedups.iter().zip(predicted).map(|(s, p)| s.ln() - p.ln()).collect();
        if self.free_level() && !residuals.is_empty() {
            let mean = residuals.iter().sum::<f64>() / residuals.len() as f64;
            residuals.iter_mut().for_each(|r| *r -= mean);
        }
        residuals
    }

    /// Whether the curve's level is free: a fitted baseline, or one-sample points that all share
    /// T(1)'s error.
    fn free_level(&self) -> bool {
        let shared_baseline = self.shape.as_ref().is_some_and(|s| !s.from_intervals);
        self.e.fits.speedup_baseline == Some(SpeedupBaseline::Fitted) || shared_baseline
    }

    /// Whether a law whose speedups at the first points are `predicted`, with `parameters` fitted
    /// besides the level, describes those points (see the module docs): its root mean square
    /// relative error when it does.
    pub(super) fn describes(&self, predicted: &[f64], parameters: usize) -> Option<f64> {
        let residuals = self.residuals(predicted);
        let n = residuals.len();
        let rms = (residuals.iter().map(|r| r * r).sum::<f64>() / n.max(1) as f64).sqrt();
        let dof = n as i64 - parameters as i64 - i64::from(self.free_level());
        if dof < 1 {
            return (rms <= LAW_MOST_ERROR).then_some(rms);
        }
        let allowance = |i: usize| self.sd(i).powi(2) + LAW_RMS_ERROR.powi(2);
        let chi2: f64 = residuals.iter().enumerate().map(|(i, r)| r * r / allowance(i)).sum();
        let within = ChiSquared::new(dof as f64).map(|d| chi2 <= d.inverse_cdf(LAW_FIT_QUANTILE)).unwrap_or(true);
        let no_far_point = residuals.iter().enumerate().all(|(i, r)| r.abs() <= LAW_MAX_ERROR + 2.0 * self.sd(i));
        let no_systematic_run = runs(&residuals).into_iter().all(|run| {
            let length = run.len() as f64;
            let mean = run.iter().map(|&i| residuals[i]).sum::<f64>() / length;
            let noise = run.iter().map(|&i| self.sd(i)).fold(0.0, f64::max);
            mean.abs() <= LAW_RUN_ERROR + 2.0 * noise / length.sqrt()
        });
        (within && no_far_point && no_systematic_run && rms <= LAW_MOST_ERROR).then_some(rms)
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

    /// The indices of the first and last points of the top around the maximum at index `peak`:
    /// the outermost points within noise of it (twice the noise of the difference, and at least
    /// [`MIN_DECLINE`]) before S falls, on that side, beyond twice that (noise makes a top ragged;
    /// a fall ends it).
    pub(super) fn top(&self, peak: usize) -> (usize, usize) {
        let y = |i: usize| self.e.speedups[i].ln();
        let tolerance = |i: usize| MIN_DECLINE.max(2.0 * (self.sd(i).powi(2) + self.sd(peak).powi(2)).sqrt());
        let within = |i: &usize| y(peak) - y(*i) < tolerance(*i);
        let near = |i: &usize| y(peak) - y(*i) < 2.0 * tolerance(*i);
        let first = (0..peak).rev().take_while(near).filter(within).last().unwrap_or(peak);
        let last = (peak + 1..self.e.threads.len()).take_while(near).filter(within).last().unwrap_or(peak);
        (first, last)
    }

    /// The USL's fit, when it is the better model, has a peak N*, and (given the index of the
    /// measured maximum) N*'s interval holds the measured maximum: it meets the span the
    /// measured points leave to the true peak, from halfway (on the log scale) between the top
    /// (the points within noise of the maximum, [`Facts::top`]) and its lower neighbour to
    /// halfway between the top and its upper one (a grid measures its maximum at a grid point; an
    /// interval that only touches the neighbours does not hold it).
    pub(super) fn usl_peak_near(&self, measured_peak: Option<usize>) -> Option<&UslEstimate> {
        let usl = self.e.fits.usl_fitted().filter(|_| self.e.fits.best == Some(Model::Usl))?;
        usl.peak_threads?;
        if let Some(i) = measured_peak {
            let [lo, hi] = usl.peak_threads_ci95?;
            let j = |k: usize| self.e.threads[k] as f64;
            let (first, last) = self.top(i);
            let below = if first > 0 { (j(first - 1) * j(first)).sqrt() } else { j(first) };
            let above = if last + 1 < self.e.threads.len() { (j(last) * j(last + 1)).sqrt() } else { j(last) };
            if hi < below || lo > above {
                return None;
            }
        }
        Some(usl)
    }
}

/// The maximal runs of consecutive residuals of one sign (exact zeros end a run), as indices, of
/// two or more.
fn runs(residuals: &[f64]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (i, r) in residuals.iter().enumerate() {
        let same = current.last().is_some_and(|&k| residuals[k].signum() == r.signum() && *r != 0.0);
        if !same {
            if current.len() >= 2 {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
        }
        if *r != 0.0 {
            current.push(i);
        }
    }
    if current.len() >= 2 {
        out.push(current);
    }
    out
}
