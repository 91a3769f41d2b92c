//! The regimes of a curve: where its course changes (a knee at the physical cores, a peak before a
//! fall), read from the points before any law, as a person reads a log-log chart: straight
//! stretches and the breaks between them.
//!
//! # Method
//! A continuous piecewise-linear least-squares fit of ln S on ln j, each point weighted by
//! 1 / sd^2 (its noise, as `shape` reads it), with its breaks at measured thread counts (a
//! person names the knee at a count that was measured). The number of segments is chosen from
//! one to [`MAX_SEGMENTS`], one break at a time: the best set of k + 1 breaks replaces the best
//! set of k when it lowers the weighted residual sum of squares by more than the chi-square (one
//! degree of freedom) quantile at 1 - [`ALPHA`] / m, where m is the number of places a break could
//! go (Bonferroni over the search), and moves the fitted curve by at least [`MIN_BREAK`] at some
//! point (a break too small to see is no regime). A break at a count the machine names (its
//! physical cores, its usable CPUs: `named`) is tested, not searched for: m = 1 there, and one
//! that holds is taken before a searched one that fits a little better, as a person looks for
//! the knee at the core count first.
//!
//! Under the null of a straight line (a power law S = c j^a, the linear curve among them) with
//! the noise right, the improvement of one break at one place is chi-square with one degree of
//! freedom (F(1, dof) when the noise was read from the curve itself, on dof degrees of freedom),
//! so a false break is found in at most [`ALPHA`] of curves; the seeded simulations of
//! `shape_simulations` count them on straight curves with one and five samples per point. A
//! smooth bend (Amdahl's law) is not straight: it may be read as two or three stretches when its
//! points are precise, which is why a law that describes the whole curve is tried before the
//! regimes are named (`diagnose`).
//!
//! Each stretch between breaks is read by its slope: rising, flat (|slope| at most
//! [`FLAT_SLOPE`]: under 3.5% per doubling of j), or falling; neighbouring stretches of the same
//! course are one.

use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};

use super::frame::invert;

/// The most segments read: 3 (a rise, a plateau, a fall).
pub const MAX_SEGMENTS: usize = 3;

/// The chance of a false break on a straight curve, over all the places it could go: 5%.
pub const ALPHA: f64 = 0.05;

/// The least a break must move the fitted curve at some point (log scale): 3%.
pub const MIN_BREAK: f64 = 0.03;

/// The largest |slope| of ln S on ln j that is flat: 0.05 (S grows or falls under 3.5% per
/// doubling of j).
pub const FLAT_SLOPE: f64 = 0.05;

/// The most places searched for a break: 40 (evenly spaced among the interior points; the named
/// counts always), so a curve of a thousand points is read in milliseconds.
const MAX_CANDIDATES: usize = 40;

/// A continuous piecewise-linear fit of ln S on ln j.
#[derive(Debug, Clone, PartialEq)]
pub struct Segments {
    /// The indices of the points where the slope changes, ascending (interior points).
    pub breaks: Vec<usize>,
    /// The slope of each segment (d ln S / d ln j), one more than the breaks.
    pub slopes: Vec<f64>,
    /// The fitted ln S at each point.
    pub fitted: Vec<f64>,
}

/// Which way a stretch goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Course {
    /// S grows by more than [`FLAT_SLOPE`].
    Rises,
    /// S stays within [`FLAT_SLOPE`] of flat.
    Flat,
    /// S falls by more than [`FLAT_SLOPE`].
    Falls,
}

/// A stretch of the curve between two breaks (or its ends), of one course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    /// The index of its first point.
    pub from: usize,
    /// The index of its last point.
    pub to: usize,
    /// Which way it goes.
    pub course: Course,
}

impl Segments {
    /// The segments of the points (`x` = ln j ascending, `y` = ln S, `sd` their noise, estimated
    /// with `dof` degrees of freedom when read from the curve itself, known when `None`), with
    /// breaks at the `named` indices tested first (see the module docs). `None` for fewer than two
    /// points or a point that is not finite.
    pub fn fit(x: &[f64], y: &[f64], sd: &[f64], named: &[usize], dof: Option<usize>) -> Option<Segments> {
        let n = x.len();
        if n < 2 || y.len() != n || sd.len() != n || x.iter().chain(y).chain(sd).any(|v| !v.is_finite()) {
            return None;
        }
        let w: Vec<f64> = sd.iter().map(|s| 1.0 / s.max(1e-9).powi(2)).collect();
        let mut best = weighted_fit(x, y, &w, &[])?;
        let interior: Vec<usize> = candidates(n, named);
        for k in 1..MAX_SEGMENTS {
            // At least one degree of freedom left: k breaks and a line are k + 2 parameters.
            if n < k + 3 {
                break;
            }
            let searched = quantile(1.0 - ALPHA / (n - 2).max(1) as f64, dof);
            let tested = quantile(1.0 - ALPHA, dof);
            // Each passing set, and whether it only adds named counts to the breaks found.
            // Named breaks once found are kept.
            let kept: Vec<usize> = best.breaks.iter().copied().filter(|b| named.contains(b)).collect();
            let passing: Vec<(Fit, bool)> = combinations(&interior, k)
                .into_iter()
                .filter(|breaks| kept.iter().all(|b| breaks.contains(b)))
                .filter_map(|breaks| {
                    let fit = weighted_fit(x, y, &w, &breaks)?;
                    let named_only = breaks.iter().all(|b| named.contains(b) || best.breaks.contains(b));
                    let threshold = if named_only { tested } else { searched };
                    let moves = fit.fitted.iter().zip(&best.fitted).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                    (best.rss - fit.rss > threshold && moves >= MIN_BREAK).then_some((fit, named_only))
                })
                .collect();
            // A break at a named count that holds is taken before a searched one that fits better.
            let any_named = passing.iter().any(|(_, named_only)| *named_only);
            let better = passing
                .into_iter()
                .filter(|(_, named_only)| *named_only || !any_named)
                .map(|(fit, _)| fit)
                .min_by(|a, b| a.rss.total_cmp(&b.rss));
            match better {
                Some(fit) => best = fit,
                None => break,
            }
        }
        Some(Segments { slopes: best.slopes, fitted: best.fitted, breaks: best.breaks })
    }

    /// The stretches between the breaks, neighbours of one course joined.
    pub fn stretches(&self) -> Vec<Stretch> {
        let last = self.fitted.len() - 1;
        let mut ends = vec![0];
        ends.extend(&self.breaks);
        ends.push(last);
        let mut out: Vec<Stretch> = Vec::new();
        for (i, slope) in self.slopes.iter().enumerate() {
            let course = if *slope > FLAT_SLOPE {
                Course::Rises
            } else if *slope < -FLAT_SLOPE {
                Course::Falls
            } else {
                Course::Flat
            };
            let (from, to) = (ends[i], ends[i + 1]);
            match out.last_mut() {
                Some(previous) if previous.course == course => previous.to = to,
                _ => out.push(Stretch { from, to, course }),
            }
        }
        out
    }
}

/// One weighted least-squares fit with breaks at given indices.
struct Fit {
    breaks: Vec<usize>,
    slopes: Vec<f64>,
    fitted: Vec<f64>,
    rss: f64,
}

/// The continuous piecewise-linear fit with `breaks`: y = a + b x + sum_k c_k max(0, x - x_k).
fn weighted_fit(x: &[f64], y: &[f64], w: &[f64], breaks: &[usize]) -> Option<Fit> {
    let basis = |i: usize| -> Vec<f64> {
        let mut row = vec![1.0, x[i]];
        row.extend(breaks.iter().map(|&b| (x[i] - x[b]).max(0.0)));
        row
    };
    let p = breaks.len() + 2;
    let mut a = vec![vec![0.0; p]; p];
    let mut rhs = vec![0.0; p];
    for i in 0..x.len() {
        let row = basis(i);
        for r in 0..p {
            rhs[r] += w[i] * row[r] * y[i];
            for c in 0..p {
                a[r][c] += w[i] * row[r] * row[c];
            }
        }
    }
    let inverse = invert(a)?;
    let coef: Vec<f64> = (0..p).map(|r| (0..p).map(|c| inverse[r][c] * rhs[c]).sum()).collect();
    let fitted: Vec<f64> = (0..x.len()).map(|i| basis(i).iter().zip(&coef).map(|(v, c)| v * c).sum()).collect();
    let rss = fitted.iter().zip(y).zip(w).map(|((f, y), w)| w * (y - f).powi(2)).sum();
    let slopes = (1..p).scan(0.0, |s, k| {
        *s += coef[k];
        Some(*s)
    });
    Some(Fit { breaks: breaks.to_vec(), slopes: slopes.collect(), fitted, rss })
}

/// The interior indices where a break may go: all of them, or [`MAX_CANDIDATES`] evenly spaced
/// ones and the named ones.
fn candidates(n: usize, named: &[usize]) -> Vec<usize> {
    let interior = n.saturating_sub(2);
    let step = interior.div_ceil(MAX_CANDIDATES).max(1);
    let mut out: Vec<usize> = (1..n.saturating_sub(1)).step_by(step).collect();
    out.extend(named.iter().filter(|&&i| i >= 1 && i + 1 < n));
    out.sort_unstable();
    out.dedup();
    out
}

/// Every ascending choice of `k` of `items`.
fn combinations(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for (i, &first) in items.iter().enumerate() {
        for mut rest in combinations(&items[i + 1..], k - 1) {
            rest.insert(0, first);
            out.push(rest);
        }
    }
    out
}

/// The quantile at `p` of the improvement one break makes under a straight line: chi-square of
/// one degree of freedom with known noise, or F(1, `dof`) (the square of Student's t) with noise
/// estimated on `dof` degrees of freedom.
fn quantile(p: f64, dof: Option<usize>) -> f64 {
    let p = p.clamp(0.5, 1.0 - 1e-12);
    match dof {
        None => ChiSquared::new(1.0).map_or(10.0, |d| d.inverse_cdf(p)),
        Some(dof) => {
            StudentsT::new(0.0, 1.0, dof.max(1) as f64).map_or(100.0, |t| t.inverse_cdf(0.5 + p / 2.0).powi(2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ln(v: &[f64]) -> Vec<f64> {
        v.iter().map(|v| v.ln()).collect()
    }

    fn read(threads: &[f64], speedups: &[f64], sd: f64, named: &[usize]) -> Segments {
        Segments::fit(&ln(threads), &ln(speedups), &vec![sd; threads.len()], named, None).unwrap()
    }

    #[test]
    fn a_straight_curve_is_one_segment_with_its_slope() {
        let threads = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        let s: Vec<f64> = threads.iter().map(|j: &f64| j.powf(0.8)).collect();
        let seg = read(&threads, &s, 0.01, &[]);
        assert!(seg.breaks.is_empty() && (seg.slopes[0] - 0.8).abs() < 1e-9, "{seg:?}");
        assert_eq!(seg.stretches(), [Stretch { from: 0, to: 5, course: Course::Rises }]);
    }

    #[test]
    fn a_rise_a_plateau_and_a_fall_are_three_stretches_broken_where_they_change() {
        let threads = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];
        let s = [1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 2.0, 1.0];
        let seg = read(&threads, &s, 0.01, &[]);
        assert_eq!(seg.breaks, [2, 5], "{seg:?}");
        let courses: Vec<Course> = seg.stretches().iter().map(|s| s.course).collect();
        assert_eq!(courses, [Course::Rises, Course::Flat, Course::Falls]);
    }

    #[test]
    fn a_break_is_taken_at_a_named_count_before_a_better_searched_one_and_never_within_the_noise() {
        // j^0.8 to 4, then j^0.2: the knee at 4, named or searched, with 1% noise.
        let threads = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let s: Vec<f64> =
            threads.iter().map(|&j: &f64| if j <= 4.0 { j.powf(0.8) } else { 4f64.powf(0.6) * j.powf(0.2) }).collect();
        assert_eq!(read(&threads, &s, 0.01, &[3]).breaks, [3]);
        assert_eq!(read(&threads, &s, 0.01, &[]).breaks, [3]);
        // Named at 3, where it also holds (a break of the same lines one count early fits the
        // points within 1%): the named count is taken.
        assert_eq!(read(&threads, &s, 0.01, &[2]).breaks.first(), Some(&2));
        // With 20% noise there is no break to see.
        assert!(read(&threads, &s, 0.2, &[3]).breaks.is_empty());
    }

    #[test]
    fn two_points_are_one_segment_and_bad_input_is_none() {
        assert!(read(&[1.0, 2.0], &[1.0, 1.8], 0.01, &[]).breaks.is_empty());
        assert!(Segments::fit(&[0.0], &[0.0], &[0.01], &[], None).is_none());
        assert!(Segments::fit(&[0.0, 1.0], &[0.0, f64::NAN], &[0.01, 0.01], &[], None).is_none());
    }
}
