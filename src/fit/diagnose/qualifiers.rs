//! What qualifies a verdict ([`Diagnosis`]): the regime after the verdict's stretch, the law that
//! describes the curve or its rise, a second reading the data cannot rule out, and the
//! disturbance. Each is read from the same facts as the verdict, after it, so a rule never has to
//! say more than its one kind.
//!
//! - **Then** (`Regime`): after a peak, how S falls (at every step, or mostly in one step: a
//!   cliff; below one thread's speed from which count); after a knee at a machine's count or a
//!   near-linear stretch, what the threads past it add.
//! - **Law**: beside a plateau or a fall, the USL when it is the better model, describes the
//!   points (`lack_of_fit`) and N*'s interval holds the measured maximum (never a peak the data
//!   contradict), and the fall is not from a flat top spanning a doubling of j (whose end is a
//!   resource's limit, not the USL's rounded peak); beside a fall that the USL does not
//!   describe, Amdahl's law fitted to the rise up to the peak, when it describes those points (the
//!   limit of everything before the fall).
//! - **Alternative**: two thread counts whose speedup's range straddles the near-linear threshold
//!   are near-linear, or a serial fraction: both are said.
//! - **Disturbed**: points tagged `disturbed` (other work competed for the CPUs while they were
//!   measured), or CPU-bound work whose threads were mostly idle (utilisation under
//!   [`IDLE_UTILISATION`]) on a machine busier than [`BUSY_LOAD_PER_CPU`] x its CPUs when the run
//!   started.

use amdahl_workloads::Kind;

use super::Facts;
use crate::fit::shape::{LINEAR_EFFICIENCY, MIN_DECLINE, fitted_change};
use crate::fit::verdict::Undetermined;
use crate::fit::{Diagnosis, Disturbed, Law, Model, Regime, Verdict, amdahl};

/// A 1-minute load average above this fraction of the usable CPUs makes the machine busy: 0.5.
pub const BUSY_LOAD_PER_CPU: f64 = 0.5;

/// The utilisation below which CPU-bound threads were mostly idle: 0.7 (of CPU time per thread).
pub const IDLE_UTILISATION: f64 = 0.7;

/// The share of a fall (log scale) one step must hold to be its cliff: two thirds.
pub const CLIFF_SHARE: f64 = 2.0 / 3.0;

/// The verdict with what qualifies it.
pub(super) fn qualify(verdict: Verdict, f: &Facts<'_>) -> Diagnosis {
    Diagnosis {
        then: then(&verdict, f),
        law: law(&verdict, f),
        alternative: alternative(&verdict, f),
        disturbed: disturbed(f),
        verdict,
    }
}

/// The regime after the verdict's stretch.
fn then(verdict: &Verdict, f: &Facts<'_>) -> Option<Regime> {
    let at = |j: usize| f.e.threads.iter().position(|&t| t == j);
    match verdict {
        Verdict::PeakDecline { peak_threads, .. } => falls(f, at(*peak_threads)?),
        Verdict::Saturation { knee_threads, cpus: Some(_), .. } => rises(f, at(*knee_threads)?),
        Verdict::NearLinear { until_threads: Some(until), .. } => rises(f, at(*until)?),
        _ => None,
    }
}

/// How S falls after the peak at index `peak`: from the last point of the top (the points after
/// the peak within [`MIN_DECLINE`] of it) to the last point.
fn falls(f: &Facts<'_>, peak: usize) -> Option<Regime> {
    let y: Vec<f64> = f.e.speedups.iter().map(|s| s.ln()).collect();
    let last = y.len() - 1;
    let within_top = |i: usize| y[peak] - y[i] < MIN_DECLINE;
    let from = (peak..last).take_while(|&i| within_top(i)).last().unwrap_or(peak);
    if from >= last {
        return None;
    }
    let steps: Vec<f64> = (from..last).map(|i| y[i] - y[i + 1]).collect();
    let total = y[from] - y[last];
    let steady = steps.iter().all(|&s| s > 0.0);
    let cliff = (steps.len() >= 2)
        .then(|| (0..steps.len()).max_by(|&a, &b| steps[a].total_cmp(&steps[b])))
        .flatten()
        .filter(|&k| steps[k] >= CLIFF_SHARE * total)
        .map(|k| [f.e.threads[from + k], f.e.threads[from + k + 1]]);
    // Measured below one thread's speed (by more than a decline) from this point to the last.
    let below = |i: usize| f.e.speedups[i] < 1.0 - MIN_DECLINE;
    let below_one_from = (peak + 1..=last).rev().take_while(|&i| below(i)).last().map(|i| f.e.threads[i]);
    Some(Regime::Falls {
        from_threads: f.e.threads[from],
        threads: f.j_max,
        speedup: f.s_last,
        drop: 1.0 - (-total).exp(),
        steady,
        cliff,
        below_one_from,
    })
}

/// What the points from index `from` on add, when S still rises there beyond noise: the
/// least-squares line of ln S on ln j over them rises by more than twice its standard error.
fn rises(f: &Facts<'_>, from: usize) -> Option<Regime> {
    let last = f.e.threads.len() - 1;
    let (s0, s1) = (f.e.speedups[from], f.s_last);
    let x: Vec<f64> = f.e.threads[from..].iter().map(|&j| (j as f64).ln()).collect();
    let y: Vec<f64> = f.e.speedups[from..].iter().map(|s| s.ln()).collect();
    let sd: Vec<f64> = (from..=last).map(|i| f.sd(i)).collect();
    let beyond = fitted_change(&x, &y, &sd).is_some_and(|(change, se)| change > 2.0 * se && s1 > s0);
    (from < last && beyond).then(|| Regime::Rises {
        from_threads: f.e.threads[from],
        from_speedup: s0,
        threads: f.j_max,
        speedup: s1,
        gain: s1 / s0 - 1.0,
    })
}

/// The law that describes the curve (or its rise) beside a shape's verdict.
fn law(verdict: &Verdict, f: &Facts<'_>) -> Option<Law> {
    match verdict {
        Verdict::PeakDecline { peak_threads, .. } => {
            let peak = f.e.threads.iter().position(|t| t == peak_threads)?;
            let usl = if broad_top(f, peak) { None } else { usl(f, Some(peak)) };
            usl.or_else(|| amdahl_on_the_rise(f, peak))
        }
        Verdict::Saturation { .. } => usl(f, None),
        _ => None,
    }
}

/// Whether the top around the maximum at index `peak` (the points next to it within
/// [`MIN_DECLINE`]) spans a doubling of j or more: a flat top, whose end is a resource's limit,
/// not the USL's rounded peak (an N* interval narrower than the top would be false precision).
fn broad_top(f: &Facts<'_>, peak: usize) -> bool {
    let y = |i: usize| f.e.speedups[i].ln();
    let within = |i: &usize| y(peak) - y(*i) < MIN_DECLINE;
    let first = (0..peak).rev().take_while(within).last().unwrap_or(peak);
    let last = (peak + 1..f.e.threads.len()).take_while(within).last().unwrap_or(peak);
    f.e.threads[last] >= 2 * f.e.threads[first]
}

/// The USL, when it is the better model, describes every point and does not rise through the
/// plateau, with N*'s interval holding the measured maximum at index `peak` when there is one.
fn usl(f: &Facts<'_>, peak: Option<usize>) -> Option<Law> {
    let usl = f.usl_peak_near(peak)?;
    let law = usl.speedup_law();
    if !f.law_describes(Model::Usl) || f.plateau_flatter_than(|n| law.at(n)) {
        return None;
    }
    Some(Law::Usl {
        sigma: usl.sigma,
        kappa: usl.kappa,
        peak_threads: usl.peak_threads,
        peak_threads_ci95: usl.peak_threads_ci95,
        up_to_threads: f.j_max,
        error: f.law_error(Model::Usl, f.e.threads.len())?,
    })
}

/// Amdahl's law fitted to the points up to index `peak` (four or more: a law and its level leave
/// two degrees of freedom to test it), when it describes them.
fn amdahl_on_the_rise(f: &Facts<'_>, peak: usize) -> Option<Law> {
    if peak < 3 || f.e.threads[0] != 1 {
        return None;
    }
    let points = f.e.threads[..=peak].iter().copied().zip(f.e.speedups[..=peak].iter().copied());
    let b = amdahl::serial_fraction(points).filter(|b| *b > 0.0 && *b < 1.0)?;
    let predicted: Vec<f64> = f.e.threads[..=peak].iter().map(|&j| amdahl::speedup(b, j as f64)).collect();
    let error = f.describes(&predicted, 1)?;
    Some(Law::Amdahl { serial_fraction: b, up_to_threads: f.e.threads[peak], error })
}

/// The second reading of two thread counts whose speedup's range straddles the near-linear
/// threshold: the serial fraction it would also fit.
fn alternative(verdict: &Verdict, f: &Facts<'_>) -> Option<Verdict> {
    let Verdict::NearLinear { threads, speedup, .. } = verdict else { return None };
    let last = f.e.threads.len() - 1;
    let j = *threads as f64;
    let lower = f.interval(last).map_or(speedup * (-2.0 * f.sd(last)).exp(), |[lo, _]| lo);
    let b = (j / speedup - 1.0) / (j - 1.0);
    (f.e.threads.len() == 2 && lower < LINEAR_EFFICIENCY * j && b > 0.0).then_some(Verdict::Undetermined {
        threads: *threads,
        speedup: *speedup,
        serial_fraction: Some(b),
        reason: Undetermined::TwoThreadCounts,
    })
}

/// The disturbance, when other work competed for the CPUs (see the module docs).
fn disturbed(f: &Facts<'_>) -> Option<Disturbed> {
    let flagged: Vec<usize> = f.e.threads.iter().zip(f.e.disturbed).filter(|(_, d)| **d).map(|(j, _)| *j).collect();
    if !flagged.is_empty() {
        return Some(Disturbed { points: flagged, load: None, min_utilisation: None, cpus: None });
    }
    let cpus = f.e.cpus?;
    let load = f.e.load?;
    let computes = matches!(f.e.kind, Some(Kind::Parallel | Kind::Synthetic));
    let utils: Vec<f64> =
        f.e.threads
            .iter()
            .zip(f.e.utilisation)
            .filter(|(j, _)| **j > 1 && **j <= cpus.usable)
            .filter_map(|(_, u)| *u)
            .collect();
    let low = utils.iter().copied().fold(f64::INFINITY, f64::min);
    let busy_machine = load > BUSY_LOAD_PER_CPU * cpus.usable as f64;
    (computes && busy_machine && !utils.is_empty() && low < IDLE_UTILISATION).then(|| Disturbed {
        points: Vec::new(),
        load: Some(load),
        min_utilisation: Some(low),
        cpus: Some(cpus.usable),
    })
}
