//! Adaptive placement: where a sweep spends the rounds it has left.
//!
//! # Method
//! Once the minimum rounds are done and the intervals are not yet narrow, Amdahl's law and the USL
//! are fitted (point estimates, in `fit::frame`) to the points measured so far. Between two
//! neighbouring measured counts a and b with b - a >= 2, the candidate is their geometric middle;
//! the one where the two models' S differ most (|ln S_Amdahl - ln S_USL|) is added, if they differ
//! there by more than [`MIN_DISAGREEMENT`] — where they agree, another point would not tell them
//! apart. The added count is measured in every later round, paired with j = 1 in those rounds
//! (its `first_round` in the file says from which).

use crate::analysis::{self, AnalysisContext};
use crate::fit::frame::{Frame, Law, g};
use crate::results::Point;

/// The least relative disagreement of the two models worth a new thread count.
pub const MIN_DISAGREEMENT: f64 = 0.002;

/// The most thread counts one sweep adds.
pub const MAX_ADDED: usize = 4;

/// The thread count to add to `points` (ascending, measured), if the models disagree anywhere
/// between them; the disagreement there.
pub fn candidate(points: &[Point], ctx: &AnalysisContext) -> Option<(usize, f64)> {
    let curve = analysis::estimate_curve(points, ctx)?;
    let frame = Frame::new(&curve, &curve.values)?;
    let amdahl = frame.fit(Law::Amdahl, None)?;
    let usl = frame.fit(Law::Usl, None)?;
    let measured: Vec<usize> = points.iter().map(|p| p.threads).collect();
    curve
        .threads
        .windows(2)
        .filter(|w| w[1] - w[0] >= 2)
        .map(|w| (((w[0] * w[1]) as f64).sqrt().round() as usize).clamp(w[0] + 1, w[1] - 1))
        .filter(|c| !measured.contains(c))
        .map(|c| {
            let n = c as f64;
            (c, (g(n, amdahl.sigma, amdahl.kappa).ln() - g(n, usl.sigma, usl.kappa).ln()).abs())
        })
        .filter(|(_, d)| d.is_finite() && *d > MIN_DISAGREEMENT)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use amdahl_workloads::Kind;

    use super::*;
    use crate::scaling::Scaling;
    use crate::thread_set::CpuCounts;

    fn points(threads: &[usize], time: impl Fn(f64) -> f64) -> Vec<Point> {
        let cpus = CpuCounts { usable: 64, physical: 64, sockets: 1 };
        threads
            .iter()
            .map(|&j| {
                let mut p = analysis::new_point(j, cpus);
                // Five rounds with a little seeded wiggle, so the fits have residuals.
                p.samples_ns =
                    (0..5).map(|r| (time(j as f64) * (1.0 + 0.001 * ((r * 7 + j) % 5) as f64)) as u64).collect();
                p
            })
            .collect()
    }

    fn ctx() -> AnalysisContext {
        AnalysisContext {
            cpus: CpuCounts { usable: 64, physical: 64, sockets: 1 },
            kind: Kind::Parallel,
            scaling: Scaling::Strong,
            seed: 1,
            load: None,
            bytes_per_run: None,
            command: false,
            ceilings: None,
            tasks: None,
            loss: crate::fit::Loss::Log,
            noise: crate::stats::NoiseFloor::NONE,
            reruns: None,
            states: false,
        }
    }

    #[test]
    fn a_point_goes_where_amdahl_and_the_usl_disagree_most() {
        // A USL curve with a peak near 32: between the measured 8 and 64 the models part most.
        let usl = |n: f64| 1e8 * (0.02 + 0.98 / n + 0.0008 * (n - 1.0));
        let (j, d) = candidate(&points(&[1, 2, 4, 8, 64], usl), &ctx()).unwrap();
        assert_eq!(j, 23, "the geometric middle of 8 and 64");
        assert!(d > 0.05, "{d}");
        // Exact Amdahl data: the models agree everywhere, nothing is added.
        let amdahl = |n: f64| 1e8 * (0.1 + 0.9 / n);
        assert_eq!(candidate(&points(&[1, 2, 4, 8, 64], amdahl), &ctx()), None);
        // No gap of two: nowhere to add.
        assert_eq!(candidate(&points(&[1, 2, 3], usl), &ctx()), None);
    }
}
