//! One estimation frame for Amdahl's law and the USL: the same data, scale, loss and fitter.
//!
//! # Model
//! Both laws are one model of the *cost* of a run at N threads (its time, or the inverse of its
//! throughput): cost(N) = scale x g(N) with g(N) = sigma + (1 - sigma)/N + kappa (N - 1). With
//! kappa = 0 this is Amdahl's law (sigma = B; T(N) = a + c/N); with sigma, kappa >= 0 it is the USL
//! (Gunther 2007: X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1)) = lambda / g(N)). Amdahl's
//! law is the USL with kappa = 0 fitted on the same points with the same loss, so the two can be
//! compared by a nested-model test (see `choose`).
//!
//! # Loss
//! - **Log** ([`Loss::Log`], the default): timing noise is multiplicative (a run is a few percent
//!   slower, not a few milliseconds), so the fit is least squares on ln cost: each point weighs
//!   alike whatever its size, and j = 1 does not dominate as it does in a fit of raw times.
//! - **Absolute** ([`Loss::Absolute`], `measure fit --loss absolute`): plain least squares on the
//!   measured values, for parity with R's `usl` package (version 2 and later), which fits
//!   X(N) = gamma N / (1 + sigma (N - 1) + kappa N (N - 1)) = gamma / g(N) with `nls`. The value
//!   is the throughput as measured, the speedup S(j), or the rate 1/T of a time (the frame's cost
//!   inverted); gamma is the scale, and `log_scale` holds -ln gamma so that lambda = gamma
//!   either way. The package's bounds sigma, kappa in [0, 1] are ours sigma, kappa >= 0 (no data
//!   set of its tests comes near 1). `r_parity` checks the estimates the package documents.
//!
//! The loss is the curve's ([`Curve::loss`]); everything fitted in the frame (estimates, the
//! covariance and its t intervals, bootstrap refits, the SSE of the F test and AICc) uses it.
//!
//! # Scale
//! - **Unpaired data** (CSV curves, hyperfine scans, criterion groups): the scale is a free
//!   parameter. T(1) is one noisy measurement like any other; dividing every point by it (S =
//!   T1/Tj) would carry its error into every point, and no interval computed afterwards could see
//!   it. With several samples per point every sample counts in the fit ([`Frame::of`]). For
//!   each (sigma, kappa) the best ln scale is the mean of ln cost - ln g, and under the absolute
//!   loss the best gamma is the least-squares coefficient sum y/g / sum 1/g^2 (variable
//!   projection: Golub & Pereyra, SIAM J. Numer. Anal. 10(2), 1973), so the search is over sigma
//!   and kappa alone, and every point, j = 1 included, carries information.
//! - **Paired rounds** (our own sweeps): S(j) is the median of per-round ratios T1/Tj, in which
//!   T(1)'s noise cancels round by round, so the scale is fixed at 1 and the j = 1 point (S = 1 by
//!   construction) carries no information: it is left out, and out of the degrees of freedom.
//!
//! # Search
//! Levenberg–Marquardt (Marquardt 1963) over the free ones of sigma and kappa, from several starts,
//! on the projected residual (its Jacobian: the columns less their projection on the scale's,
//! exact for the log loss and Kaufman's for the absolute one, which gives the exact gradient of the
//! projected error, so the search stops at a true stationary point; it stops when a step gains
//! less than 1e-14 of the error, which puts the parameters within about 1e-7 of the optimum);
//! the bounds of the USL (sigma, kappa >= 0) by active sets: each combination of parameters held
//! at 0 is solved and the best feasible one kept, a larger model replacing a smaller only when it
//! lowers the error by more than rounding (so exact Amdahl data keep kappa = 0). Amdahl's sigma is
//! unbounded (B < 0 is superlinear) but for g(N) > 0.

use super::Loss;
use super::curve::{Curve, Measure};

/// g(N) of the module docs.
pub fn g(n: f64, sigma: f64, kappa: f64) -> f64 {
    sigma + (1.0 - sigma) / n + kappa * (n - 1.0)
}

/// Which law is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// kappa = 0, sigma unbounded.
    Amdahl,
    /// sigma, kappa >= 0.
    Usl,
}

/// The points of a curve in the frame: N and ln cost.
///
/// With several samples per point the fit is on every sample, but computed from each point's mean
/// ln cost weighted by its count, plus the squares within the points: since the model is constant
/// within a point, sum (y - f)^2 = within + sum n_j (mean_j - f_j)^2, so the estimates and the
/// residual sum are those of the fit on all samples at a cost that does not grow with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Thread counts of the points that carry information.
    pub n: Vec<f64>,
    /// ln cost at each (the mean over its samples).
    pub y: Vec<f64>,
    /// The samples behind each value.
    pub w: Vec<f64>,
    /// The sum of squares of the samples about their point's mean (0 with one value per point).
    pub within: f64,
    /// Whether the scale is free (unpaired data).
    pub scale_free: bool,
    /// What `y` is and how residuals are measured: ln cost ([`Loss::Log`]) or the measured value
    /// ([`Loss::Absolute`]).
    pub loss: Loss,
}

/// A fitted model in the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameFit {
    /// sigma (Amdahl's B).
    pub sigma: f64,
    /// kappa (0 for Amdahl).
    pub kappa: f64,
    /// ln scale: the fitted cost at N = 1 (0 when the scale is fixed); under the absolute loss
    /// -ln gamma, gamma the fitted value at N = 1.
    pub log_scale: f64,
    /// Sum of squared residuals (of ln cost, or of the values under the absolute loss).
    pub sse: f64,
    /// Parameters estimated: sigma, kappa where free, and the scale where free.
    pub params: usize,
}

impl Frame {
    /// The frame of a whole curve: every sample for unpaired data with several samples at some
    /// point (each sample is a point of the fit; least squares then weighs every run alike and the
    /// residuals estimate the noise), otherwise the curve's values.
    pub fn of(curve: &Curve) -> Option<Frame> {
        Frame::of_with(curve, curve.loss)
    }

    /// [`Frame::of`] with `loss` rather than the curve's own.
    pub fn of_with(curve: &Curve, loss: Loss) -> Option<Frame> {
        if curve.paired || curve.costs.iter().all(|c| c.len() < 2) {
            return Frame::new_with(curve, &curve.values, loss);
        }
        let (mut n, mut y, mut w, mut within) = (Vec::new(), Vec::new(), Vec::new(), 0.0);
        for (&j, costs) in curve.threads.iter().zip(&curve.costs) {
            if costs.iter().any(|c| !(c.is_finite() && *c > 0.0)) {
                return None;
            }
            if costs.is_empty() {
                continue;
            }
            // ln cost, or the rate 1/cost (the throughput as measured, or 1/T) under the absolute loss.
            let logs: Vec<f64> = costs
                .iter()
                .map(|c| match loss {
                    Loss::Log => c.ln(),
                    Loss::Absolute => 1.0 / c,
                })
                .collect();
            let mean = logs.iter().sum::<f64>() / logs.len() as f64;
            within += logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>();
            n.push(j as f64);
            y.push(mean);
            w.push(logs.len() as f64);
        }
        (!n.is_empty()).then_some(Frame { n, y, w, within, scale_free: true, loss })
    }

    /// Whether this frame fits every sample (unpaired data with repeated samples), so that its
    /// covariance, not a bootstrap, gives the intervals.
    pub fn of_samples(curve: &Curve) -> bool {
        !curve.paired && curve.costs.iter().any(|c| c.len() >= 2)
    }

    /// The frame of `values` (the curve's values or one of its replicates); `None` when a value
    /// is not positive and finite or no point carries information.
    pub fn new(curve: &Curve, values: &[f64]) -> Option<Frame> {
        Frame::new_with(curve, values, curve.loss)
    }

    /// [`Frame::new`] with `loss` rather than the curve's own.
    pub fn new_with(curve: &Curve, values: &[f64], loss: Loss) -> Option<Frame> {
        let scale_free = !curve.paired;
        let (mut n, mut y) = (Vec::new(), Vec::new());
        for (&j, &v) in curve.threads.iter().zip(values) {
            if !(v.is_finite() && v > 0.0) {
                return None;
            }
            if scale_free || j > 1 {
                n.push(j as f64);
                // Cost is time per unit of work: 1/S for speedups, 1/X for throughputs; the absolute
                // loss fits the value itself.
                y.push(match (loss, curve.measure) {
                    (Loss::Log, Measure::Speedup | Measure::Throughput) => -v.ln(),
                    (Loss::Absolute, Measure::Speedup | Measure::Throughput) => v,
                });
            }
        }
        let w = vec![1.0; n.len()];
        (!n.is_empty()).then_some(Frame { n, y, w, within: 0.0, scale_free, loss })
    }

    /// The number of observations: samples when fitted sample by sample, else points.
    pub fn len(&self) -> usize {
        self.w.iter().sum::<f64>().round() as usize
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.n.is_empty()
    }

    /// Residuals y - ln scale - ln g at (sigma, kappa), with the (projected) ln scale; under the
    /// absolute loss y - gamma / g with the least-squares gamma (ln scale = -ln gamma). `None`
    /// where g <= 0 at some point (or gamma <= 0).
    fn residuals(&self, sigma: f64, kappa: f64) -> Option<(Vec<f64>, f64)> {
        let mut r = Vec::with_capacity(self.n.len());
        let mut h = Vec::with_capacity(self.n.len());
        for (&n, &y) in self.n.iter().zip(&self.y) {
            let gn = g(n, sigma, kappa);
            if !(gn > 0.0 && gn.is_finite()) {
                return None;
            }
            match self.loss {
                Loss::Log => r.push(y - gn.ln()),
                Loss::Absolute => h.push(1.0 / gn),
            }
        }
        match self.loss {
            Loss::Log => {
                let log_scale = if self.scale_free { self.weighted_mean(&r) } else { 0.0 };
                r.iter_mut().for_each(|x| *x -= log_scale);
                Some((r, log_scale))
            }
            Loss::Absolute => {
                let gamma = if self.scale_free { self.projection(&self.y, &h) } else { 1.0 };
                if !(gamma > 0.0 && gamma.is_finite()) {
                    return None;
                }
                r.extend(self.y.iter().zip(&h).map(|(y, h)| y - gamma * h));
                Some((r, -gamma.ln()))
            }
        }
    }

    /// The weighted least-squares coefficient of `v` on `b`: sum w v b / sum w b^2.
    fn projection(&self, v: &[f64], b: &[f64]) -> f64 {
        let num: f64 = v.iter().zip(b).zip(&self.w).map(|((v, b), w)| w * v * b).sum();
        let den: f64 = b.iter().zip(&self.w).map(|(b, w)| w * b * b).sum();
        num / den
    }

    fn weighted_mean(&self, v: &[f64]) -> f64 {
        v.iter().zip(&self.w).map(|(x, w)| x * w).sum::<f64>() / self.w.iter().sum::<f64>()
    }

    fn sse(&self, theta: [f64; 2]) -> f64 {
        self.residuals(theta[0], theta[1])
            .map_or(f64::INFINITY, |(r, _)| self.within + r.iter().zip(&self.w).map(|(x, w)| w * x * x).sum::<f64>())
    }

    /// The derivatives of the fitted quantity in (sigma, kappa) at each point, with the scale
    /// held at `log_scale`: d ln g / d sigma and d ln g / d kappa (log loss: the fitted ln cost is
    /// ln scale + ln g), or d(gamma/g)/d sigma and d(gamma/g)/d kappa (absolute loss).
    fn gradients(&self, theta: [f64; 2], log_scale: f64) -> Vec<[f64; 2]> {
        let gamma = (-log_scale).exp();
        self.n
            .iter()
            .map(|&n| {
                let gn = g(n, theta[0], theta[1]);
                let d = [1.0 - 1.0 / n, n - 1.0];
                match self.loss {
                    Loss::Log => [d[0] / gn, d[1] / gn],
                    Loss::Absolute => [-gamma * d[0] / (gn * gn), -gamma * d[1] / (gn * gn)],
                }
            })
            .collect()
    }

    /// The derivative of the fitted quantity in the free scale at each point: 1 for ln scale
    /// (log loss), 1/g for gamma (absolute loss).
    fn scale_column(&self, theta: [f64; 2]) -> Vec<f64> {
        match self.loss {
            Loss::Log => vec![1.0; self.n.len()],
            Loss::Absolute => self.n.iter().map(|&n| 1.0 / g(n, theta[0], theta[1])).collect(),
        }
    }

    /// Fits `law`; warm-started from `start` when given (bootstrap replicates), else from several
    /// starts.
    pub fn fit(&self, law: Law, start: Option<FrameFit>) -> Option<FrameFit> {
        let sets: &[[bool; 2]] = match law {
            Law::Amdahl => &[[true, false]],
            Law::Usl => &[[false, false], [true, false], [false, true], [true, true]],
        };
        let tolerance =
            1e-12 * (self.within + self.y.iter().zip(&self.w).map(|(v, w)| w * v * v).sum::<f64>()).max(1e-300);
        let mut best: Option<FrameFit> = None;
        for &free in sets {
            let starts: Vec<[f64; 2]> = match start {
                Some(s) => vec![[if free[0] { s.sigma } else { 0.0 }, if free[1] { s.kappa.max(1e-6) } else { 0.0 }]],
                None => starts(free),
            };
            for theta in starts {
                let Some((theta, sse)) = self.minimise(theta, free, law) else { continue };
                let params = free.iter().filter(|f| **f).count() + usize::from(self.scale_free);
                let log_scale = self.residuals(theta[0], theta[1]).map_or(0.0, |(_, s)| s);
                let fit = FrameFit { sigma: theta[0], kappa: theta[1], log_scale, sse, params };
                let better = match best {
                    None => true,
                    Some(b) if fit.params > b.params => fit.sse < b.sse - tolerance,
                    Some(b) => fit.sse < b.sse,
                };
                if better {
                    best = Some(fit);
                }
            }
        }
        best
    }

    /// Levenberg–Marquardt over the free parameters; for the USL, a solution outside the bounds
    /// is not feasible for this active set.
    fn minimise(&self, mut theta: [f64; 2], free: [bool; 2], law: Law) -> Option<([f64; 2], f64)> {
        let mut err = self.sse(theta);
        if !err.is_finite() {
            return None;
        }
        let cols: Vec<usize> = (0..2).filter(|&c| free[c]).collect();
        let mut mu = 1e-3;
        for _ in 0..300 {
            if cols.is_empty() {
                break;
            }
            let (r, log_scale) = self.residuals(theta[0], theta[1])?;
            let mut grads = self.gradients(theta, log_scale);
            if self.scale_free {
                // The Jacobian of the projected residual: each column less its projection on the
                // scale's column (centred columns for the log loss; for the absolute loss, where
                // the scale enters linearly, Kaufman's approximation, which gives the projected
                // error's exact gradient, so the search stops where that gradient vanishes).
                let basis = self.scale_column(theta);
                for c in 0..2 {
                    let column: Vec<f64> = grads.iter().map(|g| g[c]).collect();
                    let coefficient = self.projection(&column, &basis);
                    grads.iter_mut().zip(&basis).for_each(|(g, b)| g[c] -= coefficient * b);
                }
            }
            // Residual r = y - f with f the fitted quantity, so dr/dtheta = -df/dtheta; the step
            // solves (J'J + mu diag) delta = J' r with J = df/dtheta.
            let mut jtj = [[0.0; 2]; 2];
            let mut jtr = [0.0; 2];
            for ((g, r), w) in grads.iter().zip(&r).zip(&self.w) {
                for (a, &ca) in cols.iter().enumerate() {
                    jtr[a] += w * g[ca] * r;
                    for (b, &cb) in cols.iter().enumerate() {
                        jtj[a][b] += w * g[ca] * g[cb];
                    }
                }
            }
            let mut improved = false;
            while mu < 1e16 {
                let mut damped = jtj;
                for (a, row) in damped.iter_mut().enumerate().take(cols.len()) {
                    row[a] += mu * jtj[a][a].max(1e-300);
                }
                let Some(step) = solve2(&damped, &jtr, cols.len()) else {
                    mu *= 10.0;
                    continue;
                };
                let mut trial = theta;
                for (a, &c) in cols.iter().enumerate() {
                    trial[c] += step[a];
                }
                let trial_err = self.sse(trial);
                if trial_err.is_finite() && trial_err <= err {
                    let gain = err - trial_err;
                    theta = trial;
                    err = trial_err;
                    mu = (mu / 3.0).max(1e-12);
                    improved = gain > 1e-14 * err.max(1e-300) && gain > 1e-300;
                    break;
                }
                mu *= 4.0;
            }
            if !improved {
                break;
            }
        }
        if law == Law::Usl && (theta[0] < -1e-12 || theta[1] < -1e-12) {
            return None;
        }
        if law == Law::Usl {
            theta = [theta[0].max(0.0), theta[1].max(0.0)];
        }
        Some((theta, err))
    }

    /// Standard errors of (sigma, kappa) and their correlation, from s^2 (J'J)^-1 over every
    /// estimated parameter (the scale included where free), s^2 = SSE / (n - p). `None` without
    /// degrees of freedom. `kappa_free` says whether kappa was estimated.
    pub fn standard_errors(&self, fit: &FrameFit, kappa_free: bool) -> Option<Covariance> {
        let dof = self.len().checked_sub(fit.params).filter(|d| *d > 0)?;
        let s2 = fit.sse / dof as f64;
        let theta = [fit.sigma, fit.kappa];
        let grads = self.gradients(theta, fit.log_scale);
        // Columns of the Jacobian: sigma, kappa (if free), the scale (if free: ln scale for the log
        // loss, gamma for the absolute loss).
        let row = |g: &[f64; 2], scale: f64| -> Vec<f64> {
            let mut r = vec![g[0]];
            if kappa_free {
                r.push(g[1]);
            }
            if self.scale_free {
                r.push(scale);
            }
            r
        };
        let k = 1 + usize::from(kappa_free) + usize::from(self.scale_free);
        let mut jtj = vec![vec![0.0; k]; k];
        for ((g, w), scale) in grads.iter().zip(&self.w).zip(self.scale_column(theta)) {
            let r = row(g, scale);
            for a in 0..k {
                for b in 0..k {
                    jtj[a][b] += w * r[a] * r[b];
                }
            }
        }
        let inv = invert(jtj)?;
        let se = |i: usize| (s2 * inv[i][i]).max(0.0).sqrt();
        let sigma = se(0);
        let (kappa, sigma_kappa) = if kappa_free { (se(1), s2 * inv[0][1]) } else { (0.0, 0.0) };
        // se(ln gamma) = se(gamma)/gamma under the absolute loss.
        let log_scale = match (self.scale_free, self.loss) {
            (false, _) => 0.0,
            (true, Loss::Log) => se(k - 1),
            (true, Loss::Absolute) => se(k - 1) * fit.log_scale.exp(),
        };
        Some(Covariance { sigma, kappa, sigma_kappa, log_scale, dof, residual_sd: s2.sqrt() })
    }
}

/// Standard errors from the residuals (see [`Frame::standard_errors`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Covariance {
    /// se(sigma).
    pub sigma: f64,
    /// se(kappa); 0 when kappa was not estimated.
    pub kappa: f64,
    /// cov(sigma, kappa).
    pub sigma_kappa: f64,
    /// se(ln scale); 0 when the scale is fixed.
    pub log_scale: f64,
    /// Degrees of freedom: points minus estimated parameters.
    pub dof: usize,
    /// The residual standard deviation (of ln cost, or of the values under the absolute loss).
    pub residual_sd: f64,
}

fn starts(free: [bool; 2]) -> Vec<[f64; 2]> {
    let sigmas: &[f64] = if free[0] { &[0.02, 0.2, 0.7] } else { &[0.0] };
    let kappas: &[f64] = if free[1] { &[1e-4, 1e-2] } else { &[0.0] };
    sigmas.iter().flat_map(|&s| kappas.iter().map(move |&k| [s, k])).collect()
}

fn solve2(a: &[[f64; 2]; 2], b: &[f64; 2], k: usize) -> Option<[f64; 2]> {
    match k {
        1 => (a[0][0].abs() > 1e-300).then(|| [b[0] / a[0][0], 0.0]),
        _ => {
            let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
            (det.abs() > 1e-300 * a[0][0].abs().max(a[1][1].abs()).max(1e-300))
                .then(|| [(b[0] * a[1][1] - a[0][1] * b[1]) / det, (a[0][0] * b[1] - a[1][0] * b[0]) / det])
        }
    }
}

/// The inverse of a small symmetric positive definite matrix (Gauss–Jordan with pivoting).
pub(crate) fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let mut inv: Vec<Vec<f64>> = (0..k).map(|i| (0..k).map(|j| f64::from(u8::from(i == j))).collect()).collect();
    for col in 0..k {
        let pivot = (col..k).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col];
        a[col].iter_mut().for_each(|x| *x /= p);
        inv[col].iter_mut().for_each(|x| *x /= p);
        for row in 0..k {
            if row != col {
                let f = a[row][col];
                for c in 0..k {
                    a[row][c] -= f * a[col][c];
                    inv[row][c] -= f * inv[col][c];
                }
            }
        }
    }
    inv.iter().flatten().all(|x| x.is_finite()).then_some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::curve::SampleKind;

    fn times(threads: &[usize], t: impl Fn(f64) -> f64) -> Curve {
        let samples: Vec<Vec<f64>> = threads.iter().map(|&j| vec![t(j as f64)]).collect();
        Curve::from_samples(threads, &samples, SampleKind::Time, 1)
    }

    #[test]
    fn exact_laws_are_recovered_with_a_free_scale() {
        let threads: Vec<usize> = (1..=16).collect();
        let amdahl = times(&threads, |n| 3.0 * g(n, 0.1, 0.0));
        let frame = Frame::new(&amdahl, &amdahl.values).unwrap();
        assert!(frame.scale_free && frame.len() == 16);
        let fit = frame.fit(Law::Amdahl, None).unwrap();
        assert!((fit.sigma - 0.1).abs() < 1e-9 && fit.kappa == 0.0 && fit.params == 2, "{fit:?}");
        let usl = frame.fit(Law::Usl, None).unwrap();
        assert!(usl.kappa == 0.0 && (usl.sigma - 0.1).abs() < 1e-9, "exact Amdahl keeps kappa = 0: {usl:?}");
        let retro = times(&threads, |n| 2.0 * g(n, 0.05, 0.02));
        let fit = Frame::new(&retro, &retro.values).unwrap().fit(Law::Usl, None).unwrap();
        assert!((fit.sigma - 0.05).abs() < 1e-7 && (fit.kappa - 0.02).abs() < 1e-8, "{fit:?}");
        // Superlinear: Amdahl's B below 0.
        let superlinear = times(&[1, 2, 4], |n| g(n, -0.05, 0.0));
        let fit = Frame::new(&superlinear, &superlinear.values).unwrap().fit(Law::Amdahl, None).unwrap();
        assert!((fit.sigma + 0.05).abs() < 1e-9, "{fit:?}");
    }

    #[test]
    fn repeated_samples_fit_as_if_each_were_a_point() {
        let threads = [1, 2, 4, 8];
        let samples: Vec<Vec<f64>> = threads
            .iter()
            .enumerate()
            .map(|(i, &j)| {
                (0..5).map(|k| g(j as f64, 0.1, 0.002) * (1.0 + 0.01 * ((i * 5 + k) as f64 * 1.7).sin())).collect()
            })
            .collect();
        let curve = Curve::from_samples(&threads, &samples, SampleKind::Time, 1);
        let weighted = Frame::of(&curve).unwrap();
        assert_eq!((weighted.n.len(), weighted.len()), (4, 20));
        let each = Frame {
            n: threads.iter().flat_map(|&j| [j as f64; 5]).collect(),
            y: samples.iter().flatten().map(|t| t.ln()).collect(),
            w: vec![1.0; 20],
            within: 0.0,
            scale_free: true,
            loss: Loss::Log,
        };
        for law in [Law::Amdahl, Law::Usl] {
            let (a, b) = (weighted.fit(law, None).unwrap(), each.fit(law, None).unwrap());
            assert!((a.sigma - b.sigma).abs() < 1e-9 && (a.kappa - b.kappa).abs() < 1e-9, "{a:?} {b:?}");
            assert!((a.sse - b.sse).abs() < 1e-12 * b.sse.max(1e-30) + 1e-15, "{a:?} {b:?}");
            let (ca, cb) = (
                weighted.standard_errors(&a, law == Law::Usl).unwrap(),
                each.standard_errors(&b, law == Law::Usl).unwrap(),
            );
            assert!((ca.sigma - cb.sigma).abs() < 1e-9 && ca.dof == cb.dof, "{ca:?} {cb:?}");
        }
    }

    #[test]
    fn the_absolute_loss_recovers_exact_laws_and_fits_every_sample() {
        let threads: Vec<usize> = (1..=16).collect();
        let amdahl = times(&threads, |n| 3.0 * g(n, 0.1, 0.0)).with_loss(Loss::Absolute);
        let frame = Frame::of(&amdahl).unwrap();
        assert!(frame.loss == Loss::Absolute && (frame.y[1] - 1.0 / g(2.0, 0.1, 0.0)).abs() < 1e-12, "{frame:?}");
        let fit = frame.fit(Law::Amdahl, None).unwrap();
        assert!((fit.sigma - 0.1).abs() < 1e-9 && fit.kappa == 0.0 && fit.params == 2, "{fit:?}");
        // The scale of a speedup curve is S(1) = 1.
        assert!(fit.log_scale.abs() < 1e-9, "{fit:?}");
        let retro = times(&threads, |n| 2.0 * g(n, 0.05, 0.02)).with_loss(Loss::Absolute);
        let fit = Frame::of(&retro).unwrap().fit(Law::Usl, None).unwrap();
        assert!((fit.sigma - 0.05).abs() < 1e-8 && (fit.kappa - 0.02).abs() < 1e-9, "{fit:?}");
        // Repeated samples: the weighted frame is the fit on every sample's rate 1/T.
        let samples: Vec<Vec<f64>> = threads
            .iter()
            .map(|&j| (0..3).map(|k| g(j as f64, 0.1, 0.002) * (1.0 + 0.02 * ((j * 3 + k) as f64).sin())).collect())
            .collect();
        let curve = Curve::from_samples(&threads, &samples, SampleKind::Time, 1).with_loss(Loss::Absolute);
        let weighted = Frame::of(&curve).unwrap();
        let each = Frame {
            n: threads.iter().flat_map(|&j| [j as f64; 3]).collect(),
            y: samples.iter().flatten().map(|t| 1.0 / t).collect(),
            w: vec![1.0; 48],
            within: 0.0,
            scale_free: true,
            loss: Loss::Absolute,
        };
        for law in [Law::Amdahl, Law::Usl] {
            let (a, b) = (weighted.fit(law, None).unwrap(), each.fit(law, None).unwrap());
            assert!((a.sigma - b.sigma).abs() < 1e-9 && (a.kappa - b.kappa).abs() < 1e-9, "{a:?} {b:?}");
            assert!((a.sse - b.sse).abs() < 1e-9 * b.sse, "{a:?} {b:?}");
            let (ca, cb) = (
                weighted.standard_errors(&a, law == Law::Usl).unwrap(),
                each.standard_errors(&b, law == Law::Usl).unwrap(),
            );
            assert!((ca.sigma - cb.sigma).abs() < 1e-9 && (ca.log_scale - cb.log_scale).abs() < 1e-9, "{ca:?} {cb:?}");
        }
        // Paired speedups keep their scale fixed at 1 and leave j = 1 out under either loss.
        let paired: Vec<Vec<f64>> = [1.0, 2.0, 4.0, 8.0].iter().map(|&n| vec![g(n, 0.2, 0.0); 3]).collect();
        let curve = Curve::from_paired_rounds(&[1, 2, 4, 8], &paired, 1).with_loss(Loss::Absolute);
        let frame = Frame::of(&curve).unwrap();
        assert!(!frame.scale_free && frame.n == [2.0, 4.0, 8.0]);
        let fit = frame.fit(Law::Amdahl, None).unwrap();
        assert!((fit.sigma - 0.2).abs() < 1e-9 && fit.params == 1 && fit.log_scale == 0.0, "{fit:?}");
    }

    #[test]
    fn paired_speedups_fix_the_scale_and_drop_j1() {
        let samples: Vec<Vec<f64>> = [1.0, 2.0, 4.0].iter().map(|&n| vec![g(n, 0.2, 0.0); 3]).collect();
        let curve = Curve::from_paired_rounds(&[1, 2, 4], &samples, 1);
        let frame = Frame::new(&curve, &curve.values).unwrap();
        assert!(!frame.scale_free && frame.n == [2.0, 4.0]);
        let fit = frame.fit(Law::Amdahl, None).unwrap();
        assert!((fit.sigma - 0.2).abs() < 1e-9 && fit.params == 1, "{fit:?}");
    }
}
