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

use crate::account::{Cause, TimeParts};
use crate::analysis::{self, AnalysisContext};
use crate::config::defaults;
use crate::error::{Error, Result};
use crate::fit::diagnose::{Evidence, diagnose};
use crate::fit::{
    self, Curve, Diagnosis, Disturbed, Fits, KarpFlattPoint, Law, Loss, Measure, Regime, Verdict, karp_flatt,
};
use crate::import::{ImportedSamples, read_csv};
use crate::input::InputLimit;
use crate::results::{ResultsFile, WorkloadResult};
use crate::stats::percentile;
use crate::thread_set::CpuCounts;
use amdahl_workloads::Kind;

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
    /// The sentence, rendered from `verdict` and its qualifiers.
    pub diagnosis: Option<String>,
    /// What the curve shows, with its evidence.
    pub verdict: Option<Verdict>,
    /// The regime after the verdict's stretch.
    pub then: Option<Regime>,
    /// The law that describes the curve (or its rise) beside a shape's verdict.
    pub law: Option<Law>,
    /// A second reading the data cannot rule out.
    pub alternative: Option<Verdict>,
}

impl CurveReport {
    /// What the diagnosis says (the verdict and its qualifiers), when there is a verdict.
    pub fn said(&self) -> Option<Diagnosis> {
        Some(Diagnosis {
            verdict: self.verdict.clone()?,
            then: self.then.clone(),
            law: self.law.clone(),
            alternative: self.alternative.clone(),
            disturbed: None,
        })
    }
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
    /// S(j): against the row at 1 thread, or without one against the USL's fitted single-thread
    /// rate (`fits.speedup_baseline` says which).
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
    /// The sentence, rendered from `verdict` and its qualifiers.
    pub diagnosis: Option<String>,
    /// What the curve shows, with its evidence.
    pub verdict: Option<Verdict>,
    /// The regime after the verdict's stretch.
    pub then: Option<Regime>,
    /// The law that describes the curve (or its rise) beside a shape's verdict.
    pub law: Option<Law>,
    /// A second reading the data cannot rule out.
    pub alternative: Option<Verdict>,
    /// The evidence that other work competed for the CPUs.
    pub disturbed: Option<Disturbed>,
    /// What the thread-time account measured beside the verdict, when it says something.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// The thread-time account of every point that has one (profile runs), ascending in j.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub time_parts: Vec<PointTimeParts>,
}

/// One point's thread-time account, in `measure fit --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointTimeParts {
    /// j.
    pub threads: usize,
    /// Its account.
    #[serde(flatten)]
    pub time_parts: TimeParts,
}

/// What the user tells `measure fit` about imported curves (`--cpus`, `--physical-cores`,
/// `--kind`, `--unit`, `--tasks`, and `--loss`): the context a results file of ours carries by itself. It
/// applies to every curve of the call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CurveContext {
    /// The machine's usable CPUs and physical cores.
    pub cpus: Option<CpuCounts>,
    /// What kind of work the curve measures.
    pub kind: Option<Kind>,
    /// What a `throughput` column counts, when it is bytes per second (bandwidth data).
    pub unit: Option<ByteRate>,
    /// The work's independent tasks per run (the granularity bound).
    pub tasks: Option<usize>,
    /// The loss Amdahl's law and the USL are fitted with (`--loss`).
    pub loss: Loss,
}

/// A unit of bytes per second (`--unit`); MB and GB are decimal, as STREAM reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRate {
    /// `B/s`.
    BytesPerSecond,
    /// `MB/s`: 10^6 bytes per second.
    MegabytesPerSecond,
    /// `GB/s`: 10^9 bytes per second.
    GigabytesPerSecond,
}

impl ByteRate {
    /// Parses `B/s`, `MB/s` or `GB/s`.
    pub fn parse(text: &str) -> Result<ByteRate> {
        match text {
            "B/s" => Ok(ByteRate::BytesPerSecond),
            "MB/s" => Ok(ByteRate::MegabytesPerSecond),
            "GB/s" => Ok(ByteRate::GigabytesPerSecond),
            _ => Err(Error::usage("--unit", text, "is not a unit of bandwidth: B/s, MB/s or GB/s")),
        }
    }

    /// GB/s per one of this unit.
    pub fn in_gb_per_s(self) -> f64 {
        match self {
            ByteRate::BytesPerSecond => 1e-9,
            ByteRate::MegabytesPerSecond => 1e-3,
            ByteRate::GigabytesPerSecond => 1.0,
        }
    }
}

/// What `measure fit` is asked about the curves it imports, as given (`--seed`, `--cpus`,
/// `--physical-cores`, `--kind`, `--unit`, `--tasks`, `--loss`): checked by
/// [`FitRequest::resolve`], each refusal naming its flag, as `RunRequest` is for a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FitRequest {
    /// `--seed`: of the bootstrap [default: `config::defaults::SEED`].
    pub seed: Option<u64>,
    /// `--cpus`: the usable CPUs of the machine the curves were measured on.
    pub cpus: Option<usize>,
    /// `--physical-cores` [default: `--cpus`].
    pub physical_cores: Option<usize>,
    /// `--kind`, as given (the run's `--cmd ... --kind` is text too).
    pub kind: Option<String>,
    /// `--unit`: what a throughput column counts, when it is a bandwidth.
    pub unit: Option<String>,
    /// `--tasks`: the work's independent tasks per run.
    pub tasks: Option<usize>,
    /// `--loss`.
    pub loss: Loss,
}

/// A checked [`FitRequest`]: the bootstrap's seed and what the user told of the curves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitSettings {
    /// The seed of the bootstrap.
    pub seed: u64,
    /// The curves' context.
    pub context: CurveContext,
}

impl FitRequest {
    /// Checks every value (in the order `--cpus`, `--physical-cores`, `--kind`, `--tasks`,
    /// `--unit`) and fills in the defaults.
    pub fn resolve(&self) -> Result<FitSettings> {
        let cpus = match self.cpus {
            Some(0) => return Err(Error::usage("--cpus", 0, "is out of range (at least 1)")),
            Some(n) => {
                let physical = self.physical_cores.unwrap_or(n);
                if physical == 0 || physical > n {
                    return Err(Error::usage(
                        "--physical-cores",
                        physical,
                        format!("is out of range (1..={n}: at most --cpus, since each core has at least one CPU)"),
                    ));
                }
                Some(CpuCounts { usable: n, physical, sockets: 1 })
            }
            None => None,
        };
        let kind = self.kind.as_deref().map(kind_of_work).transpose()?;
        let tasks = match self.tasks {
            Some(t) if t == 0 || t > 1 << 32 => {
                return Err(Error::usage("--tasks", t, "is out of range (from 1 to 4294967296)"));
            }
            other => other,
        };
        let unit = self.unit.as_deref().map(ByteRate::parse).transpose()?;
        let context = CurveContext { cpus, kind, unit, tasks, loss: self.loss };
        Ok(FitSettings { seed: self.seed.unwrap_or(defaults::SEED), context })
    }
}

/// `--kind`: a kind of work a curve can measure (not `synthetic`, which is ours).
fn kind_of_work(text: &str) -> Result<Kind> {
    Kind::from_name(text).filter(|k| *k != Kind::Synthetic).ok_or_else(|| {
        Error::usage("--kind", text, "is not a kind of work: parallel, sequential, io-bound, memory-bound or contended")
    })
}

impl CurveContext {
    /// The kind the diagnosis sees: the one given, else memory-bound for bandwidth data.
    fn effective_kind(&self) -> Option<Kind> {
        self.kind.or(self.unit.map(|_| Kind::MemoryBound))
    }
}

/// Reads a CSV curve and fits and explains it.
pub fn explain_csv(path: &Path, seed: u64, limit: InputLimit, context: &CurveContext) -> Result<CurveReport> {
    explain_samples(&path.display().to_string(), &read_csv(path, limit)?, seed, context)
}

/// Fits and explains samples imported from anywhere (CSV, criterion, hyperfine), in `context`
/// (its laws fitted with `context.loss`).
pub fn explain_samples(
    source: &str,
    imported: &ImportedSamples,
    seed: u64,
    context: &CurveContext,
) -> Result<CurveReport> {
    let curve = Curve::from_samples(&imported.threads, &imported.samples, imported.kind, seed).with_loss(context.loss);
    let fits = fit::fit_curve(&curve);
    let speedups = curve.speedups();
    let replicate_speedups = curve.replicate_speedups();
    // One baseline for the table, the JSON and the sentence: the measured j = 1, or without a row
    // at 1 thread the USL's fitted single-thread rate lambda (S(N) = X(N) / lambda, its relative
    // capacity), said so by `fits.speedup_baseline`.
    let evidence_speedups = speedups.clone().unwrap_or_else(|| {
        let lambda = fits.usl_fitted().and_then(|u| u.lambda).unwrap_or(1.0);
        curve.values.iter().map(|x| x / lambda).collect()
    });
    let fitted_baseline = speedups.is_none() && fits.usl_fitted().is_some_and(|u| u.lambda.is_some());
    let points: Vec<CurvePoint> = curve
        .threads
        .iter()
        .enumerate()
        .map(|(i, &threads)| CurvePoint {
            threads,
            samples: imported.samples[i].len(),
            value: curve.values[i],
            speedup: (speedups.is_some() || fitted_baseline).then(|| evidence_speedups[i]),
            speedup_ci95: percentile(replicate_speedups.iter().map(|r| r[i]).collect(), 0.95),
        })
        .collect();
    let intervals: Vec<Option<[f64; 2]>> = points.iter().map(|p: &CurvePoint| p.speedup_ci95).collect();
    // A throughput in bytes per second is a bandwidth: at the first point and the best.
    let bandwidth_gb_s = match (context.unit, curve.measure) {
        (Some(unit), Measure::Throughput) => {
            let best = curve.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            curve.values.first().map(|&first| [first * unit.in_gb_per_s(), best * unit.in_gb_per_s()])
        }
        _ => None,
    };
    let cpus = context.cpus;
    // S = T_1 / T_j or X_j / X_1: with a row at 1 thread, or against a fitted rate; each point's
    // rounding is its own (the shape adds the baseline's).
    let diagnosed = diagnose(&Evidence {
        kind: context.effective_kind(),
        intervals: &intervals,
        rounding: &imported.rounding,
        cpus,
        bandwidth_gb_s,
        tasks: context.tasks,
        ..Evidence::of_curve(&curve.threads, &evidence_speedups, &fits)
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
        diagnosis: diagnosed.as_ref().map(|d| d.sentence.clone()),
        verdict: diagnosed.as_ref().map(|d| d.diagnosis.verdict.clone()),
        then: diagnosed.as_ref().and_then(|d| d.diagnosis.then.clone()),
        law: diagnosed.as_ref().and_then(|d| d.diagnosis.law.clone()),
        alternative: diagnosed.and_then(|d| d.diagnosis.alternative),
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
        } else {
            // Fewer than two rounds: nothing to summarise, and a file's cached numbers are not
            // shown as measured.
            w.forget_analysis();
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
            then: w.then.clone(),
            law: w.law.clone(),
            alternative: w.alternative.clone(),
            disturbed: w.disturbed.clone(),
            cause: w.cause.clone(),
            time_parts: w
                .points
                .iter()
                .filter_map(|p| Some(PointTimeParts { threads: p.threads, time_parts: p.time_parts.clone()? }))
                .collect(),
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

    /// `measure fit`'s flags are checked here, each refusal naming its flag; the defaults are the
    /// run's.
    #[test]
    fn a_fit_request_is_checked_flag_by_flag() {
        let settings = FitRequest::default().resolve().unwrap();
        assert_eq!(settings, FitSettings { seed: defaults::SEED, context: CurveContext::default() });
        let refused = |request: FitRequest| request.resolve().unwrap_err().to_string();
        assert!(refused(FitRequest { cpus: Some(0), ..Default::default() }).contains("--cpus"));
        let cores = refused(FitRequest { cpus: Some(4), physical_cores: Some(5), ..Default::default() });
        assert!(cores.contains("--physical-cores") && cores.contains("1..=4"), "{cores}");
        let kind = refused(FitRequest { kind: Some("synthetic".into()), ..Default::default() });
        assert!(kind.contains("--kind") && kind.contains("is not a kind of work"), "{kind}");
        assert!(refused(FitRequest { tasks: Some(0), ..Default::default() }).contains("--tasks"));
        assert!(refused(FitRequest { unit: Some("KB/s".into()), ..Default::default() }).contains("--unit"));
        let given = FitRequest {
            seed: Some(7),
            cpus: Some(8),
            kind: Some("memory-bound".into()),
            unit: Some("MB/s".into()),
            tasks: Some(12),
            loss: Loss::Absolute,
            ..Default::default()
        };
        let context = CurveContext {
            cpus: Some(CpuCounts { usable: 8, physical: 8, sockets: 1 }),
            kind: Some(Kind::MemoryBound),
            unit: Some(ByteRate::MegabytesPerSecond),
            tasks: Some(12),
            loss: Loss::Absolute,
        };
        assert_eq!(given.resolve().unwrap(), FitSettings { seed: 7, context });
    }

    #[test]
    fn amdahl_reference_csv_is_explained_exactly() {
        let report =
            explain_csv(&shared("amdahl-exact-b010.csv"), 1, InputLimit::DEFAULT, &CurveContext::default()).unwrap();
        assert_eq!(report.measure, "speedup");
        let b = report.fits.amdahl_fitted().unwrap().serial_fraction;
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
        let report =
            explain_csv(&shared("usl-exact-linear2.csv"), 1, InputLimit::DEFAULT, &CurveContext::default()).unwrap();
        assert_eq!(report.measure, "throughput");
        assert_eq!(report.fits.best, Some(fit::Model::Usl));
        let d = report.diagnosis.unwrap();
        assert!(
            d.starts_with("peaks at 7 threads: S = 3.27, flat to 8, then falls steadily, 6%")
                && d.contains("peak near 6.9"),
            "{d}"
        );
        assert!(matches!(report.law, Some(fit::Law::Usl { .. })), "{:?}", report.law);
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
            rounding: Vec::new(),
        };
        let report = explain_samples("x.csv", &imported, 1, &CurveContext::default()).unwrap();
        assert_eq!(report.fits.speedup_baseline, Some(fit::SpeedupBaseline::Fitted));
        assert!(report.verdict.is_some() && report.diagnosis.is_some());
    }
}
