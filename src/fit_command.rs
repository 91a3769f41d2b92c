//! What `measure fit` does: refit and explain a results file of ours, or a curve imported from
//! another tool (CSV, criterion, hyperfine; see `import`).
//!
//! A results file keeps every raw sample, so refitting recomputes every summary, fit and diagnosis
//! from the samples with the current code (a newer `measure` explains an older file better). An
//! imported curve has no kind and no machine, so its diagnosis rests on the numbers alone.
//!
//! Amdahl's law and the USL are fitted with the loss asked for (`--loss`): least squares on ln
//! cost by default, or on the measured values as R's `usl` does ([`Loss`]); the fits say which.

use std::path::Path;

use serde::Serialize;

use crate::analysis::{self, AnalysisContext};
use crate::error::Result;
use crate::fit::diagnose::{Evidence, diagnose};
use crate::fit::{self, Curve, Fits, KarpFlattPoint, Loss, Measure, Verdict, karp_flatt};
use crate::import::{ImportedSamples, read_csv};
use crate::input::InputLimit;
use crate::results::{ResultsFile, WorkloadResult};
use crate::stats::percentile;
use crate::thread_set::CpuCounts;

/// One imported curve, fitted and explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurveReport {
    /// The file it came from.
    pub file: String,
    /// `speedup` (times with a row at 1 thread) or `throughput`.
    pub measure: &'static str,
    /// The points.
    pub points: Vec<CurvePoint>,
    /// The fitted models.
    pub fits: Fits,
    /// Karp–Flatt e(j) at every j > 1 (needs a row at 1 thread).
    pub karp_flatt: Vec<KarpFlattPoint>,
    /// The sentence, rendered from `verdict`.
    pub diagnosis: Option<String>,
    /// What the curve shows, with its evidence.
    pub verdict: Option<Verdict>,
}

/// One thread count of an imported curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// j.
    pub threads: usize,
    /// Rows at this j.
    pub samples: usize,
    /// The speedup S(j) (median T1 / median Tj) or the median throughput.
    pub value: f64,
    /// S(j), when there is a row at 1 thread.
    pub speedup: Option<f64>,
    /// Its 95% bootstrap CI, when every point has two or more rows.
    pub speedup_ci95: Option<[f64; 2]>,
}

/// What `measure fit --json` prints for one workload of a results file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadExplanation {
    /// Workload name.
    pub name: String,
    /// The fitted models.
    pub fits: Fits,
    /// Karp–Flatt e(j) at every j > 1.
    pub karp_flatt: Vec<KarpFlattPoint>,
    /// The sentence, rendered from `verdict`.
    pub diagnosis: Option<String>,
    /// What the curve shows, with its evidence.
    pub verdict: Option<Verdict>,
}

/// Reads a CSV curve and fits and explains it, its laws fitted with `loss`.
pub fn explain_csv(
    path: &Path,
    seed: u64,
    limit: InputLimit,
    cpus: Option<CpuCounts>,
    loss: Loss,
) -> Result<CurveReport> {
    explain_samples(&path.display().to_string(), &read_csv(path, limit)?, seed, cpus, loss)
}

/// Fits and explains samples imported from anywhere (CSV, criterion, hyperfine), their laws fitted
/// with `loss`.
pub fn explain_samples(
    source: &str,
    imported: &ImportedSamples,
    seed: u64,
    cpus: Option<CpuCounts>,
    loss: Loss,
) -> Result<CurveReport> {
    let curve = Curve::from_samples(&imported.threads, &imported.samples, imported.kind, seed).with_loss(loss);
    let fits = fit::fit_curve(&curve);
    let speedups = curve.speedups();
    let replicate_speedups = curve.replicate_speedups();
    let points: Vec<CurvePoint> = curve
        .threads
        .iter()
        .enumerate()
        .map(|(i, &threads)| CurvePoint {
            threads,
            samples: imported.samples[i].len(),
            value: curve.values[i],
            speedup: speedups.as_ref().map(|s| s[i]),
            speedup_ci95: percentile(replicate_speedups.iter().map(|r| r[i]).collect(), 0.95),
        })
        .collect();
    let evidence_speedups = speedups.clone().unwrap_or_else(|| {
        // Without a row at 1 thread, speak in the USL's relative capacity C(N) = X(N)/lambda.
        let lambda = fits.usl.as_ref().and_then(|u| u.lambda).unwrap_or(1.0);
        curve.values.iter().map(|x| x / lambda).collect()
    });
    let intervals: Vec<Option<[f64; 2]>> = points.iter().map(|p: &CurvePoint| p.speedup_ci95).collect();
    let diagnosis = diagnose(&Evidence {
        kind: None,
        threads: &curve.threads,
        speedups: &evidence_speedups,
        intervals: &intervals,
        utilisation: &[],
        disturbed: &[],
        cpus,
        load: None,
        bandwidth_gb_s: None,
        residual_sd: fit::residual_sd(&curve, fits.best),
        fits: &fits,
        machine: None,
    });
    Ok(CurveReport {
        file: source.to_owned(),
        measure: match curve.measure {
            Measure::Speedup => "speedup",
            Measure::Throughput => "throughput",
        },
        points,
        karp_flatt: karp_flatt::points(&curve),
        fits,
        diagnosis: diagnosis.as_ref().map(|d| d.sentence.clone()),
        verdict: diagnosis.map(|d| d.verdict),
    })
}

/// Recomputes every workload's summaries, fits and diagnosis from its raw samples.
pub fn refit(results: &mut ResultsFile) {
    refit_with(results, Loss::Log);
}

/// [`refit`], Amdahl's law and the USL fitted with `loss`.
pub fn refit_with(results: &mut ResultsFile, loss: Loss) {
    for index in 0..results.workloads.len() {
        let ctx = AnalysisContext { loss, ..AnalysisContext::of(results, index) };
        let w = &mut results.workloads[index];
        if w.points.first().is_some_and(|p| p.samples_ns.len() >= 2) {
            w.record(analysis::analyse(&w.points, &ctx));
        }
    }
}

/// The explanation of each workload of a (refitted) results file.
pub fn explanations(results: &ResultsFile) -> Vec<WorkloadExplanation> {
    results
        .workloads
        .iter()
        .map(|w| WorkloadExplanation {
            name: w.name.clone(),
            fits: w.fits.clone(),
            karp_flatt: karp_flatt_of(w),
            diagnosis: w.diagnosis.clone(),
            verdict: w.verdict.clone(),
        })
        .collect()
}

fn karp_flatt_of(w: &WorkloadResult) -> Vec<KarpFlattPoint> {
    w.points
        .iter()
        .filter(|p| p.threads > 1 && p.karp_flatt.is_some())
        .map(|p| KarpFlattPoint { threads: p.threads, value: p.karp_flatt, ci95: p.karp_flatt_ci95 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
    }

    #[test]
    fn amdahl_reference_csv_is_explained_exactly() {
        let report = explain_csv(&shared("amdahl-exact-b010.csv"), 1, InputLimit::DEFAULT, None, Loss::Log).unwrap();
        assert_eq!(report.measure, "speedup");
        let b = report.fits.amdahl.as_ref().unwrap().serial_fraction.unwrap();
        assert!((b - 0.1).abs() < 1e-9);
        assert!(report.karp_flatt.iter().all(|k| (k.value.unwrap() - 0.1).abs() < 1e-9));
        assert_eq!(report.karp_flatt.len(), 7);
        assert_eq!(report.fits.best, Some(fit::Model::Amdahl));
        assert!(report.diagnosis.unwrap().starts_with("bounded by a serial fraction: B = 0.100"));
        assert!(
            matches!(report.verdict, Some(Verdict::SerialFraction { ceiling, .. }) if (ceiling - 10.0).abs() < 1e-6)
        );
        assert_eq!(report.fits.speedup_baseline, Some(fit::SpeedupBaseline::Measured));
    }

    #[test]
    fn usl_reference_csv_is_retrograde() {
        let report = explain_csv(&shared("usl-exact-linear2.csv"), 1, InputLimit::DEFAULT, None, Loss::Log).unwrap();
        assert_eq!(report.measure, "throughput");
        assert_eq!(report.fits.best, Some(fit::Model::Usl));
        let d = report.diagnosis.unwrap();
        assert!(d.starts_with("retrograde past 7 threads") && d.contains("USL N* = 6.9"), "{d}");
        assert!(matches!(report.verdict, Some(Verdict::PeakDecline { peak_threads: 7, .. })), "{:?}", report.verdict);
    }

    fn reference(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("results/reference").join(name)
    }

    #[test]
    fn files_of_versions_1_and_2_load_are_refitted_and_gain_a_verdict() {
        for (name, version) in [("2026-11-25-dev2-xeon-default.json", 1), ("2026-11-26-vm16-xeon-default.json", 2)] {
            let mut loaded = crate::results::load(&reference(name), InputLimit::DEFAULT).unwrap();
            assert_eq!(loaded.schema_version, version, "{name}");
            assert!(loaded.workloads.iter().all(|w| w.verdict.is_none() && w.tasks.is_none()), "{name}");
            refit(&mut loaded);
            let mut judged = 0;
            for w in &loaded.workloads {
                assert_eq!(w.verdict.is_some(), w.diagnosis.is_some(), "{name}: {}", w.name);
                assert_eq!(w.fits.speedup_baseline, Some(fit::SpeedupBaseline::Measured), "{name}: {}", w.name);
                judged += usize::from(w.verdict.is_some());
            }
            assert!(judged >= 4, "{name}: {judged} verdicts");
            // Written as the current version, the verdicts read back as they were.
            loaded.schema_version = crate::results::SCHEMA_VERSION;
            let text = crate::results::to_json(&loaded).unwrap();
            assert!(text.contains("\"verdict\": {\n        \"kind\": "), "{name}");
            assert_eq!(crate::results::parse(Path::new(name), &text).unwrap(), loaded, "{name}");
        }
    }

    #[test]
    fn a_curve_without_one_thread_has_a_fitted_baseline() {
        let throughput = |j: f64| 1000.0 * j / (1.0 + 0.05 * (j - 1.0) + 0.001 * j * (j - 1.0));
        let threads = vec![2, 4, 8, 16, 32];
        let imported = ImportedSamples {
            samples: threads.iter().map(|&j| vec![throughput(j as f64)]).collect(),
            threads,
            kind: fit::SampleKind::Throughput,
            column: "throughput".into(),
        };
        let report = explain_samples("x.csv", &imported, 1, None, Loss::Log).unwrap();
        assert_eq!(report.fits.speedup_baseline, Some(fit::SpeedupBaseline::Fitted));
        assert!(report.verdict.is_some() && report.diagnosis.is_some());
    }
}
