//! The Universal Scalability Law (Gunther, "Guerrilla Capacity Planning", Springer 2007):
//! C(N) = N / (1 + sigma (N - 1) + kappa N (N - 1)), and for throughput X(N) = lambda C(N).
//!
//! sigma is contention (the serial fraction, as in Amdahl's law), kappa coherency (the pairwise
//! cost of keeping threads consistent); with kappa > 0 the curve peaks at N* = sqrt((1-sigma)/kappa)
//! and falls after it (retrograde). kappa = 0 is Amdahl's law with B = sigma; there is no peak.
//!
//! # Method
//! Fitted in the estimation frame of `frame`, like Amdahl's law and on the same points with the
//! same loss: least squares on ln cost by default (or on the measured values under
//! `--loss absolute`, as R's `usl` package fits X(N) = gamma N / (1 + sigma (N - 1) + kappa N (N -
//! 1)); lambda is its gamma) with sigma, kappa >= 0 (active sets), the scale free for
//! unpaired data (it is 1/lambda for throughputs, T(1) for times) and fixed for our paired-round
//! speedups. The frame's search starts from several points, so the bounded optimum does not
//! depend on one start.
//!
//! # Intervals
//! Percentile intervals over the bootstrap replicates of our paired rounds (at least
//! `amdahl::MIN_BOOTSTRAP_SAMPLES` rounds), each replicate warm-started from the estimate; the
//! peak N* of a replicate without one (kappa = 0) counts as infinite, so N*'s interval is open
//! (null) when more than 2.5% of them have none. Otherwise (one sample per point, or every sample
//! of unpaired data fitted as a point) estimate +- t(0.975; n - p) se from the
//! covariance s^2 (J'J)^-1 of the fit in its loss over every estimated parameter (p = 2, plus the
//! scale where free; the two-sided quantile — R's `usl` package uses the one-sided one on n - 1
//! degrees of freedom, which gives 90% intervals; its standard errors are these under the absolute
//! loss), lower bounds stopping at 0; lambda's symmetric in ln lambda (log loss) or in lambda
//! (absolute loss); N*'s by the delta method on ln N*, open when kappa's interval reaches 0. With
//! no degrees of freedom there is no interval (`no_interval`).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::amdahl::MIN_BOOTSTRAP_SAMPLES;
use super::curve::{Curve, Measure};
use super::frame::{Covariance, Frame, FrameFit, Law};
use super::outcome::{Estimate, Outcome, flat_wire};
use super::student_t::t975;
use super::{CiMethod, Loss};
use crate::stats::{finite, percentile};

/// The Universal Scalability Law fitted to the points, or why it was not.
pub type UslFit = Outcome<UslEstimate>;

/// The Universal Scalability Law fitted to the points: its parameters and what is known of them.
#[derive(Debug, Clone, PartialEq)]
pub struct UslEstimate {
    /// Contention sigma (>= 0).
    pub sigma: f64,
    /// Its 95% CI.
    pub sigma_ci95: Option<[f64; 2]>,
    /// Coherency kappa (>= 0).
    pub kappa: f64,
    /// Its 95% CI.
    pub kappa_ci95: Option<[f64; 2]>,
    /// Throughput at one thread (1/scale), for throughput data; `None` for times and speedups.
    pub lambda: Option<f64>,
    /// Its 95% CI.
    pub lambda_ci95: Option<[f64; 2]>,
    /// N* = sqrt((1-sigma)/kappa), where the curve peaks; `None` when kappa = 0.
    pub peak_threads: Option<f64>,
    /// Its 95% CI; `None` when open (kappa's interval reaches 0).
    pub peak_threads_ci95: Option<[f64; 2]>,
    /// How the CIs were computed: `bootstrap` or `covariance-t`.
    pub ci_method: Option<CiMethod>,
    /// The thread counts that entered the fit.
    pub threads_used: Vec<usize>,
    /// Small-sample Akaike criterion of the fit in its loss (comparable with Amdahl's on the same
    /// points); `None` with too few points.
    pub aicc: Option<f64>,
    /// Why there are no intervals although the USL was fitted (too few rounds or points).
    pub no_interval: Option<String>,
}

impl Estimate for UslEstimate {
    fn threads_used(&self) -> &[usize] {
        &self.threads_used
    }
}

impl UslEstimate {
    /// The speedup law of the fitted sigma and kappa (lambda = 1).
    pub fn speedup_law(&self) -> Usl {
        Usl { lambda: 1.0, sigma: self.sigma, kappa: self.kappa }
    }
}

/// USL parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usl {
    /// Throughput at N = 1 (1 for speedups).
    pub lambda: f64,
    /// Contention.
    pub sigma: f64,
    /// Coherency.
    pub kappa: f64,
}

impl Usl {
    /// The modelled value at `n`.
    pub fn at(&self, n: f64) -> f64 {
        self.lambda * n / (1.0 + self.sigma * (n - 1.0) + self.kappa * n * (n - 1.0))
    }

    /// N* = sqrt((1 - sigma)/kappa), where the curve peaks; `None` when kappa = 0 or sigma >= 1.
    pub fn peak(&self) -> Option<f64> {
        (self.kappa > 0.0 && self.sigma < 1.0).then(|| ((1.0 - self.sigma) / self.kappa).sqrt()).and_then(finite)
    }
}

/// Fits the USL to `curve`.
pub fn fit(curve: &Curve) -> UslFit {
    let throughput = curve.measure == Measure::Throughput;
    let threads_used = curve.threads.clone();
    let Some(frame) = Frame::of(curve) else {
        return UslFit::not_fitted(threads_used, "a value is not a positive number");
    };
    let params = 2 + usize::from(frame.scale_free);
    let need = params + usize::from(!frame.scale_free);
    if curve.threads.len() < need {
        let reason = format!(
            "needs {need} distinct thread counts{}, has {}",
            if frame.scale_free { " (its scale is free: one sample per point carries T(1)'s error)" } else { "" },
            curve.threads.len()
        );
        return UslFit::not_fitted(threads_used, reason);
    }
    let fitted = frame.fit(Law::Usl, None).map(|e| (e, Usl::of(&e)));
    // Parameters that are not finite numbers did not converge (the frame accepts finite steps only).
    let Some((estimate, best, sigma, kappa)) =
        fitted.and_then(|(e, best)| Some((e, best, finite(best.sigma)?, finite(best.kappa)?)))
    else {
        return UslFit::not_fitted(threads_used, "the least-squares fit did not converge");
    };
    let mut out = UslEstimate {
        sigma,
        sigma_ci95: None,
        kappa,
        kappa_ci95: None,
        lambda: if throughput { finite(best.lambda) } else { None },
        lambda_ci95: None,
        peak_threads: best.peak(),
        peak_threads_ci95: None,
        ci_method: None,
        threads_used,
        aicc: None,
        no_interval: None,
    };
    // Intervals count every parameter of the USL, whichever bound is active.
    let full = FrameFit { params, ..estimate };
    if !curve.replicates.is_empty() && !Frame::of_samples(curve) {
        bootstrap_intervals(curve, &estimate, throughput, &mut out);
    } else if let Some((cov, t)) = frame.standard_errors(&full, true).and_then(|c| Some((c, t975(c.dof)?))) {
        covariance_intervals(&frame, &best, &cov, t, throughput, &mut out);
    } else {
        out.no_interval = Some(format!("no interval (too few points): {} points for {params} parameters", frame.len()));
    }
    for ci in [&mut out.sigma_ci95, &mut out.kappa_ci95, &mut out.lambda_ci95, &mut out.peak_threads_ci95] {
        *ci = ci.filter(|c| c.iter().all(|x| x.is_finite()));
    }
    Outcome::Fitted(out)
}

/// Estimate +- t se from the covariance of the fit (see the module docs).
fn covariance_intervals(frame: &Frame, best: &Usl, cov: &Covariance, t: f64, throughput: bool, out: &mut UslEstimate) {
    let ci = |est: f64, se: f64| Some([(est - t * se).max(0.0), est + t * se]);
    out.sigma_ci95 = ci(best.sigma, cov.sigma);
    out.kappa_ci95 = ci(best.kappa, cov.kappa);
    if throughput {
        out.lambda_ci95 = Some(match frame.loss {
            // Symmetric in ln lambda, the parameter of the log-cost fit.
            Loss::Log => [best.lambda * (-t * cov.log_scale).exp(), best.lambda * (t * cov.log_scale).exp()],
            // Symmetric in lambda (gamma), the parameter of the absolute fit.
            Loss::Absolute => {
                let se = best.lambda * cov.log_scale;
                [(best.lambda - t * se).max(0.0), best.lambda + t * se]
            }
        });
    }
    if let Some(peak) = out.peak_threads
        && best.kappa - t * cov.kappa > 0.0
    {
        // ln N* = (ln(1 - sigma) - ln kappa) / 2.
        let (ds, dk) = (-0.5 / (1.0 - best.sigma), -0.5 / best.kappa);
        let var = ds * ds * cov.sigma * cov.sigma + dk * dk * cov.kappa * cov.kappa + 2.0 * ds * dk * cov.sigma_kappa;
        let half = t * var.max(0.0).sqrt();
        out.peak_threads_ci95 = Some([peak * (-half).exp(), peak * half.exp()]);
    }
    out.ci_method = Some(CiMethod::CovarianceT);
}

fn bootstrap_intervals(curve: &Curve, estimate: &FrameFit, throughput: bool, out: &mut UslEstimate) {
    if curve.samples < MIN_BOOTSTRAP_SAMPLES {
        out.no_interval = Some(format!(
            "no interval: {} rounds or samples per point; a bootstrap interval needs at least {MIN_BOOTSTRAP_SAMPLES}",
            curve.samples
        ));
        return;
    }
    let fits: Vec<Usl> = curve.replicates.iter().filter_map(|r| fit_of(curve, r, Some(*estimate))).collect();
    out.sigma_ci95 = percentile(fits.iter().map(|f| f.sigma).collect(), 0.95);
    out.kappa_ci95 = percentile(fits.iter().map(|f| f.kappa).collect(), 0.95);
    if throughput {
        out.lambda_ci95 = percentile(fits.iter().map(|f| f.lambda).collect(), 0.95);
    }
    if out.peak_threads.is_some() {
        // A replicate without a peak has it at infinity.
        let peaks: Vec<f64> = fits.iter().map(|f| f.peak().unwrap_or(f64::INFINITY)).collect();
        out.peak_threads_ci95 = percentile(peaks, 0.95);
    }
    out.ci_method = Some(CiMethod::Bootstrap);
}

/// The USL of `values` (the curve's values or a replicate); warm-started from `start`.
pub fn fit_of(curve: &Curve, values: &[f64], start: Option<FrameFit>) -> Option<Usl> {
    Frame::new(curve, values)?.fit(Law::Usl, start).map(|f| Usl::of(&f))
}

impl Usl {
    /// The USL of a frame fit: lambda = 1/scale.
    pub fn of(fit: &FrameFit) -> Usl {
        Usl { lambda: (-fit.log_scale).exp(), sigma: fit.sigma, kappa: fit.kappa }
    }
}

// The file's shape of a `UslFit` (its doc comments are the schema's): every field of the estimate,
// null where not fitted, and the reason.
/// The Universal Scalability Law fitted to the points.
#[derive(Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
struct UslWire {
    /// Contention sigma (>= 0).
    sigma: Option<f64>,
    /// Its 95% CI.
    sigma_ci95: Option<[f64; 2]>,
    /// Coherency kappa (>= 0).
    kappa: Option<f64>,
    /// Its 95% CI.
    kappa_ci95: Option<[f64; 2]>,
    /// Throughput at one thread (1/scale), for throughput data; null for times and speedups.
    lambda: Option<f64>,
    /// Its 95% CI.
    lambda_ci95: Option<[f64; 2]>,
    /// N* = sqrt((1-sigma)/kappa), where the curve peaks; null when kappa = 0.
    peak_threads: Option<f64>,
    /// Its 95% CI; null when open (kappa's interval reaches 0).
    peak_threads_ci95: Option<[f64; 2]>,
    /// How the CIs were computed: `bootstrap` or `covariance-t`.
    ci_method: Option<CiMethod>,
    /// The thread counts that entered the fit.
    threads_used: Vec<usize>,
    /// Small-sample Akaike criterion of the fit in its loss (comparable with Amdahl's on the same
    /// points); null with too few points.
    aicc: Option<f64>,
    /// Why there are no intervals although the USL was fitted (too few rounds or points).
    #[serde(default)]
    no_interval: Option<String>,
    /// Why it was not fitted, when it was not.
    not_fitted: Option<String>,
}

impl From<&UslFit> for UslWire {
    fn from(fit: &UslFit) -> UslWire {
        match fit {
            Outcome::Fitted(e) => UslWire {
                sigma: Some(e.sigma),
                sigma_ci95: e.sigma_ci95,
                kappa: Some(e.kappa),
                kappa_ci95: e.kappa_ci95,
                lambda: e.lambda,
                lambda_ci95: e.lambda_ci95,
                peak_threads: e.peak_threads,
                peak_threads_ci95: e.peak_threads_ci95,
                ci_method: e.ci_method,
                threads_used: e.threads_used.clone(),
                aicc: e.aicc,
                no_interval: e.no_interval.clone(),
                not_fitted: None,
            },
            Outcome::NotFitted(not) => UslWire {
                threads_used: not.threads_used.clone(),
                not_fitted: Some(not.reason.clone()),
                ..UslWire::default()
            },
        }
    }
}

impl From<UslWire> for UslFit {
    fn from(w: UslWire) -> UslFit {
        match (w.sigma, w.kappa) {
            (Some(sigma), Some(kappa)) => Outcome::Fitted(UslEstimate {
                sigma,
                sigma_ci95: w.sigma_ci95,
                kappa,
                kappa_ci95: w.kappa_ci95,
                lambda: w.lambda,
                lambda_ci95: w.lambda_ci95,
                peak_threads: w.peak_threads,
                peak_threads_ci95: w.peak_threads_ci95,
                ci_method: w.ci_method,
                threads_used: w.threads_used,
                aicc: w.aicc,
                no_interval: w.no_interval,
            }),
            _ => UslFit::not_fitted(w.threads_used, w.not_fitted.unwrap_or_default()),
        }
    }
}

flat_wire!(UslEstimate, UslWire, "UslFit");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::curve::SampleKind;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    fn read_csv(name: &str) -> (Vec<usize>, Vec<Vec<f64>>) {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("tests/data in the repository");
        text.lines()
            .skip(1)
            .map(|l| l.split_once(',').unwrap())
            .map(|(n, x)| (n.parse::<usize>().unwrap(), vec![x.parse::<f64>().unwrap()]))
            .unzip()
    }

    /// A one-sample throughput curve of `truth` at `n`.
    fn throughputs(n: &[f64], truth: impl Fn(f64) -> f64) -> Curve {
        let threads: Vec<usize> = n.iter().map(|&n| n as usize).collect();
        let samples: Vec<Vec<f64>> = n.iter().map(|&n| vec![truth(n)]).collect();
        Curve::from_samples(&threads, &samples, SampleKind::Throughput, 1)
    }

    #[test]
    fn exact_speedups_give_exact_parameters() {
        let truth = Usl { lambda: 1.0, sigma: 0.05, kappa: 0.002 };
        let n: Vec<f64> = (1..=16).map(f64::from).collect();
        let fit = fit(&throughputs(&n, |n| truth.at(n))).fitted().unwrap().clone();
        let (s, k) = (fit.sigma, fit.kappa);
        assert!((s - 0.05).abs() < 1e-9 && (k - 0.002).abs() < 1e-9, "{fit:?}");
        assert!((fit.peak_threads.unwrap() - (0.95f64 / 0.002).sqrt()).abs() < 1e-6);
        assert!((fit.lambda.unwrap() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn amdahl_data_give_kappa_zero_and_no_peak() {
        let n: Vec<f64> = (1..=8).map(f64::from).collect();
        let fit = fit(&throughputs(&n, |n| n / (1.0 + 0.1 * (n - 1.0)))).fitted().unwrap().clone();
        assert!((fit.sigma - 0.1).abs() < 1e-9 && fit.kappa == 0.0, "{fit:?}");
        assert_eq!(fit.peak_threads, None);
    }

    #[test]
    fn superlinear_data_hold_sigma_at_its_bound() {
        let y = [1.0, 2.1, 4.4, 9.0];
        let fit = fit(&throughputs(&[1.0, 2.0, 4.0, 8.0], |n| y[n.log2() as usize])).fitted().unwrap().clone();
        assert_eq!(fit.sigma, 0.0);
        assert!(fit.kappa >= 0.0);
    }

    #[test]
    fn an_exact_fit_has_no_interval_rather_than_a_zero_width_one() {
        // Three thread counts, three parameters (sigma, kappa and the free scale).
        let fit = fit(&throughputs(&[1.0, 2.0, 4.0], |n| n / (1.0 + 0.1 * (n - 1.0)))).fitted().unwrap().clone();
        assert!(fit.sigma_ci95.is_none() && fit.kappa_ci95.is_none());
        assert!(fit.no_interval.unwrap().contains("3 points for 3 parameters"));
    }

    #[test]
    fn reproduces_the_schwartz_linear2_dataset() {
        // tests/data/README.md: lambda = 1800 +- 1, sigma = 0.050 +- 0.0005, kappa = 0.0200 +- 0.0002, N* = 6.89.
        let (threads, samples) = read_csv("usl-exact-linear2.csv");
        let curve = Curve::from_samples(&threads, &samples, SampleKind::Throughput, 1);
        let fit = fit(&curve).fitted().unwrap().clone();
        let (l, s, k) = (fit.lambda.unwrap(), fit.sigma, fit.kappa);
        assert!((l - 1800.0).abs() <= 1.0, "lambda {l}");
        assert!((s - 0.05).abs() <= 0.0005, "sigma {s}");
        assert!((k - 0.02).abs() <= 0.0002, "kappa {k}");
        assert!((fit.peak_threads.unwrap() - 6.89).abs() < 0.01);
        assert_eq!(fit.ci_method, Some(CiMethod::CovarianceT));
        let [lo, hi] = fit.sigma_ci95.unwrap();
        assert!(lo <= s && s <= hi && hi - lo < 0.01, "{lo} {hi}");
    }

    #[test]
    fn reproduces_the_r_usl_package_dataset() {
        // tests/data/README.md: sigma = 0.02 +- 0.001, kappa = 0.02 +- 0.001, lambda = 1.00 +- 0.01.
        let (threads, samples) = read_csv("usl-exact-r-tests.csv");
        let fit = fit(&Curve::from_samples(&threads, &samples, SampleKind::Throughput, 1)).fitted().unwrap().clone();
        let (l, s, k) = (fit.lambda.unwrap(), fit.sigma, fit.kappa);
        assert!((s - 0.02).abs() <= 0.001 && (k - 0.02).abs() <= 0.001 && (l - 1.0).abs() <= 0.01, "{l} {s} {k}");
    }

    #[test]
    fn seeded_noise_stays_within_stated_bounds() {
        // 2% multiplicative noise on sigma = 0.1, kappa = 0.005 at j = 1..16: over 20 seeds every
        // estimate lands within 0.03 of sigma and 0.002 of kappa.
        let truth = Usl { lambda: 1.0, sigma: 0.1, kappa: 0.005 };
        let n: Vec<f64> = (1..=16).map(f64::from).collect();
        for seed in 0..20 {
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            let y: Vec<f64> =
                n.iter().map(|&n| truth.at(n) * (1.0 + 0.02 * (rng.random::<f64>() * 2.0 - 1.0))).collect();
            let fit = fit(&throughputs(&n, |n| y[n as usize - 1])).fitted().unwrap().clone();
            let (s, k) = (fit.sigma, fit.kappa);
            assert!((s - 0.1).abs() < 0.03 && (k - 0.005).abs() < 0.002, "seed {seed}: {fit:?}");
        }
    }

    #[test]
    fn too_few_points_are_not_fitted() {
        let curve = Curve::from_samples(&[1, 2], &[vec![1.0], vec![0.6]], SampleKind::Time, 1);
        assert!(fit(&curve).reason().unwrap().contains("needs 3"));
        let curve = Curve::from_samples(&[1, 2], &[vec![1.0], vec![1.8]], SampleKind::Throughput, 1);
        assert!(fit(&curve).reason().unwrap().contains("needs 3"));
    }
}
