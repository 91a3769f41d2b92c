//! One plain sentence per workload, from its kind and its fits.
//!
//! The diagnosis is a table of rules ([`RULES`]), tried in order; the first that applies gives the
//! sentence:
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

use super::{AmdahlFit, Fits, Model};

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

/// One rule of the diagnosis: its name (for the module docs and tests) and the sentence it gives
/// when it applies. Rules are tried in [`RULES`] order; the first that applies speaks.
pub struct Rule {
    /// A short name.
    pub name: &'static str,
    /// The sentence, when the rule applies.
    pub applies: fn(&Facts<'_>) -> Option<String>,
}

/// The rules, in order (see the module docs). To add one, write a `fn(&Facts) -> Option<String>`
/// whose sentence names the numbers that triggered it, and put it where it belongs in the order.
pub const RULES: &[Rule] = &[
    Rule { name: "weak scaling", applies: weak_scaling },
    Rule { name: "retrograde", applies: retrograde },
    Rule { name: "slower with more threads", applies: slower },
    Rule { name: "inherently sequential", applies: sequential },
    Rule { name: "scales past the core count", applies: past_the_cores },
    Rule { name: "superlinear", applies: superlinear },
    Rule { name: "saturates", applies: saturates },
    Rule { name: "near-linear", applies: near_linear },
    Rule { name: "bounded by a serial fraction", applies: bounded },
    Rule { name: "otherwise", applies: otherwise },
];

/// What every rule may look at: the evidence and the numbers derived from it once.
pub struct Facts<'a> {
    /// The evidence.
    pub e: &'a Evidence<'a>,
    /// The largest thread count.
    pub j_max: usize,
    /// S there.
    pub s_last: f64,
    /// The best speedup and its index.
    pub best: (usize, f64),
    /// The best speedup with more than one thread (S(1) = 1 does not count as "more threads help").
    pub s_best_parallel: f64,
    /// S(j_max) / j_max.
    pub efficiency: f64,
}

/// The sentence; `None` when fewer than two thread counts were measured.
pub fn diagnose(e: &Evidence<'_>) -> Option<String> {
    if e.threads.len() < 2 || e.threads.len() != e.speedups.len() {
        return None;
    }
    let j_max = *e.threads.last()?;
    let s_last = *e.speedups.last()?;
    let best = e.speedups.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let s_best_parallel =
        e.threads.iter().zip(e.speedups).filter(|(j, _)| **j > 1).map(|(_, s)| *s).fold(0.0, f64::max);
    let facts = Facts { e, j_max, s_last, best, s_best_parallel, efficiency: s_last / j_max as f64 };
    RULES.iter().find_map(|rule| (rule.applies)(&facts))
}

impl Facts<'_> {
    /// Amdahl's B and its fit, when fitted.
    fn amdahl(&self) -> Option<(f64, &AmdahlFit)> {
        self.e.fits.amdahl.as_ref().and_then(|a| a.serial_fraction.map(|b| (b, a)))
    }
}

fn weak_scaling(f: &Facts<'_>) -> Option<String> {
    let a = f.e.fits.gustafson.as_ref()?.serial_fraction?;
    Some(format!(
        "weak scaling: the scaled speedup reaches {:.2} at {} threads; Gustafson's serial fraction a = {a:.3}",
        f.s_last, f.j_max
    ))
}

fn retrograde(f: &Facts<'_>) -> Option<String> {
    let usl = f.e.fits.usl.as_ref().filter(|_| f.e.fits.best == Some(Model::Usl))?;
    let (peak, sigma, kappa) = (usl.peak_threads?, usl.sigma?, usl.kappa?);
    let (i_best, s_best) = f.best;
    let (s_last, j_max) = (f.s_last, f.j_max);
    (peak < j_max as f64 && s_best > 1.1 && s_last < 0.95 * s_best).then(|| {
        format!(
            "retrograde past N* = {peak:.1} threads: speedup peaks at {s_best:.2} ({} threads) and falls to {s_last:.2} at {j_max} — contention or coherency (USL sigma = {sigma:.3}, kappa = {kappa:.4})",
            f.e.threads[i_best]
        )
    })
}

fn slower(f: &Facts<'_>) -> Option<String> {
    let why = match f.e.kind {
        Some(Kind::Contended) => "threads queue for a shared lock and its cache line bounces between cores",
        Some(Kind::Sequential) => "handing each small step to other threads costs more than the step",
        _ => "coordinating threads costs more than the work they share",
    };
    (f.s_best_parallel < 0.9).then(|| format!("slower with more threads: S({}) = {:.2}; {why}", f.j_max, f.s_last))
}

fn sequential(f: &Facts<'_>) -> Option<String> {
    let b = f.amdahl().map(|(b, _)| format!(", B = {b:.2}")).unwrap_or_default();
    (f.s_best_parallel < 1.2)
        .then(|| format!("inherently sequential: more threads do not help (S({}) = {:.2}{b})", f.j_max, f.s_last))
}

fn past_the_cores(f: &Facts<'_>) -> Option<String> {
    let cpus = f.e.usable_cpus?;
    (f.j_max > cpus && f.s_last > 1.2 * cpus as f64).then(|| {
        format!(
            "scales past the core count: S({}) = {:.1} on {cpus} usable CPUs — threads mostly wait (I/O), so more threads than cores still help",
            f.j_max, f.s_last
        )
    })
}

fn superlinear(f: &Facts<'_>) -> Option<String> {
    let (_, fit) = f.amdahl()?;
    fit.superlinear.then(|| {
        format!(
            "superlinear: S({j}) = {:.2} beats {j} threads; usually each thread's share of the data now fits in its cache",
            f.s_last,
            j = f.j_max
        )
    })
}

fn saturates(f: &Facts<'_>) -> Option<String> {
    let trend = f.e.fits.karp_flatt_trend.as_ref().filter(|t| t.rising)?;
    if f.efficiency >= 0.8 {
        return None;
    }
    let s_best = f.best.1;
    let from = f.e.threads.iter().zip(f.e.speedups).find(|(_, s)| **s >= 0.9 * s_best).map_or(f.j_max, |(j, _)| *j);
    let rise = match (trend.from, trend.to) {
        (Some(a), Some(b)) => format!(" (Karp–Flatt rises from {a:.3} to {b:.3})"),
        _ => String::new(),
    };
    Some(format!(
        "saturates from {from} threads at S = {s_best:.2}: a shared resource such as memory bandwidth, not serial code{rise}"
    ))
}

fn near_linear(f: &Facts<'_>) -> Option<String> {
    let cap = f
        .amdahl()
        .and_then(|(b, fit)| fit.ceiling.map(|c| format!("; B = {b:.4} would cap it at {c:.0}x")))
        .unwrap_or_default();
    (f.efficiency >= 0.95)
        .then(|| format!("near-linear: S({}) = {:.2}, efficiency {:.0}%{cap}", f.j_max, f.s_last, f.efficiency * 100.0))
}

fn bounded(f: &Facts<'_>) -> Option<String> {
    let (b, fit) = f.amdahl()?;
    let ceiling = fit.ceiling?;
    let ci = fit.ci95.map(|[lo, hi]| format!(" [{lo:.3}, {hi:.3}]")).unwrap_or_default();
    Some(format!(
        "bounded by a serial fraction: B = {b:.3}{ci}, so no number of threads beats 1/B = {ceiling:.1}x (S({}) = {:.2})",
        f.j_max, f.s_last
    ))
}

fn otherwise(f: &Facts<'_>) -> Option<String> {
    Some(format!("S({}) = {:.2}, efficiency {:.0}%", f.j_max, f.s_last, f.efficiency * 100.0))
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
