//! Parity with R's `usl` package under the absolute loss (`measure fit --loss absolute`): the
//! package's example data sets, fitted here, give the estimates its own tests print
//! (`tests/data/r-usl-estimates.csv`, with the file and commit it was read from in
//! `tests/data/README.md`).
//!
//! Each documented number is met to a relative 1e-4, or to half a unit in the last digit R
//! printed where that is coarser (R prints some estimates with 3 or 4 significant digits; the
//! scalability bounds R's tests check at a relative 1e-4 pin sigma, kappa and gamma to 7 digits).

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::curve::SampleKind;
use super::frame::{Frame, FrameFit, Law};
use super::{Curve, Loss, Model, fit_curve, usl};

/// The first `rows` rows of a vendored CSV (`concurrency,throughput`) as an absolute-loss curve.
fn curve(file: &str, rows: usize) -> Curve {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("tests/data in the repository");
    let (threads, samples): (Vec<usize>, Vec<Vec<f64>>) = text
        .lines()
        .skip(1)
        .take(rows)
        .map(|l| l.split_once(',').unwrap())
        .map(|(n, x)| (n.parse::<usize>().unwrap(), vec![x.parse::<f64>().unwrap()]))
        .unzip();
    assert_eq!(threads.len(), rows, "{file}");
    Curve::from_samples(&threads, &samples, SampleKind::Throughput, 1).with_loss(Loss::Absolute)
}

/// Every quantity R's tests print for the fit of `file`'s first `rows` rows, computed here.
fn ours(file: &str, rows: usize) -> Vec<(&'static str, f64)> {
    let curve = curve(file, rows);
    let fit = usl::fit(&curve).fitted().unwrap().clone();
    let (sigma, kappa, gamma) = (fit.sigma, fit.kappa, fit.lambda.unwrap());
    let frame = Frame::of(&curve).unwrap();
    let estimate = frame.fit(Law::Usl, None).unwrap();
    let cov = frame.standard_errors(&FrameFit { params: 3, ..estimate }, true).unwrap();
    let gamma_se = gamma * cov.log_scale;
    // R's `confint` for the USL: estimate +- qt(0.95; n - 1) se.
    let q = StudentsT::new(0.0, 1.0, (rows - 1) as f64).unwrap().inverse_cdf(0.95);
    vec![
        ("sigma", sigma),
        ("kappa", kappa),
        ("gamma", gamma),
        ("sigma_se", cov.sigma),
        ("kappa_se", cov.kappa),
        ("gamma_se", gamma_se),
        ("residual_sd", cov.residual_sd),
        ("optimal", 1.0 / sigma),
        ("limit", gamma / sigma),
        ("peak", ((1.0 - sigma) / kappa).sqrt()),
        ("sigma_r_ci_lo", sigma - q * cov.sigma),
        ("sigma_r_ci_hi", sigma + q * cov.sigma),
        ("kappa_r_ci_lo", kappa - q * cov.kappa),
        ("kappa_r_ci_hi", kappa + q * cov.kappa),
        ("gamma_r_ci_lo", gamma - q * gamma_se),
        ("gamma_r_ci_hi", gamma + q * gamma_se),
    ]
}

/// The documented rows: (file, rows, quantity, value, resolution).
fn documented() -> Vec<(String, usize, String, f64, f64)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/r-usl-estimates.csv");
    let text = std::fs::read_to_string(path).expect("tests/data/r-usl-estimates.csv in the repository");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.splitn(6, ',').collect();
            (f[0].to_owned(), f[1].parse().unwrap(), f[2].to_owned(), f[3].parse().unwrap(), f[4].parse().unwrap())
        })
        .collect()
}

#[test]
fn the_packages_examples_give_its_documented_estimates() {
    let rows = documented();
    assert_eq!(rows.len(), 25);
    for (file, n, quantity, value, resolution) in rows {
        let ours = ours(&file, n);
        let (_, got) = ours.iter().find(|(q, _)| *q == quantity).unwrap_or_else(|| panic!("{quantity}"));
        let allowed = (1e-4 * value.abs()).max(resolution);
        assert!(
            (got - value).abs() <= allowed,
            "{file} rows 1-{n}: {quantity} = {got:.9e}, R's usl documents {value:e} (allowed {allowed:e})"
        );
    }
}

#[test]
fn the_seven_digit_bounds_pin_every_parameter_to_1e_4() {
    // specsdm91: optimal = 1/alpha, limit = gamma/alpha, peak = sqrt((1 - alpha)/beta), each
    // printed to 7 digits, give alpha, beta and gamma themselves.
    let alpha = 1.0 / 36.06401;
    let gamma = 3245.589 * alpha;
    let beta = (1.0 - alpha) / (96.51956f64 * 96.51956);
    let fit = usl::fit(&curve("r-usl-specsdm91.csv", 7)).fitted().unwrap().clone();
    for (name, got, want) in
        [("sigma", fit.sigma, alpha), ("kappa", fit.kappa, beta), ("gamma", fit.lambda.unwrap(), gamma)]
    {
        assert!(((got - want) / want).abs() < 1e-4, "{name}: {got:e} against {want:e}");
    }
}

#[test]
fn the_absolute_loss_is_the_loss_of_the_intervals_the_choice_and_the_fits() {
    let curve = curve("r-usl-specsdm91.csv", 7);
    let fits = fit_curve(&curve);
    assert_eq!(fits.loss, Loss::Absolute);
    assert_eq!(fits.best, Some(Model::Usl), "{fits:?}");
    // The USL's t interval is estimate +- t(0.975; 4) se of the absolute fit (se = 9.122e-3 for
    // sigma in R's summary), not the log-cost fit's.
    let usl = fits.usl_fitted().unwrap().clone();
    let [lo, hi] = usl.sigma_ci95.unwrap();
    let half = (hi - lo) / 2.0;
    assert!((half / 2.776_445 - 9.122e-3).abs() < 5e-6, "{half}");
    let log = fit_curve(&Curve { loss: Loss::Log, ..curve });
    assert_eq!(log.loss, Loss::Log);
    assert!((log.usl_fitted().unwrap().sigma - usl.sigma).abs() > 1e-3);
}
