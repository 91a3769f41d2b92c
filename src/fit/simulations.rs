//! Seeded simulations with a known truth: does each 95% interval cover it at its stated rate, is
//! the right model chosen, does the trend test keep its error rates? Counts, not timings, are
//! asserted; `cargo test --release simulations -- --nocapture` prints them. The bootstrap over
//! paired rounds is checked on whole fake-clock sweeps in `sweep::tests`.

use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64Mcg;

use super::curve::SampleKind;
use super::frame::g;
use super::{Curve, Model, fit_curve};

/// Thread-count designs: j = 1..8, 1..64 and powers of two to 64.
fn designs() -> [(&'static str, Vec<usize>); 3] {
    [("1..8", (1..=8).collect()), ("1..64", (1..=64).collect()), ("pow2", vec![1, 2, 4, 8, 16, 32, 64])]
}

/// A curve of times cost(j) = g(j; sigma, kappa) with `samples` per point, each with
/// multiplicative log-normal noise of `noise`.
fn curve(threads: &[usize], sigma: f64, kappa: f64, noise: f64, samples: usize, seed: u64) -> Curve {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let normal = Normal::new(0.0f64, noise).unwrap();
    let data: Vec<Vec<f64>> = threads
        .iter()
        .map(|&j| (0..samples).map(|_| 2.5 * g(j as f64, sigma, kappa) * normal.sample(&mut rng).exp()).collect())
        .collect();
    Curve::from_samples(threads, &data, SampleKind::Time, seed ^ 0x5eed)
}

fn covers(ci: Option<[f64; 2]>, truth: f64) -> bool {
    ci.is_some_and(|[lo, hi]| lo <= truth && truth <= hi)
}

#[test]
fn one_sample_intervals_of_b_cover_at_90_to_98_percent_in_400_seeds_per_design() {
    for (name, threads) in designs() {
        for (b, noise) in [(0.05, 0.02), (0.2, 0.05)] {
            let covered = (0..400)
                .filter(|&seed| {
                    covers(fit_curve(&curve(&threads, b, 0.0, noise, 1, seed)).amdahl_fitted().unwrap().ci95, b)
                })
                .count();
            println!("one sample, {name}, B = {b}, noise {noise}: {covered}/400 intervals cover B");
            assert!((360..=392).contains(&covered), "{name}, B = {b}, noise {noise}: {covered}/400 intervals cover B");
        }
    }
}

#[test]
fn one_sample_intervals_of_sigma_and_kappa_cover_at_90_to_98_percent_in_200_seeds_per_design() {
    for (name, threads) in designs() {
        let (sigma, kappa) = (0.05, 0.001);
        let fits: Vec<_> = (0..200)
            .map(|seed| fit_curve(&curve(&threads, sigma, kappa, 0.02, 1, seed)).usl_fitted().unwrap().clone())
            .collect();
        let s = fits.iter().filter(|u| covers(u.sigma_ci95, sigma)).count();
        let k = fits.iter().filter(|u| covers(u.kappa_ci95, kappa)).count();
        println!("one sample, {name}: sigma {s}/200, kappa {k}/200 cover");
        assert!((180..=196).contains(&s) && (180..=196).contains(&k), "{name}: sigma {s}/200, kappa {k}/200 cover");
    }
}

#[test]
fn amdahl_is_chosen_on_amdahl_truths_and_the_usl_on_usl_truths_in_200_seeds() {
    // The case: B = 0.05, j = 1..64, 2% noise, 5 samples per point.
    let threads: Vec<usize> = (1..=64).collect();
    // The choice does not depend on the bootstrap: drop the replicates to keep the test quick.
    let chosen = |c: Curve| fit_curve(&Curve { replicates: Vec::new(), ..c }).best;
    let amdahl =
        (0..200).filter(|&seed| chosen(curve(&threads, 0.05, 0.0, 0.02, 5, seed)) == Some(Model::Amdahl)).count();
    println!("Amdahl chosen on {amdahl}/200 Amdahl curves (j = 1..64, 5 samples, 2% noise)");
    assert!(amdahl >= 180, "Amdahl chosen on {amdahl}/200 Amdahl curves");
    for (name, threads) in designs() {
        let one = (0..200)
            .filter(|&seed| fit_curve(&curve(&threads, 0.05, 0.0, 0.02, 1, seed)).best == Some(Model::Amdahl))
            .count();
        println!("{name}: Amdahl chosen on {one}/200 one-sample Amdahl curves");
        assert!(one >= 180, "{name}: Amdahl chosen on {one}/200 one-sample Amdahl curves");
    }
    // A curve that falls 8% past its peak: the USL, every time.
    let falling: Vec<usize> = (1..=32).collect();
    let usl = (0..200)
        .filter(|&seed| fit_curve(&curve(&falling, 0.03, 0.002, 0.02, 1, seed)).best == Some(Model::Usl))
        .count();
    println!("USL chosen on {usl}/200 retrograde curves");
    assert!(usl >= 190, "USL chosen on {usl}/200 retrograde curves");
}

#[test]
fn the_exact_fit_of_three_points_has_no_interval() {
    let fits = fit_curve(&curve(&[1, 2, 4], 0.1, 0.0, 0.0, 1, 1));
    let usl = fits.usl_fitted().unwrap();
    assert!(usl.sigma_ci95.is_none() && usl.no_interval.as_ref().unwrap().contains("too few points"));
}

#[test]
fn the_trend_test_rarely_rises_on_flat_truths_and_sees_saturation_in_200_seeds() {
    // Flat: Amdahl truths, one sample per point (T(1)'s error shared by every e(j)).
    for (name, threads) in designs() {
        let false_rises = (0..200)
            .filter(|&seed| {
                fit_curve(&curve(&threads, 0.1, 0.0, 0.02, 1, seed)).karp_flatt_trend.is_some_and(|t| t.rising)
            })
            .count();
        println!("{name}: {false_rises}/200 flat curves called rising");
        assert!(false_rises <= 20, "{name}: {false_rises}/200 flat curves called rising (at most 10%)");
    }
    // Saturation: the time stops falling at 8 threads (bandwidth), on 1..16 and 1..64. (On powers
    // of two to 64, with three points past the knee, it is seen in about 1 in 9: see karp_flatt.)
    for threads in [(1..=16).collect::<Vec<usize>>(), (1..=64).collect()] {
        let saturating = |seed| {
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            let normal = Normal::new(0.0f64, 0.02).unwrap();
            let data: Vec<Vec<f64>> = threads
                .iter()
                .map(|&j| vec![g((j as f64).min(8.0), 0.03, 0.0) * normal.sample(&mut rng).exp()])
                .collect();
            Curve::from_samples(&threads, &data, SampleKind::Time, seed)
        };
        let seen = (0..200)
            .filter(|&seed| {
                fit_curve(&Curve { replicates: Vec::new(), ..saturating(seed) })
                    .karp_flatt_trend
                    .is_some_and(|t| t.rising)
            })
            .count();
        println!("saturating at 8 on 1..{}: seen in {seen}/200", threads.len());
        assert!(seen >= 160, "{threads:?}: saturation seen in {seen}/200 (at least 80%)");
    }
}

/// Curves of 5 samples per point (unpaired: CSV rows, hyperfine runs): every sample is a point of
/// the fit, and the t intervals from its covariance cover.
#[test]
fn repeated_sample_intervals_cover_at_90_to_98_percent_in_200_seeds_per_design() {
    for (name, threads) in designs() {
        // The intervals of unpaired samples do not use the bootstrap: drop it to keep the test quick.
        let fitted = |sigma, kappa, seed| {
            fit_curve(&Curve { replicates: Vec::new(), ..curve(&threads, sigma, kappa, 0.02, 5, seed) })
        };
        let b = 0.05;
        let covered = (0..200).filter(|&seed| covers(fitted(b, 0.0, seed).amdahl_fitted().unwrap().ci95, b)).count();
        let (sigma, kappa) = (0.05, 0.001);
        let usl: Vec<_> = (0..200).map(|seed| fitted(sigma, kappa, seed).usl_fitted().unwrap().clone()).collect();
        let s = usl.iter().filter(|u| covers(u.sigma_ci95, sigma)).count();
        let k = usl.iter().filter(|u| covers(u.kappa_ci95, kappa)).count();
        println!("5 samples, {name}: B {covered}/200, sigma {s}/200, kappa {k}/200 cover");
        for (what, count) in [("B", covered), ("sigma", s), ("kappa", k)] {
            assert!((180..=196).contains(&count), "{name}: {what} covered in {count}/200");
        }
    }
}
