//! The rules of the diagnosis, one function each, in the order of [`RULES`](super::RULES): each
//! says when it fires and fills its verdict with the numbers that decided it. The thresholds are
//! named and documented here (as `fit/shape.rs` does its own); whether a law describes the points
//! within their noise is `lack_of_fit`'s.

use amdahl_workloads::Kind;

use super::Facts;
use crate::fit::regimes::FLAT_SLOPE;
use crate::fit::shape::{LINEAR_EFFICIENCY, MIN_SHAPE_SD};
use crate::fit::verdict::Undetermined;
use crate::fit::{Model, Verdict, amdahl};

/// The largest multiple of the largest measured thread count at which a law's extrapolated
/// ceiling or peak may be the headline.
pub const EXTRAPOLATION_LIMIT: f64 = 4.0;

/// The most scatter (log scale) of the points around the granularity bound for it to explain
/// them: 5%, the noise of a one-sample speedup (two timings) on a machine with 3% timing noise.
pub const GRANULARITY_NOISE: f64 = 0.05;

/// How many times its own scatter the granularity bound must fall below j (and S with it) at some
/// measured count to bind there: 3.
pub const GRANULARITY_BINDS: f64 = 3.0;

/// The speedup below which more threads are slower (the upper end of its range must also lie
/// below 1): 0.9.
pub const SLOWER_BELOW: f64 = 0.9;

/// The best speedup at j > 1 below which more threads do not help: 1.2.
pub const SEQUENTIAL_BELOW: f64 = 1.2;

/// How many times the usable CPUs S must exceed for threads to be waiting rather than computing:
/// 1.2 (a CPU-bound workload cannot beat the CPU count, and 20% leaves room for noise).
pub const PAST_THE_CORES: f64 = 1.2;

/// The widest interval of B (of [0, 1]) that still determines it: 0.5. Wider, B is "not
/// determined".
pub const B_SPREAD: f64 = 0.5;

/// The rounding by which Amdahl's ceiling may fall short of the best measured speedup and still
/// be credible: a relative 1e-4 (exact data put the ceiling at the best point).
pub const CEILING_ROUNDING: f64 = 1.0001;

/// The smallest thread count a near-linear stretch must reach to be named before a fall: 4 (two
/// doublings).
pub const MIN_STRETCH_THREADS: usize = 4;

/// The fewest points on which "no law fits" is a finding rather than too little data: 4.
pub const MIN_POINTS_NO_LAW: usize = 4;

/// How many times the knee's thread count a plateau must span for a sawtooth on it to be
/// saturation rather than oscillation: 2 (a doubling).
pub const OSCILLATING_PLATEAU_SPAN: usize = 2;

/// The least share of Amdahl's ceiling 1/B the best measured speedup must reach for the ceiling
/// to be the headline: a third. Further out, 1/B extrapolates the law's bend far beyond the data
/// (a curve at 50x read as bounded at 250x).
pub const CEILING_REACH: f64 = 1.0 / 3.0;

/// How much more slowly S must rise after a break at a machine's count than before it for the
/// count to be the knee: under half the slope (of ln S on ln j).
pub const KNEE_SLOPE_RATIO: f64 = 0.5;

/// A ceiling above this is no ceiling to quote: 1e6x.
pub const ABSURD_CEILING: f64 = 1e6;

/// Fires when Gustafson's law was fitted (the run was weak scaling): its serial fraction a.
pub fn weak_scaling(f: &Facts<'_>) -> Option<Verdict> {
    let a = f.e.fits.gustafson_fitted()?.serial_fraction;
    Some(Verdict::WeakScaling { threads: f.j_max, speedup: f.s_last, serial_fraction: a })
}

/// Fires when S at the largest j is below [`SLOWER_BELOW`] and the upper end of its range below 1
/// (after `retrograde`: with no real peak before it).
pub fn slower(f: &Facts<'_>) -> Option<Verdict> {
    (f.s_last < SLOWER_BELOW && f.upper_last() < 1.0).then_some(Verdict::Slower { threads: f.j_max, speedup: f.s_last })
}

/// Fires on a measured fall past the measured maximum, beyond noise (`shape`'s decline), whatever
/// law wins; when the curve ends below [`SLOWER_BELOW`], only from a peak of
/// [`SEQUENTIAL_BELOW`] or more (a real speedup the user can take: "use 8 threads").
pub fn retrograde(f: &Facts<'_>) -> Option<Verdict> {
    let decline = f.shape.as_ref()?.decline?;
    let peak = f.e.speedups[decline.from];
    if f.s_last < SLOWER_BELOW && peak < SEQUENTIAL_BELOW {
        return None;
    }
    Some(Verdict::PeakDecline {
        peak_threads: f.e.threads[decline.from],
        peak_speedup: f.e.speedups[decline.from],
        drop: decline.drop,
        threads: f.j_max,
        speedup: f.s_last,
    })
}

/// Fires when no speedup at j > 1 reaches [`SEQUENTIAL_BELOW`].
pub fn sequential(f: &Facts<'_>) -> Option<Verdict> {
    (f.s_best_parallel < SEQUENTIAL_BELOW).then(|| Verdict::Sequential {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: f.amdahl().map(|(b, _)| b),
    })
}

/// The granularity bound of `tasks` equal tasks on j threads: T / ceil(T / j).
pub fn granularity_bound(tasks: usize, j: usize) -> f64 {
    tasks as f64 / tasks.div_ceil(j) as f64
}

/// T tasks on j threads take ceil(T / j) waves: S(j) <= G(j) = T / ceil(T / j). The bound is a
/// law with no free parameter, compared with the curve as Amdahl's law is. Fires when the work
/// declares its tasks and the bound explains the curve: its log residuals (from the points with
/// j > 1) scatter by at most [`GRANULARITY_NOISE`], fit at least as well as Amdahl's law with its
/// fitted B, and it binds somewhere: at a measured count, G(j) and S(j) are both below j by more
/// than [`GRANULARITY_BINDS`] times that scatter. Load imbalance, then, not serial code.
pub fn granularity(f: &Facts<'_>) -> Option<Verdict> {
    let tasks = f.e.tasks.filter(|&t| t > 0)?;
    let points: Vec<(f64, f64, f64)> = (0..f.e.threads.len())
        .filter(|&i| f.e.threads[i] > 1)
        .map(|i| (f.e.threads[i] as f64, f.e.speedups[i], granularity_bound(tasks, f.e.threads[i])))
        .collect();
    let rss_bound: f64 = points.iter().map(|(_, s, g)| (s.ln() - g.ln()).powi(2)).sum();
    let scatter = (rss_bound / points.len().max(1) as f64).sqrt().max(MIN_SHAPE_SD);
    let beyond = GRANULARITY_BINDS * scatter;
    let binds = points.iter().any(|&(j, s, g)| j.ln() - g.ln() > beyond && j.ln() - s.ln() > beyond);
    let rss_amdahl = f.amdahl().map_or(f64::INFINITY, |(b, _)| {
        points.iter().map(|&(j, s, _)| (s.ln() + amdahl::relative_time(b, j).ln()).powi(2)).sum()
    });
    (binds && scatter <= GRANULARITY_NOISE && rss_bound <= rss_amdahl).then(|| Verdict::Granularity {
        threads: f.j_max,
        speedup: f.s_last,
        tasks,
        ceiling: granularity_bound(tasks, f.j_max),
    })
}

/// Fires when the largest j is beyond the usable CPUs and S beyond [`PAST_THE_CORES`] x them, for
/// any kind of work: the threads mostly wait.
pub fn past_the_cores(f: &Facts<'_>) -> Option<Verdict> {
    let cpus = f.e.cpus?.usable;
    (f.j_max > cpus && f.s_last > PAST_THE_CORES * cpus as f64).then_some(Verdict::ScalesPastCores {
        threads: f.j_max,
        speedup: f.s_last,
        cpus,
    })
}

/// Fires for work that declares itself memory-bound: it always speaks of bandwidth (the best
/// reached, the knee, the machine's own triad), and quotes Amdahl's B only where Amdahl's law is
/// the better model, describes three thread counts or more (two fix B whatever the law: no
/// finding) and does not rise through a measured plateau (the bandwidth's saturation is the
/// finding there, and a B drawn through it says nothing more).
pub fn memory_bound(f: &Facts<'_>) -> Option<Verdict> {
    if f.e.kind != Some(Kind::MemoryBound) {
        return None;
    }
    let shape = f.shape.as_ref();
    let amdahl_describes = |b: f64| {
        f.e.threads.len() >= 3
            && f.e.fits.best == Some(Model::Amdahl)
            && f.law_describes(Model::Amdahl)
            && !f.plateau_flatter_than(|j| amdahl::speedup(b, j))
    };
    Some(Verdict::MemoryBandwidth {
        threads: f.j_max,
        speedup: f.s_last,
        gb_per_s: f.e.bandwidth_gb_s.map(|[_, best]| best),
        knee_threads: shape.and_then(|s| s.knee).map(|k| f.e.threads[k]),
        ceiling: f.e.bandwidth_ceiling_gb_s,
        serial_fraction: f.amdahl().map(|(b, _)| b).filter(|&b| amdahl_describes(b)),
    })
}

/// Fires when points beat j beyond noise (`shape`'s superlinear points), named with the one whose
/// efficiency is highest.
pub fn superlinear(f: &Facts<'_>) -> Option<Verdict> {
    let above = &f.shape.as_ref()?.superlinear;
    let &top = above.iter().max_by(|&&a, &&b| {
        (f.e.speedups[a] / f.e.threads[a] as f64).total_cmp(&(f.e.speedups[b] / f.e.threads[b] as f64))
    })?;
    Some(Verdict::Superlinear {
        points: above.iter().map(|&i| f.e.threads[i]).collect(),
        peak_threads: f.e.threads[top],
        peak_speedup: f.e.speedups[top],
    })
}

/// Fires on a sawtooth of dips (`shape`: two or more), unless a plateau follows a knee over at
/// least [`OSCILLATING_PLATEAU_SPAN`] x its thread count (a saturating curve that also oscillates
/// is saturation, whose sentence names the dips).
pub fn oscillating(f: &Facts<'_>) -> Option<Verdict> {
    let plateau = |k: usize| f.j_max >= OSCILLATING_PLATEAU_SPAN * f.e.threads[k];
    let shape = f.shape.as_ref().filter(|s| s.oscillates() && !s.knee.is_some_and(plateau))?;
    Some(Verdict::Oscillating {
        points: shape.dips.iter().map(|&i| f.e.threads[i]).collect(),
        threads: f.j_max,
        speedup: f.s_last,
    })
}

/// Fires when the whole curve is near-linear (`shape`: efficiency [`LINEAR_EFFICIENCY`] or more
/// within noise at every point).
pub fn near_linear(f: &Facts<'_>) -> Option<Verdict> {
    f.shape.as_ref().filter(|s| s.near_linear())?;
    Some(near_linear_verdict(f, None))
}

/// Fires on two thread counts whose speedup is below linear beyond noise (the upper end of its
/// range under [`LINEAR_EFFICIENCY`] x j; `near_linear` takes the rest): the efficiency and the
/// serial fraction it would mean, and no law or ceiling — a line through two points fixes a
/// number, not a law.
pub fn two_thread_counts(f: &Facts<'_>) -> Option<Verdict> {
    if f.e.threads.len() != 2 {
        return None;
    }
    let j = f.j_max as f64;
    let b = (j / f.s_last - 1.0) / (j - 1.0);
    Some(Verdict::Undetermined {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: b.is_finite().then_some(b),
        reason: Undetermined::TwoThreadCounts,
    })
}

/// Fires when the shape's segmented fit breaks at a count the machine names (its physical cores
/// below its usable CPUs, or its usable CPUs) where S has reached [`SEQUENTIAL_BELOW`], and S
/// rises from there to the last point less than [`KNEE_SLOPE_RATIO`] as fast (on the log-log
/// scale) as the segment before the break, without falling: the resource the count names is spent
/// there (the cores; SMT siblings after them add less). A fall after it is `retrograde`'s.
pub fn machine_knee(f: &Facts<'_>) -> Option<Verdict> {
    let segments = f.shape.as_ref()?.segments.as_ref()?;
    let (k, &at) = segments.breaks.iter().enumerate().find(|&(_, &b)| f.machine_count(f.e.threads[b]).is_some())?;
    let last = f.e.threads.len() - 1;
    let ln = |i: usize| (f.e.threads[i] as f64).ln();
    let before = segments.slopes[k];
    let after = (f.s_last.ln() - f.e.speedups[at].ln()) / (ln(last) - ln(at));
    let slows = before > 0.0 && after < KNEE_SLOPE_RATIO * before && after >= -FLAT_SLOPE;
    (slows && f.e.speedups[at] >= SEQUENTIAL_BELOW).then(|| Verdict::Saturation {
        knee_threads: f.e.threads[at],
        peak_speedup: f.best.1,
        gb_per_s: f.e.bandwidth_gb_s.map(|[_, gb]| gb),
        cpus: Some(f.e.threads[at]),
    })
}

/// A near-linear verdict, over the whole range or `until_threads`: Amdahl's B and ceiling beside
/// it when Amdahl's law is the better model with an interval, from three thread counts or more (a
/// ceiling only below [`ABSURD_CEILING`]).
fn near_linear_verdict(f: &Facts<'_>, until_threads: Option<usize>) -> Verdict {
    // Two thread counts fix B but no law: the serial fraction is the alternative's (`qualifiers`).
    let law = f.e.threads.len() >= 3;
    let amdahl = f.amdahl().filter(|(_, fit)| law && f.e.fits.best == Some(Model::Amdahl) && fit.ci95.is_some());
    let ceiling = amdahl.and_then(|(_, fit)| fit.ceiling).filter(|c| c.is_finite() && *c <= ABSURD_CEILING);
    Verdict::NearLinear {
        threads: f.j_max,
        speedup: f.s_last,
        until_threads,
        serial_fraction: amdahl.map(|(b, _)| b),
        ceiling,
    }
}

/// Fires when Amdahl's law is the better model but B's interval is wider than [`B_SPREAD`]: B is
/// not determined, and no ceiling is claimed.
pub fn serial_fraction_spread(f: &Facts<'_>) -> Option<Verdict> {
    if f.e.fits.best != Some(Model::Amdahl) {
        return None;
    }
    let (b, fit) = f.amdahl()?;
    let [lo, hi] = fit.ci95?;
    (hi - lo > B_SPREAD).then_some(Verdict::Undetermined {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: Some(b),
        reason: Undetermined::SerialFractionSpread,
    })
}

/// Fires when Amdahl's law is the better model, describes the points (`lack_of_fit`), does not
/// rise through a measured plateau, and its ceiling 1/B is neither below a measured speedup (nor
/// the upper end of a point's range, to within [`CEILING_ROUNDING`]) nor so far beyond the data
/// that the best measured S is under [`CEILING_REACH`] of it (an extrapolation of the law's shape,
/// not a finding), from three thread counts or more.
pub fn bounded(f: &Facts<'_>) -> Option<Verdict> {
    if f.e.fits.best != Some(Model::Amdahl) {
        return None;
    }
    let (b, fit) = f.amdahl()?;
    let ceiling = fit.ceiling?;
    let highest = (0..f.e.speedups.len()).map(|i| f.upper(i)).fold(0.0, f64::max);
    let credible = ceiling >= highest.min(f.best.1 * CEILING_ROUNDING) && ceiling >= f.best.1;
    let near = f.best.1 >= CEILING_REACH * ceiling && f.e.threads.len() >= 3;
    let through_plateau = f.plateau_flatter_than(|j| amdahl::speedup(b, j));
    (credible && near && !through_plateau && f.law_describes(Model::Amdahl)).then_some(Verdict::SerialFraction {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: b,
        ceiling,
    })
}

/// Fires when the USL is the better model, kappa's interval lies above 0, its peak N* lies beyond
/// the largest measured count but within [`EXTRAPOLATION_LIMIT`] x it, and the USL fits within
/// noise without rising through a measured plateau.
pub fn approaching_peak(f: &Facts<'_>) -> Option<Verdict> {
    let usl = f.e.fits.usl_fitted().filter(|_| f.e.fits.best == Some(Model::Usl))?;
    let peak = usl.peak_threads?;
    let [kappa_lo, _] = usl.kappa_ci95?;
    let near = peak <= EXTRAPOLATION_LIMIT * f.j_max as f64;
    let law = usl.speedup_law();
    let through_plateau = f.plateau_flatter_than(|n| law.at(n));
    let fits = f.law_describes(Model::Usl) && !through_plateau;
    (kappa_lo > 0.0 && peak > f.j_max as f64 && near && fits).then_some(Verdict::ApproachingPeak {
        peak_threads: peak,
        peak_threads_ci95: usl.peak_threads_ci95,
        threads: f.j_max,
        speedup: f.s_last,
    })
}

/// Fires on a plateau after a knee (`shape`): a shared resource saturates.
pub fn saturates(f: &Facts<'_>) -> Option<Verdict> {
    let knee = f.shape.as_ref()?.knee?;
    let knee_threads = f.e.threads[knee];
    Some(Verdict::Saturation {
        knee_threads,
        peak_speedup: f.best.1,
        gb_per_s: f.e.bandwidth_gb_s.map(|[_, gb]| gb),
        cpus: f.machine_count(knee_threads).map(|(n, _)| n),
    })
}

/// Fires when the curve is near-linear over a first stretch reaching at least
/// [`MIN_STRETCH_THREADS`], and then falls for real: the last point's efficiency is below
/// [`LINEAR_EFFICIENCY`] beyond its noise, with no law or shape to explain the fall.
pub fn near_linear_stretch(f: &Facts<'_>) -> Option<Verdict> {
    let until = f.shape.as_ref()?.linear_until?;
    let falls = f.upper_last() < LINEAR_EFFICIENCY * f.j_max as f64;
    (f.e.threads[until] >= MIN_STRETCH_THREADS && falls).then(|| near_linear_verdict(f, Some(f.e.threads[until])))
}

/// Fires when Amdahl's law or the USL was fitted to at least [`MIN_POINTS_NO_LAW`] points and
/// neither describes them within their noise (`lack_of_fit`).
pub fn no_law_fits(f: &Facts<'_>) -> Option<Verdict> {
    let fitted = f.e.fits.amdahl_fitted().is_some() || f.e.fits.usl_fitted().is_some();
    let enough = f.e.threads.len() >= MIN_POINTS_NO_LAW;
    (fitted && enough && !f.law_describes(Model::Amdahl) && !f.law_describes(Model::Usl))
        .then_some(Verdict::NoLawFits { threads: f.j_max, speedup: f.s_last })
}

/// Always fires: the speedup at the largest j, with Amdahl's B where it is the better model.
pub fn otherwise(f: &Facts<'_>) -> Option<Verdict> {
    Some(Verdict::Undetermined {
        threads: f.j_max,
        speedup: f.s_last,
        serial_fraction: f.amdahl().filter(|_| f.e.fits.best == Some(Model::Amdahl)).map(|(b, _)| b),
        reason: Undetermined::NoShape,
    })
}
