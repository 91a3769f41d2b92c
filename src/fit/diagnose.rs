//! One plain sentence per workload, from its kind and its fits.
//!
//! The rules, in order; the first that applies gives the sentence:
//! 1. weak scaling — Gustafson's serial fraction;
//! 2. retrograde — the USL is the better model and its peak N* lies inside the measured range,
//!    with the speedup falling at least 5% from its best after it: contention or coherency;
//! 3. slower with more threads — the best speedup at j > 1 is below 0.9;
//! 4. inherently sequential — the best speedup at j > 1 is below 1.2;
//! 5. scales past the core count — the speedup at the largest j exceeds 1.2 x the usable CPUs:
//!    threads mostly wait (I/O);
//! 6. superlinear — Amdahl's B is below 0 beyond noise;
//! 7. saturates — Karp–Flatt rises with j beyond noise and the efficiency at the largest j is
//!    under 80%: a shared resource such as memory bandwidth, not serial code;
//! 8. near-linear — efficiency at the largest j of at least 95%;
//! 9. bounded by a serial fraction — B > 0 with its ceiling 1/B;
//! 10. otherwise the speedup and efficiency at the largest j.

use amdahl_workloads::Kind;

use super::{Fits, Model};

/// What a diagnosis looks at.
pub struct Evidence<'a> {
    /// The workload's kind, when known (imported data have none).
    pub kind: Option<Kind>,
    /// The thread counts of the fitted points, ascending.
    pub threads: &'a [usize],
    /// Their speedups (scaled speedups for weak scaling).
    pub speedups: &'a [f64],
    /// Usable CPUs of the machine, when known.
    pub usable_cpus: Option<usize>,
    /// The fits.
    pub fits: &'a Fits,
}

/// The sentence; `None` when fewer than two thread counts were measured.
pub fn diagnose(e: &Evidence<'_>) -> Option<String> {
    if e.threads.len() < 2 || e.threads.len() != e.speedups.len() {
        return None;
    }
    let j_max = *e.threads.last()?;
    let s_last = *e.speedups.last()?;
    let (i_best, s_best) = e.speedups.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1))?;
    // The best speedup with more than one thread (S(1) = 1 does not count as "more threads help").
    let s_best_parallel =
        e.threads.iter().zip(e.speedups).filter(|(j, _)| **j > 1).map(|(_, s)| *s).fold(0.0, f64::max);
    let efficiency = s_last / j_max as f64;
    let amdahl = e.fits.amdahl.as_ref().and_then(|a| a.serial_fraction.map(|b| (b, a)));

    if let Some(a) = e.fits.gustafson.as_ref().and_then(|g| g.serial_fraction) {
        return Some(format!(
            "weak scaling: the scaled speedup reaches {s_last:.2} at {j_max} threads; Gustafson's serial fraction a = {a:.3}"
        ));
    }
    if let Some(usl) = e.fits.usl.as_ref().filter(|_| e.fits.best == Some(Model::Usl))
        && let (Some(peak), Some(sigma), Some(kappa)) = (usl.peak_threads, usl.sigma, usl.kappa)
        && peak < j_max as f64
        && s_best > 1.1
        && s_last < 0.95 * s_best
    {
        return Some(format!(
            "retrograde past N* = {peak:.1} threads: speedup peaks at {s_best:.2} ({} threads) and falls to {s_last:.2} at {j_max} — contention or coherency (USL sigma = {sigma:.3}, kappa = {kappa:.4})",
            e.threads[i_best]
        ));
    }
    if s_best_parallel < 0.9 {
        let why = match e.kind {
            Some(Kind::Contended) => "threads queue for a shared lock and its cache line bounces between cores",
            Some(Kind::Sequential) => "handing each small step to other threads costs more than the step",
            _ => "coordinating threads costs more than the work they share",
        };
        return Some(format!("slower with more threads: S({j_max}) = {s_last:.2}; {why}"));
    }
    if s_best_parallel < 1.2 {
        let b = amdahl.map(|(b, _)| format!(", B = {b:.2}")).unwrap_or_default();
        return Some(format!("inherently sequential: more threads do not help (S({j_max}) = {s_last:.2}{b})"));
    }
    if let Some(cpus) = e.usable_cpus
        && j_max > cpus
        && s_last > 1.2 * cpus as f64
    {
        return Some(format!(
            "scales past the core count: S({j_max}) = {s_last:.1} on {cpus} usable CPUs — threads mostly wait (I/O), so more threads than cores still help"
        ));
    }
    if let Some((_, fit)) = amdahl
        && fit.superlinear
    {
        return Some(format!(
            "superlinear: S({j_max}) = {s_last:.2} beats {j_max} threads; usually each thread's share of the data now fits in its cache"
        ));
    }
    if let Some(trend) = e.fits.karp_flatt_trend.as_ref().filter(|t| t.rising)
        && efficiency < 0.8
    {
        let from = e.threads.iter().zip(e.speedups).find(|(_, s)| **s >= 0.9 * s_best).map_or(j_max, |(j, _)| *j);
        let rise = match (trend.from, trend.to) {
            (Some(a), Some(b)) => format!(" (Karp–Flatt rises from {a:.3} to {b:.3})"),
            _ => String::new(),
        };
        return Some(format!(
            "saturates from {from} threads at S = {s_best:.2}: a shared resource such as memory bandwidth, not serial code{rise}"
        ));
    }
    if efficiency >= 0.95 {
        let cap = amdahl
            .and_then(|(b, fit)| fit.ceiling.map(|c| format!("; B = {b:.4} would cap it at {c:.0}x")))
            .unwrap_or_default();
        return Some(format!("near-linear: S({j_max}) = {s_last:.2}, efficiency {:.0}%{cap}", efficiency * 100.0));
    }
    if let Some((b, fit)) = amdahl
        && let Some(ceiling) = fit.ceiling
    {
        let ci = fit.ci95.map(|[lo, hi]| format!(" [{lo:.3}, {hi:.3}]")).unwrap_or_default();
        return Some(format!(
            "bounded by a serial fraction: B = {b:.3}{ci}, so no number of threads beats 1/B = {ceiling:.1}x (S({j_max}) = {s_last:.2})"
        ));
    }
    Some(format!("S({j_max}) = {s_last:.2}, efficiency {:.0}%", efficiency * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::curve::{Curve, SampleKind};
    use crate::fit::fit_curve;

    fn say(kind: Option<Kind>, cpus: Option<usize>, threads: &[usize], times: impl Fn(f64) -> f64) -> String {
        let samples: Vec<Vec<f64>> = threads.iter().map(|&j| vec![times(j as f64)]).collect();
        let curve = Curve::from_samples(threads, &samples, SampleKind::Time, 1);
        let fits = fit_curve(&curve);
        let speedups = curve.speedups().unwrap();
        diagnose(&Evidence { kind, threads: &curve.threads, speedups: &speedups, usable_cpus: cpus, fits: &fits })
            .unwrap()
    }

    #[test]
    fn each_rule_has_its_sentence() {
        let upto8: Vec<usize> = (1..=8).collect();
        let wiggle = |j: f64| 1.0 + 0.002 * (j * 7.0).sin();
        assert!(say(None, Some(8), &upto8, |j| wiggle(j) / j).starts_with("near-linear"));
        assert!(
            say(None, Some(8), &upto8, |j| (0.2 + 0.8 / j) * wiggle(j))
                .starts_with("bounded by a serial fraction: B = 0.199")
        );
        assert!(say(Some(Kind::Sequential), Some(8), &upto8, |_| 1.0).starts_with("inherently sequential"));
        let slower = say(Some(Kind::Contended), Some(8), &upto8, |j| j);
        assert!(slower.starts_with("slower with more threads") && slower.contains("lock"), "{slower}");
        let twelve: Vec<usize> = (1..=12).collect();
        let retro = say(None, Some(12), &twelve, |j| (1.0 + 0.05 * (j - 1.0) + 0.02 * j * (j - 1.0)) / j * wiggle(j));
        assert!(retro.starts_with("retrograde past N* = 6.") && retro.contains("coherency"), "{retro}");
        let io = say(Some(Kind::IoBound), Some(2), &[1, 2, 4, 8, 16], |j| 1.0 / j);
        assert!(io.starts_with("scales past the core count"), "{io}");
        let sat = say(Some(Kind::MemoryBound), Some(8), &upto8, |j| 1.0 / j.min(3.0) * wiggle(j));
        assert!(sat.starts_with("saturates from 3 threads") && sat.contains("Karp–Flatt rises"), "{sat}");
        let superlinear = say(None, Some(8), &[1, 2, 4], |j| -0.05 + 1.05 / j);
        assert!(superlinear.starts_with("superlinear"), "{superlinear}");
    }
}
