//! From raw samples to numbers: fills every summary of a workload's points and fits the models.
//!
//! This is the one place where samples become statistics, used by `measure run` after each round
//! (to decide when to stop) and at the end, and by any command that recomputes from a results file.
//!
//! Per point (DESIGN.md "Measuring"): median T(j) with a bootstrap CI, MAD, mean, sd; S(j) as the
//! median of paired per-round ratios T1/Tj with a bootstrap CI over rounds (`stats::speedup`);
//! efficiency S/j; Karp–Flatt e(j) with its CI; utilisation CPU / (wall x min(j, usable CPUs)).
//! Then Amdahl's serial fraction by least squares (`fit::amdahl`) with a bootstrap CI over rounds:
//! every resample draws whole rounds, so each round's T(1) stays paired with its T(j).

use amdahl_workloads::Kind;

use crate::fit::{amdahl, karp_flatt};
use crate::results::{AmdahlFit, Fits, Point, finite};
use crate::stats::{Bootstrap, Summary, median, paired_speedup};
use crate::thread_set::CpuCounts;

/// The tag of points with more threads than usable CPUs.
pub const OVERSUBSCRIBED: &str = "oversubscribed";
/// The tag of points with more threads than physical cores.
pub const SMT: &str = "smt";

/// An empty point for `threads`, tagged for this machine.
pub fn new_point(threads: usize, cpus: CpuCounts) -> Point {
    let mut tags = Vec::new();
    if threads > cpus.usable {
        tags.push(OVERSUBSCRIBED.to_owned());
    }
    if threads > cpus.physical {
        tags.push(SMT.to_owned());
    }
    Point {
        threads,
        tags,
        samples_ns: Vec::new(),
        cpu_ns: Vec::new(),
        involuntary_context_switches: Vec::new(),
        median_ns: None,
        median_ns_ci95: None,
        mad_ns: None,
        mean_ns: None,
        sd_ns: None,
        speedup: None,
        speedup_ci95: None,
        efficiency: None,
        karp_flatt: None,
        karp_flatt_ci95: None,
        utilisation: None,
    }
}

/// Fills the summaries of `points` (ascending threads, the first at j = 1, every point with the
/// same number of samples) from their raw samples.
pub fn summarise(points: &mut [Point], cpus: CpuCounts, seed: u64) {
    let Some(baseline) = points.iter().find(|p| p.threads == 1).map(|p| as_f64(&p.samples_ns)) else { return };
    for point in points.iter_mut() {
        let samples = as_f64(&point.samples_ns);
        if samples.is_empty() || samples.len() != baseline.len() {
            continue;
        }
        let point_seed = seed ^ (point.threads as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let summary = Summary::of(&samples);
        point.median_ns = finite(summary.median);
        point.mad_ns = finite(summary.mad);
        point.mean_ns = finite(summary.mean);
        point.sd_ns = finite(summary.sd);
        let mut scratch = Vec::with_capacity(samples.len());
        point.median_ns_ci95 = Bootstrap::new(point_seed, samples.len()).ci95(|idx| {
            scratch.clear();
            scratch.extend(idx.iter().map(|&i| samples[i]));
            median(&scratch)
        });
        let s = paired_speedup(&baseline, &samples, point_seed);
        point.speedup = finite(s.speedup);
        point.speedup_ci95 = Some(s.ci95).filter(|ci| ci.iter().all(|x| x.is_finite()));
        point.efficiency = finite(s.speedup / point.threads as f64);
        point.karp_flatt = karp_flatt::karp_flatt(point.threads, s.speedup);
        point.karp_flatt_ci95 = point.speedup_ci95.and_then(|ci| karp_flatt::karp_flatt_ci(point.threads, ci));
        let busy = point.threads.min(cpus.usable).max(1) as f64;
        let utilisation: Vec<f64> = point
            .cpu_ns
            .iter()
            .zip(&point.samples_ns)
            .filter_map(|(cpu, wall)| cpu.map(|c| c as f64 / (*wall as f64 * busy)))
            .collect();
        point.utilisation = if utilisation.is_empty() { None } else { finite(median(&utilisation)) };
    }
}

/// Whether a point belongs in the fit: every point for work whose threads mostly wait; otherwise
/// only points with no more threads than usable CPUs (beyond that, time-slicing, not the program,
/// shapes the curve).
pub fn in_fit(point: &Point, kind: Kind, cpus: CpuCounts) -> bool {
    kind.waits() || point.threads <= cpus.usable
}

/// Fits the models to summarised `points`.
pub fn fit(points: &[Point], kind: Kind, cpus: CpuCounts, seed: u64) -> Fits {
    Fits { amdahl: Some(fit_amdahl(points, kind, cpus, seed)) }
}

fn fit_amdahl(points: &[Point], kind: Kind, cpus: CpuCounts, seed: u64) -> AmdahlFit {
    let used: Vec<&Point> = points.iter().filter(|p| in_fit(p, kind, cpus) && p.speedup.is_some()).collect();
    let threads_used: Vec<usize> = used.iter().map(|p| p.threads).collect();
    let not_fitted = |reason: &str| AmdahlFit {
        serial_fraction: None,
        ci95: None,
        ceiling: None,
        superlinear: false,
        threads_used: threads_used.clone(),
        not_fitted: Some(reason.to_owned()),
    };
    if used.iter().filter(|p| p.threads > 1).count() < 1 || !used.iter().any(|p| p.threads == 1) {
        return not_fitted("needs j = 1 and at least one more thread count");
    }
    let Some(b) = amdahl::serial_fraction(used.iter().map(|p| (p.threads, p.speedup.unwrap_or(f64::NAN)))) else {
        return not_fitted("a speedup is not a positive number");
    };
    let baseline = as_f64(&used[0].samples_ns);
    let ratios: Vec<(usize, Vec<f64>)> = used
        .iter()
        .map(|p| (p.threads, baseline.iter().zip(&p.samples_ns).map(|(t1, tj)| t1 / *tj as f64).collect()))
        .collect();
    let mut scratch = Vec::with_capacity(baseline.len());
    let ci95 = Bootstrap::new(seed ^ 0xa5a5_a5a5, baseline.len()).ci95(|idx| {
        let resampled = ratios.iter().map(|(j, r)| {
            scratch.clear();
            scratch.extend(idx.iter().map(|&i| r[i]));
            (*j, median(&scratch))
        });
        amdahl::serial_fraction(resampled.collect::<Vec<_>>()).unwrap_or(f64::NAN)
    });
    AmdahlFit {
        serial_fraction: finite(b),
        ci95,
        ceiling: amdahl::ceiling(b).and_then(finite),
        superlinear: ci95.is_some_and(|[_, hi]| hi < 0.0),
        threads_used,
        not_fitted: None,
    }
}

fn as_f64(samples: &[u64]) -> Vec<f64> {
    samples.iter().map(|&s| s as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPUS: CpuCounts = CpuCounts { usable: 4, physical: 2 };

    fn point(threads: usize, samples: &[u64]) -> Point {
        let mut p = new_point(threads, CPUS);
        p.samples_ns = samples.to_vec();
        p.cpu_ns = samples.iter().map(|s| Some(s * threads as u64)).collect();
        p.involuntary_context_switches = vec![Some(0); samples.len()];
        p
    }

    #[test]
    fn exact_amdahl_samples_give_exact_summaries_and_b() {
        // T(j) = 1000 * (0.2 + 0.8/j): S(2) = 1/0.6, S(4) = 2.5.
        let mut points = vec![point(1, &[1000; 5]), point(2, &[600; 5]), point(4, &[400; 5]), point(8, &[300; 5])];
        summarise(&mut points, CPUS, 1);
        assert_eq!(points[1].median_ns, Some(600.0));
        assert_eq!(points[1].median_ns_ci95, Some([600.0, 600.0]));
        assert!((points[2].speedup.unwrap() - 2.5).abs() < 1e-12);
        assert!((points[2].efficiency.unwrap() - 0.625).abs() < 1e-12);
        assert!((points[2].karp_flatt.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(points[0].karp_flatt, None);
        assert!((points[2].utilisation.unwrap() - 1.0).abs() < 1e-12);
        // 8 threads on 4 usable CPUs: utilisation is over min(j, usable) = 4, so 2.0 here.
        assert!((points[3].utilisation.unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(points[3].tags, ["oversubscribed", "smt"]);
        assert_eq!(points[2].tags, ["smt"]);

        let fits = fit(&points, Kind::Parallel, CPUS, 1);
        let amdahl = fits.amdahl.unwrap();
        assert_eq!(amdahl.threads_used, [1, 2, 4]);
        assert!((amdahl.serial_fraction.unwrap() - 0.2).abs() < 1e-12);
        let [lo, hi] = amdahl.ci95.unwrap();
        assert!((lo - 0.2).abs() < 1e-12 && (hi - 0.2).abs() < 1e-12);
        assert!((amdahl.ceiling.unwrap() - 5.0).abs() < 1e-9);
        assert!(!amdahl.superlinear);

        // Waiting work keeps oversubscribed points in the fit.
        assert_eq!(fit(&points, Kind::IoBound, CPUS, 1).amdahl.unwrap().threads_used, [1, 2, 4, 8]);
    }

    #[test]
    fn a_single_thread_count_is_not_fitted() {
        let mut points = vec![point(1, &[1000; 3])];
        summarise(&mut points, CPUS, 1);
        let amdahl = fit(&points, Kind::Parallel, CPUS, 1).amdahl.unwrap();
        assert_eq!(amdahl.serial_fraction, None);
        assert!(amdahl.not_fitted.is_some());
    }
}
