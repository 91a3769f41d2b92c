//! `measure compare`: the same workloads measured on several machines, side by side.
//!
//! Files are labelled A, B, C... in the order given; every later file is compared with A.
//! 1. What differs between the environments (CPU, core counts, SMT, memory, OS, governor, boost,
//!    build profile, tool and compiler versions, backend).
//! 2. For each workload present in A and another file with the same parameters, backend and
//!    scaling (otherwise it is listed as not compared, with the reason):
//!    - per-core speed: T(1) of A over T(1) of the other, the ratio of medians with a bootstrap CI
//!      (samples resampled within each file);
//!    - S at the largest thread count both measured;
//!    - each side's verdict ([`Verdict`]: its kind and key number, "A saturates from 8 threads; B
//!      saturates from 16 threads"), from each file's own refitted diagnosis;
//!    - Amdahl's B per machine with its CI, and the difference with the percentile CI of the
//!      difference of independent bootstrap replicates (rounds resampled within each file): the
//!      difference is significant when that interval excludes 0;
//!    - one sentence.

use amdahl_workloads::Backend;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::Serialize;

use crate::analysis::{self, AnalysisContext};
use crate::error::{Error, Result};
use crate::fit::frame::{Frame, Law};
use crate::fit::{Verdict, amdahl};
use crate::results::{ResultsFile, TeamModel, WorkloadResult};
use crate::stats::{RESAMPLES, median, percentile};

/// A results file with its label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MachineLabel {
    /// A, B, C...
    pub label: String,
    /// The file.
    pub file: String,
    /// CPU model.
    pub cpu: Option<String>,
    /// Host name.
    pub host: Option<String>,
    /// Usable CPUs (written as `logical_cpus`, like the results file).
    #[serde(rename = "logical_cpus")]
    pub usable_cpus: usize,
    /// Physical cores.
    pub physical_cores: usize,
}

/// One environment fact that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvDifference {
    /// What.
    pub field: String,
    /// Its value in each file, in label order.
    pub values: Vec<String>,
}

/// A with one other machine, on one workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairComparison {
    /// The other machine's label.
    pub other: String,
    /// T(1) of A / T(1) of the other (the T(1) ratio): above 1 means the other is faster on one
    /// thread.
    pub per_core_ratio: Option<f64>,
    /// Its 95% CI.
    pub per_core_ratio_ci95: Option<[f64; 2]>,
    /// The largest thread count both measured.
    pub common_threads: Option<usize>,
    /// S there on A and on the other.
    pub speedup_at_common: [Option<f64>; 2],
    /// Their 95% CIs.
    pub speedup_at_common_ci95: [Option<[f64; 2]>; 2],
    /// What each machine itself reaches there (its ceiling), where measured.
    pub machine_speedup_at_common: [Option<f64>; 2],
    /// S / the machine's ceiling there, on A and on the other.
    pub fidelity_at_common: [Option<f64>; 2],
    /// The verdict on A and on the other (what each curve shows, with its evidence).
    pub verdict: [Option<Verdict>; 2],
    /// B on A and on the other.
    pub serial_fraction: [Option<f64>; 2],
    /// The largest thread count each B was fitted on (they differ when the machines do).
    pub fitted_up_to: [Option<usize>; 2],
    /// The thread counts each B was fitted on.
    pub fitted_threads: [Vec<usize>; 2],
    /// Their 95% CIs.
    pub serial_fraction_ci95: [Option<[f64; 2]>; 2],
    /// B(other) - B(A).
    pub serial_fraction_difference: Option<f64>,
    /// Its 95% bootstrap CI.
    pub serial_fraction_difference_ci95: Option<[f64; 2]>,
    /// The CI of the difference excludes 0.
    pub significant: bool,
    /// The verdict in one sentence.
    pub sentence: String,
}

/// One workload across machines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadComparison {
    /// Workload name.
    pub name: String,
    /// Its parameters, as text.
    pub params: String,
    /// A against each other machine that ran it with the same parameters.
    pub pairs: Vec<PairComparison>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The files, labelled.
    pub machines: Vec<MachineLabel>,
    /// Environment facts that differ.
    pub environment_differences: Vec<EnvDifference>,
    /// Workloads compared.
    pub workloads: Vec<WorkloadComparison>,
    /// Workloads not compared, each with the reason.
    pub not_compared: Vec<String>,
}

/// Compares `files` (name, contents); the first is A. Refuses files that share no workload.
pub fn compare(files: &[(String, ResultsFile)]) -> Result<Comparison> {
    let label = |i: usize| ((b'A' + (i % 26) as u8) as char).to_string();
    let machines = files
        .iter()
        .enumerate()
        .map(|(i, (name, r))| MachineLabel {
            label: label(i),
            file: name.clone(),
            cpu: r.machine.cpu_brand.clone(),
            host: r.machine.hostname.clone(),
            usable_cpus: r.machine.usable_cpus,
            physical_cores: r.machine.physical_cores,
        })
        .collect();
    let mut workloads = Vec::new();
    let mut not_compared = Vec::new();
    let (_, a) = &files[0];
    for (ia, wa) in a.workloads.iter().enumerate() {
        let mut pairs = Vec::new();
        for (i, (_, other)) in files.iter().enumerate().skip(1) {
            match other.workloads.iter().position(|w| w.name == wa.name) {
                None => not_compared.push(format!("{}: not in {}", wa.name, label(i))),
                Some(ib) => {
                    match incompatibility(wa, &other.workloads[ib], [a.config.team_model(), other.config.team_model()])
                    {
                        Some(why) => not_compared.push(format!("{}: A and {} differ: {why}", wa.name, label(i))),
                        None => pairs.push(compare_pair((a, ia), (other, ib), &label(i))),
                    }
                }
            }
        }
        if !pairs.is_empty() {
            let params = wa.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
            workloads.push(WorkloadComparison { name: wa.name.clone(), params, pairs });
        }
    }
    for (i, (_, other)) in files.iter().enumerate().skip(1) {
        for w in other.workloads.iter().filter(|w| !a.workloads.iter().any(|wa| wa.name == w.name)) {
            not_compared.push(format!("{}: only in {}", w.name, label(i)));
        }
    }
    if workloads.is_empty() {
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        return Err(Error::Data {
            path: names.join(", ").into(),
            message: format!(
                "no workload can be compared: {}",
                if not_compared.is_empty() {
                    "the files hold no workloads".to_owned()
                } else {
                    not_compared.join("; ")
                }
            ),
        });
    }
    Ok(Comparison { machines, environment_differences: environment_differences(files), workloads, not_compared })
}

fn incompatibility(a: &WorkloadResult, b: &WorkloadResult, [team_a, team_b]: [TeamModel; 2]) -> Option<String> {
    let text = |w: &WorkloadResult| w.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    if a.command != b.command {
        return Some(format!(
            "command ({} vs {})",
            a.command.as_deref().unwrap_or("-"),
            b.command.as_deref().unwrap_or("-")
        ));
    }
    if a.workload_version != b.workload_version {
        return Some(format!(
            "{} changed its decomposition: version {} vs {}",
            a.name, a.workload_version, b.workload_version
        ));
    }
    if a.params != b.params {
        return Some(format!("parameters or size ({} vs {})", text(a), text(b)));
    }
    if a.backend != b.backend {
        return Some(format!("backend ({} vs {})", a.backend, b.backend));
    }
    if a.scaling != b.scaling {
        return Some(format!("scaling ({} vs {})", a.scaling, b.scaling));
    }
    if a.backend == Backend::Threads && team_a != team_b {
        return Some(format!(
            "the threads backend's workers ({} vs {}): spawning threads in every run was measured with the work",
            team_a.as_str(),
            team_b.as_str()
        ));
    }
    if a.rounds < 2 || b.rounds < 2 {
        return Some("fewer than 2 rounds measured".to_owned());
    }
    None
}

fn environment_differences(files: &[(String, ResultsFile)]) -> Vec<EnvDifference> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "unknown".into());
    type Fact = (&'static str, Box<dyn Fn(&ResultsFile) -> String>);
    let facts: Vec<Fact> = vec![
        ("cpu", Box::new(move |r| opt(r.machine.cpu_brand.clone()))),
        ("logical_cpus", Box::new(|r| r.machine.usable_cpus.to_string())),
        ("physical_cores", Box::new(|r| r.machine.physical_cores.to_string())),
        ("threads_per_core", Box::new(move |r| opt(r.machine.threads_per_core.map(|t| t.to_string())))),
        ("smt_active", Box::new(move |r| opt(r.machine.smt_active.map(|t| t.to_string())))),
        (
            "memory_gib",
            Box::new(move |r| opt(r.machine.memory_bytes.map(|b| format!("{:.1}", b as f64 / (1u64 << 30) as f64)))),
        ),
        ("os", Box::new(|r| r.machine.os.clone())),
        ("kernel", Box::new(move |r| opt(r.machine.kernel.clone()))),
        ("governor", Box::new(move |r| opt(r.machine.governor.clone()))),
        ("boost", Box::new(move |r| opt(r.machine.boost.map(|b| b.to_string())))),
        ("build_profile", Box::new(|r| r.tool.profile.clone())),
        ("tool_version", Box::new(|r| r.tool.version.clone())),
        ("rustc", Box::new(move |r| opt(r.tool.rustc.clone()))),
        ("backend", Box::new(|r| r.config.backend.to_string())),
        ("pin", Box::new(|r| r.config.pin.to_string())),
    ];
    facts
        .into_iter()
        .filter_map(|(field, get)| {
            let values: Vec<String> = files.iter().map(|(_, r)| get(r)).collect();
            values.iter().any(|v| v != &values[0]).then(|| EnvDifference { field: field.to_owned(), values })
        })
        .collect()
}

/// B and its bootstrap replicates, from the raw samples of workload `index` of `r` (with the same
/// seed as `measure fit`, so the interval matches the one it prints).
fn serial_fraction_replicates(r: &ResultsFile, index: usize) -> Option<(f64, Vec<f64>)> {
    let w = &r.workloads[index];
    let ctx = AnalysisContext::of(r, index);
    let curve = analysis::curve_to_fit(&w.points, &ctx)?;
    // The same estimate and warm-started replicates as `fit::amdahl`, so the intervals agree.
    let estimate = Frame::new(&curve, &curve.values)?.fit(Law::Amdahl, None)?;
    let replicates = curve
        .replicates
        .iter()
        .map(|v| amdahl::serial_fraction_of(&curve, v, Some(estimate)).unwrap_or(f64::NAN))
        .collect();
    let b = estimate.sigma;
    Some((b, replicates))
}

fn fitted_threads(w: &WorkloadResult) -> Vec<usize> {
    w.fits.amdahl.as_ref().map(|a| a.threads_used.clone()).unwrap_or_default()
}

fn fitted_up_to(w: &WorkloadResult) -> Option<usize> {
    w.fits.amdahl.as_ref().and_then(|a| a.threads_used.last().copied())
}

fn t1_samples(w: &WorkloadResult) -> Option<Vec<f64>> {
    let p = w.points.iter().find(|p| p.threads == 1)?;
    (!p.samples_ns.is_empty()).then(|| p.samples_ns.iter().map(|&s| s as f64).collect())
}

/// Workload `ia` of `ra` (machine A) against workload `ib` of `rb`.
fn compare_pair((ra, ia): (&ResultsFile, usize), (rb, ib): (&ResultsFile, usize), other: &str) -> PairComparison {
    let (wa, wb) = (&ra.workloads[ia], &rb.workloads[ib]);
    // Per-core speed: ratio of T(1) medians, bootstrap within each file.
    let (mut ratio, mut ratio_ci) = (None, None);
    if let (Some(a1), Some(b1)) = (t1_samples(wa), t1_samples(wb)) {
        ratio = Some(median(&a1) / median(&b1));
        let mut rng = Pcg64Mcg::seed_from_u64(ra.run.seed ^ rb.run.seed.rotate_left(17));
        let mut draw = |s: &[f64]| median(&(0..s.len()).map(|_| s[rng.random_range(0..s.len())]).collect::<Vec<_>>());
        ratio_ci = percentile((0..RESAMPLES).map(|_| draw(&a1) / draw(&b1)).collect(), 0.95);
    }
    // Speedup at the largest common thread count.
    let common = wa.points.iter().map(|p| p.threads).filter(|j| wb.points.iter().any(|q| q.threads == *j)).max();
    let pa = wa.points.iter().find(|p| Some(p.threads) == common);
    let pb = wb.points.iter().find(|p| Some(p.threads) == common);
    // Serial fractions and the bootstrap CI of their difference.
    let fa = serial_fraction_replicates(ra, ia);
    let fb = serial_fraction_replicates(rb, ib);
    let ci_of = |f: &Option<(f64, Vec<f64>)>| {
        f.as_ref().and_then(|(_, r)| percentile(r.iter().copied().filter(|x| x.is_finite()).collect(), 0.95))
    };
    let (diff, diff_ci) = match (&fa, &fb) {
        (Some((a, ra)), Some((b, rb))) => {
            let diffs: Vec<f64> = ra.iter().zip(rb).map(|(x, y)| y - x).filter(|d| d.is_finite()).collect();
            (Some(b - a), percentile(diffs, 0.95))
        }
        _ => (None, None),
    };
    let significant = diff_ci.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0);
    let ba = fa.as_ref().map(|f| f.0);
    let bb = fb.as_ref().map(|f| f.0);
    let sentence = sentence(other, ba, bb, significant, ratio, ratio_ci);
    PairComparison {
        other: other.to_owned(),
        per_core_ratio: ratio,
        per_core_ratio_ci95: ratio_ci,
        common_threads: common,
        speedup_at_common: [pa.and_then(|p| p.speedup), pb.and_then(|p| p.speedup)],
        speedup_at_common_ci95: [pa.and_then(|p| p.speedup_ci95), pb.and_then(|p| p.speedup_ci95)],
        machine_speedup_at_common: [pa.and_then(|p| p.machine_speedup), pb.and_then(|p| p.machine_speedup)],
        fidelity_at_common: [pa.and_then(|p| p.fidelity), pb.and_then(|p| p.fidelity)],
        verdict: [wa.verdict.clone(), wb.verdict.clone()],
        serial_fraction: [ba, bb],
        fitted_up_to: [fitted_up_to(wa), fitted_up_to(wb)],
        fitted_threads: [fitted_threads(wa), fitted_threads(wb)],
        serial_fraction_ci95: [ci_of(&fa), ci_of(&fb)],
        serial_fraction_difference: diff,
        serial_fraction_difference_ci95: diff_ci,
        significant,
        sentence,
    }
}

fn sentence(
    other: &str,
    ba: Option<f64>,
    bb: Option<f64>,
    significant: bool,
    ratio: Option<f64>,
    ratio_ci: Option<[f64; 2]>,
) -> String {
    let scaling = match (ba, bb) {
        (Some(a), Some(b)) if significant => {
            let (better, worse) = if b < a { ((other, b), ("A", a)) } else { (("A", a), (other, b)) };
            format!("{} scales better: serial fraction {:.3} vs {:.3} on {}", better.0, better.1, worse.1, worse.0)
        }
        (Some(a), Some(b)) => {
            format!("A and {other} scale alike: serial fraction {a:.3} vs {b:.3}, a difference within noise")
        }
        _ => "scaling cannot be compared (a serial fraction is missing)".to_owned(),
    };
    let speed = match (ratio, ratio_ci) {
        (Some(r), Some([lo, _])) if lo > 1.0 => format!("; single-thread speed: {other} is {r:.2}x faster"),
        (Some(r), Some([_, hi])) if hi < 1.0 => format!("; single-thread speed: A is {:.2}x faster", 1.0 / r),
        (Some(_), _) => "; single-thread speed is alike".to_owned(),
        _ => String::new(),
    };
    scaling + &speed
}
