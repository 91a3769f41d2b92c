//! The shape of a measured curve, read before any law is fitted: the noise of its points (with
//! the rounding of the input as a floor), the near-linear stretch, the measured maximum, the knee
//! and the plateau after it, a decline past the maximum, superlinear points, a sawtooth of dips,
//! and its straight stretches and the breaks between them (`regimes`). The diagnosis
//! (`diagnose`) names the shape first; a law may supply the headline only where the shape leaves
//! room for it.
//!
//! # Method
//! Everything is read on the log scale of S (timing noise is multiplicative).
//!
//! - **Noise.** Where a point has a 95% interval (repeated samples, bootstrapped), its standard
//!   deviation is the interval's width / (2 x 1.96). A point without one (one sample per point,
//!   imported curves) gets the curve's own local noise: each interior point's residual from the
//!   straight line through its two neighbours in (ln j, ln S), scaled to unit variance under
//!   independent noise; then the differences of consecutive residuals (a third difference, in
//!   which the slowly varying curvature of a smooth curve cancels), scaled again; the noise is the
//!   root mean square of the smaller half of them, divided by 0.3786 (that of a half-normal cut
//!   at its median): one feature of the curve (a knee, the step of a granularity bound) disturbs
//!   two neighbouring differences, which the trimming leaves out. On a curve of fewer than
//!   [`SHORT_CURVE`] points every difference holds a bend, and the scatter measures the shape,
//!   not the noise: the estimate is capped at [`SHORT_CURVE_NOISE`], a typical timing's noise,
//!   which is also the noise of a one-sample curve of three points or fewer (nothing there tells
//!   noise from curvature). The estimate is capped at [`NOISE_CAP`]. The law under test is never
//!   used to estimate the noise. The noise is floored at [`MIN_SHAPE_SD`] (exact data are not read
//!   as perfectly quiet) and at the rounding of the input where it is known (`Points::rounding`,
//!   read from the text of a CSV: a value written to r of itself is uniform noise of sd
//!   r / sqrt(3), and S carries its point's and its baseline's). A knee left in the differences
//!   errs towards more noise: fewer shapes are claimed, never more.
//! - **Near-linear stretch**: the first points whose efficiency reaches 0.9 within noise
//!   (S e^{2 sd} >= 0.9 j), where the noise is small enough to tell (sd <= [`LINEAR_NOISE`]).
//! - **Knee and plateau**: the knee is the first point k (after j = 1) from which S never grows by
//!   more than the larger of [`FLAT_TOLERANCE`] and 2 sqrt(2) sd (at most [`FLAT_CAP`]):
//!   S_l <= S_k e^{delta} for every later l; or, when earlier, the first break of the segmented
//!   fit (`regimes`) where a rising stretch ends in a flat or falling one that never grows beyond
//!   [`FLAT_CAP`] (a knee placed where the slope drops, not where the last small rise ends). A
//!   plateau needs S_k >= 1.2 and later points up to at least 1.5 x j_k (one step of a dense grid
//!   is no plateau: a law still rising slowly looks flat over it).
//! - **Decline**: past the measured maximum, a fall to the last point of at least [`MIN_DECLINE`]
//!   and beyond the rounding of both points, shown by one of: the fall from the maximum to the
//!   last point exceeds 3 sqrt(sd_max^2 + sd_last^2); over a tail of at least three points after
//!   the knee and the maximum (both left out: each is a high point by selection, and would tilt a
//!   flat tail downwards), a least-squares slope of ln S on ln j whose fall over the tail exceeds
//!   2.5 of its standard errors; or (one sample per point) three points or more after the maximum
//!   falling at every step, their line's fall beyond 3 standard errors of their own scatter
//!   around it (a quiet tail is its own evidence of quiet points). A fall that rests on the last
//!   point alone (the one before it within [`MIN_DECLINE`] of the maximum) must, without an
//!   interval, be at least [`LONE_FALL`]: one timing a few percent off is common.
//! - **Superlinear** points beat j beyond noise and the rounding: ln S - ln j > z sd + rounding,
//!   where z keeps the chance of any false claim over the m points with j > 1 at 2.5% (the
//!   quantile of 1 - 0.025 / m, Bonferroni: of Student's t with as many degrees of freedom as the
//!   local noise had differences, when the noise was estimated from the curve, else of the
//!   normal), and a point without an interval also carries the noise of the one-sample baseline it
//!   is divided by (every S shares T(1)'s error).
//! - **Dips** (a sawtooth of thread placement): interior points below the mean of their two
//!   neighbours by more than the larger of [`MIN_DIP`] and 4 sd of an interval-backed point, plus
//!   what the rounding of the three values can make (half each neighbour's and all of the
//!   point's), that S recovers from at the next point; two or more make the curve oscillate, and
//!   the local noise is then read from the points between the dips (the sawtooth is shape, not
//!   noise). A dip of a one-sample point must also be deeper than that noise (sqrt(1.5) sd for
//!   the depth) at the z that gives one chance dip over the whole curve a 25% chance (two are
//!   needed to oscillate), so the scatter of a long curve is no sawtooth.
//! - **Segments**: the continuous piecewise-linear fit of `regimes`, with breaks at the machine's
//!   counts tested first, on F(1, n - 3) when the noise was read from the curve.
//!
//! # False alarms
//! The thresholds were set with the seeded simulations of `fit::shape_simulations` (2% multiplicative
//! noise, one and five samples per point): flat and linear curves are called declining or
//! saturating in under 5% of seeds, straight curves broken in at most 5%, near-linear curves rounded
//! to two digits never oscillate, and each shape is named in at least 90% (the closing note of
//! issue 32 lists the counts).

use super::regimes::{Course, Segments};

/// The efficiency a near-linear point reaches within noise: 0.9.
pub const LINEAR_EFFICIENCY: f64 = 0.9;
/// The smallest noise assumed for a point (log scale): 0.5%.
pub const MIN_SHAPE_SD: f64 = 0.005;
/// The most a plateau may grow, however noisy its points (log scale): 10%. Beyond that the data
/// cannot call it flat.
pub const FLAT_CAP: f64 = 0.10;
/// The largest noise read from a curve (log scale): 25%. A curve noisier than that says nothing
/// about its shape, and a larger estimate would only hide what is certain (S = 0.4 is slower).
pub const NOISE_CAP: f64 = 0.25;
/// The most noise (log scale) at which efficiency can be told from 0.9 well enough to call a curve
/// near-linear: 10%.
pub const LINEAR_NOISE: f64 = 0.1;
/// The growth a plateau may still show (log scale), however quiet the points: 5%.
pub const FLAT_TOLERANCE: f64 = 0.05;
/// The smallest fall called a decline: 3%.
pub const MIN_DECLINE: f64 = 0.03;
/// The smallest dip below the neighbours' mean called one (log scale): 6%.
pub const MIN_DIP: f64 = 0.06;
/// The fewest points whose local scatter tells the noise of one-sample points from the curve's
/// own bends: 9 (three trimmed differences of residuals). On a shorter curve every difference
/// holds a knee or a fall, and the scatter measures the shape.
pub const SHORT_CURVE: usize = 9;
/// The most noise assumed for a one-sample point of a curve shorter than [`SHORT_CURVE`] (log
/// scale): 3%, above the 1–2% run-to-run noise of a benchmark timing on a quiet machine (this
/// project's 2-CPU machine: 2.5% on T(1), 0.5% on S in-process, `stats::noise_floor`), so a
/// shape named on it stands beyond a typical timing's scatter.
pub const SHORT_CURVE_NOISE: f64 = 0.03;
/// The smallest fall that may rest on the last point alone when it has no interval (one sample):
/// 15%. A single timing a few percent off is common on real curves (a hiccup of the machine); a
/// lone point must fall well beyond that to be a decline.
pub const LONE_FALL: f64 = 0.15;

/// What a shape is read from: the points, with what is known of their noise and of the machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct Points<'a> {
    /// The thread counts, ascending.
    pub threads: &'a [usize],
    /// Their speedups.
    pub speedups: &'a [f64],
    /// Their 95% intervals, where known (may be empty).
    pub intervals: &'a [Option<[f64; 2]>],
    /// The relative rounding of each point's value as written (half a unit of its last digit over
    /// the value, `import::precision`); empty when the input carries no precision.
    pub rounding: &'a [f64],
    /// Thread counts the machine names (its physical cores, its usable CPUs): a break of the curve
    /// is tested there before it is searched for (`regimes`).
    pub named: &'a [usize],
}

/// What the points show.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The standard deviation of ln S at each point.
    pub sd: Vec<f64>,
    /// Whether the noise came from the points' own intervals (repeated samples) rather than from
    /// the curve's local scatter.
    pub from_intervals: bool,
    /// The largest error of ln S at each point from the rounding of the input (0 where unknown).
    pub rounding: Vec<f64>,
    /// The index of the measured maximum.
    pub max: usize,
    /// The last index of the near-linear stretch that starts at the first point, if any point
    /// beyond j = 1 is in it.
    pub linear_until: Option<usize>,
    /// The index of the knee, when a plateau follows it.
    pub knee: Option<usize>,
    /// The fall past the maximum, when beyond noise.
    pub decline: Option<Decline>,
    /// Indices of points above j beyond noise.
    pub superlinear: Vec<usize>,
    /// Indices of dips below both neighbours beyond noise.
    pub dips: Vec<usize>,
    /// The curve's straight stretches and the breaks between them (`regimes`).
    pub segments: Option<Segments>,
}

/// A fall past the measured maximum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decline {
    /// The index of the maximum it falls from.
    pub from: usize,
    /// 1 - S_last / S_max.
    pub drop: f64,
}

impl Shape {
    /// Reads the shape of `points` (ascending thread counts, a speedup for each). `None` for fewer
    /// than two points or a non-positive speedup.
    pub fn read(points: &Points<'_>) -> Option<Shape> {
        let Points { threads, speedups, intervals, .. } = *points;
        let n = threads.len();
        if n < 2 || speedups.len() != n || speedups.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return None;
        }
        let x: Vec<f64> = threads.iter().map(|&j| (j as f64).ln()).collect();
        let y: Vec<f64> = speedups.iter().map(|s| s.ln()).collect();
        let interval_sd = |i: usize| {
            let [lo, hi] = intervals.get(i).copied().flatten()?;
            (lo > 0.0 && hi >= lo).then(|| (hi.ln() - lo.ln()) / (2.0 * 1.96))
        };
        let written = |i: usize| points.rounding.get(i).copied().filter(|r| r.is_finite() && *r > 0.0).unwrap_or(0.0);
        // S_i = T_1 / T_i (or X_i / X_1): its rounding is the point's and the baseline's.
        let baseline = if threads[0] == 1 { written(0) } else { 0.0 };
        let rounding: Vec<f64> =
            (0..n).map(|i| if i == 0 && threads[0] == 1 { 0.0 } else { written(i) + baseline }).collect();
        // Dips: first the candidates deeper than MIN_DIP (or 4 sd of an interval) beyond what the
        // rounding of the three points can make, that S recovers from at the next point; then the
        // noise read between them, then only the dips beyond that noise at a Bonferroni z over the
        // interior points (random scatter of a long curve makes a few 6% dips by chance).
        let depth = |i: usize| (y[i - 1] + y[i + 1]) / 2.0 - y[i];
        let interior = 1..n.saturating_sub(1);
        let floor = |i: usize| {
            let rounded = (written(i - 1) + written(i + 1)) / 2.0 + written(i);
            MIN_DIP.max(interval_sd(i).map_or(0.0, |s| 4.0 * s)) + rounded
        };
        let recovers = |i: usize| y[i + 1] > y[i];
        let candidates: Vec<usize> = interior.clone().filter(|&i| depth(i) > floor(i) && recovers(i)).collect();
        let between = |dips: &[usize]| {
            let (xs, ys): (Vec<f64>, Vec<f64>) = (0..n).filter(|i| !dips.contains(i)).map(|i| (x[i], y[i])).unzip();
            local_noise(&xs, &ys)
        };
        // A quarter's chance over the whole curve of one chance dip (two are needed to oscillate).
        let z = normal_quantile(1.0 - 0.25 / interior.len().max(1) as f64);
        let chance = if candidates.len() >= 2 { z * 1.5f64.sqrt() * between(&candidates) } else { 0.0 };
        let dips: Vec<usize> =
            candidates.into_iter().filter(|&i| interval_sd(i).is_some() || depth(i) > chance).collect();
        // A sawtooth is shape, not noise: the local noise of a curve that oscillates is read
        // from the points between its dips.
        let local = if dips.len() >= 2 { between(&dips) } else { local_noise(&x, &y) };
        // Too few points to tell noise from the curve's own bends: a typical timing's noise at
        // most, and that noise where no scatter can be read at all (three points or fewer).
        let local = match n {
            _ if n <= 3 => SHORT_CURVE_NOISE,
            _ if n < SHORT_CURVE => local.min(SHORT_CURVE_NOISE),
            _ => local,
        };
        let from_intervals = (0..n).filter(|&i| threads[i] > 1).all(|i| interval_sd(i).is_some());
        let sd: Vec<f64> = (0..n)
            .map(|i| {
                let noise = match interval_sd(i) {
                    Some(s) => s.max(MIN_SHAPE_SD),
                    // j = 1 is the baseline: exact by definition when it was measured as such.
                    None if threads[i] == 1 && from_intervals => MIN_SHAPE_SD,
                    None => local,
                };
                // Rounding of at most r is uniform noise of sd r / sqrt(3): a floor.
                noise.max(rounding[i] / 3f64.sqrt())
            })
            .collect();
        let max = (0..n).max_by(|&a, &b| y[a].total_cmp(&y[b])).unwrap_or(0);
        let linear =
            |i: usize| sd[i] <= LINEAR_NOISE && y[i] + 2.0 * sd[i] >= (LINEAR_EFFICIENCY * threads[i] as f64).ln();
        let linear_until = (0..n).take_while(|&i| linear(i)).last().filter(|&i| threads[i] > 1);
        let named: Vec<usize> = (0..n).filter(|&i| points.named.contains(&threads[i])).collect();
        // Noise read from the curve's own scatter is an estimate of few degrees of freedom.
        let estimated = (!from_intervals).then_some(n.saturating_sub(3).max(1));
        let segments = Segments::fit(&x, &y, &sd, &named, estimated);
        let knee = knee(threads, &y, &sd, segments.as_ref());
        let decline = decline(&x, &y, &sd, &rounding, max, knee, from_intervals);
        let baseline = if from_intervals || threads[0] != 1 { 0.0 } else { sd[0] };
        let dof = if from_intervals { None } else { Some(n.saturating_sub(3).max(1)) };
        let z = bonferroni_z(threads.iter().filter(|&&j| j > 1).count(), dof);
        let beyond = |i: usize| z * (sd[i] * sd[i] + baseline * baseline).sqrt() + rounding[i];
        let superlinear = (0..n).filter(|&i| threads[i] > 1 && y[i] - x[i] > beyond(i) && y[i] - x[i] > 0.02).collect();
        Some(Shape { sd, from_intervals, rounding, max, linear_until, knee, decline, superlinear, dips, segments })
    }

    /// The typical noise of a point (the median standard deviation), log scale.
    pub fn noise(&self) -> f64 {
        let mut sd = self.sd.clone();
        sd.sort_by(f64::total_cmp);
        sd[sd.len() / 2]
    }

    /// Whether the whole curve is near-linear (efficiency 0.9 or more within noise everywhere).
    pub fn near_linear(&self) -> bool {
        self.linear_until == Some(self.sd.len() - 1)
    }

    /// Whether two or more dips make the curve oscillate.
    pub fn oscillates(&self) -> bool {
        self.dips.len() >= 2
    }
}

/// The one-sided quantile that keeps the chance of any false claim among `m` points at 2.5%: of
/// Student's t with `dof` degrees of freedom, or of the normal.
fn bonferroni_z(m: usize, dof: Option<usize>) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    let p = 1.0 - 0.025 / m.max(1) as f64;
    match dof {
        Some(dof) => StudentsT::new(0.0, 1.0, dof as f64).map_or(4.0, |t| t.inverse_cdf(p)),
        None => Normal::new(0.0, 1.0).map_or(3.0, |n| n.inverse_cdf(p)),
    }
}

/// The standard normal quantile of `p`.
fn normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::new(0.0, 1.0).map_or(2.0, |n| n.inverse_cdf(p))
}

/// The curve's local noise: the MAD of each interior point's scaled residual from the line through
/// its neighbours, floored at [`MIN_SHAPE_SD`].
fn local_noise(x: &[f64], y: &[f64]) -> f64 {
    let residuals: Vec<f64> = (1..x.len().saturating_sub(1))
        .filter(|&i| x[i + 1] > x[i - 1])
        .map(|i| {
            let w = (x[i] - x[i - 1]) / (x[i + 1] - x[i - 1]);
            let line = y[i - 1] + w * (y[i + 1] - y[i - 1]);
            (y[i] - line) / (1.0 + w * w + (1.0 - w) * (1.0 - w)).sqrt()
        })
        .collect();
    let scatter = match residuals.len() {
        0 | 1 => return MIN_SHAPE_SD,
        // Neighbouring residuals share a point: under independent noise of unit variance, their
        // difference has variance 2 + 2 x 2/3.
        _ => {
            let differences: Vec<f64> =
                residuals.windows(2).map(|w| (w[1] - w[0]).abs() / (10.0f64 / 3.0).sqrt()).collect();
            trimmed_rms(differences) / 0.3786
        }
    };
    scatter.clamp(MIN_SHAPE_SD, NOISE_CAP)
}

/// The root mean square of the smaller half of `values` (at least one).
fn trimmed_rms(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let kept = &values[..(values.len() / 2).max(1)];
    (kept.iter().map(|v| v * v).sum::<f64>() / kept.len() as f64).sqrt()
}

/// The knee: the first point from which S never grows beyond noise, with a later point after
/// it; or, when earlier, where the segmented fit's first rise ends in a flat or falling stretch
/// that never grows beyond [`FLAT_CAP`] (a knee placed where the slope drops, not where the last
/// small rise ends).
fn knee(threads: &[usize], y: &[f64], sd: &[f64], segments: Option<&Segments>) -> Option<usize> {
    let n = y.len();
    let plateau_after =
        |k: usize| threads[k] > 1 && y[k] >= 1.2f64.ln() && threads[n - 1] as f64 >= 1.5 * threads[k] as f64;
    let flat = (1..n.saturating_sub(1)).find(|&k| {
        let tolerance = |l: usize| FLAT_TOLERANCE.max(2.0 * (sd[k] * sd[k] + sd[l] * sd[l]).sqrt()).min(FLAT_CAP);
        plateau_after(k) && (k + 1..n).all(|l| y[l] - y[k] <= tolerance(l))
    });
    let stretches = segments.map(Segments::stretches).unwrap_or_default();
    let broken = stretches.windows(2).find_map(|w| {
        let k = w[1].from;
        let stops = w[0].course == Course::Rises && w[1].course != Course::Rises;
        (stops && plateau_after(k) && (k + 1..n).all(|l| y[l] - y[k] <= FLAT_CAP)).then_some(k)
    });
    match (flat, broken) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The fall past the maximum, when beyond noise (see the module docs).
fn decline(
    x: &[f64],
    y: &[f64],
    sd: &[f64],
    rounding: &[f64],
    max: usize,
    knee: Option<usize>,
    from_intervals: bool,
) -> Option<Decline> {
    let last = y.len() - 1;
    if max == last || y[max] < 1.1f64.ln() {
        return None;
    }
    let fall = y[max] - y[last];
    let drop = 1.0 - (-fall).exp();
    if drop < MIN_DECLINE {
        return None;
    }
    let beyond_rounding = fall > rounding[max] + rounding[last];
    // A fall that rests on the last point alone (the point before it still within a decline of
    // the maximum) is one sample when the point has no interval: it must be a large one.
    let lone = y[max] - y[last - 1] < MIN_DECLINE;
    let large_enough = from_intervals || !lone || drop >= LONE_FALL;
    let endpoints = fall > 3.0 * (sd[max] * sd[max] + sd[last] * sd[last]).sqrt();
    // The tail after the knee and the maximum, both high points by selection.
    let start = knee.unwrap_or(max).max(max) + 1;
    let trend = last + 1 >= start + 3 && falls_beyond_noise(&x[start..], &y[start..], &sd[start..]);
    // A tail falling at every step, past a maximum that is no lone high point, judged against its
    // own scatter around its line: a quiet tail is its own evidence of quiet points.
    let steady = !from_intervals && last >= max + 3 && steady_fall(&x[max + 1..], &y[max + 1..], &rounding[max + 1..]);
    ((endpoints || trend || steady) && beyond_rounding && large_enough).then_some(Decline { from: max, drop })
}

/// Whether `y` falls at every step over at least three points, and its least-squares line on `x`
/// falls beyond 3 standard errors from the scatter around it (floored at [`MIN_SHAPE_SD`] and the
/// points' rounding).
fn steady_fall(x: &[f64], y: &[f64], rounding: &[f64]) -> bool {
    let m = x.len();
    if m < 3 || y.windows(2).any(|w| w[1] >= w[0]) {
        return false;
    }
    let n = m as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    if sxx <= 0.0 {
        return false;
    }
    let slope = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>() / sxx;
    let rss: f64 = x.iter().zip(y).map(|(a, b)| (b - my - slope * (a - mx)).powi(2)).sum();
    let widest = rounding.iter().copied().fold(0.0, f64::max) / 3f64.sqrt();
    let scatter = (rss / (n - 2.0)).sqrt().max(MIN_SHAPE_SD).max(widest);
    let span = x[m - 1] - x[0];
    -slope * span > 3.0 * scatter / sxx.sqrt() * span && -slope * span > MIN_DECLINE
}

/// Whether the least-squares line of `y` on `x` falls over its span by more than 2.5 of its standard
/// errors (each point's noise `sd`) and [`MIN_DECLINE`].
fn falls_beyond_noise(x: &[f64], y: &[f64], sd: &[f64]) -> bool {
    fitted_change(x, y, sd).is_some_and(|(change, se)| -change > 2.5 * se && -change > MIN_DECLINE)
}

/// The change of the least-squares line of `y` on `x` over its span, and its standard error
/// from the points' noise `sd`; `None` for fewer than two distinct `x`.
pub fn fitted_change(x: &[f64], y: &[f64], sd: &[f64]) -> Option<(f64, f64)> {
    let n = x.len() as f64;
    let sd2 = sd.iter().map(|s| s * s).sum::<f64>() / n;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>() / sxx;
    let span = x[x.len() - 1] - x[0];
    Some((slope * span, (sd2 / sxx).sqrt() * span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(threads: &[usize], speedups: &[f64]) -> Shape {
        Shape::read(&Points { threads, speedups, ..Points::default() }).unwrap()
    }

    #[test]
    fn a_plateau_has_its_knee_and_no_decline() {
        let threads = [1, 2, 4, 8, 16, 32];
        let shape = read(&threads, &[1.0, 2.0, 4.0, 8.0, 8.1, 7.95]);
        assert_eq!(shape.knee.map(|k| threads[k]), Some(8));
        assert_eq!(shape.decline, None);
        assert_eq!(shape.linear_until.map(|k| threads[k]), Some(8));
        assert!(!shape.near_linear());
    }

    #[test]
    fn a_fall_past_the_maximum_is_a_decline_and_exact_lines_are_linear() {
        let threads = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16];
        let speedups = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 7.5, 7.0, 6.5, 6.0];
        let shape = read(&threads, &speedups);
        assert_eq!(shape.decline.map(|d| threads[d.from]), Some(8));
        assert!((shape.decline.unwrap().drop - 0.25).abs() < 1e-12);
        let threads = [1, 2, 4, 8, 16, 32];
        let line = read(&threads, &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0]);
        assert!(line.near_linear() && line.knee.is_none() && line.decline.is_none() && line.superlinear.is_empty());
        assert_eq!(line.noise(), MIN_SHAPE_SD);
    }

    #[test]
    fn dips_of_a_sawtooth_are_found_and_intervals_set_the_noise() {
        let threads: Vec<usize> = (1..=12).collect();
        let speedups: Vec<f64> =
            threads.iter().map(|&j| if j % 2 == 1 && j > 1 { 0.85 } else { 1.0 } * j as f64).collect();
        let saw = read(&threads, &speedups);
        assert!(saw.oscillates(), "{saw:?}");
        assert_eq!(saw.dips.iter().map(|&i| threads[i]).collect::<Vec<_>>(), [3, 5, 7, 9, 11]);
        let intervals = vec![None, Some([1.9, 2.1]), Some([3.8, 4.2])];
        let points =
            Points { threads: &[1, 2, 4], speedups: &[1.0, 2.0, 4.0], intervals: &intervals, ..Points::default() };
        let shape = Shape::read(&points).unwrap();
        assert!(shape.from_intervals);
        assert!((shape.sd[1] - (2.1f64.ln() - 1.9f64.ln()) / 3.92).abs() < 1e-12);
    }

    #[test]
    fn the_knee_is_where_the_slope_drops_not_where_the_last_small_rise_ends() {
        // Flat from 4 within 10% (2.75, 2.79, 3.0, 2.98): the knee at 4, not 16.
        let threads = [1, 2, 4, 8, 16, 32];
        let shape = read(&threads, &[1.0, 1.9, 2.75, 2.79, 3.0, 2.98]);
        assert_eq!(shape.knee.map(|k| threads[k]), Some(4), "{shape:?}");
    }

    #[test]
    fn a_fall_on_the_last_point_alone_must_be_large_and_a_steady_one_need_not() {
        let threads = [1, 2, 4, 8, 16];
        // 9% below the maximum at the last point alone: one sample, no decline.
        assert_eq!(read(&threads, &[1.0, 1.61, 1.93, 2.14, 1.95]).decline, None);
        // 22% after a flat top: a decline.
        let flat_then_down = read(&threads, &[1.0, 1.77, 2.62, 2.619, 2.04]);
        assert_eq!(flat_then_down.decline.map(|d| threads[d.from]), Some(4), "{flat_then_down:?}");
        // 8% over three points past the maximum, falling at every step: a decline.
        let spec = [1, 18, 36, 72, 108, 144, 216];
        let steady = read(&spec, &[1.0, 15.35, 25.46, 28.56, 28.18, 27.35, 26.23]);
        assert_eq!(steady.decline.map(|d| spec[d.from]), Some(72), "{steady:?}");
    }

    #[test]
    fn rounding_of_the_input_is_a_floor_under_noise_and_dips() {
        // Dips of 10% and 11% at 4 and 7 are a sawtooth of exact data; written with two digits (1.4,
        // 2.7, ...), each value may be 3.6% off, a dip 7.2% of rounding, and the same dips are not
        // beyond it.
        let threads = [1, 2, 3, 4, 5, 6, 7, 8];
        let s = [1.0, 2.0, 3.0, 3.5, 5.0, 6.0, 6.2, 8.0];
        assert_eq!(read(&threads, &s).dips.len(), 2);
        let rounding = [0.036; 8];
        let rounded =
            Shape::read(&Points { threads: &threads, speedups: &s, rounding: &rounding, ..Points::default() }).unwrap();
        assert!(rounded.dips.is_empty(), "{rounded:?}");
        assert!(rounded.sd.iter().skip(1).all(|&sd| sd >= 0.072 / 3f64.sqrt()), "{rounded:?}");
    }
}
